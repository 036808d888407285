//! Parse throughput with the parsers interleaved: the ratios of `docs/performance.md`.
//!
//! `cargo bench -p zulip-bench --bench interleaved`
//!
//! On a machine shared with other jobs, criterion's benchmarks (one parser after the other, each
//! for seconds) can catch a busy spell for one parser and a quiet one for the next, even on the
//! thread's CPU time (caches, memory bandwidth and the host are shared too). Here every round
//! runs each parser once on the same input, in a rotating order, for a batch of at least 30 ms
//! of CPU time, and the ratio to the baseline is taken **within the round**; the median of those
//! paired ratios is what the report calls the ratio. Throughputs are MB/s of input (10^6 bytes
//! per second of the benchmark thread's CPU time). Same inputs as the `parse` benchmark.

#![allow(clippy::print_stdout)]

use cpu_time::ThreadTime;
use zulip_bench::{Case, Parser, parse_cases};
use zulip_types::{FeatureLevel, ResponseContext};

const ROUNDS: usize = 31;
const BATCH_SECONDS: f64 = 0.03;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn spread(values: &[f64], digits: usize) -> String {
    let mut sorted = values.to_vec();
    let mid = median(&mut sorted);
    format!(
        "{mid:.digits$} ({:.digits$}–{:.digits$})",
        sorted[0],
        sorted[sorted.len() - 1]
    )
}

fn main() {
    // `cargo bench` passes `--bench` and perhaps a filter; skip when the filter is another's.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with('-'));
    if filter.is_some_and(|f| !"interleaved".contains(f.as_str())) {
        return;
    }
    println!(
        "interleaved parse throughput, {ROUNDS} rounds, batches of >= {:.0} ms CPU time; load {}",
        BATCH_SECONDS * 1e3,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!();
    let mut throughput_rows = Vec::new();
    let mut ratio_rows = Vec::new();
    for case in parse_cases() {
        let (throughputs, ratios) = measure(case);
        let body = case.body().len() as f64;
        let size = if body >= 1e6 {
            format!("{:.2} MB", body / 1e6)
        } else {
            format!("{:.1} kB", body / 1e3)
        };
        throughput_rows.push(format!(
            "| {} | {} | {size} | {} |",
            case.label(),
            case.n,
            throughputs
                .iter()
                .map(|rates| spread(rates, 0))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
        ratio_rows.push(format!(
            "| {} | {} | {} |",
            case.label(),
            case.n,
            ratios
                .iter()
                .map(|ratios| format!("{}x", spread(ratios, 2)))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    println!("Throughput, MB/s, median over the rounds (slowest–fastest round):");
    println!();
    println!("| input | N | body | baseline | zulip-types | zulip-types borrowed | IgnoredAny |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in throughput_rows {
        println!("{row}");
    }
    println!();
    println!("Ratio to the baseline of the same round, median (min–max) over the rounds:");
    println!();
    println!("| input | N | zulip-types | zulip-types borrowed | IgnoredAny (ceiling) |");
    println!("|---|---:|---:|---:|---:|");
    for row in ratio_rows {
        println!("{row}");
    }
}

/// Per parser the throughputs of every round, and per non-baseline parser its ratio to the
/// baseline in every round.
fn measure(case: Case) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let body = case.body();
    let response = http::Response::new(body.as_slice());
    let context =
        ResponseContext::new().with_feature_level(FeatureLevel::new(case.feature_level()));
    let bytes = body.len() as f64;
    let run = |parser: Parser, iterations: u32| -> f64 {
        let start = ThreadTime::now();
        for _ in 0..iterations {
            std::hint::black_box(parser.parse(case.generation, &response, &context));
        }
        start.elapsed().as_secs_f64()
    };
    // Iterations a batch: enough for the slowest parser's batch to last BATCH_SECONDS.
    let mut iterations = 1u32;
    while run(Parser::Baseline, iterations) < BATCH_SECONDS {
        iterations = iterations.saturating_mul(2);
    }
    for parser in Parser::ALL {
        run(parser, iterations);
    }
    let mut rates = vec![Vec::with_capacity(ROUNDS); Parser::ALL.len()];
    for round in 0..ROUNDS {
        for offset in 0..Parser::ALL.len() {
            let index = (round + offset) % Parser::ALL.len();
            let seconds = run(Parser::ALL[index], iterations);
            rates[index].push(bytes * f64::from(iterations) / seconds / 1e6);
        }
    }
    let ratios = (1..Parser::ALL.len())
        .map(|index| {
            rates[index]
                .iter()
                .zip(&rates[0])
                .map(|(rate, base)| rate / base)
                .collect()
        })
        .collect();
    (rates, ratios)
}
