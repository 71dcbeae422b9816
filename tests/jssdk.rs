//! The JS-SDK card helpers on the mock transport: the api_ticket cache (kinds kept apart,
//! single-flight, expiry margin, stale access tokens), and the signed parameters built from it.

use std::sync::Arc;
use std::time::Duration;

use card_core::clock::ManualClock;
use card_core::jssdk::{CardExt, ChooseCardSign, TicketKind};
use card_core::token::{MemoryTokenStore, TokenStore};
use card_core::{CardClient, Error, FixedToken, Secret};
use card_mock::{MockTransport, Reply};
use card_tests::{mock_client, mock_client_with, token_reply, T0, TEST_APPID};
use serde_json::json;

const TICKET_PATH: &str = "/cgi-bin/ticket/getticket";
/// The ticket of the recorded `cgi-bin_ticket_getticket.wx_card.json`.
const RECORDED_TICKET: &str =
    "bxLdikRXVbTPdHSM05e5u5sUoXNKd8-41ZO3MhKoyN5OfkWITDGgnr2fwJ0m9E8NYzWKVZvdVtaUgWvsdshFKA";

fn ticket_reply(ticket: &str) -> Reply {
    Reply::json(json!({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200}))
}

#[tokio::test]
async fn f06_card_and_jsapi_tickets_never_mix() {
    let mock = MockTransport::recorded();
    let card = mock
        .on_get(TICKET_PATH)
        .query("type", "wx_card")
        .respond(ticket_reply("CARD_TICKET"));
    let jsapi = mock
        .on_get(TICKET_PATH)
        .query("type", "jsapi")
        .respond(ticket_reply("JSAPI_TICKET"));
    let store = Arc::new(MemoryTokenStore::new());
    let c = mock_client_with(&mock, Arc::new(ManualClock::new(T0)), store.clone());

    for _ in 0..3 {
        assert_eq!(
            c.get_jsapi_card_ticket().await.unwrap().expose(),
            "CARD_TICKET"
        );
        assert_eq!(c.get_jsapi_ticket().await.unwrap().expose(), "JSAPI_TICKET");
        assert_eq!(
            c.ticket(TicketKind::WxCard).await.unwrap().expose(),
            "CARD_TICKET"
        );
    }
    assert_eq!(card.calls(), 1, "the card ticket is cached");
    assert_eq!(
        jsapi.calls(),
        1,
        "the jsapi ticket is cached under its own key"
    );

    // Stored under separate keys, beside the access token.
    let stored = |key: String| {
        let store = store.clone();
        async move {
            store
                .get(&key)
                .await
                .unwrap()
                .map(|t| t.value.expose().to_owned())
        }
    };
    assert_eq!(
        stored(format!("{TEST_APPID}:ticket:wx_card"))
            .await
            .as_deref(),
        Some("CARD_TICKET")
    );
    assert_eq!(
        stored(format!("{TEST_APPID}:ticket:jsapi"))
            .await
            .as_deref(),
        Some("JSAPI_TICKET")
    );

    // `type` first, then the access token, as wechatpy sends it; a GET with no body.
    let sent = mock.requests_to(TICKET_PATH);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method(), http::Method::GET);
    assert_eq!(
        sent[0].query()[0],
        ("type".to_owned(), "wx_card".to_owned())
    );
    assert_eq!(sent[0].query()[1].0, "access_token");
    assert_eq!(sent[0].query_param("access_token"), Some("1234567890"));
    assert!(sent[0].body().is_empty());
}

#[tokio::test]
async fn concurrent_callers_share_one_ticket_fetch() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get(TICKET_PATH)
        .query("type", "wx_card")
        .respond(ticket_reply("CARD_TICKET"));
    // Make the ticket fetch slow, so that every caller arrives while it is in flight.
    let inner = mock.clone();
    let slow = card_core::transport_fn(move |request: card_core::HttpRequest| {
        let inner = inner.clone();
        async move {
            if request.uri().path() == TICKET_PATH {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            card_core::Transport::send(&inner, request).await
        }
    });
    let c = CardClient::builder(slow)
        .credentials(TEST_APPID, "s")
        .build()
        .unwrap();
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get_jsapi_card_ticket().await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().expose(), "CARD_TICKET");
    }
    assert_eq!(fetches.calls(), 1);
}

#[tokio::test]
async fn ticket_is_refreshed_at_the_safety_margin() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get(TICKET_PATH)
        .respond_seq([ticket_reply("T1"), ticket_reply("T2")]);
    let clock = Arc::new(ManualClock::new(T0));
    let c = mock_client_with(&mock, clock.clone(), Arc::new(MemoryTokenStore::new()));

    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "T1");
    // 7200 s of validity, 300 s margin: still used at +6899 s, replaced at +6900 s (wechatpy
    // would use it to the last second).
    clock.advance(6899);
    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "T1");
    assert_eq!(fetches.calls(), 1);
    clock.advance(1);
    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "T2");
    assert_eq!(fetches.calls(), 2);
}

#[tokio::test]
async fn a_stale_access_token_is_replaced_once_for_a_ticket_fetch() {
    let mock = MockTransport::recorded();
    let tokens = mock
        .on_get("/cgi-bin/token")
        .respond_seq([token_reply("OLD"), token_reply("NEW")]);
    mock.on_get(TICKET_PATH).respond_seq([
        Reply::wechat_error(
            40001,
            "invalid credential, access_token is invalid or not latest",
        ),
        ticket_reply("CARD_TICKET"),
    ]);
    let c = mock_client(&mock);
    assert_eq!(
        c.get_jsapi_card_ticket().await.unwrap().expose(),
        "CARD_TICKET"
    );
    assert_eq!(tokens.calls(), 2);
    let used: Vec<_> = mock
        .requests_to(TICKET_PATH)
        .iter()
        .map(|r| r.query_param("access_token").unwrap().to_owned())
        .collect();
    assert_eq!(used, ["OLD", "NEW"]);

    // A rejection that persists surfaces after the one retry.
    let mock = MockTransport::recorded();
    mock.on_get("/cgi-bin/token").respond_seq([
        token_reply("A"),
        token_reply("B"),
        token_reply("C"),
    ]);
    let calls = mock
        .on_get(TICKET_PATH)
        .respond(Reply::wechat_error(42001, "access_token expired"));
    let err = mock_client(&mock)
        .get_jsapi_card_ticket()
        .await
        .unwrap_err();
    assert!(err.is_token_stale(), "{err:?}");
    assert_eq!(calls.calls(), 2);
}

#[tokio::test]
async fn a_ticket_never_shows_in_an_error() {
    let mock = MockTransport::recorded();
    mock.on_get(TICKET_PATH).respond(Reply::json(
        json!({"errcode": 0, "ticket": "SECRET_TICKET_1", "expires_in": "soon"}),
    ));
    let err = mock_client(&mock)
        .get_jsapi_card_ticket()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("SECRET_TICKET_1"), "{shown}");

    let mock = MockTransport::recorded();
    mock.on_get(TICKET_PATH)
        .respond(Reply::json(json!({"errcode": 0, "errmsg": "ok"})));
    assert!(matches!(
        mock_client(&mock)
            .get_jsapi_card_ticket()
            .await
            .unwrap_err(),
        Error::Decode { .. }
    ));
}

#[tokio::test]
async fn an_invalidated_ticket_is_fetched_again() {
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get(TICKET_PATH)
        .respond_seq([ticket_reply("T1"), ticket_reply("T2")]);
    let c = mock_client(&mock);
    let first = c.get_jsapi_card_ticket().await.unwrap();
    assert!(!c
        .invalidate_ticket(TicketKind::Jsapi, &first)
        .await
        .unwrap());
    assert!(c
        .invalidate_ticket(TicketKind::WxCard, &first)
        .await
        .unwrap());
    assert!(!c
        .invalidate_ticket(TicketKind::WxCard, &Secret::new("T1"))
        .await
        .unwrap());
    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "T2");
    assert_eq!(fetches.calls(), 2);
}

#[tokio::test]
async fn add_card_params_are_signed_with_the_card_ticket() {
    let mock = MockTransport::recorded();
    let c = mock_client(&mock);
    let ext = c
        .get_jsapi_add_card_params(
            CardExt::builder("pFAKE_CARD_1")
                .code("111122223333")
                .timestamp(1414587457)
                .nonce_str("Wm3WZYTPz0wzccnW"),
        )
        .await
        .unwrap();
    let expected = CardExt::builder("pFAKE_CARD_1")
        .code("111122223333")
        .timestamp(1414587457)
        .nonce_str("Wm3WZYTPz0wzccnW")
        .sign(RECORDED_TICKET);
    assert_eq!(ext, expected);
    assert_eq!(
        mock.requests_to(TICKET_PATH)[0].query_param("type"),
        Some("wx_card")
    );

    let sign = c
        .get_jsapi_choose_card_params(
            ChooseCardSign::builder()
                .card_type("GROUPON")
                .timestamp(1414587457)
                .nonce_str("Wm3WZYTPz0wzccnW"),
        )
        .await
        .unwrap();
    assert_eq!(
        sign,
        ChooseCardSign::builder()
            .card_type("GROUPON")
            .timestamp(1414587457)
            .nonce_str("Wm3WZYTPz0wzccnW")
            .sign(RECORDED_TICKET, TEST_APPID)
    );
    assert_eq!(
        mock.requests_to(TICKET_PATH).len(),
        1,
        "one cached ticket serves both"
    );
}

#[tokio::test]
async fn a_client_without_appid_refuses_card_sign_before_sending() {
    let mock = MockTransport::recorded();
    let c = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("TOKEN"))
        .build()
        .unwrap();
    let err = c
        .get_jsapi_choose_card_params(ChooseCardSign::builder())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field == "appid"),
        "{err:?}"
    );
    assert!(mock.requests().is_empty());
    // The ticket is cached per app, so it needs an AppID too: without one, two apps sharing a
    // store would share a ticket.
    let err = c.get_jsapi_card_ticket().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field == "appid"),
        "{err:?}"
    );
    assert!(mock.requests().is_empty());
}
