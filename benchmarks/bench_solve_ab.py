"""Time one theatre solve under two source trees, alternating, in fresh processes.

    python benchmarks/bench_solve_ab.py /path/to/a/src /path/to/b/src --rounds 3
    python benchmarks/bench_solve_ab.py A B --compiled      # with the compiled kernels

Each round runs A then B (each in its own process, ``PYTHONPATH`` set to the tree), timing
``solve`` on the synthetic theatres of ``benchmarks/bench_solve.py`` (seeds 100-104), CPU
time (``time.process_time``) and wall time, the median of several runs per seed and then over seeds. The
report gives, per n, each round's figure, the median over rounds and the ratio B / A, with
the load average before and after. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

NS = (2, 4, 6, 8, 10, 12)
SEEDS = range(100, 105)

CHILD = r"""
import json, statistics, sys, time
from pactlab.model.solve import solve
from pactlab.scenarios.generate import synthetic
ns, compiled = json.loads(sys.argv[1]), sys.argv[2] == "1"
if compiled:
    from pactlab.model import kernels
    kernels.enable()
    assert kernels.warm_up()
out = {}
for n in ns:
    repeats = 7 if n <= 8 else 3 if n <= 10 else 2
    per_seed = []
    for seed in range(100, 105):
        s = synthetic(n, seed)
        solve(s)
        ts, ws = [], []
        for _ in range(repeats):
            t0, w0 = time.process_time(), time.perf_counter()
            solve(s)
            ts.append(time.process_time() - t0)
            ws.append(time.perf_counter() - w0)
        per_seed.append((statistics.median(ts), statistics.median(ws)))
    out[n] = [statistics.median(t for t, _ in per_seed) * 1000, statistics.median(w for _, w in per_seed) * 1000]
print(json.dumps(out))
"""


def run(src: str, ns, compiled: bool) -> dict[int, list[float]]:
    env = dict(os.environ, PYTHONPATH=src)
    res = subprocess.run([sys.executable, "-c", CHILD, json.dumps(list(ns)), "1" if compiled else "0"],
                         env=env, capture_output=True, text=True, check=True)
    return {int(k): v for k, v in json.loads(res.stdout.strip().splitlines()[-1]).items()}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--compiled", action="store_true")
    ap.add_argument("--ns", default=",".join(map(str, NS)))
    args = ap.parse_args(argv)
    ns = [int(x) for x in args.ns.split(",")]
    A: dict[int, list] = {n: [] for n in ns}  # per round: [CPU ms, wall ms]
    B: dict[int, list] = {n: [] for n in ns}
    loads = [os.getloadavg()[0]]
    for r in range(args.rounds):
        for tree, acc in ((args.a, A), (args.b, B)):
            for n, ms in run(tree, ns, args.compiled).items():
                acc[n].append(ms)
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}: " + "  ".join(f"n={n} {A[n][-1][0]:.2f}/{B[n][-1][0]:.2f}" for n in ns)
              + f"  (load {loads[-1]:.2f})", flush=True)
    summary = {"compiled": args.compiled, "load": [round(x, 2) for x in loads], "n": {}}
    for n in ns:
        row = {}
        for k, what in enumerate(("cpu", "wall")):
            a, b = statistics.median(x[k] for x in A[n]), statistics.median(x[k] for x in B[n])
            row[what] = {"a_ms": [round(x[k], 2) for x in A[n]], "b_ms": [round(x[k], 2) for x in B[n]],
                         "a_median": round(a, 2), "b_median": round(b, 2), "ratio": round(b / a, 3)}
        summary["n"][n] = row
        c, w = row["cpu"], row["wall"]
        print(f"n={n:2d}  CPU A {c['a_median']:8.2f} ms  B {c['b_median']:8.2f} ms  B/A {c['ratio']:.3f}   "
              f"wall A {w['a_median']:8.2f}  B {w['b_median']:8.2f}  B/A {w['ratio']:.3f}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
