"""Exploration: the uncertainty spec, engines that agree row for row, resume, tipping points checked
against grid searches, sensitivity, discovery and the command line. Small draws throughout."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.explore import analysis as an
from pactlab.explore import runner
from pactlab.explore.spec import ANCHORS, SpecError, apply, default_spec, load_spec
from pactlab.manifest import RunMismatch
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import get
from pactlab.scenarios.generate import synthetic

SRC = str(Path(__file__).resolve().parents[1] / "src")


@pytest.fixture(scope="module")
def eu48():
    s = get("europe-1948")
    return s, default_spec(s)


@pytest.fixture(scope="module")
def syn():
    # A two-client synthetic theatre whose prediction the draws do move
    # (bilateral at its coded values, trilateral in most draws over its spans):
    # the built-ins' predictions move too rarely for a small-draw test.
    s = synthetic(2, 4)
    return s, default_spec(s)


def _rows(df):
    return df.drop(columns=list(runner.BOOKKEEPING)).reset_index(drop=True)


# --------------------------------------------------------------------------- the spec

def test_default_spec_follows_the_codebook(eu48):
    s, spec = eu48
    div = spec.get("BEL.threat_divergence")
    assert div.rule == "DIV1" and div.coded == s.actor("BEL").threat_divergence.value
    assert set(div.values) <= set(ANCHORS["DIV1"]) and div.coded in div.values
    assert math.isclose(sum(div.weights), 1.0)
    cap = spec.get("USSR.capability")
    assert cap.kind == "range" and cap.low < cap.coded < cap.high and cap.scale == "log"
    assert len({i.path for i in spec.inputs}) == len(spec.inputs)


def test_apply_changes_only_the_named_inputs(eu48):
    s, spec = eu48
    t = apply(s, ["BEL.threat_divergence", "dispute.UK-FRA"], [1.0, 0.0])
    assert t.actor("BEL").threat_divergence.value == 1.0
    assert [d.intensity for d in t.disputes if (d.a, d.b) == ("UK", "FRA")] == [0.0]
    assert s.actor("BEL").threat_divergence.value != 1.0  # the original is untouched
    assert solve(apply(s, spec.names(), spec.coded())).design == solve(s).design


def test_uncertainty_file_overrides_and_errors(tmp_path, eu48):
    s, _ = eu48
    f = tmp_path / "u.yaml"
    f.write_text("scenario: europe-1948\nonly: [BEL.threat_divergence, USSR.capability]\n"
                 "inputs:\n  - path: BEL.threat_divergence\n    values: [0.0, 1.0]\n    weights: [0.2, 0.8]\n"
                 "  - path: USSR.capability\n    low: 0.1\n    high: 0.2\n")
    spec = load_spec(f, s)
    assert spec.names() == ["BEL.threat_divergence", "USSR.capability"]
    assert spec.get("BEL.threat_divergence").weights == [0.2, 0.8]
    assert spec.get("USSR.capability").low == 0.1
    f.write_text("inputs:\n  - path: BEL.threat_divergence\n    values: [0.0, 1.5]\n  - path: XXX.capability\n"
                 "    low: 1\n    high: 2\n")
    with pytest.raises(SpecError) as e:
        load_spec(f, s)
    msg = str(e.value)
    assert str(f) in msg and "BEL.threat_divergence" in msg and "1.5" in msg and "unknown actor 'XXX'" in msg
    f.write_text("inputs:\n  - path: BEL.threat_divergence\n    valuez: [0.0]\n")
    with pytest.raises(SpecError, match="valuez: unknown field"):
        load_spec(f, s)
    # a type error in one entry does not hide a range error in another: one message, every entry
    # counted from 1 and named by its path
    f.write_text("inputs:\n  - path: USSR.capability\n    low: abc\n    high: 0.3\n"
                 "  - path: BEL.threat_divergence\n    values: [0.0, 1.5]\n")
    with pytest.raises(SpecError) as e:
        load_spec(f, s)
    msg = str(e.value)
    assert "inputs entry 1 (USSR.capability): low:" in msg and "(got 'abc')" in msg
    assert "inputs entry 2 (BEL.threat_divergence): value(s) [1.5] outside" in msg
    assert msg.index("inputs entry 1") < msg.index("inputs entry 2")
    f.write_text("inputs: 3\n")
    with pytest.raises(SpecError, match="inputs: expected a list"):
        load_spec(f, s)


# --------------------------------------------------------------------------- engines and resume

def test_serial_process_and_dask_give_identical_rows(tmp_path, syn):
    s, spec = syn
    out = {}
    for engine in ("serial", "process", "dask"):
        runner.montecarlo(s, spec, tmp_path / engine, draws=120, seed=7, chunk_size=30, engine=engine, workers=2)
        out[engine] = runner.load_results(tmp_path / engine)[1]
    base = _rows(out["serial"])
    assert list(base["draw"]) == list(range(120))
    assert base["design"].nunique() > 1  # the draws do move the prediction
    for engine in ("process", "dask"):
        assert _rows(out[engine]).equals(base), engine
        assert out[engine]["worker"].nunique() == 2, f"{engine}: two worker processes should have computed rows"
    assert out["serial"]["worker"].nunique() == 1
    m = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert m["seed"] == 7 and m["extra"]["draws"] == 120 and m["scenario"]["id"] == s.id


_BATCHES = """
import sys
from pactlab.explore import runner
from pactlab.explore.spec import default_spec
from pactlab.scenarios.generate import synthetic

def main():
    s = synthetic(2, 4)
    spec = default_spec(s)
    a, b = spec.names(), spec.names()[:3]
    va, _ = runner.draw_values(spec, 40, 7)
    vb = va[:, :3]
    with runner.Executor("serial") as ex:
        want_a, want_b = runner.evaluate(s, a, va, ex, chunk_size=20), runner.evaluate(s, b, vb, ex, chunk_size=20)
    with runner.Executor("dask", 2) as ex:
        for k, (paths, vals, want) in enumerate([(a, va, want_a)] * 4 + [(b, vb, want_b), (a, va, want_a)]):
            assert runner.evaluate(s, paths, vals, ex, chunk_size=20) == want, f"batch {k + 1}"
            print("batch", k + 1, "ok", flush=True)

if __name__ == "__main__":
    main()
"""


def test_dask_executor_runs_batch_after_batch(tmp_path):
    # One Dask executor, many batches, as a benchmark's repeats and tipping's bisection use it: the
    # same payload again, and one that comes back after another. With the payload scattered under
    # Dask's content-hash key, the second batch's scatter raced the first batch's release of that
    # key: its chunks were cancelled ("lost dependencies") or the scatter never returned.
    script = tmp_path / "batches.py"
    script.write_text(_BATCHES)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        r = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=150)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the batches did not finish in 150 s; done: {exc.stdout!r}")
    assert r.returncode == 0, r.stdout + r.stderr[-2000:]
    assert r.stdout.split("\n").count("batch 6 ok") == 1, r.stdout


def test_draws_do_not_depend_on_chunking(eu48):
    _, spec = eu48
    a, ka = runner.draw_values(spec, 50, 3)
    b, kb = runner.draw_values(spec, 80, 3)
    assert np.array_equal(a, b[:50]) and ka == kb[:50]


def test_resume_matching_and_refusing(tmp_path, eu48):
    s, spec = eu48
    d = tmp_path / "run"
    runner.montecarlo(s, spec, d, draws=60, seed=1, chunk_size=20)
    full = runner.load_results(d)[1]
    (d / runner.chunk_file(1)).unlink()
    with pytest.raises(RunMismatch, match="already holds"):
        runner.montecarlo(s, spec, d, draws=60, seed=1, chunk_size=20)
    r = runner.montecarlo(s, spec, d, draws=60, seed=1, chunk_size=20, resume=True)
    assert (r["chunks_run"], r["chunks_reused"]) == (1, 2)
    assert _rows(runner.load_results(d)[1]).equals(_rows(full))
    with pytest.raises(RunMismatch, match="seed"):
        runner.montecarlo(s, spec, d, draws=60, seed=2, chunk_size=20, resume=True)
    with pytest.raises(RunMismatch, match="draws"):
        runner.montecarlo(s, spec, d, draws=80, seed=1, chunk_size=20, resume=True)
    r = runner.montecarlo(s, spec, d, draws=40, seed=2, chunk_size=20, fresh=True)
    assert r["mode"] == "new" and len(runner.load_results(d)[1]) == 40


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path):
    d = tmp_path / "killed"
    cmd = [sys.executable, "-m", "pactlab", "explore", "montecarlo", "korea-1953", "--draws", "400", "--seed", "5",
           "--chunk-size", "10", "--out", str(d), "--format", "json"]
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(d.glob("chunk-*.parquet"))) < 2:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    done = len(list(d.glob("chunk-*.parquet")))
    assert 2 <= done < 40, "the run should have been killed part way"
    r = CliRunner().invoke(main, cmd[3:] + ["--resume"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["run"]["chunks_reused"] >= done and out["run"]["chunks_run"] == 40 - out["run"]["chunks_reused"]
    df = runner.load_results(d)[1]
    assert sorted(df["draw"]) == list(range(400))
    fresh = tmp_path / "fresh"
    runner.montecarlo(get("korea-1953"), default_spec(get("korea-1953")), fresh, draws=400, seed=5, chunk_size=10)
    assert _rows(df).equals(_rows(runner.load_results(fresh)[1]))


# --------------------------------------------------------------------------- tipping points

@pytest.fixture(scope="module")
def syn_tip():
    s = synthetic(2, 4)
    spec = default_spec(s).subset(["C0.capability", "ADV.capability", "C1.econ_dependence"])
    with runner.Executor("serial") as ex:
        res = an.tipping(s, spec, "trilateral", ex, grid=7, steps=12, joint=2, joint_grid=7)
    return s, spec, res


def test_single_input_threshold_is_verified_and_matches_a_fine_scan(syn_tip):
    s, spec, res = syn_tip
    assert res["coded_design"] == "bilateral"
    row = next(r for r in res["inputs"] if r["input"] == "C0.capability")
    th = row["thresholds"][0]
    assert th["verified"] and row["monotone"]
    inp = spec.get("C0.capability")
    design = lambda x: solve(apply(s, [inp.path], [x])).design  # noqa: E731
    assert design(th["value"]) == "trilateral"
    assert design(max(th["bracket"]) if th["direction"] == "down" else min(th["bracket"])) != "trilateral"
    # an independent scan from the coded value towards the threshold finds the flip in the same place
    end = inp.span[0] if th["direction"] == "down" else inp.span[1]
    log = inp.scale == "log" and min(inp.coded, end) > 0
    f = math.log if log else (lambda v: v)
    xs = np.exp(np.linspace(f(inp.coded), f(end), 41)) if log else np.linspace(inp.coded, end, 41)
    first = next(x for x in xs if design(float(x)) == "trilateral")
    cell = abs(f(xs[1]) - f(xs[0]))
    assert abs(f(first) - f(th["value"])) <= cell + 1e-9


def test_joint_change_is_verified_and_not_beaten_by_a_finer_grid(syn_tip):
    s, spec, res = syn_tip
    changes = res["joint"]["changes"]
    assert changes, "a pair of inputs should reach the target"
    c = changes[0]
    assert c["verified"] and c["not_worse_than_grid"]
    a, b = c["inputs"]
    ia, ib = spec.get(a), spec.get(b)
    k = 13
    best = math.inf
    for xa in ia.grid(k):
        for xb in ib.grid(k):
            if solve(apply(s, [a, b], [xa, xb])).design == "trilateral":
                best = min(best, math.hypot(ia.normalised(xa), ib.normalised(xb)))
    cell = math.hypot(1 / (k - 1), 1 / (k - 1))
    assert c["normalised"] <= best + 1e-9 or c["normalised"] - best <= cell


def test_tipping_reports_unreached_targets(syn_tip):
    _, _, res = syn_tip
    for r in res["inputs"]:
        for t in r["thresholds"]:
            assert t["verified"]


# --------------------------------------------------------------------------- sensitivity and discovery

@pytest.fixture(scope="module")
def syn_table(tmp_path_factory, syn):
    s, spec = syn
    d = tmp_path_factory.mktemp("mc") / "eu48"
    runner.montecarlo(s, spec, d, draws=200, seed=11, chunk_size=50)
    return d, runner.load_results(d)


def test_sobol_indices_have_intervals_and_no_nan():
    s = synthetic(2, 4)
    spec = default_spec(s).subset(["C0.patron_stake", "ADV.capability", "C1.patron_stake", "C1.econ_dependence"])
    with runner.Executor("serial") as ex:
        res = an.sensitivity(s, spec, "trilateral", ex, method="sobol", n=32, groups="input", seed=1)
    assert 0 < res["p_target"] < 1 and res["evaluations"] == 32 * (4 + 2)
    idx = {r["name"]: r for r in res["indices"]}
    assert set(idx) == {"C0_patron_stake", "ADV_capability", "C1_patron_stake", "C1_econ_dependence"}
    for r in idx.values():
        assert all(v is None or math.isfinite(v) for k, v in r.items() if k != "name")
    # an input with a tipping point along its span matters more than one without
    assert idx["C1_patron_stake"]["ST"] > idx["C1_econ_dependence"]["ST"]


def test_given_data_and_discovery_on_a_monte_carlo_table(syn_table, syn):
    _, spec = syn
    d, (m, df) = syn_table
    g = an.given_data(df, runner.spec_of(m), "trilateral", delta_top=2)
    assert g["indices"] and all(r["pawn_median"] is None or math.isfinite(r["pawn_median"]) for r in g["indices"])
    with_delta = [r for r in g["indices"] if r["delta_raw"] is not None]
    assert [r["name"] for r in with_delta] == g["delta_inputs"] and len(with_delta) == 2
    res = an.discover(df, runner.spec_of(m), "bilateral", threshold=0.5)  # the minority outcome (about a quarter)
    pr = res["prim"]
    assert 0 < pr["coverage"] <= 1 and pr["density"] >= res["base_density"]
    assert pr["restricted"], "the box should restrict some input"
    names = set(spec.names())
    for b in pr["restricted"]:
        assert b["input"] in names and b["range"][0] <= b["low"] <= b["high"] <= b["range"][1]
    assert res["cart"]["leaves"] and all(0 < lf["density"] <= 1 for lf in res["cart"]["leaves"])


# --------------------------------------------------------------------------- the command line

def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="pactlab")


def test_cli_montecarlo_query_discover(syn_table, tmp_path):
    d, (_, df) = syn_table
    r = _invoke("explore", "query", d, "SELECT design, count(*) AS n FROM draws GROUP BY design ORDER BY n DESC",
                "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0] == "design,n" and sum(int(x.split(",")[1]) for x in lines[1:]) == len(df)
    r = _invoke("explore", "discover", d, "--target", "trilateral", "--format", "json", "--threshold", "0.5")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["target"] == "trilateral"
    rep = tmp_path / "mc.html"
    r = _invoke("explore", "montecarlo", "korea-1953", "--draws", "60", "--chunk-size", "20", "--out",
                tmp_path / "k", "--format", "json", "--report", rep)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output.split("report written")[0])
    assert out["draws"] == 60 and abs(sum(x["share"] for x in out["shares"]) - 1) < 1e-9
    assert "<svg" in rep.read_text()


def test_cli_errors_are_messages(tmp_path, syn_table):
    d, _ = syn_table
    for args, words in [
        (("explore", "tipping", "korea-1953", "--target", "nato"), "expected one of"),
        (("explore", "query", d, "SELECT nope FROM draws"), "query failed"),
        (("explore", "query", tmp_path / "missing", "SELECT 1"), "no such results folder"),
        (("explore", "tipping", "korea-1953", "--target", "none", "--vary", "ROK.nothing"), "no input"),
        (("explore", "montecarlo", "korea-1953", "--out", d), "already holds"),
    ]:
        r = _invoke(*args)
        assert r.exit_code == 1, (args, r.output)
        assert "Error:" in r.output and words in r.output and "Traceback" not in r.output, r.output


def test_cli_montecarlo_says_when_no_input_moves_the_design(tmp_path):
    # europe-1948 gives its modal design in every draw: no table of zero effects, a sentence instead
    r = CliRunner().invoke(main, ["explore", "montecarlo", "europe-1948", "--draws", "20", "--seed", "1",
                                  "--out", str(tmp_path / "mc")])
    assert r.exit_code == 0, r.output
    assert "clients-only" in r.output and "Inputs that move the modal design" not in r.output
    assert "no input moves it within its uncertainty" in r.output


def test_cli_tipping_says_why_no_joint_change_was_searched():
    # korea-1953 has no single input reaching 'multilateral' (one client): no pair is searched, and
    # the output says why rather than listing the pairs "among none"
    r = CliRunner().invoke(main, ["explore", "tipping", "korea-1953", "--target", "multilateral",
                                  "--vary", "ROK.capability,PRC.capability", "--grid", "3", "--steps", "2"])
    assert r.exit_code == 0, r.output
    assert "among none" not in r.output
    assert "Joint changes: none searched" in r.output
