//! One process of the multi-process Redis tests (`tests/redis.rs` spawns several).
//!
//! It builds a `CardClient` over the real hyper transport, pointed at the test's local fake
//! WeChat, with a `RedisTokenStore` on the test's Redis, then either makes `--calls N`
//! concurrent `get_deposit_count` calls or reports a token rejection (`--invalidate TOKEN`, what
//! the client does on 40001). With `--wait-for-go` it prints `ready` once connected and waits
//! for a line on stdin before calling, so that the test can release every process at once.
//!
//! Prints `result ok=N err=M` (and the first errors) and exits 0 only if every call succeeded.

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use card_core::{CardClient, Secret, TokenEndpoint};
use card_hyper::{HyperTransport, TokioSleep};
use card_redis::RedisTokenStore;

/// The AppID the workers use (the key is `{prefix}:{APPID}:access_token`).
const APPID: &str = "wxWORKER00000000";
const SECRET: &str = "worker-secret-not-real";

#[derive(Debug, Default)]
struct Args {
    redis: String,
    prefix: String,
    base_url: String,
    calls: usize,
    lock_ttl_ms: u64,
    poll_ms: u64,
    stable: bool,
    invalidate: Option<String>,
    wait_for_go: bool,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        lock_ttl_ms: 15_000,
        poll_ms: 20,
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--redis" => args.redis = value()?,
            "--prefix" => args.prefix = value()?,
            "--base-url" => args.base_url = value()?,
            "--calls" => args.calls = value()?.parse().map_err(|e| format!("--calls: {e}"))?,
            "--lock-ttl-ms" => {
                args.lock_ttl_ms = value()?
                    .parse()
                    .map_err(|e| format!("--lock-ttl-ms: {e}"))?
            }
            "--poll-ms" => {
                args.poll_ms = value()?.parse().map_err(|e| format!("--poll-ms: {e}"))?
            }
            "--invalidate" => args.invalidate = Some(value()?),
            "--stable" => args.stable = true,
            "--wait-for-go" => args.wait_for_go = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.redis.is_empty() || args.base_url.is_empty() {
        return Err("--redis and --base-url are required".to_owned());
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("token-worker: {e}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            println!("setup-error {e}");
            ExitCode::from(3)
        }
    }
}

async fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let store = RedisTokenStore::builder(&args.redis)
        .key_prefix(&args.prefix)
        .connect()
        .await?;
    let transport = HyperTransport::builder().allow_plain_http(true).build()?;
    let client = CardClient::builder(transport)
        .credentials(APPID, SECRET)
        .base_url(&args.base_url)
        .token_endpoint(if args.stable {
            TokenEndpoint::StableToken
        } else {
            TokenEndpoint::Token
        })
        .token_store(Arc::new(store))
        .token_lock(
            Duration::from_millis(args.lock_ttl_ms),
            Duration::from_millis(args.poll_ms),
        )
        .sleeper(TokioSleep)
        .build()?;

    if args.wait_for_go {
        println!("ready");
        let mut line = String::new();
        tokio::task::spawn_blocking(move || std::io::stdin().lock().read_line(&mut line)).await??;
    }

    if let Some(rejected) = &args.invalidate {
        client
            .token_provider()
            .invalidate(&Secret::new(rejected.as_str()))
            .await?;
        println!("invalidated");
    }

    let calls: Vec<_> = (0..args.calls)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_deposit_count("pWORKER_CARD").await })
        })
        .collect();
    let (mut ok, mut errors) = (0usize, Vec::new());
    for call in calls {
        match call.await {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => errors.push(e.to_string()),
            Err(e) => errors.push(format!("task failed: {e}")),
        }
    }
    for e in errors.iter().take(5) {
        println!("error {e}");
    }
    println!("result ok={ok} err={}", errors.len());
    Ok(errors.is_empty())
}
