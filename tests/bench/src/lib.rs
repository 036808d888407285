//! Benchmark inputs and baselines (filled by the performance issue).
