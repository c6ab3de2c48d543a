"""Out-of-sample scoreboard: theories and baselines fitted on earlier windows, scored on the next.

For each 5-year window in time order, every model (a registered theory or a
baseline of :mod:`pactlab.evidence.fit_baselines`) is fitted by maximum
likelihood (:func:`pactlab.evidence.fit.fit`) on the training cases whose
window **ended before this one starts**, warm-started from its fit for the
previous window, and the window's cases are scored by their log-probability
under that fit. Scoring starts once ``min_train`` training cases are in.

A probability of zero for what happened (an outcome the model cannot produce)
is floored at log(1e-12) and counted in ``zero_prob``; no score is dropped, so
every model is scored on the same cases and the differences are paired.

:func:`differences` gives each model minus a reference with a percentile
interval from resampling windows with replacement (clusters: the parts of an
episode, and the episodes of a window, move together);
:func:`bootstrap_fit` gives bootstrap standard errors and intervals for fitted
parameters by the same cluster resampling. Both are seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pactlab.evidence.fit import LOG_EPS, FitCase, FitError, fit
from pactlab.evidence.scoring import paired_bootstrap
from pactlab.theories.base import Theory, TheoryError


def window_of(c: FitCase) -> str:
    return f"{c.start}-{c.end}"


def case_score(theory: Theory, c: FitCase, params: Mapping[str, Any]) -> tuple[float, str]:
    """(log score, status): status ``ok``, ``zero`` (probability zero, floored) or ``outside``
    (the outcome is outside the model's outcome space, floored)."""
    try:
        lp = theory.log_prob(c.scenario, c.observed, params)
    except TheoryError:
        return LOG_EPS, "outside"
    if not math.isfinite(lp):
        return LOG_EPS, "zero"
    return max(lp, LOG_EPS), "ok"


@dataclass
class Scoreboard:
    models: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per (window, model)
    scores: list[dict[str, Any]] = field(default_factory=list)  # one per (window, case, model), scored windows

    def per_model(self, name: str) -> dict[str, float]:
        """Case key -> log score of one model over the scored windows."""
        return {s["case"]: s["log_score"] for s in self.scores if s["model"] == name}

    def totals(self, b: int = 2000, seed: int = 0) -> list[dict[str, Any]]:
        """Per model: N cases, N windows, total and mean log score with a window-clustered
        bootstrap interval for the mean, zero-probability and outside counts."""
        out = []
        for m in self.models:
            ss = [s for s in self.scores if s["model"] == m]
            if not ss:
                out.append({"model": m, "n_cases": 0})
                continue
            v = [s["log_score"] for s in ss]
            bt = paired_bootstrap(v, [0.0] * len(v), [s["window"] for s in ss], b=b, seed=seed)
            out.append({"model": m, "n_cases": len(v), "n_windows": bt["n_clusters"], "log_score": float(sum(v)),
                        "mean_log_score": bt["difference"], "lower": bt["lower"], "upper": bt["upper"], "b": b,
                        "zero_prob": sum(s["status"] == "zero" for s in ss),
                        "outside": sum(s["status"] == "outside" for s in ss)})
        return out


def scoreboard(models: Mapping[str, Theory], cases: Sequence[FitCase], *, min_train: int = 20,
               optimizer: str = "lbfgs", maxiter: int = 100, start: Mapping[str, Mapping[str, Any]] | None = None,
               free: Mapping[str, Sequence[str]] | None = None, train_to: int | None = None,
               fitted: Mapping[str, Any] | None = None, progress: Callable[[int], None] | None = None) -> Scoreboard:
    """Fit every model on the windows before each window and score the window (module docstring).
    With ``train_to``, each model is instead fitted once, on the cases whose window ends before
    ``train_to``, and every other window (one that does not end before ``train_to``) is scored
    under that one fit.
    ``fitted`` gives, with ``train_to``, a model's fit (a :class:`~pactlab.evidence.fit.FitResult`
    on exactly those cases) already made.
    ``start`` gives a model's starting values (for Cohen: finite precisions), ``free`` the
    parameters to fit per model (default: its fittable ones). ``progress(1)`` is called per
    (window, model)."""
    by_window: dict[tuple[int, int], list[FitCase]] = {}
    for c in cases:
        by_window.setdefault((c.start, c.end), []).append(c)
    sb = Scoreboard(list(models))
    warm: dict[str, Mapping[str, Any] | None] = {m: (start or {}).get(m) for m in models}
    once: dict[str, Any] = dict(fitted or {}) if train_to is not None else {}
    for (ws, we), test in sorted(by_window.items()):
        if train_to is not None and we < train_to:  # a training window
            continue
        train = [c for c in cases if c.end < (ws if train_to is None else train_to)]
        for name, th in models.items():
            row: dict[str, Any] = {"window": f"{ws}-{we}", "model": name, "n_train": len(train),
                                   "n_test": len(test), "scored": False, "log_score": None, "mean_log_score": None,
                                   "zero_prob": None, "outside": None, "train_log_lik": None, "digest": None,
                                   "note": ""}
            if len(train) >= min_train:
                try:
                    r = once.get(name) or fit(th, train, optimizer=optimizer, start=warm[name], starts=1,
                                              maxiter=maxiter, free=(free or {}).get(name))
                    if train_to is not None:
                        once[name] = r
                except FitError as exc:
                    row["note"] = str(exc)
                else:
                    warm[name] = r.values
                    sc = [case_score(th, c, r.values) for c in test]
                    tot = sum(v for v, _ in sc)
                    row.update(scored=True, log_score=tot, mean_log_score=tot / len(test),
                               zero_prob=sum(s == "zero" for _, s in sc), outside=sum(s == "outside" for _, s in sc),
                               train_log_lik=r.log_lik, digest=r.digest)
                    for c, (v, s) in zip(test, sc):
                        sb.scores.append({"window": row["window"], "case": c.key, "model": name,
                                          "log_score": v, "status": s})
            sb.rows.append(row)
            if progress:
                progress(1)
    return sb


def differences(sb: Scoreboard, reference: str, *, b: int = 2000, seed: int = 0) -> list[dict[str, Any]]:
    """``reference`` minus every other model, mean per case over the cases both scored, with a
    95 % interval from resampling windows (paired, seeded)."""
    ref = {s["case"]: (s["window"], s["log_score"]) for s in sb.scores if s["model"] == reference}
    out = []
    for m in sb.models:
        if m == reference:
            continue
        other = sb.per_model(m)
        keys = [k for k in ref if k in other]
        if not keys:
            out.append({"model": reference, "minus": m, "n_cases": 0})
            continue
        r = paired_bootstrap([ref[k][1] for k in keys], [other[k] for k in keys], [ref[k][0] for k in keys],
                             b=b, seed=seed)
        out.append({"model": reference, "minus": m, "n_cases": r["n_episodes"], "n_windows": r["n_clusters"],
                    "mean_difference": r["difference"], "total_difference": r["difference"] * r["n_episodes"],
                    "lower": r["lower"], "upper": r["upper"], "b": b})
    return out


def bootstrap_fit(theory: Theory, cases: Sequence[FitCase], point: Mapping[str, Any], names: Sequence[str], *,
                  b: int = 100, seed: int = 0, optimizer: str = "lbfgs", maxiter: int = 100,
                  cluster: Callable[[FitCase], Hashable] = window_of,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Cluster bootstrap of a fit: ``b`` resamples of the clusters (default: windows) with
    replacement, each refitted warm-started from ``point``. Per parameter: the bootstrap
    standard error and 2.5/97.5 % percentiles; the number of resamples whose fit failed; and
    under ``draws`` every successful resample's fitted values (names, one row per resample)."""
    keys = list(dict.fromkeys(cluster(c) for c in cases))
    groups: dict[Hashable, list[FitCase]] = {}
    for c in cases:
        groups.setdefault(cluster(c), []).append(c)
    rng = np.random.default_rng(seed)
    draws: list[list[float]] = []
    failed = 0
    for _ in range(b):
        pick = rng.integers(0, len(keys), size=len(keys))
        sample = [c for i in pick for c in groups[keys[i]]]
        try:
            r = fit(theory, sample, free=list(names), optimizer=optimizer, start=point, starts=1, maxiter=maxiter)
            draws.append([float(r.values[n]) for n in names])
        except FitError:
            failed += 1
        if progress:
            progress(1)
    a = np.asarray(draws, float).reshape(-1, len(names))
    out: dict[str, Any] = {"b": b, "seed": seed, "clusters": len(keys), "failed": failed, "parameters": {},
                           # each resample's fitted values, for `pactlab explore montecarlo --param-draws`
                           "draws": {"names": list(names), "values": a.tolist()}}
    for j, n in enumerate(names):
        col = a[:, j]
        out["parameters"][n] = ({"estimate": float(point[n]), "se": float(col.std(ddof=1)),
                                 "lower": float(np.quantile(col, 0.025)), "upper": float(np.quantile(col, 0.975))}
                                if len(col) >= 2 else {"estimate": float(point[n]), "se": None, "lower": None,
                                                        "upper": None})
    return out


def write_table(rows: Sequence[Mapping[str, Any]], path: Path | str, extra: Mapping[str, Any] | None = None) -> Path:
    """A tidy table: CSV (one row per record) or, for a ``.json`` path, a JSON object with the rows
    under ``rows`` and ``extra`` beside them."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        from pactlab.files import atomic_write_json

        return atomic_write_json(p, {"rows": list(rows), **dict(extra or {})})
    import pandas as pd

    pd.DataFrame(list(rows)).to_csv(p, index=False)
    return p
