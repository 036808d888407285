#!/usr/bin/env python3
"""Tables of the criterion results of `cargo bench -p zulip-bench` for docs/performance.md.

    python3 tests/perf/criterion_report.py [target/criterion]

Reads every `<benchmark>/new/{benchmark,sample}.json`. Each sample of criterion is a number of
iterations and the time they took; its throughput is (bytes or requests per iteration) /
(time / iterations). The tables give, per benchmark, the median throughput over the samples
with the slowest and fastest sample (min–max), and the ratio of the medians to the reference
of its group, measured in the same run: the naive serde_json struct (`baseline`) for parsing,
the raw hyper-util client (`hyper-util`) for the transport.
"""

import json
import statistics
import sys
from pathlib import Path

PARSE_ORDER = ["baseline", "zulip-types", "zulip-types-borrowed", "ignored-any"]
TRANSPORT_ORDER = ["hyper-util", "zulip-hyper"]


def load(root: Path):
    runs = {}
    for meta_path in root.glob("**/new/benchmark.json"):
        meta = json.loads(meta_path.read_text())
        sample = json.loads((meta_path.parent / "sample.json").read_text())
        throughput = meta.get("throughput") or {}
        per_iteration = throughput.get("Bytes") or throughput.get("Elements") or 1
        rates = [
            per_iteration / (time_ns / iterations / 1e9)
            for iterations, time_ns in zip(sample["iters"], sample["times"])
        ]
        runs[(meta["group_id"], meta["function_id"], meta.get("value_str") or "")] = {
            "rates": rates,
            "bytes": throughput.get("Bytes"),
        }
    return runs


def spread(rates, scale, digits):
    fmt = f"{{:.{digits}f}}"
    median = statistics.median(rates) / scale
    return f"{fmt.format(median)} ({fmt.format(min(rates) / scale)}–{fmt.format(max(rates) / scale)})"


def parse_tables(runs, prefix, clock):
    groups = sorted({(g, v) for (g, _, v) in runs if g.startswith(prefix + "/")},
                    key=lambda gv: (int(gv[1] or 0), gv[0]))
    if not groups:
        return
    print(f"Parse throughput, MB/s of input (10^6 bytes per second of {clock}):")
    print("median over criterion's samples (slowest–fastest sample); ratio of medians to the")
    print("baseline of the same input, same run.\n")
    print("| input | N | body | baseline | zulip-types | ratio | borrowed | ratio | IgnoredAny | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for group, value in groups:
        cells = {}
        for function in PARSE_ORDER:
            run = runs.get((group, function, value))
            if run:
                cells[function] = run
        base = cells.get("baseline")
        if not base:
            continue
        base_median = statistics.median(base["rates"])
        body = base["bytes"] or 0
        row = [group.removeprefix(prefix + "/"), value, f"{body / 1e6:.2f} MB" if body >= 1e6 else f"{body / 1e3:.1f} kB",
               spread(base["rates"], 1e6, 0)]
        for function in PARSE_ORDER[1:]:
            run = cells.get(function)
            if run:
                row.append(spread(run["rates"], 1e6, 0))
                row.append(f"{statistics.median(run['rates']) / base_median:.2f}x")
            else:
                row += ["–", "–"]
        print("| " + " | ".join(row) + " |")
    print()


def transport_tables(runs):
    groups = sorted({g for (g, _, _) in runs if g.startswith("transport/")})
    if not groups:
        return
    print("Transport, requests/s (wall clock): median over criterion's samples (slowest–fastest")
    print("sample); ratio of medians zulip-hyper / hyper-util, same run.\n")
    print("| response | mode | hyper-util | zulip-hyper | ratio |")
    print("|---|---|---:|---:|---:|")
    for group in groups:
        _, size, mode = group.split("/")
        raw = runs.get((group, "hyper-util", ""))
        ours = runs.get((group, "zulip-hyper", ""))
        if not raw or not ours:
            continue
        ratio = statistics.median(ours["rates"]) / statistics.median(raw["rates"])
        print(f"| {size} | {mode} | {spread(raw['rates'], 1, 0)} | {spread(ours['rates'], 1, 0)} | {ratio:.2f}x |")
    print()


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    runs = load(root)
    if not runs:
        sys.exit(f"no criterion results under {root}: run `cargo bench -p zulip-bench` first")
    parse_tables(runs, "parse", "benchmark-thread CPU time")
    parse_tables(runs, "parse-wall", "wall-clock time")
    transport_tables(runs)


if __name__ == "__main__":
    main()
