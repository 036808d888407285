#!/usr/bin/env bash
# The official Python client (`pip install zulip`) beside zulip-hyper, against the same
# standalone test server on 127.0.0.1: requests/s of GET /attachments, small (14 attachments,
# about 2.5 kB) and large (10 000 attachments, about 1.7 MB) responses, and the time to parse one
# body (Python's json.loads, zulip-types' GetAttachmentsResponse).
#
#   bash tests/perf/python_client.sh            # ROUNDS=5 by default
#   ROUNDS=9 bash tests/perf/python_client.sh
#
# - Creates a virtual environment in target/perf/venv (reused by later runs) and installs
#   zulip==$ZULIP_PY_VERSION (default 0.9.1) from PyPI into it.
# - Builds and starts `tests/server/examples/serve.rs` (loopback only, ephemeral port, no rate
#   limit), once per response size; the server stops when this script closes its standard
#   input, after its own lifetime (900 s) at the latest, and the script's exit trap kills it by
#   PID if it is still there.
# - Each round runs the Python client, then zulip-hyper (tests/bench/examples/requests.rs),
#   each a bounded number of sequential keep-alive requests, so that a change of machine load
#   affects both alike. Prints a Markdown table (median, min-max over the rounds, ratios).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
ZULIP_PY_VERSION=${ZULIP_PY_VERSION:-0.9.1}
SEED=20240301 # zulip_bench::SEED: the same attachments as the criterion transport benchmark
VENV=target/perf/venv
RESULTS=$(mktemp -d)
SERVER_PID=

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$RESULTS"
}
trap cleanup EXIT

echo "== build" >&2
cargo build --release --quiet -p zulip-test-server --example serve
cargo build --release --quiet -p zulip-bench --example requests
SERVE=target/release/examples/serve
REQUESTS=target/release/examples/requests

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "== virtual environment $VENV" >&2
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import zulip, sys; sys.exit(zulip.__version__ != '$ZULIP_PY_VERSION')" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "zulip==$ZULIP_PY_VERSION"
fi
PY_VERSION=$("$VENV/bin/python" -c "import zulip; print(zulip.__version__)")

# Starts the server: sets SERVER_PID, SITE, and SERVER_IN (the pipe to its standard input).
start_server() {
    local attachments=$1
    coproc SERVER { exec "$SERVE" --generation G4 --attachments "$attachments" --seed "$SEED" \
        --no-rate-limit --lifetime 900; }
    SERVER_PID=$SERVER_PID
    SERVER_IN=${SERVER[1]}
    local line
    if ! read -r -t 30 line <&"${SERVER[0]}" || [[ "$line" != SITE\ http://127.0.0.1:* ]]; then
        echo "the test server did not start: ${line:-nothing}" >&2
        exit 1
    fi
    SITE=${line#SITE }
}

stop_server() {
    # End of input: the server shuts down by itself.
    exec {SERVER_IN}>&-
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

for size in small large; do
    case $size in
        small) attachments=0 py_requests=1000 rs_requests=4000 ;;
        large) attachments=10000 py_requests=20 rs_requests=200 ;;
    esac
    start_server "$attachments"
    echo "== $size response: $SITE (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for round in $(seq "$ROUNDS"); do
        "$VENV/bin/python" tests/perf/python_client.py "$SITE" "$py_requests" \
            | sed "s/^/$size /" >>"$RESULTS/python"
        "$REQUESTS" --site "$SITE" --size "$size" --requests "$rs_requests" --rounds 1 \
            --clients zulip-hyper | grep -E '^(RESULT|PARSE)' \
            | sed "s/^/$size /" >>"$RESULTS/rust"
        echo "   round $round of $ROUNDS done" >&2
    done
    stop_server
done

python3 - "$RESULTS" "$PY_VERSION" "$ROUNDS" <<'EOF'
import statistics
import sys

results, py_version, rounds = sys.argv[1], sys.argv[2], sys.argv[3]
rates, parses = {}, {}
for client in ("python", "rust"):
    for line in open(f"{results}/{client}"):
        size, kind, *rest = line.split()
        if kind == "RESULT":
            rates.setdefault((size, client), []).append(float(rest[1]))
        elif kind == "PARSE":
            parses.setdefault((size, client), []).append((float(rest[0]), int(rest[1])))

def spread(values, fmt):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"

name = {"python": f"Python `zulip` {py_version}", "rust": "zulip-hyper"}
print(f"\n{rounds} rounds; median (min–max) over the rounds.\n")
print("| response | client | requests/s | parse one body | parse MB/s |")
print("|---|---|---:|---:|---:|")
for size in ("small", "large"):
    for client in ("python", "rust"):
        times = [t for t, _ in parses[(size, client)]]
        size_bytes = parses[(size, client)][0][1]
        mbs = [size_bytes / t / 1e6 for t in times]
        print(f"| {size} ({size_bytes / 1e3:.1f} kB) | {name[client]} | "
              f"{spread(rates[(size, client)], '{:.0f}')} | "
              f"{spread([t * 1e3 for t in times], '{:.3f}')} ms | {spread(mbs, '{:.0f}')} |")
print("\n| response | zulip-hyper / Python, requests/s | zulip-types / json.loads, parse time |")
print("|---|---:|---:|")
for size in ("small", "large"):
    rate = statistics.median(rates[(size, "rust")]) / statistics.median(rates[(size, "python")])
    parse = (statistics.median(t for t, _ in parses[(size, "python")])
             / statistics.median(t for t, _ in parses[(size, "rust")]))
    print(f"| {size} | {rate:.1f}x | {parse:.1f}x |")
EOF
