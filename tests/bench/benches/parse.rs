//! Parse throughput of `GET /attachments` bodies (MB/s of input), every parser on the same bytes
//! in the same run:
//!
//! - `zulip-types`: `GetAttachmentsResponse::try_from_http_response`, status and `result`
//!   checked, timestamps read in the unit of the server's feature level (what `zulip-hyper`
//!   does once it knows the server);
//! - `zulip-types-borrowed`: `GetAttachmentsResponseRef::try_from_http_response` (names and
//!   paths borrowed from the body where they have no escapes);
//! - `baseline`: the naive serde_json structs of `zulip_bench::naive`;
//! - `ignored-any`: `serde::de::IgnoredAny`, serde_json validating only (the ceiling).
//!
//! Time is the benchmark thread's CPU time (see `zulip_bench::clock`; `ZULIP_BENCH_CLOCK=wall`
//! for wall-clock time, reported as `parse-wall/...`).
//!
//! `cargo bench -p zulip-bench --bench parse`; `tests/perf/criterion_report.py` turns the
//! results into the tables of `docs/performance.md`. Pass a filter to run a part, e.g.
//! `cargo bench -p zulip-bench --bench parse -- 100000`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use serde::de::IgnoredAny;
use zulip_bench::clock::{BenchClock, Clock};
use zulip_bench::naive::Naive;
use zulip_bench::parse_cases;
use zulip_types::{
    FeatureLevel, GetAttachmentsResponse, GetAttachmentsResponseRef, IncomingResponse,
    ResponseContext,
};

fn parse(c: &mut Criterion<BenchClock>) {
    // Results of the two clocks are kept apart (and told apart by the report).
    let prefix = match Clock::from_env() {
        Clock::ThreadCpu => "parse",
        Clock::Wall => "parse-wall",
    };
    for case in parse_cases() {
        let body = case.body();
        let response = http::Response::new(body.as_slice());
        let context =
            ResponseContext::new().with_feature_level(FeatureLevel::new(case.feature_level()));
        // Every parser reads the same data (checked once, outside the measurement).
        let owned = GetAttachmentsResponse::try_from_http_response(&response, &context)
            .expect("zulip-types reads the body");
        let naive = Naive::parse(case.generation, &body).expect("the baseline reads the body");
        assert_eq!(owned.attachments.len(), case.n);
        assert_eq!(naive.len(), case.n);

        let mut group = c.benchmark_group(format!("{prefix}/{}", case.label()));
        group.throughput(Throughput::Bytes(body.len() as u64));
        if case.n >= 100_000 {
            // 10 – 100 ms an iteration: fewer, flat samples.
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(30)
                .warm_up_time(Duration::from_secs(2))
                .measurement_time(Duration::from_secs(10));
        } else {
            group
                .sample_size(60)
                .warm_up_time(Duration::from_secs(1))
                .measurement_time(Duration::from_secs(3));
        }
        group.bench_with_input(BenchmarkId::new("baseline", case.n), &body, |b, body| {
            b.iter(|| Naive::parse(case.generation, black_box(body)))
        });
        group.bench_with_input(
            BenchmarkId::new("zulip-types", case.n),
            &response,
            |b, response| {
                b.iter(|| {
                    GetAttachmentsResponse::try_from_http_response(black_box(response), &context)
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("zulip-types-borrowed", case.n),
            &response,
            |b, response| {
                b.iter(|| {
                    GetAttachmentsResponseRef::try_from_http_response(black_box(response), &context)
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("ignored-any", case.n), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<IgnoredAny>(black_box(body)))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Clock::from_env().criterion();
    targets = parse
}
criterion_main!(benches);
