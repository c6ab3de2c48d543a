"""Benchmark: the two-bloc landscape search with every local minimum and its basin.

Times ``pactlab.theories.landscape.enumerate_landscape`` (all 2^(n-1)
configurations, local minima, basins of attraction) on random systems with
fixed seeds (sizes uniform on [0.05, 1], propensities drawn from
{-2, -1, 0, 1, 2}) and on the built-in 1936 Europe system, and reports
medians. The last line printed is one JSON object.

    python benchmarks/bench_landscape.py            # full run, rewrites its block in docs/performance.md
    python benchmarks/bench_landscape.py --quick    # fewer repeats, prints only

Targets: steepest-descent basins, median under 0.2 s for 17 actors and under
2 s for 20 (for comparison, a published R implementation reports 14 s for 11
actors). Random-descent basins are timed too; they have no target.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from pactlab import __version__
from pactlab.landscape.system import load
from pactlab.theories.landscape import LandscapeSystem, enumerate_landscape

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
BEGIN = "<!-- BEGIN bench_landscape (generated: python benchmarks/bench_landscape.py) -->"
END = "<!-- END bench_landscape -->"
SEEDS = range(200, 205)
TARGETS = {17: 0.2, 20: 2.0}


def random_system(n: int, seed: int) -> LandscapeSystem:
    rng = np.random.default_rng(seed)
    p = np.triu(rng.choice([-2.0, -1.0, 0.0, 1.0, 2.0], size=(n, n)), 1)
    return LandscapeSystem(tuple(f"s{i}" for i in range(n)), rng.uniform(0.05, 1.0, n), p + p.T)


def timed(system, basins: str, repeats: int) -> tuple[float, int]:
    land = enumerate_landscape(system, basins=basins)  # warm-up
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        enumerate_landscape(system, basins=basins)
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), len(land.minima)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats; print only")
    args = ap.parse_args(argv)
    reps = 3 if args.quick else 7
    rows = []
    for n in (11, 14, 17, 20):
        for basins in ("steepest", "random"):
            if basins == "random" and n == 20 and args.quick:
                continue
            per_seed, minima = [], []
            for seed in SEEDS:
                t, m = timed(random_system(n, seed), basins, reps if basins == "steepest" else max(1, reps // 3))
                per_seed.append(t)
                minima.append(m)
            med = statistics.median(per_seed)
            target = TARGETS.get(n) if basins == "steepest" else None
            rows.append({"n": n, "basins": basins, "median_s": med, "min_s": min(per_seed), "max_s": max(per_seed),
                         "minima": minima, "target_s": target, "met": None if target is None else med < target})
            flag = "" if target is None else f"  (target < {target} s: {'met' if med < target else 'MISSED'})"
            print(f"n={n:2d} {basins:8s} median {med:8.4f} s  [{min(per_seed):.4f}, {max(per_seed):.4f}]  "
                  f"minima {minima}{flag}", flush=True)
    sy = load("europe-1936")
    e36, m36 = timed(sy.landscape_system(), "steepest", reps)
    print(f"europe-1936 (17 actors) steepest median {e36:.4f} s, {m36} minima", flush=True)

    if not args.quick:
        lines = [
            BEGIN,
            (f"Measured with pactlab {__version__}, Python {platform.python_version()}, numpy {np.__version__}, "
            f"{platform.machine()}, {time.strftime('%Y-%m-%d')}; random systems for seeds {SEEDS.start}-"
            f"{SEEDS.stop - 1} (sizes U[0.05, 1], propensities from {{-2, ..., 2}}), median of {reps} runs per seed "
            f"(random descent: {max(1, reps // 3)}), then the median over seeds. Each run enumerates all 2^(n-1) "
            f"configurations and finds every local minimum with its basin."),
            "",
            "| actors n | configurations | basins | median (s) | fastest seed (s) | slowest seed (s) | minima per seed | target |",
            "|---:|---:|---|---:|---:|---:|---|---|",
        ]
        for r in rows:
            tgt = "" if r["target_s"] is None else f"< {r['target_s']} s " + ("met" if r["met"] else "**missed**")
            lines.append(f"| {r['n']} | {2 ** (r['n'] - 1):,} | {r['basins']} | {r['median_s']:.4f} | "
                         f"{r['min_s']:.4f} | {r['max_s']:.4f} | {r['minima']} | {tgt} |")
        lines += ["", f"Europe 1936 (17 actors, rule LS36), steepest descent: median {e36:.4f} s.", END]
        block = "\n".join(lines)
        text = DOC.read_text() if DOC.exists() else "# Performance\n"
        if BEGIN in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            text = head + block + tail
        else:
            text = text.rstrip("\n") + "\n\n## Landscape search\n\n" + block + "\n"
        DOC.write_text(text)
        print(f"wrote {DOC}")
    steep = {r["n"]: r["median_s"] for r in rows if r["basins"] == "steepest"}
    rand = {r["n"]: r["median_s"] for r in rows if r["basins"] == "random"}
    print(json.dumps({
        "benchmark": "landscape", "pactlab": __version__,
        "steepest_median_s": {str(k): round(v, 5) for k, v in steep.items()},
        "random_median_s": {str(k): round(v, 5) for k, v in rand.items()},
        "europe_1936_median_s": round(e36, 5),
        "targets_s": {str(k): v for k, v in TARGETS.items()},
        "targets_met": all(steep[k] < v for k, v in TARGETS.items()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
