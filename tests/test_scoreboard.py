"""Baselines with a probability model, the out-of-sample scoreboard, the cluster bootstrap,
and Cohen's model fitted with its logit precisions set explicitly.

Hand-built cases on the built-in theatres: the outcomes are chosen here, so the baselines'
maximum-likelihood rates are known in closed form and the training/test split can be checked
by changing what happens after it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pactlab import theories
from pactlab.evidence.fit import LOG_EPS, FitCase, FitError, fit, has_probability_model
from pactlab.evidence.fit_baselines import AlwaysBilateral, AlwaysMultilateral, BaseRate, get
from pactlab.evidence.scoreboard import bootstrap_fit, differences, scoreboard, write_table
from pactlab.scenarios.catalog import get as scenario
from pactlab.theories.base import Outcome, client_ids

SIDS = ["europe-1949", "asia-pacific-1951", "korea-1953", "southeast-asia-1954", "europe-1947", "europe-1948"]


def _spokes(s, k):
    return Outcome.of([({c}, True, "defend") for c in client_ids(s)[:k]])


def _one_pact(s, k):
    return Outcome.of([(client_ids(s)[:k], True, "defend")]) if k else Outcome()


def _cases(outcome=_spokes, ks=(1, 2, 0, 2, 1, 3), year=1900):
    out = []
    for j, (sid, k) in enumerate(zip(SIDS, ks)):
        s = scenario(sid)
        out.append(FitCase(f"{sid}#{j}", year + 5 * j, year + 4 + 5 * j, s, outcome(s, min(k, len(client_ids(s))))))
    return out


def test_deterministic_designs_give_probability_zero_to_the_other_design():
    s = scenario("europe-1949")
    two_spokes, one_pact = _spokes(s, 2), _one_pact(s, 2)
    assert AlwaysBilateral().log_prob(s, one_pact) == -math.inf
    assert math.isfinite(AlwaysBilateral().log_prob(s, two_spokes))
    assert AlwaysMultilateral().log_prob(s, two_spokes) == -math.inf
    assert math.isfinite(AlwaysMultilateral().log_prob(s, one_pact))
    for th in (BaseRate(), theories.get("geography")):  # a model with full support gives both a probability
        assert math.isfinite(th.log_prob(s, one_pact)) and math.isfinite(th.log_prob(s, two_spokes))


def test_base_rate_fit_recovers_the_closed_form_rates():
    cases = _cases()
    signed = sum(len({c for t in x.observed.treaties for c in t.clients}) for x in cases)
    total = sum(len(client_ids(x.scenario)) for x in cases)
    for th in (BaseRate(), AlwaysBilateral()):
        r = fit(th, cases, free=["ally_base"])
        assert r.values["ally_base"] == pytest.approx(math.log(signed / (total - signed)), abs=2e-3), th.name
    # every treaty is a bilateral spoke: joining a group is ever less likely
    r = fit(BaseRate(), cases, free=["ally_base", "join_base"])
    assert r.values["join_base"] < -5


def test_get_names_baselines_and_registered_theories():
    assert get("base-rate").name == "base-rate" and get("geography").name == "geography"
    with pytest.raises(Exception, match="unknown theory"):
        get("no-such-model")


def test_split_scoreboard_trains_only_before_the_split_and_counts_zero_probabilities():
    cases = _cases(ks=(1, 2, 0, 2, 2, 3))
    later = [c for c in cases if c.start >= 1915]
    models = {"base-rate": BaseRate(), "always-bilateral": AlwaysBilateral(), "always-multilateral": AlwaysMultilateral()}
    sb = scoreboard(models, cases, min_train=2, train_to=1915)
    assert {r["window"] for r in sb.rows} == {f"{c.start}-{c.end}" for c in later}
    assert all(r["n_train"] == 3 and r["scored"] for r in sb.rows)
    # what happens after the split does not move the fit
    changed = cases[:3] + [FitCase(c.key, c.start, c.end, c.scenario, _one_pact(c.scenario, 2)) for c in later]
    sb2 = scoreboard(models, changed, min_train=2, train_to=1915)
    assert [r["digest"] for r in sb.rows] == [r["digest"] for r in sb2.rows]
    # the later outcomes are single pacts of two: always-bilateral gives each probability zero, floored
    bil = [s for s in sb2.scores if s["model"] == "always-bilateral"]
    assert len(bil) == len(later) and all(s["status"] == "zero" and s["log_score"] == LOG_EPS for s in bil)
    tot = {t["model"]: t for t in sb2.totals(b=200)}
    assert tot["always-bilateral"]["zero_prob"] == len(later) and tot["always-multilateral"]["zero_prob"] == 0
    d = {x["minus"]: x for x in differences(sb2, "always-multilateral", b=200)}
    assert d["always-bilateral"]["mean_difference"] > 0 and d["always-bilateral"]["n_cases"] == len(later)
    assert d["always-bilateral"]["lower"] > 0  # it wins in every window, so in every resample


def test_window_scoreboard_refits_on_all_earlier_windows():
    cases = _cases()
    sb = scoreboard({"base-rate": BaseRate()}, cases, min_train=2)
    assert [r["n_train"] for r in sb.rows] == [0, 1, 2, 3, 4, 5]
    assert [r["scored"] for r in sb.rows] == [False, False, True, True, True, True]
    for r, c in zip(sb.rows, cases):
        if r["scored"]:
            want = fit(BaseRate(), [x for x in cases if x.end < c.start], starts=1).values
            assert r["log_score"] == pytest.approx(BaseRate().log_prob(c.scenario, c.observed, want), abs=0.05)


def test_bootstrap_is_seeded_and_spreads_with_the_data():
    cases = _cases()
    th = BaseRate()
    r = fit(th, cases, free=["ally_base"])
    a = bootstrap_fit(th, cases, r.values, ["ally_base"], b=20, seed=3)
    b = bootstrap_fit(th, cases, r.values, ["ally_base"], b=20, seed=3)
    c = bootstrap_fit(th, cases, r.values, ["ally_base"], b=20, seed=4)
    assert a == b and a["parameters"] != c["parameters"]
    p = a["parameters"]["ally_base"]
    assert p["se"] > 0 and p["lower"] <= r.values["ally_base"] <= p["upper"] and a["clusters"] == 6
    # every resample's values are kept (for explore montecarlo --param-draws), and the summary is theirs
    d = a["draws"]
    assert d["names"] == ["ally_base"] and len(d["values"]) == 20 - a["failed"]
    assert p["se"] == pytest.approx(float(np.std([v[0] for v in d["values"]], ddof=1)))


def test_fit_at_most_k_chooses_by_training_likelihood():
    from pactlab.evidence.fit import fit_at_most, free_specs

    cases = _cases()
    th = BaseRate()
    names = [s.name for s in free_specs(th)]
    assert len(names) > 1
    one = fit_at_most(th, cases, 1)
    singles = {n: fit(th, cases, free=[n], starts=1).log_lik for n in names}
    assert len(one.free) == 1 and one.log_lik == pytest.approx(max(singles.values()))
    assert "forward selection" in one.notes[-1]
    every = fit_at_most(th, cases, len(names))  # as many as there are: the plain fit
    assert sorted(every.free) == sorted(names) and every.log_lik >= one.log_lik - 1e-9
    with pytest.raises(FitError):
        fit_at_most(th, cases, 0)


def test_tidy_tables_are_written(tmp_path):
    sb = scoreboard({"base-rate": BaseRate()}, _cases(), min_train=2)
    import json

    import pandas as pd

    df = pd.read_csv(write_table(sb.rows, tmp_path / "s.csv"))
    assert list(df.window) == [r["window"] for r in sb.rows] and df.scored.sum() == 4
    body = json.loads(write_table(sb.rows, tmp_path / "s.json", extra={"totals": sb.totals(b=50)}).read_text())
    assert len(body["rows"]) == 6 and body["totals"][0]["n_cases"] == 4


# ----------------------------------------------------------------------------- Cohen's model
def _finite_precisions(value: float = 2.0) -> dict[str, float]:
    from pactlab.model.params import DEFAULT, PRECISIONS

    p = DEFAULT.model_copy(update={k: value for k in PRECISIONS})
    return {k: getattr(p, k) for k in PRECISIONS}


def test_cohen_is_fitted_with_its_precisions_set_explicitly():
    cohen = theories.get("cohen")
    start = _finite_precisions()
    assert has_probability_model(cohen, start)
    if not cohen.supports_log_prob:
        assert not has_probability_model(cohen)
    cases = [FitCase(sid, 1940 + 5 * k, 1944 + 5 * k, scenario(sid), Outcome.from_record(scenario(sid)))
             for k, sid in enumerate(["asia-pacific-1951", "korea-1953", "southeast-asia-1954"])]
    free = ["precision_patron", "precision_clients"]
    r = fit(cohen, cases, free=free, start=start, starts=1, maxiter=4)
    assert r.free == free and math.isfinite(r.log_lik) and r.log_lik >= r.log_lik_default - 1e-9
    assert r.values["precision_adversary"] == start["precision_adversary"]  # held at the given value
    sb = scoreboard({"cohen": cohen, "base-rate": BaseRate()}, cases, min_train=1, train_to=1945,
                    start={"cohen": start}, free={"cohen": free}, fitted={"cohen": fit(cohen, cases[:1], free=free,
                                                                                         start=start, starts=1,
                                                                                         maxiter=2)})
    assert {s["model"] for s in sb.scores} == {"cohen", "base-rate"} and len(sb.scores) == 4
    assert all(math.isfinite(s["log_score"]) for s in sb.scores)


def test_fit_names_precisions_as_fittable_and_refuses_others():
    cohen = theories.get("cohen")
    with pytest.raises(FitError, match="not a fittable parameter"):
        fit(cohen, _cases()[:1], free=["m_suspicion"], start=_finite_precisions())


def test_cli_set_is_checked_before_the_data(tmp_path):
    from click.testing import CliRunner

    from pactlab.cli import main

    r = CliRunner().invoke(main, ["fit", "--train-to", "1939", "--theory", "cohen", "--set", "precision_patron",
                                  "--data", str(tmp_path)])
    assert r.exit_code != 0 and "Traceback" not in r.output and "name=number" in r.output
    r = CliRunner().invoke(main, ["fit", "--train-to", "1939", "--theory", "cohen", "--set", "precision_patron=-1",
                                  "--data", str(tmp_path)])
    assert r.exit_code != 0 and "Traceback" not in r.output and "precision_patron" in r.output


def test_tied_precisions_move_all_five_together():
    from pactlab.evidence.fit import Tied
    from pactlab.model.params import PRECISIONS

    cohen = theories.get("cohen")
    tied = Tied(cohen, "precision", PRECISIONS, 2.0)
    assert tied.supports_log_prob and "precision" in {s.name for s in tied.specs}
    assert not set(PRECISIONS) & {s.name for s in tied.specs}
    s = scenario("asia-pacific-1951")
    o = Outcome.from_record(s)
    assert tied.log_prob(s, o, {"precision": 3.0}) == pytest.approx(cohen.log_prob(s, o, _finite_precisions(3.0)))
    r = fit(tied, [FitCase("a", 1940, 1944, s, o)], starts=1, maxiter=3)
    assert r.free == ["precision"] and r.log_lik >= r.log_lik_default - 1e-9
    with pytest.raises(FitError, match="cannot tie"):
        Tied(cohen, "x", ["m_suspicion"], 1.0)
