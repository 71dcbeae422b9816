//! Wire conformance: for each operation, the exact verb, path, query and JSON body sent (the
//! captured wechatpy examples of the spec, §1.3), and what each recorded WeChat answer decodes to.
//!
//! Bodies are compared as JSON values: wechatpy writes `", "` and `": "` separators and we write
//! compact JSON, which WeChat accepts alike. Bodies with Chinese text are also checked byte-wise
//! for raw UTF-8 (no `\u` escapes).

use std::future::Future;
use std::pin::Pin;

use card_core::{
    CardClient, CardStatus, CardType, CreateCard, Error, FixedToken, UpdateCard, UserCardStatus,
};
use card_mock::MockTransport;
use serde_json::{json, Value};

type Call = fn(CardClient) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// One captured request: what the call must put on the wire.
struct RequestCase {
    call: &'static str,
    run: Call,
    path: &'static str,
    body: &'static str,
}

macro_rules! call {
    (|$c:ident| $body:expr) => {
        |$c: CardClient| Box::pin(async move { $body.await.map(drop) })
    };
}

const REQUESTS: &[RequestCase] = &[
    RequestCase {
        call: r#"create({"card":{"card_type":"GROUPON","groupon":{"base_info":{"title":"团购"}}}})"#,
        run: call!(|c| c.execute(&CreateCard(
            json!({"card": {"card_type": "GROUPON", "groupon": {"base_info": {"title": "团购"}}}})
        ))),
        path: "/card/create",
        body: r#"{"card": {"card_type": "GROUPON", "groupon": {"base_info": {"title": "团购"}}}}"#,
    },
    RequestCase {
        call: r#"consume_code("CODE")"#,
        run: call!(|c| c.consume_code("CODE", None)),
        path: "/card/code/consume",
        body: r#"{"code": "CODE"}"#,
    },
    RequestCase {
        call: r#"consume_code("CODE","C")"#,
        run: call!(|c| c.consume_code("CODE", Some("C"))),
        path: "/card/code/consume",
        body: r#"{"code": "CODE", "card_id": "C"}"#,
    },
    RequestCase {
        call: r#"decrypt_code("ENC+/=")"#,
        run: call!(|c| c.decrypt_code("ENC+/=")),
        path: "/card/code/decrypt",
        body: r#"{"encrypt_code": "ENC+/="}"#,
    },
    RequestCase {
        call: r#"get_code("CODE")"#,
        run: call!(|c| c.get_code("CODE", None, true)),
        path: "/card/code/get",
        body: r#"{"code": "CODE"}"#,
    },
    RequestCase {
        call: r#"get_code("CODE","C",False)"#,
        run: call!(|c| c.get_code("CODE", Some("C"), false)),
        path: "/card/code/get",
        body: r#"{"code": "CODE", "card_id": "C", "check_consume": false}"#,
    },
    RequestCase {
        call: "batch_get()",
        run: call!(|c| c.batch_get(0, 50, None)),
        path: "/card/batchget",
        body: r#"{"offset": 0, "count": 50}"#,
    },
    RequestCase {
        call: r#"batch_get(0,10,["CARD_STATUS_VERIFY_OK"])"#,
        run: call!(|c| c.batch_get(0, 10, Some(vec![CardStatus::VerifyOk]))),
        path: "/card/batchget",
        body: r#"{"offset": 0, "count": 10, "status_list": ["CARD_STATUS_VERIFY_OK"]}"#,
    },
    RequestCase {
        call: r#"get("C")"#,
        run: call!(|c| c.get("C")),
        path: "/card/get",
        body: r#"{"card_id": "C"}"#,
    },
    RequestCase {
        call: r#"delete("C")"#,
        run: call!(|c| c.delete("C")),
        path: "/card/delete",
        body: r#"{"card_id": "C"}"#,
    },
    RequestCase {
        call: r#"invalid_code("CODE","C")"#,
        run: call!(|c| c.invalid_code("CODE", Some("C"))),
        path: "/card/code/unavailable",
        body: r#"{"code": "CODE", "card_id": "C"}"#,
    },
    RequestCase {
        call: r#"update({"card_id":"C","member_card":{"base_info":{"title":"金卡"}}})"#,
        run: call!(|c| c.execute(&UpdateCard(
            json!({"card_id": "C", "member_card": {"base_info": {"title": "金卡"}}})
        ))),
        path: "/card/update",
        body: r#"{"card_id": "C", "member_card": {"base_info": {"title": "金卡"}}}"#,
    },
    RequestCase {
        call: r#"deposit_code("C",["c1","c2"])"#,
        run: call!(|c| c.deposit_code("C", vec!["c1".into(), "c2".into()])),
        path: "/card/code/deposit",
        body: r#"{"card_id": "C", "code": ["c1", "c2"]}"#,
    },
    RequestCase {
        call: r#"get_deposit_count("C")"#,
        run: call!(|c| c.get_deposit_count("C")),
        path: "/card/code/getdepositcount",
        body: r#"{"card_id": "C"}"#,
    },
    RequestCase {
        call: r#"check_code("C",["c1","c2"])"#,
        run: call!(|c| c.check_code("C", vec!["c1".into(), "c2".into()])),
        path: "/card/code/checkcode",
        body: r#"{"card_id": "C", "code": ["c1", "c2"]}"#,
    },
    RequestCase {
        call: r#"modify_stock("C",5)"#,
        run: call!(|c| c.modify_stock("C", 5)),
        path: "/card/modifystock",
        body: r#"{"card_id": "C", "increase_stock_value": 5}"#,
    },
    RequestCase {
        call: r#"modify_stock("C",-3)"#,
        run: call!(|c| c.modify_stock("C", -3)),
        path: "/card/modifystock",
        body: r#"{"card_id": "C", "reduce_stock_value": 3}"#,
    },
    RequestCase {
        call: r#"create_qrcode({"action_name":"QR_CARD",...})"#,
        run: call!(|c| c.create_qrcode(
            &json!({"action_name": "QR_CARD", "action_info": {"card": {"card_id": "C"}}})
        )),
        path: "/card/qrcode/create",
        body: r#"{"action_name": "QR_CARD", "action_info": {"card": {"card_id": "C"}}}"#,
    },
];

fn client_on(mock: &MockTransport) -> CardClient {
    CardClient::builder(mock.clone())
        .access_token_provider(FixedToken::new("TOKEN"))
        .build()
        .expect("valid client")
}

#[tokio::test]
async fn every_request_case_puts_the_captured_bytes_on_the_wire() {
    for case in REQUESTS {
        let mock = MockTransport::recorded();
        (case.run)(client_on(&mock))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.call));
        let sent = mock.requests();
        assert_eq!(sent.len(), 1, "{}: one request", case.call);
        let request = &sent[0];
        assert_eq!(request.method(), http::Method::POST, "{}", case.call);
        assert_eq!(request.path(), case.path, "{}", case.call);
        assert_eq!(
            request.query(),
            [("access_token".to_owned(), "TOKEN".to_owned())],
            "{}: query",
            case.call
        );
        assert_eq!(
            request.header("content-type"),
            Some("application/json; charset=utf-8"),
            "{}",
            case.call
        );
        let want: Value = serde_json::from_str(case.body).expect("valid expected body");
        assert_eq!(
            request.body_json().expect("JSON body"),
            want,
            "{}: body",
            case.call
        );
        let raw = request.body_str().expect("UTF-8 body");
        assert!(!raw.contains("\\u"), "{}: escaped text in {raw}", case.call);
        for ch in case.body.chars().filter(|c| !c.is_ascii()) {
            assert!(
                raw.contains(ch),
                "{}: {ch} not sent as raw UTF-8 in {raw}",
                case.call
            );
        }
    }
}

#[tokio::test]
async fn refusals_send_nothing() {
    let mock = MockTransport::recorded();
    let client = client_on(&mock);
    let err = client.batch_get(0, 51, None).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument { field, .. } if field == "count"),
        "{err:?}"
    );
    assert_eq!(client.modify_stock("C", 0).await.unwrap(), None);
    assert!(
        mock.requests().is_empty(),
        "nothing may be sent: {:?}",
        mock.requests()
    );
}

#[tokio::test]
async fn batch_get_leaves_an_empty_status_list_out() {
    let mock = MockTransport::recorded();
    client_on(&mock)
        .batch_get(0, 10, Some(vec![]))
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].body_json().unwrap(),
        json!({"offset": 0, "count": 10})
    );
}

/// Each recorded answer decodes into the typed result with the values it carries.
#[tokio::test]
async fn recorded_answers_decode_to_typed_results() {
    let mock = MockTransport::recorded();
    let c = client_on(&mock);

    assert_eq!(
        c.execute(&CreateCard(json!({"card": {}})))
            .await
            .unwrap()
            .card_id,
        "plqmg1eUNAIyv2sc6lzpQ0o695YI"
    );

    let card = c.get("pbLatjnP97_F9PudzBARQhn7xR7A").await.unwrap();
    assert_eq!(card.card_type(), CardType::Discount);
    let sku = card
        .base_info()
        .and_then(|b| b.sku.as_ref())
        .expect("a sku");
    assert_eq!(sku.total_quantity, Some(100100));

    let updated = c
        .execute(&UpdateCard(json!({"card_id": "C"})))
        .await
        .unwrap();
    assert_eq!(updated.send_check, Some(false));

    assert!(c.delete("C").await.unwrap().extra.is_empty());

    let page = c.batch_get(0, 10, None).await.unwrap();
    assert_eq!(page.card_id_list, ["ph_gmt7cUVrlRk8swPwx7aDyF-pg"]);
    assert_eq!(page.total_num, 1);

    assert!(c.modify_stock("C", 1).await.unwrap().is_some());
    assert!(c.deposit_code("C", vec!["1".into()]).await.is_ok());
    assert_eq!(c.get_deposit_count("C").await.unwrap().count, 123);

    let checked = c.check_code("C", vec![]).await.unwrap();
    assert_eq!(checked.exist_code, ["11111", "22222"]);
    assert_eq!(checked.not_exist_code, ["33333"]);

    let info = c.get_code("123456789", None, true).await.unwrap();
    assert_eq!(info.card.card_id, "pbLatjk4T4Hx-QFQGL4zGQy27_Qg");
    assert_eq!(info.card.begin_time, Some(1457452800));
    assert_eq!(info.card.end_time, Some(1463155199));
    assert_eq!(info.openid.as_deref(), Some("oFAKE00000000000000000000001"));
    assert_eq!(info.can_consume, Some(true));
    assert_eq!(info.outer_str.as_deref(), Some("12b"));
    assert_eq!(info.user_card_status, Some(UserCardStatus::Normal));

    let consumed = c.consume_code("110201201245", None).await.unwrap();
    assert_eq!(
        consumed.card.unwrap().card_id,
        "pFS7Fjg8kV1IdDz01r4SQwMkuCKc"
    );
    assert_eq!(
        consumed.openid.as_deref(),
        Some("oFAKE00000000000000000000003")
    );

    assert_eq!(
        c.decrypt_code("XXIzTtMqCxwOaawoE91+VJdsFmv7b8g0VZIZkqf4GWA60Fzpc8ksZ/5ZZ0DVkXdE")
            .await
            .unwrap(),
        "751234212312"
    );
    assert!(c.invalid_code("12312313", None).await.is_ok());

    let ticket = c.create_qrcode(&json!({})).await.unwrap();
    assert_eq!(ticket, "gQHB8DoAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL0JIV3lhX3psZmlvSDZmWGVMMTZvAAIEsNnKVQMEIAMAAA==");
    let full = c
        .execute(&card_core::CreateQrCode(json!({})))
        .await
        .unwrap();
    assert_eq!(full.expire_seconds, Some(1800));
    // Kept as sent, spaces included.
    assert_eq!(
        full.url.as_deref(),
        Some("http://weixin.qq.com/q/BHWya_zlfioH6fXeL16o ")
    );
}

/// The recorded error answers decode to the named errors, message (and its hint) kept whole.
#[tokio::test]
async fn recorded_error_answers_are_named() {
    for (file, check) in [
        (
            "card_code_get.card-status-error.json",
            Error::is_card_status as fn(&Error) -> bool,
        ),
        (
            "card_code_get.invalid-code-error.json",
            Error::is_invalid_code,
        ),
        ("error.45009.json", Error::is_quota),
        ("error.45009.legacy.json", Error::is_quota),
        ("error.40001.json", Error::is_token_stale),
    ] {
        let mock = MockTransport::new();
        mock.on_post("/card/code/get").respond_file(file);
        let err = client_on(&mock)
            .get_code("CODE", None, true)
            .await
            .unwrap_err();
        assert!(check(&err), "{file}: {err:?}");
        let recorded: Value =
            serde_json::from_str(card_mock::recorded::get(file).unwrap()).unwrap();
        let api = err.api().expect("an API error");
        assert_eq!(
            api.message,
            recorded["errmsg"].as_str().unwrap(),
            "{file}: message kept whole"
        );
    }
}
