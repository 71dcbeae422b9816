//! Token contention: 10,000 concurrent calls on a client whose token cache is cold. All of
//! them need the access token at once; the cache must fetch it once and share it. Reports the
//! time until all 10,000 calls completed and the number of token fetches (which must be 1),
//! beside the same burst on a warm cache, so the difference is what the cold cache costs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use card_core::{CardClient, HttpRequest, HttpResponse, Transport, TransportError};
use card_mock::MockTransport;
use criterion::Criterion;

/// Calls in one burst.
const CALLS: usize = 10_000;
/// How long the token endpoint takes to answer: long enough that the whole burst arrives while
/// the first fetch is still out, as it would against WeChat.
const TOKEN_LATENCY: Duration = Duration::from_millis(2);
/// Bursts in the report after Criterion's measurement.
const REPORT_BURSTS: usize = 5;

/// The recorded mock, with a slow token endpoint that counts its fetches.
#[derive(Debug)]
struct SlowTokenEndpoint {
    mock: MockTransport,
    fetches: AtomicU64,
}

#[async_trait::async_trait]
impl Transport for SlowTokenEndpoint {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.uri().path() == "/cgi-bin/token" {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(TOKEN_LATENCY).await;
        }
        self.mock.send(request).await
    }
}

/// The state of the token cache when a burst starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cache {
    /// Nothing cached: the burst must fetch the token.
    Cold,
    /// One call already fetched the token before the burst.
    Warm,
}

/// One burst on a fresh client: the time from the start signal until the last of the calls
/// completed, and how many token fetches were made in all (1 either way).
async fn burst(cache: Cache) -> (Duration, u64) {
    let transport = Arc::new(SlowTokenEndpoint {
        mock: MockTransport::recorded(),
        fetches: AtomicU64::new(0),
    });
    let client = CardClient::builder(transport.clone())
        .credentials("wxBENCH0000000000", "bench-app-secret")
        .sleeper(card_hyper::TokioSleep)
        .build()
        .expect("a valid client configuration");
    if cache == Cache::Warm {
        client
            .consume_code(card_bench::CODE, Some(card_bench::CARD_ID))
            .await
            .expect("the warming call succeeds");
    }
    let (start, gate) = tokio::sync::watch::channel(false);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let (client, mut gate) = (client.clone(), gate.clone());
        calls.spawn(async move {
            gate.wait_for(|open| *open).await.expect("the gate opens");
            client
                .consume_code(card_bench::CODE, Some(card_bench::CARD_ID))
                .await
        });
    }
    let started = Instant::now();
    start.send_replace(true);
    while let Some(done) = calls.join_next().await {
        done.expect("a call panicked").expect("every call succeeds");
    }
    let elapsed = started.elapsed();
    let fetches = transport.fetches.load(Ordering::SeqCst);
    let logged = transport.mock.requests_to("/cgi-bin/token").len() as u64;
    assert_eq!(fetches, logged, "the mock saw every fetch");
    assert_eq!(
        fetches, 1,
        "{CALLS} calls on a cold cache made {fetches} token fetches"
    );
    (elapsed, fetches)
}

fn main() {
    // Contention needs parallelism: every core of the machine runs callers.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(10)
        .configure_from_args();
    for (cache, name) in [
        (Cache::Cold, "token/cold_cache_10000_concurrent_calls"),
        (Cache::Warm, "token/warm_cache_10000_concurrent_calls"),
    ] {
        criterion.bench_function(name, |b| {
            b.to_async(&rt).iter_custom(|bursts| async move {
                let mut total = Duration::ZERO;
                for _ in 0..bursts {
                    total += burst(cache).await.0;
                }
                total
            })
        });
    }

    if card_bench::report_wanted("token/cold_cache_10000_concurrent_calls") {
        println!("\ntoken: bursts of {CALLS} concurrent calls, cold and warm cache alternating");
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..REPORT_BURSTS {
            let (elapsed, fetches) = rt.block_on(burst(Cache::Cold));
            let (warm_elapsed, _) = rt.block_on(burst(Cache::Warm));
            println!(
                "  cold: all {CALLS} completed in {:>7.2} ms, token fetches: {fetches}   \
                 (warm: {:>7.2} ms)",
                elapsed.as_secs_f64() * 1e3,
                warm_elapsed.as_secs_f64() * 1e3,
            );
            cold.push(elapsed.as_secs_f64() * 1e3);
            warm.push(warm_elapsed.as_secs_f64() * 1e3);
        }
        let (cold, warm) = (card_bench::median(&mut cold), card_bench::median(&mut warm));
        println!(
            "  median cold {cold:.2} ms ({:.2} µs per call), warm {warm:.2} ms: cold - warm = \
             {:.2} ms, against {} ms of token endpoint latency",
            cold * 1e3 / CALLS as f64,
            cold - warm,
            TOKEN_LATENCY.as_millis()
        );
    }
    criterion.final_summary();
}
