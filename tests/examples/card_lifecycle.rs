//! The card lifecycle, end to end over real HTTP.
//!
//! With no configuration it starts a local server on 127.0.0.1 that answers with recorded WeChat
//! responses and drives the real `HyperTransport` through: access token → create a member card →
//! QR code → deposit codes → query a code → redeem it → redeem it again (WeChat answers 40099,
//! shown as the typed "already consumed" error) → read the card back.
//!
//! With `WECHAT_APPID` and `WECHAT_SECRET` set it runs only the read-only steps (token,
//! `batch_get`, `get`) against the real API.
//!
//! Run it with `cargo run --example card_lifecycle`. It exits non-zero if any step misbehaves.

use std::fmt::Display;
use std::process::ExitCode;

use card_core::{CardClient, Error};
use serde_json::json;

/// What a step printed, or why it misbehaved.
type Step<T> = Result<T, String>;

fn report<T>(number: u32, name: &str, outcome: &Step<T>, detail: impl Display) {
    match outcome {
        Ok(_) => println!("  {number}. {name:<28} ok    {detail}"),
        Err(why) => println!("  {number}. {name:<28} FAIL  {why}"),
    }
}

fn unexpected(e: Error) -> String {
    format!("unexpected error: {e}")
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match (
        std::env::var("WECHAT_APPID"),
        std::env::var("WECHAT_SECRET"),
    ) {
        (Ok(appid), Ok(secret)) if !appid.is_empty() && !secret.is_empty() => {
            read_only_against_wechat(appid, secret).await
        }
        _ => full_lifecycle_on_recorded_server().await,
    };
    match outcome {
        Ok(()) => {
            println!("\nall steps behaved as expected");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("\ndemo failed: {why}");
            ExitCode::FAILURE
        }
    }
}

async fn full_lifecycle_on_recorded_server() -> Step<()> {
    let server = card_tests::start_recorded_wechat().await;
    println!(
        "WeChat card lifecycle against recorded answers served at {}\n",
        server.uri()
    );
    let client = card_tests::client_for(&server);
    lifecycle(&client).await
}

async fn lifecycle(client: &CardClient) -> Step<()> {
    let token = client
        .token_provider()
        .access_token()
        .await
        .map_err(unexpected);
    report(
        1,
        "access token",
        &token,
        "fetched from /cgi-bin/token (value redacted)",
    );
    token?;

    let card = card_tests::demo_member_card();
    let card_id = client.create(&card).await.map_err(unexpected);
    report(
        2,
        "create member card",
        &card_id,
        card_id
            .as_ref()
            .map(|id| format!("card_id {id}"))
            .unwrap_or_default(),
    );
    let card_id = card_id?;

    let qr = json!({
        "action_name": "QR_CARD",
        "expire_seconds": 1800,
        "action_info": { "card": { "card_id": card_id, "is_unique_code": false, "outer_str": "demo" } }
    });
    let ticket = client.create_qrcode(&qr).await.map_err(unexpected);
    report(
        3,
        "QR code",
        &ticket,
        ticket
            .as_ref()
            .map(|t| format!("ticket {}…", t.chars().take(24).collect::<String>()))
            .unwrap_or_default(),
    );
    ticket?;

    let codes: Vec<String> = ["110201201245", "110201201246", "110201201247"]
        .map(String::from)
        .to_vec();
    let deposited = client
        .deposit_code(&card_id, codes.clone())
        .await
        .map_err(unexpected);
    report(
        4,
        "deposit codes",
        &deposited,
        format!("{} custom codes imported", codes.len()),
    );
    deposited?;

    let code = &codes[0];
    let info = client
        .get_code(code, Some(&card_id), true)
        .await
        .map_err(unexpected);
    let detail = info.as_ref().map(|i| {
        format!(
            "code {code}: can_consume={:?}, status={}",
            i.can_consume.unwrap_or(false),
            i.user_card_status
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        )
    });
    report(5, "get code", &info, detail.unwrap_or_default());
    if info?.can_consume != Some(true) {
        return Err("the code should be redeemable before its first redemption".into());
    }

    let consumed = client
        .consume_code(code, Some(&card_id))
        .await
        .map_err(unexpected);
    let detail = consumed
        .as_ref()
        .map(|c| format!("redeemed for {}", c.openid.as_deref().unwrap_or("?")))
        .unwrap_or_default();
    report(6, "consume code", &consumed, detail);
    consumed?;

    let again: Step<()> = match client.consume_code(code, Some(&card_id)).await {
        Err(e) if e.is_already_consumed() => Ok(()),
        Err(e) => Err(format!("expected 40099 already consumed, got {e}")),
        Ok(_) => Err("a second redemption of the same code succeeded".into()),
    };
    report(
        7,
        "consume code again",
        &again,
        "refused: 40099 code already consumed (Error::is_already_consumed)",
    );
    again?;

    read_card(8, client, &card_id).await
}

async fn read_card(number: u32, client: &CardClient, card_id: &str) -> Step<()> {
    let card = client.get(card_id).await.map_err(unexpected);
    let detail = card.as_ref().map(|c| {
        let title = c
            .base_info()
            .and_then(|b| b.title.as_deref())
            .unwrap_or("?");
        format!("{} \"{title}\"", c.card_type())
    });
    report(number, "get card", &card, detail.unwrap_or_default());
    card.map(drop)
}

async fn read_only_against_wechat(appid: String, secret: String) -> Step<()> {
    println!("WeChat card API, read-only steps against the real service for {appid}\n");
    let transport = card_hyper::HyperTransport::new().map_err(|e| e.to_string())?;
    let client = CardClient::builder(transport)
        .credentials(appid, secret)
        .sleeper(card_hyper::TokioSleep)
        .build()
        .map_err(unexpected)?;
    let token = client
        .token_provider()
        .access_token()
        .await
        .map_err(unexpected);
    report(1, "access token", &token, "fetched (value redacted)");
    token?;
    let page = client.batch_get(0, 10, None).await.map_err(unexpected);
    let detail = page.as_ref().map(|p| {
        format!(
            "{} cards in all, {} listed",
            p.total_num,
            p.card_id_list.len()
        )
    });
    report(2, "batch_get", &page, detail.unwrap_or_default());
    match page?.card_id_list.first() {
        Some(card_id) => read_card(3, &client, card_id).await,
        None => {
            println!("  3. get card                     skip  the account has no cards");
            Ok(())
        }
    }
}
