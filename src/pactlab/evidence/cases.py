"""The case table: the model's predictions for the built-in cases against the
historical record, with the one default parameter set.

Scoring rules (also in ``docs/cases.md``):

* **design** -- the predicted architecture's label against the record's:
  ``multilateral`` (a patron treaty with three or more clients), ``bilateral``
  (patron treaties, all bilateral), ``trilateral``, ``hub-and-spoke`` (bilateral
  and trilateral patron treaties), ``clients-only`` (clients' pacts, no patron
  treaty), ``none`` (no new treaty): the vocabulary of :mod:`pactlab.designs`.
* **treaties** -- the set of new treaties, each as its set of members
  (outside co-guarantors such as the UK and France in SEATO are left out on
  both sides), must equal the record's.
* **commitment** -- the level of the predicted treaty that best overlaps the
  record's first-listed treaty (Jaccard on members) against the record's level,
  as coded in the scenario's ``record`` (the paper's reading where it differs
  from ATOP; the scenario note says which).
* **durability** -- the class (long/short) of that same treaty against the
  record's, where the record has one.

A case is *reproduced* when design, commitment and durability all match (a
criterion that is not scored does not count against it). This is the
*lenient* rule, kept as a secondary column.

**Headline: exact treaty sets** (:func:`exact_scores`). A case is exact when
the predicted new treaties equal the record's, each compared on its members
(outside co-guarantors left out) *and* its level. The level is scored under
two readings of "act to meet the common danger in accordance with its
constitutional processes", the clause of ANZUS, US-Philippines, US-ROK,
US-ROC and SEATO (:data:`CLAUSE_TREATIES`): the paper's (a consultation-level
pledge) and ATOP's (a defence pledge, ``defense=1``). US-Japan 1951 has no
such clause: its level is scored as the paper reads it (consult) and as ATOP
codes it (defence), and it is listed on its own line (:data:`OWN_LINE`). Every
other record treaty keeps its coded level under both readings.

The defaults were set after seeing these cases, so the table is in-sample.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.result import Result
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.schema import Role, Scenario

GOLDEN = Path(__file__).resolve().parents[3] / "tests" / "golden" / "cases.json"
#: the design vocabulary is pactlab.designs for predictions and records alike (no relabelling)
LABELS: dict[str, str] = {}

READINGS = ("paper", "atop")
#: record treaties whose pledge reads "act to meet the common danger in accordance
#: with its constitutional processes" -> level under each reading. The paper's
#: reading: consultation (Cohen, H5: "the US commitment to its Asian allies to
#: only consult"); ATOP v4.01 codes each defense=1 (atopid 3215, 3210, 3240, 3270, 3260).
CLAUSE_TREATIES: dict[str, dict[str, str]] = {
    "anzus": {"paper": "consult", "atop": "defend"},
    "us-philippines-mdt": {"paper": "consult", "atop": "defend"},
    "us-rok-mdt": {"paper": "consult", "atop": "defend"},
    "us-roc-mdt": {"paper": "consult", "atop": "defend"},
    "seato": {"paper": "consult", "atop": "defend"},
}
#: treaties without the clause that are scored on their own line: the 1951
#: US-Japan Security Treaty (the paper reads it as consultation-level; ATOP 3220
#: codes defense=1 although the treaty has no mutual defence article).
OWN_LINE: dict[str, dict[str, str]] = {
    "us-japan-security-1951": {"paper": "consult", "atop": "defend"},
}
#: ATOP v4.01 ``defense`` codes of the treaties above, checked against the data
#: by ``tests/test_cases_v2.py`` when the shared data are present.
ATOP_DEFENSE = {3215: 1, 3210: 1, 3240: 1, 3270: 1, 3260: 1, 3220: 1}


@dataclass(frozen=True)
class CaseScore:
    scenario: str
    title: str
    kind: str
    record_design: str | None
    predicted_design: str
    design_ok: bool | None
    treaties_ok: bool | None
    record_level: str | None
    predicted_level: str | None
    commitment_ok: bool | None
    record_durability: str | None
    predicted_durability: str | None
    durability_ok: bool | None
    reproduced: bool | None
    predicted_treaties: tuple[str, ...]
    record_treaties: tuple[str, ...]


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _new(r: Result) -> Result:
    """The result with only its new treaties: a pact in force that the design
    keeps (origin ``renewal``) is not a prediction of a new treaty."""
    import copy
    import dataclasses

    kept = tuple(t for t in r.treaties if getattr(t, "origin", None) != "renewal")
    if len(kept) == len(r.treaties):
        return r
    if dataclasses.is_dataclass(r):
        return dataclasses.replace(r, treaties=kept)
    out = copy.copy(r)
    out.treaties = kept
    return out


def score(s: Scenario, r: Result) -> CaseScore:
    r = _new(r)
    outside = {a.id for a in s.by_role(Role.outside)}
    pred_sets = [frozenset(t.members) - outside for t in r.treaties]
    pred_label = LABELS.get(r.design, r.design)
    pred_names = tuple(sorted("+".join(t.members) + f" ({t.level})" for t in r.treaties))
    rec = s.record
    if rec is None or s.kind != "historical":
        return CaseScore(
            s.id, s.title, s.kind, None, pred_label, None, None, None, None, None, None, None, None, None,
            pred_names, (),
        )
    rec_sets = [frozenset(t.members) - outside for t in rec.treaties]
    design_ok = pred_label == rec.design
    treaties_ok = set(pred_sets) == set(rec_sets)
    level_pred = dur_pred = None
    level_ok = dur_ok = None
    if rec.treaties:
        main = rec_sets[0]
        best = max(range(len(pred_sets)), key=lambda k: _jaccard(pred_sets[k], main), default=None)
        if best is not None and _jaccard(pred_sets[best], main) > 0:
            level_pred = r.treaties[best].level
            dur_pred = r.treaties[best].durability
        level_ok = level_pred == rec.treaties[0].level.value
        if rec.durability != "unknown":
            dur_ok = dur_pred == rec.durability
    reproduced = bool(design_ok and level_ok is not False and dur_ok is not False)
    return CaseScore(
        s.id, s.title, s.kind, rec.design, pred_label, design_ok, treaties_ok,
        rec.treaties[0].level.value if rec.treaties else None, level_pred, level_ok,
        rec.durability if rec.durability != "unknown" else None, dur_pred, dur_ok, reproduced,
        pred_names, tuple(sorted("+".join(t.members) + f" ({t.level.value})" for t in rec.treaties)),
    )


@dataclass(frozen=True)
class TreatyScore:
    """One record treaty against the prediction, under both readings."""

    scenario: str
    treaty: str
    members: str
    clause: str  # constitutional-processes | own-line | coded
    level_paper: str
    level_atop: str
    predicted_level: str | None  # level of the predicted treaty with exactly these members
    members_ok: bool
    exact_paper: bool
    exact_atop: bool


@dataclass(frozen=True)
class ExactScore:
    """A case's exact-treaty-set score under both readings."""

    scenario: str
    exact_paper: bool
    exact_atop: bool
    members_ok: bool  # the member sets agree, whatever the levels
    missing: tuple[str, ...]  # record treaties (as scored under the paper's reading) not predicted
    extra: tuple[str, ...]  # predicted treaties with no record counterpart
    treaties: tuple[TreatyScore, ...]


def record_level(treaty_id: str, coded: str, reading: str) -> str:
    """A record treaty's level under ``reading`` (``paper`` or ``atop``)."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}; expected one of {', '.join(READINGS)}")
    table = CLAUSE_TREATIES.get(treaty_id) or OWN_LINE.get(treaty_id)
    return table[reading] if table else coded


def _fmt(members, level: str) -> str:
    return "+".join(members) + f" ({level})"


def exact_score(s: Scenario, r: Result) -> ExactScore | None:
    """Exact treaty sets for one historical case; ``None`` for cases without a record."""
    rec = s.record
    if rec is None or s.kind != "historical":
        return None
    r = _new(r)
    outside = {a.id for a in s.by_role(Role.outside)}
    pred = {}
    for t in r.treaties:
        pred.setdefault(frozenset(t.members) - outside, set()).add(t.level)
    pred_pairs = {(m, lv) for m, lvs in pred.items() for lv in lvs}
    rows = []
    want = {rd: set() for rd in READINGS}
    for t in rec.treaties:
        mem = frozenset(t.members) - outside
        lv = {rd: record_level(t.id, t.level.value, rd) for rd in READINGS}
        for rd in READINGS:
            want[rd].add((mem, lv[rd]))
        got = pred.get(mem)
        clause = "constitutional-processes" if t.id in CLAUSE_TREATIES else ("own-line" if t.id in OWN_LINE else "coded")
        rows.append(TreatyScore(
            s.id, t.id, "+".join(m for m in t.members if m not in outside), clause, lv["paper"], lv["atop"],
            "/".join(sorted(got)) if got else None, got is not None,
            bool(got and lv["paper"] in got), bool(got and lv["atop"] in got),
        ))
    return ExactScore(
        s.id, pred_pairs == want["paper"], pred_pairs == want["atop"],
        set(pred) == {m for m, _ in want["paper"]},
        tuple(sorted(_fmt(sorted(m), lv) for m, lv in want["paper"] - pred_pairs if m not in pred)),
        tuple(sorted(_fmt(sorted(m), lv) for m, lv in pred_pairs if m not in {x for x, _ in want["paper"]})),
        tuple(rows),
    )


def exact_scores(rows) -> list[ExactScore]:
    return [e for e in (exact_score(s, r) for s, r, _ in rows) if e is not None]


def exact_scoreboard(rows) -> dict[str, tuple[int, int]]:
    """Cases with the exact treaty set, per reading: {reading: (exact, scored)}."""
    ex = exact_scores(rows)
    return {rd: (sum(getattr(e, f"exact_{rd}") for e in ex), len(ex)) for rd in READINGS}


def params_from_file(path) -> Parameters:
    """Cohen's model parameters from a file written by ``pactlab fit`` (theory ``cohen``, or
    ``cohen[precision]``: one tied logit precision for all five), for a case table at
    fitted values (out of sample when the fit's training window ends before the cases)."""
    from pactlab.evidence.fit import read_params

    body = read_params(path)
    return _cohen_parameters(path, body.get("theory"), body["parameters"])


def _cohen_parameters(path, name, values, where: str = "field 'parameters'") -> Parameters:
    """Cohen's parameter set from a fit file's values (a tied precision expanded to the five)."""
    from pactlab import theories
    from pactlab.errors import PactlabError
    from pactlab.evidence.fit import FitError
    from pactlab.model.params import PRECISIONS

    values = dict(values)
    if name == "cohen[precision]":
        if "precision" not in values:
            raise FitError(f"{path}: {where} has no 'precision' (the tied logit precision)")
        v = values.pop("precision")
        values.update({k: v for k in PRECISIONS})
    elif name != "cohen":
        raise FitError(f"{path}: field 'theory' is {name!r}; the case table scores Cohen's model "
                       "(a file fitted with --theory cohen, with or without --tie-precisions)")
    try:
        return theories.get("cohen").model_parameters(values)
    except (PactlabError, ValueError) as exc:
        raise FitError(f"{path}: {where}: {exc}") from None


def param_draws_from_file(path):
    """The bootstrap resamples of a ``pactlab fit --theory cohen --bootstrap B`` file as a
    :class:`pactlab.explore.runner.ParamDraws`: each resample's fitted values on top of the
    file's other parameters, one of Cohen's parameter sets per resample."""
    import math

    from pactlab.evidence.fit import FitError, read_params
    from pactlab.explore.runner import ParamDraws

    body = read_params(path)
    boot = body.get("bootstrap") or {}
    draws = boot.get("draws")
    if not isinstance(draws, dict) or not draws.get("values"):
        raise FitError(f"{path}: field 'bootstrap.draws' is missing: the file holds no bootstrap resamples "
                       "(fit with --bootstrap B to make them)")
    names = tuple(draws.get("names") or ())
    rows = draws["values"]
    if not names or not all(isinstance(r, list) and len(r) == len(names) for r in rows):
        raise FitError(f"{path}: field 'bootstrap.draws': expected 'names' and rows of {len(names)} values")
    vals = []
    for k, r in enumerate(rows):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in r):
            raise FitError(f"{path}: field 'bootstrap.draws.values[{k}]': expected finite numbers, got {r}")
        vals.append(tuple(float(v) for v in r))
    sets = tuple(_cohen_parameters(path, body.get("theory"), {**body["parameters"], **dict(zip(names, v))},
                                   where=f"field 'bootstrap.draws.values[{k}]'") for k, v in enumerate(vals))
    return ParamDraws(source=Path(path).name, names=names, values=tuple(vals), sets=sets)


def case_table(params: Parameters = DEFAULT) -> list[tuple[Scenario, Result, CaseScore]]:
    out = []
    for e in catalog():
        s = get(e.id)
        r = solve(s, params)
        out.append((s, r, score(s, r)))
    return out


def golden_payload(rows) -> dict:
    cases = {}
    for s, r, c in rows:
        cases[s.id] = {
            "design": r.design,
            "treaties": [
                {"members": list(t.members), "level": t.level, "origin": t.origin,
                 "expected_years": round(t.expected_years, 3), "durability": t.durability}
                for t in r.treaties
            ],
            "stable_structures": len(r.stable),
            "selected": next(([list(b) for b in st.blocks] + [[x] for x in st.lone] for st in r.stable if st.selected), None),
            "probed": [c_.id for c_ in r.clients if c_.probed],
            "threat_status_quo": {c_.id: round(c_.threat_status_quo, 6) for c_ in r.clients},
            "reproduced": c.reproduced,
            "scenario_hash": r.scenario_hash,
        }
        e = exact_score(s, r)
        if e is not None:
            cases[s.id]["exact"] = {"paper": e.exact_paper, "atop": e.exact_atop, "members": e.members_ok}
    return {"parameters": DEFAULT.digest(), "cases": cases}


def scoreboard(rows) -> tuple[int, int]:
    scored = [c for _, _, c in rows if c.reproduced is not None]
    return sum(c.reproduced for c in scored), len(scored)


def markdown_table(rows) -> str:
    def mark(x):
        return "—" if x is None else ("yes" if x else "**no**")

    ex = {e.scenario: e for e in exact_scores(rows)}
    board = exact_scoreboard(rows)
    lines = [
        f"**In-sample.** The default parameters (`{DEFAULT.digest()}`) were set after seeing these cases, "
        "so this table measures fit, not prediction.",
        "",
        "Headline: exact treaty sets (members and level of every new treaty), under the paper's reading of "
        "the constitutional-processes clause (consult) and ATOP's (defend). The lenient rule (design label, "
        "level and durability of the best-overlapping treaty) is the secondary column.",
        "",
        "| case | exact (paper) | exact (ATOP) | members | lenient: design | level | durability | reproduced |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s, _r, c in rows:
        e = ex.get(s.id)
        lines.append(
            f"| {s.id} ({s.kind}) | {mark(e and e.exact_paper)} | {mark(e and e.exact_atop)} | "
            f"{mark(e and e.members_ok)} | "
            f"{c.record_design or '—'} / {c.predicted_design}: {mark(c.design_ok)} | "
            f"{c.record_level or '—'} / {c.predicted_level or '—'}: {mark(c.commitment_ok)} | "
            f"{c.record_durability or '—'} / {c.predicted_durability or '—'}: {mark(c.durability_ok)} | "
            f"{mark(c.reproduced)} |"
        )
    lines.append("")
    lines.append(
        f"**Exact treaty sets: {board['paper'][0]} of {board['paper'][1]} (paper's reading), "
        f"{board['atop'][0]} of {board['atop'][1]} (ATOP's reading).**"
    )
    ok, n = scoreboard(rows)
    lines.append("")
    lines.append(f"Lenient rule (secondary): **Reproduced: {ok} of {n} historical cases** "
                 f"(parameters `{DEFAULT.digest()}`).")
    lines.append("")
    lines.append("Per record treaty (level = record under the paper's / ATOP's reading; predicted = the level of "
                 "the predicted treaty with exactly these members):")
    lines.append("")
    lines.append("| case | treaty | members | clause | level (paper / ATOP) | predicted | paper | ATOP |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for e in ex.values():
        for t in e.treaties:
            clause = {"constitutional-processes": "constitutional processes",
                      "own-line": "none (scored on its own)", "coded": "—"}[t.clause]
            lines.append(
                f"| {e.scenario} | {t.treaty} | {t.members} | {clause} | {t.level_paper} / {t.level_atop} | "
                f"{t.predicted_level or 'not predicted'} | {mark(t.exact_paper)} | {mark(t.exact_atop)} |"
            )
    lines.append("")
    lines.append("Predicted treaties, per case:")
    lines.append("")
    for s, _r, c in rows:
        lines.append(f"- `{s.id}`: predicted {', '.join(c.predicted_treaties) or 'no new treaty'}"
                     + (f"; record {', '.join(c.record_treaties)}" if c.record_treaties else ""))
    return "\n".join(lines)


def json_rows(rows) -> list[dict]:
    """One dict per case: the exact-set headline under both readings, then the lenient columns."""
    ex = {e.scenario: e for e in exact_scores(rows)}
    out = []
    for s, _r, c in rows:
        e = ex.get(s.id)
        d = {"scenario": s.id, "kind": s.kind, "in_sample": True,
             "exact_paper": e.exact_paper if e else None, "exact_atop": e.exact_atop if e else None,
             "members_ok": e.members_ok if e else None}
        d.update({f"lenient_{k}" if k not in ("scenario", "title", "kind") else k: v
                  for k, v in asdict(c).items() if k not in ("scenario", "kind")})
        d["treaty_scores"] = [asdict(t) for t in e.treaties] if e else []
        out.append(d)
    return out


BEGIN, END = "<!-- BEGIN CASE TABLE (generated: pactlab cases --regenerate) -->", "<!-- END CASE TABLE -->"


def regenerate(golden: Path = GOLDEN, doc: Path | None = None) -> tuple[int, int]:
    rows = case_table()
    golden.parent.mkdir(parents=True, exist_ok=True)
    golden.write_text(json.dumps(golden_payload(rows), indent=2, sort_keys=True) + "\n")
    doc = doc or golden.parents[2] / "docs" / "cases.md"
    if doc.exists():
        text = doc.read_text()
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            doc.write_text(head + BEGIN + "\n" + markdown_table(rows) + "\n" + END + tail)
    return scoreboard(rows)


# --------------------------------------------------------------------------- the cases rebuilt from data
@dataclass(frozen=True)
class BuiltCase:
    """One historical case rebuilt from the COW/ATOP records (``pactlab build`` with the hand-coded
    file's patron, clients, adversary and year) and scored against the same record."""

    scenario: str
    built: Scenario | None
    result: Result | None
    note: str  # why the case could not be rebuilt, or what was left out of the record


def _codes(s: Scenario):
    by_role = {role: [a for a in s.actors if a.role is role] for role in Role}
    pat = by_role[Role.patron][0] if by_role[Role.patron] else None
    return pat, by_role[Role.client], s.adversary


def built_case_table(data, params: Parameters = DEFAULT) -> list[BuiltCase]:
    """Every historical built-in rebuilt from ``data`` (theatre of the year before the case's year;
    the builder's neutral fallbacks for what the data do not record) and solved at ``params``, with
    the hand-coded record mapped onto the built actors by COW code (outside co-guarantors dropped,
    as the scoring drops them)."""
    from pactlab.errors import PactlabError
    from pactlab.evidence.builder import build_theatre
    from pactlab.scenarios.loader import parse_scenario

    out = []
    for e in catalog():
        s = get(e.id)
        if s.kind != "historical" or s.record is None:
            continue
        pat, clients, adv = _codes(s)
        missing = [a.id for a in ([pat] if pat else []) + clients + [adv] if a.ccode is None]
        if missing:
            out.append(BuiltCase(s.id, None, None, f"no COW code for {', '.join(missing)}"))
            continue
        try:
            raw = build_theatre(data, pat.ccode if pat else None, s.year, [a.ccode for a in clients], adv.ccode,
                                scenario_id=f"built-{s.id}")
        except (PactlabError, ValueError) as exc:
            out.append(BuiltCase(s.id, None, None, f"not buildable from the data: {exc}"))
            continue
        by_code = {a["ccode"]: a["id"] for a in raw["actors"] if a.get("ccode") is not None}
        hand = {a.id: a for a in s.actors}
        outside = {a.id for a in s.by_role(Role.outside)}
        treaties, dropped = [], []
        rec = s.record.model_dump(mode="json", exclude_none=True)
        for t in rec.get("treaties", []):
            members = []
            for m in t["members"]:
                if m in outside:
                    continue
                code = hand[m].ccode
                if code not in by_code:
                    dropped.append(m)
                    continue
                members.append(by_code[code])
            if len(members) >= 2:
                treaties.append({**t, "members": members})
        if dropped:
            out.append(BuiltCase(s.id, None, None, f"record members not in the built theatre: {', '.join(dropped)}"))
            continue
        raw["record"] = {**rec, "treaties": treaties}
        raw["sources"] = {**{k: v.model_dump(exclude_none=True) for k, v in s.sources.items()}, **raw["sources"]}
        try:
            b = parse_scenario(raw, f"<{s.id} rebuilt from data>")
            b = b.model_copy(update={"kind": "historical"})
            r = solve(b, params)
        except (PactlabError, ValueError) as exc:
            out.append(BuiltCase(s.id, None, None, f"the built theatre does not solve: {exc}"))
            continue
        out.append(BuiltCase(s.id, b, r, ""))
    return out


def built_rows(hand_rows, built: list[BuiltCase]) -> list[dict]:
    """Side by side, per historical case: the hand-coded file's exact sets and design, the rebuilt
    theatre's (``None`` where it could not be rebuilt, with the reason)."""
    hand = {s.id: (s, r, c) for s, r, c in hand_rows}
    out = []
    for b in built:
        s, r, c = hand[b.scenario]
        e = exact_score(s, r)
        d = {"scenario": b.scenario, "record_design": c.record_design,
             "hand_design": c.predicted_design, "hand_exact_paper": e.exact_paper if e else None,
             "hand_exact_atop": e.exact_atop if e else None, "hand_reproduced": c.reproduced,
             "built_design": None, "built_exact_paper": None, "built_exact_atop": None, "built_reproduced": None,
             "built_treaties": None, "note": b.note}
        if b.built is not None:
            eb, cb = exact_score(b.built, b.result), score(b.built, b.result)
            d.update(built_design=cb.predicted_design, built_exact_paper=eb.exact_paper if eb else None,
                     built_exact_atop=eb.exact_atop if eb else None, built_reproduced=cb.reproduced,
                     built_treaties="; ".join(f"{'+'.join(t.members)} ({t.level})" for t in _new(b.result).treaties))
        out.append(d)
    return out
