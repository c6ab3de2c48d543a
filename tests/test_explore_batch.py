"""The exploration's designs-only path gives, draw for draw, the design and treaties of ``solve()``.

A worker solves each perturbed copy with ``solve_design`` (the modal computation of ``solve``
without the explanation); here every draw of a chunk is also solved with the public ``solve``
on the same copy and the two compared. Throughput is measured by ``benchmarks/bench_explore.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pactlab.explore.runner import Payload, draw_values, solve_chunk, treaty_text
from pactlab.explore.spec import apply, default_spec
from pactlab.model.params import DEFAULT
from pactlab.model.solve import solve, solve_design
from pactlab.scenarios.catalog import get


@pytest.mark.parametrize("sid,draws", [("europe-1948", 40), ("indo-pacific-2025", 15), ("southeast-asia-1954", 15)])
def test_designs_only_chunk_equals_solve_on_the_same_draws(sid, draws):
    s = get(sid)
    spec = default_spec(s)
    values, _ = draw_values(spec, draws, 7)
    paths = spec.names()
    got = solve_chunk(Payload(s, tuple(paths), DEFAULT), (0, list(range(draws)), values))
    designs, texts = [], []
    for row in values:
        r = solve(apply(s, list(paths), [float(v) for v in row]))
        designs.append(r.design)
        texts.append(treaty_text(r.treaties))
    assert got["design"] == designs
    assert got["treaties"] == texts
    assert got["draw"] == list(range(draws))


def test_solve_design_is_the_results_design():
    for sid in ("europe-1949", "nordic-2022", "korea-1953"):
        s = get(sid)
        r = solve(s)
        design, treaties = solve_design(s)
        assert design == r.design and treaties == r.treaties


def test_benchmark_reports_progress_apart_from_its_figures():
    # The benchmark says on standard error where it is (each engine's start and each repeat with
    # its time), keeps the JSON object alone on standard output, and its --help gives the expected time.
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_explore.py"
    r = subprocess.run([sys.executable, str(bench), "--engines", "serial", "--draws", "6", "--repeats", "2",
                        "--chunk-size", "3", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["engines"]["serial"]["solves_per_s"] > 0 and out["repeats"] == 2
    assert len(r.stdout.strip().splitlines()) == 1
    for line in ("serial: started in", "serial: repeat 1/2: 6 solves in", "serial: repeat 2/2: 6 solves in"):
        assert line in r.stderr, r.stderr
    h = subprocess.run([sys.executable, str(bench), "--help"], capture_output=True, text=True, timeout=60)
    assert h.returncode == 0 and "Expected time" in h.stdout and "--draws 3000 --repeats 3" in h.stdout


def test_benchmark_compares_two_workers_with_one_of_the_same_engine():
    # ENGINE:N runs that engine with N workers; with both "process:1" and "process" timed, the
    # two-worker figure is also given against the one-worker one, and the designs agree.
    bench = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_explore.py"
    r = subprocess.run([sys.executable, str(bench), "--engines", "serial,process:1,process", "--workers", "2",
                        "--draws", "4", "--chunk-size", "2", "--json"], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    e = json.loads(r.stdout.strip().splitlines()[-1])
    engines = e["engines"]
    assert engines["process:1"]["workers"] == 1 and engines["process"]["workers"] == 2
    ratio = engines["process"]["speedup_vs_one_worker"]
    assert ratio == engines["process"]["solves_per_s"] / engines["process:1"]["solves_per_s"]
    assert "speedup_vs_one_worker" not in engines["serial"] and e["identical_designs_across_engines"]
