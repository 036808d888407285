//! Peak memory of each parser on the 100 000-attachment bodies.
//!
//! `cargo bench -p zulip-bench --bench memory` (Linux only: it reads `/proc/self/status`).
//!
//! Each measurement runs in a fresh child process (this same binary, re-executed), so that nothing
//! the parent allocated, and no memory the allocator kept from an earlier parse, hides or
//! inflates the figure. The child records its resident set before reading the body, reads the
//! body file into one exact-size buffer, parses it and keeps the result alive, then reads the
//! kernel's high-water mark (`VmHWM`). "Peak" is `VmHWM - VmRSS before`: the input plus everything
//! the parse needed at its worst moment, as the operating system charged it (allocator overhead
//! and fragmentation included). "Kept" is what is still resident afterwards beyond the input.
//!
//! Why not a counting `#[global_allocator]`: it would need `unsafe` (`GlobalAlloc` is an unsafe
//! trait), which the workspace forbids, and it counts requested bytes rather than what the
//! process really holds. The target is `peak <= input + 1.0 x input`, i.e. a ratio of 2.0.

#![allow(clippy::print_stdout)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;

use serde::de::IgnoredAny;
use zulip_bench::Case;
use zulip_bench::naive::Naive;
use zulip_test_server::Generation;
use zulip_types::{
    FeatureLevel, GetAttachmentsResponse, GetAttachmentsResponseRef, IncomingResponse,
    ResponseContext,
};

const PARSERS: [&str; 4] = [
    "baseline",
    "zulip-types",
    "zulip-types-borrowed",
    "ignored-any",
];
const N: usize = 100_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--child") {
        match args.get(at + 1..at + 5) {
            Some([parser, generation, level, path]) => child(parser, generation, level, path),
            _ => panic!("usage: --child PARSER GENERATION FEATURE_LEVEL PATH"),
        }
        return;
    }
    // `cargo bench` passes `--bench` and perhaps a filter; a filter that matches nothing here
    // (another bench's) skips this one.
    let filter = args
        .iter()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .cloned();
    if filter.as_deref().is_some_and(|f| !"memory".contains(f)) {
        return;
    }
    parent();
}

fn parent() {
    let dir = std::env::temp_dir().join(format!("zulip-bench-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let exe = std::env::current_exe().expect("this binary");
    let mut cases: Vec<Case> = Generation::ALL.iter().map(|&g| Case::new(g, N)).collect();
    cases.push(Case::new(Generation::G4, N).with_unknown_fields());
    cases.push(Case::new(Generation::G1, N).with_unknown_fields());

    println!("peak memory, {N} attachments (MiB; ratio = peak / input, target <= 2.00)");
    println!();
    println!("| input | size | parser | peak | ratio | kept beyond input |");
    println!("|---|---:|---|---:|---:|---:|");
    for case in cases {
        let body = case.body();
        let path = dir.join(format!("{}.json", case.label()));
        std::fs::write(&path, &body).expect("write the body");
        drop(body);
        for parser in PARSERS {
            let output = Command::new(&exe)
                .arg("--child")
                .arg(parser)
                .arg(format!("{:?}", case.generation))
                .arg(case.feature_level().to_string())
                .arg(&path)
                .output()
                .expect("run the child");
            assert!(
                output.status.success(),
                "child failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let text = String::from_utf8_lossy(&output.stdout);
            let numbers: Vec<u64> = text
                .split_whitespace()
                .map(|word| word.parse().expect("a number"))
                .collect();
            let [input, peak, kept] = numbers[..] else {
                panic!("unexpected child output {text:?}")
            };
            println!(
                "| {} | {:.1} | {parser} | {:.1} | {:.2} | {:.1} |",
                case.label(),
                mib(input),
                mib(peak),
                peak as f64 / input as f64,
                mib(kept),
            );
        }
        let _ = std::fs::remove_file(&path);
    }
    let _ = std::fs::remove_dir(&dir);
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `VmRSS` or `VmHWM` of this process, in bytes.
fn status(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or_else(|| panic!("{key} in /proc/self/status"))
}

fn child(parser: &str, generation: &str, level: &str, path: &str) {
    let generation = Generation::ALL
        .into_iter()
        .find(|g| format!("{g:?}") == generation)
        .expect("a generation");
    let context =
        ResponseContext::new().with_feature_level(FeatureLevel::new(level.parse().expect("level")));
    // Start the high-water mark from here (Linux: "5" resets it to the current RSS).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status("VmRSS");
    let body = std::fs::read(Path::new(path)).expect("read the body");
    let input = body.len() as u64;
    let response = http::Response::new(body.as_slice());
    let kept = match parser {
        "baseline" => keep(Naive::parse(generation, &body).expect("parse")),
        "zulip-types" => keep(
            GetAttachmentsResponse::try_from_http_response(&response, &context).expect("parse"),
        ),
        "zulip-types-borrowed" => keep(
            GetAttachmentsResponseRef::try_from_http_response(&response, &context).expect("parse"),
        ),
        "ignored-any" => keep(serde_json::from_slice::<IgnoredAny>(&body).expect("parse")),
        other => panic!("unknown parser {other}"),
    };
    let peak = status("VmHWM").saturating_sub(before);
    println!("{input} {peak} {}", kept.saturating_sub(before + input));
    drop(body);
}

/// The resident set while `value` is alive.
fn keep<T>(value: T) -> u64 {
    let value = black_box(value);
    let rss = status("VmRSS");
    drop(value);
    rss
}
