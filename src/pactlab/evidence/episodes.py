"""Backtest episodes (rules v2): who could have allied with which great power, and what happened.

The rules are written out in docs/evidence.md ("Episode rules"); this module implements them.

An **episode** is a (patron, window): a COW major power in the year before a 5-year window, with
an adversary chosen by rule from data of that year. Every patron-window with an adversary is an
episode, whether or not any alliance formed in it. Its units are:

* **candidates** (the participation model): every state that is a COW system member at the end of
  the year before the window, is neither the patron nor the adversary, and (a) is directly
  contiguous (land, or water of up to 400 miles) to the patron or the adversary, (b) holds an ATOP
  alliance of any type with the patron in force, or (c) lies within :data:`NEAR_ADVERSARY_KM` of the
  adversary. Each candidate's outcome is whether it makes a **new pledge with the patron** in the
  window (a founding, an upgrade or an accession led by the patron; a renewal of a pledge in force is
  not new). Non-signers are sampled (weighted case-control sampling, :func:`participation_sample`);
* **design parts** (the design model): the signers of the episode's events plus the highest-threat
  non-signing candidates of the same region, at most :data:`MAX_CLIENTS` clients per part; an
  episode with more signers in a region than that is split by sub-region, then by code order, and
  the pairs split apart are listed (never dropped silently);
* **events**: the record (:mod:`pactlab.evidence.record`) assigned to the episode: the events the
  patron leads (lead-patron rule) and the clients-only events with two or more members among its
  candidates, each classified against the pledges in force at the end of the year before as a
  ``new`` treaty, an ``upgrade`` (a higher level among states already so pledged), an ``accession``
  or a ``renewal`` (no new pledge: carried on).

Everything that defines an episode's units and inputs comes from :func:`data_before` (data known at
the start of the window); only the outcome (the events) reads the record of the window itself.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pactlab.data import DataDir
from pactlab.errors import PactlabError
from pactlab.evidence.record import LEVEL_RANK, OBLIGATIONS, RecordEvent, window_events

__all__ = [
    "BacktestError", "WINDOW", "YEAR_DATA", "MAX_CLIENTS", "NEAR_ADVERSARY_KM", "CONTROLS", "REGIONS", "OBLIGATIONS",
    "region_of", "subregion_of", "windows", "data_before", "truncate_atop", "AdversaryChoice",
    "choose_adversary", "Candidate", "EpisodeEvent", "DesignPart", "Episode", "EpisodeSet", "build_episodes",
    "threat_scores", "counts_table", "Coding",
]

#: the scenario format's (and the exact solver's) limit on clients per theatre
MAX_CLIENTS = 12
WINDOW = 5
#: the data sets whose years a range of windows must reach (:func:`pactlab.evidence.builder.check_years`);
#: the rivalries are left out, as the adversary rule falls back to the strongest unallied major without them
YEAR_DATA = ("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members")
#: candidate rule (c): minimum distance to the adversary, km
NEAR_ADVERSARY_KM = 1000.0
#: distance scale of the threat score's loss-of-strength gradient, km
THREAT_SCALE_KM = 1000.0
#: expected number of sampled non-signing candidates per episode (participation model)
CONTROLS = 20
#: how far back a missing distance or CINC may be taken from (years), as the builder does
FALLBACK_YEARS = 10
ADVERSARY_RULES = ("rival", "war")

#: COW code blocks used to split oversized parts (Asia and Oceania together: one theatre)
REGIONS = (
    ("Americas", 0, 199),
    ("Europe", 200, 399),
    ("Africa", 400, 599),
    ("Middle East and North Africa", 600, 699),
    ("Asia-Pacific", 700, 999),
)
#: finer COW code blocks for a region that still has too many signers
SUBREGIONS = (
    ("North and Central America, Caribbean", 0, 99),
    ("South America", 100, 199),
    ("Western Europe", 200, 299),
    ("Eastern Europe", 300, 399),
    ("West and Central Africa", 400, 499),
    ("East and Southern Africa", 500, 599),
    ("Middle East and North Africa", 600, 699),
    ("East Asia", 700, 799),
    ("South and Southeast Asia, Oceania", 800, 999),
)


class BacktestError(PactlabError):
    """A backtest cannot run as asked (bad years, unusable output folder...)."""


def _block(ccode: int, blocks) -> str:
    for name, lo, hi in blocks:
        if lo <= ccode <= hi:
            return name
    return "Other"


def region_of(ccode: int) -> str:
    return _block(ccode, REGIONS)


def subregion_of(ccode: int) -> str:
    return _block(ccode, SUBREGIONS)


def windows(y1: int, y2: int, width: int = WINDOW) -> list[tuple[int, int]]:
    """Consecutive windows (start, end) from y1, ``width`` years each, the last cut at y2."""
    if y2 < y1:
        raise BacktestError(f"--to ({y2}) is before --from ({y1})")
    return [(y, min(y + width - 1, y2)) for y in range(y1, y2 + 1, width)]


# --------------------------------------------------------------------------- time-bounded data
def _is_atop(key: str) -> bool:
    return "atop" in key


class _ViewCache(dict):
    """ATOP entries live in the view; everything else reads and writes the parent's cache (so a
    data set loaded through one view is loaded once)."""

    def __init__(self, parent: dict):
        super().__init__()
        self.parent = parent

    def get(self, key, default=None):
        if _is_atop(key):
            return super().get(key, default)
        return self.parent.get(key, default)

    def __getitem__(self, key):
        return super().__getitem__(key) if _is_atop(key) else self.parent[key]

    def __contains__(self, key):
        return super().__contains__(key) if _is_atop(key) else key in self.parent

    def __setitem__(self, key, value):
        if _is_atop(key):
            super().__setitem__(key, value)
        else:
            self.parent[key] = value


_END_COLS_A = ("endyr", "endmo", "endday")
_END_COLS_M = ("yrexit", "moexit", "dayexit", "termmode", "termcaus")
#: alliance-level columns never recomputed from phases (identity, dates, membership)
_KEEP_A = {"atopid", "begyr", "begmo", "begday", "endyr", "endmo", "endday", "ineffect", "censored", "members",
           "n_members", "cowid", "cow4id", "maxphase", "wartime", "source", "new4", "rev4", "version",
           "commitment"}


def _missing(col: pd.Series):
    return pd.NA if str(col.dtype) == "Int64" else None if col.dtype == object else np.nan


def truncate_atop(alliances: pd.DataFrame, members: pd.DataFrame, year: int
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ATOP as known at the start of ``year``: rows begun before it, later ends censored, and the
    alliance-level provisions recomputed from the phase in force at ``year - 1``.

    ATOP's alliance-level columns (``defense``, ``consul``, ``organ1``, ...) summarise every phase,
    later ones included; in the view each such column that the member file also holds is the
    maximum over the member rows in force at the end of ``year - 1`` (or, for an alliance no longer
    in force then, over its last known phase), and ``commitment`` follows from them."""
    from pactlab.data._loaders import commitment_of

    a = alliances.loc[alliances.begyr.to_numpy() < year].copy()
    m = members.loc[members.yrent.to_numpy() < year].copy()
    m = m.loc[m.atopid.isin(a.atopid)].copy()
    late = m.yrexit.notna().to_numpy() & (m.yrexit.fillna(0).to_numpy() >= year)
    for c in _END_COLS_M:
        if c in m.columns and late.any():
            m.loc[late, c] = _missing(m[c])
    m.loc[late, "censored"] = True
    late_a = a.endyr.notna().to_numpy() & (a.endyr.fillna(0).to_numpy() >= year)
    for c in _END_COLS_A:
        if c in a.columns and late_a.any():
            a.loc[late_a, c] = _missing(a[c])
    a.loc[late_a, "censored"] = True
    if "ineffect" in a.columns:
        a.loc[late_a, "ineffect"] = 1.0
    # phase-correct provisions: rows in force at the end of year - 1, else the latest phase known
    ex = m.yrexit.astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    live = ex > year - 1
    ph = m.phase.to_numpy()
    last_ph = m.assign(_p=ph).groupby("atopid")._p.transform("max").to_numpy()
    any_live = m.assign(_l=live).groupby("atopid")._l.transform("any").to_numpy()
    use = np.where(any_live, live, ph == last_ph)
    cols = [c for c in m.columns if c in a.columns and c not in _KEEP_A and c != "member"
            and pd.api.types.is_numeric_dtype(m[c]) and pd.api.types.is_numeric_dtype(a[c])]
    if cols:
        agg = m.loc[use].groupby("atopid")[cols].max()
        idx = a.atopid.map(lambda i: i in agg.index).to_numpy()
        for c in cols:
            vals = a.atopid.map(agg[c]).to_numpy(dtype=float)
            a[c] = np.where(idx, vals, a[c].to_numpy(dtype=float))
        if "defense" in cols and "consul" in cols:
            a["commitment"] = commitment_of(a.defense, a.consul)
    known = m.groupby("atopid").member.apply(lambda s: tuple(sorted(set(int(x) for x in s))))
    a["members"] = [known.get(i, ()) for i in a.atopid]
    a["n_members"] = a["members"].map(len).astype("int64")
    return a.reset_index(drop=True), m.reset_index(drop=True)


def data_before(data: DataDir, year: int) -> DataDir:
    """A view of ``data`` that shows ATOP only as known at the start of ``year`` (:func:`truncate_atop`).

    Other data sets are shared with ``data`` (loaded once). Non-ATOP data sets are facts about
    states (capabilities, borders, rivalries); everything here reads them for years before ``year``."""
    a, m = truncate_atop(data.atop_alliances(), data.atop_members(), year)
    v = copy.copy(data)
    v._cache = _ViewCache(data._cache)
    v._cache["atop_alliances"] = a
    v._cache["atop_members"] = m
    v.known_before = year  # type: ignore[attr-defined]
    return v


# --------------------------------------------------------------------------- pledges in force
def pledges_in_force(view: DataDir, year: int) -> dict[int, dict[int, int]]:
    """{atopid: {member: rank}} of memberships in force at the end of ``year`` (entered by then and not
    exited in or before it; rank 2 defence, 1 consultation, 0 other) -- the builder's rule for a
    theatre of ``year + 1``. Cached in the view (its ATOP entries are its own)."""
    return view._derived(f"_atop_pledges_{year}", lambda: _pledges(view, year))


def _pledges(view: DataDir, year: int) -> dict[int, dict[int, int]]:
    m = view.atop_members()
    ex = m.yrexit.astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    sel = (m.yrent.to_numpy() <= year) & (ex > year)
    out: dict[int, dict[int, int]] = {}
    d = np.nan_to_num(m.defense.to_numpy(dtype=float))[sel]
    c = np.nan_to_num(m.consul.to_numpy(dtype=float))[sel]
    for aid, mem, dd, cc in zip(m.atopid.to_numpy()[sel].tolist(), m.member.to_numpy()[sel].tolist(), d, c):
        r = 2 if dd >= 1 else (1 if cc >= 1 else 0)
        dm = out.setdefault(int(aid), {})
        dm[int(mem)] = max(dm.get(int(mem), 0), r)
    return out


def allies_of(view: DataDir, ccode: int, year: int, min_rank: int = 1) -> set[int]:
    """States sharing with ``ccode`` an alliance in force at the end of ``year`` in which both hold at
    least ``min_rank`` (1: consultation or defence; 0: any ATOP alliance)."""
    out: set[int] = set()
    for mem in pledges_in_force(view, year).values():
        if mem.get(ccode, -1) >= min_rank:
            out |= {k for k, r in mem.items() if r >= min_rank}
    return out - {ccode}


# --------------------------------------------------------------------------- adversary rules
@dataclass(frozen=True)
class AdversaryChoice:
    ccode: int | None
    rule: str  # 'td-rival' | 'strongest-major' | 'war-opponent' | 'none'
    reference_year: int
    candidates: tuple[tuple[int, float], ...] = ()
    is_rival: bool | None = None  # a Thompson-Dreyer rival of the patron in the reference year
    is_ally: bool | None = None  # holds a defence/consultation pledge with the patron at its end

    def diagnostic(self) -> str:
        bits = []
        if self.is_rival is False:
            bits.append("not a rival of the patron")
        if self.is_ally:
            bits.append("an ally of the patron")
        return "; ".join(bits)


def members_at_end(data: DataDir, year: int) -> frozenset[int]:
    """COW system members on 31 December of ``year``."""
    def build():
        s = data.states()
        day = pd.Timestamp(year=year, month=12, day=31)
        m = (s.stdate <= day).to_numpy() & (s.enddate >= day).to_numpy()
        return frozenset(int(c) for c in s.ccode.to_numpy()[m])
    return data._derived(f"_members_at_end_{year}", build)


def exists_at_end(data: DataDir, ccode: int, year: int) -> bool:
    """Is ``ccode`` a COW system member on 31 December of ``year``?"""
    return int(ccode) in members_at_end(data, year)


def capitals_in(data: DataDir, year: int) -> dict[int, tuple[float, float]]:
    """{ccode: (lat, lng)} of each state's capital in ``year`` (the spell begun latest in the year)."""
    def build():
        c = data.capitals()
        m = (c.styear.to_numpy() <= year) & (c.endyear.to_numpy() >= year)
        sub = c.loc[m].sort_values("stdate")
        return {int(k): (float(la), float(ln)) for k, la, ln in zip(sub.ccode, sub.lat, sub.lng)}
    return data._derived(f"_capitals_{year}", build)


def _ranked(view: DataDir, cands: Iterable[int], exclude: set[int], ref: int) -> list[tuple[int, float]]:
    out = []
    for c in sorted(set(cands) - exclude):
        if not exists_at_end(view, c, ref):
            continue
        v = view.cinc(c, ref)
        if v == v:
            out.append((int(c), float(v)))
    return sorted(out, key=lambda x: (-x[1], x[0]))


def _war_opponents(view: DataDir, patron: int, ref: int) -> list[int]:
    """The patron's opponents in its most recent COW inter-state war year up to ``ref``."""
    try:
        w = view.war_years()
    except Exception:  # noqa: BLE001 - the war file is optional; the rule then has no candidate
        return []
    w = w.loc[(w.ccode1.to_numpy() == patron) & (w.year.to_numpy() <= ref)]
    if w.empty:
        return []
    last = int(w.year.max())
    return sorted(set(w.ccode2[w.year.to_numpy() == last].astype(int).tolist()))


def choose_adversary(view: DataDir, patron: int, start: int, rule: str = "rival") -> AdversaryChoice:
    """The episode's adversary, from data of year ``start - 1`` only (never from who signs).

    ``rule='rival'`` (the default):

    1. the patron's Thompson-Dreyer rival in force in ``start - 1`` with the highest CINC that year,
       among states that exist on 31 December;
    2. else the major power of ``start - 1`` with the highest CINC that exists on 31 December and holds
       no defence or consultation pledge with the patron in force at the end of that year;
    3. else none (the episode is listed as skipped).

    ``rule='war'``: the opponent with the highest CINC in the patron's most recent COW inter-state
    war year up to ``start - 1`` that exists on 31 December; else steps 1-3 above.
    Either way the choice records whether the adversary is a rival of the patron and whether it is
    the patron's ally (the diagnostics docs/evidence.md reports)."""
    if rule not in ADVERSARY_RULES:
        raise BacktestError(f"--adversary-rule: expected one of {', '.join(ADVERSARY_RULES)}, got {rule!r}")
    ref = start - 1
    lo, hi = view._coverage("td_rivalries")
    rivals = view.rivals(patron, ref) if lo <= ref <= hi else None
    allies = allies_of(view, patron, ref)
    choice = None
    if rule == "war":
        r = _ranked(view, _war_opponents(view, patron, ref), {patron}, ref)
        if r:
            choice = (r[0][0], "war-opponent", tuple(r))
    if choice is None:
        r = _ranked(view, rivals or [], {patron}, ref)
        if r:
            choice = (r[0][0], "td-rival", tuple(r))
    if choice is None:
        r = _ranked(view, view.majors_in(ref), {patron} | allies, ref)
        if r:
            choice = (r[0][0], "strongest-major", tuple(r))
    if choice is None:
        return AdversaryChoice(None, "none", ref)
    c, how, cands = choice
    return AdversaryChoice(c, how, ref, cands, is_rival=None if rivals is None else c in rivals,
                           is_ally=c in allies)


# --------------------------------------------------------------------------- distances and threat
def _great_circle(lat1, lng1, lat2, lng2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lng2) - np.asarray(lng1))
    c = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    return 6371.0 * np.arccos(np.clip(c, -1.0, 1.0))


def distances_km(view: DataDir, a: int, others: list[int], year: int) -> np.ndarray:
    """Minimum distance (km) from ``a`` to each of ``others`` in ``year``: CShapes minimum distance for
    the year (or the latest earlier year within :data:`FALLBACK_YEARS`), else 0 for a land border, else
    the great-circle distance between capitals, else NaN."""
    others = list(others)
    out = np.full(len(others), np.nan)
    if not others:
        return out
    try:
        lo, hi = view._coverage("mindist")
    except Exception:  # noqa: BLE001 - optional data set
        lo, hi = None, None
    if lo is not None:
        for y in range(min(year, hi), max(year - FALLBACK_YEARS, lo) - 1, -1):
            miss = np.isnan(out)
            if not miss.any():
                break
            d = view.min_distances(np.full(int(miss.sum()), a), np.array(others)[miss], np.full(int(miss.sum()), y))
            out[miss] = d
    miss = np.isnan(out)
    if miss.any():
        land = contiguity_map(view, year)
        for k in np.flatnonzero(miss):
            if land.get((min(a, others[k]), max(a, others[k]))) == 1:
                out[k] = 0.0
    miss = np.isnan(out)
    if miss.any():
        try:
            caps = capitals_in(view, year)
        except Exception:  # noqa: BLE001 - capitals are optional
            caps = {}
        ca = caps.get(a)
        for k in np.flatnonzero(miss):
            cb = caps.get(others[k])
            if ca and cb:
                out[k] = float(_great_circle(ca[0], ca[1], cb[0], cb[1]))
    return out


def contiguity_map(view: DataDir, year: int) -> dict[tuple[int, int], int]:
    """{(low, high): conttype} of direct contiguity in ``year`` (the latest file year if later)."""
    lo, hi = view._coverage("contiguity")
    y = min(year, hi)
    f = view.contiguity_frame(y)
    out: dict[tuple[int, int], int] = {}
    for a, b, t in zip(f.ccode1.tolist(), f.ccode2.tolist(), f.conttype.tolist()):
        k = (min(a, b), max(a, b))
        out[k] = min(out.get(k, 9), int(t))
    return out


def _cinc_near(view: DataDir, c: int, year: int) -> float:
    for y in range(year, year - FALLBACK_YEARS - 1, -1):
        v = view.cinc(c, y)
        if v == v:
            return float(v)
    return float("nan")


def threat_scores(view: DataDir, adversary: int, states: list[int], year: int) -> np.ndarray:
    """The adversary's threat to each state in ``year`` (rule TH-rank, docs/evidence.md):
    ``a / (a + c_i)`` with ``a = c_A exp(-d_Ai / 1000 km)``, ``c`` the CINC (latest year within 10) and
    ``d`` the minimum distance (0 for a land border). NaN where a CINC or distance is missing."""
    ca = _cinc_near(view, adversary, year)
    d = distances_km(view, adversary, states, year)
    ci = np.array([_cinc_near(view, c, year) for c in states])
    a = ca * np.exp(-d / THREAT_SCALE_KM)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = a / (a + np.maximum(ci, 1e-9))
    return t


# --------------------------------------------------------------------------- coding options
@dataclass(frozen=True)
class Coding:
    """Alternative coding rules for a sensitivity analysis (docs/evidence.md, "Two coding remedies").
    Both are off by default: the default rules are the frozen ones.

    ``held_level_renewal``: a new pledge with the patron at a level a client already holds with the
    patron (at the end of the year before the window) is read as a renewal for that client: it is left
    out of the client's outcomes (participation and design), as a pledge carried on; an event in which
    every client already holds the level is a renewal. Only foundings led by the patron are read so
    (accessions and upgrades are as by default).

    ``sovereign_in_window``: a client is coded as sovereign (S1 ``full``) if it is a COW system member
    in any year of the window, not only in the year before; the same rule for every client of every
    theatre. It reads the COW state list for the window's years (flagged in the value's note)."""

    held_level_renewal: bool = False
    sovereign_in_window: bool = False

    def flags(self) -> dict[str, bool]:
        return {"held_level_renewal": self.held_level_renewal, "sovereign_in_window": self.sovereign_in_window}

    def label(self) -> str:
        on = [k.replace("_", "-") for k, v in self.flags().items() if v]
        return ", ".join(on) or "default"


# --------------------------------------------------------------------------- episodes
@dataclass(frozen=True)
class Candidate:
    ccode: int
    region: str
    threat: float  # TH-rank score (NaN: missing data; ranked last)
    why: tuple[str, ...]  # which candidate criteria it meets
    major: bool
    signer: bool  # a member of one of the episode's events
    y: int  # 1: a new pledge with the patron in the window (the participation outcome)
    # 'new' | 'upgrade' | 'accession' (a new pledge with the patron) | 'incumbent' (a member of a pact others
    # accede to) | 'renewal' | 'clients-only' | 'other-patron' (signed only with another major) | 'none'
    status: str
    #: counts in the in-scope subset: False for a state whose only events here are out of scope (wartime or
    #: symmetric), a unit whose outcome belongs to another process
    in_scope: bool = True


@dataclass(frozen=True)
class EpisodeEvent:
    event: RecordEvent
    role: str  # 'patron' (led by the episode's patron) | 'clients-only'
    status: str  # 'new' | 'upgrade' | 'accession' | 'renewal'
    clients: tuple[int, ...]  # its members in the episode other than the patron (and the adversary)
    left_out: tuple[tuple[int, str], ...] = ()  # members not in any theatre, with the reason
    #: clients read as carrying on (``Coding.held_level_renewal``): they already held, with the patron, a
    #: pledge at the event's level or higher, so the event is no new pledge for them
    renewing: tuple[int, ...] = ()

    @property
    def new_clients(self) -> tuple[int, ...]:
        """The clients for whom the event is a new treaty (all of them, less those carrying on)."""
        return tuple(c for c in self.clients if c not in self.renewing)

    @property
    def with_patron(self) -> bool:
        return self.role == "patron"

    @property
    def new(self) -> bool:
        """Part of the outcome (a renewal is a pledge carried on, not a new treaty)."""
        return self.status != "renewal"


@dataclass(frozen=True)
class DesignPart:
    region: str
    clients: tuple[int, ...]  # signers first (code order), then non-signers by threat
    signers: tuple[int, ...]
    split: str = ""  # '' | 'subregion' | 'chunk' (parts of one region split to stay within MAX_CLIENTS)
    later_fallback: tuple[int, ...] = ()  # states with no COW record before the window (flagged fallbacks)

    def label(self) -> str:
        return self.region + (f" ({self.split})" if self.split else "")


@dataclass
class Episode:
    patron: int
    start: int
    end: int
    adversary: AdversaryChoice
    candidates: tuple[Candidate, ...] = ()
    events: tuple[EpisodeEvent, ...] = ()
    parts: tuple[DesignPart, ...] = ()
    sample: tuple[tuple[int, int, float], ...] = ()  # participation sample: (ccode, y, weight)
    parts_in_scope: tuple[DesignPart, ...] = ()  # the design parts of the in-scope subset
    skip: str | None = None
    outside_rule: tuple[tuple[int, str], ...] = ()  # signers that are not candidates, with the reason
    dropped: tuple[tuple[int, str], ...] = ()  # signers in no theatre (not COW states), with the reason
    split_pairs: tuple[tuple[int, int], ...] = ()  # signer pairs that ended up in different parts
    other_led: tuple[int, ...] = ()  # events led by another major with members among the candidates
    with_adversary: tuple[int, ...] = ()  # events in which the adversary itself takes part

    @property
    def key(self) -> str:
        return f"{self.patron}@{self.start}-{self.end}"

    @property
    def signers(self) -> tuple[int, ...]:
        return tuple(sorted({c for e in self.events for c in e.clients}))

    @property
    def fully_in_scope(self) -> bool:
        """No out-of-scope (wartime or symmetric) event among the episode's events."""
        return all(e.event.in_scope for e in self.events)

    def scope_parts(self, scope: str) -> tuple[DesignPart, ...]:
        return self.parts if scope == "all" else self.parts_in_scope

    def scope_sample(self, scope: str) -> tuple[tuple[int, int, float], ...]:
        if scope == "all":
            return self.sample
        keep = {c.ccode for c in self.candidates if c.in_scope}
        return tuple(x for x in self.sample if x[0] in keep)

    def scope_events(self, scope: str) -> tuple[EpisodeEvent, ...]:
        return self.events if scope == "all" else tuple(e for e in self.events if e.event.in_scope)

    @property
    def new_events(self) -> tuple[EpisodeEvent, ...]:
        return tuple(e for e in self.events if e.new)


@dataclass
class EpisodeSet:
    episodes: list[Episode]
    release_end: int
    last_begyr: int
    y1: int
    y2: int
    adversary_rule: str = "rival"
    notes: list[str] = field(default_factory=list)
    coding: Coding = field(default_factory=Coding)


def _u01(*key) -> float:
    """A reproducible uniform draw from a key (no global random state: the same unit gets the same
    draw in every run and in every order)."""
    h = hashlib.sha256(":".join(str(k) for k in key).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64


def participation_sample(patron: int, start: int, cands: list[Candidate], controls: int = CONTROLS,
                         seed: int = 0) -> tuple[tuple[int, int, float], ...]:
    """Weighted case-control sample: every candidate with a new pledge (``y = 1``) is kept with weight
    1; each other candidate is kept with probability ``q = min(1, controls / n0)`` (``n0`` the number of
    non-signing candidates) and weight ``1 / q``, by a reproducible draw keyed on the episode and state."""
    n0 = sum(1 for c in cands if c.y == 0)
    q = 1.0 if n0 == 0 else min(1.0, controls / n0)
    out = []
    for c in cands:
        if c.y == 1:
            out.append((c.ccode, 1, 1.0))
        elif q >= 1.0 or _u01(seed, patron, start, c.ccode) < q:
            out.append((c.ccode, 0, 1.0 / q))
    return tuple(out)


def _classify(ev: RecordEvent, patron: int | None, clients: tuple[int, ...],
              inforce: dict[int, dict[int, int]]) -> str:
    """new / upgrade / accession / renewal, against the pledges in force at the end of the year before."""
    if ev.kind == "accession":
        return "accession"
    need = LEVEL_RANK[ev.level]
    if patron is not None:
        pacts = [m for m in inforce.values() if patron in m]
        held = {c: max((m.get(c, -1) for m in pacts if c in m), default=-1) for c in clients}
        pairs_ok = all(any(a in m and b in m for m in pacts)
                       for i, a in enumerate(clients) for b in clients[i + 1:])
        if all(h >= 1 for h in held.values()) and pairs_ok:
            return "renewal" if all(h >= need for h in held.values()) else "upgrade"
        return "new"
    pairs = [(a, b) for i, a in enumerate(clients) for b in clients[i + 1:]]
    ok = all(any(m.get(a, -1) >= need and m.get(b, -1) >= need for m in inforce.values()) for a, b in pairs)
    return "renewal" if pairs and ok else "new"


def _held_at_level(ev: RecordEvent, patron: int, clients: tuple[int, ...],
                   inforce: dict[int, dict[int, int]]) -> tuple[int, ...]:
    """The clients that hold, with ``patron``, a pledge in force (end of the year before) at ``ev``'s
    level or higher (``Coding.held_level_renewal``)."""
    need = LEVEL_RANK[ev.level]
    pacts = [m for m in inforce.values() if patron in m]
    return tuple(c for c in clients if max((m.get(c, -1) for m in pacts if c in m), default=-1) >= need)


def _known_state(view: DataDir, c: int, ref: int) -> str:
    """'member' | 'lapsed' (a member within FALLBACK_YEARS before) | 'later' (enters the system within
    FALLBACK_YEARS after) | 'not-cow' (no COW code) | 'unknown' (outside those limits)."""
    s = view.states()
    m = s.ccode.to_numpy() == c
    if not m.any():
        return "not-cow"
    if view.is_state(c, ref):
        return "member"
    sy, ey = s.styear.to_numpy()[m], s.endyear.to_numpy()[m]
    if ((sy <= ref) & (ey >= ref - FALLBACK_YEARS)).any():
        return "lapsed"
    if ((sy > ref) & (sy <= ref + FALLBACK_YEARS)).any():
        return "later"
    return "unknown"


_KNOWN_WHY = {"not-cow": "not a COW state code (ATOP-only code): no data to build a theatre from",
              "unknown": "not a COW system member within 10 years of the year before the window"}


def _parts(signers: list[int], nonsigners: list[Candidate], regions: list[str], max_clients: int,
           later: set[int]) -> tuple[list[DesignPart], list[tuple[int, int]]]:
    parts: list[DesignPart] = []
    by_reg: dict[str, list[int]] = {}
    for c in signers:
        by_reg.setdefault(region_of(c), []).append(c)
    names = [r[0] for r in REGIONS]
    regs = sorted(set(by_reg) | set(regions), key=lambda r: names.index(r) if r in names else 99)
    for reg in regs:
        sg = sorted(by_reg.get(reg, []))
        groups: list[tuple[list[int], str]]
        if len(sg) <= max_clients:
            groups = [(sg, "")]
        else:
            subs: dict[str, list[int]] = {}
            for c in sg:
                subs.setdefault(subregion_of(c), []).append(c)
            groups = []
            for sub in sorted(subs, key=lambda s: min(subs[s])):
                cs = subs[sub]
                if len(cs) <= max_clients:
                    groups.append((cs, "subregion"))
                else:
                    k = math.ceil(len(cs) / max_clients)
                    size = math.ceil(len(cs) / k)
                    groups += [(cs[i:i + size], "chunk") for i in range(0, len(cs), size)]
        fill = [c.ccode for c in nonsigners if c.region == reg]
        for cs, split in groups:
            room = max_clients - len(cs)
            extra = fill[:room] if split == "" else []
            parts.append(DesignPart(reg, tuple(cs) + tuple(extra), tuple(cs), split,
                                    tuple(sorted(c for c in cs if c in later))))
    where = {c: k for k, p in enumerate(parts) for c in p.signers}
    return parts, [(a, b) for i, a in enumerate(sorted(where)) for b in sorted(where)[i + 1:]
                   if where[a] != where[b]]


def build_episodes(data: DataDir, y1: int, y2: int, adversary_rule: str = "rival", controls: int = CONTROLS,
                   max_clients: int = MAX_CLIENTS, seed: int = 0, coding: Coding | None = None) -> EpisodeSet:
    """Every episode of the windows in [y1, y2] by the v2 rules (module docstring; docs/evidence.md).
    ``coding``: alternative coding rules (:class:`Coding`; default: the frozen rules)."""
    coding = coding or Coding()
    if adversary_rule not in ADVERSARY_RULES:
        raise BacktestError(f"--adversary-rule: expected one of {', '.join(ADVERSARY_RULES)}, got {adversary_rule!r}")
    al = data.atop_alliances()
    _, release_end = data.atop_coverage()
    last_beg = int(al.begyr.max())
    notes: list[str] = []
    if y2 > last_beg:
        notes.append(f"the ATOP file's last alliance began in {last_beg}; later windows have no events")
    eps: list[Episode] = []
    for ws, we in windows(y1, y2):
        ref = ws - 1
        if not data.majors_in(ref):
            continue
        view = data_before(data, ws)
        events = window_events(data, ws, we)
        inforce = pledges_in_force(view, ref)
        cont = contiguity_map(view, ref)
        members = [int(c) for c in view.system_members(ref) if exists_at_end(view, int(c), ref)]
        for p in sorted(data.majors_in(ref)):
            eps.append(_episode(view, p, ws, we, events, inforce, cont, members, adversary_rule, controls,
                                max_clients, seed, coding))
    return EpisodeSet(eps, release_end=release_end, last_begyr=last_beg, y1=y1, y2=y2,
                      adversary_rule=adversary_rule, notes=notes, coding=coding)


def _episode(view: DataDir, p: int, ws: int, we: int, events: list[RecordEvent], inforce, cont, members,
             adversary_rule: str, controls: int, max_clients: int, seed: int,
             coding: Coding | None = None) -> Episode:
    ref = ws - 1
    adv = choose_adversary(view, p, ws, adversary_rule)
    if adv.ccode is None:
        led = tuple(e.atopid for e in events if e.lead == p)
        return Episode(p, ws, we, adv, skip="no adversary by the rule (no rival, no unallied major power in "
                       "the year before)", other_led=led)
    A = adv.ccode
    # candidates (outcome-free); the adversary's side (rule A1: a defence or consultation pledge with it in
    # force, none with the patron) are aligned adversaries in a theatre, not candidates
    any_ally = allies_of(view, p, ref, min_rank=0)
    adv_side = allies_of(view, A, ref) - allies_of(view, p, ref)
    pool = [c for c in members if c not in (p, A) and c not in adv_side]
    near = distances_km(view, A, pool, ref)
    reach = {region_of(p), region_of(A)} | {region_of(b) for (x, y) in cont for a, b in ((x, y), (y, x))
                                             if a in (p, A)}
    majors = set(view.majors_in(ref))
    why: dict[int, list[str]] = {}
    for c, d in zip(pool, near):
        w = []
        if (min(c, p), max(c, p)) in cont:
            w.append("contiguous-patron")
        if (min(c, A), max(c, A)) in cont:
            w.append("contiguous-adversary")
        if c in any_ally:
            w.append("allied-patron")
        if d == d and d <= NEAR_ADVERSARY_KM:
            w.append("near-adversary")
        if region_of(c) in reach:
            w.append("region")
        if c in majors:
            w.append("major")
        if w:
            why[c] = w
    # events of this episode: led by the patron, or clients-only with two or more members among candidates
    eev: list[EpisodeEvent] = []
    other_led, with_adv = [], []
    for ev in events:
        if ev.lead == p:
            role = "patron"
            cl = tuple(c for c in ev.members if c != p)
        elif ev.lead is None and len(set(ev.members) & set(why)) >= 2:
            role = "clients-only"
            cl = tuple(c for c in ev.members if c in why)
        else:
            if ev.lead is not None and set(ev.members) & set(why):
                other_led.append(ev.atopid)
            continue
        if A in cl:
            with_adv.append(ev.atopid)
            cl = tuple(c for c in cl if c != A)
        if not cl:
            continue
        status = _classify(ev, p if role == "patron" else None, cl, inforce)
        renewing: tuple[int, ...] = ()
        if coding is not None and coding.held_level_renewal and role == "patron" and status == "new":
            renewing = _held_at_level(ev, p, cl, inforce)
            if len(renewing) == len(cl):
                status, renewing = "renewal", ()
        eev.append(EpisodeEvent(ev, role, status, cl, renewing=renewing))
    # participation outcome of each candidate
    new_with_p: dict[int, str] = {}
    for e in eev:
        if e.role != "patron":
            continue
        who = e.event.entrants if e.status == "accession" else e.clients
        for c in e.clients:
            if c in e.renewing:
                continue
            if e.status in ("new", "upgrade") or (e.status == "accession" and c in who):
                new_with_p.setdefault(c, e.status)
    signer_set = {c for e in eev for c in e.clients}
    in_ev = {c for e in eev if e.event.in_scope for c in e.clients}
    out_only = {c for e in eev if not e.event.in_scope for c in e.clients} - in_ev
    cl_codes = sorted(why)
    def _status(c: int) -> str:
        if c in new_with_p:
            return new_with_p[c]
        mine = [e for e in eev if e.role == "patron" and c in e.clients]
        if any(e.status == "accession" for e in mine):
            return "incumbent"  # already in the pact others accede to
        return "renewal" if mine else "clients-only"

    status_of = {c: _status(c) for c in signer_set}
    thr = threat_scores(view, A, cl_codes, ref)
    other_members = {c for ev in events if ev.lead not in (None, p) for c in ev.members}
    cands = []
    for c, t in zip(cl_codes, thr):
        y = int(c in new_with_p)
        st = status_of.get(c) or ("other-patron" if c in other_members else "none")
        cands.append(Candidate(c, region_of(c), float(t), tuple(why[c]), bool(view.is_major(c, ref)),
                               c in signer_set, y, st, c not in out_only))
    # signers outside the candidate rule, and the ones no theatre can hold
    outside, dropped, later = [], [], set()
    for c in sorted(signer_set - set(why)):
        k = _known_state(view, c, ref)
        if k == "member":
            outside.append((c, "meets none of the candidate criteria"))
        elif k == "lapsed":
            outside.append((c, f"not a COW system member in {ref} (lapsed within {FALLBACK_YEARS} years)"))
        elif k == "later":
            outside.append((c, f"not yet a COW system member in {ref} (enters within {FALLBACK_YEARS} years)"))
            later.add(c)
        else:
            outside.append((c, _KNOWN_WHY[k]))
            dropped.append((c, _KNOWN_WHY[k]))
    gone = {c for c, _ in dropped}
    if gone:
        eev = [EpisodeEvent(e.event, e.role, e.status, tuple(c for c in e.clients if c not in gone),
                            tuple((c, r) for c, r in dropped if c in e.clients),
                            tuple(c for c in e.renewing if c not in gone)) for e in eev]
        eev = [e for e in eev if e.clients or e.left_out]
    signers = sorted(signer_set - gone)
    # design parts: regions with a signer, and the region of the highest-threat candidate
    ranked = sorted(cands, key=lambda c: (-(c.threat if c.threat == c.threat else -1), c.ccode))
    nons = [c for c in ranked if not c.signer]
    regions = [ranked[0].region] if ranked else []
    parts, split_pairs = _parts(signers, nons, regions, max_clients, later)
    # the in-scope subset: out-of-scope events and the states only they hold are left out
    parts_in, _ = _parts([c for c in signers if c in in_ev], [c for c in nons if c.ccode not in out_only],
                         regions, max_clients, later)
    sample = participation_sample(p, ws, cands, controls, seed)
    return Episode(p, ws, we, adv, tuple(cands), tuple(eev), tuple(parts), sample, tuple(parts_in), None,
                   tuple(outside), tuple(dropped), tuple(split_pairs), tuple(sorted(set(other_led))),
                   tuple(sorted(set(with_adv))))


# --------------------------------------------------------------------------- counts
def counts_table(es: EpisodeSet) -> pd.DataFrame:
    """Per window and scope ('all'; 'in-scope': out-of-scope events and the states only they hold left
    out): episodes (with a new pledge, with no new treaty), candidates, new pledges, sampled controls,
    signers, design parts and their clients, events by status, and the accounting of signers."""
    rows = []
    for ws, we in windows(es.y1, es.y2):
        for scope in ("all", "in-scope"):
            eps = [e for e in es.episodes if e.start == ws and e.skip is None]
            sk = [e for e in es.episodes if e.start == ws and e.skip is not None]
            ev = [x for e in eps for x in e.scope_events(scope)]
            cands = [c for e in eps for c in e.candidates if scope == "all" or c.in_scope]
            parts = [p for e in eps for p in e.scope_parts(scope)]
            rows.append({
                "window": f"{ws}-{we}", "scope": scope, "episodes": len(eps),
                "with_new_pledge": sum(1 for e in eps if any(c.y for c in e.candidates
                                                             if scope == "all" or c.in_scope)),
                "negative": sum(1 for e in eps if not any(x.new for x in e.scope_events(scope))),
                "skipped": len(sk),
                "candidates": len(cands),
                "new_pledges": sum(c.y for c in cands),
                "sampled_controls": sum(1 for e in eps for _, y, _ in e.scope_sample(scope) if y == 0),
                "signers": sum(len(p.signers) for p in parts),
                "design_parts": len(parts),
                "design_clients": sum(len(p.clients) for p in parts),
                "events_new": sum(1 for x in ev if x.status == "new"),
                "events_upgrade": sum(1 for x in ev if x.status == "upgrade"),
                "events_accession": sum(1 for x in ev if x.status == "accession"),
                "events_renewal": sum(1 for x in ev if x.status == "renewal"),
                "events_clients_only": sum(1 for x in ev if x.role == "clients-only"),
                "events_out_of_scope": sum(1 for e in eps for x in e.events if not x.event.in_scope)
                if scope == "all" else 0,
                "outside_rule": sum(len(e.outside_rule) for e in eps),
                "not_buildable": sum(len(e.dropped) for e in eps),
                "split_pairs": sum(len(e.split_pairs) for e in eps) if scope == "all" else
                sum(_n_split(e.parts_in_scope) for e in eps),
            })
    return pd.DataFrame(rows)


def _n_split(parts) -> int:
    where = {c: k for k, p in enumerate(parts) for c in p.signers}
    cs = sorted(where)
    return sum(1 for i, a in enumerate(cs) for b in cs[i + 1:] if where[a] != where[b])


def adversary_diagnostics(es: EpisodeSet) -> dict:
    """Share of episodes whose adversary is not a rival of the patron, or is its ally (N beside; the
    share is None when there is no episode)."""
    eps = [e for e in es.episodes if e.skip is None]
    known = [e for e in eps if e.adversary.is_rival is not None]
    not_rival = sum(1 for e in known if not e.adversary.is_rival)
    ally = sum(1 for e in eps if e.adversary.is_ally)
    either = sum(1 for e in eps if e.adversary.is_ally or e.adversary.is_rival is False)
    rules: dict[str, int] = {}
    for e in eps:
        rules[e.adversary.rule] = rules.get(e.adversary.rule, 0) + 1
    return {"n": len(eps), "n_rivalry_known": len(known), "not_rival": not_rival, "ally": ally,
            "not_rival_or_ally": either, "share_not_rival_or_ally": either / len(eps) if eps else None,
            "rules": dict(sorted(rules.items())), "adversary_rule": es.adversary_rule}
