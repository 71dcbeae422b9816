//! The Redis token store against a real `redis-server` (each test starts its own, on
//! 127.0.0.1), with client processes spawned from the `token-worker` binary and a local fake
//! WeChat that counts token fetches and accepts only the token it issued last.
//!
//! Counts and outcomes are asserted, never durations; every wait is bounded.

mod redis_server;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use card_core::token::{FallbackTokenStore, StoredToken, TokenStore};
use card_core::{CardClient, Secret};
use card_hyper::TokioSleep;
use card_redis::RedisTokenStore;
use card_tests::local_transport;
use redis::Commands;
use redis_server::RedisServer;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The AppID `token-worker` uses.
const WORKER_APPID: &str = "wxWORKER00000000";
/// A bound on any one wait: generous, so a loaded machine is slow rather than failing.
const PATIENCE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// A fake WeChat: token endpoints that count fetches, and one card endpoint that accepts only
// the token issued last (as WeChat does once the grace period of the previous one is over).

/// One token fetch the fake served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// `GET /cgi-bin/token`.
    Token,
    /// `POST /cgi-bin/stable_token` with its `force_refresh`.
    Stable { force: bool },
}

#[derive(Default)]
struct State {
    minted: usize,
    current: Option<String>,
    fetches: Vec<Fetch>,
    accepted: usize,
    rejected: usize,
    /// Never answer the first fetch (its caller is to be killed while waiting).
    hang_first_fetch: bool,
    /// Answer fetches this late, so that concurrent callers pile up behind the first one.
    fetch_delay: Duration,
}

#[derive(Clone)]
struct FakeWeChat {
    server: Arc<MockServer>,
    state: Arc<Mutex<State>>,
}

struct Responder(Arc<Mutex<State>>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        match request.url.path() {
            "/card/code/getdepositcount" => {
                let token = request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "access_token")
                    .map(|(_, v)| v.into_owned());
                if token.is_some() && token == state.current {
                    state.accepted += 1;
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"errcode": 0, "errmsg": "ok", "count": 7}))
                } else {
                    state.rejected += 1;
                    ResponseTemplate::new(200).set_body_json(json!({
                        "errcode": 40001,
                        "errmsg": "invalid credential, access_token is invalid or not latest"
                    }))
                }
            }
            endpoint => {
                let fetch = if endpoint == "/cgi-bin/stable_token" {
                    let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
                    Fetch::Stable {
                        force: body["force_refresh"] == json!(true),
                    }
                } else {
                    Fetch::Token
                };
                state.fetches.push(fetch);
                // stable_token without force hands back the token in force, like WeChat.
                let reuse = fetch == Fetch::Stable { force: false } && state.current.is_some();
                if !reuse {
                    state.minted += 1;
                    state.current = Some(format!("TOKEN-{}", state.minted));
                }
                let answer = ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": state.current, "expires_in": 7200}));
                if state.hang_first_fetch && state.fetches.len() == 1 {
                    answer.set_delay(Duration::from_secs(3600))
                } else {
                    answer.set_delay(state.fetch_delay)
                }
            }
        }
    }
}

impl FakeWeChat {
    async fn start(hang_first_fetch: bool, fetch_delay: Duration) -> Self {
        let server = MockServer::builder().start().await;
        let state = Arc::new(Mutex::new(State {
            hang_first_fetch,
            fetch_delay,
            ..State::default()
        }));
        for (verb, endpoint) in [
            ("GET", "/cgi-bin/token"),
            ("POST", "/cgi-bin/stable_token"),
            ("POST", "/card/code/getdepositcount"),
        ] {
            Mock::given(method(verb))
                .and(path(endpoint))
                .respond_with(Responder(state.clone()))
                .mount(&server)
                .await;
        }
        Self {
            server: Arc::new(server),
            state,
        }
    }

    fn uri(&self) -> String {
        self.server.uri()
    }

    fn fetches(&self) -> Vec<Fetch> {
        self.state.lock().unwrap().fetches.clone()
    }

    fn current(&self) -> Option<String> {
        self.state.lock().unwrap().current.clone()
    }

    fn accepted(&self) -> usize {
        self.state.lock().unwrap().accepted
    }

    fn rejected(&self) -> usize {
        self.state.lock().unwrap().rejected
    }

    /// WeChat stops accepting the current token (retired by a fetch elsewhere, say).
    fn revoke(&self) {
        self.state.lock().unwrap().current = None;
    }
}

// ---------------------------------------------------------------------------------------------
// Worker processes.

/// A unique key prefix per test, so that no two tests can share a key even on one server.
fn prefix(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("test-{test}-{}-{nanos}", std::process::id())
}

fn worker(redis: &RedisServer, prefix: &str, wechat: &FakeWeChat, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_token-worker"));
    cmd.args(["--redis", &redis.url()])
        .args(["--prefix", prefix])
        .args(["--base-url", &wechat.uri()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    cmd
}

/// A worker started with `--wait-for-go`, connected and waiting.
struct Ready {
    child: Child,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

async fn start_ready(mut cmd: Command) -> Ready {
    let mut child = cmd
        .arg("--wait-for-go")
        .spawn()
        .expect("spawn token-worker");
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(PATIENCE, stdout.next_line())
        .await
        .expect("worker ready in time")
        .unwrap();
    assert_eq!(line.as_deref(), Some("ready"), "worker did not start");
    Ready { child, stdout }
}

/// What a worker printed and whether it succeeded.
#[derive(Debug)]
struct Outcome {
    success: bool,
    ok: usize,
    output: String,
}

impl Ready {
    async fn go(&mut self) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"go\n").await.unwrap();
        stdin.flush().await.unwrap();
    }

    async fn finish(mut self) -> Outcome {
        let mut output = String::new();
        let read_all = async {
            while let Some(line) = self.stdout.next_line().await.unwrap() {
                output.push_str(&line);
                output.push('\n');
            }
            self.child.wait().await.unwrap()
        };
        let status = tokio::time::timeout(PATIENCE, read_all)
            .await
            .expect("worker finished in time");
        let ok = output
            .lines()
            .find_map(|l| l.strip_prefix("result ok="))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Outcome {
            success: status.success(),
            ok,
            output,
        }
    }
}

async fn run_worker(cmd: Command) -> Outcome {
    let mut ready = start_ready(cmd).await;
    ready.go().await;
    ready.finish().await
}

fn access_token_key(prefix: &str) -> String {
    format!("{prefix}:{WORKER_APPID}:access_token")
}

/// The token stored in Redis under `key`, read raw.
fn stored_token(redis: &RedisServer, key: &str) -> Option<String> {
    let raw: Option<String> = redis.connection().get(key).unwrap();
    raw.map(|raw| {
        let value: Value = serde_json::from_str(&raw).unwrap();
        value["v"].as_str().unwrap().to_owned()
    })
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Many processes, one token.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_of_a_hundred_calls_make_one_fetch() {
    let redis = RedisServer::start();
    // A slow token answer, so the calls of every process pile up behind the one fetch.
    let wechat = FakeWeChat::start(false, Duration::from_millis(500)).await;
    let prefix = prefix("eight");

    let mut workers = Vec::new();
    for _ in 0..8 {
        workers.push(start_ready(worker(&redis, &prefix, &wechat, &["--calls", "100"])).await);
    }
    // Cold store, every process connected: release them all at once.
    assert_eq!(stored_token(&redis, &access_token_key(&prefix)), None);
    for w in &mut workers {
        w.go().await;
    }
    let mut total_ok = 0;
    for w in workers {
        let outcome = w.finish().await;
        assert!(outcome.success, "{}", outcome.output);
        total_ok += outcome.ok;
    }

    let fetches = wechat.fetches();
    eprintln!(
        "8 processes: {total_ok} calls succeeded, {} token fetch(es)",
        fetches.len()
    );
    assert_eq!(total_ok, 800);
    assert_eq!(fetches, [Fetch::Token], "exactly one fetch for 800 calls");
    assert_eq!(wechat.accepted(), 800);
    assert_eq!(wechat.rejected(), 0);
    assert_eq!(
        stored_token(&redis, &access_token_key(&prefix)),
        wechat.current()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_holding_the_lock_costs_one_more_fetch_after_it_lapses() {
    let redis = RedisServer::start();
    let wechat = FakeWeChat::start(true, Duration::ZERO).await;
    let prefix = prefix("crash");
    let lock_key = format!("{}:lock", access_token_key(&prefix));
    let lock_ttl = ["--lock-ttl-ms", "5000"];

    // The victim takes the lock and fetches; the fake never answers that fetch.
    let mut victim = start_ready(worker(
        &redis,
        &prefix,
        &wechat,
        &[&["--calls", "1"][..], &lock_ttl].concat(),
    ))
    .await;
    victim.go().await;
    wait_until("the victim's fetch", || wechat.fetches().len() == 1).await;
    let held: bool = redis.connection().exists(&lock_key).unwrap();
    assert!(held, "the victim holds the refresh lock while it fetches");

    // The others connect while the lock is held, then the victim dies without releasing it.
    let mut others = Vec::new();
    for _ in 0..7 {
        others.push(
            start_ready(worker(
                &redis,
                &prefix,
                &wechat,
                &[&["--calls", "100"][..], &lock_ttl].concat(),
            ))
            .await,
        );
    }
    victim.child.start_kill().unwrap();
    let status = tokio::time::timeout(PATIENCE, victim.child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(!status.success(), "the victim was killed");
    for w in &mut others {
        w.go().await;
    }
    let mut total_ok = 0;
    for w in others {
        let outcome = w.finish().await;
        assert!(outcome.success, "{}", outcome.output);
        total_ok += outcome.ok;
    }

    let fetches = wechat.fetches();
    eprintln!(
        "crash: {total_ok} calls succeeded after the holder died, {} token fetch(es) in all",
        fetches.len()
    );
    assert_eq!(total_ok, 700);
    assert_eq!(
        fetches,
        [Fetch::Token, Fetch::Token],
        "the dead holder's fetch, then exactly one more"
    );
    assert_eq!(wechat.accepted(), 700);
    let lock_left: bool = redis.connection().exists(&lock_key).unwrap();
    assert!(!lock_left, "the survivor released the lock");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_invalidation_does_not_discard_the_token_another_process_stored() {
    let redis = RedisServer::start();
    let wechat = FakeWeChat::start(false, Duration::ZERO).await;
    let prefix = prefix("late");
    let key = access_token_key(&prefix);
    let stable = ["--stable"];

    // Process 1 fetches the first token.
    let first = run_worker(worker(
        &redis,
        &prefix,
        &wechat,
        &[&["--calls", "1"][..], &stable].concat(),
    ))
    .await;
    assert!(first.success, "{}", first.output);
    assert_eq!(stored_token(&redis, &key).as_deref(), Some("TOKEN-1"));

    // WeChat stops accepting it. Process 2 is rejected, forgets TOKEN-1, and stores TOKEN-2
    // (one forced stable_token fetch), then its retry succeeds.
    wechat.revoke();
    let second = run_worker(worker(
        &redis,
        &prefix,
        &wechat,
        &[&["--calls", "1"][..], &stable].concat(),
    ))
    .await;
    assert!(second.success, "{}", second.output);
    assert_eq!(stored_token(&redis, &key).as_deref(), Some("TOKEN-2"));

    // Process 3 learns of TOKEN-1's rejection only now (its call had been in flight) and
    // reports it, as the client does on 40001: TOKEN-2 must survive, and its calls use it.
    let late = run_worker(worker(
        &redis,
        &prefix,
        &wechat,
        &[&["--invalidate", "TOKEN-1", "--calls", "50"][..], &stable].concat(),
    ))
    .await;
    assert!(late.success, "{}", late.output);
    assert!(late.output.contains("invalidated"), "{}", late.output);
    assert_eq!(stored_token(&redis, &key).as_deref(), Some("TOKEN-2"));

    let fetches = wechat.fetches();
    eprintln!("late invalidation: token fetches {fetches:?}");
    assert_eq!(
        fetches,
        [
            Fetch::Stable { force: false },
            Fetch::Stable { force: true }
        ],
        "one ordinary fetch, one forced fetch after the rejection, none for the late report"
    );
    assert_eq!(wechat.rejected(), 1);
    assert_eq!(wechat.accepted(), 1 + 1 + 50);
}

// ---------------------------------------------------------------------------------------------
// Redis going away, in this process.

fn client_on(wechat: &FakeWeChat, store: Arc<dyn TokenStore>) -> CardClient {
    CardClient::builder(local_transport())
        .credentials(WORKER_APPID, "in-process-secret")
        .base_url(wechat.uri())
        .token_store(store)
        .token_lock(Duration::from_secs(5), Duration::from_millis(20))
        .sleeper(TokioSleep)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_is_a_typed_error_and_calls_recover_when_it_returns() {
    let mut redis = RedisServer::start();
    let wechat = FakeWeChat::start(false, Duration::ZERO).await;
    let store = RedisTokenStore::builder(redis.url())
        .key_prefix(prefix("down"))
        .connect()
        .await
        .unwrap();
    let client = client_on(&wechat, Arc::new(store));
    client.get_deposit_count("C").await.unwrap();

    redis.stop();
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_deposit_count("C").await })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("no panic").expect_err("no token store");
        assert!(err.is_token_store(), "{err:?}");
        assert!(err.to_string().contains("Redis"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }
    assert_eq!(
        wechat.accepted(),
        1,
        "nothing reached WeChat without a token"
    );
    assert_eq!(wechat.fetches().len(), 1, "no fetch bypassed the store");

    redis.restart();
    // The connection comes back by itself; calls succeed again (the new server is empty, so
    // one of them fetches a token).
    let deadline = Instant::now() + PATIENCE;
    let mut failures = 0;
    loop {
        match client.get_deposit_count("C").await {
            Ok(_) => break,
            Err(e) => {
                assert!(e.is_token_store(), "{e:?}");
                assert!(Instant::now() < deadline, "no recovery: {e}");
                failures += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    for _ in 0..10 {
        client.get_deposit_count("C").await.unwrap();
    }
    eprintln!("redis down: recovered after {failures} failed call(s)");
    assert_eq!(wechat.fetches().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_opt_in_fallback_calls_go_on_from_memory_while_redis_is_down() {
    let mut redis = RedisServer::start();
    let wechat = FakeWeChat::start(false, Duration::ZERO).await;
    let redis_store = RedisTokenStore::builder(redis.url())
        .key_prefix(prefix("fallback"))
        .connect()
        .await
        .unwrap();
    let store = Arc::new(
        FallbackTokenStore::new(Arc::new(redis_store)).retry_primary_after(Duration::ZERO),
    );
    let client = client_on(&wechat, store.clone());
    client.get_deposit_count("C").await.unwrap();

    redis.stop();
    for _ in 0..5 {
        client.get_deposit_count("C").await.unwrap();
    }
    assert!(store.is_degraded());
    assert_eq!(
        wechat.fetches().len(),
        1,
        "the mirrored token kept serving, no refetch"
    );

    redis.restart();
    let deadline = Instant::now() + PATIENCE;
    while store.is_degraded() {
        assert!(Instant::now() < deadline, "the fallback never left");
        client.get_deposit_count("C").await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    client.get_deposit_count("C").await.unwrap();
    assert_eq!(wechat.rejected(), 0);
}

#[tokio::test]
async fn connecting_to_a_dead_redis_is_a_typed_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = RedisTokenStore::builder(format!("redis://127.0.0.1:{port}"))
        .reconnect_retries(0)
        .connect()
        .await
        .unwrap_err();
    assert!(err.is_token_store(), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// The store's operations, on a real server.

fn token(value: &str, expires_at: u64) -> StoredToken {
    StoredToken {
        value: Secret::new(value),
        expires_at,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_operations_on_a_real_server() {
    let redis = RedisServer::start();
    let prefix = prefix("ops");
    // Two stores, two connections: as two processes would see it.
    let a = RedisTokenStore::builder(redis.url())
        .key_prefix(&prefix)
        .connect()
        .await
        .unwrap();
    let b = RedisTokenStore::builder(redis.url())
        .key_prefix(&prefix)
        .connect()
        .await
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let key = "wxOPS:access_token";

    // One key holds the token and its absolute expiry; Redis expires it at that second.
    assert_eq!(a.get(key).await.unwrap(), None);
    a.put(key, token("T1", now + 7200)).await.unwrap();
    assert_eq!(b.get(key).await.unwrap(), Some(token("T1", now + 7200)));
    let mut conn = redis.connection();
    let raw: String = conn.get(format!("{prefix}:{key}")).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&raw).unwrap(),
        json!({"v": "T1", "exp": now + 7200})
    );
    let ttl: i64 = conn.ttl(format!("{prefix}:{key}")).unwrap();
    assert!(
        (1..=7200).contains(&ttl),
        "Redis expires the key with the token: {ttl}"
    );

    // Compare-and-delete removes only the token it names.
    assert!(!b.compare_and_delete(key, &Secret::new("T0")).await.unwrap());
    assert_eq!(a.get(key).await.unwrap(), Some(token("T1", now + 7200)));
    assert!(b.compare_and_delete(key, &Secret::new("T1")).await.unwrap());
    assert_eq!(a.get(key).await.unwrap(), None);
    assert!(!b.compare_and_delete(key, &Secret::new("T1")).await.unwrap());

    // One lock holder at a time; only the holder's id releases it.
    let lock = "wxOPS:access_token:lock";
    let held = a
        .try_lock(lock, Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        b.try_lock(lock, Duration::from_secs(30)).await.unwrap(),
        None
    );
    b.unlock(lock, card_core::token::LockId(held.0.wrapping_add(1)))
        .await
        .unwrap();
    assert_eq!(
        b.try_lock(lock, Duration::from_secs(30)).await.unwrap(),
        None
    );
    a.unlock(lock, held).await.unwrap();
    let again = b
        .try_lock(lock, Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    b.unlock(lock, again).await.unwrap();

    // A lock nobody releases lapses by itself.
    a.try_lock(lock, Duration::from_millis(300))
        .await
        .unwrap()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(id) = b.try_lock(lock, Duration::from_secs(30)).await.unwrap() {
            b.unlock(lock, id).await.unwrap();
            break;
        }
        assert!(Instant::now() < deadline, "the lock never lapsed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Prefixes keep apps and environments apart.
    let other = RedisTokenStore::builder(redis.url())
        .key_prefix(format!("{prefix}-other"))
        .connect()
        .await
        .unwrap();
    a.put(key, token("T2", now + 7200)).await.unwrap();
    assert_eq!(other.get(key).await.unwrap(), None);

    // A value this crate did not write is absent (and overwritten by the next refresh).
    let _: () = conn.set(format!("{prefix}:{key}"), "not json").unwrap();
    assert_eq!(a.get(key).await.unwrap(), None);
    assert!(!a.compare_and_delete(key, &Secret::new("T2")).await.unwrap());
}
