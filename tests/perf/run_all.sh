#!/usr/bin/env bash
# Every measurement of docs/performance.md, in one go (about 45 minutes on 2 cores):
#
#   bash tests/perf/run_all.sh            # PARSE_RUNS=3 by default
#
# 1. the parse benchmark PARSE_RUNS times (criterion; each run's results copied to
#    target/perf/runs/parse-N; the report pools their samples, since on a shared machine one
#    run's window can be disturbed for one parser and not the others);
# 2. the interleaved parse benchmark (paired ratios, round by round);
#    then the memory benchmark (peak RSS in child processes);
# 3. the transport benchmark (criterion, zulip-hyper beside hyper-util on loopback);
# 4. the Python comparison (tests/perf/python_client.sh);
# then the tables (tests/perf/criterion_report.py). The load average is recorded before and
# after each step in target/perf/runs/load.txt. Everything is written to target/perf/runs/.
set -euo pipefail
cd "$(dirname "$0")/../.."

PARSE_RUNS=${PARSE_RUNS:-3}
OUT=target/perf/runs
mkdir -p "$OUT"
load() { echo "$(date -u +%H:%M:%S) $1: load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt" >&2; }

cargo bench -p zulip-bench --no-run --quiet
for run in $(seq "$PARSE_RUNS"); do
    load "parse run $run start"
    rm -rf target/criterion/parse_*
    cargo bench -p zulip-bench --bench parse >"$OUT/parse-$run.log" 2>&1
    rm -rf "$OUT/parse-$run"
    mkdir -p "$OUT/parse-$run"
    cp -r target/criterion/parse_* "$OUT/parse-$run/"
    load "parse run $run end"
done

load "interleaved start"
cargo bench -p zulip-bench --bench interleaved 2>/dev/null | tee "$OUT/interleaved.md"
load "interleaved end"

load "memory start"
cargo bench -p zulip-bench --bench memory 2>/dev/null | tee "$OUT/memory.md"
load "memory end"

load "transport start"
rm -rf target/criterion/transport_*
cargo bench -p zulip-bench --bench transport >"$OUT/transport.log" 2>&1
rm -rf "$OUT/transport"
mkdir -p "$OUT/transport"
cp -r target/criterion/transport_* "$OUT/transport/"
load "transport end"

load "python start"
bash tests/perf/python_client.sh | tee "$OUT/python.md"
load "python end"

python3 tests/perf/criterion_report.py "$OUT"/parse-* "$OUT/transport" | tee "$OUT/criterion.md"
