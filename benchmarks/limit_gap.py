"""Measure: at very large logit precisions, does the outcome distribution put
its mode on ``solve()``'s outcome?

For every built-in scenario and for random synthetic theatres (2-7 clients,
with and without patron, half of them with pacts in force), the modal
outcome of ``solve()`` is compared with the distribution at two settings of
the five precisions:

* ``all``: every precision 1e6;
* ``ordered``: lam_P = lam_C = lam_A = 1e9, lam_S = 1e5, lam_D = 1e11 (the
  stage-1 limit taken in the order docs/model.md section 10.5 states).

A theatre agrees when the modal treaties have probability above 1/2 and the
most probable design label is ``solve()``'s. Each disagreement is put in one
class, the first that applies:

* ``tie``: tied welfare among the stable structures, or none stable;
* ``blocks``: the selected structure's imposed multilateral takes in a pact
  in force (a block standing as its own unit);
* ``subset``: the patron's best proposal there is a strict subset of the
  units on offer;
* ``v2-elsewhere``: the theatre's imposition table uses a block or a best
  subset for some other set on offer (it reaches the outcome through stage 1);
* ``other``.

    python benchmarks/limit_gap.py            # 300 synthetic theatres
    python benchmarks/limit_gap.py --n 60     # fewer

The last line is one JSON object with the counts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_outcome_imposition import (
    LARGE,
    imposition_kind,
    modal,
    synthetic_theatre,
    tied,
)

from pactlab.model.clients import ClientGame
from pactlab.model.outcome import distribution
from pactlab.model.params import DEFAULT, PRECISIONS
from pactlab.model.solve import solve
from pactlab.model.theatre import compile_theatre
from pactlab.scenarios.catalog import catalog, get

SETTINGS = {"all": DEFAULT.model_copy(update={k: 1e6 for k in PRECISIONS}), "ordered": LARGE}


def kind_of(s, r) -> str:
    """The class of the imposition rule the modal outcome uses."""
    if tied(r):
        return "tie"
    kind = imposition_kind(s)
    if kind == "pact in force":
        return "blocks"
    if kind == "subset":
        return "subset"
    g = ClientGame.of(compile_theatre(s, DEFAULT)).imposition
    if any(any(a & M for a in g.multi_units) or g.proposes[m] != m for m, M in g.imposes.items()):
        return "v2-elsewhere"
    return "other"


def check(s, label: str | None = None) -> dict:
    r = solve(s)
    out = {"id": label or s.id, "n": len(s.clients), "design": r.design, "kind": kind_of(s, r)}
    for name, p in SETTINGS.items():
        d = distribution(compile_theatre(s, p))
        lp = d.log_prob(modal(r))
        probs = d.summary()["design"]
        top = max(probs, key=probs.get)
        out[name] = bool(lp > math.log(0.5) and top == r.design)
        out[name + "_p"] = math.exp(lp) if lp > -math.inf else 0.0
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="number of synthetic theatres")
    ap.add_argument("--verbose", action="store_true", help="print every disagreement")
    args = ap.parse_args(argv)
    rows = {"builtin": [check(get(e.id)) for e in catalog()],
            "synthetic": [check(synthetic_theatre(k), f"theatre {k}") for k in range(args.n)]}
    summary = {}
    for part, rs in rows.items():
        uses = Counter(x["kind"] for x in rs)
        summary[part] = {"theatres": len(rs), "imposition_kind": dict(uses)}
        for name in SETTINGS:
            bad = [x for x in rs if not x[name]]
            summary[part][name] = {"disagree": len(bad), "by_kind": dict(Counter(x["kind"] for x in bad))}
            for x in bad:
                if args.verbose or part == "builtin":
                    print(f"{part} {name}: {x['id']} n={x['n']} {x['design']} kind={x['kind']} "
                          f"P(modal outcome)={x[name + '_p']:.3g}")
    for part, sm in summary.items():
        print(f"{part}: {sm['theatres']} theatres, rule used by solve(): {sm['imposition_kind']}")
        for name in SETTINGS:
            print(f"  {name:8s} disagreements {sm[name]['disagree']:4d}  {sm[name]['by_kind']}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
