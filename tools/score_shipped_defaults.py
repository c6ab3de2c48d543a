"""Cohen's model at the shipped parameters (infinite logit precisions) scored on the record's
theatres of at most 8 units, per window: how many records it gives probability zero, and the
log score with each zero floored at log 1e-12 (as `pactlab fit` floors them).

    python tools/score_shipped_defaults.py --data ~/data/pactlab --to 1955

The last line is one JSON object (all windows, and those ending in --split or later)."""

from __future__ import annotations

import argparse
import json
import time

from pactlab.data import open_data
from pactlab.evidence.fit import LOG_EPS, shipped_scores, training_cases, within_units


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the COW/ATOP data folder")
    ap.add_argument("--from", dest="y1", type=int, default=1816)
    ap.add_argument("--to", dest="y2", type=int, default=1955)
    ap.add_argument("--split", type=int, default=1939, help="windows ending in this year or later are 'scored'")
    ap.add_argument("--max-units", type=int, default=8)
    a = ap.parse_args()
    t0 = time.time()
    cases, _ = training_cases(open_data(a.data), a.y1, a.y2 + 1)
    cases = within_units(cases, a.max_units)
    by = shipped_scores(cases)
    rows = [{"window": k, **v} for k, v in sorted(by.items())]
    for r in rows:
        print(f"{r['window']}: {r['zero']} of {r['theatres']} at P = 0 ({r['outside']} outside), "
              f"log score {r['log_score']:.2f}")

    def total(rs):
        t = {k: sum(r[k] for r in rs) for k in ("theatres", "zero", "outside", "log_score")}
        t["mean_log_score"] = t["log_score"] / t["theatres"] if t["theatres"] else None
        return t

    late = [r for r in rows if int(r["window"].split("-")[1]) >= a.split]
    print(json.dumps({"all": total(rows), f"from_{a.split}": total(late), "floor": LOG_EPS,
                      "max_units": a.max_units, "seconds": round(time.time() - t0, 1)}))


if __name__ == "__main__":
    main()
