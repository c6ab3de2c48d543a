"""Every registered theory on the case table, side by side.

For each built-in historical case with a record, each theory predicts; the
comparison reports, per theory:

* **design** -- the modal design against the record's (the case table's
  labels: hub-and-spoke reads as ``mixed``, clients-only as ``none``);
* **treaties** -- the modal set of new treaties against the record's: member
  sets with the partner (with the patron or clients-only); **exact** -- the
  same with every treaty's level too, under both readings of the
  constitutional-processes clause (:mod:`pactlab.evidence.cases`: the paper's,
  consultation; ATOP's, defence);
* **design Brier** -- the multi-class Brier score of the design
  probabilities against the record's design (every theory has them; a
  deterministic theory scores 0 or 2);
* **log score** -- the log-probability the theory gives the record's exact
  outcome (treaties, partners and levels), under each reading, for theories
  with a probability model; a theory without one is listed with a note, not
  scored.

Means carry 95% percentile bootstrap intervals over cases (2,000 resamples,
seed 0). Pairs of theories with log-probabilities get a Vuong test on the
per-case log-likelihood ratios under the paper's reading (no correction for estimated parameters: every
theory runs at its declared parameters, none fitted on these cases).
Encompassing tests (a rival's key variable added to Cohen's likelihood) need
Cohen's model to give a log-probability; until it does they are listed as not
run, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pactlab import theories
from pactlab.designs import DESIGNS
from pactlab.evidence.cases import READINGS, record_level
from pactlab.errors import PactlabError
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.schema import Scenario
from pactlab.theories.base import Outcome, OutcomeTreaty, TheoryError

LABELS = {"hub-and-spoke": "mixed", "clients-only": "none"}
BOOTSTRAP = 2000
SEED = 0
#: the rival key variables an encompassing test would add to Cohen's likelihood
ENCOMPASSING_KEYS = {
    "geography": "land route from the adversary side",
    "cha": "provocation (PROV1)",
    "identity": "client affinity (same region, commitments in force, D1 disputes)",
    "prospect": "domain of losses (TREND1)",
    "network": "client-client commitments in force",
    "landscape": "two-bloc alignment energy",
}


class CompareError(PactlabError):
    """The comparison cannot run as asked (unknown theory, bad parameter file)."""


@dataclass
class CaseRow:
    theory: str
    scenario: str
    record_design: str
    predicted_design: str
    design_ok: bool
    treaties_ok: bool
    exact_paper: bool
    exact_atop: bool
    p_record_design: float
    brier: float
    log_score: float | None  # the paper's reading
    log_score_atop: float | None
    method: str
    predicted: str
    record: str
    note: str = ""


@dataclass
class Comparison:
    cases: list[str]
    theories: list[str]
    rows: list[CaseRow]
    summary: list[dict[str, Any]]
    vuong: list[dict[str, Any]]
    encompassing: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases, "theories": self.theories,
            "summary": self.summary, "vuong": self.vuong, "encompassing": self.encompassing,
            "rows": [r.__dict__ for r in self.rows], "notes": self.notes,
        }


def historical_cases() -> list[Scenario]:
    out = []
    for e in catalog():
        s = get(e.id)
        if s.kind == "historical" and s.record is not None:
            out.append(s)
    return out


def record_outcome(s: Scenario, reading: str) -> Outcome:
    """The record's new treaties as an outcome, each level under ``reading``
    (``paper`` or ``atop``; :func:`pactlab.evidence.cases.record_level`)."""
    patron = s.patron.id if s.patron else None
    clients = {a.id for a in s.clients}
    out = []
    for t in s.record.treaties:
        cl = frozenset(m for m in t.members if m in clients)
        if cl:
            out.append(OutcomeTreaty(cl, patron in t.members, record_level(t.id, t.level.value, reading)))
    return Outcome(frozenset(out))


def _treaty_key(o: Outcome, levels: bool):
    return frozenset((t.clients, t.with_patron) + ((t.level,) if levels else ()) for t in o.treaties)


def _brier(probs: Mapping[str, float], design: str) -> float:
    return sum((probs[d] - float(d == design)) ** 2 for d in DESIGNS)


def bootstrap_mean(xs: Sequence[float], n: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float, float]:
    """(mean, 2.5th, 97.5th percentile of resampled means)."""
    a = np.asarray(xs, dtype=float)
    if a.size == 0:
        return (math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, a.size, size=(n, a.size))
    means = a[idx].mean(axis=1)
    return (float(a.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def vuong(lp_a: Sequence[float], lp_b: Sequence[float]) -> dict[str, float]:
    """Vuong's (1989) test for non-nested models on per-case log-likelihoods:
    z = sqrt(n) * mean(m) / sd(m), m = lp_a - lp_b; two-sided normal p-value.
    Positive z favours the first model."""
    m = np.asarray(lp_a, dtype=float) - np.asarray(lp_b, dtype=float)
    n = m.size
    sd = float(m.std(ddof=1)) if n > 1 else 0.0
    if n < 2 or sd == 0.0:
        return {"n": n, "mean_difference": float(m.mean()) if n else math.nan, "z": math.nan, "p": math.nan}
    z = math.sqrt(n) * float(m.mean()) / sd
    p = math.erfc(abs(z) / math.sqrt(2.0))
    return {"n": n, "mean_difference": float(m.mean()), "z": z, "p": p}


def compare(names: Sequence[str] | None = None, params: Mapping[str, Mapping[str, Any]] | None = None,
            cases: Sequence[Scenario] | None = None) -> Comparison:
    registered = theories.names()
    names = list(names or registered)
    unknown = [n for n in names if n not in registered]
    if unknown:
        raise CompareError(f"unknown theory {', '.join(unknown)}; registered: {', '.join(registered)}")
    params = dict(params or {})
    bad = [n for n in params if n not in registered]
    if bad:
        raise CompareError(f"parameters given for unknown theory {', '.join(bad)}; registered: {', '.join(registered)}")
    cases = list(cases if cases is not None else historical_cases())
    ths = {n: theories.get(n) for n in names}
    for n, th in ths.items():
        th.params(params.get(n))  # validate before any run: a ParameterError names the parameter
    rows: list[CaseRow] = []
    notes: list[str] = []
    for n, th in ths.items():
        if not th.supports_log_prob:
            notes.append(f"{n}: no probability model yet, so no log score, Vuong test or encompassing test; "
                         "design and treaties are scored on its modal prediction")
        for s in cases:
            recs = {rd: record_outcome(s, rd) for rd in READINGS}
            rec = recs["paper"]
            pred = th.predict(s, params.get(n))
            rdesign = rec.design
            lps: dict[str, float | None] = {rd: None for rd in READINGS}
            note = pred.note
            if th.supports_log_prob:
                for rd in READINGS:
                    try:
                        lps[rd] = th.log_prob(s, recs[rd], params.get(n))
                    except TheoryError as exc:
                        lps[rd] = -math.inf
                        note = f"the record is outside the theory's outcomes: {exc}"
            patron = s.patron.id if s.patron else None
            rows.append(CaseRow(
                theory=n, scenario=s.id, record_design=s.record.design,
                predicted_design=LABELS.get(pred.design, pred.design),
                design_ok=LABELS.get(pred.design, pred.design) == s.record.design,
                treaties_ok=_treaty_key(pred.modal, False) == _treaty_key(rec, False),
                exact_paper=_treaty_key(pred.modal, True) == _treaty_key(recs["paper"], True),
                exact_atop=_treaty_key(pred.modal, True) == _treaty_key(recs["atop"], True),
                p_record_design=float(pred.design_probabilities[rdesign]),
                brier=_brier(pred.design_probabilities, rdesign), log_score=lps["paper"],
                log_score_atop=lps["atop"], method=pred.method,
                predicted=pred.modal.text(patron), record=rec.text(patron), note=note,
            ))
    summary = []
    for n in names:
        rs = [r for r in rows if r.theory == n]
        b = bootstrap_mean([r.brier for r in rs])
        entry: dict[str, Any] = {
            "theory": n, "cases": len(rs), "free_parameters": sum(s.free for s in ths[n].specs),
            "design_hits": sum(r.design_ok for r in rs), "treaty_hits": sum(r.treaties_ok for r in rs),
            "exact_paper": sum(r.exact_paper for r in rs), "exact_atop": sum(r.exact_atop for r in rs),
            "brier": b[0], "brier_ci": [b[1], b[2]],
        }
        for key, attr in (("log_score", "log_score"), ("log_score_atop", "log_score_atop")):
            if ths[n].supports_log_prob:
                lps = [getattr(r, attr) for r in rs]
                if all(math.isfinite(x) for x in lps):
                    m = bootstrap_mean(lps)
                    entry.update({key: m[0], key + "_ci": [m[1], m[2]]})
                else:
                    entry.update({key: -math.inf, key + "_ci": None,
                                  key + "_note": "the record is outside the theory's outcomes in at least one case"})
            else:
                entry.update({key: None, key + "_ci": None, key + "_note": "no probability model"})
        summary.append(entry)
    scored = [n for n in names if ths[n].supports_log_prob]
    vu = []
    for i, a in enumerate(scored):
        for b_ in scored[i + 1:]:
            la = [r.log_score for r in rows if r.theory == a]
            lb = [r.log_score for r in rows if r.theory == b_]
            if all(math.isfinite(x) for x in la + lb):
                vu.append({"a": a, "b": b_, **vuong(la, lb)})
    if "cohen" in ths and ths["cohen"].supports_log_prob:
        enc = {"status": "not run",
               "reason": "Cohen's model now gives a log-probability, but no rival key variable can be added to its "
                         "likelihood yet: that needs a parameterised extension of the model",
               "keys": {k: v for k, v in ENCOMPASSING_KEYS.items() if k in ths}}
    else:
        enc = {"status": "not run",
               "reason": "Cohen's model gives no log-probability yet, so no variable can be added to its likelihood",
               "keys": {k: v for k, v in ENCOMPASSING_KEYS.items() if k in ths}}
    return Comparison([s.id for s in cases], names, rows, summary, vu, enc, notes)


# ----------------------------------------------------------------------------- output

def _f(x: Any, d: int = 2) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        if math.isnan(x):
            return "—"
        if math.isinf(x):
            return "-inf" if x < 0 else "inf"
        return f"{x:.{d}f}"
    return str(x)


def _ci(c) -> str:
    return "—" if not c else f"[{c[0]:.2f}, {c[1]:.2f}]"


def summary_table(cmp: Comparison) -> tuple[list[str], list[list[str]]]:
    head = ["theory", "free params", "design", "treaties", "exact (paper)", "exact (ATOP)", "Brier (95% CI)",
            "log score, paper (95% CI)", "log score, ATOP (95% CI)"]
    n = len(cmp.cases)
    body = []
    for e in cmp.summary:
        ls = ["—" if e[k] is None else f"{_f(e[k])} {_ci(e[k + '_ci'])}" for k in ("log_score", "log_score_atop")]
        body.append([e["theory"], str(e["free_parameters"]), f"{e['design_hits']}/{n}", f"{e['treaty_hits']}/{n}",
                     f"{e['exact_paper']}/{n}", f"{e['exact_atop']}/{n}", f"{_f(e['brier'])} {_ci(e['brier_ci'])}",
                     *ls])
    return head, body


def render_html(cmp: Comparison) -> str:
    from html import escape

    from pactlab import __version__

    def table(head, body):
        hs = "".join(f"<th>{escape(h)}</th>" for h in head)
        rs = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body)
        return f"<table><thead><tr>{hs}</tr></thead><tbody>{rs}</tbody></table>"

    head, body = summary_table(cmp)
    cases_head = ["case", "record"] + cmp.theories
    cases_body = []
    for s in cmp.cases:
        rs = {r.theory: r for r in cmp.rows if r.scenario == s}
        first = next(iter(rs.values()))
        cases_body.append([s, first.record] + [
            f"{r.predicted_design}{' ✓' if r.design_ok else ''} | P={r.p_record_design:.2f}"
            + ("" if r.log_score is None else f" | log {_f(r.log_score)}") for r in (rs[t] for t in cmp.theories)])
    vu = [[v["a"], v["b"], _f(v["mean_difference"]), _f(v["z"]), _f(v["p"], 3)] for v in cmp.vuong]
    notes = "".join(f"<li>{escape(x)}</li>" for x in cmp.notes + [f"Encompassing tests: {cmp.encompassing['reason']}."])
    css = ("body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}"
           "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;"
           "font-size:.9rem;text-align:left}th{background:#f3f3f3}")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>pactlab compare</title>"
        f"<style>{css}</style></head><body>\n<h1>Theories of alliance design on the case table</h1>\n"
        f"<p>{len(cmp.cases)} historical cases; every theory at its declared parameters. Design and treaties are "
        "scored on the modal prediction; the Brier score on the design probabilities; the log score is the "
        "log-probability of the record's exact treaties (higher is better). Intervals: 95% bootstrap over cases.</p>\n"
        + table(head, body) + "\n<h2>Case by case</h2>\n<p>Predicted design (✓ = the record's), the probability of "
        "the record's design, and the log score.</p>\n" + table(cases_head, cases_body)
        + "\n<h2>Vuong tests</h2>\n<p>z &gt; 0 favours the first theory.</p>\n"
        + table(["first", "second", "mean log-ratio", "z", "p"], vu)
        + f"\n<h2>Notes</h2><ul>{notes}</ul>\n<p>pactlab {escape(__version__)}</p>\n</body></html>\n"
    )
