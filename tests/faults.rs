//! Faults over real HTTP: the client on `HyperTransport` against servers on 127.0.0.1 that
//! stall, cut the body, refuse connections or answer with a gateway's HTML page. Each test
//! asserts the typed error and, for a non-idempotent call, that the server saw one request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use card_core::{CardClient, Error, FixedToken};
use card_hyper::{HyperTransport, TokioSleep};
use card_tests::{client_for, recorded_answer, start_recorded_wechat, DEMO_SECRET, RECORDED_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_at(base_url: &str, request_timeout: Duration) -> CardClient {
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .request_timeout(request_timeout)
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    CardClient::builder(transport)
        .access_token_provider(FixedToken::new("FAULT_TOKEN"))
        .base_url(base_url)
        .sleeper(TokioSleep)
        .build()
        .unwrap()
}

async fn requests_to(server: &MockServer, endpoint: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == endpoint)
        .count()
}

#[tokio::test]
async fn a_server_slower_than_the_timeout() {
    let server = MockServer::start().await;
    for endpoint in ["/card/code/consume", "/card/code/get"] {
        Mock::given(method("POST"))
            .and(path(endpoint))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string("{}")
                    .set_delay(Duration::from_secs(5)),
            )
            .mount(&server)
            .await;
    }
    let c = client_at(&server.uri(), Duration::from_millis(300));

    let err = c.consume_code("110201201245", None).await.unwrap_err();
    assert!(err.is_timeout() && err.is_ambiguous(), "{err:?}");
    assert_eq!(
        requests_to(&server, "/card/code/consume").await,
        1,
        "a timed-out consume is never repeated"
    );

    let err = c.get_code("110201201245", None, true).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        requests_to(&server, "/card/code/get").await,
        3,
        "a read is retried up to the policy's attempts"
    );
}

/// A one-shot HTTP/1.1 server that answers every request with headers announcing 100 bytes,
/// sends 10, and closes the connection. Counts the requests it read.
async fn cut_off_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 8192];
                let mut read = 0;
                // Read until the end of the headers and the JSON body has arrived.
                while read < buffer.len() {
                    match socket.read(&mut buffer[read..]).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => read += n,
                    }
                    if buffer[..read].ends_with(b"}") {
                        break;
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"errcode\":";
                let _ = socket.write_all(head).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{address}"), seen)
}

#[tokio::test]
async fn a_connection_closed_mid_body() {
    let (base, seen) = cut_off_server().await;
    let c = client_at(&base, Duration::from_secs(5));
    let err = c.consume_code("110201201245", None).await.unwrap_err();
    let kind = err.transport().map(card_core::TransportError::kind);
    assert_eq!(kind, Some(card_core::TransportErrorKind::Io), "{err:?}");
    assert!(err.is_ambiguous());
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "the cut-off consume is never repeated"
    );
}

#[tokio::test]
async fn a_port_that_refuses_connections() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let c = client_at(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2));
    let err = c.consume_code("110201201245", None).await.unwrap_err();
    assert!(
        err.transport()
            .is_some_and(card_core::TransportError::is_connect),
        "{err:?}"
    );
    assert!(!err.is_ambiguous(), "nothing was sent");
}

#[tokio::test]
async fn a_gateway_answering_502_html() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/card/code/consume"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_raw("<html><body>502 Bad Gateway</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let c = client_at(&server.uri(), Duration::from_secs(5));
    match c.consume_code("110201201245", None).await.unwrap_err() {
        Error::Http { status, body } => {
            assert_eq!(status, 502);
            assert!(body.as_str().contains("502 Bad Gateway"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(requests_to(&server, "/card/code/consume").await, 1);
}

/// A writer that appends everything to a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_of_a_full_lifecycle_carry_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = start_recorded_wechat().await;
    let c = client_for(&server);
    let card_id = c
        .create(&card_tests::groupon("团购券", "测试店"))
        .await
        .unwrap();
    c.create_qrcode(&serde_json::json!({"action_name": "QR_CARD"}))
        .await
        .unwrap();
    c.deposit_code(&card_id, vec!["110201201245".into()])
        .await
        .unwrap();
    c.get_code("110201201245", None, true).await.unwrap();
    c.consume_code("110201201245", None).await.unwrap();
    assert!(c
        .consume_code("110201201245", None)
        .await
        .unwrap_err()
        .is_already_consumed());
    c.get(&card_id).await.unwrap();
    // And a failing token fetch, whose error is logged too.
    Mock::given(method("POST"))
        .and(path("/card/delete"))
        .respond_with(recorded_answer("error.40001.json"))
        .mount(&server)
        .await;
    let _ = c.delete(&card_id).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("op=\"consume_code\"") || logs.contains("op=consume_code"),
        "per-call events are logged:\n{logs}"
    );
    assert!(
        logs.contains("attempt=") && logs.contains("status=") && logs.contains("errcode=40099"),
        "{logs}"
    );
    assert!(
        !logs.contains(DEMO_SECRET),
        "the AppSecret leaked into the logs:\n{logs}"
    );
    assert!(
        !logs.contains(RECORDED_TOKEN),
        "the access token leaked into the logs:\n{logs}"
    );
    assert!(
        !logs.contains("access_token="),
        "a URL with its token leaked into the logs:\n{logs}"
    );
}
