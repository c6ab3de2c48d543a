"""T4: separation and near-separation are detected and reported; estimates
under separation are Firth-penalised and finite; no infinite ratio is printed.

The fixture reproduces the case the backtest met: a comparison group of
alliances in which none ended, so the Cox partial likelihood is monotone and
the unpenalised hazard ratio runs off to zero with an unbounded interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pactlab.evidence import separation as S
from pactlab.evidence.backtest_report import t4_rows
from pactlab.evidence.hypotheses import _logit, h2_survival


def _alliances(ended_with_prior: list[bool], seed: int = 0) -> pd.DataFrame:
    """Ten alliances without a prior client pact (most end) and a prior-pact group with the given endings."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(10):
        rows.append({"atopid": 1000 + k, "begyr": 1900 + k, "patron": 2, "n_members": 3 + k % 3, "n_clients": 2,
                     "defense": float(k % 2), "prior_cc": 0, "prior_via": [], "duration": int(rng.integers(2, 20)),
                     "ended": k < 8})
    for k, e in enumerate(ended_with_prior):
        rows.append({"atopid": 2000 + k, "begyr": 1920 + k, "patron": 2, "n_members": 4 + k % 2, "n_clients": 3,
                     "defense": float((k + 1) % 2), "prior_cc": 1, "prior_via": [1], "duration": 3 if e else 25 + k,
                     "ended": e})
    return pd.DataFrame(rows)


def test_fixture_reproduces_the_unpenalised_failure():
    """Without the check, statsmodels' Cox fit gives a ratio near zero with an interval spanning
    many orders of magnitude: the 'estimate' the report used to print."""
    import warnings

    from statsmodels.duration.hazard_regression import PHReg

    tab = _alliances([False] * 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = PHReg(tab.duration.to_numpy(float) + 0.5, tab[["prior_cc"]].to_numpy(float),
                    status=tab.ended.to_numpy(int)).fit()
    b, se = float(res.params[0]), float(res.bse[0])
    assert b < -5 or not math.isfinite(b) or se > 50


def test_cox_separation_is_detected_and_firth_estimated():
    tab = _alliances([False] * 5)
    out = h2_survival(tab)
    sep = out["separation"]["cox_univariate"]
    assert sep["status"] == "separated" and sep["terms"] == ["prior_cc"]
    hr = out["cox_univariate"]["prior_cc"]
    assert hr["method"].startswith("Firth")
    assert math.isfinite(hr["hr"]) and 0 < hr["hr"] < 1
    for bound in (hr["lower"], hr["upper"]):  # a number, or None ("not bounded"), never infinite
        assert bound is None or (math.isfinite(bound) and bound > 0)
    assert hr["upper"] is not None and hr["upper"] < 1
    row = next(r for r in t4_rows({"H2_H3": out}) if r[0] == "H2/H3: prior client pact")
    text = " ".join(row)
    assert "Firth" in text and "monotone" in text
    assert "inf" not in text.lower().replace("infinite", "")


def test_near_separation_is_reported():
    tab = _alliances([True, False, False, False, False])  # one alliance of the prior-pact group ended, early
    out = h2_survival(tab)
    sep = out["separation"]["cox_univariate"]
    assert sep["status"] == "near" and "prior_cc=1: 1 events" in sep["detail"]
    assert math.isfinite(out["cox_univariate"]["prior_cc"]["hr"])


def test_no_separation_leaves_the_ordinary_fit():
    rng = np.random.default_rng(4)
    tab = _alliances(list(rng.random(12) < 0.7), seed=4)
    tab.loc[tab.prior_cc == 1, "duration"] = rng.integers(2, 30, int((tab.prior_cc == 1).sum()))
    out = h2_survival(tab)
    assert out["separation"]["cox_univariate"]["status"] == "none"
    assert "method" not in out["cox_univariate"]["prior_cc"]


def test_firth_logit_on_a_two_by_two_table_adds_a_half_to_each_cell():
    """Firth's estimate for one binary covariate is the log odds ratio with 0.5 added to every cell."""
    # cells: x=1: 7 events, 0 non-events (separated); x=0: 4 events, 9 non-events
    x = np.r_[np.ones(7), np.zeros(13)]
    y = np.r_[np.ones(7), np.ones(4), np.zeros(9)]
    X = np.column_stack([np.ones_like(x), x])
    assert S.diagnose("logit", ["const", "x"], X, y)["status"] == "separated"
    est = S.firth("logit", ["const", "x"], X, y)["x"]
    want = math.log((7.5 / 0.5) / (4.5 / 9.5))
    assert est["coef"] == pytest.approx(want, abs=1e-4)
    assert est["lower"] is not None and 1 < est["lower"] < est["or"]
    assert est["upper"] is None or est["upper"] > est["or"]


def test_logit_detection_by_linear_programming_finds_a_combination():
    # no single term separates, but x1 + x2 > 0 does
    g = np.random.default_rng(5)
    x1, x2 = g.normal(size=40), g.normal(size=40)
    y = ((x1 + x2) > 0).astype(float)
    X = np.column_stack([np.ones(40), x1, x2])
    for one in (x1, x2):
        assert S.diagnose("logit", ["const", "x"], np.column_stack([np.ones(40), one]), y)["status"] != "separated"
    d = S.diagnose("logit", ["const", "x1", "x2"], X, y)
    assert d["status"] == "separated" and set(d["terms"]) == {"x1", "x2"}
    rng = np.random.default_rng(0)
    z = rng.normal(size=200)
    yy = (rng.random(200) < 1 / (1 + np.exp(-z))).astype(float)
    assert S.diagnose("logit", ["const", "z"], np.column_stack([np.ones(200), z]), yy)["status"] == "none"


def test_dyad_logit_reports_separation_instead_of_an_infinite_ratio():
    n = 300
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.integers(1, 30, n), "b": rng.integers(31, 60, n), "year": rng.integers(1900, 1950, n),
                       "threat": rng.integers(0, 2, n), "land_border": rng.integers(0, 2, n)})
    df["new"] = ((df.threat == 1) & (rng.random(n) < 0.2)).astype(int)  # no event without the threat
    out = _logit(df, "new", ["threat", "land_border"])
    assert out["separation"]["status"] == "separated" and "threat" in out["separation"]["terms"]
    t = out["terms"]["threat"]
    assert math.isfinite(t["or"]) and t["or"] > 1 and t["lower"] > 1
    assert t["upper"] is None or math.isfinite(t["upper"])
