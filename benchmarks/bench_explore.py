"""Monte Carlo throughput of ``pactlab explore`` (designs only) on europe-1948, per engine.

    python benchmarks/bench_explore.py --json            # serial, 2 processes, 2 Dask workers
    python benchmarks/bench_explore.py --draws 2000 --repeats 3 --json

Solves per second are counted from the first chunk sent to the last chunk back, after the engine
has started: its start (a Dask LocalCluster takes a few seconds) and a first chunk of one draw per
worker (the worker processes' own start and import of pactlab) are reported apart, as ``start_s``.
Each figure is the median over the repeats. ``--engines serial,dask:1,dask`` also times Dask with one
worker, so two workers are compared with one worker of the same engine (``speedup_vs_one_worker``)
as well as with a serial run (``speedup_vs_serial``). Progress and elapsed time go to standard error, one line
per repeat; the last line printed on standard output is one JSON object.

Expected time: the run solves draws x repeats theatres on each engine. A europe-1948 draw is one
whole solve with the compiled kernels, about 1.7-2 ms on an idle core: 550-600 solves/s serial on
this 2-core machine at load average about 1, about twice that on two workers when both cores are
free, much less when they are not (70-110 solves/s serial at load 4-6, before the structure search
was compiled). So the default (600 draws, one repeat, three engines) takes about 6 s at load 1, and
``--draws 3000 --repeats 3`` (27,000 solves) about 40 s, each engine's start included (Dask: 1-20 s).
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


def say(msg: str) -> None:
    """A progress line on standard error (standard output keeps the figures)."""
    print(msg, file=sys.stderr, flush=True)


def ticker(label: str, total: int, t0: float):
    """Progress callback: on a terminal, the draws done so far on one line that is rewritten."""
    done = 0
    tty = sys.stderr.isatty()

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if tty:
            end = "\n" if done >= total else ""
            print(f"\r{label}: {done}/{total} draws, {time.perf_counter() - t0:.1f} s", end=end, file=sys.stderr,
                  flush=True)

    return advance


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="\n\n".join(__doc__.split("\n\n")[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default="europe-1948", help="a built-in scenario (default: %(default)s)")
    ap.add_argument("--draws", type=int, default=600, help="draws per repeat (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=1,
                    help="timed repeats per engine; the median is reported (default: %(default)s)")
    ap.add_argument("--chunk-size", type=int, default=100, help="draws per task (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=2,
                    help="workers of the process and Dask engines (default: %(default)s)")
    ap.add_argument("--engines", default="serial,process,dask",
                    help="comma-separated; ENGINE:N gives that engine N workers, so 'dask:1,dask' adds "
                         "speedup_vs_one_worker, Dask's two workers against its one (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print only the JSON object on standard output")
    a = ap.parse_args()
    s = get(a.scenario)
    spec = default_spec(s)
    values, _ = draw_values(spec, a.draws, 1)
    out: dict = {"benchmark": "bench_explore", "pactlab_version": __version__, "python": platform.python_version(),
                 "machine": platform.machine(), "cpus": os.cpu_count(), "scenario": s.id, "clients": len(s.clients),
                 "inputs": len(spec.inputs), "draws": a.draws, "chunk_size": a.chunk_size, "repeats": a.repeats,
                 "load_average": os.getloadavg()[0], "engines": {}}
    designs = {}
    t_all = time.perf_counter()
    engines = a.engines.split(",")
    say(f"{s.id}: {a.draws} draws x {a.repeats} repeat(s) on each of {', '.join(engines)}")
    for label in engines:
        # "dask:1" is the Dask engine with one worker (the engine's own scaling, beside serial's)
        engine, _, n = label.partition(":")
        t0 = time.perf_counter()
        workers = 1 if engine == "serial" else int(n or a.workers)
        say(f"{label}: starting ({workers} worker{'s' if workers > 1 else ''})")
        with Executor(engine, None if engine == "serial" else workers) as ex:
            # the workers' own start and first import, outside the timed repeats
            evaluate(s, spec.names(), values[:workers], ex, chunk_size=1)
            start = time.perf_counter() - t0
            say(f"{label}: started in {start:.1f} s")
            rates = []
            for k in range(a.repeats):
                t = time.perf_counter()
                designs[label] = evaluate(s, spec.names(), values, ex, chunk_size=a.chunk_size,
                                          progress=ticker(f"{label}: repeat {k + 1}/{a.repeats}", a.draws, t))
                dt = time.perf_counter() - t
                rates.append(a.draws / dt)
                say(f"{label}: repeat {k + 1}/{a.repeats}: {a.draws} solves in {dt:.1f} s ({rates[-1]:.1f} solves/s); "
                    f"elapsed {time.perf_counter() - t_all:.0f} s, load average {os.getloadavg()[0]:.1f}")
        out["engines"][label] = {"workers": workers, "solves_per_s": statistics.median(rates), "start_s": start}
        if not a.json:
            print(f"{label:8s} {statistics.median(rates):8.1f} solves/s (start {start:.1f} s)")
    e = out["engines"]
    if "serial" in e:
        for k in e:
            if k != "serial":
                e[k]["speedup_vs_serial"] = e[k]["solves_per_s"] / e["serial"]["solves_per_s"]
    for k in ("process", "dask"):
        if k in e and f"{k}:1" in e:
            e[k]["speedup_vs_one_worker"] = e[k]["solves_per_s"] / e[f"{k}:1"]["solves_per_s"]
    first = next(iter(designs.values()))
    out["identical_designs_across_engines"] = all(d == first for d in designs.values())
    out["targets"] = {"batch_solves_per_s": 10_000, "dask_2_workers_speedup": 1.8}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
