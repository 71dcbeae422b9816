//! Shared fixtures of the benchmarks: the local server, the bare-hyper floor, clients built the
//! way the benchmarks need them, a counting allocator, the thread CPU clock and small helpers to
//! measure batches of calls. The benchmarks themselves are in `benches/`; see `BENCHMARKS.md`
//! at the workspace root for how to run them and what they measure.

pub mod alloc;
pub mod cpu;
pub mod floor;
pub mod server;

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use card_core::{CardClient, ConsumeCode, FixedToken};
use card_hyper::{HyperTransport, TokioSleep};

/// The access token every benchmark client sends: made up, but as long as WeChat's (157
/// characters, of the same alphabet), since building and parsing the URI costs by the byte.
pub const TOKEN: &str = "83_UTyGJMuHbEL31IeL2HPcHyGcFRl1SPnXNYvMIkHa-2o76umfXfKm-r5kJP1VrT_1FJors-6ILieIHn5kxsC7tVO-HbkQfyy-KV5zjR3j1twdTKWJddB_XhkAS1voQG6yyzyN9zHYIa4UOrGNATMunDJawT";
/// The code redeemed (from `card_code_consume.request.json`).
pub const CODE: &str = "110201201245";
/// Its card (from `card_code_consume.request.json`).
pub const CARD_ID: &str = "pFS7Fjg8kV1IdDz01r4SQwMkuCKc";
/// How many calls are in flight in the concurrent HTTP benchmarks.
pub const CONCURRENCY: usize = 64;

/// A recorded answer shipped with card-mock; panics if there is no such file.
pub fn recorded(name: &str) -> &'static str {
    card_mock::recorded::get(name).unwrap_or_else(|| panic!("no recorded file {name}"))
}

/// A recorded answer as `Bytes` (no copy).
pub fn recorded_bytes(name: &str) -> Bytes {
    Bytes::from_static(recorded(name).as_bytes())
}

/// The `consume_code` request every benchmark sends.
pub fn consume_request() -> ConsumeCode {
    ConsumeCode {
        code: CODE.to_owned(),
        card_id: Some(CARD_ID.to_owned()),
    }
}

/// Our client on `HyperTransport` (plain HTTP allowed, default pool) pointed at `base_url`,
/// with a fixed token so no token fetch happens inside a measurement.
pub fn hyper_client(base_url: &str) -> CardClient {
    let transport = HyperTransport::builder()
        .allow_plain_http(true)
        .build()
        .expect("a hyper transport builds");
    CardClient::builder(transport)
        .access_token_provider(FixedToken::new(TOKEN))
        .base_url(base_url)
        .sleeper(TokioSleep)
        .build()
        .expect("a valid client configuration")
}

/// Our client on any transport, with a fixed token.
pub fn client_on(transport: impl card_core::Transport) -> CardClient {
    CardClient::builder(transport)
        .access_token_provider(FixedToken::new(TOKEN))
        .build()
        .expect("a valid client configuration")
}

/// Run `calls` calls one after another; the time they took.
pub async fn sequential<F, Fut>(calls: u64, call: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let started = Instant::now();
    for _ in 0..calls {
        call().await;
    }
    started.elapsed()
}

/// Run `calls` calls with `width` of them in flight (one task per slot, each making its share
/// one after another); the time until the last one finished. Needs a Tokio runtime.
pub async fn concurrent<F, Fut>(calls: u64, width: usize, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let width = width.max(1) as u64;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for slot in 0..width {
        let share = calls / width + u64::from(slot < calls % width);
        if share == 0 {
            continue;
        }
        let call = call.clone();
        tasks.spawn(async move {
            for _ in 0..share {
                call().await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a benchmark task panicked");
    }
    started.elapsed()
}

/// Wall and thread-CPU time of one batch of calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batch {
    /// Calls made.
    pub calls: u64,
    /// Wall-clock time of the batch.
    pub wall: Duration,
    /// CPU time the measuring thread used during the batch (`None` without a thread CPU clock).
    pub cpu: Option<Duration>,
}

impl Batch {
    /// Wall-clock microseconds per call.
    pub fn wall_us(&self) -> f64 {
        self.wall.as_secs_f64() * 1e6 / self.calls as f64
    }

    /// Thread-CPU microseconds per call.
    pub fn cpu_us(&self) -> Option<f64> {
        self.cpu
            .map(|cpu| cpu.as_secs_f64() * 1e6 / self.calls as f64)
    }
}

/// Measure `run` (which makes `calls` calls on a current-thread runtime driven by this thread),
/// reading the thread's CPU clock around it.
pub fn measure_batch(
    runtime: &tokio::runtime::Runtime,
    calls: u64,
    run: impl Future<Output = Duration>,
) -> Batch {
    let cpu_before = cpu::thread_cpu_time();
    let wall = runtime.block_on(run);
    let cpu = match (cpu_before, cpu::thread_cpu_time()) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before)),
        _ => None,
    };
    Batch { calls, wall, cpu }
}

/// The median of some measurements (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> f64 {
    assert!(!values.is_empty(), "median of nothing");
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Whether a bench binary's extra report named `name` should run: not when Criterion is only
/// listing or smoke-testing (`--list`, `--test`), and, given a filter, only when `name`
/// contains it (the same substring rule as Criterion's filter).
pub fn report_wanted(name: &str) -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return false;
    }
    // Criterion's options that take a value; whatever follows them is not the filter.
    const WITH_VALUE: &[&str] = &[
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--profile-time",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--format",
    ];
    let mut filter = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            filter = Some(arg.as_str());
            break;
        }
    }
    filter.is_none_or(|filter| name.contains(filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn ours_and_the_floor_make_the_same_exchange() {
        let server = server::LocalServer::start().unwrap();
        let ours = hyper_client(&server.base_url());
        let floor = floor::Floor::new(&server.base_url());
        runtime().block_on(async {
            let consumed = ours.consume_code(CODE, Some(CARD_ID)).await.unwrap();
            assert_eq!(consumed.card.unwrap().card_id, CARD_ID);
            assert_eq!(
                floor.consume().await.unwrap(),
                recorded_bytes("card_code_consume.json")
            );
        });
        assert_eq!(server.consumes(), 2);
        assert_eq!(server.token_fetches(), 0);
    }

    #[test]
    fn concurrent_makes_every_call() {
        let rt = runtime();
        let made = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = made.clone();
        rt.block_on(concurrent(1000, CONCURRENCY, move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 1000);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn the_allocator_is_not_installed_in_the_test_binary() {
        // Only the bench binaries install it; per_call says so instead of reporting zeros.
        assert!(alloc::per_call(10, || drop(Box::new(1u8))).is_none());
    }
}
