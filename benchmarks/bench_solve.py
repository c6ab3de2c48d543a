"""Benchmark: one theatre solve for n = 2..12 clients.

Times ``pactlab.model.solve.solve`` on synthetic theatres (fixed seeds, so
every run times the same inputs) and on the built-in scenarios, reports
medians and spreads, and writes the figures into ``docs/performance.md``
between the markers for this benchmark.

    python benchmarks/bench_solve.py            # full run, rewrites docs/performance.md
    python benchmarks/bench_solve.py --quick    # fewer repeats, prints only

Targets: the modal path, median under 10 ms for n <= 6 and under 300 ms for
n = 12 on the project's machine (2 cores), with the stricter aims of 1 ms and
100 ms reported beside them; the distribution path
(``solve(s, p, distribution=True)`` at finite logit precisions, timed
separately), under 50 ms for n <= 6 and under 5 s for n = 8.

    python benchmarks/bench_solve.py --distribution-only   # the distribution path only
    python benchmarks/bench_solve.py --json                # only the JSON summary (last line)

These machines are noisy: quote medians, and compare ratios rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import json

from pactlab import __version__
from pactlab.model.params import DEFAULT
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.generate import synthetic

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- BEGIN bench_solve (generated: python benchmarks/bench_solve.py) -->"
END = "<!-- END bench_solve -->"
SEEDS = range(100, 105)
DBEGIN = "<!-- BEGIN bench_solve distribution (generated: python benchmarks/bench_solve.py) -->"
DEND = "<!-- END bench_solve distribution -->"
#: the precisions the distribution path is timed at (any finite values cost the same)
PRECISIONS = dict(precision_patron=20.0, precision_clients=20.0, precision_adversary=20.0, precision_welfare=20.0,
                  precision_stability=200.0)
FINITE = DEFAULT.model_copy(update=PRECISIONS)
#: modal-path targets (ms): n -> (target, stricter aim)
MODAL_TARGETS = {**{n: (10.0, 1.0) for n in range(2, 7)}, 12: (300.0, 100.0)}


def modal_verdict(n: int, median_ms: float) -> str:
    """The target cell of one row: each target with met or missed."""
    if n not in MODAL_TARGETS:
        return ""
    return "; ".join(f"< {t:g} ms " + ("met" if median_ms < t else "**missed**") for t in MODAL_TARGETS[n])


def _short(line: str) -> str:
    """A profile line with the file named from its package (pactlab/..., numpy/...), not the machine's path."""
    for marker in ("/src/pactlab/", "/site-packages/"):
        if marker in line:
            head, _, tail = line.partition(marker)
            start = head.rfind(" ")
            return head[: start + 1] + ("pactlab/" if "pactlab" in marker else "") + tail
    return line


def time_distribution(scenario) -> float:
    t0 = time.perf_counter()
    solve(scenario, FINITE, distribution=True)
    return time.perf_counter() - t0


def bench_distribution(n: int, repeats: int) -> dict:
    per_seed = []
    methods = set()
    for seed in SEEDS:
        s = synthetic(n, seed)
        methods.add(solve(s, FINITE, distribution=True).distribution.method)  # warm-up
        per_seed.append(statistics.median(time_distribution(s) for _ in range(repeats)))
    return {"n": n, "median_ms": statistics.median(per_seed) * 1000, "min_ms": min(per_seed) * 1000,
            "max_ms": max(per_seed) * 1000, "method": ",".join(sorted(methods))}


def profile_distribution(n: int) -> list[str]:
    """The top functions by own time for one distribution solve at n clients."""
    import cProfile
    import io
    import pstats

    s = synthetic(n, SEEDS.start)
    solve(s, FINITE, distribution=True)
    pr = cProfile.Profile()
    pr.enable()
    solve(s, FINITE, distribution=True)
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(8)
    # the table's rows (numpy's and the interpreter's built-ins included), not its header
    return [_short(ln) for ln in buf.getvalue().splitlines() if re.match(r"\s*\d+(/\d+)?\s+\d", ln)][:8]


def distribution_section(repeats: int, max_n: int, write: bool) -> dict:
    rows = []
    for n in range(2, max_n + 1):
        r = bench_distribution(n, repeats if n <= 6 else max(1, repeats // 2))
        rows.append(r)
        target = 50 if n <= 6 else (5000 if n == 8 else None)
        flag = "" if target is None else (" (target < %d ms: %s)" % (target, "met" if r["median_ms"] < target else "MISSED"))
        print(f"distribution n={n:2d}  median {r['median_ms']:9.2f} ms  [{r['min_ms']:.2f}, {r['max_ms']:.2f}]  "
              f"{r['method']}{flag}", flush=True)
    prof = profile_distribution(min(8, max_n))
    for ln in prof:
        print("  " + ln)
    if write:
        lines = [
            DBEGIN,
            f"Measured with pactlab {__version__}, Python {platform.python_version()}, {platform.machine()}, "
            f"{time.strftime('%Y-%m-%d')}: `solve(s, p, distribution=True)` (the modal solve plus the outcome "
            f"distribution) at precisions {PRECISIONS}, synthetic theatres seeds {SEEDS.start}-{SEEDS.stop - 1}, "
            "median of the runs per seed, then the median over seeds.",
            "",
            "| clients n | median (ms) | fastest seed (ms) | slowest seed (ms) | method | target |",
            "|---:|---:|---:|---:|---|---|",
        ]
        for r in rows:
            n = r["n"]
            t = 50 if n <= 6 else (5000 if n == 8 else None)
            target = "" if t is None else f"< {t} ms" + (" met" if r["median_ms"] < t else " **missed**")
            lines.append(f"| {n} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | {r['method']} | {target} |")
        lines += ["", f"Profile, n = {min(8, max_n)} (own time, top 8):", "", "```text"] + prof + ["```", DEND]
        block = "\n".join(lines)
        text = DOC.read_text()
        if DBEGIN in text:
            head, rest = text.split(DBEGIN, 1)
            _, tail = rest.split(DEND, 1)
            text = head + block + tail
        else:
            text = text.replace(END, END + "\n\n## The outcome distribution (logit model), n = 2..9\n\n" + block, 1)
        DOC.write_text(text)
    return {"distribution_ms": {r["n"]: round(r["median_ms"], 2) for r in rows}}


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
    ap.add_argument("--distribution-only", action="store_true", help="time only the distribution path")
    ap.add_argument("--json", action="store_true", help="print only the JSON summary (still rewrites the docs "
                    "unless --quick)")
    ap.add_argument("--compiled", action="store_true", help="solve with the compiled kernels (numba, "
                    "pactlab.model.kernels), loaded before the timing starts")
    args = ap.parse_args(argv)
    if args.json:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main([a for a in argv if a != "--json"])
        print(buf.getvalue().strip().splitlines()[-1])
        return code
    repeats = 1 if args.quick else 5
    kernel_start_s = None
    if args.compiled:
        from pactlab.model import kernels

        kernels.enable()
        t0 = time.perf_counter()
        if not kernels.warm_up():
            raise SystemExit("--compiled: the compiled kernels are unavailable (numba not installed, or PACTLAB_JIT=0)")
        kernel_start_s = round(time.perf_counter() - t0, 3)
        print(f"compiled kernels loaded in {kernel_start_s:.2f} s (numba import and cached code)", flush=True)
    if args.distribution_only:
        out = distribution_section(repeats, min(args.max_n, 9), write=not args.quick)
        print(json.dumps(out))
        return 0

    rows = []
    for n in range(2, args.max_n + 1):
        r = bench(n, repeats if n <= 10 else max(1, repeats // 2 + 1))
        rows.append(r)
        verdict = modal_verdict(n, r["median_ms"]).replace("**", "")
        flag = f" (target {verdict})" if verdict else ""
        print(f"n={n:2d}  median {r['median_ms']:9.2f} ms  [{r['min_ms']:.2f}, {r['max_ms']:.2f}]  stable {r['stable']}{flag}", flush=True)

    builtin = []
    for e in catalog():
        s = get(e.id)
        solve(s)
        t = statistics.median(time_once(s) for _ in range(repeats))
        builtin.append((e.id, e.n_clients, t * 1000))
        print(f"{e.id:26s} n={e.n_clients:2d}  median {t * 1000:8.2f} ms", flush=True)

    dist = distribution_section(repeats, min(args.max_n, 9), write=not args.quick)
    summary = {"modal_ms": {r["n"]: round(r["median_ms"], 2) for r in rows}, **dist,
               "compiled": args.compiled, "kernel_start_s": kernel_start_s}
    if args.quick:
        print(json.dumps(summary))
        return 0
    lines = [
        BEGIN,
        f"Measured with pactlab {__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}; synthetic theatres `synthetic(n, seed)` for seeds {SEEDS.start}-{SEEDS.stop - 1}, "
        f"median of {repeats} runs per seed, then the median over seeds"
        + ("; compiled kernels (numba) on." if args.compiled else "; numpy only (the default for one solve)."),
        "",
        "| clients n | median (ms) | fastest seed (ms) | slowest seed (ms) | stable structures per seed | target; stricter aim |",
        "|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        n = r["n"]
        lines.append(
            f"| {n} | {r['median_ms']:.2f} | {r['min_ms']:.2f} | {r['max_ms']:.2f} | {r['stable']} | "
            f"{modal_verdict(n, r['median_ms'])} |"
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
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
