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


def test_cohen_at_finite_precisions_is_scored_by_likelihood():
    """With finite logit precisions Cohen's model has an outcome distribution, so the
    case table gives it log scores and a Vuong test; at the declared (infinite)
    precisions the note says how to get one."""
    fin = {k: 5.0 for k in ("precision_patron", "precision_clients", "precision_adversary",
                            "precision_welfare", "precision_stability")}
    cmp = compare(["cohen", "logit"], params={"cohen": fin}, cases=SMALL)
    rows = [r for r in cmp.rows if r.theory == "cohen"]
    assert rows and all(r.log_score is not None and r.log_score < 0 for r in rows)
    assert not any(n.startswith("cohen:") for n in cmp.notes)
    assert {(v["a"], v["b"]) for v in cmp.vuong} == {("cohen", "logit")}
    note = next(n for n in compare(["cohen"], cases=SMALL).notes if n.startswith("cohen:"))
    assert "finite logit precisions" in note and "--params" in note


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


# ----------------------------------------------------------------------------- the record's theatres

def _stub_world(monkeypatch):
    """Three theatres and one stub theory whose predictions and log-probabilities are fixed, so
    every figure of the record section can be worked out by hand."""
    from types import SimpleNamespace

    from pactlab import theories
    from pactlab.designs import DESIGNS
    from pactlab.evidence.encompassing import Case
    from pactlab.theories.base import Outcome, Prediction

    def sc(sid, clients):
        return SimpleNamespace(id=sid, patron=SimpleNamespace(id="P"), clients=[SimpleNamespace(id=c) for c in clients])

    bil = lambda *cs: [((c,), True, "defend") for c in cs]
    # t1: one client, record bilateral, predicted bilateral (right; no ARI with one client)
    # t2: clients A-D, record P+A+B and C+D (clients-only): groups {A,B},{C,D};
    #     predicted P+A+B, P+C, P+D: groups {A,B},{C},{D} -> ARI 4/7 (worked out in the test)
    # t3: clients X, Y, record bilaterals with both, predicted P+X+Y: design wrong; ARI of
    #     {X},{Y} against {X,Y}: both trivial and different -> 0
    theatres = [
        (sc("t1", ["A"]), Outcome.of(bil("A")), Outcome.of(bil("A")), -1.0),
        (sc("t2", ["A", "B", "C", "D"]), Outcome.of([(("A", "B"), True, "defend"), (("C", "D"), False, "defend")]),
         Outcome.of([(("A", "B"), True, "defend")] + bil("C", "D")), -2.0),
        (sc("t3", ["X", "Y"]), Outcome.of(bil("X", "Y")), Outcome.of([(("X", "Y"), True, "defend")]), -math.inf),
    ]
    pred = {s.id: p for s, _, p, _ in theatres}
    lps = {s.id: lp for s, _, _, lp in theatres}

    class Stub:
        name = "stub"
        supports_log_prob = True
        key_term = None

        def predict(self, s, params=None):
            return Prediction("stub", s.id, "", pred[s.id], {d: 1.0 / len(DESIGNS) for d in DESIGNS}, "exact")

        def log_prob(self, s, observed, params=None):
            return lps[s.id]

    monkeypatch.setattr(theories, "names", lambda: ["stub"])
    monkeypatch.setattr(theories, "get", lambda n: Stub())
    built = [(Case(s.id, 1900 + 10 * i, 0.0, {}, obs.design, obs, 1896 + 10 * i), s)
             for i, (s, obs, _, _) in enumerate(theatres)]
    return built, theatres


def test_record_section_metrics_by_hand(monkeypatch):
    from pactlab.evidence.compare import theatre_scores

    built, theatres = _stub_world(monkeypatch)
    assert [obs.design for _, obs, _, _ in theatres] == ["bilateral", "trilateral", "bilateral"]
    assert [p.design for _, _, p, _ in theatres] == ["bilateral", "hub-and-spoke", "trilateral"]
    rows, summary = theatre_scores(built, 1950, {})  # all three before the split
    tr, te = summary[0]["train"], summary[0]["test"]
    # designs: bilateral recall 1/2 (t1 right, t3 wrong), trilateral recall 0/1 (t2) -> BA 1/4, accuracy 1/3
    assert tr["designs_right"] == 1 and tr["designs_in_record"] == 2
    assert tr["balanced_accuracy"] == pytest.approx(0.25)
    # ARI of t2: contingency {AB: 2 in AB}, {CD: 1 in C, 1 in D}: index 1, rows 1+1=2, columns 1,
    # expected 2*1/C(4,2)=1/3, maximum (2+1)/2=3/2 -> (1-1/3)/(3/2-1/3) = 4/7; t3: 0; t1: none
    by = {r["theatre"]: r for r in rows}
    assert by["t1"]["ari"] is None and by["t3"]["ari"] == 0.0
    assert by["t2"]["ari"] == pytest.approx(4 / 7)
    assert tr["n_ari"] == 2 and tr["ari"] == pytest.approx((4 / 7 + 0.0) / 2)
    # log score: t3 is impossible, the mean is over t1 and t2
    assert tr["impossible"] == 1 and tr["n_common"] == 2 and tr["log_score"] == pytest.approx(-1.5)
    assert by["t3"]["log_score"] is None and by["t3"]["log_score_status"] == "impossible"
    lo, hi = tr["log_score_ci"]
    assert -2.0 <= lo <= -1.5 <= hi <= -1.0
    assert tr["balanced_accuracy_ci"][0] <= 0.25 <= tr["balanced_accuracy_ci"][1]
    # no theatre from the split on: every figure empty, none NaN
    assert te["n"] == 0 and te["balanced_accuracy"] is None and te["ari"] is None and te["log_score"] is None
    assert te["balanced_accuracy_ci"] is None
    # the split moves t3 (window ending 1920) to the test part
    _, s2 = theatre_scores(built, 1915, {})
    assert s2[0]["train"]["n"] == 2 and s2[0]["test"]["n"] == 1 and s2[0]["test"]["impossible"] == 1
    assert s2[0]["train"]["balanced_accuracy"] == pytest.approx(0.5)  # bilateral 1/1, trilateral 0/1


def test_bootstrap_statistic_is_seeded_and_matches_bootstrap_mean_for_a_mean():
    import numpy as np

    from pactlab.evidence.compare import bootstrap_statistic

    xs = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    assert bootstrap_statistic(lambda ix: float(xs[ix].mean()), len(xs)) == pytest.approx(bootstrap_mean(xs))
    assert all(math.isnan(v) for v in bootstrap_statistic(lambda ix: 0.0, 0))


def test_theatre_csv_writes_every_column_and_no_nan(monkeypatch):
    import csv
    import io

    from pactlab.evidence.compare import THEATRE_COLUMNS, theatre_csv, theatre_scores

    built, _ = _stub_world(monkeypatch)
    rows, _ = theatre_scores(built, 1950, {})
    got = list(csv.DictReader(io.StringIO(theatre_csv(rows))))
    assert tuple(got[0]) == THEATRE_COLUMNS and len(got) == 3
    assert [r["window"] for r in got] == ["1896-1900", "1906-1910", "1916-1920"]
    assert got[2]["log_score"] == "" and got[0]["ari"] == "" and "nan" not in theatre_csv(rows).lower()
    assert got[1]["observed"] == "C+D (defend), P+A+B (defend)"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from worlds import small_world

    d = tmp_path_factory.mktemp("cmp")
    small_world(d / "w")
    (d / "prec.yaml").write_text("cohen: {precision_patron: 5, precision_clients: 5, precision_adversary: 5, "
                                 "precision_welfare: 5, precision_stability: 5}\n")
    return d


def test_cli_record_section_and_scores_csv(world, tmp_path):
    import pandas as pd

    csv_path, out = tmp_path / "theatres.csv", tmp_path / "compare.json"
    args = ["compare", "--theories", "cohen,geography,logit", "--data", str(world / "w"), "--split", "1901",
            "--to", "1916", "--params", str(world / "prec.yaml")]
    r = CliRunner().invoke(main, args + ["--format", "json", "--out", str(out), "--scores", str(csv_path)])
    assert r.exit_code == 0, r.output
    d = json.loads(out.read_text())
    rec = d["record"]
    assert rec["status"] == "run" and [e["theory"] for e in rec["theories"]] == ["cohen", "geography", "logit"]
    tab = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    assert len(tab) == 3 * rec["n_theatres"] and rec["n_train"] + rec["n_test"] == rec["n_theatres"]
    assert rec["n_theatres"] == d["encompassing"]["n_cases"]  # the theatres of the encompassing tests
    for e in rec["theories"]:
        for part in ("train", "test"):
            t = tab[(tab.theory == e["theory"]) & (tab.part == part)]
            x = e[part]
            assert x["n"] == len(t) and x["designs_right"] == int((t.design_correct == "True").sum())
            # balanced accuracy from the CSV, by hand: mean over the record's designs of the share right
            recalls = [float((t[t.observed_design == dz].predicted_design == dz).mean()) for dz in set(t.observed_design)]
            assert x["balanced_accuracy"] == pytest.approx(sum(recalls) / len(recalls))
            aris = [float(v) for v in t.ari if v != ""]
            assert x["n_ari"] == len(aris) and x["ari"] == pytest.approx(sum(aris) / len(aris))
            lo, hi = x["balanced_accuracy_ci"]
            assert 0.0 <= lo <= hi <= 1.0
    # the same log scores as the encompassing run's table of every theory
    rs = {r_["theory"]: r_ for r_ in d["encompassing"]["record_scores"]}
    for e in rec["theories"]:
        assert e["test"]["log_score"] == pytest.approx(rs[e["theory"]]["test"]["mean_common"])
    assert set(tab.log_score_status) <= {"ok", "impossible"}
    assert all((v == "") == (st == "impossible") for v, st in zip(tab.log_score, tab.log_score_status))
    # text and HTML carry the section too
    t = CliRunner().invoke(main, args)
    assert t.exit_code == 0 and "balanced accuracy" in t.output and "ARI" in t.output
    h = CliRunner().invoke(main, args + ["--format", "html"])
    assert h.exit_code == 0 and "Every theory on the record" in h.output


def test_cli_scores_needs_data_and_force(world, tmp_path):
    p = tmp_path / "s.csv"
    r = CliRunner().invoke(main, ["compare", "--theories", "cha", "--scores", str(p)])
    assert r.exit_code == 1 and "give --data too" in r.output and "Traceback" not in r.output
    p.write_text("x\n")
    r = CliRunner().invoke(main, ["compare", "--theories", "cha", "--data", str(world / "w"), "--scores", str(p),
                                  "--params", str(world / "prec.yaml")])
    assert r.exit_code == 1 and "--scores" in r.output and "--force" in r.output and p.read_text() == "x\n"


def test_cli_fit_rivals_before_scoring(world, tmp_path):
    """--fit fits each rival on the training theatres (windows ending before --split) and scores it
    there at the fitted values: the training log-likelihood is at least that at the declared values,
    and the record's scores are the theory's log-probabilities at the fitted values."""
    from pactlab import theories
    from pactlab.evidence.fit import training_cases

    out = tmp_path / "c.json"
    args = ["compare", "--theories", "cohen,geography", "--data", str(world / "w"), "--split", "1911",
            "--to", "1916", "--params", str(world / "prec.yaml"), "--fit", "--maxiter", "15"]
    r = CliRunner().invoke(main, args + ["--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    rec = json.loads(out.read_text())["record"]
    f = rec["fitted"]["geography"]
    assert set(f) >= {"estimates", "log_lik", "log_lik_default", "converged"} and "cohen" not in rec["fitted"]
    # no rival frees more parameters than Cohen's one (its tied precision): one of its fittable ones
    assert len(f["estimates"]) == 1 and len(f["candidates"]) > 1 and set(f["estimates"]) <= set(f["candidates"])
    assert f["log_lik"] >= f["log_lik_default"] - 1e-9 and f["n"] <= rec["n_train"]
    # the test part is scored at the fitted values (not the declared ones)
    from pactlab.data import open_data

    cases, _ = training_cases(open_data(world / "w"), 1816, 1916)
    test = [c for c in cases if c.end >= 1911]
    geo = theories.get("geography")
    at_fit = [geo.log_prob(c.scenario, c.observed, f["estimates"]) for c in test]
    g = next(e for e in rec["theories"] if e["theory"] == "geography")
    assert g["test"]["n_common"] == len(test) > 0
    assert g["test"]["log_score"] == pytest.approx(sum(at_fit) / len(at_fit))
    t = CliRunner().invoke(main, args)
    assert t.exit_code == 0 and "Rivals fitted" in t.output
    bad = CliRunner().invoke(main, ["compare", "--fit"])
    assert bad.exit_code != 0 and "give --data too" in bad.output
