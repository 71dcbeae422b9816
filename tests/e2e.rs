//! End to end: card-core on the real `HyperTransport` against a local wiremock server that
//! answers with recorded WeChat responses.

use std::time::Duration;

use card_core::{CardClient, UserCardStatus};
use card_tests::{
    client_for, local_transport, recorded_answer, start_recorded_wechat, DEMO_APPID, RECORDED_TOKEN,
};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn token_answer(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": token, "expires_in": 7200}))
}

async fn received(server: &MockServer, endpoint: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == endpoint)
        .collect()
}

#[tokio::test]
async fn card_lifecycle_over_http() {
    let server = start_recorded_wechat().await;
    let c = client_for(&server);

    let card = card_tests::groupon("团购券🎁", "测试店");
    let card_id = c.create(&card).await.unwrap();
    assert_eq!(card_id, "plqmg1eUNAIyv2sc6lzpQ0o695YI");

    let ticket = c
        .create_qrcode(
            &json!({"action_name": "QR_CARD", "action_info": {"card": {"card_id": card_id}}}),
        )
        .await
        .unwrap();
    assert!(ticket.starts_with("gQHB8DoAAAAAAAAAASxodHRw"));
    c.deposit_code(&card_id, vec!["110201201245".into()])
        .await
        .unwrap();
    assert_eq!(c.get_deposit_count(&card_id).await.unwrap().count, 123);

    let info = c
        .get_code("110201201245", Some(&card_id), true)
        .await
        .unwrap();
    assert_eq!(info.user_card_status, Some(UserCardStatus::Normal));
    let consumed = c
        .consume_code("110201201245", Some(&card_id))
        .await
        .unwrap();
    assert_eq!(
        consumed.openid.as_deref(),
        Some("oFAKE00000000000000000000003")
    );
    let again = c
        .consume_code("110201201245", Some(&card_id))
        .await
        .unwrap_err();
    assert!(again.is_already_consumed(), "{again:?}");
    assert!(
        again.to_string().contains("hint: [Xa0Demo]"),
        "errmsg kept whole: {again}"
    );

    let doc = c.get(&card_id).await.unwrap();
    assert_eq!(
        doc.base_info().and_then(|b| b.title.as_deref()),
        Some("团购券🎁")
    );

    // One token fetch for the whole run, with the app's credentials.
    let token_requests = received(&server, "/cgi-bin/token").await;
    assert_eq!(token_requests.len(), 1);
    let query: Vec<(String, String)> = token_requests[0].url.query_pairs().into_owned().collect();
    assert_eq!(query[0], ("grant_type".into(), "client_credential".into()));
    assert_eq!(query[1], ("appid".into(), DEMO_APPID.into()));

    // The create body went out as raw UTF-8 JSON with the right headers and token.
    let create = &received(&server, "/card/create").await[0];
    assert_eq!(create.method.as_str(), "POST");
    assert_eq!(
        create.headers.get("content-type").unwrap(),
        "application/json; charset=utf-8"
    );
    assert_eq!(
        create.url.query(),
        Some(format!("access_token={RECORDED_TOKEN}").as_str())
    );
    let raw = &create.body;
    assert!(
        raw.windows(3).any(|w| w == [0xE5, 0x9B, 0xA2]),
        "团 as raw UTF-8"
    );
    assert!(
        raw.windows(4).any(|w| w == [0xF0, 0x9F, 0x8E, 0x81]),
        "🎁 as raw UTF-8"
    );
    assert!(!raw.windows(2).any(|w| w == b"\\u"), "no \\u escapes");
    assert_eq!(
        serde_json::from_slice::<Value>(raw).unwrap(),
        json!({"card": card})
    );
}

#[tokio::test]
async fn a_stale_token_is_replaced_and_the_call_repeated_once_over_http() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(token_answer("OLD"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(token_answer("NEW"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/code/consume"))
        .and(query_param("access_token", "OLD"))
        .respond_with(recorded_answer("error.40001.json"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/code/consume"))
        .and(query_param("access_token", "NEW"))
        .respond_with(recorded_answer("card_code_consume.json"))
        .expect(1)
        .mount(&server)
        .await;
    let consumed = client_for(&server)
        .consume_code("110201201245", None)
        .await
        .unwrap();
    assert_eq!(
        consumed.card.unwrap().card_id,
        "pFS7Fjg8kV1IdDz01r4SQwMkuCKc"
    );
    assert_eq!(received(&server, "/cgi-bin/token").await.len(), 2);
    server.verify().await;
}

#[tokio::test]
async fn many_concurrent_calls_share_one_token_fetch_over_http() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(token_answer("T").set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/code/getdepositcount"))
        .respond_with(recorded_answer("card_code_getdepositcount.json"))
        .expect(200)
        .mount(&server)
        .await;
    let c = client_for(&server);
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get_deposit_count("C").await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().count, 123);
    }
    server.verify().await;
}

#[tokio::test]
async fn a_gateway_error_page_is_an_http_error_over_http() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .respond_with(token_answer("T"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/get"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    match client_for(&server).get("C").await.unwrap_err() {
        card_core::Error::Http { status, body } => {
            assert_eq!(status, 502);
            assert_eq!(body.as_str(), "<html>Bad Gateway</html>");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wechat/cgi-bin/token"))
        .respond_with(token_answer("T"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/wechat/card/delete"))
        .respond_with(recorded_answer("card_delete.json"))
        .expect(1)
        .mount(&server)
        .await;
    let c = CardClient::builder(local_transport())
        .credentials("wx", "s")
        .base_url(format!("{}/wechat/", server.uri()))
        .build()
        .unwrap();
    c.delete("C").await.unwrap();
    server.verify().await;
}
