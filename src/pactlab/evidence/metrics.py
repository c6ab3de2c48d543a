"""Scoring metrics for the backtests, written out so that each can be checked by hand.

Nothing here knows about alliances: a *grouping* is a list of groups (iterables of
hashable items; groups may overlap), a *partition* a mapping item -> label.

* :func:`pair_counts` / :func:`pair_f1` -- pairwise co-membership: a pair of items is
  *positive* when some group holds both. Precision, recall and F1 on the positive pairs.
* :func:`adjusted_rand_index` -- Hubert & Arabie (1985) ARI between two partitions.
* :func:`balanced_accuracy` -- mean per-class recall over the classes present in the truth.
* :func:`harrell_c` -- Harrell's concordance index for a risk score against right-censored
  durations.
* :func:`kaplan_meier` -- the product-limit estimator with Greenwood standard errors.
* :func:`brier` -- mean squared error of probabilities.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

__all__ = [
    "co_member_pairs", "pair_counts", "pair_f1", "f1_from_counts", "adjusted_rand_index",
    "partition_from_groups", "balanced_accuracy", "harrell_c", "kaplan_meier", "km_at", "brier",
]


# --------------------------------------------------------------------------- co-membership
def co_member_pairs(groups: Iterable[Iterable[Hashable]], items: Iterable[Hashable] | None = None
                    ) -> set[frozenset]:
    """Unordered pairs of distinct items that share at least one group (restricted to ``items``)."""
    keep = None if items is None else set(items)
    out: set[frozenset] = set()
    for g in groups:
        mem = sorted(set(g) if keep is None else set(g) & keep, key=repr)
        for a, b in combinations(mem, 2):
            out.add(frozenset((a, b)))
    return out


def pair_counts(true_groups, pred_groups, items=None) -> dict[str, int]:
    """True positives, false positives and false negatives over co-member pairs."""
    t = co_member_pairs(true_groups, items)
    p = co_member_pairs(pred_groups, items)
    return {"tp": len(t & p), "fp": len(p - t), "fn": len(t - p)}


def f1_from_counts(tp: int, fp: int, fn: int, empty: float = float("nan")) -> float:
    """F1 = 2 tp / (2 tp + fp + fn); ``empty`` when there is no positive pair on either side."""
    den = 2 * tp + fp + fn
    return empty if den == 0 else 2 * tp / den


def pair_f1(true_groups, pred_groups, items=None, empty: float = 1.0) -> float:
    """Pairwise co-membership F1. When neither side has a co-member pair (every item alone in
    both), the two agree perfectly and the score is ``empty`` (1.0 by default)."""
    c = pair_counts(true_groups, pred_groups, items)
    return f1_from_counts(c["tp"], c["fp"], c["fn"], empty)


# --------------------------------------------------------------------------- partitions
def partition_from_groups(items: Sequence[Hashable], groups: Sequence[Iterable[Hashable]]) -> dict:
    """Each item -> index of the largest group holding it (ties: the earlier group); an item in no
    group gets its own label. Turns possibly-overlapping groups into a partition."""
    label: dict = {}
    order = sorted(range(len(groups)), key=lambda k: (-len(set(groups[k])), k))
    for k in order:
        for x in groups[k]:
            if x in items and x not in label:
                label[x] = ("g", k)
    for x in items:
        label.setdefault(x, ("alone", x))
    return {x: label[x] for x in items}


def _comb2(n) -> float:
    return n * (n - 1) / 2.0


def adjusted_rand_index(labels_true: Mapping | Sequence, labels_pred: Mapping | Sequence) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) between two partitions of the same items.

    ``labels_*`` are sequences of labels (aligned) or mappings item -> label. When the index's
    maximum equals its expectation (both partitions trivial: all singletons or one block), the
    score is 1.0 if the partitions are identical and 0.0 otherwise. Fewer than two items: 1.0."""
    if isinstance(labels_true, Mapping):
        keys = list(labels_true)
        a = [labels_true[k] for k in keys]
        b = [labels_pred[k] for k in keys]  # type: ignore[index]
    else:
        a, b = list(labels_true), list(labels_pred)
    if len(a) != len(b):
        raise ValueError("the two partitions must label the same items")
    n = len(a)
    if n < 2:
        return 1.0
    nij = Counter(zip(a, b))
    ai = Counter(a)
    bj = Counter(b)
    index = sum(_comb2(v) for v in nij.values())
    sa = sum(_comb2(v) for v in ai.values())
    sb = sum(_comb2(v) for v in bj.values())
    expected = sa * sb / _comb2(n)
    maximum = 0.5 * (sa + sb)
    if math.isclose(maximum, expected):
        same = len(nij) == len(ai) == len(bj)
        return 1.0 if same else 0.0
    return (index - expected) / (maximum - expected)


# --------------------------------------------------------------------------- classification
def balanced_accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    """Mean recall over the classes present in ``y_true`` (NaN if there are no cases). A constant
    prediction scores 1/k for k classes present: 0.5 in the binary case, whatever the base rate."""
    yt = np.asarray(list(y_true), dtype=object)
    yp = np.asarray(list(y_pred), dtype=object)
    if len(yt) != len(yp):
        raise ValueError("y_true and y_pred differ in length")
    if len(yt) == 0:
        return float("nan")
    recalls = [float(np.mean(yp[yt == c] == c)) for c in sorted(set(yt.tolist()), key=repr)]
    return float(np.mean(recalls))


def brier(prob: Sequence[float], outcome: Sequence[float]) -> float:
    """Mean squared difference between probabilities and 0/1 outcomes (NaN if empty)."""
    p = np.asarray(prob, dtype=float)
    y = np.asarray(outcome, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(p) else float("nan")


# --------------------------------------------------------------------------- survival
def harrell_c(time: Sequence[float], event: Sequence[bool], risk: Sequence[float]) -> dict[str, float]:
    """Harrell's C for ``risk`` (higher = expected to end sooner) against right-censored durations.

    A pair (i, j) is *comparable* when the one with the shorter time ended (event) before the
    other's time: t_i < t_j and event_i; or t_i == t_j with event_i and not event_j (the censored
    one lasted at least as long). Two events at the same time, or a censored shorter time, are not
    comparable. A comparable pair is concordant when risk_i > risk_j, counts 1/2 when the risks are
    tied, and is discordant otherwise. C = (concordant + ties/2) / comparable (NaN if none).

    Returns {'c', 'comparable', 'concordant', 'tied', 'discordant'}."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    r = np.asarray(risk, dtype=float)
    if not len(t) == len(e) == len(r):
        raise ValueError("time, event and risk differ in length")
    # i is the earlier one: broadcast over all ordered pairs
    ti, tj = t[:, None], t[None, :]
    comparable = e[:, None] & ((ti < tj) | ((ti == tj) & ~e[None, :]))
    ri, rj = r[:, None], r[None, :]
    conc = comparable & (ri > rj)
    tied = comparable & (ri == rj)
    n = int(comparable.sum())
    nc, nt = int(conc.sum()), int(tied.sum())
    c = (nc + 0.5 * nt) / n if n else float("nan")
    return {"c": c, "comparable": n, "concordant": nc, "tied": nt, "discordant": n - nc - nt}


def kaplan_meier(time: Sequence[float], event: Sequence[bool]) -> pd.DataFrame:
    """Kaplan-Meier product-limit estimate at each distinct event time.

    Columns: time, at_risk (durations >= time), events, censored (censored at exactly this time),
    survival S(t) = prod (1 - d/n), se (Greenwood), lower, upper (95% log-log interval).
    The first row is time 0 with S = 1. Censored cases at an event time count as at risk then."""
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    rows = [{"time": 0.0, "at_risk": len(t), "events": 0, "censored": 0, "survival": 1.0, "se": 0.0,
             "lower": 1.0, "upper": 1.0}]
    s = 1.0
    gw = 0.0  # Greenwood sum d / (n (n - d))
    for u in np.unique(t):
        n = int((t >= u).sum())
        d = int(((t == u) & e).sum())
        c = int(((t == u) & ~e).sum())
        if d == 0:
            continue
        s *= 1.0 - d / n
        gw += d / (n * (n - d)) if n > d else float("inf")
        se = s * math.sqrt(gw) if math.isfinite(gw) else float("nan")
        lo, hi = _loglog_ci(s, gw)
        rows.append({"time": float(u), "at_risk": n, "events": d, "censored": c, "survival": s, "se": se,
                     "lower": lo, "upper": hi})
    return pd.DataFrame(rows)


def _loglog_ci(s: float, gw: float, z: float = 1.959963984540054) -> tuple[float, float]:
    if s <= 0.0 or s >= 1.0 or not math.isfinite(gw) or gw <= 0:
        return (s, s) if s >= 1.0 else (0.0, 0.0) if s <= 0.0 else (float("nan"), float("nan"))
    v = math.sqrt(gw) / abs(math.log(s))
    return (s ** math.exp(z * v), s ** math.exp(-z * v))


def km_at(km: pd.DataFrame, when: float) -> float:
    """S(when) from a :func:`kaplan_meier` table (step function, right-continuous)."""
    k = km[km.time <= when]
    return float(k.survival.iloc[-1])


def median_survival(km: pd.DataFrame) -> float:
    """First time S(t) <= 0.5 (NaN if the curve never gets there)."""
    k = km[km.survival <= 0.5]
    return float(k.time.iloc[0]) if len(k) else float("nan")
