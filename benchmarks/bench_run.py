"""Benchmark: `pactlab run SCENARIO` as a whole command, start-up included.

Starts ``python -m pactlab run SCENARIO`` as a fresh process (this checkout's
``src`` first on the path) several times after one warm-up run, and reports
the median wall time; then splits one run into its stages in a fresh
interpreter (interpreter start, numpy, pydantic, the command line, the model's
modules, loading the scenario, the solve, printing). Target: under 0.5 s.

    python benchmarks/bench_run.py                      # europe-1948, 7 runs
    python benchmarks/bench_run.py indo-pacific-2025 --runs 11

The last line is one JSON object. Python compiles each module it imports
unless its compiled form is cached (``__pycache__``); where
PYTHONDONTWRITEBYTECODE is set nothing is cached and every run pays for the
compilation (``python -m compileall src`` caches it once): the JSON says
which (``bytecode_cached``). These machines are
noisy: quote medians.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TARGET_S = 0.5

STAGES = r"""
import json, time
t = [time.perf_counter()]
import numpy
t.append(time.perf_counter())
import pydantic.main
t.append(time.perf_counter())
import pactlab.cli as cli
t.append(time.perf_counter())
import pactlab.model.solve as m
t.append(time.perf_counter())
from pactlab.scenarios import catalog
s = catalog.get(%(scenario)r)
t.append(time.perf_counter())
r = m.solve(s, distribution=True)
t.append(time.perf_counter())
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    cli._print_result(s, r, False)
t.append(time.perf_counter())
names = ["numpy", "pydantic", "command line", "model modules", "load scenario", "solve", "print"]
print(json.dumps({k: round(b - a, 4) for k, a, b in zip(names, t, t[1:])}))
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}


def _wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr[-1000:]}")
    return dt


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", default="europe-1948")
    ap.add_argument("--runs", type=int, default=7, help="timed runs after one warm-up (default 7)")
    args = ap.parse_args(argv)
    cmd = [sys.executable, "-m", "pactlab", "run", args.scenario]
    _wall(cmd)  # warm-up: file cache
    runs = [_wall(cmd) for _ in range(args.runs)]
    bare = statistics.median(_wall([sys.executable, "-c", "pass"]) for _ in range(args.runs))
    out = subprocess.run([sys.executable, "-c", STAGES % {"scenario": args.scenario}], env=_env(),
                         capture_output=True, text=True, check=True)
    stages = json.loads(out.stdout.strip().splitlines()[-1])
    med = statistics.median(runs)
    print(f"python -m pactlab run {args.scenario}: median {med:.3f} s over {args.runs} runs "
          f"[{min(runs):.3f}, {max(runs):.3f}]; target < {TARGET_S} s: {'met' if med < TARGET_S else 'missed'}")
    print(f"interpreter start alone (python -c pass): median {bare:.3f} s")
    print("one run, by stage (s): " + ", ".join(f"{k} {v:.3f}" for k, v in stages.items()))
    cached = Path(importlib.util.cache_from_source(str(SRC / "pactlab" / "model" / "solve.py"))).exists()
    print(json.dumps({
        "command": f"pactlab run {args.scenario}", "median_s": round(med, 4), "min_s": round(min(runs), 4),
        "max_s": round(max(runs), 4), "runs": args.runs, "target_s": TARGET_S, "met": med < TARGET_S,
        "interpreter_start_s": round(bare, 4), "stages_s": stages, "bytecode_cached": cached,
        "python": platform.python_version(), "machine": platform.machine(), "date": time.strftime("%Y-%m-%d"),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
