//! Parsers on one body, interleaved, for quick comparisons and for `perf record` (no criterion
//! around it):
//!
//! ```sh
//! cargo build --release -p zulip-bench --example profile
//! target/release/examples/profile baseline,zulip-types,zulip-types-borrowed G4 100000 15
//! perf record -g target/release/examples/profile zulip-types G1 100000 30
//! ```
//!
//! Arguments: comma-separated parsers (`baseline`, `zulip-types`, `zulip-types-borrowed`,
//! `ignored-any`), generation (`G0` – `G4`, `+unknown` for the unknown-fields variant),
//! attachment count, rounds. Each round runs every parser once, in turn, so that a change of
//! machine load affects all of them alike; the medians and their ratios to the first parser are
//! printed. Times are the thread's CPU time, as in the criterion benches.

#![allow(clippy::print_stdout)]

use std::hint::black_box;

use cpu_time::ThreadTime;
use zulip_bench::{Case, Parser};
use zulip_test_server::Generation;
use zulip_types::{FeatureLevel, ResponseContext};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [parsers, generation, n, rounds] = &args[..] else {
        panic!("usage: profile PARSER[,PARSER...] GENERATION[+unknown] N ROUNDS");
    };
    let parsers: Vec<&str> = parsers.split(',').collect();
    let unknown = generation.ends_with("+unknown");
    let generation = Generation::ALL
        .into_iter()
        .find(|g| format!("{g:?}") == generation.trim_end_matches("+unknown"))
        .expect("G0 – G4");
    let mut case = Case::new(generation, n.parse().expect("N"));
    if unknown {
        case = case.with_unknown_fields();
    }
    let rounds: usize = rounds.parse().expect("ROUNDS");
    let body = case.body();
    let response = http::Response::new(body.as_slice());
    let context =
        ResponseContext::new().with_feature_level(FeatureLevel::new(case.feature_level()));
    let parser_list: Vec<Parser> = parsers
        .iter()
        .map(|name| Parser::from_name(name).unwrap_or_else(|| panic!("unknown parser {name}")))
        .collect();
    let mut times = vec![Vec::with_capacity(rounds); parsers.len()];
    for _ in 0..rounds {
        for (parser, times) in parser_list.iter().zip(&mut times) {
            let start = ThreadTime::now();
            black_box(parser.parse(generation, &response, &context));
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let medians: Vec<f64> = times.iter_mut().map(median).collect();
    // Sorted by `median`: the first is the fastest run, the least disturbed by other load.
    let minima: Vec<f64> = times.iter().map(|times| times[0]).collect();
    println!(
        "{} ({} bytes, {rounds} rounds): median, ratio to the first; fastest, ratio",
        case.label(),
        body.len()
    );
    for ((parser, seconds), fastest) in parsers.iter().zip(&medians).zip(&minima) {
        println!(
            "  {parser:<22} {:>8.1} MB/s {:>7.2} ms {:.3}x | {:>8.1} MB/s {:.3}x",
            body.len() as f64 / seconds / 1e6,
            seconds * 1e3,
            medians[0] / seconds,
            body.len() as f64 / fastest / 1e6,
            minima[0] / fastest,
        );
    }
}
