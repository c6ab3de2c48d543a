"""The landscape system file, the propensity rule LS36 and the placement score.

A system file lists actors (each with a sourced ``size`` and, optionally, the
``side`` it actually took) and every pair of actors with a sourced
``propensity``. A file built by :mod:`pactlab.landscape.build` also carries,
per pair, the ``evidence`` the propensity was coded from and names its
``rule``; the loader then recomputes every propensity from the evidence and
refuses the file if a stored value differs.

Rule LS36 (``docs/theories/landscape.md``) is p = A + W + R:

* A: +1 if the two were members, at some time in the year, of an ATOP
  alliance in which at least one of them had a defence, offence or
  consultation obligation;
* W: -1 if they fought on opposite sides of a COW inter-state war in the 25
  years before the year, else +1 if on the same side of one, else 0;
* R: -1 if they were Thompson–Dreyer strategic rivals in the year.

:class:`Coding` holds the rule's pre-set alternatives (alliance timing and
types, war window, rivalry types, contiguity, sizes, the judgement-coded
sides); :func:`sensitivity` reports the placement score under each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pactlab.errors import PactlabError

SIDES = ("allied", "axis")


class SystemError_(PactlabError):
    """A landscape system file that cannot be used (missing, malformed, inconsistent)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    cite: str
    url: str | None = None


class Size(_Strict):
    value: float = Field(gt=0)
    source: str
    note: str | None = None


class Side(_Strict):
    value: Literal["allied", "axis"]
    source: str
    judgement: bool = False
    group: str | None = None
    alternatives: list[Literal["allied", "axis", "excluded"]] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _judged(self) -> Side:
        if self.judgement and not self.group:
            raise ValueError("a side coded by judgement needs 'group' (the name of its coding alternative)")
        return self


class Actor(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    ccode: int | None = None
    size: Size
    size_by_year: dict[int, float] | None = None
    side: Side | None = None


class AllianceEv(_Strict):
    atop: int
    phase: int = 0
    a_from: dt.date
    a_to: dt.date | None
    b_from: dt.date
    b_to: dt.date | None
    a_obligations: list[str]
    b_obligations: list[str]
    source: str


class WarEv(_Strict):
    war: int
    same_side: bool
    a_years: tuple[int, int]
    b_years: tuple[int, int]
    source: str


class RivalryEv(_Strict):
    td: int
    name: str
    from_: int = Field(alias="from")
    to: int
    types: list[str]
    source: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ContiguityEv(_Strict):
    kind: Literal["land", "sea", "remote"] | None
    conttype: int | None
    source: str


class Evidence(_Strict):
    alliances: list[AllianceEv] = Field(default_factory=list)
    wars: list[WarEv] = Field(default_factory=list)
    rivalries: list[RivalryEv] = Field(default_factory=list)
    contiguity: ContiguityEv | None = None


class Propensity(_Strict):
    value: float
    source: str
    note: str | None = None


class Pair(_Strict):
    a: str
    b: str
    propensity: Propensity
    evidence: Evidence | None = None


class Published(_Strict):
    """A published placement score of the same system, for comparison (never read by the engine)."""

    correct: int = Field(ge=0)
    scored: int = Field(gt=0)
    misplaced: list[str] = Field(default_factory=list)
    source: str
    note: str | None = None


class SystemFile(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    year: int
    description: str = ""
    rule: str | None = None
    size_measure: str
    # The actor whose bloc is predicted to be on its actual side when a configuration is scored
    # (Germany for 1936: the bloc holding Germany is the predicted Axis).
    score_anchor: str | None = None
    published: Published | None = None
    sources: dict[str, Source]
    actors: list[Actor] = Field(min_length=2)
    pairs: list[Pair]

    @model_validator(mode="after")
    def _consistent(self) -> SystemFile:
        problems = []
        ids = [a.id for a in self.actors]
        if len(set(ids)) != len(ids):
            problems.append(f"actors: duplicate id(s) {sorted({i for i in ids if ids.count(i) > 1})}")
        known = set(ids)
        seen = set()
        for k, p in enumerate(self.pairs):
            for end in (p.a, p.b):
                if end not in known:
                    problems.append(f"pairs[{k}]: unknown actor '{end}'")
            if p.a == p.b:
                problems.append(f"pairs[{k}]: an actor cannot be paired with itself ('{p.a}')")
            key = frozenset((p.a, p.b))
            if key in seen:
                problems.append(f"pairs[{k}]: the pair {p.a}-{p.b} is listed twice")
            seen.add(key)
        for k, a in enumerate(self.actors):
            for where, src in ((f"actors[{k}] ({a.id}).size", a.size.source),
                               (f"actors[{k}] ({a.id}).side", a.side.source if a.side else None)):
                if src is not None and src not in self.sources:
                    problems.append(f"{where}: source '{src}' is not declared under 'sources'")
        for k, p in enumerate(self.pairs):
            src = p.propensity.source
            if src not in self.sources and not (self.rule and src.startswith(f"rule {self.rule}")):
                problems.append(f"pairs[{k}] ({p.a}-{p.b}).propensity: source '{src}' is not declared under 'sources'")
            for e in ([] if p.evidence is None else
                      [*p.evidence.alliances, *p.evidence.wars, *p.evidence.rivalries,
                       *([p.evidence.contiguity] if p.evidence.contiguity else [])]):
                if e.source not in self.sources:
                    problems.append(f"pairs[{k}] ({p.a}-{p.b}).evidence: source '{e.source}' is not declared")
        if self.score_anchor is not None:
            sa = next((a for a in self.actors if a.id == self.score_anchor), None)
            if sa is None:
                problems.append(f"score_anchor: unknown actor '{self.score_anchor}'")
            elif sa.side is None or sa.side.judgement:
                problems.append(f"score_anchor: '{self.score_anchor}' needs a side that is not a judgement")
        if self.published is not None:
            if self.published.source not in self.sources:
                problems.append(f"published: source '{self.published.source}' is not declared under 'sources'")
            bad = [a for a in self.published.misplaced if a not in known]
            if bad:
                problems.append(f"published.misplaced: unknown actor(s) {bad}")
        if self.rule is not None and self.rule not in RULES:
            problems.append(f"rule: unknown rule '{self.rule}' (known: {', '.join(RULES)})")
        if self.rule is not None:
            missing = [f"{p.a}-{p.b}" for p in self.pairs if p.evidence is None]
            if missing:
                problems.append(f"pairs: a file with rule {self.rule} needs 'evidence' for every pair "
                                f"(missing for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''})")
        if not problems and len(seen) != len(ids) * (len(ids) - 1) // 2:
            have = seen
            absent = [f"{a}-{b}" for i, a in enumerate(ids) for b in ids[i + 1:] if frozenset((a, b)) not in have]
            problems.append(f"pairs: every pair of actors needs a propensity (a pair with none is 0 and must say "
                            f"so with its source); missing: {', '.join(absent[:6])}{' ...' if len(absent) > 6 else ''}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# ---------------------------------------------------------------------------------------------- the rule

@dataclass(frozen=True)
class Coding:
    """One coding of the propensities, sizes and actual sides: LS36 and its pre-set alternatives."""

    alliance_timing: Literal["year", "jan1", "dec31"] = "year"
    alliance_types: Literal["dco", "defence", "all"] = "dco"
    war_window: int | None = 25  # years before the analysis year; None = every war since 1816
    war_same_side: bool = True
    rivalry: Literal["all", "spatial", "none"] = "all"
    contiguity: Literal["none", "minus", "double"] = "none"
    size: Literal["year", "year-1", "year+1", "equal"] = "year"
    sides: tuple[tuple[str, str], ...] = ()  # (judgement group, alternative value)

    def side_for(self, group: str | None) -> str | None:
        return dict(self.sides).get(group) if group else None


PRIMARY = Coding()

_TYPES = {"dco": {"defense", "offense", "consul"}, "defence": {"defense"},
          "all": {"defense", "offense", "consul", "neutral", "nonagg"}}


def _overlaps(ev: AllianceEv, year: int, timing: str) -> bool:
    far = dt.date(9999, 12, 31)
    start = max(ev.a_from, ev.b_from)
    end = min(ev.a_to or far, ev.b_to or far)
    if start > end:
        return False
    if timing == "jan1":
        day = dt.date(year, 1, 1)
        return start <= day <= end
    if timing == "dec31":
        day = dt.date(year, 12, 31)
        return start <= day <= end
    return start <= dt.date(year, 12, 31) and end >= dt.date(year, 1, 1)


class _LS36:
    name = "LS36"

    def terms(self, ev: Evidence, year: int, coding: Coding = PRIMARY) -> dict[str, float]:
        types = _TYPES[coding.alliance_types]
        a = float(any(_overlaps(e, year, coding.alliance_timing) and (set(e.a_obligations) | set(e.b_obligations)) & types
                      for e in ev.alliances))
        lo = -10**9 if coding.war_window is None else year - coding.war_window
        in_window = [e for e in ev.wars
                     if e.a_years[1] >= lo and e.a_years[0] < year and e.b_years[1] >= lo and e.b_years[0] < year]
        if any(not e.same_side for e in in_window):
            w = -1.0
        elif coding.war_same_side and any(e.same_side for e in in_window):
            w = 1.0
        else:
            w = 0.0
        if coding.rivalry == "none":
            r = 0.0
        else:
            r = -float(any(e.from_ <= year <= e.to and (coding.rivalry == "all" or "spatial" in e.types)
                           for e in ev.rivalries))
        out = {"alliance": a, "war": w, "rivalry": r}
        land = ev.contiguity is not None and ev.contiguity.kind == "land"
        if coding.contiguity == "minus":
            out["contiguity"] = -float(land)
        return out

    def propensity(self, ev: Evidence, year: int, coding: Coding = PRIMARY) -> float:
        p = float(sum(self.terms(ev, year, coding).values()))
        if coding.contiguity == "double" and ev.contiguity is not None and ev.contiguity.kind == "land":
            p *= 2.0
        return p + 0.0  # no negative zero in output


LS36 = _LS36()
RULES = {"LS36": LS36}


# ---------------------------------------------------------------------------------------------- the system

@dataclass(frozen=True)
class System:
    """A loaded landscape system: the file plus ready arrays (actor order as in the file)."""

    file: SystemFile
    path: str

    @property
    def id(self) -> str:
        return self.file.id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.file.actors)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.file.actors)

    @property
    def score_anchor(self) -> str:
        """The actor whose bloc is predicted to be on its actual side (first actor with a side by default)."""
        if self.file.score_anchor:
            return self.file.score_anchor
        for a in self.file.actors:
            if a.side is not None and not a.side.judgement:
                return a.id
        raise SystemError_(f"{self.path}: no actor has an actual side, so there is nothing to score")

    def sizes(self, coding: Coding = PRIMARY) -> np.ndarray:
        y = self.file.year
        out = []
        for a in self.file.actors:
            if coding.size == "equal":
                out.append(1.0)
            elif coding.size == "year":
                out.append(a.size.value)
            else:
                yy = y - 1 if coding.size == "year-1" else y + 1
                if not a.size_by_year or yy not in a.size_by_year:
                    raise SystemError_(f"{self.path}: actor {a.id} has no size for {yy} (size_by_year)")
                out.append(float(a.size_by_year[yy]))
        return np.asarray(out, dtype=float)

    def propensities(self, coding: Coding = PRIMARY) -> np.ndarray:
        idx = {a: k for k, a in enumerate(self.ids)}
        n = len(idx)
        p = np.zeros((n, n))
        rule = RULES.get(self.file.rule) if self.file.rule else None
        for pr in self.file.pairs:
            i, j = idx[pr.a], idx[pr.b]
            if coding != PRIMARY and rule is None:
                raise SystemError_(f"{self.path}: the coding alternatives need a rule and per-pair evidence; "
                                   f"this file gives propensities only")
            v = pr.propensity.value if coding == PRIMARY or rule is None else rule.propensity(
                pr.evidence, self.file.year, coding)
            p[i, j] = p[j, i] = v
        return p

    def sides(self, coding: Coding = PRIMARY) -> dict[str, str]:
        """Actual side of each actor under ``coding`` ('allied' / 'axis'); excluded or unknown actors are left out."""
        out = {}
        for a in self.file.actors:
            if a.side is None:
                continue
            v = coding.side_for(a.side.group) if a.side.judgement else None
            v = v or a.side.value
            if v != "excluded":
                out[a.id] = v
        return out

    def judgement_groups(self) -> dict[str, list[str]]:
        """Judgement group -> its alternatives (from the file)."""
        out: dict[str, list[str]] = {}
        for a in self.file.actors:
            if a.side is not None and a.side.judgement:
                alts = out.setdefault(a.side.group, [])
                for v in a.side.alternatives:
                    if v not in alts:
                        alts.append(v)
        return out

    def landscape_system(self, coding: Coding = PRIMARY):
        from pactlab.theories.landscape import LandscapeSystem

        return LandscapeSystem(self.ids, self.sizes(coding), self.propensities(coding))


def builtin_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "scenarios" / "landscape"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def _format_errors(e: ValidationError) -> str:
    lines = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"])
        lines.append(f"  {loc or '(file)'}: {err['msg']}")
    return "\n".join(lines)


def load(name_or_path: str | Path) -> System:
    """A built-in system by name (``europe-1936``) or a system file by path."""
    import yaml

    p = Path(name_or_path)
    if not p.suffix and not p.exists():
        cand = builtin_dir() / f"{name_or_path}.yaml"
        if not cand.exists():
            raise SystemError_(f"unknown landscape system {str(name_or_path)!r}: not a file, and the built-in "
                               f"systems are {', '.join(builtin_names()) or '(none)'}")
        p = cand
    if not p.is_file():
        raise SystemError_(f"landscape system file {p} does not exist")
    try:
        # the C loader when PyYAML has it: a built system file has thousands of nodes
        raw = yaml.load(p.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        raise SystemError_(f"{p}: not valid YAML ({e})") from None
    if not isinstance(raw, dict):
        raise SystemError_(f"{p}: expected a mapping with id, title, year, size_measure, sources, actors, pairs")
    try:
        f = SystemFile.model_validate(raw)
    except ValidationError as e:
        raise SystemError_(f"{p}: invalid landscape system file:\n{_format_errors(e)}") from None
    s = System(f, str(p))
    if f.rule is not None:
        rule = RULES[f.rule]
        bad = []
        for pr in f.pairs:
            v = rule.propensity(pr.evidence, f.year)
            if v != pr.propensity.value:
                bad.append(f"{pr.a}-{pr.b}: stored {pr.propensity.value:g}, rule {f.rule} gives {v:g}")
        if bad:
            raise SystemError_(f"{p}: propensities disagree with their evidence under rule {f.rule} "
                               f"(edited by hand?): " + "; ".join(bad[:5]) + (" ..." if len(bad) > 5 else ""))
    return s


# ---------------------------------------------------------------------------------------------- scoring

@dataclass(frozen=True)
class Placement:
    """How a two-bloc configuration places the actors against their actual sides."""

    correct: int
    scored: int
    misplaced: tuple[str, ...]
    predicted: Mapping[str, str]  # actor -> 'allied' / 'axis' as predicted

    @property
    def text(self) -> str:
        return f"{self.correct} of {self.scored}"


def placement(ids: Iterable[str], blocs: tuple[Iterable[str], Iterable[str]], actual: Mapping[str, str],
              anchor: str) -> Placement:
    """Score ``blocs`` against ``actual``: the bloc holding ``anchor`` is predicted to be on ``anchor``'s side."""
    ids = list(ids)
    b0 = set(blocs[0])
    own = actual[anchor]
    other = SIDES[1 - SIDES.index(own)]
    mine = b0 if anchor in b0 else set(ids) - b0
    pred = {a: (own if a in mine else other) for a in ids}
    scored = [a for a in ids if a in actual]
    wrong = tuple(a for a in scored if pred[a] != actual[a])
    return Placement(len(scored) - len(wrong), len(scored), wrong, pred)


VARIANTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("alliance-jan1", "alliances in force on 1 January", {"alliance_timing": "jan1"}),
    ("alliance-dec31", "alliances in force on 31 December", {"alliance_timing": "dec31"}),
    ("alliance-defence", "defence pacts only", {"alliance_types": "defence"}),
    ("alliance-all", "every ATOP obligation (neutrality, non-aggression too)", {"alliance_types": "all"}),
    ("war-10", "war window 10 years", {"war_window": 10}),
    ("war-all", "every COW war since 1816", {"war_window": None}),
    ("war-enmity", "wars: enmity only (no +1 for the same side)", {"war_same_side": False}),
    ("rivalry-spatial", "spatial rivalries only", {"rivalry": "spatial"}),
    ("rivalry-none", "no rivalry term", {"rivalry": "none"}),
    ("contiguity-minus", "-1 for land neighbours", {"contiguity": "minus"}),
    ("contiguity-double", "land neighbours' propensity doubled", {"contiguity": "double"}),
    ("size-before", "sizes: CINC of the year before", {"size": "year-1"}),
    ("size-after", "sizes: CINC of the year after", {"size": "year+1"}),
    ("size-equal", "equal sizes", {"size": "equal"}),
)


def codings(system: System) -> list[tuple[str, str, Coding]]:
    """The primary coding, then every pre-set alternative that applies to ``system``, one at a time."""
    out = [("primary", f"rule {system.file.rule or '(file propensities)'} as stated", PRIMARY)]
    for group, alts in system.judgement_groups().items():
        for v in alts:
            out.append((f"side-{group}-{v}", f"{group}: {'left out' if v == 'excluded' else v}",
                        replace(PRIMARY, sides=((group, v),))))
    if system.file.rule is not None:
        has_years = all(a.size_by_year for a in system.file.actors)
        for key, label, kw in VARIANTS:
            if kw.get("size") in ("year-1", "year+1") and not has_years:
                continue
            out.append((key, label, replace(PRIMARY, **kw)))
    return out


@dataclass(frozen=True)
class Score:
    """The placement score of a landscape's global minimum (or of several tied global minima).

    A state is *undetermined* when tied global minima put it on different sides (for instance a
    state with no propensity to any other); it is then neither right nor wrong."""

    correct: int
    scored: int
    misplaced: tuple[str, ...]
    undetermined: tuple[str, ...]
    n_minima: int
    n_global: int

    @property
    def text(self) -> str:
        t = f"{self.correct} of {self.scored}"
        if self.undetermined:
            t += f" ({len(self.undetermined)} undetermined)"
        return t

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "scored": self.scored, "misplaced": list(self.misplaced),
                "undetermined": list(self.undetermined), "minima": self.n_minima, "global_minima": self.n_global}


def score(system: System, land, coding: Coding = PRIMARY) -> Score:
    """Score the global minima of ``land`` (a :class:`~pactlab.theories.landscape.Landscape`) against
    the actual sides under ``coding``."""
    actual = system.sides(coding)
    anchor = system.score_anchor
    glob = [m for m in land.minima if m.is_global]
    res = [placement(system.ids, m.blocs, actual, anchor) for m in glob]
    scored = [a for a in system.ids if a in actual]
    wrong_all = [a for a in scored if all(a in r.misplaced for r in res)]
    right_all = [a for a in scored if all(a not in r.misplaced for r in res)]
    und = [a for a in scored if len({r.predicted[a] for r in res}) > 1]
    return Score(len(right_all), len(scored), tuple(wrong_all), tuple(und), len(land.minima), len(glob))


def sensitivity(system: System, basins: str = "steepest") -> list[dict[str, Any]]:
    """The placement score under the primary coding and each pre-set alternative, one at a time."""
    from pactlab.theories.landscape import enumerate_landscape

    rows = []
    for key, label, coding in codings(system):
        land = enumerate_landscape(system.landscape_system(coding), anchor=system.score_anchor, basins=basins)
        sc = score(system, land, coding)
        g = land.global_minimum
        rows.append({"coding": key, "label": label, **sc.as_dict(), "text": sc.text,
                     "global_basin_share": sum(m.share for m in land.minima if m.is_global),
                     "global_energy": g.energy})
    return rows
