"""The architecture over time: a theatre solved period by period along a dated path of changes.

``pactlab explore path SCENARIO --events FILE --years N --draws K`` starts from a scenario in its
year and, for each year of the horizon:

1. applies the events dated that year (changes to the scenario's inputs, each citing a source of
   the events file), validated as a scenario file is;
2. solves the theatre with the treaties in force: the scenario's own and those the path has formed;
3. adds the treaties the prediction makes (new commitments, upgrades, accessions) to the treaties
   in force of the next year (an upgrade replaces the pact of the same members it supersedes); a
   pact in force that the design keeps stays (a renewal);
4. ends each treaty the path formed with its yearly durability hazard (``docs/model.md`` section 5):
   with probability ``1 - exp(-h)`` in the year, ``h`` the hazard the solver gives the treaty when
   it forms, or when the design keeps it, the hazard of that year.

The draws differ only in which treaties end when (each draw's random stream comes from
``numpy.random.SeedSequence(seed).spawn``), so solves repeat across draws and are cached by
(year, treaties in force). The treaties coded in the scenario itself carry on: the path ends only
what it formed. The result is one row per (draw, year): the architecture in force (the design
label of the treaties the path formed and still holds), what formed and what ended.

The events file (YAML)::

    sources:
      illustration: {cite: "An illustrative rising-threat path, not coded values"}
    events:
      - year: 2028
        source: illustration
        note: the adversary's navy reaches the second island chain
        set:
          actors.PRC.maritime_reach: 0.8   # a coded input, by the path of Scenario.with_changes
          actors.PRC.capability: 0.33

A value set on a sourced input cites the event's source (declared in the events file's
``sources``), so a result never passes an event's value off as a coded one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pactlab.errors import PactlabError, ScenarioError, validation_lines
from pactlab.scenarios.schema import Scenario

#: the source key the treaties the path forms cite, and its declaration
PATH_SOURCE = "explore-path"
PATH_CITE = "Formed by the model along the path (pactlab explore path); not a coded treaty."


class PathError(PactlabError):
    """An events file or a path that cannot be run."""


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cite: str = Field(min_length=1)
    url: str | None = None


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1815, le=2100)
    source: str = Field(min_length=1)
    note: str = ""
    set: dict[str, Any] = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str | None = None
    sources: dict[str, _Source] = Field(default_factory=dict)
    events: list[_Event] = Field(default_factory=list)


@dataclass(frozen=True)
class Event:
    year: int
    source: str
    note: str
    changes: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Events:
    """A validated events file: the dated changes and the sources they cite."""

    events: tuple[Event, ...]
    sources: Mapping[str, Mapping[str, Any]]

    def in_year(self, year: int) -> list[Event]:
        return [e for e in self.events if e.year == year]


NO_EVENTS = Events((), {})


def load_events(path: str | Path, s: Scenario, years: int) -> Events:
    """Read and check an events file against scenario ``s`` and the horizon: every source cited is
    declared, every event falls in the horizon, and the changes of each year, applied in order,
    give a valid scenario (errors name the file, the event and the field)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PathError(f"{p}: events file not found") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PathError(f"{p}: cannot read the events file ({exc})") from None
    if data is not None and not isinstance(data, dict):
        raise PathError(f"{p}: expected a mapping with 'sources' and 'events', got a {type(data).__name__}")
    try:
        f = _File.model_validate(data or {})
    except ValidationError as err:
        lines = validation_lines(err)
        raise PathError(f"invalid events file {p}:\n" + "\n".join(lines)) from None
    if f.scenario is not None and f.scenario != s.id:
        raise PathError(f"{p}: scenario: the file is for '{f.scenario}', the run is for '{s.id}'")
    problems = []
    last = s.year + years - 1
    for k, e in enumerate(f.events):
        if e.source not in f.sources:
            known = ", ".join(f.sources) or "none declared"
            problems.append(f"events[{k}].source: '{e.source}' is not declared in sources (declared: {known})")
        if not s.year <= e.year <= last:
            problems.append(f"events[{k}].year: {e.year} is outside the path's years {s.year}-{last} "
                            f"(the scenario's year and --years {years})")
    clash = sorted(set(f.sources) & set(s.sources))
    if clash:
        problems.append(f"sources: {', '.join(clash)} already declared by the scenario; use other keys")
    if PATH_SOURCE in f.sources:
        problems.append(f"sources: '{PATH_SOURCE}' is the key of the treaties the path forms; use another")
    if problems:
        raise PathError(f"invalid events file {p}:\n" + "\n".join(f"  - {x}" for x in problems))
    ev = Events(tuple(Event(e.year, e.source, e.note, tuple(e.set.items()))
                      for e in sorted(f.events, key=lambda e: e.year)),
                {k: v.model_dump(exclude_none=True) for k, v in f.sources.items()})
    # check every year's scenario once, so a bad value fails before any solve
    cur = s
    for year in range(s.year, last + 1):
        for e in ev.in_year(year):
            try:
                cur = apply_event(cur, e, ev)
            except ScenarioError as exc:
                k = ev.events.index(e)
                raise PathError(f"{p}: events[{k}] ({year}): {exc}") from None
    return ev


def _sourced(s: Scenario, path: str) -> bool:
    from pactlab.scenarios.edit import _sourced_field

    parts = path.split(".")
    node: Any = s.model_dump(mode="json")
    for k, part in enumerate(parts):
        if isinstance(node, list):
            by_id = k > 0 and parts[k - 1] == "actors"
            node = next((x for x in node if x.get("id") == part), None) if by_id else (
                node[int(part)] if part.isdigit() and int(part) < len(node) else None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        if node is None:
            break
    return (isinstance(node, dict) and "value" in node) or _sourced_field(parts, parts[-1])


def apply_event(s: Scenario, e: Event, ev: Events) -> Scenario:
    """``s`` with event ``e``'s changes: a sourced input takes the value with the event's source and
    note; any other field (a dispute's intensity, a whole list of footholds) is set as given."""
    changes = {}
    for path, value in e.changes:
        if _sourced(s, path) and not isinstance(value, Mapping):
            note = f"{e.year}: {e.note}" if e.note else f"event of {e.year}"
            changes[path] = {"value": value, "source": e.source, "note": note}
        else:
            changes[path] = value
    sources = {**s.model_dump(mode="json")["sources"], **ev.sources}
    return s.with_changes(changes, sources=sources)


# --------------------------------------------------------------------------- the path

@dataclass(frozen=True)
class Formed:
    """A treaty the path formed, in force until its hazard ends it."""

    members: tuple[str, ...]
    clients: tuple[str, ...]
    with_patron: bool
    level: str
    form: str
    since: int
    hazard: float

    @property
    def key(self) -> tuple:
        return (self.members, self.level)

    @property
    def label(self) -> str:
        return f"{'-'.join(self.members)}:{self.level}"


def _in_year(s: Scenario, year: int, formed: tuple[Formed, ...]) -> Scenario:
    """The scenario of ``year``: its date moved to the year, the treaties the path formed in force."""
    import datetime as dt

    data = s.model_dump(mode="json", exclude_none=True)
    data["year"] = year
    data.pop("date", None)
    if year != s.year:
        data.pop("record", None)  # the record is of the scenario's own year
    if formed:
        data["sources"] = {**data["sources"], PATH_SOURCE: {"cite": PATH_CITE}}
        data["treaties"] = list(data.get("treaties", [])) + [
            {"id": f"path-{t.since}-{'-'.join(t.members)}", "members": list(t.members), "level": t.level,
             "since": dt.date(t.since, 12, 31).isoformat() if t.since < year else None,
             "source": PATH_SOURCE, "note": f"formed by the model in {t.since}"}
            for t in formed]
        for t in data["treaties"]:
            if t.get("since") is None:
                t.pop("since", None)
    from pactlab.scenarios.loader import parse_scenario

    return parse_scenario(data, f"<{s.id} in {year}>")


def _design(formed: tuple[Formed, ...]) -> str:
    from pactlab.model.treaties import design_of

    return design_of([_Pred(t) for t in formed])


@dataclass(frozen=True)
class _Pred:  # the fields design_of reads
    t: Formed

    @property
    def origin(self):
        return "in force"

    @property
    def with_patron(self):
        return self.t.with_patron

    @property
    def clients(self):
        return self.t.clients

    @property
    def form(self):
        return self.t.form


def simulate(s: Scenario, events: Events = NO_EVENTS, *, years: int = 10, draws: int = 100, seed: int = 0,
             params=None, progress: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """One row per (draw, year): the architecture in force, the treaties in force, formed and ended."""
    from pactlab.model.params import DEFAULT
    from pactlab.model.solve import solve

    p = params if params is not None else DEFAULT
    if years < 1 or draws < 1:
        raise PathError(f"--years and --draws must be at least 1 (got {years}, {draws})")
    base: dict[int, Scenario] = {}
    cur = s
    for year in range(s.year, s.year + years):
        for e in events.in_year(year):
            cur = apply_event(cur, e, events)
        base[year] = cur
    cache: dict[tuple, Any] = {}

    def step(year: int, formed: tuple[Formed, ...]):
        key = (year, tuple(sorted(t.key for t in formed)))
        if key not in cache:
            cache[key] = solve(_in_year(base[year], year, formed), p)
        return cache[key]

    rows: list[dict[str, Any]] = []
    streams = np.random.SeedSequence(seed).spawn(draws)
    for d, ss in enumerate(streams):
        rng = np.random.default_rng(ss)
        formed: tuple[Formed, ...] = ()
        for year in range(s.year, s.year + years):
            r = step(year, formed)
            kept = {(tuple(t.members), t.level): t.hazard for t in r.treaties if t.origin == "renewal"}
            new = [Formed(tuple(t.members), tuple(t.clients), t.with_patron, t.level, t.form, year, t.hazard)
                   for t in r.treaties if t.origin != "renewal"]
            held = {t.key for t in formed}
            new = [t for t in new if t.key not in held]
            # an upgrade (or any new pact of the same members) replaces the pact it supersedes
            superseded = {t.members for t in new}
            formed = tuple(replace(t, hazard=kept.get(t.key, t.hazard)) for t in formed
                           if t.members not in superseded) + tuple(new)
            design = _design(formed)
            ended = tuple(t for t in formed if rng.random() < 1.0 - math.exp(-t.hazard))
            rows.append({"draw": d, "year": year, "design": design,
                         "in_force": ";".join(t.label for t in formed),
                         "formed": ";".join(t.label for t in new), "ended": ";".join(t.label for t in ended),
                         "seed": seed, "spawn_key": ".".join(str(x) for x in ss.spawn_key)})
            formed = tuple(t for t in formed if t not in ended)
        if progress:
            progress(1)
    return rows


DESIGNS = ("none", "clients-only", "bilateral", "trilateral", "hub-and-spoke", "multilateral")


def timeline(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Share of draws with each architecture in force per year (tidy: year, design, draws, share)."""
    import collections

    by_year: dict[int, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in rows:
        by_year[r["year"]][r["design"]] += 1
    out = []
    for year in sorted(by_year):
        n = sum(by_year[year].values())
        for dsg in DESIGNS:
            out.append({"year": year, "design": dsg, "draws": by_year[year][dsg], "share": by_year[year][dsg] / n})
    return out


def plot(tl: list[dict[str, Any]], title: str, path: str | Path) -> None:
    """A stacked area chart of the timeline (share of draws per architecture and year)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = sorted({r["year"] for r in tl})
    shown = [d for d in DESIGNS if any(r["share"] > 0 for r in tl if r["design"] == d)]
    share = {d: [next(r["share"] for r in tl if r["year"] == y and r["design"] == d) for y in years] for d in shown}
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.stackplot(years, [share[d] for d in shown], labels=shown, step="post" if len(years) > 1 else None)
    ax.set_xlim(years[0], years[-1] if len(years) > 1 else years[0] + 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("year")
    ax.set_ylabel("share of draws")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
