"""Monte Carlo throughput of ``pactlab explore`` (designs only) on europe-1948, per engine.

    python benchmarks/bench_explore.py --json            # serial, 2 processes, 2 Dask workers
    python benchmarks/bench_explore.py --draws 2000 --repeats 3 --json

Solves per second are counted from the first chunk sent to the last chunk back, after the engine
has started (a Dask LocalCluster takes a few seconds to start; that start is reported apart). Each
figure is the median over the repeats. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pactlab import __version__  # noqa: E402
from pactlab.explore.runner import Executor, draw_values, evaluate  # noqa: E402
from pactlab.explore.spec import default_spec  # noqa: E402
from pactlab.scenarios.catalog import get  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="europe-1948")
    ap.add_argument("--draws", type=int, default=600)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--engines", default="serial,process,dask")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    s = get(a.scenario)
    spec = default_spec(s)
    values, _ = draw_values(spec, a.draws, 1)
    out: dict = {"benchmark": "bench_explore", "pactlab_version": __version__, "python": platform.python_version(),
                 "machine": platform.machine(), "cpus": os.cpu_count(), "scenario": s.id, "clients": len(s.clients),
                 "inputs": len(spec.inputs), "draws": a.draws, "chunk_size": a.chunk_size, "repeats": a.repeats,
                 "load_average": os.getloadavg()[0], "engines": {}}
    designs = {}
    for engine in a.engines.split(","):
        t0 = time.perf_counter()
        with Executor(engine, None if engine == "serial" else a.workers) as ex:
            start = time.perf_counter() - t0
            rates = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                designs[engine] = evaluate(s, spec.names(), values, ex, chunk_size=a.chunk_size)
                rates.append(a.draws / (time.perf_counter() - t))
        out["engines"][engine] = {"workers": 1 if engine == "serial" else a.workers,
                                  "solves_per_s": statistics.median(rates), "start_s": start}
        if not a.json:
            print(f"{engine:8s} {statistics.median(rates):8.1f} solves/s (start {start:.1f} s)")
    e = out["engines"]
    if "serial" in e:
        for k in ("process", "dask"):
            if k in e:
                e[k]["speedup_vs_serial"] = e[k]["solves_per_s"] / e["serial"]["solves_per_s"]
    first = next(iter(designs.values()))
    out["identical_designs_across_engines"] = all(d == first for d in designs.values())
    out["targets"] = {"batch_solves_per_s": 10_000, "dask_2_workers_speedup": 1.8}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
