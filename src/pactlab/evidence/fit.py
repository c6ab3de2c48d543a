"""`pactlab fit`: maximum-likelihood estimation of a registered theory's fittable parameters.

Generic over the :class:`~pactlab.theories.base.Theory` protocol: the theory
declares its parameters (``specs``; those with ``free=True`` and a numeric
kind are fitted, the rest stay at their defaults) and gives ``log_prob`` of an
observed outcome. The fit maximises the sum of per-episode log-probabilities

    L(theta) = sum_e log P_theta(observed outcome of e | theatre of e)

over the training episodes -- those whose window **ends before** ``train_to``
-- within the declared bounds, with ``scipy.optimize`` (L-BFGS-B, numerical
gradients; several starts) or ``cma`` (derivative-free CMA-ES). A theory
without a probability model (``supports_log_prob`` false) is refused with a
message; Cohen's model has one at finite logit precisions (``--set`` or ``--tie-precisions``).

Diagnostics: the observed information (numerical Hessian of -L at the
optimum), its condition number, standard errors where it is invertible, and
for each parameter whether it sits on a bound or lies on a flat direction
(an eigenvalue of the information below :data:`FLAT`: "not identified by
these episodes", reported instead of a standard error).

The parameter file records its provenance through :mod:`pactlab.manifest`
(data checksums, training window, theory, digest of the fitted set).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize

from pactlab.errors import PactlabError
from pactlab.theories.base import Outcome, Theory, TheoryError

FLAT = 1e-6
LOG_EPS = math.log(1e-12)
FORMAT = "pactlab-params/1"


class FitError(PactlabError):
    """A fit that cannot be made as asked (no probability model, no training episode, bad parameter file)."""


@dataclass(frozen=True)
class FitCase:
    """One training episode: a theatre (scenario), what happened in it, and its window."""

    key: str
    start: int
    end: int
    scenario: Any
    observed: Outcome


@dataclass
class FitResult:
    theory: str
    values: dict[str, Any]
    free: list[str]
    log_lik: float
    log_lik_default: float
    n_episodes: int
    windows: list[list[int]]
    se: dict[str, float | None]
    status: dict[str, str]  # per free parameter: estimated | at-bound | not-identified
    condition: float | None
    optimizer: str
    converged: bool
    message: str
    digest: str
    zero_prob_episodes: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "theory": self.theory, "parameters": self.values, "digest": self.digest,
            "fitted": self.free,
            "estimates": {k: {"value": self.values[k], "se": self.se.get(k), "status": self.status[k]} for k in self.free},
            "log_likelihood": self.log_lik, "log_likelihood_at_defaults": self.log_lik_default,
            "n_episodes": self.n_episodes, "windows": self.windows, "hessian_condition": self.condition,
            "optimizer": self.optimizer, "converged": self.converged, "message": self.message,
            "zero_probability_episodes": self.zero_prob_episodes, "notes": self.notes,
        }


def free_specs(theory: Theory, only: Sequence[str] | None = None):
    """The fittable parameters: the numeric ones declared ``free=True`` and the logit precisions
    (numeric parameters that may be infinite), optionally a named subset. Without ``only``: the
    declared-free ones, or, for a theory that declares none, its precisions."""
    numeric = [s for s in theory.specs if s.kind == "float"]
    fittable = [s for s in numeric if s.free or s.allow_inf]
    if only:
        known = {s.name for s in fittable}
        bad = [n for n in only if n not in known]
        if bad:
            raise FitError(f"--free: {', '.join(bad)} is not a fittable parameter of {theory.name!r}; "
                           f"fittable: {', '.join(sorted(known)) or 'none'}")
        return [s for s in fittable if s.name in only]
    return [s for s in numeric if s.free] or [s for s in numeric if s.allow_inf]


def has_probability_model(theory: Theory, values: Mapping[str, Any] | None = None) -> bool:
    """Whether ``theory`` gives log-probabilities at ``values``: it says so (``supports_log_prob``),
    or its precisions (parameters that may be infinite) are all finite there -- Cohen's model
    with its precisions set explicitly."""
    if getattr(theory, "supports_log_prob", False):
        return True
    inf = [s.name for s in theory.specs if s.allow_inf]
    if not inf:
        return False
    p = theory.params(values)
    return all(math.isfinite(float(p[n])) for n in inf)


def _objective(theory: Theory, cases: Sequence[FitCase], names: list[str], base: dict,
               lo: np.ndarray | None = None, hi: np.ndarray | None = None) -> Callable:
    def nll(x: np.ndarray) -> float:
        if lo is not None:  # finite-difference steps at a bound stay inside it
            x = np.clip(x, lo, hi)
        p = dict(base)
        p.update({n: float(v) for n, v in zip(names, x)})
        tot = 0.0
        for c in cases:
            lp = theory.log_prob(c.scenario, c.observed, p)
            tot += lp if math.isfinite(lp) else LOG_EPS
        return -tot
    return nll


def _hessian(f: Callable, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Central-difference Hessian, steps kept inside the bounds."""
    k = len(x)
    h = np.maximum(1e-4, 1e-3 * np.abs(x))
    h = np.minimum(h, np.maximum(1e-6, np.minimum(x - lo, hi - x) / 2 + 1e-6))
    H = np.zeros((k, k))
    f0 = f(x)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h[i]
        H[i, i] = (f(x + ei) - 2 * f0 + f(x - ei)) / h[i] ** 2
        for j in range(i + 1, k):
            ej = np.zeros(k)
            ej[j] = h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
            H[i, j] = H[j, i] = v
    return H


def fit(theory: Theory, cases: Sequence[FitCase], *, free: Sequence[str] | None = None, optimizer: str = "lbfgs",
        start: Mapping[str, Any] | None = None, starts: int = 3, seed: int = 0, maxiter: int = 200) -> FitResult:
    """Maximum-likelihood fit of ``theory``'s fittable parameters on ``cases`` (see the module docstring)."""
    if not has_probability_model(theory, start):
        raise FitError(f"theory {theory.name!r} has no probability model at these parameters (supports_log_prob "
                       "is false and its precisions are not all finite), so it cannot be fitted by likelihood")
    if not cases:
        raise FitError("no training episode: nothing to fit (is --train-to after the first window's end?)")
    specs = free_specs(theory, free)
    if not specs:
        raise FitError(f"theory {theory.name!r} declares no fittable numeric parameter")
    base = dict(theory.params(start))
    names = [s.name for s in specs]
    kept, outside = [], []
    for c in cases:  # outcomes the theory cannot produce at all are left out and counted, not floored
        try:
            theory.log_prob(c.scenario, c.observed, base)
            kept.append(c)
        except TheoryError as exc:
            outside.append(f"{c.key}: {exc}")
    if not kept:
        raise FitError(f"no training episode has an outcome theory {theory.name!r} can produce "
                       f"({len(outside)} left out)")
    cases = kept
    lo = np.array([s.lower if s.lower is not None else -50.0 for s in specs], float)
    hi = np.array([s.upper if s.upper is not None else 50.0 for s in specs], float)
    lo = np.where([s.strict_lower for s in specs], lo + 1e-9, lo)
    nll = _objective(theory, cases, names, base, lo, hi)
    x0 = np.array([base[n] for n in names], float)
    f_default = nll(x0)
    rng = np.random.default_rng(seed)
    best_x, best_f, conv, msg = x0, f_default, False, ""
    if optimizer == "lbfgs":
        inits = [x0] + [np.clip(x0 + rng.normal(0, 1.0, len(x0)), lo, hi) for _ in range(max(0, starts - 1))]
        for xi in inits:
            r = optimize.minimize(nll, xi, method="L-BFGS-B", bounds=list(zip(lo, hi)),
                                  options={"maxiter": maxiter})
            if r.fun < best_f - 1e-12 or (not conv and r.fun <= best_f):
                best_x, best_f, conv, msg = np.asarray(r.x), float(r.fun), bool(r.success), str(r.message)
    elif optimizer == "cma":
        import cma

        sigma = float(np.clip(0.25 * np.min(hi - lo), 0.05, 2.0))
        es = cma.CMAEvolutionStrategy(x0.tolist(), sigma, {"bounds": [lo.tolist(), hi.tolist()], "seed": seed + 1,
                                                             "maxfevals": maxiter * 20, "verbose": -9})
        es.optimize(nll)
        xb = np.asarray(es.result.xbest, float)
        if es.result.fbest < best_f:
            best_x, best_f = xb, float(es.result.fbest)
        conv, msg = True, "; ".join(f"{k}={v}" for k, v in es.stop().items())
    else:
        raise FitError(f"--optimizer: expected lbfgs or cma, got {optimizer!r}")

    H = _hessian(nll, best_x, lo, hi)
    se: dict[str, float | None] = {}
    status: dict[str, str] = {}
    cond = None
    notes: list[str] = []
    if outside:
        notes.append(f"{len(outside)} episode(s) left out: outcome outside the theory's support "
                     f"(first: {outside[0]})")
    if np.all(np.isfinite(H)):
        Hs = 0.5 * (H + H.T)
        w, V = np.linalg.eigh(Hs)
        cond = float(w.max() / w.min()) if w.min() > 0 else None
        flat = {names[i] for k in range(len(w)) if w[k] < FLAT * max(1.0, abs(w).max())
                for i in range(len(names)) if abs(V[i, k]) > 0.3}
        # standard errors from the information over the identified parameters (flat ones held fixed)
        keep = [i for i, n in enumerate(names) if n not in flat]
        cov = None
        if keep:
            sub = Hs[np.ix_(keep, keep)]
            try:
                if np.linalg.eigvalsh(sub).min() > 0:
                    cov = np.linalg.inv(sub)
            except np.linalg.LinAlgError:
                cov = None
        pos = {i: j for j, i in enumerate(keep)}
        for i, n in enumerate(names):
            on_bound = min(best_x[i] - lo[i], hi[i] - best_x[i]) < 1e-6 * max(1.0, hi[i] - lo[i])
            if n in flat:
                status[n], se[n] = "not-identified", None
            elif on_bound:
                status[n], se[n] = "at-bound", None
            else:
                v = cov[pos[i], pos[i]] if cov is not None else float("nan")
                status[n] = "estimated" if cov is not None and v > 0 else "not-identified"
                se[n] = float(math.sqrt(v)) if cov is not None and v > 0 else None
        if flat:
            notes.append("flat directions of the likelihood (not identified by these episodes): "
                         + ", ".join(sorted(flat)))
    else:
        notes.append("the Hessian is not finite at the optimum: no standard errors")
        status = {n: "not-identified" for n in names}
        se = {n: None for n in names}
    values = dict(base)
    values.update({n: float(v) for n, v in zip(names, best_x)})
    pset = theory.params(values)
    zero = 0
    for c in cases:
        if not math.isfinite(theory.log_prob(c.scenario, c.observed, pset)):
            zero += 1
    return FitResult(
        theory=theory.name, values=dict(pset), free=names, log_lik=-best_f, log_lik_default=-f_default,
        n_episodes=len(cases), windows=[list(w) for w in sorted({(c.start, c.end) for c in cases})],
        se=se, status=status, condition=cond, optimizer=optimizer, converged=conv, message=msg,
        digest=pset.digest(), zero_prob_episodes=zero, notes=notes,
    )


def fit_at_most(theory: Theory, cases: Sequence[FitCase], k: int, *, start: Mapping[str, Any] | None = None,
                maxiter: int = 200, starts: int = 1, optimizer: str = "lbfgs") -> FitResult:
    """The fit of ``theory`` that frees at most ``k`` of its fittable parameters, the rest at
    their declared (or ``start``) values. With more candidates than ``k`` they are chosen by
    forward selection on the training likelihood: at each step every remaining candidate is
    added in turn and refitted, and the one with the highest log-likelihood is kept (ties to
    the declaration order). Only ``cases`` are used, so the choice is part of the fit."""
    if k < 1:
        raise FitError(f"at most {k} free parameters: expected at least 1")
    candidates = [s.name for s in free_specs(theory)]
    if len(candidates) <= k:
        return fit(theory, cases, start=start, starts=starts, maxiter=maxiter, optimizer=optimizer)
    chosen: list[str] = []
    best: FitResult | None = None
    for _ in range(k):
        trials = [fit(theory, cases, free=[*chosen, n], start=start, starts=starts, maxiter=maxiter,
                      optimizer=optimizer) for n in candidates if n not in chosen]
        best = max(trials, key=lambda r: r.log_lik)  # max keeps the first of equals
        chosen = list(best.free)
    assert best is not None
    best.notes.append(f"{len(chosen)} of {len(candidates)} fittable parameters freed, chosen by forward selection "
                      f"on the training likelihood from: {', '.join(candidates)}")
    return best


def write_params(result: FitResult, path: Path | str, manifest: Mapping[str, Any],
                 bootstrap: Mapping[str, Any] | None = None) -> Path:
    """The parameter file: the fit, its bootstrap (when made) and its provenance manifest
    (see :mod:`pactlab.manifest`)."""
    from pactlab.files import atomic_write_json

    body = result.to_json()
    if bootstrap is not None:
        body["bootstrap"] = dict(bootstrap)
    body["provenance"] = dict(manifest)
    return atomic_write_json(path, body)


def read_params(path: Path | str, theory: Theory | None = None) -> dict[str, Any]:
    """Read a parameter file written by :func:`write_params`; the values are validated against
    ``theory``'s declaration when given."""
    p = Path(path)
    try:
        body = json.loads(p.read_text())
    except FileNotFoundError:
        raise FitError(f"{p}: no such parameter file") from None
    except json.JSONDecodeError as exc:
        raise FitError(f"{p}: not a JSON parameter file ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("parameters"), dict):
        raise FitError(f"{p}: field 'format' must be {FORMAT!r} with a 'parameters' object")
    if theory is not None:
        if body.get("theory") != theory.name:
            raise FitError(f"{p}: field 'theory' is {body.get('theory')!r}, expected {theory.name!r}")
        try:
            theory.params(body["parameters"])
        except PactlabError as exc:
            raise FitError(f"{p}: field 'parameters': {exc}") from None
    return body


# --------------------------------------------------------------------------- training episodes from data
def training_cases(data, y1: int, train_to: int, *, adversary_rule: str = "rival",
                   in_scope_only: bool = False, progress: Callable[[str], None] | None = None,
                   coding=None) -> tuple[list[FitCase], dict[str, int]]:
    """Training cases from the record: one per design part of every episode whose window ends before
    ``train_to``, its theatre built from data before the window (:func:`build_theatre`), its observed
    outcome the episode's new treaties (founding, upgrade, accession; renewals carry on) restricted to
    the part's clients. ``coding``: alternative coding rules (:class:`pactlab.evidence.episodes.Coding`;
    default: the frozen rules). Returns the cases and counts of what was skipped and why."""
    from pactlab.evidence.builder import build_theatre
    from pactlab.evidence.episodes import Coding, build_episodes, data_before
    from pactlab.scenarios.loader import parse_scenario

    coding = coding or Coding()
    es = build_episodes(data, y1, train_to - 1, adversary_rule=adversary_rule, coding=coding)
    counts = {"episodes": 0, "parts": 0, "skipped_episode": 0, "no_adversary": 0, "build_failed": 0,
              "after_train_to": 0}
    cases: list[FitCase] = []
    views: dict[int, Any] = {}
    for ep in es.episodes:
        if ep.end >= train_to:
            counts["after_train_to"] += 1
            continue
        if ep.skip:
            counts["skipped_episode"] += 1
            continue
        if ep.adversary.ccode is None:
            counts["no_adversary"] += 1
            continue
        counts["episodes"] += 1
        view = views.setdefault(ep.start, data_before(data, ep.start))
        parts = ep.parts_in_scope if in_scope_only else ep.parts
        for k, part in enumerate(parts):
            try:
                raw = build_theatre(view, ep.patron, ep.start, list(part.clients), ep.adversary.ccode,
                                    scenario_id=f"fit-{ep.patron}-{ep.start}-{ep.end}-{k}",
                                    allow_later=tuple(part.later_fallback) or False,
                                    sovereign_through=ep.end if coding.sovereign_in_window else None)
                sc = parse_scenario(raw, f"<built theatre {ep.patron}@{ep.start}-{ep.end} part {k}>")
            except PactlabError as exc:
                counts["build_failed"] += 1
                if progress:
                    progress(f"{ep.patron}@{ep.start}-{ep.end} part {k}: {exc}")
                continue
            ids = {a.ccode: a.id for a in sc.actors if getattr(a, "ccode", None) is not None}
            mine = set(part.clients)
            treaties = []
            for ev in ep.events:
                if ev.status == "renewal":
                    continue
                if in_scope_only and not ev.event.in_scope:
                    continue
                cl = [c for c in ev.new_clients if c in mine and c in ids]
                with_patron = ev.role == "patron"
                if (with_patron and cl) or (not with_patron and len(cl) >= 2):
                    treaties.append((frozenset(ids[c] for c in cl), with_patron, ev.event.level))
            cases.append(FitCase(f"{ep.patron}@{ep.start}-{ep.end}/{k}", ep.start, ep.end, sc, Outcome.of(treaties)))
            counts["parts"] += 1
    return cases, counts


def shipped_scores(cases: Sequence[FitCase]) -> dict[str, dict[str, Any]]:
    """Cohen's model at the shipped parameters (infinite precisions) on ``cases``, per window
    (``START-END``): theatres scored, records at probability zero, theatres outside the client game,
    and the log score with each zero floored at :data:`LOG_EPS` (as the fit floors them)."""
    from pactlab import theories

    cohen = theories.get("cohen")
    by: dict[str, dict[str, Any]] = {}
    for c in cases:
        w = by.setdefault(f"{c.start}-{c.end}", {"theatres": 0, "zero": 0, "outside": 0, "log_score": 0.0})
        try:
            lp = cohen.log_prob(c.scenario, c.observed, None)
        except PactlabError:
            w["outside"] += 1
            continue
        w["theatres"] += 1
        w["zero"] += not math.isfinite(lp)
        w["log_score"] += lp if math.isfinite(lp) else LOG_EPS
    return dict(sorted(by.items()))


def units_of(scenario) -> int:
    """The theatre's units: lone clients and pacts in force (the atoms of the client game)."""
    from pactlab.model.params import DEFAULT
    from pactlab.model.theatre import compile_theatre

    return len(compile_theatre(scenario, DEFAULT).atoms)


def within_units(cases: Sequence[FitCase], max_units: int) -> list[FitCase]:
    """The cases whose theatre has at most ``max_units`` units (``pactlab fit --max-units``)."""
    return [c for c in cases if units_of(c.scenario) <= max_units]


# --------------------------------------------------------------------------- prequential evaluation
def prequential(theory: Theory, cases: Sequence[FitCase], *, min_train: int = 10, free: Sequence[str] | None = None,
                optimizer: str = "lbfgs", maxiter: int = 100,
                start: Mapping[str, Any] | None = None,
                on_row: Callable[[list[dict[str, Any]]], None] | None = None) -> list[dict[str, Any]]:
    """Time-ordered evaluation: for each window, in order, fit on every case whose window ended
    before this one starts (warm-started from the previous window's fit), then score the window's
    cases by log-probability under the fit and under the defaults. Scoring starts once
    ``min_train`` cases are in training; earlier windows are listed with ``scored`` false.
    One row per window: its training N, the two log scores and their difference. ``start``
    (as ``--set``) is the first window's starting point and the "defaults" scored against:
    Cohen's model needs finite precisions there. ``on_row`` is called with the rows so far after
    each window (``pactlab fit --prequential`` writes them as the run goes)."""
    if not has_probability_model(theory, start):
        raise FitError(f"theory {theory.name!r} has no probability model at these parameters (its precisions are "
                       "not all finite), so it has no prequential score")
    by_window: dict[tuple[int, int], list[FitCase]] = {}
    for c in cases:
        by_window.setdefault((c.start, c.end), []).append(c)
    rows = []
    warm: dict[str, Any] | None = dict(start) if start else None
    defaults = dict(theory.params(start))

    def score(cs, params):
        tot = 0.0
        for c in cs:
            try:
                lp = theory.log_prob(c.scenario, c.observed, params)
            except TheoryError:
                continue
            tot += lp if math.isfinite(lp) else LOG_EPS
        return tot

    for (ws, we), cs in sorted(by_window.items()):
        train = [c for c in cases if c.end < ws]
        row: dict[str, Any] = {"window": f"{ws}-{we}", "n_train": len(train), "n_scored": len(cs), "scored": False,
                               "log_score_fit": None, "log_score_defaults": None, "difference": None, "digest": None}
        if len(train) >= min_train:
            try:
                r = fit(theory, train, free=free, optimizer=optimizer, start=warm, starts=1, maxiter=maxiter)
            except FitError as exc:
                row["note"] = str(exc)
                rows.append(row)
                if on_row:
                    on_row(rows)
                continue
            warm = r.values
            a, b = score(cs, r.values), score(cs, defaults)
            row.update(scored=True, log_score_fit=a, log_score_defaults=b, difference=a - b, digest=r.digest)
        rows.append(row)
        if on_row:
            on_row(rows)
    return rows


# --------------------------------------------------------------------------- tied parameters
class Tied(Theory):
    """``theory`` with several numeric parameters tied to one: the new parameter ``name`` sets
    each of ``members`` (e.g. one logit precision for all five of Cohen's model, so that a fit
    has one free direction where the data cannot tell the five apart). Every other parameter is
    the theory's own. Predictions and log-probabilities are the theory's at the expanded set."""

    def __init__(self, theory: Theory, name: str, members: Sequence[str], default: float, doc: str = ""):
        from dataclasses import replace

        by = {s.name: s for s in theory.specs}
        bad = [m for m in members if m not in by or by[m].kind != "float"]
        if bad or not members:
            raise FitError(f"cannot tie {', '.join(bad) or 'nothing'}: not numeric parameters of {theory.name!r}")
        first = by[members[0]]
        self.inner, self.tied, self.members = theory, name, tuple(members)
        self.name = f"{theory.name}[{name}]"
        self.title, self.citation = theory.title, theory.citation
        self.specs = tuple(s for s in theory.specs if s.name not in self.members) + (
            replace(first, name=name, default=default, free=True, allow_inf=False,
                    doc=doc or f"one value for {', '.join(self.members)}"),)

    @property
    def supports_log_prob(self) -> bool:  # type: ignore[override]
        return has_probability_model(self.inner, self.expand(self.params()))

    def expand(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        p = dict(self.params(params))
        v = p.pop(self.tied)
        p.update({m: v for m in self.members})
        return p

    def predict(self, scenario, params=None):
        return self.inner.predict(scenario, self.expand(params))

    def log_prob(self, scenario, observed, params=None):
        return self.inner.log_prob(scenario, observed, self.expand(params))
