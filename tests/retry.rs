//! The retry policy, rule by rule, on the mock transport (waits are recorded, not slept).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use card_core::sleep::SleepFuture;
use card_core::{
    CallOptions, CardClient, Error, FixedToken, Redemption, RetryPolicy, TransportErrorKind,
    UserCardStatus,
};
use card_mock::{MockTransport, Reply};
use serde_json::json;

/// A sleeper that records the waits it is asked for and returns at once.
#[derive(Clone, Default)]
struct RecordedWaits(Arc<Mutex<Vec<Duration>>>);

impl RecordedWaits {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl card_core::sleep::Sleep for RecordedWaits {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

fn client_with(mock: &MockTransport, policy: RetryPolicy) -> (CardClient, RecordedWaits) {
    let waits = RecordedWaits::default();
    let client = CardClient::builder(mock.clone())
        .credentials("wxAPPID", "secret")
        .sleeper(waits.clone())
        .retry_policy(policy)
        .build()
        .unwrap();
    (client, waits)
}

fn client(mock: &MockTransport) -> (CardClient, RecordedWaits) {
    client_with(mock, RetryPolicy::default())
}

fn fail(kind: TransportErrorKind) -> Reply {
    Reply::error(kind, "injected")
}

#[tokio::test]
async fn connect_failures_are_retried_for_every_operation() {
    let mock = MockTransport::recorded();
    let consume = mock.on_post("/card/code/consume").respond_seq([
        fail(TransportErrorKind::Connect),
        fail(TransportErrorKind::Connect),
        Reply::file("card_code_consume.json"),
    ]);
    let (c, waits) = client(&mock);
    c.consume_code("1", None).await.unwrap();
    assert_eq!(consume.calls(), 3);
    assert_eq!(waits.waits().len(), 2);
}

#[tokio::test]
async fn ambiguous_failures_of_a_non_idempotent_call_are_not_retried() {
    for (reply, check) in [
        (
            fail(TransportErrorKind::Timeout),
            Error::is_timeout as fn(&Error) -> bool,
        ),
        (fail(TransportErrorKind::Io), |e: &Error| {
            e.transport().is_some()
        }),
        (
            Reply::raw(502, "text/html", "<html>Bad Gateway</html>"),
            |e: &Error| matches!(e, Error::Http { .. }),
        ),
        (
            Reply::wechat_error(-1, "system error rid: 60891646-03eed615"),
            Error::is_system_busy,
        ),
    ] {
        let mock = MockTransport::recorded();
        let consume = mock.on_post("/card/code/consume").respond(reply);
        let (c, waits) = client(&mock);
        let err = c.consume_code("1", None).await.unwrap_err();
        assert!(check(&err) && err.is_ambiguous(), "{err:?}");
        assert_eq!(consume.calls(), 1, "{err:?}");
        assert!(waits.waits().is_empty());
    }
}

#[tokio::test]
async fn ambiguous_failures_of_an_idempotent_call_are_retried_with_backoff() {
    for reply in [
        fail(TransportErrorKind::Timeout),
        fail(TransportErrorKind::Io),
        Reply::raw(503, "text/html", "<html>Service Unavailable</html>"),
        Reply::wechat_error(-1, "system error"),
    ] {
        let mock = MockTransport::recorded();
        let get = mock
            .on_post("/card/code/get")
            .respond_seq([reply, Reply::file("card_code_get.json")]);
        let (c, waits) = client(&mock);
        let info = c.get_code("1", None, true).await.unwrap();
        assert_eq!(info.user_card_status, Some(UserCardStatus::Normal));
        assert_eq!(get.calls(), 2);
        assert_eq!(waits.waits().len(), 1);
    }
}

#[tokio::test]
async fn attempts_are_bounded_and_backoff_grows() {
    let mock = MockTransport::recorded();
    let get = mock
        .on_post("/card/get")
        .respond(Reply::wechat_error(-1, "system error"));
    let policy = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(400),
        ..RetryPolicy::default()
    };
    let (c, waits) = client_with(&mock, policy);
    assert!(c.get("C").await.unwrap_err().is_system_busy());
    assert_eq!(get.calls(), 5);
    let waits = waits.waits();
    assert_eq!(waits.len(), 4);
    let bounds = [(50, 100), (100, 200), (200, 400), (200, 400)];
    for (wait, (low, high)) in waits.iter().zip(bounds) {
        assert!(
            *wait >= Duration::from_millis(low) && *wait <= Duration::from_millis(high),
            "{waits:?}"
        );
    }
}

#[tokio::test]
async fn quota_whitelist_and_format_errors_are_never_retried() {
    for code in [45009, 45011, 40164, 40033, 47001, 40071] {
        let mock = MockTransport::recorded();
        let get = mock
            .on_post("/card/get")
            .respond(Reply::wechat_error(code, "refused"));
        let (c, waits) = client(&mock);
        let err = c.get("C").await.unwrap_err();
        assert_eq!(err.api_code(), Some(code));
        assert!(!err.is_ambiguous());
        assert_eq!(get.calls(), 1, "{code}");
        assert!(waits.waits().is_empty(), "{code}");
    }
}

#[tokio::test]
async fn a_caller_may_opt_in_to_retrying_an_ambiguous_non_idempotent_call() {
    let mock = MockTransport::recorded();
    let update = mock.on_post("/card/modifystock").respond_seq([
        fail(TransportErrorKind::Timeout),
        Reply::file("card_modifystock.json"),
    ]);
    let (c, _) = client(&mock);
    let patient = c.with_options(CallOptions::default().retry_ambiguous(true));
    patient.modify_stock("C", 5).await.unwrap();
    assert_eq!(update.calls(), 2);
    // The option belongs to the handle, not to the client it came from.
    let mock_calls_before = update.calls();
    mock.on_post("/card/modifystock")
        .respond(fail(TransportErrorKind::Timeout));
    assert!(c.modify_stock("C", 5).await.unwrap_err().is_timeout());
    assert_eq!(
        mock.requests_to("/card/modifystock").len(),
        mock_calls_before + 1
    );
}

#[tokio::test]
async fn off_turns_off_every_retry_path() {
    let mock = MockTransport::recorded();
    let tokens = mock.on_get("/cgi-bin/token").respond_seq([
        Reply::json(json!({"access_token": "T1", "expires_in": 7200})),
        Reply::json(json!({"access_token": "T2", "expires_in": 7200})),
    ]);
    let get = mock.on_post("/card/get").respond_seq([
        Reply::wechat_error(40001, "invalid credential"),
        fail(TransportErrorKind::Connect),
        Reply::file("card_get.discount.json"),
    ]);
    let (c, waits) = client_with(&mock, RetryPolicy::off());
    assert!(c.get("C").await.unwrap_err().is_token_stale());
    assert_eq!(get.calls(), 1, "no stale-token repeat");
    assert!(c
        .get("C")
        .await
        .unwrap_err()
        .transport()
        .is_some_and(card_core::TransportError::is_connect));
    assert_eq!(get.calls(), 2, "no connect retry");
    c.get("C").await.unwrap();
    assert!(waits.waits().is_empty());
    // The rejected token was still forgotten: later calls used a new one.
    assert_eq!(tokens.calls(), 2);
    let used: Vec<_> = mock
        .requests_to("/card/get")
        .iter()
        .map(|r| r.query_param("access_token").unwrap().to_owned())
        .collect();
    assert_eq!(used, ["T1", "T2", "T2"]);
}

#[tokio::test]
async fn a_per_call_policy_overrides_the_client_policy() {
    let mock = MockTransport::recorded();
    let get = mock
        .on_post("/card/get")
        .respond(fail(TransportErrorKind::Connect));
    let (c, _) = client(&mock);
    let once = c.with_options(CallOptions::default().retry_policy(RetryPolicy::off()));
    assert!(once.get("C").await.is_err());
    assert_eq!(get.calls(), 1);
    assert!(c.get("C").await.is_err());
    assert_eq!(
        get.calls(),
        4,
        "the client's own policy makes three attempts"
    );
}

#[tokio::test]
async fn token_fetch_failures_are_retried_like_reads() {
    let mock = MockTransport::recorded();
    let tokens = mock.on_get("/cgi-bin/token").respond_seq([
        fail(TransportErrorKind::Timeout),
        Reply::file("cgi-bin_token.json"),
    ]);
    let (c, waits) = client(&mock);
    c.consume_code("1", None).await.unwrap();
    assert_eq!(tokens.calls(), 2);
    assert_eq!(waits.waits().len(), 1);
    assert_eq!(mock.requests_to("/card/code/consume").len(), 1);
}

#[tokio::test]
async fn a_stale_token_code_from_the_token_endpoint_is_final() {
    let mock = MockTransport::recorded();
    let tokens = mock.on_get("/cgi-bin/token").respond(Reply::wechat_error(
        40001,
        "invalid credential, access_token is invalid or not latest",
    ));
    let (c, _) = client(&mock);
    assert!(c.get("C").await.unwrap_err().is_token_stale());
    assert_eq!(tokens.calls(), 1);
    assert!(mock.requests_to("/card/get").is_empty());
}

#[tokio::test]
async fn answers_over_the_size_cap_are_refused() {
    let mock = MockTransport::recorded();
    let big = format!(
        r#"{{"errcode":0,"card":{{"card_id":"{}"}}}}"#,
        "x".repeat(4096)
    );
    mock.on_post("/card/get")
        .respond(Reply::raw(200, "application/json", big));
    let c = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("T"))
        .max_response_bytes(1024)
        .build()
        .unwrap();
    match c.get("C").await.unwrap_err() {
        Error::Decode {
            source: card_core::DecodeError::TooLarge { len, limit: 1024 },
            ..
        } => assert!(len > 4096),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn reconcile_tells_consumed_from_usable_from_unavailable() {
    for (status, can_consume, want) in [
        ("CONSUMED", false, "consumed"),
        ("NORMAL", true, "usable"),
        ("EXPIRE", false, "unavailable"),
        ("DELETE", false, "unavailable"),
        ("SOMETHING_NEW", false, "undetermined"),
    ] {
        let mock = MockTransport::recorded();
        mock.on_post("/card/code/get").respond(Reply::json(json!({
            "errcode": 0, "errmsg": "ok",
            "card": {"card_id": "pFAKE1", "begin_time": 0, "end_time": 1700000000},
            "openid": "oFAKE1", "can_consume": can_consume, "user_card_status": status
        })));
        let (c, _) = client(&mock);
        let got = match c
            .reconcile_consume("111122223333", Some("pFAKE1"))
            .await
            .unwrap()
        {
            Redemption::Consumed(_) => "consumed",
            Redemption::Usable(_) => "usable",
            Redemption::Unavailable(_) => "unavailable",
            Redemption::Undetermined(_) => "undetermined",
        };
        assert_eq!(got, want, "{status}");
        let sent = mock.requests_to("/card/code/get")[0].body_json().unwrap();
        assert_eq!(
            sent,
            json!({"code": "111122223333", "card_id": "pFAKE1", "check_consume": false})
        );
    }
}

#[tokio::test]
async fn a_cut_off_answer_is_ambiguous_and_only_reads_repeat_it() {
    let cut = || {
        Reply::raw(
            200,
            "application/json",
            r#"{"errcode":0,"errmsg":"ok","card":{"card_id":"p"#,
        )
    };
    let mock = MockTransport::recorded();
    let consume = mock.on_post("/card/code/consume").respond(cut());
    let (c, _) = client(&mock);
    let err = c.consume_code("1", None).await.unwrap_err();
    assert!(
        matches!(err, Error::Decode { .. }) && err.is_ambiguous(),
        "{err:?}"
    );
    assert_eq!(
        consume.calls(),
        1,
        "a consume whose answer was cut off may have been applied"
    );

    let mock = MockTransport::recorded();
    let get = mock
        .on_post("/card/code/get")
        .respond_seq([cut(), Reply::file("card_code_get.json")]);
    let (c, _) = client(&mock);
    c.get_code("1", None, true).await.unwrap();
    assert_eq!(get.calls(), 2);
}

#[tokio::test]
async fn a_failed_token_fetch_says_nothing_of_the_operation_was_sent() {
    let mock = MockTransport::recorded();
    mock.on_get("/cgi-bin/token")
        .respond(fail(TransportErrorKind::Timeout));
    let (c, _) = client(&mock);
    let err = c.consume_code("1", None).await.unwrap_err();
    assert!(matches!(err, Error::AccessToken(_)), "{err:?}");
    assert!(err.is_timeout(), "the cause is still visible");
    assert!(!err.is_ambiguous() && err.nothing_sent(), "{err:?}");
    assert!(mock.requests_to("/card/code/consume").is_empty());
}
