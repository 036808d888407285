#!/usr/bin/env python3
"""Tables of the criterion results of `cargo bench -p zulip-bench` for docs/performance.md.

    python3 tests/perf/criterion_report.py [CRITERION_DIR ...]   # default: target/criterion

Reads every `<benchmark>/new/{benchmark,sample}.json` under each directory (several directories:
copies of `target/criterion` from repeated runs of the same benchmarks, whose samples are
pooled). Each criterion sample is a number of iterations and the time they took; its throughput
is (bytes or requests per iteration) / (time / iterations). The tables give, per benchmark, the
median throughput over the samples with the slowest and the fastest sample (min–max), and the
ratio to the reference of its group measured in the same runs: the naive serde_json struct
(`baseline`) for parsing, the raw hyper-util client (`hyper-util`) for the transport. "median"
ratios compare medians; "best" ratios compare fastest samples (the least disturbed by other
load on a shared machine).
"""

import json
import statistics
import sys
from pathlib import Path

PARSE_ORDER = ["baseline", "zulip-types", "zulip-types-borrowed", "ignored-any"]
TRANSPORT_ORDER = ["hyper-util", "zulip-hyper"]


def load(roots):
    runs = {}
    for meta_path in (p for root in roots for p in root.glob("**/new/benchmark.json")):
        meta = json.loads(meta_path.read_text())
        sample = json.loads((meta_path.parent / "sample.json").read_text())
        throughput = meta.get("throughput") or {}
        per_iteration = throughput.get("Bytes") or throughput.get("Elements") or 1
        rates = [
            per_iteration / (time_ns / iterations / 1e9)
            for iterations, time_ns in zip(sample["iters"], sample["times"])
        ]
        run = runs.setdefault((meta["group_id"], meta["function_id"], meta.get("value_str") or ""),
                              {"rates": [], "bytes": throughput.get("Bytes")})
        run["rates"].extend(rates)
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
    print(f"Parse throughput, MB/s of input (10^6 bytes per second of {clock}): median over")
    print("the samples (slowest–fastest sample).\n")
    print("| input | N | body | baseline | zulip-types | zulip-types borrowed | IgnoredAny |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for group, value in groups:
        base = runs.get((group, "baseline", value))
        if not base:
            continue
        body = base["bytes"] or 0
        row = [group.removeprefix(prefix + "/"), value,
               f"{body / 1e6:.2f} MB" if body >= 1e6 else f"{body / 1e3:.1f} kB"]
        ratio_row = row[:2]
        for function in PARSE_ORDER:
            run = runs.get((group, function, value))
            row.append(spread(run["rates"], 1e6, 0) if run else "–")
            if function != "baseline":
                if run:
                    median = statistics.median(run["rates"]) / statistics.median(base["rates"])
                    best = max(run["rates"]) / max(base["rates"])
                    ratio_row.append(f"{median:.2f}x / {best:.2f}x")
                else:
                    ratio_row.append("–")
        print("| " + " | ".join(row) + " |")
        ratios.append(ratio_row)
    print(f"\nRatios to the baseline ({clock}), median / best:\n")
    print("| input | N | zulip-types | zulip-types borrowed | IgnoredAny (ceiling) |")
    print("|---|---:|---:|---:|---:|")
    for row in ratios:
        print("| " + " | ".join(row) + " |")
    print()


def transport_tables(runs):
    groups = sorted({g for (g, _, _) in runs if g.startswith("transport/")})
    if not groups:
        return
    print("Transport, requests/s (wall clock): median over criterion's samples (slowest–fastest")
    print("sample); ratio of medians zulip-hyper / hyper-util, same run.\n")
    print("| response | mode | hyper-util | zulip-hyper | ratio, median / best |")
    print("|---|---|---:|---:|---:|")
    for group in groups:
        _, size, mode = group.split("/")
        raw = runs.get((group, "hyper-util", ""))
        ours = runs.get((group, "zulip-hyper", ""))
        if not raw or not ours:
            continue
        ratio = statistics.median(ours["rates"]) / statistics.median(raw["rates"])
        best = max(ours["rates"]) / max(raw["rates"])
        print(f"| {size} | {mode} | {spread(raw['rates'], 1, 0)} | {spread(ours['rates'], 1, 0)} "
              f"| {ratio:.2f}x / {best:.2f}x |")
    print()


def main():
    roots = [Path(arg) for arg in sys.argv[1:]] or [Path("target/criterion")]
    runs = load(roots)
    if not runs:
        sys.exit(f"no criterion results under {roots}: run `cargo bench -p zulip-bench` first")
    parse_tables(runs, "parse", "benchmark-thread CPU time")
    parse_tables(runs, "parse-wall", "wall-clock time")
    transport_tables(runs)


if __name__ == "__main__":
    main()
