"""Benchmark: building a theatre from the data (``pactlab build``), in process.

Builds the 1949 North Atlantic theatre (patron USA, the 11 original NATO clients, adversary the
USSR) from the shared reference data: once cold (a fresh data folder: files read and caches
filled) and then ``--repeats`` times warm. Prints one JSON object on the last line with the
medians in seconds.

    python benchmarks/bench_build.py [--data DIR] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
EUROPE = dict(patron=2, year=1949, clients=[20, 200, 220, 211, 210, 212, 385, 390, 395, 325, 235], adversary=365)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from pactlab.data import open_data
    from pactlab.evidence.builder import build_theatre

    t0 = time.perf_counter()
    data = open_data(args.data)
    build_theatre(data, **EUROPE)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        build_theatre(data, **EUROPE)
        warm.append(time.perf_counter() - t)
    print(json.dumps({"benchmark": "bench_build", "theatre": "europe-1949", "cold_s": round(cold, 3),
                      "warm_median_s": round(statistics.median(warm), 4), "repeats": args.repeats}))


if __name__ == "__main__":
    main()
