//! `HyperTransport` against local servers on 127.0.0.1: wiremock for well-behaved answers, and
//! hand-written HTTP/1.1 over a raw `TcpListener` for the misbehaving ones.

use std::error::Error as _;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use card_core::{Transport, TransportError, TransportErrorKind};
use card_hyper::HyperTransport;
use http::{header, Method, Request, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wiremock::matchers::{body_bytes, header as header_is, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JSON_UTF8: &str = "application/json; charset=utf-8";

/// A transport for local servers: plain HTTP allowed, short deadlines.
fn local_transport() -> HyperTransport {
    HyperTransport::builder()
        .allow_plain_http(true)
        .connect_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(10))
        .build()
        .expect("transport builds")
}

fn get(uri: impl AsRef<str>) -> Request<Bytes> {
    Request::get(uri.as_ref()).body(Bytes::new()).unwrap()
}

/// Start a one-connection server: it reads one whole request, then hands the stream to `respond`.
async fn serve_once<F, Fut>(respond: F) -> SocketAddr
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        read_request(&mut stream).await;
        respond(stream).await;
    });
    addr
}

/// Start a one-connection server that answers with `response` verbatim and closes.
async fn serve_raw(response: impl Into<Vec<u8>>) -> SocketAddr {
    let response = response.into();
    serve_once(|mut stream| async move {
        stream.write_all(&response).await.unwrap();
        stream.shutdown().await.unwrap();
    })
    .await
}

/// Read an HTTP/1.1 request head and its Content-Length body.
async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        if n == 0 {
            return request;
        }
        request.extend_from_slice(&chunk[..n]);
        if let Some(head_end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
            let body_len = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse::<usize>().unwrap());
            if request.len() >= head_end + 4 + body_len {
                return request;
            }
        }
    }
}

/// Display, Debug and the Display and Debug of every source, in one string.
fn everything_printed(error: &TransportError) -> String {
    let mut printed = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        printed.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    printed
}

#[tokio::test]
async fn json_round_trip() {
    let server = MockServer::start().await;
    let request_body = r#"{"card":{"card_type":"MEMBER_CARD","title":"会员卡 🎫"}}"#;
    let response_body = r#"{"errcode":0,"errmsg":"ok","card_id":"pFS7Fjg8kV1IdDz01r4SQwMkuCKc"}"#;
    Mock::given(method("POST"))
        .and(path("/card/create"))
        .and(query_param("access_token", "TOKEN"))
        .and(header_is("content-type", JSON_UTF8))
        .and(body_bytes(request_body.as_bytes()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(response_body, "application/json")
                .append_header("x-trace", "one")
                .append_header("x-trace", "two"),
        )
        .expect(1)
        .mount(&server)
        .await;

    let request = Request::post(format!("{}/card/create?access_token=TOKEN", server.uri()))
        .header(header::CONTENT_TYPE, JSON_UTF8)
        .body(Bytes::from(request_body))
        .unwrap();
    let response = local_transport().send(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
    let traces: Vec<_> = response.headers().get_all("x-trace").iter().collect();
    assert_eq!(traces, ["one", "two"]);
    assert_eq!(response.body(), response_body.as_bytes());

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, Method::POST);
    assert_eq!(received[0].url.query(), Some("access_token=TOKEN"));
    assert_eq!(received[0].headers[header::CONTENT_TYPE], JSON_UTF8);
    assert_eq!(received[0].body, request_body.as_bytes());
}

#[tokio::test]
async fn non_2xx_answer_is_a_response() {
    let server = MockServer::start().await;
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html"))
        .mount(&server)
        .await;

    let response = local_transport()
        .send(get(format!("{}/cgi-bin/token", server.uri())))
        .await
        .expect("a 502 is a response, not a transport error");

    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "text/html");
    assert_eq!(response.body(), page.as_bytes());
}

#[tokio::test]
async fn slow_server_times_out() {
    let addr = serve_once(|stream| async move {
        // Hold the connection open without answering.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
    .await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = transport
        .send(get(format!("http://{addr}/slow")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Timeout);
    assert!(error.is_timeout());
    assert!(!error.kind().nothing_sent());
}

#[tokio::test]
async fn slow_body_times_out() {
    let addr = serve_once(|mut stream| async move {
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"errcode\":")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .request_timeout(Duration::from_millis(200))
        .build()
        .unwrap();

    let error = transport
        .send(get(format!("http://{addr}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Timeout);
}

#[tokio::test]
async fn nothing_listening_is_a_connect_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };

    let error = local_transport()
        .send(get(format!("http://127.0.0.1:{port}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Connect);
    assert!(error.is_connect());
    assert!(error.kind().nothing_sent());
    assert!(error.source().is_some(), "the cause is kept");
}

#[tokio::test]
async fn connection_closed_mid_body_is_io() {
    let addr = serve_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"errcode\"").await;

    let error = local_transport()
        .send(get(format!("http://{addr}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Io);
    assert!(error.source().is_some(), "the cause is kept");
}

#[tokio::test]
async fn connection_closed_before_response_is_io() {
    let addr = serve_once(|stream| async move { drop(stream) }).await;

    let error = local_transport()
        .send(get(format!("http://{addr}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::Io);
}

fn capped_transport(max: usize) -> HyperTransport {
    HyperTransport::builder()
        .allow_plain_http(true)
        .max_response_bytes(max)
        .build()
        .unwrap()
}

#[tokio::test]
async fn content_length_over_the_cap_is_rejected() {
    let addr = serve_raw(format!(
        "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{}",
        "x".repeat(17)
    ))
    .await;

    let error = capped_transport(16)
        .send(get(format!("http://{addr}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::ResponseRejected);
}

#[tokio::test]
async fn chunked_body_over_the_cap_is_rejected() {
    let addr = serve_raw(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
         a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
    )
    .await;

    let error = capped_transport(16)
        .send(get(format!("http://{addr}/")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::ResponseRejected);
    assert!(error.source().is_some(), "the cause is kept");
}

#[tokio::test]
async fn body_at_the_cap_is_accepted() {
    let sized = serve_raw(format!(
        "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n{}",
        "x".repeat(16)
    ))
    .await;
    let chunked = serve_raw(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
         8\r\n01234567\r\n8\r\n89abcdef\r\n0\r\n\r\n",
    )
    .await;
    let transport = capped_transport(16);

    let response = transport
        .send(get(format!("http://{sized}/")))
        .await
        .unwrap();
    assert_eq!(response.body(), "x".repeat(16).as_bytes());
    let response = transport
        .send(get(format!("http://{chunked}/")))
        .await
        .unwrap();
    assert_eq!(response.body(), &b"0123456789abcdef"[..]);
}

#[tokio::test]
async fn plain_http_is_refused_by_default() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();

    let error = HyperTransport::new()
        .unwrap()
        .send(get(format!("http://{addr}/cgi-bin/token")))
        .await
        .unwrap_err();

    assert_eq!(error.kind(), TransportErrorKind::InvalidRequest);
    assert!(error.kind().nothing_sent());
    let accepted = listener.accept();
    assert!(
        matches!(&accepted, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the server saw a connection: {accepted:?}"
    );
}

#[tokio::test]
async fn unusable_uris_are_invalid_requests() {
    let transport = local_transport();
    for uri in ["/card/create", "ftp://127.0.0.1/card/create"] {
        let error = transport.send(get(uri)).await.unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::InvalidRequest, "{uri}");
    }
}

#[tokio::test]
async fn errors_never_print_the_query() {
    let query = "?access_token=SECRET&secret=APPSECRET";
    let refused_port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let silent = serve_once(|stream| async move {
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(stream);
    })
    .await;
    let truncated = serve_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}").await;
    let oversized = serve_raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n").await;

    let local = HyperTransport::builder()
        .allow_plain_http(true)
        .request_timeout(Duration::from_millis(200))
        .max_response_bytes(200)
        .build()
        .unwrap();
    let strict = HyperTransport::new().unwrap();

    let errors = [
        strict.send(get(format!("http://127.0.0.1/{query}"))).await,
        local
            .send(get(format!("http://127.0.0.1:{refused_port}/{query}")))
            .await,
        local.send(get(format!("http://{silent}/{query}"))).await,
        local.send(get(format!("http://{truncated}/{query}"))).await,
        local.send(get(format!("http://{oversized}/{query}"))).await,
    ];

    let kinds: Vec<_> = errors
        .iter()
        .map(|result| result.as_ref().unwrap_err().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            TransportErrorKind::InvalidRequest,
            TransportErrorKind::Connect,
            TransportErrorKind::Timeout,
            TransportErrorKind::Io,
            TransportErrorKind::ResponseRejected,
        ]
    );
    for result in &errors {
        let printed = everything_printed(result.as_ref().unwrap_err());
        assert!(!printed.contains("SECRET"), "{printed}");
        assert!(!printed.contains("access_token"), "{printed}");
    }
}
