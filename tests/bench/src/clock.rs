//! The clock of the parse benchmarks: CPU time of the benchmark thread.
//!
//! The machines this project runs on have 2 cores shared with other jobs (builds, test suites),
//! so wall-clock time mostly measures how often the benchmark thread waited for a core: the same
//! parse took 55 ms or 120 ms depending on the minute. The thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`) leaves that waiting out and still counts everything the parse
//! itself costs, in user and kernel mode (page faults of fresh memory included). What load can
//! still do — evict caches, share memory bandwidth — it does to every parser alike, and each
//! parser is compared with its baseline measured in the same run.
//!
//! `ZULIP_BENCH_CLOCK=wall` switches back to criterion's wall clock.

use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput};

/// Which clock a benchmark run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// CPU time of the benchmark thread (the default).
    ThreadCpu,
    /// Wall-clock time.
    Wall,
}

impl Clock {
    /// `ZULIP_BENCH_CLOCK=wall` gives [`Clock::Wall`], anything else [`Clock::ThreadCpu`].
    pub fn from_env() -> Clock {
        match std::env::var("ZULIP_BENCH_CLOCK").as_deref() {
            Ok("wall") => Clock::Wall,
            _ => Clock::ThreadCpu,
        }
    }

    /// A criterion measuring with this clock (`criterion_group!` applies the command line).
    pub fn criterion(self) -> Criterion<BenchClock> {
        Criterion::default().with_measurement(BenchClock(self))
    }
}

/// A criterion [`Measurement`] reading [`Clock`]: nanoseconds either way.
#[derive(Clone, Copy, Debug)]
pub struct BenchClock(pub Clock);

/// A start time of either clock.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    /// Thread CPU time.
    Cpu(ThreadTime),
    /// Wall time.
    Wall(Instant),
}

impl Measurement for BenchClock {
    type Intermediate = Start;
    type Value = Duration;

    fn start(&self) -> Start {
        match self.0 {
            Clock::ThreadCpu => Start::Cpu(ThreadTime::now()),
            Clock::Wall => Start::Wall(Instant::now()),
        }
    }

    fn end(&self, start: Start) -> Duration {
        match start {
            Start::Cpu(start) => start.elapsed(),
            Start::Wall(start) => start.elapsed(),
        }
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

/// Formats nanoseconds as criterion's wall clock does (ns, µs, ms, s; B/s, KiB/s, ...).
struct Nanoseconds;

impl Nanoseconds {
    fn time_unit(typical: f64) -> (f64, &'static str) {
        if typical < 1e3 {
            (1.0, "ns")
        } else if typical < 1e6 {
            (1e-3, "µs")
        } else if typical < 1e9 {
            (1e-6, "ms")
        } else {
            (1e-9, "s")
        }
    }
}

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = Nanoseconds::time_unit(typical);
        for value in values {
            *value *= factor;
        }
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (per_iteration, units): (f64, [&'static str; 4]) = match throughput {
            Throughput::Bytes(bytes) | Throughput::BytesDecimal(bytes) => {
                (*bytes as f64, ["B/s", "KiB/s", "MiB/s", "GiB/s"])
            }
            Throughput::Elements(elements) | Throughput::ElementsAndBytes { elements, .. } => (
                *elements as f64,
                ["elem/s", "Kelem/s", "Melem/s", "Gelem/s"],
            ),
            Throughput::Bits(bits) => (*bits as f64, ["b/s", "Kib/s", "Mib/s", "Gib/s"]),
        };
        let per_second = per_iteration * 1e9 / typical;
        let (divisor, unit) = if per_second < 1024.0 {
            (1.0, units[0])
        } else if per_second < 1024.0 * 1024.0 {
            (1024.0, units[1])
        } else if per_second < 1024.0 * 1024.0 * 1024.0 {
            (1024.0 * 1024.0, units[2])
        } else {
            (1024.0 * 1024.0 * 1024.0, units[3])
        };
        for value in values {
            *value = per_iteration * 1e9 / *value / divisor;
        }
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
