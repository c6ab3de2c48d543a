"""Data layer and builder speed on the COW/ATOP data.

    python benchmarks/bench_data.py DATA_DIR [--repeat 5]

Times one ``pactlab build`` of the 1949 North Atlantic theatre (11 clients)
and the scalar queries the builder makes (contiguity, minimum distance,
capability, system membership), warm. Prints one JSON object on the last
line with medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from pactlab.data import open_data
from pactlab.evidence.builder import build_theatre

EUROPE = dict(patron=2, year=1949, clients=[20, 200, 220, 211, 210, 212, 385, 390, 395, 325, 235], adversary=365)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    d = open_data(a.data)
    build_theatre(d, **EUROPE)  # warm caches
    builds = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        build_theatre(d, **EUROPE)
        builds.append(time.perf_counter() - t)
    queries = []
    for _ in range(a.repeat):
        t = time.perf_counter()
        for i in range(2000):
            y = 1900 + i % 100
            d.contiguity(2, 365, y)
            d.min_distance(2, 365, y)
            d.capability(2, y)
            d.is_state(255, y)
        queries.append((time.perf_counter() - t) / 8000)
    out = {"build_europe_1949_s_median": statistics.median(builds),
           "scalar_query_us_median": 1e6 * statistics.median(queries), "repeat": a.repeat}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
