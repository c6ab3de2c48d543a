"""Parameter uncertainty in a Monte Carlo: each draw takes one of a fit's bootstrap resamples
(``pactlab explore montecarlo --params FIT.json --param-draws``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.evidence.cases import param_draws_from_file
from pactlab.explore import runner
from pactlab.explore.spec import apply, default_spec
from pactlab.manifest import RunMismatch
from pactlab.model.solve import solve_design
from pactlab.scenarios.generate import synthetic

FIT = Path(__file__).resolve().parents[1] / "docs" / "params" / "cohen-fit-1816-1955.json"
#: resamples over the distance scale (which moves the synthetic theatre's design: trilateral
#: at 250 km, bilateral at 1,000, clients-only at 4,000) and the tied precision
ROWS = [[0.03, 250.0], [0.03, 1000.0], [0.03, 4000.0]]


def _fit_file(tmp_path, rows=ROWS, names=("precision", "distance_scale_km")) -> Path:
    body = json.loads(FIT.read_text())
    body["bootstrap"] = {"b": len(rows), "seed": 0, "failed": 0, "draws": {"names": list(names), "values": rows}}
    p = tmp_path / "fit.json"
    p.write_text(json.dumps(body))
    return p


def test_each_draw_is_solved_at_its_resample(tmp_path):
    s = synthetic(2, 4)
    spec = default_spec(s)
    pd_ = param_draws_from_file(_fit_file(tmp_path))
    assert pd_.names == ("precision", "distance_scale_km") and len(pd_.sets) == 3
    assert [p.distance_scale_km for p in pd_.sets] == [250.0, 1000.0, 4000.0]
    runner.montecarlo(s, spec, tmp_path / "mc", draws=60, seed=3, chunk_size=20, params=pd_.sets[1], param_draws=pd_)
    _, df = runner.load_results(tmp_path / "mc")
    assert set(df.param_draw) == {0, 1, 2}
    assert (df.param_distance_scale_km == np.array([ROWS[k][1] for k in df.param_draw])).all()
    for _, row in df.iloc[::7].iterrows():
        values = [row[runner.column(p)] for p in spec.names()]
        assert row.design == solve_design(apply(s, spec.names(), values), pd_.sets[int(row.param_draw)])[0]
    # the resamples move designs here: some draws differ from their design at the point estimate
    at_point = [solve_design(apply(s, spec.names(), [row[runner.column(p)] for p in spec.names()]), pd_.sets[1])[0]
                for _, row in df.iterrows()]
    assert (df.design.to_numpy() != np.array(at_point)).any()
    # the input values are those of the same run without parameter draws
    runner.montecarlo(s, spec, tmp_path / "plain", draws=60, seed=3, chunk_size=20)
    _, plain = runner.load_results(tmp_path / "plain")
    cols = [runner.column(p) for p in spec.names()]
    assert (plain[cols].to_numpy() == df[cols].to_numpy()).all()


def test_resample_choice_does_not_depend_on_chunking_or_engine(tmp_path):
    s = synthetic(2, 4)
    spec = default_spec(s)
    pd_ = param_draws_from_file(_fit_file(tmp_path))
    runner.montecarlo(s, spec, tmp_path / "a", draws=40, seed=9, chunk_size=40, param_draws=pd_)
    runner.montecarlo(s, spec, tmp_path / "b", draws=40, seed=9, chunk_size=10, param_draws=pd_,
                      engine="process", workers=2)
    a, b = (runner.load_results(tmp_path / k)[1].drop(columns=["chunk", *runner.BOOKKEEPING]) for k in "ab")
    assert a.equals(b)


def test_resume_refuses_other_resamples(tmp_path):
    s = synthetic(2, 4)
    spec = default_spec(s)
    pd_ = param_draws_from_file(_fit_file(tmp_path))
    runner.montecarlo(s, spec, tmp_path / "mc", draws=20, seed=1, chunk_size=10, param_draws=pd_)
    other = param_draws_from_file(_fit_file(tmp_path, rows=[[0.03, 500.0], [0.03, 2000.0]]))
    with pytest.raises(RunMismatch, match="parameter_draws"):
        runner.montecarlo(s, spec, tmp_path / "mc", draws=20, seed=1, chunk_size=10, param_draws=other, resume=True)
    with pytest.raises(RunMismatch, match="parameter_draws"):
        runner.montecarlo(s, spec, tmp_path / "mc", draws=20, seed=1, chunk_size=10, resume=True)


def test_cli_lists_the_parameter_among_the_movers(tmp_path):
    f = _fit_file(tmp_path)
    scen = tmp_path / "syn.yaml"
    import yaml

    scen.write_text(yaml.safe_dump(synthetic(2, 4).model_dump(mode="json", exclude_none=True), sort_keys=False))
    r = CliRunner().invoke(main, ["explore", "montecarlo", str(scen), "--draws", "60", "--seed", "3",
                                  "--chunk-size", "20", "--out", str(tmp_path / "mc"), "--params", str(f),
                                  "--param-draws", "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    assert body["run"]["parameters"]["bootstrap_resamples"] == 3
    from pactlab.explore.analysis import summarise

    m, df = runner.load_results(tmp_path / "mc")
    assert m["extra"]["parameter_draws"]["names"] == ["precision", "distance_scale_km"]
    movers = summarise(df, runner.spec_of(m), body["coded_design"], top=1000,
                       params=m["extra"]["parameter_draws"]["names"])["movers"]
    assert {r["input"]: r["rule"] for r in movers}["parameter distance_scale_km"] == "fit bootstrap"


def test_bad_parameter_files_are_named(tmp_path):
    r = CliRunner().invoke(main, ["explore", "montecarlo", "korea-1953", "--draws", "5", "--param-draws",
                                  "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--params" in r.output
    body = json.loads(FIT.read_text())
    (tmp_path / "nodraws.json").write_text(json.dumps(body))
    r = CliRunner().invoke(main, ["explore", "montecarlo", "korea-1953", "--draws", "5", "--out", str(tmp_path / "y"),
                                  "--params", str(tmp_path / "nodraws.json"), "--param-draws"])
    assert r.exit_code != 0 and "bootstrap.draws" in r.output and "--bootstrap B" in r.output
    assert "Traceback" not in r.output
    bad = _fit_file(tmp_path, rows=[[0.03, "far"]])
    r = CliRunner().invoke(main, ["explore", "montecarlo", "korea-1953", "--draws", "5", "--out", str(tmp_path / "z"),
                                  "--params", str(bad), "--param-draws"])
    assert r.exit_code != 0 and "bootstrap.draws.values[0]" in r.output and "Traceback" not in r.output


def test_precision_only_resamples_are_said_to_move_no_design(tmp_path):
    f = _fit_file(tmp_path, rows=[[0.01], [1.0]], names=("precision",))
    r = CliRunner().invoke(main, ["explore", "montecarlo", "korea-1953", "--draws", "10", "--chunk-size", "10",
                                  "--out", str(tmp_path / "mc"), "--params", str(f), "--param-draws"])
    assert r.exit_code == 0, r.output
    assert "move no design" in r.output
