"""Every registered theory on the case table, side by side.

For each built-in historical case with a record, each theory predicts; the
comparison reports, per theory:

* **design** -- the modal design against the record's (the case table's
  labels: the pactlab.designs vocabulary, unchanged);
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
Encompassing tests (a rival's key variable added to Cohen's likelihood) run on
the record's theatres, not on these cases: :mod:`pactlab.evidence.encompassing`
(``pactlab compare --data DIR``).
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
from pactlab.evidence.fit import has_probability_model
from pactlab.errors import PactlabError
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.schema import Scenario
from pactlab.theories.base import Outcome, OutcomeTreaty, TheoryError

LABELS: dict[str, str] = {}  # one vocabulary (pactlab.designs) for predictions and records
BOOTSTRAP = 2000
SEED = 0


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
    #: every theory on the record's theatres (:func:`theatre_scores`), with ``--data``
    record: dict[str, Any] = field(default_factory=lambda: dict(RECORD_NOT_RUN))
    #: its per-theatre rows (written by ``--scores``, not part of :meth:`as_dict`)
    theatres: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases, "theories": self.theories,
            "summary": self.summary, "vuong": self.vuong, "encompassing": self.encompassing,
            "record": self.record, "rows": [r.__dict__ for r in self.rows], "notes": self.notes,
        }


RECORD_NOT_RUN = {"status": "not run", "reason": "the record's theatres are built from the COW and ATOP files: "
                                                 "give --data, and finite logit precisions for Cohen's model in --params"}


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


def _resamples(size: int, n: int, seed: int) -> np.ndarray:
    """``n`` resamples (rows of indices into ``size`` items, drawn with replacement), seeded."""
    return np.random.default_rng(seed).integers(0, size, size=(n, size))


def bootstrap_mean(xs: Sequence[float], n: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float, float]:
    """(mean, 2.5th, 97.5th percentile of resampled means)."""
    a = np.asarray(xs, dtype=float)
    if a.size == 0:
        return (math.nan, math.nan, math.nan)
    means = a[_resamples(a.size, n, seed)].mean(axis=1)
    return (float(a.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5)))


def bootstrap_statistic(stat, size: int, n: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float, float]:
    """(stat over every item, 2.5th, 97.5th percentile of ``stat`` over resamples): ``stat`` takes
    an array of indices into the ``size`` items, so a figure that is not a mean of per-item values
    (a balanced accuracy) resamples the items as :func:`bootstrap_mean` does."""
    if size == 0:
        return (math.nan, math.nan, math.nan)
    vals = np.array([stat(ix) for ix in _resamples(size, n, seed)], dtype=float)
    return (float(stat(np.arange(size))), float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5)))


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
    # a probability model at the parameters given: Cohen's model has one at finite precisions
    prob = {n: has_probability_model(th, params.get(n)) for n, th in ths.items()}
    rows: list[CaseRow] = []
    notes: list[str] = []
    for n, th in ths.items():
        if not prob[n]:
            hint = (" (Cohen's model has one at finite logit precisions: give them with --params)"
                    if any(s.allow_inf for s in th.specs) else "")
            notes.append(f"{n}: no probability model at these parameters{hint}, so no log score or Vuong test; "
                         "design and treaties are scored on its modal prediction")
        for s in cases:
            recs = {rd: record_outcome(s, rd) for rd in READINGS}
            rec = recs["paper"]
            pred = th.predict(s, params.get(n))
            rdesign = rec.design
            lps: dict[str, float | None] = {rd: None for rd in READINGS}
            note = pred.note
            if prob[n]:
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
            if prob[n]:
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
    scored = [n for n in names if prob[n]]
    vu = []
    for i, a in enumerate(scored):
        for b_ in scored[i + 1:]:
            la = [r.log_score for r in rows if r.theory == a]
            lb = [r.log_score for r in rows if r.theory == b_]
            if all(math.isfinite(x) for x in la + lb):
                vu.append({"a": a, "b": b_, **vuong(la, lb)})
    enc = {"status": "not run",
           "reason": "they are fitted and scored on the record's theatres: give --data, and finite logit "
                     "precisions for Cohen's model in --params (pactlab.evidence.encompassing)",
           "keys": {n: th.key_term.variable for n, th in ths.items() if th.key_term is not None}}
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


def _record_html(cmp: Comparison, table) -> str:
    rec = cmp.record
    if rec.get("status") != "run":
        return ""
    head, body = record_table(rec)
    return (f"\n<h2>Every theory on the record's theatres</h2>\n<p>{rec['n_theatres']} theatres whose window ends "
            f"before {rec['to']} (those of the encompassing tests); {rec['n_train']} end before {rec['split']}, "
            f"{rec['n_test']} later. Balanced accuracy of the modal design against the record's; mean ARI of the "
            "modal grouping of clients against the record's (theatres with two or more clients); mean "
            "log-probability of the record's new treaties over the theatres every theory with a probability "
            "model scores. Intervals: 95% bootstrap over theatres.</p>\n" + table(head, body))


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
    enc = cmp.encompassing
    enc_html = ""
    if enc.get("status") == "run":
        enc_html = (
            f"\n<h2>Encompassing tests</h2>\n<p>Each rival's key variable added to Cohen's likelihood as one term on the "
            f"design; its parameter fitted on {enc['n_train']} theatres whose window ends before {enc['split']}, "
            f"scored on {enc['n_test']} later ones. Positive change: the variable improves Cohen's out-of-sample "
            "log score.</p>\n" + table(
                ["rival", "key variable", "theta", "LR (train)", "p", "change in test log score", "95% CI"],
                [[r["rival"], r["variable"], _f(r["theta"]), _f(r["lr"]), _f(r["p"], 3), _f(r["test_change"]),
                  _ci(r["test_change_ci"])] for r in enc["tests"]]))
        enc_note = []
    else:
        enc_note = [f"Encompassing tests: {enc['reason']}."]
    notes = "".join(f"<li>{escape(x)}</li>" for x in cmp.notes + enc_note)
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
        + table(["first", "second", "mean log-ratio", "z", "p"], vu) + enc_html + _record_html(cmp, table)
        + f"\n<h2>Notes</h2><ul>{notes}</ul>\n<p>pactlab {escape(__version__)}</p>\n</body></html>\n"
    )


# ----------------------------------------------------------------------------- the record's theatres

#: the columns of the per-theatre table (``pactlab compare --data DIR --scores FILE.csv``)
THEATRE_COLUMNS = ("theatre", "window", "part", "n_clients", "theory", "observed_design", "predicted_design",
                   "design_correct", "ari", "log_score", "log_score_status", "observed", "predicted")


def _modal(name: str, th, scenario, params, cohen_p) -> Outcome:
    if name == "cohen":
        # the exact solver's modal prediction at the given parameters, as Cohen's predict() gives it,
        # without building the outcome distribution a second time (the log-probability has it)
        from pactlab.model.solve import solve
        from pactlab.theories.cohen import outcome_of

        return outcome_of(solve(scenario, cohen_p))
    return th.predict(scenario, params).modal


def _ari(clients: Sequence[str], observed: Outcome, predicted: Outcome) -> float | None:
    """ARI of the predicted grouping against the observed one over a theatre's clients, groups as in
    ``pactlab backtest`` (each treaty's clients; an overlap goes to the larger group); ``None`` with
    fewer than two clients, where any grouping agrees."""
    from pactlab.evidence import metrics as M

    if len(clients) < 2:
        return None
    return M.adjusted_rand_index(M.partition_from_groups(clients, [t.clients for t in observed.treaties]),
                                 M.partition_from_groups(clients, [t.clients for t in predicted.treaties]))


def theatre_scores(built: Sequence[tuple[Any, Scenario]], split: int, params: Mapping[str, Mapping[str, Any]],
                   names: Sequence[str] | None = None,
                   log_probs: Mapping[str, Sequence[float]] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every theory in ``names`` (default: every registered one) on the record's theatres.

    ``built``: (case, scenario) pairs of :func:`pactlab.evidence.encompassing.build` (the theatres of
    the encompassing tests); a theatre whose window ends before ``split`` is in the ``train`` part,
    the rest in ``test``. Each theory predicts each theatre at its parameters (``params``; Cohen at the
    finite precisions the theatres were built with). Returns (the per-theatre rows, columns
    :data:`THEATRE_COLUMNS`; one summary per theory and part):

    * ``balanced_accuracy`` -- of the modal design against the record's over the part's theatres
      (mean recall over the designs the record has there: a constant prediction scores 1/k);
    * ``ari`` -- the mean over the part's theatres with two or more clients of the adjusted Rand
      index of the modal grouping against the record's;
    * ``log_score`` -- the mean log-probability of the record's new treaties over the theatres where
      every theory in ``names`` with a probability model gives it a finite one (``n_common``); a
      record outside a theory's outcomes is counted in ``impossible``.

    Each with a 95% percentile bootstrap interval over theatres (:func:`bootstrap_mean`,
    :func:`bootstrap_statistic`: 2,000 resamples, seed 0). A figure with no theatre to average is
    ``None``. The metrics are :mod:`pactlab.evidence.metrics`' (as ``pactlab backtest``'s)."""
    from pactlab.evidence import encompassing
    from pactlab.evidence import metrics as M

    registered = theories.names()
    names = list(names or registered)
    unknown = [n for n in names if n not in registered]
    if unknown:
        raise CompareError(f"unknown theory {', '.join(unknown)}; registered: {', '.join(registered)}")
    scored = encompassing.scored_theories(names)
    lp = dict(log_probs or {})
    if any(n not in lp for n in scored):
        lp = encompassing.log_probs(built, params, scored)
    cohen_p = theories.get("cohen").model_parameters(params.get("cohen")) if "cohen" in names else None
    common = [all(math.isfinite(lp[n][i]) for n in scored) for i in range(len(built))]
    rows: list[dict[str, Any]] = []
    for n in names:
        th = theories.get(n)
        for i, (c, sc) in enumerate(built):
            clients = [a.id for a in sc.clients]
            patron = sc.patron.id if sc.patron else None
            why = ""
            try:
                modal: Outcome | None = _modal(n, th, sc, params.get(n), cohen_p)
            except TheoryError as exc:
                modal, why = None, str(exc)
            x = lp[n][i] if n in lp else None
            rows.append({
                "theatre": c.id, "window": f"{c.start}-{c.end}" if c.start is not None else str(c.end),
                "part": "train" if c.end < split else "test", "n_clients": len(clients), "theory": n,
                "observed_design": c.observed.design, "predicted_design": modal.design if modal else "",
                "design_correct": bool(modal is not None and modal.design == c.observed.design),
                "ari": _ari(clients, c.observed, modal) if modal is not None else None,
                "log_score": x if x is not None and math.isfinite(x) else None,
                "log_score_status": ("no probability model" if x is None else "ok" if math.isfinite(x)
                                     else "impossible"),
                "observed": c.observed.text(patron), "predicted": modal.text(patron) if modal else f"no prediction: {why}",
                "_common": common[i],
            })
    summary: list[dict[str, Any]] = []
    for n in names:
        entry: dict[str, Any] = {"theory": n, "probability_model": n in scored}
        for part in ("train", "test"):
            rs = [r for r in rows if r["theory"] == n and r["part"] == part]
            yt = np.array([r["observed_design"] for r in rs], dtype=object)
            yp = np.array([r["predicted_design"] for r in rs], dtype=object)
            ba = bootstrap_statistic(lambda ix, yt=yt, yp=yp: M.balanced_accuracy(yt[ix], yp[ix]), len(rs))
            aris = [r["ari"] for r in rs if r["ari"] is not None]
            ar = bootstrap_mean(aris)
            ls = [r["log_score"] for r in rs if r["_common"]] if n in scored else []
            lsm = bootstrap_mean(ls)
            entry[part] = {
                "n": len(rs), "designs_right": sum(r["design_correct"] for r in rs),
                "designs_in_record": len(set(yt.tolist())),
                "no_prediction": sum(r["predicted_design"] == "" for r in rs),  # scored as wrong
                "balanced_accuracy": _num(ba[0]), "balanced_accuracy_ci": _interval(ba),
                "n_ari": len(aris), "ari": _num(ar[0]), "ari_ci": _interval(ar),
                "n_common": len(ls), "log_score": _num(lsm[0]), "log_score_ci": _interval(lsm),
                "impossible": sum(r["log_score_status"] == "impossible" for r in rs) if n in scored else None,
            }
        summary.append(entry)
    for r in rows:
        del r["_common"]
    return rows, summary


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _interval(b: tuple[float, float, float]) -> list[float] | None:
    return None if not (math.isfinite(b[1]) and math.isfinite(b[2])) else [float(b[1]), float(b[2])]


def theatre_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The per-theatre rows as CSV text (columns :data:`THEATRE_COLUMNS`; a missing figure is empty)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(THEATRE_COLUMNS), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r[k] is None else f"{r[k]:.6g}" if isinstance(r[k], float) else r[k])
                    for k in THEATRE_COLUMNS})
    return buf.getvalue()


def _g(x: float) -> str:
    """Two decimals, without a sign on a figure that rounds to zero."""
    return _f(0.0 if round(x, 2) == 0 else x)


def _gci(c) -> str:
    return "—" if not c else f"[{_g(c[0])}, {_g(c[1])}]"


def record_table(record: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The record section's summary as (header, rows): one row per theory and part."""
    split = record["split"]
    head = ["theory", "theatres", "designs right", "balanced accuracy (95% CI)", "ARI (95% CI)",
            "log score (95% CI)", "impossible"]
    body = []
    for part, label in (("train", f"before {split}"), ("test", f"from {split}")):
        for e in record["theories"]:
            x = e[part]
            ari = "—" if x["ari"] is None else f"{_g(x['ari'])} {_gci(x['ari_ci'])} (n={x['n_ari']})"
            ls = ("—" if x["log_score"] is None else
                  f"{_g(x['log_score'])} {_gci(x['log_score_ci'])} (n={x['n_common']})")
            right = f"{x['designs_right']}/{x['n']}" + (f" ({x['no_prediction']} not predicted)"
                                                        if x["no_prediction"] else "")
            body.append([e["theory"], f"{label}: {x['n']}", right,
                         "—" if x["balanced_accuracy"] is None else
                         f"{_g(x['balanced_accuracy'])} {_gci(x['balanced_accuracy_ci'])}",
                         ari, ls, "—" if x["impossible"] is None else f"{x['impossible']}/{x['n']}"])
    return head, body
