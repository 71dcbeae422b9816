//! Behaviour of `MockTransport` through the `Transport` trait.

use std::sync::Arc;

use bytes::Bytes;
use card_core::{HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};
use card_mock::{recorded, MockTransport, Reply};
use http::Method;
use serde_json::{json, Value};

const TOKEN: &str = "T0KEN-must-not-leak";
const SECRET: &str = "S3CRET-must-not-leak";

fn post(path: &str, body: Value) -> HttpRequest {
    let separator = if path.contains('?') { '&' } else { '?' };
    http::Request::post(format!(
        "https://api.weixin.qq.com{path}{separator}access_token={TOKEN}"
    ))
    .header("content-type", "application/json; charset=utf-8")
    .body(Bytes::from(body.to_string()))
    .unwrap()
}

fn get(path_and_query: &str) -> HttpRequest {
    http::Request::get(format!("https://api.weixin.qq.com{path_and_query}"))
        .body(Bytes::new())
        .unwrap()
}

async fn send(mock: &MockTransport, request: HttpRequest) -> Result<HttpResponse, TransportError> {
    Transport::send(mock, request).await
}

async fn send_json(mock: &MockTransport, request: HttpRequest) -> Value {
    let response = send(mock, request).await.expect("a response");
    serde_json::from_slice(response.body()).expect("a JSON body")
}

async fn unmatched(mock: &MockTransport, request: HttpRequest) -> String {
    let err = send(mock, request).await.expect_err("no rule should match");
    assert_eq!(err.kind(), TransportErrorKind::Other);
    err.to_string()
}

#[tokio::test]
async fn recorded_answers_every_endpoint_with_its_file() {
    let mock = MockTransport::recorded();
    for row in recorded::ENDPOINTS {
        let method = Method::from_bytes(row.method.as_bytes()).unwrap();
        let request = http::Request::builder()
            .method(method)
            .uri(format!(
                "https://api.weixin.qq.com{}?access_token={TOKEN}",
                row.path
            ))
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        let response = send(&mock, request)
            .await
            .unwrap_or_else(|err| panic!("{row:?}: {err}"));
        assert_eq!(response.status(), 200, "{row:?}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{row:?}"
        );
        assert_eq!(
            response.body(),
            recorded::get(row.response_file).unwrap().as_bytes(),
            "{row:?}"
        );
    }
    assert_eq!(mock.requests().len(), recorded::ENDPOINTS.len());
    // The preloaded defaults are not "rules the test forgot to use".
    mock.assert_all_used();
}

#[tokio::test]
async fn recorded_token_and_ticket_need_no_particular_query() {
    let mock = MockTransport::recorded();
    let token = send_json(
        &mock,
        get(&format!(
            "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret={SECRET}"
        )),
    )
    .await;
    assert_eq!(token["expires_in"], 7200);
    let ticket = send_json(
        &mock,
        get(&format!(
            "/cgi-bin/ticket/getticket?access_token={TOKEN}&type=wx_card"
        )),
    )
    .await;
    assert_eq!(ticket["errcode"], 0);
    assert!(ticket["ticket"].is_string());
    let stable = send_json(
        &mock,
        post("/cgi-bin/stable_token", json!({"secret": SECRET})),
    )
    .await;
    assert!(stable["access_token"].is_string());
}

#[tokio::test]
async fn newest_matching_rule_wins() {
    let mock = MockTransport::recorded();
    let older = mock
        .on_post("/card/code/get")
        .respond_json(json!({"errcode": 0, "who": "older"}));
    let newer = mock
        .on_post("/card/code/get")
        .respond_json(json!({"errcode": 0, "who": "newer"}));
    assert_eq!(
        send_json(&mock, post("/card/code/get", json!({"code": "1"}))).await["who"],
        "newer"
    );
    assert_eq!((older.calls(), newer.calls()), (0, 1));

    // A newer rule that does not match lets the older ones answer.
    mock.on_post("/card/code/get")
        .body_partial(json!({"code": "2"}))
        .respond_file("card_code_get.invalid-code-error.json");
    assert_eq!(
        send_json(&mock, post("/card/code/get", json!({"code": "1"}))).await["who"],
        "newer"
    );
    assert_eq!(
        send_json(&mock, post("/card/code/get", json!({"code": "2"}))).await["errcode"],
        40056
    );
    // Other endpoints keep their recorded answer.
    assert_eq!(
        send_json(&mock, post("/card/create", json!({}))).await["card_id"],
        "plqmg1eUNAIyv2sc6lzpQ0o695YI"
    );
}

#[tokio::test]
async fn sequence_serves_in_order_and_repeats_the_last() {
    let mock = MockTransport::new();
    let rule = mock.on_post("/card/code/consume").respond_seq([
        Reply::wechat_error(40001, "invalid credential"),
        Reply::error(TransportErrorKind::Timeout, "slow"),
        Reply::file("card_code_consume.json"),
    ]);
    let request = || post("/card/code/consume", json!({"code": "C"}));
    assert_eq!(send_json(&mock, request()).await["errcode"], 40001);
    assert!(send(&mock, request()).await.unwrap_err().is_timeout());
    for _ in 0..3 {
        assert_eq!(send_json(&mock, request()).await["errcode"], 0);
    }
    assert_eq!(rule.calls(), 5);
}

#[tokio::test]
async fn times_limits_a_rule_then_older_rules_answer() {
    let mock = MockTransport::recorded();
    let busy = mock
        .on_post("/card/code/get")
        .times(2)
        .respond_json(json!({"errcode": -1, "errmsg": "system busy"}));
    let request = || post("/card/code/get", json!({"code": "C"}));
    assert_eq!(send_json(&mock, request()).await["errcode"], -1);
    assert_eq!(send_json(&mock, request()).await["errcode"], -1);
    assert_eq!(
        send_json(&mock, request()).await["user_card_status"],
        "NORMAL"
    );
    assert_eq!(busy.calls(), 2);

    // With nothing behind it, a used-up rule leaves the request unmatched.
    let mock = MockTransport::new();
    mock.on_post("/card/delete")
        .times(1)
        .respond_file("card_delete.json");
    assert_eq!(
        send_json(&mock, post("/card/delete", json!({"card_id": "C"}))).await["errcode"],
        0
    );
    let message = unmatched(&mock, post("/card/delete", json!({"card_id": "C"}))).await;
    assert!(message.contains("used up after 1 calls"), "{message}");
}

#[tokio::test]
async fn times_holds_under_concurrency() {
    let mock = MockTransport::new();
    let once = mock
        .on_post("/card/create")
        .times(1)
        .respond_file("card_create.json");
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let mock = mock.clone();
            tokio::spawn(async move { send(&mock, post("/card/create", json!({}))).await.is_ok() })
        })
        .collect();
    let mut served = 0;
    for task in tasks {
        served += usize::from(task.await.unwrap());
    }
    assert_eq!((served, once.calls(), mock.requests().len()), (1, 1, 32));
}

#[tokio::test]
async fn exact_body_versus_partial_body() {
    let mock = MockTransport::new();
    let exact = mock
        .on_post("/card/code/get")
        .body_json(json!({"code": "C", "card_id": "P", "check_consume": false}))
        .respond_json(json!({"errcode": 0, "matched": "exact"}));
    let partial = mock
        .on_post("/card/batchget")
        .body_partial(json!({"status_list": ["CARD_STATUS_VERIFY_OK"], "nested": {"a": 1}}))
        .respond_json(json!({"errcode": 0, "matched": "partial"}));

    // Exact: key order is irrelevant, but no key may be missing or extra.
    let same_keys = post(
        "/card/code/get",
        json!({"check_consume": false, "card_id": "P", "code": "C"}),
    );
    assert_eq!(send_json(&mock, same_keys).await["matched"], "exact");
    unmatched(
        &mock,
        post("/card/code/get", json!({"code": "C", "card_id": "P"})),
    )
    .await;
    unmatched(
        &mock,
        post(
            "/card/code/get",
            json!({"code": "C", "card_id": "P", "check_consume": false, "x": 1}),
        ),
    )
    .await;

    // Partial: extra keys (top level and nested) are fine; arrays compare whole.
    let superset = json!({"offset": 0, "count": 10, "status_list": ["CARD_STATUS_VERIFY_OK"], "nested": {"a": 1, "b": 2}});
    assert_eq!(
        send_json(&mock, post("/card/batchget", superset)).await["matched"],
        "partial"
    );
    let longer_array =
        json!({"status_list": ["CARD_STATUS_VERIFY_OK", "CARD_STATUS_DELETE"], "nested": {"a": 1}});
    unmatched(&mock, post("/card/batchget", longer_array)).await;
    let not_json = http::Request::post("https://api.weixin.qq.com/card/batchget")
        .body(Bytes::from_static(b"<xml/>"))
        .unwrap();
    unmatched(&mock, not_json).await;

    assert_eq!((exact.calls(), partial.calls()), (1, 1));
}

#[tokio::test]
async fn query_matching_ignores_access_token_unless_named() {
    let mock = MockTransport::new();
    let card = mock
        .on_get("/cgi-bin/ticket/getticket")
        .query("type", "wx_card")
        .respond_file("cgi-bin_ticket_getticket.wx_card.json");
    let pinned = mock
        .on_get("/cgi-bin/ticket/getticket")
        .query("type", "jsapi")
        .query("access_token", "OTHER")
        .respond_json(json!({"errcode": 0, "ticket": "jsapi"}));

    let ticket = send_json(
        &mock,
        get(&format!(
            "/cgi-bin/ticket/getticket?access_token={TOKEN}&type=wx_card"
        )),
    )
    .await;
    assert_eq!(ticket["errcode"], 0);
    let ticket = send_json(&mock, get("/cgi-bin/ticket/getticket?type=wx_card")).await;
    assert_eq!(ticket["errcode"], 0);
    assert_eq!(card.calls(), 2);

    unmatched(
        &mock,
        get(&format!(
            "/cgi-bin/ticket/getticket?type=jsapi&access_token={TOKEN}"
        )),
    )
    .await;
    let ticket = send_json(
        &mock,
        get("/cgi-bin/ticket/getticket?type=jsapi&access_token=OTHER"),
    )
    .await;
    assert_eq!(ticket["ticket"], "jsapi");
    let message = unmatched(&mock, get("/cgi-bin/ticket/getticket")).await;
    assert!(
        message.contains("query type=wx_card did not hold"),
        "{message}"
    );
    assert_eq!(pinned.calls(), 1);
}

#[tokio::test]
async fn predicate_rules() {
    let mock = MockTransport::new();
    let utf8 = mock
        .on_post("/card/create")
        .matching(|request| {
            request
                .body_str()
                .is_some_and(|body| body.contains("团购") && !body.contains("\\u"))
        })
        .respond_file("card_create.json");
    let body =
        Bytes::from(r#"{"card":{"card_type":"GROUPON","groupon":{"base_info":{"title":"团购"}}}}"#);
    let request = http::Request::post("https://api.weixin.qq.com/card/create")
        .body(body)
        .unwrap();
    assert_eq!(send_json(&mock, request).await["errcode"], 0);
    let message = unmatched(&mock, post("/card/create", json!({"title": "\\u56e2"}))).await;
    assert!(message.contains("predicate did not hold"), "{message}");
    assert_eq!(utf8.calls(), 1);
}

#[tokio::test]
async fn injected_transport_errors_keep_their_kind() {
    let mock = MockTransport::recorded();
    for kind in [
        TransportErrorKind::Connect,
        TransportErrorKind::Timeout,
        TransportErrorKind::Io,
        TransportErrorKind::InvalidRequest,
        TransportErrorKind::ResponseRejected,
    ] {
        mock.on_post("/card/code/consume")
            .times(1)
            .fail(kind, "injected");
        let err = send(&mock, post("/card/code/consume", json!({"code": "C"})))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind);
        assert_eq!(err.message(), "injected");
    }
    assert_eq!(
        send_json(&mock, post("/card/code/consume", json!({"code": "C"}))).await["errcode"],
        0
    );
}

#[tokio::test]
async fn raw_replies_keep_status_headers_and_bytes() {
    let mock = MockTransport::new();
    mock.on_post("/card/get")
        .respond_raw(502, "text/html", "<html>502 Bad Gateway</html>");
    mock.on_post("/card/delete").respond_raw(
        200,
        "text/plain",
        Bytes::from_static(b"{\"errcode\":0,\xff}"),
    );
    let response = send(&mock, post("/card/get", json!({}))).await.unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(response.body(), "<html>502 Bad Gateway</html>".as_bytes());
    let response = send(&mock, post("/card/delete", json!({}))).await.unwrap();
    assert_eq!(response.body(), b"{\"errcode\":0,\xff}".as_slice());
}

#[tokio::test]
async fn unmatched_error_names_the_request_and_nearest_rules() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/get")
        .body_partial(json!({"code": "KNOWN"}))
        .respond_file("card_code_get.json");

    let message = unmatched(&mock, post("/card/xyz", json!({"code": "12345"}))).await;
    assert!(
        message.starts_with(
            "transport failure: no mock rule matches POST /card/xyz?access_token=[redacted]"
        ),
        "{message}"
    );
    assert!(
        message.contains(r#"with body {"code":"12345"}"#),
        "{message}"
    );
    assert!(message.contains("nearest rules:"), "{message}");
    assert!(
        message.contains("POST /card/get (similar path)"),
        "{message}"
    );

    // Same path, other method.
    let message = unmatched(&mock, get("/card/code/consume")).await;
    assert!(
        message.contains("no mock rule matches GET /card/code/consume with body (empty)"),
        "{message}"
    );
    assert!(
        message.contains("POST /card/code/consume (method differs)"),
        "{message}"
    );

    // Typo in the path.
    let message = unmatched(&mock, post("/card/code/comsume", json!({}))).await;
    assert!(
        message.contains("POST /card/code/consume (similar path)"),
        "{message}"
    );

    // Far from everything.
    let message = unmatched(
        &MockTransport::new(),
        post("/datacube/getcardbizuininfo", json!({})),
    )
    .await;
    assert!(
        message.contains("no rule is close (rules registered: 0)"),
        "{message}"
    );

    // A long body is cut short.
    let long = "x".repeat(10_000);
    let message = unmatched(&mock, post("/nowhere/at/all", json!({ "long": long }))).await;
    assert!(message.len() < 2_000, "{}", message.len());
    assert!(message.contains('…'), "{message}");
}

#[tokio::test]
async fn unmatched_error_shows_the_condition_that_failed() {
    let mock = MockTransport::new();
    mock.on_post("/card/code/get")
        .body_partial(json!({"code": "KNOWN"}))
        .respond_file("card_code_get.json");
    let message = unmatched(&mock, post("/card/code/get", json!({"code": "OTHER"}))).await;
    assert!(
        message.contains(r#"POST /card/code/get where body contains {"code":"KNOWN"} (body contains {"code":"KNOWN"} did not hold)"#),
        "{message}"
    );
}

#[tokio::test]
async fn credentials_never_appear_in_messages_or_debug() {
    let mock = MockTransport::new();
    let pinned = mock
        .on_post("/cgi-bin/stable_token")
        .query("access_token", TOKEN)
        .body_partial(json!({"secret": SECRET, "appid": "wx2"}))
        .respond_file("cgi-bin_stable_token.json");
    let body = json!({"grant_type": "client_credential", "appid": "wx1", "secret": SECRET});
    let message = unmatched(
        &mock,
        post(
            "/cgi-bin/stable_token?secret=S3CRET-must-not-leak&x=1",
            body,
        ),
    )
    .await;
    let token_request = get(&format!(
        "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret={SECRET}"
    ));
    let token_message = unmatched(&mock, token_request).await;

    let requests = mock.requests();
    let texts = [
        message,
        token_message,
        format!("{requests:?}"),
        format!("{requests:#?}"),
        requests.iter().map(ToString::to_string).collect(),
        format!("{mock:?}"),
        format!("{pinned:?}"),
        pinned.to_string(),
    ];
    for text in &texts {
        assert!(
            !text.contains(TOKEN) && !text.contains(SECRET),
            "credential leaked: {text}"
        );
    }
    assert!(texts[0].contains("[redacted]"), "{}", texts[0]);
    // The values are still there for the test to assert on.
    assert_eq!(requests[1].query_param("secret"), Some(SECRET));
}

#[tokio::test]
async fn every_request_is_logged() {
    let mock = MockTransport::recorded();
    send(&mock, post("/card/code/get", json!({"code": "1"})))
        .await
        .unwrap();
    send(
        &mock,
        post("/card/code/consume", json!({"code": "1", "card_id": "C"})),
    )
    .await
    .unwrap();
    send(&mock, post("/card/code/get", json!({"code": "2"})))
        .await
        .unwrap();
    send(&mock, post("/not/a/rule", json!({})))
        .await
        .unwrap_err();

    let all = mock.requests();
    let paths: Vec<&str> = all.iter().map(|request| request.path()).collect();
    assert_eq!(
        paths,
        [
            "/card/code/get",
            "/card/code/consume",
            "/card/code/get",
            "/not/a/rule"
        ]
    );
    let first = &all[0];
    assert_eq!(first.method(), Method::POST);
    assert_eq!(
        first.query(),
        [("access_token".to_owned(), TOKEN.to_owned())]
    );
    assert_eq!(
        first.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(first.body_json(), Some(json!({"code": "1"})));
    assert_eq!(first.body_str(), Some(r#"{"code":"1"}"#));

    let gets = mock.requests_to("card/code/get");
    assert_eq!(gets.len(), 2);
    assert_eq!(gets[1].body_json().unwrap()["code"], "2");

    mock.clear_requests();
    assert!(mock.requests().is_empty());
    send(&mock, post("/card/delete", json!({}))).await.unwrap();
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn clones_share_rules_and_log() {
    let mock = MockTransport::new();
    let transport: Arc<dyn Transport> = Arc::new(mock.clone());
    let rule = mock.on_post("card/delete").respond_file("card_delete.json");
    transport
        .send(post("/card/delete", json!({"card_id": "C"})))
        .await
        .unwrap();
    assert_eq!(rule.calls(), 1);
    assert_eq!(mock.requests_to("/card/delete").len(), 1);
    assert_eq!(
        format!("{mock:?}"),
        "MockTransport { rules: 1, requests: 1 }"
    );
}

#[tokio::test]
async fn assert_all_used_passes_once_every_rule_served() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/get")
        .respond_file("card_code_get.card-status-error.json");
    assert_eq!(
        send_json(&mock, post("/card/code/get", json!({}))).await["errcode"],
        40127
    );
    mock.assert_all_used();
}

#[test]
#[should_panic(
    expected = "2 mock rule(s) never used:\n  - POST /card/code/consume where body contains {\"code\":\"C\"}\n  - GET /cgi-bin/token where query appid=wx1, times 1"
)]
fn assert_all_used_lists_unused_rules() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/consume")
        .body_partial(json!({"code": "C"}))
        .respond_file("card_code_consume.json");
    mock.on_get("/cgi-bin/token")
        .query("appid", "wx1")
        .times(1)
        .respond_file("cgi-bin_token.json");
    mock.assert_all_used();
}

#[test]
fn mock_is_send_sync_clone_and_static() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug + 'static>() {}
    assert_traits::<MockTransport>();
    assert_traits::<card_mock::MockRequest>();
    assert_traits::<card_mock::RuleHandle>();
    assert_traits::<Reply>();
}
