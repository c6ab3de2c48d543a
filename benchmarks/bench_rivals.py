"""Prediction and log-probability times of the rival theories (the shared seating model).

    python benchmarks/bench_rivals.py [--repeats 3]

Times ``predict`` (exact enumeration up to eight clients, 10,000 seeded draws
above) and ``log_prob`` of the record on three built-in theatres of 1, 5 and
11 clients, per theory; prints a table and, on the last line, one JSON object
with the medians in seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from pactlab import __version__, theories
from pactlab.scenarios.catalog import get
from pactlab.theories.base import Outcome

THEORIES = ("cha", "identity", "prospect", "network", "logit")
CASES = ("korea-1953", "southeast-asia-1954", "europe-1949")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in THEORIES:
        th = theories.get(name)
        out[name] = {}
        for case in CASES:
            s = get(case)
            rec = Outcome.from_record(s)
            tp, tl = [], []
            for _ in range(a.repeats):
                t0 = time.perf_counter()
                th.predict(s)
                tp.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                th.log_prob(s, rec)
                tl.append(time.perf_counter() - t0)
            out[name][case] = {"clients": len(s.clients), "predict_median_s": round(statistics.median(tp), 4),
                               "log_prob_median_s": round(statistics.median(tl), 5)}
            print(f"{name:9s} {case:20s} {len(s.clients):2d} clients  predict {statistics.median(tp):8.4f} s  "
                  f"log_prob {statistics.median(tl):8.5f} s")
    print(json.dumps({"benchmark": "rivals", "pactlab": __version__, "repeats": a.repeats, "medians": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
