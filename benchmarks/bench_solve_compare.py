"""Digest of many whole solves, to compare two versions of the solver bit for bit.

Solves the built-in scenarios and a few hundred synthetic theatres (n = 2..12; with and
without a patron, with pacts in force, under a few parameter variants; the outcome
distribution too for the small ones), and hashes each full result (``Result.to_dict``:
predictions, payoffs, the stable structures, preferences and comparisons with their margins;
floats by ``repr``, which round-trips exactly). Run it under two versions and compare the
digests:

    PYTHONPATH=/path/a/src python benchmarks/bench_solve_compare.py --out a.json
    PYTHONPATH=/path/b/src python benchmarks/bench_solve_compare.py --out b.json
    python benchmarks/bench_solve_compare.py --diff a.json b.json

``--jit`` solves with the compiled kernels (``kernels.enable()``). The last line printed is
one JSON object (the overall digest, the number of solves, the time taken).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from pactlab.model.params import DEFAULT
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.generate import synthetic_dict
from pactlab.scenarios.loader import parse_scenario

#: parameter variants (besides the defaults) solved on a subset of the theatres
VARIANTS = {
    "exp1.3": {"contest_exponent": 1.3, "defence_advantage": 2.0},
    "exp0.5-noklegs": {"contest_exponent": 0.5, "m_k_leg_routes": False},
    "switches": {"m_obligation_under_pact": not DEFAULT.m_obligation_under_pact, "m_council": not DEFAULT.m_council,
                 "m_cooperation": not DEFAULT.m_cooperation, "m_coverage_signal": not DEFAULT.m_coverage_signal},
}
FINITE = {"precision_patron": 20.0, "precision_clients": 20.0, "precision_adversary": 20.0,
          "precision_welfare": 20.0, "precision_stability": 200.0}


def _with_pacts(d: dict, rng: np.random.Generator, sizes: list[int], level: str) -> dict:
    clients = [a["id"] for a in d["actors"] if a["role"] == "client"]
    order = [str(c) for c in rng.permutation(clients)]
    treaties, k = [], 0
    for t, size in enumerate(sizes):
        if k + size > len(order):
            break
        treaties.append({"id": f"pact{t}", "members": order[k:k + size], "level": level, "source": "synthetic"})
        k += size
    d["treaties"] = treaties
    return d


def cases(quick: bool = False):
    """(name, scenario, params, distribution) for every solve."""
    for e in catalog():
        yield f"builtin:{e.id}", get(e.id), DEFAULT, False
        if e.n_clients <= 7:
            yield f"builtin:{e.id}:dist", get(e.id), DEFAULT.model_copy(update=FINITE), True
    per_n = {n: (24 if n <= 6 else 12 if n <= 8 else 4 if n <= 10 else 2) for n in range(2, 13)}
    if quick:
        per_n = {n: max(1, k // 4) for n, k in per_n.items()}
    for n in range(2, 13):
        for seed in list(range(100, 105)) + list(range(per_n[n])):
            k = seed
            d = synthetic_dict(n, 70_000 + 97 * n + seed if seed < 100 else seed, with_patron=k % 4 != 3 or seed >= 100)
            variant = k % 3 if seed < 100 else 0
            if n >= 3 and variant:
                sizes = [2] if variant == 1 or n < 5 else [2, 3]
                d = _with_pacts(d, np.random.default_rng(k), sizes, "consult" if k % 2 else "defend")
            try:
                s = parse_scenario(d, f"<synthetic n={n} seed={seed}>")
            except Exception:  # noqa: BLE001, S112 - an invalid draw is skipped (the same on both sides)
                continue
            name = f"synthetic:{n}:{seed}:{variant}"
            yield name, s, DEFAULT, False
            if n <= 8 and seed % 3 == 0:
                for vname, upd in VARIANTS.items():
                    yield f"{name}:{vname}", s, DEFAULT.model_copy(update=upd), False
            if n <= 5 and seed % 4 == 0:
                yield f"{name}:dist", s, DEFAULT.model_copy(update=FINITE), True


def digest(obj) -> str:
    blob = json.dumps(obj, sort_keys=True, default=repr, allow_nan=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="write every solve's digest here (JSON)")
    ap.add_argument("--jit", action="store_true", help="solve with the compiled kernels")
    ap.add_argument("--quick", action="store_true", help="a quarter of the synthetic theatres")
    ap.add_argument("--diff", nargs=2, metavar=("A", "B"), help="compare two --out files and exit")
    args = ap.parse_args(argv)
    if args.diff:
        a, b = (json.loads(Path(f).read_text()) for f in args.diff)
        differ = sorted(k for k in set(a["solves"]) | set(b["solves"]) if a["solves"].get(k) != b["solves"].get(k))
        for k in differ[:50]:
            print("differs:", k)
        print(json.dumps({"same": not differ, "differ": len(differ), "solves": len(a["solves"])}))
        return 1 if differ else 0
    if args.jit:
        from pactlab.model import kernels

        kernels.enable()
        kernels.warm_up()
    t0 = time.perf_counter()
    solves = {}
    for name, s, p, dist in cases(args.quick):
        try:
            r = solve(s, p, distribution=dist).to_dict()
        except ValueError as e:  # pacts with a client that may not pledge: the error is the result
            r = {"error": str(e)}
        solves[name] = digest(r)
    elapsed = time.perf_counter() - t0
    overall = digest(sorted(solves.items()))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"overall": overall, "solves": solves}, f, indent=1, sort_keys=True)
    print(json.dumps({"overall": overall, "solves": len(solves), "jit": args.jit, "seconds": round(elapsed, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
