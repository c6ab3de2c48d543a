"""Encompassing tests: a rival's key variable added to Cohen's likelihood."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pactlab import theories
from pactlab.designs import DESIGNS
from pactlab.evidence import encompassing as E
from pactlab.evidence.fit import FitCase
from pactlab.model.params import PRECISIONS
from pactlab.scenarios.catalog import catalog, get
from pactlab.theories.base import Outcome

FINITE = {k: 4.0 for k in PRECISIONS}
MULTI = frozenset({"trilateral", "multilateral"})


def _case(probs, observed, lp=-1.0):
    return E.Case("c", 1900, lp, dict(zip(DESIGNS, probs)), observed)


def test_the_tilted_design_distribution_sums_to_one_and_is_cohen_at_zero():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = rng.dirichlet(np.ones(len(DESIGNS)))
        z, theta = float(rng.normal()), float(rng.normal() * 3)
        total = sum(math.exp(E.gain(theta, *E._terms(_case(p, d), z, MULTI))) * p[i] for i, d in enumerate(DESIGNS))
        assert math.isclose(total, 1.0, rel_tol=1e-9)
        c = _case(p, "multilateral", lp=-2.5)
        assert E.augmented_log_prob(c, z, MULTI, 0.0) == pytest.approx(-2.5, abs=1e-12)


def test_fit_recovers_the_tilt_that_generated_the_data_and_the_lr_test_sees_it():
    rng = np.random.default_rng(7)
    true = 1.5

    def draw(theta):
        rows = []
        for _ in range(400):
            p = rng.dirichlet(np.ones(len(DESIGNS)))
            z = float(rng.uniform(0, 1))
            w = p * np.exp(theta * z * np.array([d in MULTI for d in DESIGNS]))
            d = DESIGNS[rng.choice(len(DESIGNS), p=w / w.sum())]
            rows.append(E._terms(_case(p, d), z, MULTI))
        return rows

    rows = draw(true)
    t = E.fit_theta(rows, -20, 20)
    assert abs(t - true) < 0.6
    lr = 2 * sum(E.gain(t, *r) for r in rows)
    assert lr > 10.83  # p < 0.001
    null = draw(0.0)
    t0 = E.fit_theta(null, -20, 20)
    assert abs(t0) < 0.8
    assert 2 * sum(E.gain(t0, *r) for r in null) >= 0.0


def test_every_key_variable_is_declared_finite_and_off_by_default():
    keyed = [n for n in theories.names() if theories.get(n).key_term is not None]
    assert {"cha", "identity", "prospect", "network", "geography"} <= set(keyed)
    for n in keyed:
        th = theories.get(n)
        kt = th.key_term
        assert kt.spec.default == 0.0 and kt.spec.free and kt.designs <= set(DESIGNS)
        for e in catalog():
            assert math.isfinite(th.key_value(get(e.id)))


def test_cohen_with_infinite_precisions_is_refused():
    with pytest.raises(E.EncompassingError, match="finite logit precisions"):
        E.run([], 1950, {})


def test_run_on_the_built_in_historical_cases():
    from pactlab.evidence.compare import historical_cases, record_outcome

    cases = [FitCase(s.id, _year(s), _year(s), s, record_outcome(s, "paper")) for s in historical_cases()]
    r = E.run(cases, 1950, FINITE, names=["identity", "network"])
    assert r["n_train"] + r["n_test"] + r["left_out_too_many_units"] + r["failed"] == len(cases)
    assert r["n_train"] >= 2 and r["n_test"] >= 2
    for t in r["tests"]:
        assert t["lr"] >= 0.0 and 0.0 <= t["p"] <= 1.0
        assert -20 <= t["theta"] <= 20
        assert math.isfinite(t["test_change"])
    # theta = 0 gives Cohen's own log-likelihood back
    cohen = theories.get("cohen")
    s = next(c.scenario for c in cases if _year(c.scenario) < 1950)
    c = E.cohen_case(s.id, 0, s, record_outcome(s, "paper"), cohen.model_parameters(FINITE))
    assert c is not None
    assert c.cohen_log_prob == pytest.approx(cohen.log_prob(s, record_outcome(s, "paper"), FINITE), abs=1e-9)
    assert sum(c.design_probabilities.values()) == pytest.approx(1.0)


def _year(s) -> int:
    return int(s.year)


def test_record_scores_count_the_impossible_and_compare_on_common_theatres():
    from pactlab.evidence.compare import historical_cases, record_outcome

    cohen = theories.get("cohen")
    p = cohen.model_parameters(FINITE)
    built = []
    for s in historical_cases():
        c = E.cohen_case(s.id, _year(s), s, record_outcome(s, "paper"), p)
        if c is not None:
            built.append((c, s))
    rows = E.record_scores(built, 1950, FINITE, {}, ["cohen", "geography", "cha"])
    assert [r["theory"] for r in rows] == ["cohen", "geography", "cha"]
    for r in rows:
        for part in ("train", "test"):
            x = r[part]
            assert x["n"] == sum((c.end < 1950) == (part == "train") for c, _ in built)
            assert 0 <= x["n_common"] <= x["n"] - x["outside"]
    geo = theories.get("geography")
    test = [(c, s) for c, s in built if c.end >= 1950]
    want = [geo.log_prob(s, c.observed) for c, s in test]
    common = [i for i, (c, s) in enumerate(test) if all(
        math.isfinite(v) for v in (c.cohen_log_prob, want[i], theories.get("cha").log_prob(s, c.observed)))]
    if common:
        assert rows[1]["test"]["mean_common"] == pytest.approx(np.mean([want[i] for i in common]))


def test_a_key_variable_constant_in_training_is_not_identified():
    c = _case([1 / len(DESIGNS)] * len(DESIGNS), "bilateral")
    s = get("europe-1949")  # no client provokes: cha's key variable is 0
    assert theories.get("cha").key_value(s) == 0.0
    r = E.test_rival(theories.get("cha"), [(c, s)] * 5, [(c, s)])
    assert r["identified"] is False and r["theta"] == 0.0 and abs(r["lr"]) < 1e-12 and abs(r["test_change"]) < 1e-12
