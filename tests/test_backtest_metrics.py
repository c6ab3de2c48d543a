"""Backtest metrics and baselines against hand computations on small fixtures (no data needed).

Each expected number is worked out in the comment next to it, so a reader can check it on paper.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pactlab.evidence import baselines as B
from pactlab.evidence import metrics as M
from pactlab.evidence.backtest import BacktestRun, design_label, score, treaty_table
from pactlab.scenarios.generate import synthetic_dict
from pactlab.scenarios.loader import parse_scenario


# --------------------------------------------------------------------------- pairwise F1
def test_pair_f1_hand():
    # truth {1,2,3},{4}: pairs 12 13 23; prediction {1,2},{3,4}: pairs 12 34
    # tp = {12} = 1, fp = {34} = 1, fn = {13, 23} = 2 -> F1 = 2*1 / (2*1 + 1 + 2) = 0.4
    # (precision 1/2, recall 1/3: 2 * (1/6) / (5/6) = 0.4)
    c = M.pair_counts([[1, 2, 3], [4]], [[1, 2], [3, 4]])
    assert c == {"tp": 1, "fp": 1, "fn": 2}
    assert M.pair_f1([[1, 2, 3], [4]], [[1, 2], [3, 4]]) == pytest.approx(0.4)


def test_pair_f1_overlapping_groups_and_empty_convention():
    # overlapping treaties {1,2} and {2,3}: pairs 12 and 23, not 13
    assert M.co_member_pairs([[1, 2], [2, 3]]) == {frozenset((1, 2)), frozenset((2, 3))}
    # nobody shares a treaty on either side: perfect agreement, scored 1 by convention
    assert M.pair_f1([[1], [2]], [[1], [2]]) == 1.0
    assert math.isnan(M.f1_from_counts(0, 0, 0))
    # all-bilateral against a multilateral record: no true positive -> 0
    assert M.pair_f1([[1, 2, 3]], [[1], [2], [3]]) == 0.0
    # items restrict the pairs scored: pair 34 is outside the episode
    assert M.pair_counts([[1, 2]], [[1, 2], [3, 4]], items=[1, 2]) == {"tp": 1, "fp": 0, "fn": 0}


# --------------------------------------------------------------------------- ARI
def test_ari_hand_zero():
    # truth a a a b, prediction x x y y
    # n_ij: (a,x)=2 (a,y)=1 (b,y)=1 -> index = C(2,2) = 1
    # rows a=3, b=1 -> sum C = 3; columns x=2, y=2 -> sum C = 2; C(4,2) = 6
    # expected = 3*2/6 = 1; max = (3+2)/2 = 2.5; ARI = (1-1)/(2.5-1) = 0
    assert M.adjusted_rand_index(list("aaab"), list("xxyy")) == pytest.approx(0.0)


def test_ari_hand_one_eleventh():
    # truth a a b b c, prediction x x x y y
    # n_ij: (a,x)=2 (b,x)=1 (b,y)=1 (c,y)=1 -> index = 1
    # rows 2,2,1 -> sum C = 2; columns 3,2 -> sum C = 3+1 = 4; C(5,2) = 10
    # expected = 2*4/10 = 0.8; max = (2+4)/2 = 3; ARI = 0.2/2.2 = 1/11
    assert M.adjusted_rand_index(list("aabbc"), list("xxxyy")) == pytest.approx(1 / 11)


def test_ari_special_cases_and_mappings():
    assert M.adjusted_rand_index([1, 1, 2], ["p", "p", "q"]) == 1.0  # same partition, other labels
    assert M.adjusted_rand_index([1, 2, 3], [4, 5, 6]) == 1.0  # all singletons on both sides
    assert M.adjusted_rand_index([1, 1, 1], [1, 2, 3]) == 0.0  # one block against singletons
    assert M.adjusted_rand_index([1], [2]) == 1.0
    assert M.adjusted_rand_index({"a": 1, "b": 1, "c": 2}, {"c": 9, "b": 8, "a": 8}) == 1.0
    with pytest.raises(ValueError):
        M.adjusted_rand_index([1, 2], [1])


def test_partition_from_groups_largest_treaty_wins():
    # client 2 is in a bilateral {1,2} and a trilateral {2,3,4}: the larger one; 5 is alone
    p = M.partition_from_groups([1, 2, 3, 4, 5], [[1, 2], [2, 3, 4]])
    assert p[2] == p[3] == p[4] != p[1]
    assert p[5] == ("alone", 5)


# --------------------------------------------------------------------------- balanced accuracy
def test_balanced_accuracy_hand():
    # class 1: 3 cases, 2 right -> 2/3; class 0: 1 case, 0 right -> 0; mean 1/3
    assert M.balanced_accuracy([1, 1, 1, 0], [1, 0, 1, 1]) == pytest.approx(1 / 3)
    # a constant prediction scores 0.5 whatever the base rate (90% here)
    y = [1] * 9 + [0]
    assert M.balanced_accuracy(y, [1] * 10) == 0.5
    assert M.balanced_accuracy(["defend", "consult"], ["defend", "consult"]) == 1.0
    assert math.isnan(M.balanced_accuracy([], []))


def test_brier_hand():
    # (0.8-1)^2 + (0.3-0)^2 = 0.04 + 0.09 = 0.13, mean 0.065
    assert M.brier([0.8, 0.3], [1, 0]) == pytest.approx(0.065)


# --------------------------------------------------------------------------- C-index
def test_harrell_c_with_censoring_hand():
    # A t=2 event r=.9 | B t=4 event r=.5 | C t=4 censored r=.7 | D t=6 event r=.3 | E t=8 censored r=.1
    # comparable pairs (earlier one ended): A-B A-C A-D A-E (all concordant: .9 highest)
    # B-C (same time, B ended, C censored: comparable; .5 < .7 discordant), B-D, B-E (concordant)
    # D-E (concordant). C and E are censored: never the earlier member of a pair.
    # comparable 8, concordant 7, discordant 1 -> C = 7/8
    t, e, r = [2, 4, 4, 6, 8], [1, 1, 0, 1, 0], [0.9, 0.5, 0.7, 0.3, 0.1]
    h = M.harrell_c(t, e, r)
    assert (h["comparable"], h["concordant"], h["discordant"], h["tied"]) == (8, 7, 1, 0)
    assert h["c"] == pytest.approx(7 / 8)
    # tie D and E in risk: D-E counts 1/2 -> (6 + 0.5) / 8
    h = M.harrell_c(t, e, [0.9, 0.5, 0.7, 0.1, 0.1])
    assert h["c"] == pytest.approx(6.5 / 8)
    # a constant risk is 0.5; the reversed risk is 1 - C when there are no ties
    assert M.harrell_c(t, e, [1.0] * 5)["c"] == 0.5
    assert M.harrell_c(t, e, [-x for x in r])["c"] == pytest.approx(1 / 8)


def test_harrell_c_censored_earlier_not_comparable():
    # censored at 1 then an event at 5: nothing is known about the order -> no comparable pair
    h = M.harrell_c([1, 5], [0, 1], [0.1, 0.9])
    assert h["comparable"] == 0 and math.isnan(h["c"])
    # two events at the same time: not comparable either
    assert M.harrell_c([3, 3], [1, 1], [0.1, 0.9])["comparable"] == 0


# --------------------------------------------------------------------------- Kaplan-Meier
def test_kaplan_meier_hand():
    # times 1 2 2 3 4 5, events 1 1 0 1 0 1
    # t=1: n=6 d=1 S=5/6; t=2: n=5 d=1 (one censored at 2 counts as at risk) S=5/6*4/5=2/3
    # t=3: n=3 d=1 S=4/9; t=4: censored only, no step; t=5: n=1 d=1 S=0
    km = M.kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert km.time.tolist() == [0, 1, 2, 3, 5]
    assert km.at_risk.tolist() == [6, 6, 5, 3, 1]
    assert km.survival.tolist() == pytest.approx([1, 5 / 6, 2 / 3, 4 / 9, 0])
    # Greenwood at t=2: 1/(6*5) + 1/(5*4) = 1/12 -> se = (2/3) * sqrt(1/12)
    assert km.se.iloc[2] == pytest.approx((2 / 3) * math.sqrt(1 / 12))
    assert M.km_at(km, 2.5) == pytest.approx(2 / 3)
    assert M.median_survival(km) == 3.0  # first time S <= 0.5
    lo, hi = km.lower.iloc[2], km.upper.iloc[2]
    assert lo < 2 / 3 < hi


def test_kaplan_meier_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.duration.survfunc")
    rng = np.random.default_rng(3)
    t = rng.integers(0, 30, 60).astype(float)
    e = rng.uniform(size=60) < 0.7
    ours = M.kaplan_meier(t, e).iloc[1:]
    sf = sm.SurvfuncRight(t, e.astype(int))
    assert np.allclose(ours.time, sf.surv_times)
    assert np.allclose(ours.survival, sf.surv_prob)
    assert np.allclose(ours.se, sf.surv_prob_se)


# --------------------------------------------------------------------------- baselines
def test_components_and_trivial_baselines():
    assert B.components([1, 2, 3, 4], [(1, 2), (2, 3)]) == [(1, 2, 3), (4,)]
    assert B.all_bilateral([5, 6]) == [(5,), (6,)]
    assert B.all_multilateral([5, 6]) == [(5, 6)]


def _facts(n=4, seed=7):
    d = synthetic_dict(n, seed)
    for k, a in enumerate(d["actors"]):
        a["ccode"] = 100 + k
    return d


def test_contiguity_clustering_from_the_scenario():
    d = _facts()
    ids = {a["id"]: a["ccode"] for a in d["actors"]}
    # make C0-C1 and C1-C2 land neighbours and every other client pair remote
    for t in d["geography"]:
        pair = {t["a"], t["b"]}
        if pair <= {"C0", "C1", "C2", "C3"}:
            t["contiguity"] = "land" if pair in ({"C0", "C1"}, {"C1", "C2"}) else "remote"
            t["distance_km"] = 0.0 if t["contiguity"] == "land" else 2000.0
    f = B.theatre_facts(parse_scenario(d))
    assert B.contiguity_clusters(f) == [(ids["C0"], ids["C1"], ids["C2"]), (ids["C3"],)]
    feats = B.pair_features(f)
    assert len(feats) == 6 and all(len(x[2]) == len(B.PAIR_FEATURES) for x in feats)


def test_pair_logit_fallback_and_fit():
    lg = B.PairLogit().fit(np.zeros((3, len(B.PAIR_FEATURES))), np.array([0, 0, 1]))
    assert lg.fallback and lg.predict_proba(np.zeros((2, len(B.PAIR_FEATURES)))).tolist() == [0.0, 0.0]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, len(B.PAIR_FEATURES)))
    y = (X[:, 0] + 0.2 * rng.normal(size=200) > 0).astype(float)
    lg = B.PairLogit().fit(X, y)
    assert lg.fallback is None
    p = lg.predict_proba(X)
    assert ((p >= 0.5) == (y == 1)).mean() > 0.9
    groups, probs = lg.grouping([1, 2, 3], [(1, 2, [5.0] + [0.0] * 6), (1, 3, [-5.0] + [0.0] * 6),
                                            (2, 3, [-5.0] + [0.0] * 6)])
    assert groups == [(1, 2), (3,)] and probs["1-2"] > 0.5


# --------------------------------------------------------------------------- scoring on a fixture run
def _row(key, start, clients, record, model, contiguity, logit, preds, cinc=0.1):
    return {"key": key, "patron": 2, "start": start, "end": start + 4, "region": "all", "n_clients": len(clients),
            "status": "ok", "reason": "", "adversary": 365, "adversary_rule": "td-rival", "patron_cinc": cinc,
            "clients": clients, "record": record, "model_design": "", "pred_model": model, "model_treaties": [],
            "treaty_preds": preds, "pred_contiguity": contiguity, "pred_logit": logit, "logit_note": "fitted",
            "pair_features": [], "pair_probs": {}, "const_hazard": 0.1, "dropped_clients": [],
            "dropped_treaties": [], "seconds": 0.0, "pactlab_version": "x", "parameters": "y"}


def _rt(atopid, clients, level, dur, ended, n):
    return {"atopid": atopid, "begyr": 1950, "clients": clients, "commitment": level, "majors": [2],
            "n_members": n, "duration": dur, "ended": ended}


def test_score_fixture_by_hand():
    # episode 1: record one multilateral {10,11,12}; model spokes; contiguity {10,11},{12}
    # episode 2: record bilaterals {20},{21}; model {20,21} (one false pair)
    r1 = _row("a", 1950, [10, 11, 12], [_rt(1, [10, 11, 12], "defend", 40, False, 4)], [[10], [11], [12]],
              [[10, 11], [12]], [[10, 11, 12]],
              [{"atopid": 1, "level": "defend", "hazard": 0.02, "match": "equation", "jaccard": 0.33}])
    r2 = _row("b", 1955, [20, 21], [_rt(2, [20], "consult", 3, True, 2), _rt(3, [21], "defend", 10, True, 2)],
              [[20, 21]], [[20], [21]], [[20], [21]],
              [{"atopid": 2, "level": "consult", "hazard": 0.3, "match": "treaty", "jaccard": 0.5},
               {"atopid": 3, "level": "consult", "hazard": 0.1, "match": "treaty", "jaccard": 0.5}])
    sb = score(BacktestRun(1950, 1959, [r1, r2]))
    m = sb["T1"]["methods"]
    # model: tp 0, fp 1 (20-21), fn 3 -> pooled F1 0; per episode F1 0 and 0; ARI 0 and 0
    assert (m["model"]["tp"], m["model"]["fp"], m["model"]["fn"]) == (0, 1, 3)
    assert m["model"]["pair_f1"] == 0.0 and m["model"]["ari_mean"] == 0.0
    # all-multilateral: tp 3, fp 1, fn 0 -> F1 6/7; episode F1s 1 and 0 -> mean 0.5
    assert m["all-multilateral"]["pair_f1"] == pytest.approx(6 / 7)
    assert m["all-multilateral"]["pair_f1_mean"] == pytest.approx(0.5)
    # contiguity: episode 1 tp 1 (10-11) fn 2 -> F1 2/4 = 0.5; episode 2 no pairs either side -> 1; mean 0.75
    assert m["contiguity"]["pair_f1_mean"] == pytest.approx(0.75)
    # logit = truth: F1 1, ARI 1, balanced accuracy 1
    assert m["logit"]["pair_f1"] == 1.0 and m["logit"]["ari_mean"] == 1.0 and m["logit"]["ba_multilateral"] == 1.0
    # multilateral: clients 10,11,12 yes, 20,21 no; the model predicts none -> BA 0.5
    assert m["model"]["ba_multilateral"] == 0.5
    assert sb["T1"]["n_pairs"] == 4 and sb["T1"]["n_pairs_shared"] == 3 and sb["T1"]["n_clients"] == 5
    # T2: record defend, consult, defend; model defend, consult, consult -> recalls 1/2 and 1/1 -> 0.75
    assert sb["T2"]["model"]["ba"] == pytest.approx(0.75)
    assert sb["T2"]["majority"]["ba"] == 0.5
    # T3: durations 40 (censored), 3, 10; hazards .02 .3 .1 -> perfectly ordered -> C = 1
    assert sb["T3"]["model"]["c"] == 1.0 and sb["T3"]["constant"]["c"] == 0.5
    assert design_label([[1], [2, 3]]) == "hub-and-spoke" and design_label([]) == "none"


def test_treaty_scored_once_in_the_strongest_patrons_episode():
    rec = [_rt(7, [10, 11], "defend", 5, True, 4)]
    pred = [{"atopid": 7, "level": "defend", "hazard": 0.1, "match": "treaty", "jaccard": 1.0}]
    a = _row("uk", 1950, [10, 11], rec, [[10, 11]], [[10, 11]], [[10, 11]], pred, cinc=0.08)
    b = _row("us", 1950, [10, 11], rec, [[10, 11]], [[10, 11]], [[10, 11]], pred, cinc=0.30)
    tt = treaty_table([a, b])
    assert len(tt) == 1 and tt.episode.iloc[0] == "us"
    assert isinstance(tt, pd.DataFrame)


def test_forest_figure_tick_labels_do_not_run_together():
    """The odds-ratio axis spans 0.03 to 20 on the shared data; its tick labels must not overlap
    (they printed as "10.0020.00")."""
    from pactlab.evidence.backtest_report import forest_figure

    terms = {"threat": {"or": 0.8, "lower": 0.03, "upper": 3.0},
             "adv_sea": {"or": 1.5, "lower": 0.4, "upper": 5.0},
             "adv_land": {"or": 0.2, "lower": 0.03, "upper": 1.1},
             "adv_ally_border": {"or": 6.5, "lower": 2.4, "upper": 19.0}}
    h67 = {y: {"H6": {"terms": terms}, "H7": {"terms": terms}} for y in ("new_defence", "new_defence_no_major")}
    fig = forest_figure(h67)
    fig.canvas.draw()
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    lo, hi = ax.get_xlim()
    labels = [t for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi]
    assert len(labels) >= 4
    assert all(not t.get_text().endswith(".00") for t in labels)
    boxes = sorted((t.get_window_extent(r) for t in labels), key=lambda b: b.x0)
    for a, b in zip(boxes, boxes[1:]):
        assert a.x1 <= b.x0, "tick labels overlap"
