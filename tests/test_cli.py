"""The command line, through ``click.testing.CliRunner`` on ``pactlab.cli.main``:
exit codes, what the output names, JSON that parses, and user errors printed
as ``Error: ...`` without a traceback."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.scenarios.catalog import DEFAULT_SCENARIOS, catalog, get


def _squash(text: str) -> str:
    """Whitespace-insensitive form (rich wraps long lines at the console width)."""
    return "".join(text.split())


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich wraps and folds table cells at 80 columns when output is not a
    terminal; tests read content, so give the consoles room."""
    from pactlab import cli

    for con in (cli.console, cli.err_console):
        monkeypatch.setattr(con, "width", 200)


def invoke(*args):
    return CliRunner().invoke(main, list(map(str, args)), prog_name="pactlab")


def _ok(r):
    assert r.exit_code == 0, f"exit {r.exit_code}\n{r.output}\n{r.exception!r}"
    assert r.exception is None
    return r


def _user_error(r):
    assert r.exit_code == 1, f"exit {r.exit_code}\n{r.output}"
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    assert "Error:" in r.output
    return r


# --- run -----------------------------------------------------------------------


def test_run_defaults_names_both_theatres():
    r = _ok(invoke("run"))
    out = _squash(r.output)
    assert DEFAULT_SCENARIOS == ("indo-pacific-2025", "europe-1949")
    assert "Indo-Pacific" in r.output and "2025" in r.output
    assert "1949" in r.output
    for sid in DEFAULT_SCENARIOS:
        s = get(sid)
        assert _squash(s.title) in out, s.title
    # the Indo-Pacific comes first: it is the headline question
    assert out.index(_squash(get("indo-pacific-2025").title)) < out.index(_squash(get("europe-1949").title))
    assert "Predicted design" in r.output


def test_run_json_is_valid_with_treaties():
    r = _ok(invoke("run", "europe-1949", "--format", "json"))
    data = json.loads(r.output)
    assert isinstance(data, dict)
    assert data["scenario_id"] == "europe-1949"
    assert data["treaties"], "Europe 1949 predicts treaties"
    for t in data["treaties"]:
        assert {"members", "level", "form", "origin", "expected_years"} <= set(t)
        assert t["level"] in {"consult", "defend"}


def test_run_json_several_scenarios_is_a_list():
    r = _ok(invoke("run", "korea-1953", "taiwan-1954", "--format", "json"))
    data = json.loads(r.output)
    assert [d["scenario_id"] for d in data] == ["korea-1953", "taiwan-1954"]


def test_run_on_a_file(write_yaml, good_dict):
    path = write_yaml(good_dict, "mine.yaml")
    r = _ok(invoke("run", path))
    assert _squash("Tiny theatre for tests") in _squash(r.output)
    r = _ok(invoke("run", path, "--format", "json"))
    assert json.loads(r.output)["scenario_id"] == "tiny-theatre"


def test_run_all_comparisons_prints_threat_comparisons():
    short = _squash(_ok(invoke("run", "korea-1953")).output)
    full = _squash(_ok(invoke("run", "korea-1953", "--all-comparisons")).output)
    threat = _squash("ROK: occupation threat")
    assert threat in full and threat not in short
    assert _squash("(threat and adversary comparisons: --all-comparisons)") in short


def test_run_prints_comparison_stage_labels():
    out = _ok(invoke("run", "korea-1953", "--all-comparisons")).output
    for stage in ("[threat]", "[patron]", "[durability]", "[adversary]"):
        assert stage in out, stage


def test_run_unknown_name_lists_builtins():
    r = _user_error(invoke("run", "atlantis-1066"))
    out = _squash(r.output)
    assert "atlantis-1066" in r.output
    for e in catalog():
        assert _squash(e.id) in out, e.id


def test_run_bad_file_is_a_user_error(write_yaml, good_dict):
    good_dict["geography"][0]["contiguity"] = "air"
    path = write_yaml(good_dict, "bad.yaml")
    r = _user_error(invoke("run", path))
    assert _squash(str(path)) in _squash(r.output)
    assert "geography[0].contiguity" in r.output


def test_run_missing_yaml_file_is_a_user_error(tmp_path):
    r = _user_error(invoke("run", tmp_path / "nope.yaml"))
    assert "file not found" in r.output


def test_run_report_writes_html(tmp_path):
    pytest.importorskip("pactlab.report.html")
    out = tmp_path / "out.html"
    _ok(invoke("run", "korea-1953", "--report", out))
    assert out.exists() and out.stat().st_size > 0
    text = out.read_text(encoding="utf-8")
    assert "<html" in text.lower()


# --- list ------------------------------------------------------------------------


def test_list_text():
    r = _ok(invoke("list"))
    out = _squash(r.output)
    for e in catalog():
        assert _squash(e.id) in out


def test_list_json():
    data = json.loads(_ok(invoke("list", "--format", "json")).output)
    assert [d["id"] for d in data] == [e.id for e in catalog()]
    for d in data:
        assert set(d) == {"id", "title", "region", "year", "kind", "clients"}
        assert d["clients"] >= 1


# --- validate ------------------------------------------------------------------------


def test_validate_good_file(write_yaml, good_dict):
    path = write_yaml(good_dict)
    r = _ok(invoke("validate", path))
    assert "ok" in r.output and "tiny-theatre" in r.output


def test_validate_builtin_files():
    r = _ok(invoke("validate", *[e.path for e in catalog()]))
    assert r.output.count(": ok") == len(catalog())


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["actors"][2].update(capabilty=d["actors"][2].pop("capability")), "actors[2] (AAA).capabilty"),
        (lambda d: d["actors"][2]["maritime_reach"].update(value=1.5), "actors[2] (AAA).maritime_reach.value"),
        (lambda d: d["geography"].pop(2), "geography"),
    ],
)
def test_validate_bad_file(write_yaml, good_dict, mutate, field):
    mutate(good_dict)
    path = write_yaml(good_dict, "bad.yaml")
    r = _user_error(invoke("validate", path))
    out = _squash(r.output)
    assert out.startswith("Error:")
    assert _squash(str(path)) in out
    assert _squash(field) in out


def test_validate_yaml_syntax_error(write_yaml):
    path = write_yaml("id: x\ntitle: [unclosed\nregion: y\n", "syntax.yaml")
    r = _user_error(invoke("validate", path))
    assert "line" in r.output and "not valid YAML" in r.output


def test_validate_needs_a_file():
    r = invoke("validate")
    assert r.exit_code == 2  # click usage error
    assert "Traceback" not in r.output


# --- cases ------------------------------------------------------------------------------


def test_cases_reports_exact_sets_then_lenient():
    r = _ok(invoke("cases"))
    out = " ".join(r.output.split())
    assert "Exact treaty sets" in out and "Lenient rule: reproduced" in out
    assert out.index("Exact treaty sets") < out.index("Lenient rule")


def test_cases_json():
    data = json.loads(_ok(invoke("cases", "--format", "json")).output)
    assert isinstance(data, list) and data


def test_cases_at_fitted_parameters(tmp_path):
    """--params reads a file of pactlab fit (here one tied logit precision) and scores the
    cases at those values: the same rows as the case table at the expanded parameter set."""
    from pactlab.evidence.cases import case_table, json_rows
    from pactlab.evidence.fit import FORMAT
    from pactlab.model.params import PRECISIONS, Parameters

    f = tmp_path / "fit.json"
    f.write_text(json.dumps({"format": FORMAT, "theory": "cohen[precision]", "parameters": {"precision": 3.0}}))
    data = json.loads(_ok(invoke("cases", "--params", str(f), "--format", "json")).output)
    want = json_rows(case_table(Parameters(**{k: 3.0 for k in PRECISIONS})))
    assert data == json.loads(json.dumps(want))
    assert "digest" in " ".join(_ok(invoke("cases", "--params", str(f))).output.split())


def test_run_at_fitted_parameters(tmp_path):
    """run --params solves at a pactlab fit file's values: the JSON is solve()'s at the expanded
    parameter set (digest, design probabilities), not the shipped one's."""
    from pactlab.evidence.fit import FORMAT
    from pactlab.model.params import DEFAULT, PRECISIONS, Parameters
    from pactlab.model.solve import solve
    from pactlab.scenarios.catalog import get

    f = tmp_path / "fit.json"
    f.write_text(json.dumps({"format": FORMAT, "theory": "cohen[precision]", "parameters": {"precision": 3.0}}))
    data = json.loads(_ok(invoke("run", "korea-1953", "--params", str(f), "--format", "json")).output)
    p = Parameters(**{k: 3.0 for k in PRECISIONS})
    want = json.loads(json.dumps(solve(get("korea-1953"), p, distribution=True).to_dict()))
    assert data["parameters_digest"] == p.digest() != DEFAULT.digest()
    assert data["design_probabilities"] == want["design_probabilities"]
    shipped = json.loads(_ok(invoke("run", "korea-1953", "--format", "json")).output)
    assert shipped["design_probabilities"] != data["design_probabilities"]
    # the record's possibility is said outright: possible at precision 3, impossible at the shipped
    # infinite precisions (korea-1953's record is a defence pledge; the modal prediction consults)
    assert data["record_possible"] is True and data["record_log_prob"] is not None
    assert shipped["record_possible"] is False and shipped["record_log_prob"] is None
    assert "not the shipped set" in " ".join(_ok(invoke("run", "korea-1953", "--params", str(f))).output.split())


def test_the_documented_fit_file_loads():
    """docs/params/cohen-fit-1816-1955.json (pactlab fit on the shared data) is a valid parameter
    file: one finite tied precision, expanded to Cohen's five."""
    from pathlib import Path

    from pactlab.evidence.cases import params_from_file
    from pactlab.model.params import PRECISIONS

    f = Path(__file__).resolve().parents[1] / "docs" / "params" / "cohen-fit-1816-1955.json"
    body = json.loads(f.read_text())
    p = params_from_file(f)
    assert {getattr(p, k) for k in PRECISIONS} == {body["parameters"]["precision"]}
    assert 0 < body["parameters"]["precision"] < 1 and body["provenance"]["data"]


def test_run_params_file_error_names_the_file(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "pactlab-params/1", "theory": "geography", "parameters": {}}))
    r = invoke("run", "korea-1953", "--params", str(f))
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert "field 'theory'" in " ".join(r.output.split()) and f.name in r.output


@pytest.mark.parametrize("body, expect", [
    ({"format": "pactlab-params/1", "theory": "geography", "parameters": {}}, "field 'theory'"),
    ({"format": "pactlab-params/1", "theory": "cohen", "parameters": {"base_hazard": -1.0}}, "field 'parameters'"),
    ({"format": "pactlab-params/1", "theory": "cohen[precision]", "parameters": {}}, "'precision'"),
    ({"theory": "cohen"}, "field 'format'"),
])
def test_cases_params_file_errors(tmp_path, body, expect):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(body))
    r = invoke("cases", "--params", str(f))
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert str(f) in " ".join(r.output.split()) or f.name in r.output
    assert expect in " ".join(r.output.split())


# --- help ---------------------------------------------------------------------------------

COMMANDS = ["run", "list", "validate", "cases"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_mentions_examples(command):
    r = _ok(invoke(command, "--help"))
    assert "example" in r.output.lower(), r.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_works(command):
    r = _ok(invoke(command, "--help"))
    assert f"pactlab {command}" in r.output
    r2 = _ok(invoke(command, "-h"))
    assert r2.output == r.output


def test_top_level_help_and_version():
    r = _ok(invoke("--help"))
    for c in COMMANDS:
        assert c in r.output
    assert "pactlab run" in r.output
    r = _ok(invoke("--version"))
    assert "pactlab" in r.output


def test_backtest_help_says_it_scores_the_v1_episodes():
    """backtest (v1 units) and episodes/fit (v2 units) count 1946-1955 differently (9 against 11); the
    help says why."""
    text = " ".join(_ok(invoke("backtest", "--help")).output.split())
    assert "first (v1) rules" in text and "at most 12 clients" in text
    assert "`pactlab episodes` and `pactlab fit` use the v2 rules" in text
