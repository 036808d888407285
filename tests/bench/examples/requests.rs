//! Requests/s of get-attachments, without criterion: used by `tests/perf/python_client.sh` to
//! measure zulip-hyper against the same standalone server as the Python client, and for quick
//! interleaved comparisons of zulip-hyper with a raw hyper-util client.
//!
//! ```sh
//! cargo run --release -p zulip-bench --example requests -- \
//!     [--site http://127.0.0.1:PORT] [--size small|large] [--requests N] [--rounds R] \
//!     [--concurrency C] [--clients zulip-hyper,hyper-util]
//! ```
//!
//! Without `--site` it starts the test server in-process (`--size` attachments, Zulip 12.0). Each
//! round sends `--requests` requests with every client in turn (so that load changes affect all
//! alike), keep-alive, `--concurrency` at a time; the median requests/s over the rounds, the
//! fastest round, and the ratio to the first client are printed, then one line per client of
//! the form `RESULT client requests_per_second_median min max` for scripts. With a site, it
//! also times zulip-types parsing one fetched body (`PARSE seconds bytes`).

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use zulip_bench::transport::{
    RawClient, Size, feature_level, raw_get, start_server, zulip_hyper_client, zulip_hyper_get,
};
use zulip_types::{GetAttachments, GetAttachmentsResponse, IncomingResponse, ResponseContext};

#[derive(Clone)]
enum AnyClient {
    ZulipHyper(zulip_hyper::Client),
    Raw(Box<RawClient>),
}

impl AnyClient {
    async fn get(&self) -> usize {
        match self {
            AnyClient::ZulipHyper(client) => zulip_hyper_get(client).await,
            AnyClient::Raw(client) => raw_get(client).await,
        }
    }
}

async fn round(client: &AnyClient, requests: u64, concurrency: u64) -> Duration {
    let start = Instant::now();
    let remaining = Arc::new(AtomicU64::new(requests));
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        let remaining = Arc::clone(&remaining);
        let client = client.clone();
        workers.spawn(async move {
            while remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
            {
                client.get().await;
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.expect("a worker");
    }
    start.elapsed()
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|arg| arg == name)?;
    args.get(at + 1).map(String::as_str)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = Size::from_name(arg(&args, "--size").unwrap_or("small")).expect("small or large");
    let requests: u64 = arg(&args, "--requests").map_or(2000, |n| n.parse().expect("--requests"));
    let rounds: usize = arg(&args, "--rounds").map_or(5, |n| n.parse().expect("--rounds"));
    let concurrency: u64 =
        arg(&args, "--concurrency").map_or(1, |n| n.parse().expect("--concurrency"));
    let names: Vec<&str> = arg(&args, "--clients")
        .unwrap_or("zulip-hyper,hyper-util")
        .split(',')
        .collect();

    let local = match arg(&args, "--site") {
        Some(_) => None,
        None => Some(start_server(size, 1)),
    };
    let site = match (&local, arg(&args, "--site")) {
        (Some(server), _) => server.site(),
        (None, Some(site)) => site.to_owned(),
        (None, None) => unreachable!("a server was started"),
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let clients: Vec<(&str, AnyClient)> = names
        .iter()
        .map(|&name| {
            let client = match name {
                "zulip-hyper" => AnyClient::ZulipHyper(zulip_hyper_client(&site)),
                "hyper-util" => AnyClient::Raw(Box::new(RawClient::new(&site))),
                other => panic!("unknown client {other}"),
            };
            (name, client)
        })
        .collect();

    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); clients.len()];
    runtime.block_on(async {
        for (_, client) in &clients {
            // Warm up: connections open, caches filled.
            round(client, concurrency.max(8), concurrency).await;
        }
        for _ in 0..rounds {
            for ((_, client), rates) in clients.iter().zip(&mut rates) {
                let elapsed = round(client, requests, concurrency).await;
                rates.push(requests as f64 / elapsed.as_secs_f64());
            }
        }
    });

    println!(
        "{} response, {requests} requests x {rounds} rounds, concurrency {concurrency}, {site}",
        size.name()
    );
    let medians: Vec<f64> = rates
        .iter_mut()
        .map(|rates| {
            rates.sort_by(f64::total_cmp);
            rates[rates.len() / 2]
        })
        .collect();
    for (((name, _), rates), median) in clients.iter().zip(&rates).zip(&medians) {
        println!(
            "  {name:<12} {median:>9.0} req/s (min {:.0}, max {:.0})  {:.3}x",
            rates[0],
            rates[rates.len() - 1],
            median / medians[0]
        );
    }
    for (((name, _), rates), median) in clients.iter().zip(&rates).zip(&medians) {
        println!(
            "RESULT {name} {median:.1} {:.1} {:.1}",
            rates[0],
            rates[rates.len() - 1]
        );
    }

    if local.is_none() {
        // The parse alone, on a body fetched once: the median of 11.
        let client = zulip_hyper_client(&site);
        let response = runtime
            .block_on(client.send_unparsed(&GetAttachments::new()))
            .expect("a body");
        let context = ResponseContext::new().with_feature_level(feature_level());
        let mut times: Vec<f64> = (0..11)
            .map(|_| {
                let start = Instant::now();
                let parsed = GetAttachmentsResponse::try_from_http_response(&response, &context)
                    .expect("a parse");
                std::hint::black_box(parsed);
                start.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("PARSE {:.9} {}", times[5], response.body().len());
    }
}
