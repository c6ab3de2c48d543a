"""Fuzz the scenario format end to end (see pactlab.verify.fuzz): every case is either rejected by
validation with a message, or solves to finite outputs. Counts crashes and non-finite outputs
instead of stopping at the first, and prints each failing case's changes.

    python benchmarks/fuzz.py --examples 100000          # the issue's figure
    python benchmarks/fuzz.py --examples 2000 --seed 7

The last line is ``N solved, N rejected, N crashed, N non-finite``; the line before it is one JSON
object with the counts, the seed and the time taken. Exit status 1 if anything crashed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback

import numpy as np

from pactlab.verify.fuzz import NonFiniteOutput, check, random_case


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-clients", type=int, default=12)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    counts = {"solved": 0, "rejected": 0, "crashed": 0, "non-finite": 0}
    t0 = time.perf_counter()
    for i in range(args.examples):
        d, changes = random_case(rng, args.max_clients)
        try:
            counts[check(d)] += 1
        except NonFiniteOutput as exc:
            counts["non-finite"] += 1
            print(f"case {i}: {exc}; changes {changes!r}", file=sys.stderr)
        except Exception as exc:  # noqa: BLE001 - counted and reported, this is the point
            counts["crashed"] += 1
            print(f"case {i}: crash {type(exc).__name__}: {exc}; changes {changes!r}", file=sys.stderr)
            traceback.print_exc(limit=3, file=sys.stderr)
        if (i + 1) % 1000 == 0:
            print(f"{i + 1} examples: {counts}", file=sys.stderr, flush=True)
    secs = time.perf_counter() - t0
    print(json.dumps({"benchmark": "fuzz", "examples": args.examples, "seed": args.seed, **counts,
                      "seconds": round(secs, 1)}))
    print(f"{counts['solved']} solved, {counts['rejected']} rejected, {counts['crashed']} crashed, "
          f"{counts['non-finite']} non-finite")
    return 1 if counts["crashed"] or counts["non-finite"] else 0


if __name__ == "__main__":
    sys.exit(main())
