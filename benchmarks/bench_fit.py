"""Benchmark: building the training theatres, one `pactlab fit` point estimate, and a
prequential run, on the shared reference data.

    python benchmarks/bench_fit.py                         # geography, 1816-1955, one repeat
    python benchmarks/bench_fit.py --theory geography --train-to 1939 --repeats 3
    python benchmarks/bench_fit.py --no-prequential

Targets (Evidence v2, item 8): one fit point estimate under 10 minutes; a prequential backtest
1816-1955 timed and reported (aim: under 30 minutes). Prints one JSON object on the last line.
Figures go into docs/performance.md by hand from that line.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

from pactlab import __version__

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--theory", default="geography")
    ap.add_argument("--from", dest="y1", type=int, default=1816)
    ap.add_argument("--train-to", dest="train_to", type=int, default=1956,
                    help="fit on windows ending before this year (default: all of 1816-1955)")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--min-train", type=int, default=20)
    ap.add_argument("--no-prequential", action="store_true")
    a = ap.parse_args(argv)
    if not a.data.is_dir():
        print(f"error: data folder {a.data} not found (give --data)", file=sys.stderr)
        return 2

    from pactlab import theories
    from pactlab.data import open_data
    from pactlab.evidence.fit import fit, prequential, training_cases

    theory = theories.get(a.theory)
    t0 = time.perf_counter()
    cases, counts = training_cases(open_data(a.data), a.y1, a.train_to)
    build_s = time.perf_counter() - t0
    fits = []
    res = None
    for _ in range(a.repeats):
        t1 = time.perf_counter()
        res = fit(theory, cases)
        fits.append(time.perf_counter() - t1)
    out = {"benchmark": "bench_fit", "pactlab": __version__, "python": platform.python_version(),
           "theory": a.theory, "years": [a.y1, a.train_to - 1], "theatres": len(cases), "counts": counts,
           "build_s": round(build_s, 1), "fit_median_s": round(statistics.median(fits), 1),
           "fit_runs": len(fits), "log_lik": round(res.log_lik, 3), "log_lik_defaults": round(res.log_lik_default, 3),
           "digest": res.digest, "fit_target_s": 600, "fit_target_met": statistics.median(fits) < 600}
    if not a.no_prequential:
        t2 = time.perf_counter()
        rows = prequential(theory, cases, min_train=a.min_train)
        sc = [r for r in rows if r["scored"]]
        out.update(prequential_s=round(time.perf_counter() - t2, 1), prequential_windows=len(rows),
                   prequential_scored=len(sc), prequential_target_s=1800,
                   prequential_fit_minus_defaults=round(sum(r["difference"] for r in sc), 3),
                   prequential_theatres_scored=sum(r["n_scored"] for r in sc))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
