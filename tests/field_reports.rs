//! One test per field report (`F01`..`F17`): each is a kind of fault WeChat integrations hit in
//! practice, reduced to its small input, with what this library does instead. Other suites test
//! the same mechanisms more broadly; these pin each report's own example.

use std::sync::Arc;

use card_core::clock::ManualClock;
use card_core::jssdk::CardExt;
use card_core::sleep::NoSleep;
use card_core::token::{MemoryTokenStore, TokenStore};
use card_core::{
    CardClient, DateInfo, Error, FixedToken, MemberUpdate, Redemption, RetryPolicy,
    TransportErrorKind, UserCardStatus,
};
use card_mock::{MockTransport, Reply};
use card_tests::{mock_client, token_reply};
use serde_json::json;

#[tokio::test]
async fn f01_chinese_and_emoji_go_out_as_raw_utf8_and_40033_is_not_retried() {
    let mock = MockTransport::recorded();
    let c = mock_client(&mock);
    c.create(&card_tests::groupon("团购券🎁", "测试店"))
        .await
        .unwrap();
    let body = mock.requests_to("/card/create")[0].body().clone();
    assert!(
        body.windows(3).any(|w| w == [0xE5, 0x9B, 0xA2]),
        "团 as E5 9B A2"
    );
    assert!(
        body.windows(4).any(|w| w == [0xF0, 0x9F, 0x8E, 0x81]),
        "🎁 as F0 9F 8E 81"
    );
    assert!(!body.windows(2).any(|w| w == b"\\u"), "no \\u escapes");

    let create = mock
        .on_post("/card/create")
        .respond(Reply::wechat_error(40033, "invalid charset"));
    let err = c
        .create(&card_tests::groupon("团购券", "测试店"))
        .await
        .unwrap_err();
    assert_eq!(
        err.api_kind(),
        Some(card_core::ApiErrorKind::InvalidCharset)
    );
    assert_eq!(create.calls(), 1);
}

#[tokio::test]
async fn f02_raw_control_characters_in_user_text_are_decoded() {
    let mock = MockTransport::recorded();
    let body = b"{\"errcode\":0,\"errmsg\":\"ok\",\"openid\":\"oFAKE1\",\"nickname\":\"A\x07B\xF0\x9F\x8D\xAD\",\"city\":\"\x08\",\"headimgurl\":\"http:\\/\\/wx.qlogo.cn\\/mmopen\\/X\\/0\"}";
    mock.on_post("/card/membercard/userinfo/get")
        .respond(Reply::raw(200, "text/plain", &body[..]));
    let info = mock_client(&mock)
        .get_membercard_user_info("pFAKE1", "111122223333")
        .await
        .unwrap();
    assert_eq!(info.nickname.as_deref(), Some("A\u{7}B🍭"));
    assert_eq!(info.openid.as_deref(), Some("oFAKE1"));
    assert_eq!(info.extra["city"], "\u{8}");
    assert_eq!(info.extra["headimgurl"], "http://wx.qlogo.cn/mmopen/X/0");
}

#[tokio::test]
async fn f03_check_consume_false_answers_with_the_state_and_40127_is_named() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/get")
        .body_json(json!({"code": "111122223333", "check_consume": false}))
        .respond_json(json!({"errcode":0,"errmsg":"ok","card":{"card_id":"pFAKE1","begin_time":0,"end_time":1700000000},"openid":"oFAKE1","can_consume":false,"user_card_status":"DELETE"}));
    mock.on_post("/card/code/get")
        .body_json(json!({"code": "111122223333"}))
        .respond_file("card_code_get.card-status-error.json");
    let c = mock_client(&mock);
    let info = c.get_code("111122223333", None, false).await.unwrap();
    assert_eq!(info.can_consume, Some(false));
    assert_eq!(info.user_card_status, Some(UserCardStatus::Delete));
    assert!(c
        .get_code("111122223333", None, true)
        .await
        .unwrap_err()
        .is_card_status());
}

#[test]
fn f04_the_card_signature_sorts_values_bytewise() {
    // Expected value computed independently: sha1("1404896688Abc123FAKE_TICKET_zpFAKE_CARD_1").
    let ext = CardExt::builder("pFAKE_CARD_1")
        .timestamp(1404896688)
        .nonce_str("Abc123")
        .sign("FAKE_TICKET_z");
    assert_eq!(ext.signature(), "f4aaaed88d6e8c8f0483a3eecbaf97eed612a6bd");
}

#[test]
fn f05_the_page_receives_exactly_what_was_signed() {
    let ext = CardExt::builder("pFAKE_CARD_1")
        .timestamp(1515600000)
        .nonce_str("Abc123")
        .sign("FAKE_TICKET_z");
    let sent: serde_json::Value = serde_json::from_str(&ext.to_json()).unwrap();
    assert_eq!(
        sent,
        json!({"timestamp": "1515600000", "nonce_str": "Abc123", "signature": ext.signature()})
    );
    assert!(!ext.to_json().contains("undefined") && !ext.to_json().contains("null"));
}

#[tokio::test]
async fn f06_the_card_ticket_and_the_jsapi_ticket_are_kept_apart() {
    let mock = MockTransport::recorded();
    mock.on_get("/cgi-bin/ticket/getticket")
        .query("type", "wx_card")
        .respond_json(json!({"errcode":0,"errmsg":"ok","ticket":"CARD_T","expires_in":7200}));
    mock.on_get("/cgi-bin/ticket/getticket")
        .query("type", "jsapi")
        .respond_json(json!({"errcode":0,"errmsg":"ok","ticket":"JSAPI_T","expires_in":7200}));
    let c = mock_client(&mock);
    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "CARD_T");
    assert_eq!(c.get_jsapi_ticket().await.unwrap().expose(), "JSAPI_T");
    assert_eq!(c.get_jsapi_card_ticket().await.unwrap().expose(), "CARD_T");
}

#[tokio::test]
async fn f07_a_late_not_latest_error_does_not_discard_the_token_another_node_stored() {
    // Node A fetched T1, node B (sharing the store) later stored T2; A then hears 40001 for T1.
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let mock = MockTransport::recorded();
    let fetches = mock
        .on_get("/cgi-bin/token")
        .respond_seq([token_reply("T1"), token_reply("T2")]);
    let node = |mock: &MockTransport| {
        CardClient::builder(mock.clone())
            .credentials("wxAPPID", "s")
            .token_store(store.clone())
            .clock(clock.clone())
            .sleeper(NoSleep)
            .build()
            .unwrap()
    };
    let a = node(&mock);
    a.get_deposit_count("p").await.unwrap();
    store
        .compare_and_delete("wxAPPID:access_token", &card_core::Secret::new("T1"))
        .await
        .unwrap();
    let b = node(&mock);
    b.get_deposit_count("p").await.unwrap();
    assert_eq!(fetches.calls(), 2);

    mock.on_post("/card/membercard/updateuser")
        .query("access_token", "T1")
        .respond_file("error.40001.json");
    a.token_provider()
        .invalidate(&card_core::Secret::new("T1"))
        .await
        .unwrap();
    let updated = a
        .update_membercard(
            "111122223333",
            "pFAKE1",
            MemberUpdate {
                add_bonus: Some(30),
                ..MemberUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.result_bonus, Some(100));
    assert_eq!(fetches.calls(), 2, "T2 survived: no third fetch");
    assert_eq!(
        mock.requests_to("/card/membercard/updateuser")[0].query_param("access_token"),
        Some("T2")
    );
}

#[tokio::test]
async fn f08_every_stale_token_code_refreshes_once_then_surfaces() {
    for code in [42001, 40014, 40001] {
        let mock = MockTransport::recorded();
        let fetches = mock.on_get("/cgi-bin/token").respond_seq([
            token_reply("A"),
            token_reply("B"),
            token_reply("C"),
        ]);
        let calls = mock
            .on_post("/card/code/get")
            .respond(Reply::wechat_error(code, "access_token is invalid"));
        let err = mock_client(&mock)
            .get_code("1", None, true)
            .await
            .unwrap_err();
        assert!(err.is_token_stale(), "{code}");
        assert_eq!(
            (calls.calls(), fetches.calls()),
            (2, 2),
            "{code}: one refresh, one repeat"
        );
    }
}

#[tokio::test]
async fn f09_a_timed_out_consume_is_never_repeated() {
    let mock = MockTransport::recorded();
    let consume = mock.on_post("/card/code/consume").respond_seq([
        Reply::error(TransportErrorKind::Timeout, "read timed out after sending"),
        Reply::wechat_error(40099, "invalid code, this code has consumed."),
    ]);
    let err = mock_client(&mock)
        .consume_code("111122223333", None)
        .await
        .unwrap_err();
    assert!(err.is_timeout() && err.is_ambiguous());
    assert_eq!(consume.calls(), 1);
    // Connect failures (nothing sent) may be retried, unless retries are off.
    let mock = MockTransport::recorded();
    let consume = mock
        .on_post("/card/code/consume")
        .respond(Reply::error(TransportErrorKind::Connect, "refused"));
    let off = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("T"))
        .retry_policy(RetryPolicy::off())
        .build()
        .unwrap();
    assert!(off.consume_code("1", None).await.is_err());
    assert_eq!(consume.calls(), 1);
}

#[tokio::test]
async fn f10_an_ambiguous_consume_is_settled_by_the_code_state() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/code/consume")
        .respond(Reply::error(TransportErrorKind::Timeout, "timed out"));
    mock.on_post("/card/code/get")
        .body_partial(json!({"check_consume": false}))
        .respond_json(json!({"errcode":0,"errmsg":"ok","card":{"card_id":"pFAKE1"},"openid":"oFAKE1","can_consume":false,"user_card_status":"CONSUMED"}));
    let c = mock_client(&mock);
    let err = c
        .consume_code("111122223333", Some("pFAKE1"))
        .await
        .unwrap_err();
    assert!(err.is_ambiguous());
    assert!(matches!(
        c.reconcile_consume("111122223333", Some("pFAKE1"))
            .await
            .unwrap(),
        Redemption::Consumed(_)
    ));
    assert_eq!(mock.requests_to("/card/code/consume").len(), 1);
}

#[tokio::test]
async fn f11_member_updates_send_both_the_delta_and_the_absolute_and_nothing_unset() {
    let mock = MockTransport::recorded();
    let changes = MemberUpdate {
        add_bonus: Some(30),
        bonus: Some(3000),
        record_bonus: Some("消费30元，获得3积分".into()),
        ..MemberUpdate::default()
    };
    mock_client(&mock)
        .update_membercard("111122223333", "pFAKE1", changes)
        .await
        .unwrap();
    let sent = mock.requests_to("/card/membercard/updateuser")[0]
        .body_json()
        .unwrap();
    assert_eq!(
        sent,
        json!({"code":"111122223333","card_id":"pFAKE1","add_bonus":30,"bonus":3000,"record_bonus":"消费30元，获得3积分"})
    );
}

#[tokio::test]
async fn f12_quota_errors_are_named_and_never_retried() {
    for (code, message) in [
        (45009, "reach max api daily quota limit"),
        (45011, "api minute-quota reach limit"),
    ] {
        let mock = MockTransport::recorded();
        let calls = mock
            .on_post("/card/batchget")
            .respond(Reply::wechat_error(code, message));
        let err = mock_client(&mock).batch_get(0, 10, None).await.unwrap_err();
        assert!(err.is_quota(), "{code}");
        assert_eq!(calls.calls(), 1, "{code}");
    }
}

#[tokio::test]
async fn f13_system_busy_is_named_retried_only_for_reads_and_keeps_its_rid() {
    let busy = || Reply::wechat_error(-1, "system error rid: 60891646-03eed615");
    let mock = MockTransport::recorded();
    let get = mock
        .on_post("/card/code/get")
        .respond_seq([busy(), Reply::file("card_code_get.json")]);
    let consume = mock.on_post("/card/code/consume").respond(busy());
    let c = mock_client(&mock);
    c.get_code("1", None, true).await.unwrap();
    assert_eq!(get.calls(), 2);
    let err = c.consume_code("1", None).await.unwrap_err();
    assert!(err.is_system_busy());
    assert_eq!(err.api().unwrap().rid(), Some("60891646-03eed615"));
    assert_eq!(consume.calls(), 1);
    // An unknown code keeps its own number.
    let mock = MockTransport::recorded();
    mock.on_post("/card/get")
        .respond(Reply::wechat_error(61451, "invalid parameter"));
    assert_eq!(
        mock_client(&mock).get("p").await.unwrap_err().api_code(),
        Some(61451)
    );
}

#[test]
fn f14_dates_are_unix_seconds_and_begin_must_precede_end() {
    let range =
        serde_json::to_value(DateInfo::fix_time_range(1_471_881_600, 1_472_486_400)).unwrap();
    assert_eq!(
        range,
        json!({"type": "DATE_TYPE_FIX_TIME_RANGE", "begin_timestamp": 1_471_881_600, "end_timestamp": 1_472_486_400})
    );
    let base = card_core::BaseInfo::builder()
        .logo_url("http://mmbiz.qpic.cn/logo/0")
        .brand_name("测试店")
        .code_type(card_core::CodeType::Text)
        .title("团购券")
        .color(card_core::Color::Color010)
        .notice("出示此券")
        .description("说明")
        .quantity(10);
    let err = base
        .clone()
        .date_info(DateInfo::fix_time_range(1_472_486_400, 1_471_881_600))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field.contains("date_info")),
        "{err:?}"
    );
    // Milliseconds are refused as well.
    let err = base
        .date_info(DateInfo::fix_time_range(
            1_471_881_600_000,
            1_472_486_400_000,
        ))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field.contains("date_info")),
        "{err:?}"
    );
}

#[tokio::test]
async fn f15_wrongly_shaped_documents_are_unrepresentable_and_47001_is_not_retried() {
    // time_limit is a list by type; the card type decides both `card_type` and the body key.
    let card = card_tests::groupon("团购券", "测试店");
    let value = serde_json::to_value(&card).unwrap();
    assert_eq!(value["card_type"], "GROUPON");
    assert!(value.get("groupon").is_some() && value.get("GROUPON").is_none());
    let limits: Vec<card_core::TimeLimit> =
        serde_json::from_value(json!([{"type": "MONDAY"}])).unwrap();
    assert_eq!(limits.len(), 1);

    // Nor can an `extra` entry smuggle a second `card_type` or `title` in beside the typed one.
    let mut twice = card.clone();
    twice.extra.insert("card_type".into(), json!("CASH"));
    let err = twice.validate().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field == "card_type"),
        "{err:?}"
    );
    let mut twice = card.clone();
    twice
        .base_info_mut()
        .unwrap()
        .extra
        .insert("title".into(), json!("另一个标题"));
    let err = twice.validate().unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field == "groupon.base_info.title"),
        "{err:?}"
    );

    let mock = MockTransport::recorded();
    let calls = mock
        .on_post("/card/create")
        .respond(Reply::wechat_error(47001, "data format error"));
    let err = mock_client(&mock).create(&card).await.unwrap_err();
    assert_eq!(err.api_kind(), Some(card_core::ApiErrorKind::DataFormat));
    assert_eq!(calls.calls(), 1);
}

#[tokio::test]
async fn f16_a_proxy_base_url_is_honoured_and_40164_is_a_named_configuration_error() {
    let mock = MockTransport::recorded();
    mock.on_post("/wechat/card/get")
        .respond(Reply::wechat_error(
            40164,
            "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist",
        ));
    let c = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("T"))
        .base_url("https://proxy.internal/wechat/")
        .build()
        .unwrap();
    let err = c.get("p").await.unwrap_err();
    assert!(err.is_ip_not_whitelisted());
    assert_eq!(mock.requests().len(), 1, "not retried");
    assert_eq!(mock.requests()[0].path(), "/wechat/card/get");
}

#[tokio::test]
async fn f17_gateway_pages_and_cut_off_bodies_are_typed_errors() {
    let mock = MockTransport::recorded();
    mock.on_post("/card/get")
        .respond(Reply::raw(502, "text/html", "<html>Bad Gateway</html>"));
    mock.on_post("/card/create").respond(Reply::raw(
        200,
        "application/json",
        r#"{"errcode":0,"card_id":"p"#,
    ));
    let c = CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("T"))
        .build()
        .unwrap();
    match c.get("p").await.unwrap_err() {
        Error::Http { status, body } => assert_eq!(
            (status.as_u16(), body.as_str()),
            (502, "<html>Bad Gateway</html>")
        ),
        other => panic!("{other:?}"),
    }
    match c
        .create(&card_tests::groupon("团购券", "测试店"))
        .await
        .unwrap_err()
    {
        Error::Decode { body, .. } => assert_eq!(body.as_str(), r#"{"errcode":0,"card_id":"p"#),
        other => panic!("{other:?}"),
    }
}
