"""Evidence v2 metrics: each score checked by hand on small inputs and, where
scikit-learn has the metric, against it; the bootstrap on clustered data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pactlab.evidence import metrics as legacy
from pactlab.evidence.scoring import (
    EPS, ScoringError, ari, balanced_accuracy, calibration_plot, calibration_table, design_scores,
    episode_scores, exact_treaty_set, pair_scores, paired_bootstrap,
)
from pactlab.theories import get
from pactlab.theories.base import Outcome


def test_design_scores_by_hand():
    p = {"bilateral": 0.5, "multilateral": 0.3, "none": 0.2}
    s = design_scores(p, "multilateral")
    assert s["design_log_score"] == pytest.approx(math.log(0.3))
    # (0.5)^2 + (0.3 - 1)^2 + (0.2)^2
    assert s["design_brier"] == pytest.approx(0.25 + 0.49 + 0.04)
    z = design_scores({"bilateral": 1.0}, "none")
    assert z["design_log_score"] == pytest.approx(math.log(EPS)) and z["design_zero_prob"] == 1.0
    assert z["design_brier"] == pytest.approx(2.0)


def test_design_scores_reject_bad_distributions():
    with pytest.raises(ScoringError, match="sum to"):
        design_scores({"bilateral": 0.5}, "bilateral")
    with pytest.raises(ScoringError, match="unknown designs"):
        design_scores({"spokes": 1.0}, "bilateral")
    with pytest.raises(ScoringError, match="not one of"):
        design_scores({"bilateral": 1.0}, "mixed-ish")


def test_episode_scores_use_the_theorys_probability_model():
    from pactlab.scenarios.catalog import get as scenario

    geo = get("geography")
    s = scenario("europe-1949")
    obs = Outcome.from_record(s)
    row = episode_scores(geo, s, obs)
    assert row["log_score"] == pytest.approx(geo.log_prob(s, obs))
    pred = geo.predict(s)
    assert row["design_brier"] == pytest.approx(design_scores(pred.design_probabilities, obs.design)["design_brier"])
    assert row["exact"] == exact_treaty_set(pred.modal, obs)
    assert math.isfinite(row["log_score"]) and row["log_score"] < 0


def test_exact_treaty_set_needs_level_and_members():
    a = Outcome.of([({"AUS", "NZ"}, True, "consult")])
    assert exact_treaty_set(a, Outcome.of([({"NZ", "AUS"}, True, "consult")]))
    assert not exact_treaty_set(a, Outcome.of([({"AUS", "NZ"}, True, "defend")]))
    assert not exact_treaty_set(a, Outcome.of([({"AUS"}, True, "consult"), ({"NZ"}, True, "consult")]))


def test_pair_scores_by_hand_and_against_sklearn():
    from sklearn.metrics import average_precision_score

    y = [1, 0, 1, 0]
    p = [0.9, 0.2, 0.6, 0.4]
    s = pair_scores(y, p)
    ll = -np.mean([math.log(0.9), math.log(0.8), math.log(0.6), math.log(0.6)])
    assert s["log_loss"] == pytest.approx(ll)
    # ranks: 0.9 (+), 0.6 (+), 0.4, 0.2 -> precision 1 at both positives
    assert s["auc_pr"] == pytest.approx(1.0) == average_precision_score(y, p)
    assert (s["n"], s["positives"]) == (4, 2)
    s2 = pair_scores([1, 0, 1], [0.2, 0.9, 0.6])  # ranks: 0.9 (-), 0.6 (+), 0.2 (+): AP = (1/2 + 2/3)/2
    assert s2["auc_pr"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert pair_scores([0, 0], [0.1, 0.2])["auc_pr"] is None
    with pytest.raises(ScoringError):
        pair_scores([0, 1], [0.1, 1.2])
    assert math.isfinite(pair_scores([1], [0.0])["log_loss"])


def test_balanced_accuracy_and_ari_agree_with_the_handwritten_versions():
    yt = ["bilateral", "bilateral", "multilateral", "none", "none", "none"]
    yp = ["bilateral", "none", "multilateral", "none", "bilateral", "none"]
    got = balanced_accuracy(yt, yp)
    assert got["balanced_accuracy"] == pytest.approx((0.5 + 1.0 + 2 / 3) / 3)
    assert got["balanced_accuracy"] == pytest.approx(legacy.balanced_accuracy(yt, yp))
    a = [0, 0, 1, 1, 2, 2]
    b = [0, 0, 1, 2, 2, 2]
    assert ari(a, b) == pytest.approx(legacy.adjusted_rand_index(a, b))
    assert ari(a, a) == 1.0


def test_calibration_table_matches_sklearn_binning():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(3)
    p = rng.random(400)
    y = (rng.random(400) < p).astype(int)
    tab = calibration_table(y, p, n_bins=8)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8)
    assert [b.observed_rate for b in tab] == pytest.approx(list(prob_true))
    assert [b.mean_predicted for b in tab] == pytest.approx(list(prob_pred))
    assert sum(b.n for b in tab) == 400


def test_calibration_plot_is_written(tmp_path):
    tab = calibration_table([0, 1, 1, 0, 1], [0.1, 0.8, 0.7, 0.3, 0.95], n_bins=5)
    out = calibration_plot(tab, tmp_path / "cal.png")
    assert out.stat().st_size > 1000


def test_paired_bootstrap_resamples_windows_not_episodes():
    # two windows; the difference is +1 in every episode of one window and -1 in the other:
    # clustered resampling must spread the interval over [-1, 1]-ish means, not shrink it by N
    model = [1.0] * 50 + [-1.0] * 50
    base = [0.0] * 100
    win = ["w1"] * 50 + ["w2"] * 50
    r = paired_bootstrap(model, base, win, b=4000, seed=1)
    assert r["difference"] == pytest.approx(0.0)
    assert (r["n_episodes"], r["n_clusters"]) == (100, 2)
    assert r["lower"] == pytest.approx(-1.0) and r["upper"] == pytest.approx(1.0)
    # resampled by episode (each its own cluster) the interval is narrow
    r2 = paired_bootstrap(model, base, list(range(100)), b=4000, seed=1)
    assert r2["upper"] - r2["lower"] < 0.5


def test_paired_bootstrap_recovers_a_known_difference():
    rng = np.random.default_rng(0)
    win = np.repeat(np.arange(30), 5)
    eff = rng.normal(0, 0.2, 30)[win]
    base = rng.normal(0, 1, 150)
    model = base + 0.5 + eff + rng.normal(0, 0.1, 150)
    r = paired_bootstrap(model, base, win.tolist(), b=2000)
    assert r["lower"] < 0.5 < r["upper"] and r["lower"] > 0.3
    one = paired_bootstrap([1.0, 2.0], [0.0, 0.0], ["a", "a"])
    assert one["lower"] is None and one["difference"] == 1.5
    with pytest.raises(ScoringError, match="finite"):
        paired_bootstrap([float("nan")], [0.0], ["a"])
