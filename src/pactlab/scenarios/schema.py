"""The scenario format: facts and coded judgements about one theatre.

A scenario holds no model parameters. Every number in it is either a fact
(capabilities, contiguity, distances, treaties in force, dated events) or a
judgement coded by a written rule in ``docs/codebook.md``; each carries the
source it came from. The model's parameters live in
:mod:`pactlab.model.params` and are the same for every scenario.

The schema is declared once here and validated at load time. Unknown keys are
rejected so that a typo (``capabilty:``) is an error, not a silently ignored
line.
"""

from __future__ import annotations

import datetime as _dt
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(str, Enum):
    patron = "patron"
    client = "client"
    adversary = "adversary"
    aligned_adversary = "aligned_adversary"
    outside = "outside"


class Level(str, Enum):
    """Commitment level, ordered none < consult < defend (ATOP's defense/consul)."""

    none = "none"
    consult = "consult"
    defend = "defend"

    @property
    def rank(self) -> int:
        return {"none": 0, "consult": 1, "defend": 2}[self.value]

    @classmethod
    def from_rank(cls, r: int) -> "Level":
        return (cls.none, cls.consult, cls.defend)[r]


class Contiguity(str, Enum):
    """COW direct contiguity, collapsed: land (conttype 1), sea (2-5: up to
    400 miles of water), remote (not directly contiguous)."""

    land = "land"
    sea = "sea"
    remote = "remote"


class Sovereignty(str, Enum):
    """Whether a client can make commitments to other clients (codebook S1)."""

    full = "full"  # may pledge to defend others
    constrained = "constrained"  # constitutional or command limits: consult at most
    occupied = "occupied"  # under occupation: no client-client pledges
    unrecognised = "unrecognised"  # not recognised by the patron as a state


class Sourced(_Strict):
    """A value with its provenance. ``source`` is a key of the scenario's
    ``sources`` table; ``rule`` names the codebook rule for coded judgements."""

    value: float
    source: str
    rule: str | None = None
    note: str | None = None


class SourcedUnit(Sourced):
    """A value in [0, 1]."""

    @field_validator("value")
    @classmethod
    def _unit(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"must be between 0 and 1, got {v}")
        return v


class SourcedPositive(Sourced):
    @field_validator("value")
    @classmethod
    def _pos(cls, v: float) -> float:
        if not v > 0.0:
            raise ValueError(f"must be greater than 0, got {v}")
        return v


class SourcedSovereignty(_Strict):
    value: Sovereignty
    source: str
    rule: str | None = None
    note: str | None = None


class SourcedLevel(_Strict):
    value: Level
    source: str
    rule: str | None = None
    note: str | None = None


class Source(_Strict):
    cite: str
    url: str | None = None
    accessed: str | None = None


class Actor(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    role: Role
    ccode: int | None = Field(default=None, description="COW state code, if any")
    capability: SourcedPositive
    maritime_reach: SourcedUnit
    # Clients only (codebook C-rules); defaults are the neutral values.
    provocation: SourcedUnit | None = None
    threat_divergence: SourcedUnit | None = None
    econ_dependence: SourcedUnit | None = None
    sovereignty: SourcedSovereignty | None = None
    patron_stake: SourcedUnit | None = None
    # Patrons only.
    leverage_motive: SourcedUnit | None = None
    max_commitment: SourcedLevel | None = None
    # Aligned adversaries only: how far they would fight alongside the adversary.
    alignment: SourcedUnit | None = None
    # Outside states only: whether they take part in the patron's design
    # (cross-theatre linking, seed 004).
    linked: bool = False

    @model_validator(mode="after")
    def _role_fields(self) -> "Actor":
        client_only = ["provocation", "threat_divergence", "econ_dependence", "sovereignty", "patron_stake"]
        patron_only = ["leverage_motive", "max_commitment"]
        problems = []
        if self.role is not Role.client:
            problems += [f for f in client_only if getattr(self, f) is not None]
        if self.role is not Role.patron:
            problems += [f for f in patron_only if getattr(self, f) is not None]
        if self.role is not Role.aligned_adversary and self.alignment is not None:
            problems.append("alignment")
        if self.role is Role.aligned_adversary and self.alignment is None:
            raise ValueError("an aligned_adversary needs 'alignment' (codebook A1)")
        if self.role is Role.client and self.patron_stake is None:
            raise ValueError("a client needs 'patron_stake' (codebook P2)")
        if self.role is not Role.outside and self.linked:
            problems.append("linked")
        if problems:
            raise ValueError(
                f"field(s) {', '.join(problems)} do not apply to role '{self.role.value}'"
            )
        return self


class Tie(_Strict):
    """Geography between two actors (order does not matter)."""

    a: str
    b: str
    contiguity: Contiguity
    distance_km: float = Field(ge=0)
    overland: bool | None = Field(
        default=None,
        description="a land route joins the two (across third territory if need be); "
        "defaults to true for land contiguity, false otherwise (codebook GEO2)",
    )
    source: str
    note: str | None = None

    @property
    def by_land(self) -> bool:
        return self.contiguity is Contiguity.land if self.overland is None else self.overland


class Foothold(_Strict):
    """Territory held by an adversary-side actor beyond its own borders, from
    which it can reach a client (East Germany 1948; northern Hokkaido in the
    counterfactual)."""

    holder: str
    near: str
    contiguity: Contiguity
    distance_km: float = Field(ge=0)
    overland: bool | None = None
    since: _dt.date | None = None
    source: str
    note: str | None = None


    @property
    def by_land(self) -> bool:
        return self.contiguity is Contiguity.land if self.overland is None else self.overland


class Treaty(_Strict):
    """A commitment in force before the scenario date."""

    id: str
    members: list[str] = Field(min_length=2)
    level: Level
    since: _dt.date | None = None
    atop: int | None = None
    source: str
    note: str | None = None

    @field_validator("level")
    @classmethod
    def _not_none(cls, v: Level) -> Level:
        if v is Level.none:
            raise ValueError("a treaty in force must be 'consult' or 'defend'")
        return v


class Dispute(_Strict):
    """Client-client dispute and trust deficit (codebook D1)."""

    a: str
    b: str
    intensity: float = Field(ge=0, le=1)
    source: str
    rule: str | None = None
    note: str | None = None


class Event(_Strict):
    date: _dt.date
    text: str
    source: str


class Record(_Strict):
    """What actually happened, for the case table. Never read by the model."""

    design: Literal["none", "bilateral", "trilateral", "multilateral", "mixed"]
    treaties: list[Treaty] = Field(default_factory=list)
    durability: Literal["long", "short", "unknown"] = "unknown"
    note: str | None = None


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    region: str
    year: int = Field(ge=1815, le=2100)
    date: _dt.date | None = None
    kind: Literal["historical", "counterfactual", "present-day"]
    description: str = ""
    capability_measure: str = Field(
        description="what 'capability' measures, e.g. 'COW NMC CINC, year before'"
    )
    sources: dict[str, Source]
    actors: list[Actor] = Field(min_length=3)
    geography: list[Tie]
    footholds: list[Foothold] = Field(default_factory=list)
    treaties: list[Treaty] = Field(default_factory=list)
    disputes: list[Dispute] = Field(default_factory=list)
    linking: SourcedUnit | None = None
    threat_trend: Sourced | None = None
    events: list[Event] = Field(default_factory=list)
    record: Record | None = None

    @model_validator(mode="after")
    def _consistency(self) -> "Scenario":
        problems: list[str] = []
        ids = [a.id for a in self.actors]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            problems.append(f"actors: duplicate id(s) {sorted(dup)}")
        roles = [a.role for a in self.actors]
        if roles.count(Role.adversary) != 1:
            problems.append(f"actors: expected exactly one 'adversary', found {roles.count(Role.adversary)}")
        if roles.count(Role.patron) > 1:
            problems.append("actors: at most one 'patron' is allowed")
        nclients = roles.count(Role.client)
        if not 1 <= nclients <= 12:
            problems.append(f"actors: expected 1 to 12 clients, found {nclients}")
        known = set(ids)
        for k, tie in enumerate(self.geography):
            for end in (tie.a, tie.b):
                if end not in known:
                    problems.append(f"geography[{k}]: unknown actor '{end}' (known: {', '.join(ids)})")
        for k, f in enumerate(self.footholds):
            for end in (f.holder, f.near):
                if end not in known:
                    problems.append(f"footholds[{k}]: unknown actor '{end}'")
        for k, t in enumerate(self.treaties):
            for m in t.members:
                if m not in known:
                    problems.append(f"treaties[{k}] ({t.id}): unknown member '{m}'")
        for k, d in enumerate(self.disputes):
            for end in (d.a, d.b):
                if end not in known:
                    problems.append(f"disputes[{k}]: unknown actor '{end}'")
        # Every cited source must be declared.
        for where, key in self._cited():
            if key not in self.sources:
                problems.append(f"{where}: source '{key}' is not declared under 'sources'")
        # Geography must cover every pair the model needs.
        if not problems:
            problems += self._missing_geography()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _cited(self):
        for k, a in enumerate(self.actors):
            for name in Actor.model_fields:
                v = getattr(a, name)
                if hasattr(v, "source"):
                    yield f"actors[{k}] ({a.id}).{name}", v.source
        for group in ("geography", "footholds", "treaties", "disputes", "events"):
            for k, item in enumerate(getattr(self, group)):
                yield f"{group}[{k}]", item.source
        for name in ("linking", "threat_trend"):
            v = getattr(self, name)
            if v is not None:
                yield name, v.source

    def _missing_geography(self) -> list[str]:
        have = {frozenset((t.a, t.b)) for t in self.geography}
        by_role: dict[Role, list[str]] = {}
        for a in self.actors:
            by_role.setdefault(a.role, []).append(a.id)
        clients = by_role.get(Role.client, [])
        needed: list[tuple[str, str]] = []
        others = (
            by_role.get(Role.adversary, [])
            + by_role.get(Role.aligned_adversary, [])
            + by_role.get(Role.patron, [])
            + [a.id for a in self.actors if a.role is Role.outside and a.linked]
        )
        for c in clients:
            for o in others:
                needed.append((o, c))
        for i, c in enumerate(clients):
            for d in clients[i + 1 :]:
                needed.append((c, d))
        return [
            f"geography: no entry for the pair {a}-{b} (the model needs every client's "
            "ties to the adversary side, the patron, linked outside states and the other clients)"
            for a, b in needed
            if frozenset((a, b)) not in have
        ]

    # Convenience accessors -------------------------------------------------
    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def by_role(self, role: Role) -> list[Actor]:
        return [a for a in self.actors if a.role is role]

    @property
    def clients(self) -> list[Actor]:
        return self.by_role(Role.client)

    @property
    def patron(self) -> Actor | None:
        p = self.by_role(Role.patron)
        return p[0] if p else None

    @property
    def adversary(self) -> Actor:
        return self.by_role(Role.adversary)[0]
