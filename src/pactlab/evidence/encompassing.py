"""Encompassing tests: does a rival's key variable add anything to Cohen's model?

Each rival that declares a key term (:class:`pactlab.theories.base.KeyTerm`:
a key variable ``z``, the designs it favours and a declared parameter
``theta``) is added to Cohen's likelihood as one extra utility term on the
outcome:

    P_theta(o) = P_cohen(o) * exp(theta * z * [design(o) in D]) / Z(theta),
    Z(theta)   = sum over designs d of P_cohen(d) * exp(theta * z * [d in D]),

where ``P_cohen`` is Cohen's outcome distribution at finite logit precisions.
At ``theta = 0`` this is Cohen's model exactly, so the two are nested. The
model has no hook for an extra term inside a player's payoff, so the term acts
on the outcome as a whole (an exponential tilt of Cohen's distribution), not on
one stage's choice; the normaliser needs only Cohen's design probabilities,
since the term depends on the outcome through its design alone.

``theta`` is fitted by maximum likelihood on the training theatres (Cohen's own
parameters held at the values given); the test reports

* the likelihood-ratio statistic ``LR = 2 (l(theta_hat) - l(0))`` on the
  training theatres and its chi-square(1) p-value (theta_hat on a bound is
  said);
* the out-of-sample change in log score on the test theatres (windows ending
  at or after the split year) at ``theta_hat``, with a 95% bootstrap interval
  over theatres: positive means the rival's variable improves Cohen's
  predictions of cases it was not fitted on.

Theatres whose record has probability zero under Cohen's model (log-probability
``-inf``) are left out and counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pactlab import theories
from pactlab.designs import DESIGNS
from pactlab.errors import PactlabError
from pactlab.model.params import PRECISIONS
from pactlab.theories.base import Outcome, Theory, TheoryError

BOOTSTRAP = 2000
SEED = 0


class EncompassingError(PactlabError):
    """An encompassing test cannot run as asked."""


@dataclass(frozen=True)
class Case:
    """One theatre's ingredients: Cohen's log-probability of the record, Cohen's
    design probabilities, the record's design."""

    id: str
    end: int
    cohen_log_prob: float
    design_probabilities: Mapping[str, float]
    observed_design: str
    observed: Outcome | None = None
    start: int | None = None  # the window's first year, where known


def cohen_case(case_id: str, end: int, scenario, observed: Outcome, params, max_units: int | None = None,
               start: int | None = None) -> Case | None:
    """Cohen's design probabilities and log-probability of the record from one outcome
    distribution (:class:`pactlab.model.outcome.Distribution`, built once); ``None``
    when the theatre has more units than ``max_units`` (its distribution would be
    approximate, grown from the stable structures, and slow to build)."""
    from pactlab.model.clients import ClientGame
    from pactlab.model.outcome import MAX_EXACT_ATOMS, Distribution
    from pactlab.model.theatre import compile_theatre

    th = compile_theatre(scenario, params)
    if len(th.atoms) > (MAX_EXACT_ATOMS if max_units is None else max_units):
        return None
    d = Distribution(th, ClientGame.of(th), params)
    probs = {k: float(v) for k, v in d.summary()["design"].items()}
    lp = d.log_prob([(tuple(t.clients), t.with_patron, t.level) for t in observed.treaties])
    return Case(case_id, end, lp, probs, observed.design, observed, start)


def _terms(case: Case, z: float, designs: frozenset[str]) -> tuple[float, np.ndarray, np.ndarray]:
    """(the record's term x_obs, the design probabilities, each design's term)."""
    p = np.array([case.design_probabilities.get(d, 0.0) for d in DESIGNS], dtype=float)
    x = np.array([z * (d in designs) for d in DESIGNS], dtype=float)
    return z * (case.observed_design in designs), p, x


def gain(theta: float, x_obs: float, p: np.ndarray, x: np.ndarray) -> float:
    """log P_theta(o) - log P_cohen(o) = theta * x_obs - log sum_d P(d) exp(theta * x_d)."""
    keep = p > 0
    a = theta * x[keep]
    m = float(a.max())
    return theta * x_obs - (m + math.log(float(np.sum(p[keep] * np.exp(a - m)))))


def augmented_log_prob(case: Case, z: float, designs: frozenset[str], theta: float) -> float:
    """log P_theta(record) of one theatre."""
    x_obs, p, x = _terms(case, z, designs)
    return case.cohen_log_prob + gain(theta, x_obs, p, x)


def fit_theta(rows: Sequence[tuple[float, np.ndarray, np.ndarray]], lo: float, hi: float) -> float:
    """The maximum-likelihood theta within [lo, hi]: the log-likelihood is concave in theta
    (a linear term less a log-sum-exp), so a bounded scalar search finds the maximum."""
    from scipy.optimize import minimize_scalar

    if not rows:
        return 0.0

    def nll(t: float) -> float:
        return -sum(gain(t, xo, p, x) for xo, p, x in rows)

    r = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6})
    t = float(r.x)
    # the bounded search stops just inside a bound; report the bound where the slope still points out
    for b in (lo, hi):
        if abs(t - b) < 1e-3 and nll(b) <= nll(t):
            t = b
    return t


def _bootstrap(xs: Sequence[float]) -> list[float] | None:
    a = np.asarray(xs, dtype=float)
    if a.size == 0:
        return None
    rng = np.random.default_rng(SEED)
    sums = a[rng.integers(0, a.size, size=(BOOTSTRAP, a.size))].sum(axis=1)
    return [float(np.percentile(sums, 2.5)), float(np.percentile(sums, 97.5))]


def test_rival(rival: Theory, train: Sequence[tuple[Case, Any]], test: Sequence[tuple[Case, Any]]) -> dict[str, Any]:
    """The encompassing test of one rival: ``train`` and ``test`` are (case, scenario) pairs."""
    from scipy.stats import chi2

    kt = rival.key_term
    if kt is None:
        raise EncompassingError(f"theory {rival.name!r} declares no key variable")
    lo, hi = kt.spec.lower, kt.spec.upper

    def prep(cs):
        out, left = [], 0
        for c, s in cs:
            if not math.isfinite(c.cohen_log_prob):
                left += 1
                continue
            z = float(rival.key_value(s))
            if not math.isfinite(z):
                raise EncompassingError(f"{rival.name}: key variable is not finite in {c.id}")
            out.append((c, _terms(c, z, kt.designs)))
        return out, left

    tr, left_tr = prep(train)
    te, left_te = prep(test)
    rows = [t for _, t in tr]
    informative = sum(1 for xo, p, x in rows if np.ptp(x[p > 0]) > 0)
    # with no training theatre where the term varies across designs, theta is not identified: it stays 0
    theta = fit_theta(rows, lo, hi) if informative else 0.0
    gains_tr = [gain(theta, *t) for t in rows]
    lr = 2.0 * sum(gains_tr)
    lr = max(lr, 0.0)
    gains_te = [gain(theta, *t) for _, t in te]
    return {
        "rival": rival.name, "parameter": kt.spec.name, "variable": kt.variable, "designs": sorted(kt.designs),
        "n_train": len(rows), "n_train_informative": informative, "n_test": len(te),
        "left_out_train": left_tr, "left_out_test": left_te,
        "theta": theta, "theta_on_bound": theta in (lo, hi), "identified": informative > 0,
        "cohen_log_lik_train": sum(c.cohen_log_prob for c, _ in tr),
        "lr": lr, "p": float(chi2.sf(lr, 1)),
        "test_cohen_log_score": sum(c.cohen_log_prob for c, _ in te),
        "test_change": sum(gains_te), "test_change_ci": _bootstrap(gains_te),
    }


def check_precisions(cohen_params: Mapping[str, Any] | None):
    """Cohen's parameters, if every logit precision is finite; else an error naming the infinite ones."""
    p = theories.get("cohen").model_parameters(cohen_params)
    inf = [k for k in PRECISIONS if not math.isfinite(getattr(p, k))]
    if inf:
        raise EncompassingError(
            "an encompassing test needs Cohen's log-probability at finite logit precisions; infinite: "
            + ", ".join(inf) + " (set them in the parameter file, e.g. 'cohen: {precision_patron: 5, ...}')")
    return p


def build(cases, p, max_units: int | None = None, progress=None) -> tuple[list[tuple[Case, Any]], int, int]:
    """Cohen's ingredients (:func:`cohen_case`) for every :class:`pactlab.evidence.fit.FitCase`
    at Cohen's parameters ``p``: (the (case, scenario) pairs built, the number that could not be
    compiled, the number left out with more than ``max_units`` units)."""
    built, failed, too_large = [], 0, 0
    for fc in cases:
        try:
            c = cohen_case(fc.key, fc.end, fc.scenario, fc.observed, p, max_units, start=fc.start)
        except (TheoryError, ValueError) as exc:
            failed += 1
            if progress:
                progress(f"{fc.key}: {exc}")
            continue
        if c is None:
            too_large += 1
            continue
        built.append((c, fc.scenario))
    return built, failed, too_large


def run(cases, split: int, cohen_params: Mapping[str, Any] | None, names: Sequence[str] | None = None,
        max_units: int | None = None, progress=None, others: Sequence[str] | None = None,
        other_params: Mapping[str, Mapping[str, Any]] | None = None, prebuilt=None,
        log_probs: Mapping[str, Sequence[float]] | None = None) -> dict[str, Any]:
    """Encompassing tests of every rival with a key term (or ``names``) against Cohen's model.

    ``cases``: :class:`pactlab.evidence.fit.FitCase` items; those whose window ends before
    ``split`` train, the rest test. ``cohen_params`` must give finite logit precisions. Theatres
    with more units (clients, or blocs of clients bound by a pact in force) than ``max_units``
    (default: the model's exact limit, 8) are left out and counted. ``others``: the theories
    scored on the same theatres by log-probability (:func:`record_scores`; default: every
    registered theory with a probability model). ``prebuilt``: :func:`build`'s result for these
    cases, if already made; ``log_probs``: :func:`log_probs`'s, if already computed."""
    p = check_precisions(cohen_params)
    rivals = [n for n in theories.names() if theories.get(n).key_term is not None]
    if names:
        bad = [n for n in names if n not in rivals]
        if bad:
            raise EncompassingError(f"no key variable declared by {', '.join(bad)}; theories with one: {', '.join(rivals)}")
        rivals = list(names)
    built, failed, too_large = prebuilt if prebuilt is not None else build(cases, p, max_units, progress)
    train = [(c, s) for c, s in built if c.end < split]
    test = [(c, s) for c, s in built if c.end >= split]
    results = [test_rival(theories.get(n), train, test) for n in rivals]
    scored = record_scores(built, split, cohen_params, other_params or {}, others, log_probs)
    return {
        "split": split, "cohen_parameters": p.digest(),
        "cohen_precisions": {k: getattr(p, k) for k in PRECISIONS},
        "n_cases": len(built), "n_train": len(train), "n_test": len(test), "failed": failed,
        "left_out_too_many_units": too_large, "max_units": max_units,
        "cohen_test_log_score": sum(c.cohen_log_prob for c, _ in test if math.isfinite(c.cohen_log_prob)),
        "tests": results, "record_scores": scored,
    }


def scored_theories(names: Sequence[str] | None = None) -> list[str]:
    """The theories with a log-probability on the record's theatres: Cohen's (at the finite
    precisions given) and every other theory with a probability model, in ``names``' order."""
    return [n for n in (names or theories.names()) if n == "cohen" or theories.get(n).supports_log_prob]


def log_probs(built: Sequence[tuple[Case, Any]], params: Mapping[str, Mapping[str, Any]],
              names: Sequence[str] | None = None) -> dict[str, list[float]]:
    """Each theory's log-probability of each theatre's new treaties (``-inf`` where the record
    is outside its outcomes), theories as :func:`scored_theories`; Cohen's comes from the
    built case (at the precisions it was built with)."""
    lp: dict[str, list[float]] = {}
    for n in scored_theories(names):
        th = theories.get(n)
        xs = []
        for c, sc in built:
            if n == "cohen":
                x = c.cohen_log_prob
            else:
                try:
                    x = th.log_prob(sc, c.observed, params.get(n))
                except TheoryError:
                    x = -math.inf
            xs.append(x)
        lp[n] = xs
    return lp


def record_scores(built: Sequence[tuple[Case, Any]], split: int, cohen_params, params: Mapping[str, Mapping[str, Any]],
                  names: Sequence[str] | None = None,
                  lp: Mapping[str, Sequence[float]] | None = None) -> list[dict[str, Any]]:
    """Every theory with a probability model on the record's theatres: the log-probability
    of each theatre's new treaties, before and from ``split``, each theory at its declared
    parameters (``params`` overrides; Cohen at ``cohen_params``), none fitted here.

    A record outside a theory's outcomes (log-probability ``-inf``) is counted, not averaged;
    ``common`` is the mean over the theatres every listed theory gives a finite score, the one
    figure that compares theories on the same cases (95% bootstrap interval over theatres).
    ``lp``: :func:`log_probs`'s result for these theatres, if already computed."""
    names = scored_theories(names)
    if lp is None or any(n not in lp for n in names):
        lp = log_probs(built, params, names)
    out = []
    for n in names:
        row: dict[str, Any] = {"theory": n}
        for part, keep in (("train", [c.end < split for c, _ in built]), ("test", [c.end >= split for c, _ in built])):
            idx = [i for i, k in enumerate(keep) if k]
            finite = [lp[n][i] for i in idx if math.isfinite(lp[n][i])]
            common = [lp[n][i] for i in idx if all(math.isfinite(lp[m][i]) for m in names)]
            row[part] = {"n": len(idx), "outside": len(idx) - len(finite),
                         "mean_finite": float(np.mean(finite)) if finite else None,
                         "n_common": len(common), "mean_common": float(np.mean(common)) if common else None,
                         "mean_common_ci": _boot_mean(common)}
        out.append(row)
    return out


def _boot_mean(xs: Sequence[float]) -> list[float] | None:
    a = np.asarray(xs, dtype=float)
    if a.size == 0:
        return None
    rng = np.random.default_rng(SEED)
    means = a[rng.integers(0, a.size, size=(BOOTSTRAP, a.size))].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]
