"""`pactlab compare`: the scoring, the Vuong test, the skip of theories without
a probability model, and clear errors for bad input."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.evidence.compare import CompareError, bootstrap_mean, compare, vuong
from pactlab.scenarios.catalog import get

SMALL = [get("korea-1953"), get("taiwan-1954"), get("asia-pacific-1951")]


def test_vuong_against_a_hand_computation():
    a, b = [-1.0, -2.0, -0.5, -1.5], [-2.0, -2.5, -1.0, -1.0]
    m = [1.0, 0.5, 0.5, -0.5]
    mean = sum(m) / 4
    sd = math.sqrt(sum((x - mean) ** 2 for x in m) / 3)
    z = 2 * mean / sd
    r = vuong(a, b)
    assert math.isclose(r["z"], z) and math.isclose(r["p"], math.erfc(abs(z) / math.sqrt(2)))
    assert math.isnan(vuong([1.0, 2.0], [1.0, 2.0])["z"])  # identical models: no test


def test_bootstrap_interval_brackets_the_mean_and_is_seeded():
    xs = [0.0, 1.0, 2.0, 3.0, 10.0]
    m, lo, hi = bootstrap_mean(xs)
    assert m == 3.2 and lo <= m <= hi and bootstrap_mean(xs) == (m, lo, hi)


def test_compare_scores_the_record_and_skips_theories_without_log_prob():
    cmp = compare(["cohen", "cha", "logit"], cases=SMALL)
    by = {(r.theory, r.scenario): r for r in cmp.rows}
    r = by[("cha", "korea-1953")]
    assert r.design_ok and r.treaties_ok and r.exact_atop and not r.exact_paper  # US-ROK: ATOP defend, paper consult
    assert r.log_score_atop > r.log_score
    assert math.isclose(by[("logit", "korea-1953")].log_score, math.log(0.25))  # null model: ally 1/2, defend 1/2
    assert by[("cohen", "korea-1953")].log_score is None
    assert any(n.startswith("cohen:") for n in cmp.notes)
    assert {(v["a"], v["b"]) for v in cmp.vuong} == {("cha", "logit")}
    s = {e["theory"]: e for e in cmp.summary}
    assert s["cohen"]["log_score"] is None and s["cha"]["log_score"] > s["logit"]["log_score"]
    assert s["cha"]["design_hits"] == sum(r.design_ok for r in cmp.rows if r.theory == "cha")
    assert cmp.encompassing["status"] == "not run"


def test_unknown_theory_and_parameter_are_clear_errors():
    with pytest.raises(CompareError, match="unknown theory nope"):
        compare(["nope"], cases=SMALL)
    with pytest.raises(Exception, match="no_such"):
        compare(["cha"], {"cha": {"no_such": 1.0}}, cases=SMALL)


def test_cli_bad_params_file(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("cha: 3\n")
    r = CliRunner().invoke(main, ["compare", "--params", str(bad)])
    assert r.exit_code == 1 and "expected a mapping of theory name" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["compare", "--params", str(tmp_path / "missing.yaml")])
    assert r.exit_code == 1 and "no such file" in r.output


def test_cli_json_on_chosen_theories(tmp_path):
    p = tmp_path / "params.yaml"
    p.write_text("cha: {control: 4.0}\n")
    r = CliRunner().invoke(main, ["compare", "--theories", "cha,logit", "--params", str(p), "--format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["theories"] == ["cha", "logit"] and len(d["rows"]) == 2 * len(d["cases"])


def test_html_page_has_the_table_and_the_notes():
    from pactlab.evidence.compare import render_html

    page = render_html(compare(["cohen", "cha"], cases=SMALL))
    assert page.startswith("<!DOCTYPE html>") and "exact (ATOP)" in page and "korea-1953" in page
    assert "Encompassing tests" in page and "no probability model" in page
