//! Requests/s of get-attachments over keep-alive HTTP/1.1 on loopback: `zulip-hyper`'s `Client`
//! beside a raw hyper-util client sending the identical request (see `zulip_bench::transport`),
//! in the same run, against the same test server (Zulip 12.0, G4) on 127.0.0.1.
//!
//! - `small`: 14 attachments (about 2.5 kB), `large`: 10 000 attachments (about 1.7 MB);
//! - `sequential`: one request after another; `8-concurrent`: 8 tasks sending requests until
//!   the iteration count is reached, each on its own kept-alive connection.
//!
//! Both parse the body with zulip-types, so the difference is the transport. The clients run on
//! a current-thread Tokio runtime, the server on its own thread (2 cores: one each). Wall-clock
//! time (requests/s is what a user waits for).
//!
//! `cargo bench -p zulip-bench --bench transport`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use zulip_bench::transport::{
    RawClient, Size, raw_get, start_server, zulip_hyper_client, zulip_hyper_get,
};

const CONCURRENCY: u64 = 8;

/// Sends `iterations` requests, `concurrency` at a time; the wall-clock time they took.
fn run<C, F>(runtime: &Runtime, client: &C, concurrency: u64, iterations: u64, get: F) -> Duration
where
    C: Clone + Send + 'static,
    F: AsyncGet<C>,
{
    runtime.block_on(async {
        let start = Instant::now();
        if concurrency == 1 {
            for _ in 0..iterations {
                get.get(client.clone()).await;
            }
        } else {
            let remaining = Arc::new(AtomicU64::new(iterations));
            let mut workers = JoinSet::new();
            for _ in 0..concurrency {
                let remaining = Arc::clone(&remaining);
                let client = client.clone();
                workers.spawn(async move {
                    // Take one request at a time until none is left.
                    while remaining
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        get.get(client.clone()).await;
                    }
                });
            }
            while let Some(done) = workers.join_next().await {
                done.expect("a worker");
            }
        }
        start.elapsed()
    })
}

/// A get-attachments with one client type (a trait so both clients share [`run`]).
trait AsyncGet<C>: Copy + Send + 'static {
    fn get(self, client: C) -> impl Future<Output = usize> + Send;
}

#[derive(Clone, Copy)]
struct ZulipHyper;

impl AsyncGet<zulip_hyper::Client> for ZulipHyper {
    async fn get(self, client: zulip_hyper::Client) -> usize {
        zulip_hyper_get(&client).await
    }
}

#[derive(Clone, Copy)]
struct Raw;

impl AsyncGet<RawClient> for Raw {
    async fn get(self, client: RawClient) -> usize {
        raw_get(&client).await
    }
}

fn transport(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for size in Size::ALL {
        let server = start_server(size, 1);
        let site = server.site();
        let zulip = zulip_hyper_client(&site);
        let raw = RawClient::new(&site);
        let expected = size.attachments().len();
        runtime.block_on(async {
            assert_eq!(zulip_hyper_get(&zulip).await, expected);
            assert_eq!(raw_get(&raw).await, expected);
        });
        for concurrency in [1, CONCURRENCY] {
            let mode = if concurrency == 1 {
                "sequential".to_owned()
            } else {
                format!("{concurrency}-concurrent")
            };
            let mut group = c.benchmark_group(format!("transport/{}/{mode}", size.name()));
            group.throughput(Throughput::Elements(1));
            match size {
                Size::Small => group
                    .sample_size(50)
                    .warm_up_time(Duration::from_secs(1))
                    .measurement_time(Duration::from_secs(4)),
                Size::Large => group
                    .sample_size(20)
                    .warm_up_time(Duration::from_secs(2))
                    .measurement_time(Duration::from_secs(8)),
            };
            group.bench_function("zulip-hyper", |b| {
                b.iter_custom(|iterations| {
                    run(&runtime, &zulip, concurrency, iterations, ZulipHyper)
                })
            });
            group.bench_function("hyper-util", |b| {
                b.iter_custom(|iterations| run(&runtime, &raw, concurrency, iterations, Raw))
            });
            group.finish();
        }
        server.shutdown();
    }
}

criterion_group!(benches, transport);
criterion_main!(benches);
