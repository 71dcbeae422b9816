//! Shared pieces of the end-to-end tests and the demo: a local HTTP server that answers like
//! WeChat, with the recorded responses that ship in `card-mock`.

use card_core::{BaseInfo, Card, CardClient, CodeType, Color, DateInfo, MemberCard};
use card_hyper::HyperTransport;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The AppID the recorded server expects.
pub const DEMO_APPID: &str = "wxDEMO0000000000";
/// The AppSecret the recorded server expects.
pub const DEMO_SECRET: &str = "demo-app-secret-not-real";
/// The access token the recorded token answer carries (`cgi-bin_token.json`).
pub const RECORDED_TOKEN: &str = "1234567890";

/// A recorded answer by file name; panics (in a test or the demo) if the file is not shipped.
pub fn recorded(name: &str) -> &'static str {
    card_mock::recorded::get(name).unwrap_or_else(|| panic!("no recorded file {name}"))
}

/// A 200 answer with a recorded body, served as `text/plain` the way WeChat often does.
pub fn recorded_answer(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(recorded(name).as_bytes().to_vec(), "text/plain")
}

/// A local server on 127.0.0.1 that answers the card lifecycle with recorded WeChat answers:
/// the token endpoint (checking AppID and secret), and every card endpoint of the demo
/// (checking the access token). The first redemption of a code succeeds; every later one is
/// answered 40099, as WeChat does.
pub async fn start_recorded_wechat() -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/cgi-bin/token"))
        .and(query_param("grant_type", "client_credential"))
        .and(query_param("appid", DEMO_APPID))
        .and(query_param("secret", DEMO_SECRET))
        .respond_with(recorded_answer("cgi-bin_token.json"))
        .mount(&server)
        .await;
    // card/create and card/get share a shelf, so the demo reads back the card it created (the
    // recorded create answer's id, the document as sent); before any create, card/get answers
    // with the recorded DISCOUNT card.
    let shelf = CardShelf::default();
    Mock::given(method("POST"))
        .and(path("/card/create"))
        .and(query_param("access_token", RECORDED_TOKEN))
        .respond_with(shelf.clone())
        .with_priority(5)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/get"))
        .and(query_param("access_token", RECORDED_TOKEN))
        .respond_with(shelf)
        .with_priority(5)
        .mount(&server)
        .await;
    for (endpoint, file) in [
        ("/card/batchget", "card_batchget.json"),
        ("/card/qrcode/create", "card_qrcode_create.json"),
        ("/card/code/deposit", "card_code_deposit.json"),
        (
            "/card/code/getdepositcount",
            "card_code_getdepositcount.json",
        ),
        ("/card/code/checkcode", "card_code_checkcode.json"),
        ("/card/code/get", "card_code_get.json"),
        ("/card/code/decrypt", "card_code_decrypt.json"),
        ("/card/code/unavailable", "card_code_unavailable.json"),
        ("/card/modifystock", "card_modifystock.json"),
        ("/card/delete", "card_delete.json"),
        ("/card/update", "card_update.json"),
    ] {
        Mock::given(method("POST"))
            .and(path(endpoint))
            .and(query_param("access_token", RECORDED_TOKEN))
            .respond_with(recorded_answer(file))
            .with_priority(5)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/card/code/consume"))
        .and(query_param("access_token", RECORDED_TOKEN))
        .respond_with(recorded_answer("card_code_consume.json"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/card/code/consume"))
        .and(query_param("access_token", RECORDED_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"errcode":40099,"errmsg":"invalid code, this code has consumed. hint: [Xa0Demo]"}"#,
            "application/json",
        ))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// The member card the demo creates: a permanent gold card with points, built and validated
/// by the typed document API.
pub fn demo_member_card() -> Card {
    let base_info = BaseInfo::builder()
        .logo_url("https://mmbiz.qpic.cn/mmbiz/demo-logo/0")
        .brand_name("微信餐厅")
        .code_type(CodeType::QrCode)
        .title("金卡会员")
        .color(Color::Color010)
        .notice("使用时向服务员出示此卡")
        .description("不可与其他优惠同享")
        .date_info(DateInfo::permanent())
        .quantity(1000)
        .get_limit(1)
        .use_custom_code(true)
        .can_give_friend(false)
        .build()
        .expect("the demo card is valid");
    Card::new(MemberCard {
        background_pic_url: Some("https://mmbiz.qpic.cn/mmbiz/demo-background/0".into()),
        auto_activate: Some(true),
        ..MemberCard::new(base_info, "会员专享九折", true, false)
    })
}

/// A valid GROUPON card with the given title and brand (Chinese and emoji welcome).
pub fn groupon(title: &str, brand: &str) -> Card {
    let base_info = BaseInfo::builder()
        .logo_url("https://mmbiz.qpic.cn/mmbiz/demo-logo/0")
        .brand_name(brand)
        .code_type(CodeType::Text)
        .title(title)
        .color(Color::Color020)
        .notice("使用时向服务员出示此券")
        .description("不可与其他优惠同享")
        .date_info(DateInfo::fix_time_range(1_700_000_000, 1_710_000_000))
        .quantity(500)
        .build()
        .expect("a valid groupon");
    Card::groupon(base_info, "双人套餐")
}

/// The AppID of the mock-backed test clients.
pub const TEST_APPID: &str = "wxAPPID";
/// The AppSecret of the mock-backed test clients.
pub const TEST_SECRET: &str = "app-secret-xyz";
/// The Unix time the tests' manual clocks start at.
pub const T0: u64 = 1_700_000_000;

/// A token-endpoint answer carrying `token`, valid for 7200 s.
pub fn token_reply(token: &str) -> card_mock::Reply {
    card_mock::Reply::json(serde_json::json!({"access_token": token, "expires_in": 7200}))
}

/// A client on `mock` with the test credentials, the given clock and store, and instant waits.
pub fn mock_client_with(
    mock: &card_mock::MockTransport,
    clock: std::sync::Arc<card_core::clock::ManualClock>,
    store: std::sync::Arc<dyn card_core::TokenStore>,
) -> CardClient {
    CardClient::builder(mock.clone())
        .credentials(TEST_APPID, TEST_SECRET)
        .clock(clock)
        .token_store(store)
        .sleeper(card_core::sleep::NoSleep)
        .build()
        .expect("a valid client configuration")
}

/// A client on `mock` with the test credentials, a clock at [`T0`], its own token store and
/// instant waits.
pub fn mock_client(mock: &card_mock::MockTransport) -> CardClient {
    mock_client_with(
        mock,
        std::sync::Arc::new(card_core::clock::ManualClock::new(T0)),
        std::sync::Arc::new(card_core::MemoryTokenStore::new()),
    )
}

/// The card the recorded server's `card/create` last received, served back by `card/get`.
#[derive(Clone, Default)]
struct CardShelf(std::sync::Arc<std::sync::Mutex<Option<serde_json::Value>>>);

impl wiremock::Respond for CardShelf {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let mut shelf = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if request.url.path().ends_with("/card/create") {
            let created: serde_json::Value =
                serde_json::from_slice(&request.body).unwrap_or_default();
            let mut card = created["card"].clone();
            let answer: serde_json::Value =
                serde_json::from_str(recorded("card_create.json")).unwrap_or_default();
            let key = card["card_type"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if let Some(base_info) = card
                .get_mut(&key)
                .and_then(|body| body.get_mut("base_info"))
            {
                base_info["id"] = answer["card_id"].clone();
                base_info["status"] = "CARD_STATUS_NOT_VERIFY".into();
            }
            *shelf = Some(card);
            return recorded_answer("card_create.json");
        }
        match shelf.as_ref() {
            Some(card) => ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"errcode": 0, "errmsg": "ok", "card": card})),
            None => recorded_answer("card_get.discount.json"),
        }
    }
}

/// A plain-HTTP [`HyperTransport`] for servers on 127.0.0.1.
pub fn local_transport() -> HyperTransport {
    HyperTransport::builder()
        .allow_plain_http(true)
        .build()
        .expect("a default hyper transport builds")
}

/// A client on the real [`HyperTransport`] pointed at `server`, with the demo credentials.
pub fn client_for(server: &MockServer) -> CardClient {
    CardClient::builder(local_transport())
        .credentials(DEMO_APPID, DEMO_SECRET)
        .base_url(server.uri())
        .sleeper(card_hyper::TokioSleep)
        .build()
        .expect("a valid client configuration")
}

/// The README's Rust snippets, compiled and run as doctests so they cannot rot.
#[doc = include_str!("../README.md")]
#[allow(dead_code)]
struct ReadmeSnippets;
