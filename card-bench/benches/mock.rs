//! Mock: a whole client call through `MockTransport` (what one call in a mock-backed unit test
//! costs), beside the same call through a bare closure transport (the client alone), and the
//! cost of standing a recorded mock and its client up, which every test pays once.

use std::hint::black_box;
use std::time::{Duration, Instant};

use card_bench::alloc::{self, CountingAlloc};
use card_bench::{client_on, recorded_bytes, CARD_ID, CODE};
use card_core::{transport_fn, CardClient, HttpRequest};
use card_mock::MockTransport;
use criterion::{Criterion, Throughput};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Calls in the loops that count allocations.
const ALLOC_CALLS: u64 = 10_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A client whose transport is a closure answering the recorded consume answer: no matching,
/// no log.
fn closure_client() -> CardClient {
    let answer = recorded_bytes("card_code_consume.json");
    client_on(transport_fn(move |_request: HttpRequest| {
        let answer = answer.clone();
        async move { Ok(http::Response::new(answer)) }
    }))
}

/// What a fresh test does first: a recorded mock and a client on it.
fn stand_up() -> (MockTransport, CardClient) {
    let mock = MockTransport::recorded();
    let client = client_on(mock.clone());
    (mock, client)
}

async fn consume(client: &CardClient) {
    let consumed = client
        .consume_code(CODE, Some(CARD_ID))
        .await
        .expect("the recorded consume answer");
    black_box(consumed);
}

fn main() {
    let rt = runtime();
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();

    let (mock, mock_client) = stand_up();
    let bare_client = closure_client();

    let mut group = criterion.benchmark_group("mock");
    group.throughput(Throughput::Elements(1));
    group.bench_function("consume_code/mock_transport", |b| {
        b.to_async(&rt).iter_custom(|calls| {
            let (mock, client) = (mock.clone(), mock_client.clone());
            async move {
                // The mock logs every request; start each batch with an empty log so that a long
                // run does not measure an ever-growing log.
                mock.clear_requests();
                let started = Instant::now();
                for _ in 0..calls {
                    consume(&client).await;
                }
                started.elapsed()
            }
        })
    });
    group.bench_function("consume_code/closure_transport", |b| {
        b.to_async(&rt).iter(|| consume(&bare_client))
    });
    group.bench_function("stand_up/recorded_mock_and_client", |b| {
        b.iter(|| black_box(stand_up()))
    });
    group.finish();

    if card_bench::report_wanted("mock") {
        println!("\nmock: allocations per call, {ALLOC_CALLS} calls each");
        mock.clear_requests();
        let rows = [
            (
                "consume_code/mock_transport",
                alloc::per_call_in(ALLOC_CALLS, || {
                    rt.block_on(card_bench::sequential(ALLOC_CALLS, || {
                        consume(&mock_client)
                    }));
                }),
            ),
            (
                "consume_code/closure_transport",
                alloc::per_call_in(ALLOC_CALLS, || {
                    rt.block_on(card_bench::sequential(ALLOC_CALLS, || {
                        consume(&bare_client)
                    }));
                }),
            ),
            (
                "stand_up/recorded_mock_and_client",
                alloc::per_call(1_000, || drop(black_box(stand_up()))),
            ),
        ];
        for (name, stats) in rows {
            match stats {
                Some(stats) => println!("  {name:<36} {stats}"),
                None => println!("  {name:<36} not measured (no counting allocator)"),
            }
        }
        mock.clear_requests();
    }
    criterion.final_summary();
}
