"""Robustness and ablation of the case table: the command line of
:mod:`pactlab.evidence.robustness`.

    python tools/robustness.py redraw [--draws 300] [--spread 0.25] [--seed 1] [--out FILE.json] [--markdown]
    python tools/robustness.py ablate [--out FILE.json] [--markdown]

Both print one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json

from pactlab.evidence.robustness import ablate, markdown, redraw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["redraw", "ablate"])
    ap.add_argument("--draws", type=int, default=300)
    ap.add_argument("--spread", type=float, default=0.25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out")
    ap.add_argument("--markdown", action="store_true", help="also print the table docs/cases.md shows")
    a = ap.parse_args()
    res = redraw(a.draws, a.spread, a.seed) if a.what == "redraw" else ablate()
    if a.markdown:
        print(markdown(res))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
