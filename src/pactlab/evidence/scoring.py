"""Probabilistic scoring of theories on episodes (Evidence v2, metrics).

Every figure comes with its N. The pieces:

* :func:`episode_scores` -- for one episode and one theory: the **log score**
  of the observed outcome (``theory.log_prob``, the exact set of new treaties),
  the **log score and Brier score over the design** (``design_probabilities``,
  the multi-category Brier: sum over designs of (p - 1[observed])^2), and
  whether the theory's modal outcome is the **exact treaty set** observed.
* :func:`pair_scores` -- per-pair co-membership probabilities against 0/1
  outcomes: **log loss** and **AUC-PR** (average precision), from scikit-learn.
* :func:`balanced_accuracy` and :func:`ari` -- scikit-learn's
  ``balanced_accuracy_score`` and ``adjusted_rand_score``.
* :func:`calibration_table` / :func:`calibration_plot` -- reliability bins
  (scikit-learn's ``calibration_curve`` binning, with the count in each bin).
* :func:`paired_bootstrap` -- a model-minus-baseline difference of per-episode
  scores with a percentile interval from resampling **windows** (clusters)
  with replacement, so episodes of one window move together.

A probability of zero for what happened would give an infinite log score; it
is floored at :data:`EPS` and counted (``zero_prob``), never silently NaN.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pactlab.designs import DESIGNS
from pactlab.errors import PactlabError

EPS = 1e-12


class ScoringError(PactlabError):
    """Inputs a score cannot be computed from (lengths differ, no case, probabilities outside [0, 1])."""


def _probs(p: Sequence[float], what: str = "probabilities") -> np.ndarray:
    a = np.asarray(p, dtype=float)
    if a.ndim != 1:
        raise ScoringError(f"{what}: expected a flat sequence")
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
        bad = a[~(np.isfinite(a) & (a >= 0) & (a <= 1))][:3]
        raise ScoringError(f"{what}: expected values in [0, 1], got {bad.tolist()}")
    return a


def _labels(y: Sequence[Any], what: str = "outcomes") -> np.ndarray:
    a = np.asarray(y, dtype=float)
    if not np.all((a == 0) | (a == 1)):
        raise ScoringError(f"{what}: expected 0/1 outcomes")
    return a


# --------------------------------------------------------------------------- one episode
def design_scores(design_probabilities: Mapping[str, float], observed_design: str) -> dict[str, float]:
    """Log score and multi-category Brier of a design distribution for the observed design."""
    if observed_design not in DESIGNS:
        raise ScoringError(f"observed design {observed_design!r} is not one of {', '.join(DESIGNS)}")
    unknown = set(design_probabilities) - set(DESIGNS)
    if unknown:
        raise ScoringError(f"design probabilities for unknown designs: {sorted(unknown)}")
    p = np.array([float(design_probabilities.get(d, 0.0)) for d in DESIGNS])
    _probs(p, "design probabilities")
    total = p.sum()
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise ScoringError(f"design probabilities sum to {total:.6f}, expected 1")
    y = np.array([float(d == observed_design) for d in DESIGNS])
    po = float(p[DESIGNS.index(observed_design)])
    return {"design_log_score": math.log(max(po, EPS)), "design_brier": float(np.sum((p - y) ** 2)),
            "design_zero_prob": float(po <= 0.0)}


def episode_scores(theory, scenario, observed, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Scores of one theory on one episode (a scenario and its observed :class:`Outcome`).

    ``log_score`` is ``theory.log_prob`` of the exact observed outcome (NaN-free:
    ``None`` when the theory has no probability model)."""
    pred = theory.predict(scenario, params)
    out: dict[str, Any] = {"theory": theory.name, "scenario": scenario.id, "observed_design": observed.design,
                           "modal_design": pred.modal.design, "exact": pred.modal == observed,
                           "design_correct": pred.modal.design == observed.design}
    out.update(design_scores(pred.design_probabilities, observed.design))
    if getattr(theory, "supports_log_prob", False):
        lp = float(theory.log_prob(scenario, observed, params))
        out["zero_prob"] = not math.isfinite(lp)
        out["log_score"] = lp if math.isfinite(lp) else math.log(EPS)
    else:
        out["log_score"] = None
        out["zero_prob"] = None
    return out


def exact_treaty_set(predicted, observed) -> bool:
    """Whether two outcomes hold the same new treaties (members, patron membership and level)."""
    return frozenset(predicted.treaties) == frozenset(observed.treaties)


# --------------------------------------------------------------------------- pairs, classes, partitions
def pair_scores(y: Sequence[int], p: Sequence[float]) -> dict[str, float]:
    """Per-pair log loss and AUC-PR (average precision) with N and the positive count.

    AUC-PR is undefined without a positive pair: reported as ``None`` (not NaN)."""
    from sklearn.metrics import average_precision_score, log_loss

    yy, pp = _labels(y, "pair outcomes"), _probs(p, "pair probabilities")
    if len(yy) != len(pp):
        raise ScoringError(f"pair outcomes ({len(yy)}) and probabilities ({len(pp)}) differ in length")
    if len(yy) == 0:
        raise ScoringError("no pairs to score")
    pc = np.clip(pp, EPS, 1 - EPS)
    pos = int(yy.sum())
    return {"n": len(yy), "positives": pos, "base_rate": pos / len(yy),
            "log_loss": float(log_loss(yy, pc, labels=[0, 1])),
            "auc_pr": float(average_precision_score(yy, pp)) if pos else None}


def balanced_accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> dict[str, float]:
    """scikit-learn's balanced accuracy (mean recall over the classes present) with N."""
    from sklearn.metrics import balanced_accuracy_score

    if len(y_true) != len(y_pred):
        raise ScoringError("y_true and y_pred differ in length")
    if not len(y_true):
        raise ScoringError("no cases to score")
    yt, yp = [str(x) for x in y_true], [str(x) for x in y_pred]
    import warnings

    with warnings.catch_warnings():  # a predicted class absent from the truth is fine here
        warnings.simplefilter("ignore")
        v = balanced_accuracy_score(yt, yp)
    return {"n": len(yt), "classes": len(set(yt)), "balanced_accuracy": float(v)}


def ari(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """scikit-learn's adjusted Rand index between two aligned labelings."""
    from sklearn.metrics import adjusted_rand_score

    if len(labels_true) != len(labels_pred):
        raise ScoringError("the two partitions must label the same items")
    return float(adjusted_rand_score([repr(x) for x in labels_true], [repr(x) for x in labels_pred]))


# --------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    n: int
    mean_predicted: float
    observed_rate: float


def calibration_table(y: Sequence[int], p: Sequence[float], n_bins: int = 10) -> list[CalibrationBin]:
    """Uniform reliability bins over [0, 1] (the binning of scikit-learn's ``calibration_curve``);
    empty bins are left out, every bin carries its N."""
    yy, pp = _labels(y), _probs(p)
    if len(yy) != len(pp) or not len(yy):
        raise ScoringError("calibration needs equal, non-empty outcomes and probabilities")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.searchsorted(edges[1:-1], pp)  # as sklearn.calibration.calibration_curve(strategy='uniform')
    out = []
    for b in range(n_bins):
        m = idx == b
        if m.any():
            out.append(CalibrationBin(float(edges[b]), float(edges[b + 1]), int(m.sum()),
                                      float(pp[m].mean()), float(yy[m].mean())))
    return out


def calibration_plot(table: Sequence[CalibrationBin], path: Path | str, title: str = "Calibration") -> Path:
    """Write a reliability diagram (PNG or SVG by suffix): observed rate against mean prediction,
    marker area by N, the diagonal for reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--", label="perfect calibration")
    xs = [b.mean_predicted for b in table]
    ys = [b.observed_rate for b in table]
    ns = [b.n for b in table]
    ax.plot(xs, ys, color="C0", lw=1)
    ax.scatter(xs, ys, s=[20 + 180 * n / max(ns) for n in ns] if ns else [], color="C0", zorder=3)
    for x, yv, n in zip(xs, ys, ns):
        ax.annotate(f"N={n}", (x, yv), textcoords="offset points", xytext=(4, -10), fontsize=7)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted probability", ylabel="observed frequency",
           title=f"{title} (N={sum(ns)})")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- paired bootstrap
def paired_bootstrap(model: Sequence[float], baseline: Sequence[float], clusters: Sequence[Hashable],
                     b: int = 2000, seed: int = 0, level: float = 0.95) -> dict[str, float]:
    """Mean per-episode difference model - baseline, with a percentile interval from resampling
    clusters (windows) with replacement. Returns the difference, its interval, N episodes,
    N clusters and B. A single cluster gives no interval (``None``)."""
    m = np.asarray(model, dtype=float)
    s = np.asarray(baseline, dtype=float)
    if not (len(m) == len(s) == len(clusters)):
        raise ScoringError("model, baseline and clusters differ in length")
    if not len(m):
        raise ScoringError("no episodes to compare")
    if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s))):
        raise ScoringError("per-episode scores must be finite")
    d = m - s
    keys = list(dict.fromkeys(clusters))
    pos = {k: i for i, k in enumerate(keys)}
    cid = np.array([pos[c] for c in clusters])
    sums = np.bincount(cid, weights=d, minlength=len(keys))
    cnts = np.bincount(cid, minlength=len(keys)).astype(float)
    out = {"difference": float(d.mean()), "n_episodes": int(len(d)), "n_clusters": len(keys), "b": int(b),
           "lower": None, "upper": None}
    if len(keys) < 2:
        return out
    rng = np.random.default_rng(seed)
    draw = rng.integers(0, len(keys), size=(b, len(keys)))
    boot = sums[draw].sum(axis=1) / cnts[draw].sum(axis=1)
    a = (1 - level) / 2
    out["lower"], out["upper"] = float(np.quantile(boot, a)), float(np.quantile(boot, 1 - a))
    return out
