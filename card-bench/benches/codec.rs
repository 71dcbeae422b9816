//! Codec: build a request, encode it, and decode its recorded answer: the CPU work our client
//! adds to every call, with no transport at all.
//!
//! Each operation is one small function below that calls [`codec_case`]; add a line to
//! [`CASES`] for a new one.

use std::hint::black_box;
use std::time::Duration;

use card_bench::alloc::{self, AllocStats, CountingAlloc};
use card_core::codec::{decode_response, encode_json};
use card_core::{
    ConsumeCode, GetCard, GetCode, MemberUpdate, NotifyOptional, Operation, UpdateMemberCard,
};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use http::StatusCode;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Calls in the loop that counts allocations.
const ALLOC_CALLS: u64 = 10_000;

/// The operations benchmarked, in report order.
const CASES: &[fn(&mut Cases<'_>)] = &[get_code, consume_code, update_membercard, get_card];

fn get_code(cases: &mut Cases<'_>) {
    cases.add(
        "get_code",
        || GetCode {
            code: "123456789".to_owned(),
            card_id: Some("card_id_123+".to_owned()),
            check_consume: true,
        },
        "card_code_get.json",
    );
}

fn consume_code(cases: &mut Cases<'_>) {
    cases.add(
        "consume_code",
        || ConsumeCode {
            code: card_bench::CODE.to_owned(),
            card_id: Some(card_bench::CARD_ID.to_owned()),
        },
        "card_code_consume.json",
    );
}

/// `card/membercard/updateuser` with the fields of the recorded request: absolute and delta
/// points and balance, their records, custom fields and notification flags.
fn update_membercard(cases: &mut Cases<'_>) {
    cases.add(
        "update_membercard",
        || UpdateMemberCard {
            changes: MemberUpdate {
                background_pic_url: Some("https://mmbiz.qlogo.cn/mmbiz/0?wx_fmt=jpeg".to_owned()),
                record_bonus: Some("消费30元，获得3积分".to_owned()),
                bonus: Some(3000),
                add_bonus: Some(30),
                balance: Some(3000),
                add_balance: Some(-30),
                record_balance: Some("购买焦糖玛琪朵一杯，扣除金额30元。".to_owned()),
                custom_field_value1: Some("xxxxx".to_owned()),
                custom_field_value2: Some("xxxxx".to_owned()),
                notify_optional: Some(NotifyOptional {
                    is_notify_bonus: Some(true),
                    is_notify_balance: Some(true),
                    is_notify_custom_field1: Some(true),
                    ..NotifyOptional::default()
                }),
                ..MemberUpdate::default()
            },
            code: "179011264953".to_owned(),
            card_id: card_bench::CARD_ID.to_owned(),
        },
        "card_membercard_updateuser.json",
    );
}

/// `card/get` on the largest recorded answer, a whole DISCOUNT card document, decoded into the
/// typed `Card`.
fn get_card(cases: &mut Cases<'_>) {
    cases.add(
        "get_card",
        || GetCard {
            card_id: card_bench::CARD_ID.to_owned(),
        },
        "card_get.discount.json",
    );
}

/// The Criterion group and the allocation figures gathered beside it.
struct Cases<'a> {
    group: BenchmarkGroup<'a, WallTime>,
    allocations: Vec<(&'static str, usize, Option<AllocStats>)>,
}

impl Cases<'_> {
    /// Benchmark one operation: `build` its request, validate and encode it as the client does,
    /// then decode `answer_file` (a recorded answer) into the operation's typed response.
    fn add<O: Operation>(&mut self, name: &'static str, build: fn() -> O, answer_file: &str) {
        let answer = card_bench::recorded(answer_file).as_bytes();
        let call = || {
            let request = build();
            request.validate().expect("a valid request");
            let body = encode_json(black_box(&request)).expect("encodable");
            black_box(body);
            let response = decode_response::<O::Response>(StatusCode::OK, black_box(answer))
                .expect("the recorded answer decodes");
            black_box(response);
        };
        self.group
            .throughput(Throughput::Bytes(answer.len() as u64));
        self.group.bench_function(name, |b| b.iter(call));
        if card_bench::report_wanted(&format!("codec/{name}")) {
            let stats = alloc::per_call(ALLOC_CALLS, call);
            self.allocations.push((name, answer.len(), stats));
        }
    }
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let allocations = {
        let mut cases = Cases {
            group: criterion.benchmark_group("codec"),
            allocations: Vec::new(),
        };
        for case in CASES {
            case(&mut cases);
        }
        cases.group.finish();
        cases.allocations
    };

    if !allocations.is_empty() {
        println!("\ncodec: allocations per call (build + encode + decode), {ALLOC_CALLS} calls");
        for (name, answer_len, stats) in allocations {
            match stats {
                Some(stats) => println!("  {name:<20} answer {answer_len:>5} B   {stats}"),
                None => println!("  {name:<20} not measured (no counting allocator)"),
            }
        }
    }
    criterion.final_summary();
}
