//! Client behaviour on the mock transport: token caching, expiry, single-flight refresh, the
//! stale-token retry, and error mapping.

use std::sync::Arc;

use card_core::clock::ManualClock;
use card_core::sleep::NoSleep;
use card_core::token::{MemoryTokenStore, StoredToken, TokenStore};
use card_core::{CardClient, Error, FixedToken, Secret};
use card_mock::{MockTransport, Reply};
use card_tests::{mock_client, mock_client_with, token_reply, T0, TEST_APPID};
use serde_json::json;

fn tokens_used(mock: &MockTransport, path: &str) -> Vec<String> {
    mock.requests_to(path)
        .iter()
        .map(|r| r.query_param("access_token").unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn token_is_fetched_once_and_reused_until_near_expiry() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get("/cgi-bin/token")
        .respond_seq([token_reply("T1"), token_reply("T2")]);
    let clock = Arc::new(ManualClock::new(T0));
    let c = mock_client_with(&mock, clock.clone(), Arc::new(MemoryTokenStore::new()));

    c.get_deposit_count("C").await.unwrap();
    c.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 1);
    let token_request = &mock.requests_to("/cgi-bin/token")[0];
    assert_eq!(
        token_request.query_param("grant_type"),
        Some("client_credential")
    );
    assert_eq!(token_request.query_param("appid"), Some(TEST_APPID));
    assert_eq!(token_request.query_param("secret"), Some("app-secret-xyz"));

    // 7200 s of validity, 300 s safety margin: still fresh at +6899 s, refreshed at +6900 s.
    clock.advance(6899);
    c.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 1);
    clock.advance(1);
    c.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 2);
    assert_eq!(
        tokens_used(&mock, "/card/code/getdepositcount"),
        ["T1", "T1", "T1", "T2"]
    );
}

#[tokio::test]
async fn concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let mock = MockTransport::recorded();
    let fetches = mock.on_get("/cgi-bin/token").respond(token_reply("T1"));
    // Make the token fetch slow, so that every call arrives while it is in flight.
    let slow = slow_tokens(&mock, 50);
    let c = CardClient::builder(slow)
        .credentials(TEST_APPID, "s")
        .build()
        .unwrap();
    for result in concurrent_deposit_counts(&c, 1000).await {
        result.unwrap();
    }
    assert_eq!(fetches.calls(), 1);
    assert_eq!(mock.requests_to("/card/code/getdepositcount").len(), 1000);
}

#[tokio::test]
async fn each_stale_token_code_refreshes_and_retries_once() {
    for code in [40001, 40014, 42001] {
        let mock = MockTransport::recorded();
        let fetches = mock
            .on_get("/cgi-bin/token")
            .respond_seq([token_reply("OLD"), token_reply("NEW")]);
        mock.on_post("/card/code/consume").respond_seq([
            Reply::wechat_error(code, "access_token is invalid or not latest"),
            Reply::file("card_code_consume.json"),
        ]);
        let consumed = mock_client(&mock)
            .consume_code("110201201245", None)
            .await
            .unwrap();
        assert_eq!(
            consumed.openid.as_deref(),
            Some("oFAKE00000000000000000000003"),
            "{code}"
        );
        assert_eq!(fetches.calls(), 2, "{code}");
        assert_eq!(
            tokens_used(&mock, "/card/code/consume"),
            ["OLD", "NEW"],
            "{code}"
        );
        let bodies: Vec<_> = mock
            .requests_to("/card/code/consume")
            .iter()
            .map(|r| r.body().clone())
            .collect();
        assert_eq!(
            bodies[0], bodies[1],
            "{code}: the retry sends the same body"
        );
    }
}

#[tokio::test]
async fn a_persistent_stale_token_is_retried_once_then_surfaced() {
    let mock = MockTransport::recorded();
    let fetches = mock.on_get("/cgi-bin/token").respond_seq([
        token_reply("A"),
        token_reply("B"),
        token_reply("C"),
    ]);
    let calls = mock
        .on_post("/card/get")
        .respond(Reply::wechat_error(40001, "invalid credential"));
    let err = mock_client(&mock).get("C").await.unwrap_err();
    assert!(err.is_token_stale(), "{err:?}");
    assert_eq!(calls.calls(), 2);
    assert_eq!(fetches.calls(), 2);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for (code, check) in [
        (45009, Error::is_quota as fn(&Error) -> bool),
        (45011, Error::is_quota),
        (40164, Error::is_ip_not_whitelisted),
        (40099, Error::is_already_consumed),
        (-1, Error::is_system_busy),
    ] {
        let mock = MockTransport::recorded();
        let calls = mock
            .on_post("/card/code/consume")
            .respond(Reply::wechat_error(code, "x"));
        let err = mock_client(&mock)
            .consume_code("1", None)
            .await
            .unwrap_err();
        assert!(check(&err), "{code}: {err:?}");
        assert_eq!(err.api_code(), Some(code));
        assert_eq!(calls.calls(), 1, "{code}");
    }
}

#[tokio::test]
async fn invalidation_spares_a_token_another_client_already_replaced() {
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::new(T0));
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get("/cgi-bin/token")
        .respond_seq([token_reply("T1"), token_reply("T2")]);
    let a = mock_client_with(&mock, clock.clone(), store.clone());
    let b = mock_client_with(&mock, clock.clone(), store.clone());
    a.get_deposit_count("C").await.unwrap();
    b.get_deposit_count("C").await.unwrap();
    assert_eq!(
        fetches.calls(),
        1,
        "two clients on one store share the token"
    );

    // Someone (another node) already replaced T1 by T2 in the store; A now hears 40001 for T1.
    store
        .put(
            &format!("{TEST_APPID}:access_token"),
            StoredToken {
                value: Secret::new("T2"),
                expires_at: T0 + 7200,
            },
        )
        .await
        .unwrap();
    a.token_provider()
        .invalidate(&Secret::new("T1"))
        .await
        .unwrap();
    let kept = store
        .get(&format!("{TEST_APPID}:access_token"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.value.expose(),
        "T2",
        "T2 must survive A's invalidation of T1"
    );
    a.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 1);

    a.token_provider()
        .invalidate(&Secret::new("T2"))
        .await
        .unwrap();
    assert!(store
        .get(&format!("{TEST_APPID}:access_token"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_fixed_token_is_not_retried_on_rejection() {
    let mock = MockTransport::recorded();
    let calls = mock
        .on_post("/card/get")
        .respond(Reply::wechat_error(42001, "access_token expired"));
    let c = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("EXT"))
        .build()
        .unwrap();
    let err = c.get("C").await.unwrap_err();
    assert!(err.is_token_stale());
    assert_eq!(calls.calls(), 1);
    assert!(mock.requests_to("/cgi-bin/token").is_empty());
}

#[tokio::test]
async fn token_endpoint_errors_surface_typed() {
    let mock = MockTransport::recorded();
    mock.on_get("/cgi-bin/token")
        .respond_file("cgi-bin_token.invalid-appid-error.json");
    let err = mock_client(&mock).get("C").await.unwrap_err();
    assert_eq!(err.api_code(), Some(40013));
    assert!(mock.requests_to("/card/get").is_empty());
}

#[tokio::test]
async fn http_and_decode_failures_are_typed() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/get")
        .respond(Reply::raw(502, "text/html", "<html>Bad Gateway</html>"));
    match mock_client(&mock).get("C").await.unwrap_err() {
        Error::Http { status, body } => {
            assert_eq!(status, 502);
            assert_eq!(body.as_str(), "<html>Bad Gateway</html>");
        }
        other => panic!("{other:?}"),
    }

    let mock = MockTransport::recorded();
    mock.on_post("/card/create").respond(Reply::raw(
        200,
        "application/json",
        r#"{"errcode":0,"card_id":"p"#,
    ));
    assert!(matches!(
        mock_client(&mock)
            .execute(&card_core::CreateCard(json!({})))
            .await
            .unwrap_err(),
        Error::Decode { .. }
    ));

    // Success without the key the result needs.
    let mock = MockTransport::recorded();
    mock.on_post("/card/create")
        .respond(Reply::json(json!({"errcode": 0, "errmsg": "ok"})));
    assert!(matches!(
        mock_client(&mock)
            .execute(&card_core::CreateCard(json!({})))
            .await
            .unwrap_err(),
        Error::Decode { .. }
    ));
}

#[tokio::test]
async fn transport_errors_surface_with_their_kind() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/consume")
        .fail(card_core::TransportErrorKind::Timeout, "read timed out");
    let err = mock_client(&mock)
        .consume_code("1", None)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(mock.requests_to("/card/code/consume").len(), 1);
}

#[tokio::test]
async fn secrets_do_not_show_in_debug_output() {
    let mock = MockTransport::recorded();
    let c = mock_client(&mock);
    c.get("C").await.unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("app-secret-xyz"), "{shown}");
    assert!(!shown.contains("1234567890"), "{shown}");
}

#[tokio::test]
async fn the_client_needs_credentials_or_a_provider() {
    let err = CardClient::builder(MockTransport::new())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
    let err = CardClient::builder(MockTransport::new())
        .credentials("a", "b")
        .base_url("ftp://x")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { ref field, .. } if field == "base_url"));
}

/// `n` `get_deposit_count` calls started together on tasks of their own; their results.
async fn concurrent_deposit_counts(
    c: &CardClient,
    n: usize,
) -> Vec<card_core::Result<card_core::DepositCount>> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get_deposit_count("C").await })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for call in calls {
        results.push(call.await.expect("the call's task did not panic"));
    }
    results
}

/// A transport that delays the token endpoint, then answers from `mock`.
fn slow_tokens(mock: &MockTransport, delay_ms: u64) -> impl card_core::Transport {
    let inner = mock.clone();
    card_core::transport_fn(move |request: card_core::HttpRequest| {
        let inner = inner.clone();
        async move {
            if request.uri().path() == "/cgi-bin/token" {
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            }
            card_core::Transport::send(&inner, request).await
        }
    })
}

#[tokio::test]
async fn callers_waiting_on_a_failed_refresh_share_its_error() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get("/cgi-bin/token")
        .respond_file("error.45009.json");
    let c = CardClient::builder(slow_tokens(&mock, 100))
        .credentials(TEST_APPID, "s")
        .sleeper(NoSleep)
        .build()
        .unwrap();
    for result in concurrent_deposit_counts(&c, 100).await {
        assert!(result.unwrap_err().is_quota());
    }
    assert_eq!(
        fetches.calls(),
        1,
        "one failing fetch, not one per waiting caller"
    );
}

#[tokio::test]
async fn a_call_cancelled_during_the_token_fetch_does_not_stall_the_next() {
    let mock = MockTransport::recorded();
    let fetches = mock.on_get("/cgi-bin/token").respond(token_reply("T1"));
    let c = CardClient::builder(slow_tokens(&mock, 300))
        .credentials(TEST_APPID, "s")
        .sleeper(NoSleep)
        .build()
        .unwrap();
    let cancelled = tokio::time::timeout(
        std::time::Duration::from_millis(20),
        c.get_deposit_count("C"),
    )
    .await;
    assert!(cancelled.is_err(), "the first call was cancelled mid-fetch");
    // The next call must take over the refresh at once rather than wait for the lock's expiry
    // (45 s); the bound only keeps a regression from hanging the suite.
    let next =
        tokio::time::timeout(std::time::Duration::from_secs(10), c.get_deposit_count("C")).await;
    assert_eq!(
        next.expect("the next call was not stalled").unwrap().count,
        123
    );
    assert_eq!(
        fetches.calls(),
        1,
        "the cancelled fetch never reached the mock"
    );
}

#[tokio::test]
async fn a_token_shorter_lived_than_the_margin_is_still_cached() {
    let mock = MockTransport::recorded();
    let fetches = mock.on_get("/cgi-bin/token").respond(Reply::json(
        json!({"access_token": "SHORT", "expires_in": 200}),
    ));
    let clock = Arc::new(ManualClock::new(T0));
    let c = mock_client_with(&mock, clock.clone(), Arc::new(MemoryTokenStore::new()));
    c.get_deposit_count("C").await.unwrap();
    c.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 1);
    // The margin shrinks to half the lifetime: refreshed after 100 s.
    clock.advance(100);
    c.get_deposit_count("C").await.unwrap();
    assert_eq!(fetches.calls(), 2);
}

#[tokio::test]
async fn a_token_source_needs_an_appid_to_namespace_its_cache() {
    let source = card_core::token::ClientCredentialSource::new(
        Arc::new(MockTransport::recorded()),
        "https://api.weixin.qq.com",
        "wxA",
        Secret::new("s"),
    );
    let err = CardClient::builder(MockTransport::recorded())
        .token_source(source)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument { ref field, .. } if field == "appid"),
        "{err:?}"
    );
}

#[tokio::test]
async fn token_endpoint_failures_never_show_the_token_or_secret() {
    for reply in [
        Reply::raw(
            500,
            "application/json",
            r#"{"access_token":"TOKLEAK500","expires_in":7200}"#,
        ),
        Reply::raw(
            502,
            "text/html",
            "<html>upstream /cgi-bin/token?secret=app-secret-xyz failed</html>",
        ),
        Reply::raw(
            200,
            "application/json",
            r#"{"access_token":"TOKLEAK200","expires_in":"soon"}"#,
        ),
    ] {
        let mock = MockTransport::recorded();
        mock.on_get("/cgi-bin/token").respond(reply);
        let err = mock_client(&mock).get_deposit_count("C").await.unwrap_err();
        let shown = format!("{err} {err:?}");
        for secret in ["TOKLEAK", "app-secret-xyz"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    let mock = MockTransport::recorded();
    mock.on_get("/cgi-bin/token")
        .respond(Reply::json(json!({"expires_in": 7200})));
    let err = mock_client(&mock).get_deposit_count("C").await.unwrap_err();
    assert!(
        err.to_string().contains("access_token"),
        "names the missing field: {err}"
    );
}

#[tokio::test]
async fn arguments_that_cannot_succeed_are_refused_before_sending() {
    let mock = MockTransport::recorded();
    let c = mock_client(&mock);
    for (err, field) in [
        (c.consume_code("", None).await.unwrap_err(), "code"),
        (c.get_code("  ", None, true).await.unwrap_err(), "code"),
        (c.deposit_code("C", vec![]).await.unwrap_err(), "codes"),
        (
            c.deposit_code("C", (0..101).map(|i| i.to_string()).collect())
                .await
                .unwrap_err(),
            "codes",
        ),
        (
            c.modify_stock("C", i64::MIN).await.unwrap_err(),
            "reduce_stock_value",
        ),
        (c.decrypt_code("").await.unwrap_err(), "encrypt_code"),
    ] {
        assert!(
            matches!(&err, Error::InvalidArgument { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    assert!(mock.requests().is_empty(), "{:?}", mock.requests());
}

#[tokio::test]
async fn the_recorded_mock_hands_out_a_new_token_per_fetch_so_a_stale_token_test_needs_one_rule() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/consume").respond_seq([
        Reply::wechat_error(40001, "invalid credential"),
        Reply::file("card_code_consume.json"),
    ]);
    mock_client(&mock)
        .consume_code("110201201245", None)
        .await
        .unwrap();
    let used: Vec<_> = mock
        .requests_to("/card/code/consume")
        .iter()
        .map(|r| r.query_param("access_token").unwrap().to_owned())
        .collect();
    assert_eq!(used, ["1234567890", "1234567890-2"]);
}
