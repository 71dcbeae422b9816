//! `POST /cgi-bin/stable_token` on the mock transport: the body sent, `force_refresh` only for
//! the fetch that follows a rejection, and its errors surfacing typed.

use std::sync::Arc;

use card_core::clock::ManualClock;
use card_core::sleep::NoSleep;
use card_core::token::{MemoryTokenStore, StableTokenSource, TokenSource, TokenStore};
use card_core::{CardClient, Secret, TokenEndpoint};
use card_mock::{MockTransport, Reply};
use serde_json::{json, Value};

const APPID: &str = "wxAPPID";
const SECRET: &str = "app-secret-xyz";
const T0: u64 = 1_700_000_000;

fn token_reply(token: &str) -> Reply {
    Reply::json(json!({"access_token": token, "expires_in": 7200}))
}

fn stable_client(
    mock: &MockTransport,
    clock: Arc<ManualClock>,
    store: Arc<dyn TokenStore>,
) -> CardClient {
    CardClient::builder(mock.clone())
        .credentials(APPID, SECRET)
        .token_endpoint(TokenEndpoint::StableToken)
        .clock(clock)
        .token_store(store)
        .sleeper(NoSleep)
        .build()
        .unwrap()
}

fn force_flags(mock: &MockTransport) -> Vec<bool> {
    mock.requests_to("/cgi-bin/stable_token")
        .iter()
        .map(|r| r.body_json().unwrap()["force_refresh"].as_bool().unwrap())
        .collect()
}

#[tokio::test]
async fn the_body_has_the_documented_shape() {
    let mock = MockTransport::recorded();
    let c = stable_client(
        &mock,
        Arc::new(ManualClock::new(T0)),
        Arc::new(MemoryTokenStore::new()),
    );
    c.get_deposit_count("C").await.unwrap();

    assert!(mock.requests_to("/cgi-bin/token").is_empty());
    let sent = mock.requests_to("/cgi-bin/stable_token");
    assert_eq!(sent.len(), 1);
    let request = &sent[0];
    assert_eq!(request.method(), "POST");
    assert!(
        request.query().is_empty(),
        "the secret goes in the body, not the URL"
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        request.body_json().unwrap(),
        json!({
            "grant_type": "client_credential",
            "appid": APPID,
            "secret": SECRET,
            "force_refresh": false,
        })
    );
    // The same keys, in the same order, as WeChat's documented request.
    let documented: Value = serde_json::from_str(
        card_mock::recorded::get("cgi-bin_stable_token.request.json").unwrap(),
    )
    .unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&request.body_json().unwrap()), keys(&documented));

    // The recorded stable token is the one the card call used.
    let used = &mock.requests_to("/card/code/getdepositcount")[0];
    assert_eq!(
        used.query_param("access_token"),
        Some("FAKE_STABLE_ACCESS_TOKEN_0000000000")
    );
}

#[tokio::test]
async fn force_refresh_is_sent_only_for_the_fetch_after_a_rejection() {
    for code in [40001, 40014, 42001] {
        let mock = MockTransport::recorded();
        let fetches = mock.on_post("/cgi-bin/stable_token").respond_seq([
            token_reply("S1"),
            token_reply("S2"),
            token_reply("S3"),
        ]);
        mock.on_post("/card/code/consume").respond_seq([
            Reply::wechat_error(
                code,
                "invalid credential, access_token is invalid or not latest",
            ),
            Reply::file("card_code_consume.json"),
        ]);
        let clock = Arc::new(ManualClock::new(T0));
        let c = stable_client(&mock, clock.clone(), Arc::new(MemoryTokenStore::new()));

        c.consume_code("110201201245", None).await.unwrap();
        assert_eq!(force_flags(&mock), [false, true], "{code}");
        // Later calls use the new token without fetching, and an ordinary expiry refresh does
        // not force.
        c.get_deposit_count("C").await.unwrap();
        clock.advance(7200);
        c.get_deposit_count("C").await.unwrap();
        assert_eq!(fetches.calls(), 3, "{code}");
        assert_eq!(force_flags(&mock), [false, true, false], "{code}");
        let used: Vec<_> = mock
            .requests_to("/card/code/getdepositcount")
            .iter()
            .map(|r| r.query_param("access_token").unwrap().to_owned())
            .collect();
        assert_eq!(used, ["S2", "S3"], "{code}");
    }
}

#[tokio::test]
async fn a_late_rejection_after_another_client_refreshed_forces_nothing() {
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::new(T0));
    let mock = MockTransport::recorded();
    mock.on_post("/cgi-bin/stable_token")
        .respond_seq([token_reply("S1"), token_reply("S2")]);
    let a = stable_client(&mock, clock.clone(), store.clone());
    let b = stable_client(&mock, clock.clone(), store.clone());
    a.get_deposit_count("C").await.unwrap();

    // B hears 40001 for S1 first and replaces it (one forced fetch)...
    b.token_provider()
        .invalidate(&Secret::new("S1"))
        .await
        .unwrap();
    assert_eq!(
        b.token_provider().access_token().await.unwrap().expose(),
        "S2"
    );
    // ...then A hears 40001 for S1 too: S2 stays, and A takes it without fetching.
    a.token_provider()
        .invalidate(&Secret::new("S1"))
        .await
        .unwrap();
    assert_eq!(
        a.token_provider().access_token().await.unwrap().expose(),
        "S2"
    );
    assert_eq!(force_flags(&mock), [false, true]);

    // A's remembered rejection is spent: its next expiry refresh is an ordinary one.
    mock.on_post("/cgi-bin/stable_token")
        .respond(token_reply("S3"));
    clock.advance(7200);
    assert_eq!(
        a.token_provider().access_token().await.unwrap().expose(),
        "S3"
    );
    assert_eq!(force_flags(&mock), [false, true, false]);
}

#[tokio::test]
async fn the_quota_error_surfaces_typed_and_is_not_retried() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_post("/cgi-bin/stable_token")
        .respond_file("cgi-bin_stable_token.quota-error.json");
    let c = stable_client(
        &mock,
        Arc::new(ManualClock::new(T0)),
        Arc::new(MemoryTokenStore::new()),
    );
    let err = c.get_deposit_count("C").await.unwrap_err();
    assert!(err.is_quota(), "{err:?}");
    assert_eq!(err.api_code(), Some(45009));
    assert_eq!(
        err.api().and_then(|e| e.rid()),
        Some("64eed8de-4cdaca9b-1be8f193")
    );
    assert_eq!(fetches.calls(), 1);
    assert!(mock.requests_to("/card/code/getdepositcount").is_empty());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(SECRET), "{shown}");
}

#[tokio::test]
async fn the_source_never_shows_the_secret() {
    let mock = MockTransport::recorded();
    let source = StableTokenSource::new(
        Arc::new(mock.clone()),
        "https://api.weixin.qq.com",
        APPID,
        Secret::new(SECRET),
    );
    let shown = format!("{source:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    let fetched = source.fetch_after_rejection().await.unwrap();
    assert_eq!(fetched.expires_in, 7200);
    assert_eq!(force_flags(&mock), [true]);
    // The mock's own log line for the request redacts the secret too.
    let logged = format!("{:?}", mock.requests_to("/cgi-bin/stable_token")[0]);
    assert!(!logged.contains(SECRET), "{logged}");
}
