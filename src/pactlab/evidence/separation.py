"""Separation in the T4 regressions: detected, reported, and estimated with Firth's penalty.

When a covariate separates the outcome (a comparison group in which no
alliance ended; a threat level under which every dyad or no dyad allied), the
maximum-likelihood estimate is infinite. Software still returns a large
finite number with an enormous standard error, and a hazard ratio printed from
it is not an estimate. Here:

* **Detection** is exact, by linear programming (Konis 2007 for the logit; the
  same idea over risk sets for the Cox model). The logit's outcome is
  (quasi-)separated when some direction b != 0 has (2y - 1) x'b >= 0 for every
  case; the Cox partial likelihood is monotone when some b != 0 has
  (x_i - x_j)'b >= 0 for every event i and every j at risk at its time. The
  LP maximises the sum of those margins with b in [-1, 1]; a positive optimum
  means separation, and the terms with a non-zero b are the separating ones.
* **Near-separation**: no exact separation, but a binary term has at most
  :data:`NEAR_EVENTS` events (or, for the logit, non-events) in one of its two
  levels -- one case away from separation or close to it.
* **Estimation** under either: Firth's penalised likelihood
  (l(b) + 1/2 log det I(b); Firth 1993, Heinze and Schemper 2001 for Cox),
  which is finite under separation, with **profile penalised-likelihood 95%
  intervals** (the Wald interval is wrong there). A bound that the profile does
  not reach within |b| <= :data:`BOUND` is reported as ``None`` ("not bounded"),
  never as an infinite ratio.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize
from scipy.stats import chi2

NEAR_EVENTS = 2
BOUND = 15.0
CHI95 = float(chi2.ppf(0.95, 1))


# --------------------------------------------------------------------------- detection
def _lp_separation(rows: np.ndarray) -> np.ndarray | None:
    """A direction b in [-1, 1]^p with rows @ b >= 0 and sum(rows @ b) > 0, or None."""
    if rows.size == 0:
        return None
    p = rows.shape[1]
    res = optimize.linprog(-rows.sum(axis=0), A_ub=-rows, b_ub=np.zeros(len(rows)),
                           bounds=[(-1.0, 1.0)] * p, method="highs")
    if res.status != 0 or -res.fun <= 1e-7 * max(1.0, np.abs(rows).sum()):
        return None
    return np.asarray(res.x)


def logit_rows(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Margins (2y - 1) x_i of the logit (X with its constant column)."""
    return (2.0 * np.asarray(y, float) - 1.0)[:, None] * np.asarray(X, float)


def cox_rows(time: np.ndarray, event: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Differences x_i - x_j for each event i and each j at risk at t_i (j != i)."""
    t, e, X = np.asarray(time, float), np.asarray(event, bool), np.asarray(X, float)
    out = []
    for i in np.flatnonzero(e):
        at = np.flatnonzero((t >= t[i]) & (np.arange(len(t)) != i))
        if len(at):
            out.append(X[i] - X[at])
    return np.vstack(out) if out else np.zeros((0, X.shape[1]))


def _binary(col: np.ndarray) -> bool:
    v = np.unique(col)
    return len(v) == 2 and set(v.tolist()) <= {0.0, 1.0}


def diagnose(kind: str, names: list[str], X: np.ndarray, y: np.ndarray,
             time: np.ndarray | None = None) -> dict[str, Any]:
    """Separation status of a logit (``kind='logit'``, X with a constant) or Cox model
    (``kind='cox'``, y = event indicator, ``time`` the durations).

    Returns {'status': 'none' | 'near' | 'separated', 'terms': [...], 'detail': str}."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    rows = logit_rows(y, X) if kind == "logit" else cox_rows(time, y, X)
    b = _lp_separation(rows)
    if b is not None:
        terms = [n for n, v in zip(names, b) if abs(v) > 1e-6 and n != "const"]
        return {"status": "separated", "terms": terms,
                "detail": ("the outcome is separated by " if kind == "logit" else
                           "the partial likelihood is monotone in ") + (", ".join(terms) or "the constant")
                + ": the maximum-likelihood estimate is infinite"}
    near = []
    for n, col in zip(names, X.T):
        if n == "const" or not _binary(col):
            continue
        for level in (0.0, 1.0):
            m = col == level
            ev = int(y[m].sum())
            non = int(m.sum()) - ev
            if ev <= NEAR_EVENTS or (kind == "logit" and non <= NEAR_EVENTS):
                near.append(f"{n}={int(level)}: {ev} events, {non} non-events")
    if near:
        return {"status": "near", "terms": sorted({s.split("=")[0] for s in near}),
                "detail": "near-separation: " + "; ".join(near)}
    return {"status": "none", "terms": [], "detail": ""}


# --------------------------------------------------------------------------- Firth
def _logit_pen(b: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    eta = X @ b
    ll = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    w = 1.0 / (1.0 + np.exp(-eta))
    w = w * (1.0 - w)
    sign, logdet = np.linalg.slogdet(X.T @ (X * w[:, None]))
    return ll + 0.5 * logdet if sign > 0 else -np.inf


def _cox_pen(b: np.ndarray, t: np.ndarray, e: np.ndarray, X: np.ndarray) -> float:
    """Breslow partial log-likelihood plus 1/2 log det of its information."""
    eta = X @ b
    ll = 0.0
    info = np.zeros((X.shape[1], X.shape[1]))
    for i in np.flatnonzero(e):
        r = t >= t[i]
        m = eta[r].max()
        w = np.exp(eta[r] - m)
        s = w.sum()
        xb = (w[:, None] * X[r]).sum(axis=0) / s
        ll += eta[i] - (m + math.log(s))
        xc = X[r] - xb
        info += (w[:, None] * xc).T @ xc / s
    sign, logdet = np.linalg.slogdet(info)
    return ll + 0.5 * logdet if sign > 0 else -np.inf


def _maximise(f, x0: np.ndarray, fixed: dict[int, float] | None = None) -> tuple[np.ndarray, float]:
    fixed = fixed or {}
    free = [k for k in range(len(x0)) if k not in fixed]

    def full(z):
        b = np.array(x0, float)
        for k, v in fixed.items():
            b[k] = v
        b[free] = z
        return b

    if not free:
        b = full(np.zeros(0))
        return b, f(b)
    res = optimize.minimize(lambda z: -f(full(z)), x0[free], method="BFGS",
                            options={"gtol": 1e-8, "maxiter": 500})
    return full(res.x), -float(res.fun)


def _profile_ci(f, bhat: np.ndarray, fmax: float, k: int) -> tuple[float | None, float | None]:
    def g(v):
        _, fv = _maximise(f, bhat, {k: v})
        return 2.0 * (fmax - fv) - CHI95

    out = []
    for direction in (-1.0, 1.0):
        far = bhat[k] + direction * BOUND
        if g(far) < 0:
            out.append(None)  # the profile does not reach the 95% level: not bounded
            continue
        out.append(float(optimize.brentq(g, *sorted((bhat[k], far)), xtol=1e-6)))
    return out[0], out[1]


def firth(kind: str, names: list[str], X: np.ndarray, y: np.ndarray, time: np.ndarray | None = None,
          exp: bool = True, label: str = "or") -> dict[str, dict[str, Any]]:
    """Firth-penalised estimates with profile penalised-likelihood 95% intervals, per term
    (the constant of a logit is estimated but not reported)."""
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    if kind == "logit":
        def f(b):
            return _logit_pen(b, X, y)
    else:
        t = np.asarray(time, float)
        e = y.astype(bool)

        def f(b):
            return _cox_pen(b, t, e, X)
    bhat, fmax = _maximise(f, np.zeros(X.shape[1]))
    out = {}
    for k, n in enumerate(names):
        if n == "const":
            continue
        lo, hi = _profile_ci(f, bhat, fmax, k)
        b = float(bhat[k])
        out[n] = {"coef": b, "method": "Firth penalised likelihood, profile interval",
                  label: math.exp(b) if exp else b,
                  "lower": (math.exp(lo) if exp else lo) if lo is not None else None,
                  "upper": (math.exp(hi) if exp else hi) if hi is not None else None,
                  "lower_bounded": lo is not None, "upper_bounded": hi is not None}
    return out
