"""Benchmark: the out-of-sample scoreboard (theories and baselines), the cluster bootstrap of a
fit, and Cohen's log-probability per training theatre, on the shared reference data.

    python benchmarks/bench_scoreboard.py                      # geography + baselines, train to 1939, B = 10
    python benchmarks/bench_scoreboard.py --bootstrap 50 --refit window
    python benchmarks/bench_scoreboard.py --cases cases.pkl    # reuse training theatres pickled by `pactlab fit --cache`

Targets (Evidence v2, item 8): the bootstrap (B stated) and a prequential run timed and reported
(aim: under 30 minutes each). The bootstrap figure is a median per resample times B.
Prints one JSON object on the last line; figures go into docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import platform
import statistics
import sys
import time
from pathlib import Path

from pactlab import __version__

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
BASELINES = ("logit", "base-rate", "always-bilateral", "always-multilateral")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cases", type=Path, default=None, help="a pickled (cases, counts) from `pactlab fit --cache`")
    ap.add_argument("--theory", default="geography")
    ap.add_argument("--train-to", dest="train_to", type=int, default=1939)
    ap.add_argument("--to", dest="y2", type=int, default=1955)
    ap.add_argument("--bootstrap", type=int, default=10)
    ap.add_argument("--refit", choices=["once", "window"], default="once")
    ap.add_argument("--cohen-theatres", type=int, default=20, help="training theatres timed for Cohen's log-probability")
    ap.add_argument("--precision", type=float, default=2.0, help="Cohen's logit precisions (all five) for the timing")
    a = ap.parse_args(argv)

    from pactlab import theories
    from pactlab.evidence.fit import fit, training_cases
    from pactlab.evidence.fit_baselines import get
    from pactlab.evidence.scoreboard import bootstrap_fit, scoreboard

    t0 = time.perf_counter()
    if a.cases is not None:
        cases, counts = pickle.loads(a.cases.read_bytes())
    else:
        if not a.data.is_dir():
            print(f"error: data folder {a.data} not found (give --data)", file=sys.stderr)
            return 2
        from pactlab.data import open_data

        cases, counts = training_cases(open_data(a.data), 1816, a.y2 + 1)
    build_s = time.perf_counter() - t0
    train = [c for c in cases if c.end < a.train_to]
    theory = theories.get(a.theory)
    out = {"benchmark": "bench_scoreboard", "pactlab": __version__, "python": platform.python_version(),
           "theory": a.theory, "train_to": a.train_to, "theatres": len(cases), "training_theatres": len(train),
           "build_s": round(build_s, 1), "cases_from_cache": a.cases is not None}

    t1 = time.perf_counter()
    res = fit(theory, train)
    out["fit_s"] = round(time.perf_counter() - t1, 1)

    per = []
    boot = None
    if a.bootstrap:
        for k in range(a.bootstrap):
            t = time.perf_counter()
            boot = bootstrap_fit(theory, train, res.values, res.free, b=1, seed=k)
            per.append(time.perf_counter() - t)
        out.update(bootstrap_b=a.bootstrap, bootstrap_median_per_resample_s=round(statistics.median(per), 2),
                   bootstrap_total_s=round(sum(per), 1), bootstrap_target_s=1800,
                   bootstrap_target_met=sum(per) < 1800)

    models = {a.theory: theory, **{n: get(n) for n in BASELINES if n != a.theory}}
    t2 = time.perf_counter()
    sb = scoreboard(models, cases, train_to=a.train_to if a.refit == "once" else None, min_train=20,
                    fitted={a.theory: res})
    out.update(scoreboard_refit=a.refit, scoreboard_s=round(time.perf_counter() - t2, 1),
               scoreboard_models=len(models), scoreboard_target_s=1800,
               scoreboard_mean_log_score={t["model"]: round(t["mean_log_score"], 3) for t in sb.totals()
                                          if t.get("n_cases")},
               scoreboard_theatres_scored=max((t.get("n_cases", 0) for t in sb.totals()), default=0))

    cohen = theories.get("cohen")
    from pactlab.model.params import PRECISIONS

    p = {k: a.precision for k in PRECISIONS}
    times = []
    finite = 0
    for c in train[: a.cohen_theatres]:
        t = time.perf_counter()
        try:
            lp = cohen.log_prob(c.scenario, c.observed, p)
            finite += math.isfinite(lp)
        except Exception:  # an outcome outside the model's space: timed all the same
            pass
        times.append(time.perf_counter() - t)
    if times:
        out.update(cohen_log_prob_theatres=len(times), cohen_log_prob_finite=finite,
                   cohen_log_prob_median_s=round(statistics.median(times), 3),
                   cohen_objective_estimate_s=round(statistics.median(times) * len(train), 1),
                   cohen_precision=a.precision)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
