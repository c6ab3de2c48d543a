"""Benchmark: one theatre solve for n = 2..12 clients.

Times ``pactlab.model.solve.solve`` on synthetic theatres (fixed seeds, so
every run times the same inputs) and on the built-in scenarios, reports
medians and spreads, and writes the figures into ``docs/performance.md``
between the markers for this benchmark.

    python benchmarks/bench_solve.py            # full run, rewrites docs/performance.md
    python benchmarks/bench_solve.py --quick    # fewer repeats, prints only

Targets (issue "pactlab core"): median under 10 ms for n <= 6 and under 1 s
for n = 12 on the project's machine (2 cores). These machines are noisy:
quote medians, and compare ratios rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

from pactlab import __version__
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.generate import synthetic

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- BEGIN bench_solve (generated: python benchmarks/bench_solve.py) -->"
END = "<!-- END bench_solve -->"
SEEDS = range(100, 105)


def time_once(scenario) -> float:
    t0 = time.perf_counter()
    solve(scenario)
    return time.perf_counter() - t0


def bench(n: int, repeats: int) -> dict:
    per_seed = []
    stable = []
    for seed in SEEDS:
        s = synthetic(n, seed)
        stable.append(len(solve(s).stable))  # warm-up, and the structure count
        per_seed.append(statistics.median(time_once(s) for _ in range(repeats)))
    return {
        "n": n,
        "median_ms": statistics.median(per_seed) * 1000,
        "min_ms": min(per_seed) * 1000,
        "max_ms": max(per_seed) * 1000,
        "stable": stable,
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="one repeat per seed; print only")
    ap.add_argument("--max-n", type=int, default=12)
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else 5

    rows = []
    for n in range(2, args.max_n + 1):
        r = bench(n, repeats if n <= 10 else max(1, repeats // 2 + 1))
        rows.append(r)
        target = 10 if n <= 6 else (1000 if n == 12 else None)
        flag = "" if target is None else (" (target < %d ms: %s)" % (target, "met" if r["median_ms"] < target else "MISSED"))
        print(f"n={n:2d}  median {r['median_ms']:9.2f} ms  [{r['min_ms']:.2f}, {r['max_ms']:.2f}]  stable {r['stable']}{flag}", flush=True)

    builtin = []
    for e in catalog():
        s = get(e.id)
        solve(s)
        t = statistics.median(time_once(s) for _ in range(repeats))
        builtin.append((e.id, e.n_clients, t * 1000))
        print(f"{e.id:26s} n={e.n_clients:2d}  median {t * 1000:8.2f} ms", flush=True)

    if args.quick:
        return 0
    lines = [
        BEGIN,
        f"Measured with pactlab {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}; synthetic theatres `synthetic(n, seed)` for seeds {SEEDS.start}-{SEEDS.stop - 1}, "
        f"median of {repeats} runs per seed, then the median over seeds.",
        "",
        "| clients n | median (ms) | fastest seed (ms) | slowest seed (ms) | stable structures per seed | target |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        n = r["n"]
        target = "< 10 ms" if n <= 6 else ("< 1000 ms" if n == 12 else "")
        met = "" if not target else (" met" if r["median_ms"] < (10 if n <= 6 else 1000) else " **missed**")
        lines.append(
            f"| {n} | {r['median_ms']:.2f} | {r['min_ms']:.2f} | {r['max_ms']:.2f} | {r['stable']} | {target}{met} |"
        )
    lines += ["", "Built-in scenarios:", "", "| scenario | clients | median (ms) |", "|---|---:|---:|"]
    lines += [f"| {sid} | {n} | {ms:.2f} |" for sid, n, ms in builtin]
    lines.append(END)
    block = "\n".join(lines)
    text = DOC.read_text() if DOC.exists() else "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text += "\n" + block + "\n"
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
