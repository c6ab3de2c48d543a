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
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Separates the problems one cross-field check finds, so that each is reported on its own line.
PROBLEM_SEP = "\x1f"

#: A number: finite (``allow_inf_nan=False`` on every model) and never a YAML boolean (``strict``:
#: ``true`` is not read as 1.0).
Num = Annotated[float, Field(strict=True)]
Int = Annotated[int, Field(strict=True)]

#: The largest distance between two points on the Earth's surface (half the equatorial
#: circumference), km; a distance beyond it is a unit or typing error.
MAX_DISTANCE_KM = 20_100.0

#: Capability units a scenario may declare (``capability_unit``), with the range the model's
#: arithmetic is checked over for each (see docs/scenarios.md, "Bounds"). CINC and the
#: NMC shares are fractions of the state-system total; a state below one millionth of it is
#: coded at the floor (codebook CAP1's fallback). Military expenditure in current US$ billion:
#: from one million (0.001) to one hundred trillion (1e5).
CAPABILITY_UNITS: dict[str, tuple[float, float, str]] = {
    "cinc-share": (1e-6, 1.0, "a share of the state-system total (COW NMC CINC or a CAP2 share)"),
    "usd-billion": (1e-3, 1e5, "military expenditure in current US$ billion"),
    "relative": (1e-6, 1e3, "a relative capability index (synthetic and stylised theatres)"),
}


def _empty_list() -> list:
    """The default of an optional list field. (A Python function, not ``list``: pydantic inspects
    a default factory's signature, which for a builtin means parsing its text signature, slowly.)"""
    return []


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Role(str, Enum):
    patron = "patron"
    client = "client"
    adversary = "adversary"
    aligned_adversary = "aligned_adversary"
    outside = "outside"
    # A state a client names as its principal threat other than the adversary
    # (codebook OTH1; the DIV1 0.5/1.0 anchors name it). Read by model v2 only.
    rival = "rival"


class Level(str, Enum):
    """Commitment level, ordered none < cooperate < consult < defend.

    ``consult`` and ``defend`` are pledges (ATOP's consul/defense).
    ``cooperate`` is security cooperation without a pledge (codebook T2): it
    can be held in force but is not a pledge, so its pledge ``rank`` is 0,
    the same as ``none``; ``order`` places it between the two.
    """

    none = "none"
    cooperate = "cooperate"
    consult = "consult"
    defend = "defend"

    @property
    def rank(self) -> int:
        """Pledge rank: 0 no pledge (none, cooperate), 1 consult, 2 defend."""
        return {"none": 0, "cooperate": 0, "consult": 1, "defend": 2}[self.value]

    @property
    def order(self) -> int:
        """Position in the full order none < cooperate < consult < defend."""
        return {"none": 0, "cooperate": 1, "consult": 2, "defend": 3}[self.value]

    @property
    def is_pledge(self) -> bool:
        return self.rank > 0

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

    value: Num
    source: str
    rule: str | None = None
    note: str | None = None


class SourcedTrend(Sourced):
    """The threat trend (codebook TREND1): -1 falling, 0 steady, +1 rising."""

    @field_validator("value")
    @classmethod
    def _trend(cls, v: float) -> float:
        if v not in (-1.0, 0.0, 1.0):
            raise ValueError(f"must be -1, 0 or 1 (codebook TREND1), got {v}")
        return v


class SourcedUnit(Sourced):
    """A value in [0, 1]."""

    @field_validator("value")
    @classmethod
    def _unit(cls, v: float) -> float:
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"must be between 0 and 1, got {v}")
        return v


class SourcedPositive(Sourced):
    """A value greater than 0; a capability's range is checked against the scenario's
    ``capability_unit`` (see :data:`CAPABILITY_UNITS`)."""

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


class Reliability(_Strict):
    """A patron's reliability as a range of fulfilment rates (codebook REL1):
    the share of alliance commitments honoured when called upon."""

    low: Num = Field(ge=0, le=1)
    high: Num = Field(ge=0, le=1)
    source: str
    rule: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Reliability":
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    @property
    def midpoint(self) -> float:
        return 0.5 * (self.low + self.high)


class Source(_Strict):
    cite: str
    url: str | None = None
    accessed: str | None = None


class Actor(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str
    role: Role
    ccode: Int | None = Field(default=None, ge=1, le=9999, description="COW state code, if any")
    capability: SourcedPositive
    maritime_reach: SourcedUnit
    # Shares of the state-system totals of COW NMC milex / milper (codebook CAP2).
    milex_share: SourcedUnit | None = None
    milper_share: SourcedUnit | None = None
    # Clients only (codebook C-rules); defaults are the neutral values.
    provocation: SourcedUnit | None = None
    threat_divergence: SourcedUnit | None = None
    econ_dependence: SourcedUnit | None = None
    sovereignty: SourcedSovereignty | None = None
    patron_stake: SourcedUnit | None = None
    # Patrons only.
    leverage_motive: SourcedUnit | None = None
    max_commitment: SourcedLevel | None = None
    anticipated_commitment: SourcedLevel | None = None  # ANT1
    reliability: Reliability | None = None  # REL1
    # Aligned adversaries only: how far they would fight alongside the adversary.
    alignment: SourcedUnit | None = None
    # Outside states only: whether they take part in the patron's design
    # (cross-theatre linking, Park and DerSimonian).
    linked: bool = False
    # Rivals only (codebook OTH1): the clients that name this state as their
    # other principal threat.
    rival_of: list[str] | None = None

    @model_validator(mode="after")
    def _role_fields(self) -> "Actor":
        client_only = ["provocation", "threat_divergence", "econ_dependence", "sovereignty", "patron_stake"]
        patron_only = ["leverage_motive", "max_commitment", "anticipated_commitment", "reliability"]
        problems = []
        if self.role is not Role.rival and self.rival_of is not None:
            problems.append("rival_of")
        if self.role is Role.rival and not self.rival_of:
            raise ValueError("a rival needs 'rival_of', the clients that name it as a principal threat (codebook OTH1)")
        mc = self.max_commitment
        if mc is not None and mc.value is Level.cooperate:
            raise ValueError("max_commitment must be 'none', 'consult' or 'defend' (codebook MAXC1), got 'cooperate'")
        ac = self.anticipated_commitment
        if ac is not None and self.role is Role.patron:
            if not ac.value.is_pledge:
                raise ValueError(
                    f"anticipated_commitment must be 'consult' or 'defend' (codebook ANT1), got '{ac.value.value}'"
                )
            ceiling = mc.value if mc is not None else Level.defend
            if ac.value.rank <= ceiling.rank:
                raise ValueError(
                    f"anticipated_commitment ('{ac.value.value}') must be above max_commitment "
                    f"('{ceiling.value}'): it records a pledge the patron cannot yet make (codebook ANT1)"
                )
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
    distance_km: Num = Field(ge=0, le=MAX_DISTANCE_KM)
    overland: bool | None = Field(
        default=None,
        description="a land route joins the two (across third territory if need be); "
        "defaults to true for land contiguity, false otherwise (codebook GEO2)",
    )
    source: str
    # Great-circle distance between the two capitals (codebook GEO3), with its own source.
    capital_distance_km: Num | None = Field(default=None, ge=0, le=MAX_DISTANCE_KM)
    capital_source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _capital_sourced(self) -> "Tie":
        if self.a == self.b:
            raise ValueError(f"a tie joins two different actors, but both ends are '{self.a}'")
        if self.capital_distance_km is not None and self.capital_source is None:
            raise ValueError("capital_distance_km needs 'capital_source', a key of 'sources' (codebook GEO3)")
        if self.capital_distance_km is None and self.capital_source is not None:
            raise ValueError("capital_source is given without capital_distance_km")
        return self

    @property
    def by_land(self) -> bool:
        return self.contiguity is Contiguity.land if self.overland is None else self.overland


class Foothold(_Strict):
    """Forces of an actor stationed beyond its own borders, from which it can
    reach a client (codebook FOOT1): adversary-side occupation zones and
    garrisons (East Germany 1948; northern Hokkaido in the counterfactual) and
    patron or outside-state forward deployments (US forces in Germany 1949).
    The holder may be any actor except a client; ``near`` is a client."""

    holder: str
    near: str
    contiguity: Contiguity
    distance_km: Num = Field(ge=0, le=MAX_DISTANCE_KM)
    overland: bool | None = None
    since: _dt.date | None = None
    source: str
    note: str | None = None


    @property
    def by_land(self) -> bool:
        return self.contiguity is Contiguity.land if self.overland is None else self.overland


class Treaty(_Strict):
    """A commitment in force before the scenario date: a pledge (consult,
    defend; codebook T1) or security cooperation without one (cooperate; T2)."""

    id: str
    members: list[str] = Field(min_length=2)
    level: Level
    since: _dt.date | None = None
    atop: Int | None = Field(default=None, ge=1)
    # The treaty sets up a standing council or organ (codebook COUNCIL1).
    council: bool = False
    source: str
    note: str | None = None

    @field_validator("level")
    @classmethod
    def _not_none(cls, v: Level) -> Level:
        if v is Level.none:
            raise ValueError("a treaty in force must be 'cooperate', 'consult' or 'defend'")
        return v

    @field_validator("members")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        twice = sorted({m for m in v if v.count(m) > 1})
        if twice:
            raise ValueError(f"lists {', '.join(repr(m) for m in twice)} more than once")
        return v


class Dispute(_Strict):
    """Client-client dispute and trust deficit (codebook D1)."""

    a: str
    b: str
    intensity: Num = Field(ge=0, le=1)
    source: str
    rule: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _two(self) -> "Dispute":
        if self.a == self.b:
            raise ValueError(f"a dispute is between two different clients, but both are '{self.a}'")
        return self


class Event(_Strict):
    date: _dt.date
    text: str
    source: str


class Record(_Strict):
    """What actually happened, for the case table. Never read by the model."""

    design: Literal["none", "clients-only", "bilateral", "trilateral", "hub-and-spoke", "multilateral"]
    treaties: list[Treaty] = Field(default_factory=_empty_list)
    durability: Literal["long", "short", "unknown"] = "unknown"
    note: str | None = None

    @field_validator("design", mode="before")
    @classmethod
    def _vocabulary(cls, v):
        """The design vocabulary (pactlab.designs); the older label 'mixed' reads as 'hub-and-spoke'."""
        from pactlab.designs import ALIASES

        return ALIASES.get(v, v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _pledges_only(self) -> "Record":
        bad = [t.id for t in self.treaties if not t.level.is_pledge]
        if bad:
            raise ValueError(
                f"record treaties are pledges: level must be 'consult' or 'defend' (not 'cooperate'): {', '.join(bad)}"
            )
        return self


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    region: str
    year: Int = Field(ge=1815, le=2100)
    date: _dt.date | None = None
    kind: Literal["historical", "counterfactual", "present-day"]
    description: str = ""
    capability_measure: str = Field(
        description="what 'capability' measures, e.g. 'COW NMC CINC, year before'"
    )
    capability_unit: Literal["cinc-share", "usd-billion", "relative"] | None = Field(
        default=None,
        description="the unit of every 'capability' value; when absent it is read from "
        "capability_measure (US$ or SIPRI without CINC -> usd-billion; otherwise cinc-share)",
    )
    sources: dict[str, Source]
    actors: list[Actor] = Field(min_length=3)
    geography: list[Tie]
    footholds: list[Foothold] = Field(default_factory=_empty_list)
    treaties: list[Treaty] = Field(default_factory=_empty_list)
    disputes: list[Dispute] = Field(default_factory=_empty_list)
    linking: SourcedUnit | None = None
    threat_trend: SourcedTrend | None = None
    events: list[Event] = Field(default_factory=_empty_list)
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
        role_of = {a.id: a.role for a in self.actors}
        for k, f in enumerate(self.footholds):
            for end in (f.holder, f.near):
                if end not in known:
                    problems.append(f"footholds[{k}]: unknown actor '{end}'")
            if role_of.get(f.holder) is Role.client:
                problems.append(f"footholds[{k}]: holder '{f.holder}' is a client; a foothold is held by any other actor (codebook FOOT1)")
            if f.near in known and role_of.get(f.near) is not Role.client:
                problems.append(f"footholds[{k}]: near '{f.near}' must be a client (codebook FOOT1)")
        for k, a in enumerate(self.actors):
            for c in a.rival_of or []:
                if role_of.get(c) is not Role.client:
                    problems.append(f"actors[{k}] ({a.id}).rival_of: '{c}' is not a client")
        for k, t in enumerate(self.treaties):
            for m in t.members:
                if m not in known:
                    problems.append(f"treaties[{k}] ({t.id}): unknown member '{m}'")
        for k, d in enumerate(self.disputes):
            for end in (d.a, d.b):
                if end not in known:
                    problems.append(f"disputes[{k}]: unknown actor '{end}'")
                elif role_of[end] is not Role.client:
                    problems.append(f"disputes[{k}]: '{end}' is a {role_of[end].value}; a dispute is between "
                                    "two clients (codebook D1)")
        problems += self._capability_bounds()
        problems += self._dates()
        # Every cited source must be declared.
        for where, key in self._cited():
            if key not in self.sources:
                problems.append(f"{where}: source '{key}' is not declared under 'sources'")
        # Geography must cover every pair the model needs.
        if not problems:
            problems += self._missing_geography()
        if problems:
            raise ValueError(PROBLEM_SEP.join(problems))
        return self

    @property
    def unit(self) -> str:
        """The capability unit: ``capability_unit`` if given, else read from ``capability_measure``
        (US$ or SIPRI -> usd-billion), else ``cinc-share``, the codebook's measure (CAP1)."""
        if self.capability_unit is not None:
            return self.capability_unit
        m = self.capability_measure.lower()
        if "cinc" not in m and ("us$" in m or "sipri" in m or "usd" in m):
            return "usd-billion"
        return "cinc-share"

    def _capability_bounds(self) -> list[str]:
        unit = self.unit
        lo, hi, what = CAPABILITY_UNITS[unit]
        hint = "" if self.capability_unit is not None else (
            f" (capability_unit is not stated, so {unit} was read from capability_measure; "
            "state it with capability_unit: cinc-share or usd-billion)")
        out = []
        for k, a in enumerate(self.actors):
            v = a.capability.value
            if not lo <= v <= hi:
                out.append(f"actors[{k}] ({a.id}).capability.value: {v!r} is outside the range for {unit} "
                           f"({what}): {lo:g} to {hi:g}{hint}")
        return out

    @property
    def as_of(self) -> _dt.date:
        """The scenario date, or the last day of its year when no date is given."""
        return self.date or _dt.date(self.year, 12, 31)

    def _dates(self) -> list[str]:
        out = []
        if self.date is not None and self.date.year != self.year:
            out.append(f"date: {self.date.isoformat()} is not in the scenario year {self.year}")
        when = self.as_of
        label = f"the scenario date ({when.isoformat()})" if self.date else f"the scenario year ({self.year})"
        for group, attr in (("treaties", "since"), ("footholds", "since"), ("events", "date")):
            for k, item in enumerate(getattr(self, group)):
                d = getattr(item, attr)
                if d is not None and d > when:
                    name = f" ({item.id})" if hasattr(item, "id") else ""
                    out.append(f"{group}[{k}]{name}.{attr}: {d.isoformat()} is after {label}; a scenario "
                               "holds only what was in force or had happened by then")
        return out

    def _cited(self):
        for k, a in enumerate(self.actors):
            for name in Actor.model_fields:
                v = getattr(a, name)
                if hasattr(v, "source"):
                    yield f"actors[{k}] ({a.id}).{name}", v.source
        for group in ("geography", "footholds", "treaties", "disputes", "events"):
            for k, item in enumerate(getattr(self, group)):
                yield f"{group}[{k}]", item.source
        for k, t in enumerate(self.geography):
            if t.capital_source is not None:
                yield f"geography[{k}].capital_source", t.capital_source
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
        for r in by_role.get(Role.rival, []):
            for c in self.actor(r).rival_of or []:
                needed.append((r, c))
        return [
            f"geography: no entry for the pair {a}-{b} (the model needs every client's "
            "ties to the adversary side, the patron, linked outside states, its rivals and the other clients)"
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
    def rivals(self) -> list[Actor]:
        return self.by_role(Role.rival)

    @property
    def patron(self) -> Actor | None:
        p = self.by_role(Role.patron)
        return p[0] if p else None

    @property
    def adversary(self) -> Actor:
        return self.by_role(Role.adversary)[0]

    def with_changes(self, changes: dict | None = None, **fields) -> "Scenario":
        """A validated copy with ``changes`` (dotted paths such as
        ``"actors.CHN.maritime_reach"``) applied; see :mod:`pactlab.scenarios.edit`.
        Unlike ``model_copy(update=...)``, a bad value raises the same
        :class:`~pactlab.errors.ScenarioError` as ``pactlab validate``."""
        from pactlab.scenarios.edit import with_changes

        return with_changes(self, changes, **fields)
