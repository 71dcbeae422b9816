//! Our client over `HyperTransport` against the floor, a bare hyper-util client hand-building
//! the same `consume_code` exchange, both against the same local hyper server on 127.0.0.1:
//! one call at a time, and with 64 in flight.
//!
//! Criterion measures each of the four; then a paired report runs ours and the floor in
//! alternating batches (so drift on a shared machine hits both alike) and prints the ratio of
//! throughputs, the client thread's CPU per call and the allocations per call of each.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use card_bench::alloc::{self, CountingAlloc};
use card_bench::floor::Floor;
use card_bench::server::LocalServer;
use card_bench::{
    concurrent, hyper_client, measure_batch, median, recorded_bytes, sequential, Batch, CARD_ID,
    CODE, CONCURRENCY,
};
use card_core::CardClient;
use criterion::{Criterion, Throughput};
use tokio::runtime::Runtime;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Rounds of the paired report; each runs a batch of ours and a batch of the floor.
const ROUNDS: usize = 15;
/// Calls per batch in the paired report, one at a time.
const SEQUENTIAL_CALLS: u64 = 1_500;
/// Calls per batch in the paired report, 64 in flight.
const CONCURRENT_CALLS: u64 = 10_000;

async fn ours_call(client: CardClient) {
    let consumed = client
        .consume_code(CODE, Some(CARD_ID))
        .await
        .expect("our client: the recorded consume answer");
    black_box(consumed);
}

async fn floor_call(floor: Arc<Floor>) {
    let body = floor.consume().await.expect("floor: an answer");
    black_box(body);
}

/// Which side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Floor,
}

/// The two clients, and how to run a batch of calls on either.
struct Contenders {
    ours: CardClient,
    floor: Arc<Floor>,
}

impl Contenders {
    async fn sequential(&self, side: Side, calls: u64) -> Duration {
        match side {
            Side::Ours => sequential(calls, || ours_call(self.ours.clone())).await,
            Side::Floor => sequential(calls, || floor_call(self.floor.clone())).await,
        }
    }

    async fn concurrent(&self, side: Side, calls: u64) -> Duration {
        match side {
            Side::Ours => {
                let ours = self.ours.clone();
                concurrent(calls, CONCURRENCY, move || ours_call(ours.clone())).await
            }
            Side::Floor => {
                let floor = self.floor.clone();
                concurrent(calls, CONCURRENCY, move || floor_call(floor.clone())).await
            }
        }
    }

    fn batch(&self, rt: &Runtime, side: Side, in_flight: bool, calls: u64) -> Batch {
        if in_flight {
            measure_batch(rt, calls, self.concurrent(side, calls))
        } else {
            measure_batch(rt, calls, self.sequential(side, calls))
        }
    }
}

fn main() {
    let server = LocalServer::start().expect("a local server on 127.0.0.1");
    let base_url = server.base_url();
    // One thread drives the clients (their futures, hyper's connection tasks and the I/O
    // driver); the server has its own.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let contenders = Contenders {
        ours: hyper_client(&base_url),
        floor: Arc::new(Floor::new(&base_url)),
    };
    rt.block_on(async {
        // Both sides make the exchange once and get the recorded answer back.
        let consumed = contenders.ours.consume_code(CODE, Some(CARD_ID)).await;
        assert_eq!(consumed.expect("ours").card.expect("card").card_id, CARD_ID);
        let body = contenders.floor.consume().await.expect("floor");
        assert_eq!(body, recorded_bytes("card_code_consume.json"));
    });

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    let mut group = criterion.benchmark_group("http_consume_code");
    group.throughput(Throughput::Elements(1));
    for (in_flight, mode) in [(false, "sequential"), (true, "concurrent_64")] {
        for (side, name) in [(Side::Ours, "ours"), (Side::Floor, "floor")] {
            let contenders = &contenders;
            group.bench_function(format!("{mode}/{name}"), |b| {
                b.to_async(&rt).iter_custom(|calls| async move {
                    if in_flight {
                        contenders.concurrent(side, calls).await
                    } else {
                        contenders.sequential(side, calls).await
                    }
                })
            });
        }
    }
    group.finish();

    if card_bench::report_wanted("http_consume_code") {
        paired_report(&rt, &contenders);
        println!(
            "  (server answered {} consume requests in all)",
            server.consumes()
        );
    }
    criterion.final_summary();
}

fn paired_report(rt: &Runtime, contenders: &Contenders) {
    println!(
        "\nhttp_consume_code: paired report, median of {ROUNDS} rounds of alternating batches"
    );
    println!(
        "  {:<14} {:>9} {:>9} {:>8} {:>22} {:>9} {:>9} {:>9}",
        "mode",
        "ours µs",
        "floor µs",
        "ours/s",
        "ratio (min..max)",
        "ours CPU",
        "floor CPU",
        "CPU ratio"
    );
    for (in_flight, mode, calls) in [
        (false, "sequential", SEQUENTIAL_CALLS),
        (true, "concurrent_64", CONCURRENT_CALLS),
    ] {
        // Warm both pools to this concurrency first.
        contenders.batch(rt, Side::Ours, in_flight, calls / 10);
        contenders.batch(rt, Side::Floor, in_flight, calls / 10);
        let mut ours = Vec::new();
        let mut floor = Vec::new();
        for round in 0..ROUNDS {
            let order = if round % 2 == 0 {
                [Side::Ours, Side::Floor]
            } else {
                [Side::Floor, Side::Ours]
            };
            for side in order {
                let batch = contenders.batch(rt, side, in_flight, calls);
                match side {
                    Side::Ours => ours.push(batch),
                    Side::Floor => floor.push(batch),
                }
            }
        }
        // Throughput ratio per round: ours/floor = floor time per call / our time per call.
        let mut ratios: Vec<f64> = ours
            .iter()
            .zip(&floor)
            .map(|(o, f)| f.wall_us() / o.wall_us())
            .collect();
        let (low, high) = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        let ratio = median(&mut ratios);
        let ours_us = median(&mut ours.iter().map(Batch::wall_us).collect::<Vec<_>>());
        let floor_us = median(&mut floor.iter().map(Batch::wall_us).collect::<Vec<_>>());
        let cpu = |batches: &[Batch]| {
            let mut values: Vec<f64> = batches.iter().filter_map(Batch::cpu_us).collect();
            (!values.is_empty()).then(|| median(&mut values))
        };
        // The same ratio for the client thread's CPU per call: less disturbed by whatever
        // else runs on the machine, since time spent descheduled is not counted.
        let mut cpu_ratios: Vec<f64> = ours
            .iter()
            .zip(&floor)
            .filter_map(|(o, f)| Some(f.cpu_us()? / o.cpu_us()?))
            .collect();
        let shown = |value: Option<f64>, digits: usize| {
            value.map_or("n/a".to_owned(), |v| format!("{v:.digits$}"))
        };
        println!(
            "  {mode:<14} {ours_us:>9.2} {floor_us:>9.2} {:>8.0} {:>22} {:>9} {:>9} {:>9}",
            1e6 / ours_us,
            format!("{ratio:.3} ({low:.3}..{high:.3})"),
            shown(cpu(&ours), 1),
            shown(cpu(&floor), 1),
            shown((!cpu_ratios.is_empty()).then(|| median(&mut cpu_ratios)), 3),
        );
    }

    let per_call = |side| {
        alloc::per_call_in(SEQUENTIAL_CALLS, || {
            contenders.batch(rt, side, false, SEQUENTIAL_CALLS);
        })
    };
    for (side, name) in [(Side::Ours, "ours"), (Side::Floor, "floor")] {
        match per_call(side) {
            Some(stats) => println!("  allocations per call, {name:<5} (client thread): {stats}"),
            None => println!("  allocations per call, {name:<5}: not measured"),
        }
    }
}
