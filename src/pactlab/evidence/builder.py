"""Theatre builder: a scenario built from the COW and ATOP records alone.

``build_theatre(data, patron, year, clients, adversary)`` returns a scenario
dict (the format of the hand-written YAML files, accepted by
:func:`pactlab.scenarios.loader.parse_scenario`) for a patron, a year, a set of
clients and an adversary. ``write_yaml(d, path)`` writes it as a readable file
whose header says which data (and versions) it came from and which values are
neutral fallbacks to edit by hand.

Time order
----------
A scenario for year Y is built from data for Y-1 or earlier, never from Y or
later: every read goes through :class:`_Past`, which raises
:class:`TimeOrderError` if asked for a year >= Y. ATOP dates alliances by
year, so "in force before the year" means *begun in a year < Y and not ended by
the end of Y-1* (the Brussels Treaty, signed 17 March 1948, is absent from a
1948 build and present in a 1949 build). ``record`` and ``events`` are never
written. The one opt-in exception, ``allow_later=True``, applies the
codebook's own fallback for states with no record in the year before (CAP1
fallback 1, GEO1 fallbacks: the first later year) and marks every such value
``TIME-ORDER EXCEPTION``; backtests must leave it off.

Rules implemented (docs/codebook.md; docs/evidence.md lists them with examples)
------------------------------------------------------------------------------
CAP1 CINC, year before (latest earlier year if missing, flagged FALLBACK);
GEO1 contiguity on 1 July of the year before, minimum distance for the year
before (latest earlier year, else great-circle distance between capitals,
flagged); GEO2 overland = joined by a path of land contiguity in the year
before; T1 ATOP alliances in force among the actors (defence > consultation);
A1 aligned adversaries = states with an ATOP defence (1.0) or consultation
(0.6) pledge in force with the adversary, less those pledged to the patron
too; D1 war within 10 years (COW), no ATOP alliance -> 0.3; TREND1 from the
adversary's CINC; CAP2 shares of the state-system milex and milper totals (year before, same
fallbacks as CAP1; no share where the state's own value is missing); GEO3 capital-to-capital
distance on every tie (capitals table, year before; a clear note when the table is absent);
OTH1 (data rule) a rival for each client: the opponent in its most recent COW inter-state war,
else a Thompson-Dreyer rivalry in force in the year before, that is not on the adversary side,
the patron or a client (largest CINC among several). Data proxies (rule ``*-proxy``): MR1-proxy (the codebook's
anchor where it names the state and era, else major power 0.6 / CINC rank in
the top 10 0.3 / otherwise 0.1; not a system member 0.1), P2-proxy (ATOP pledge with the patron), S1-proxy (a lapsed COW
membership = occupied), D1-proxy (a strategic rivalry between two clients).
Not in the data, so neutral fallbacks marked ``NOT IN THE DATA``: PROV1 0,
DIV1 0.5 (the codebook fallback; the note lists the client's rivalries and
threat scores as evidence for the coder), ECON1 0.1, S1 full, LEV1 0,
MAXC1 defend. FOOT1 footholds (forces stationed abroad) are not in the data
and none are written; the adversary side's reach enters through the geography
ties of the adversary and of every aligned adversary to each client.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from pactlab.data import DataDir, open_data
from pactlab.data._files import DataFileMissing
from pactlab.data.measures import (
    EARTH_RADIUS_KM,
    CapitalDistance,
    capital_distance,
    haversine_km,
    nmc_measures,
    share_note,
)
from pactlab.errors import DataError, PactlabError

__all__ = [
    "BuildDataError", "BuildInputError", "TimeOrderError", "build_theatre", "write_yaml",
    "NOT_IN_DATA", "DEFAULT_WINDOW", "check_years",
]

#: how many years a data fallback may reach back (or, with allow_later, forward)
DEFAULT_WINDOW = 10
#: marker opening the note of every neutral fallback value (the header lists them)
NOT_IN_DATA = "NOT IN THE DATA"
TIME_ORDER_EXCEPTION = "TIME-ORDER EXCEPTION"
COW_URL = "https://correlatesofwar.org/data-sets/"
ATOP_URL = "http://www.atopdata.org/"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class BuildInputError(PactlabError):
    """The patron, clients, adversary or year given to the builder cannot make a theatre."""


class BuildDataError(DataError):
    """A fact the builder needs is not in the data for the year before (nor in the fallback window)."""


class TimeOrderError(PactlabError):
    """The builder was asked to read data from the scenario year or later (a bug, never a user error)."""


def _outside(info, subject: str, need: str, edge: str) -> BuildDataError:
    """The one message for years a data set does not cover (a built theatre's year, a range of windows)."""
    return BuildDataError(f"{subject} outside the data: {need}, and {info.path.name} "
                          f"(version {info.version}) {edge}")


def check_years(data: DataDir, keys, y1: int, y2: int, option: str = "--from/--to") -> None:
    """Refuse the years ``y1``-``y2`` when they hold no year of one of the data sets ``keys`` (the
    coverage the builder checks for one theatre's year, applied to a range of windows)."""
    for key in keys:
        info = data.info(key)
        if info.coverage is None:
            continue
        lo, hi = info.coverage
        if y2 < lo or y1 > hi:
            edge = f"begins in {lo}" if y2 < lo else f"ends in {hi}"
            raise _outside(info, f"the years {y1}-{y2} are", f"their windows need {info.title}",
                           f"{edge}. Give {option} years within {lo}-{hi}.")


# ----------------------------------------------------------------------------------------- caches

_CACHES: "weakref.WeakKeyDictionary[DataDir, dict]" = weakref.WeakKeyDictionary()


def _cache(data: DataDir) -> dict:
    c = _CACHES.get(data)
    if c is None:
        c = {}
        _CACHES[data] = c
    return c


def _memo(data: DataDir, key: Any, build):
    c = _cache(data)
    v = c.get(key)
    if v is None:
        v = build()
        c[key] = v
    return v


def _optional(fn, default=None):
    """Run a reader of an optional data set; a missing file gives ``default``."""
    try:
        return fn()
    except DataFileMissing:
        return default


#: memo value for "no capital spell" (a module constant, so cached entries compare by identity)
_NO_CAPITAL = object()


# ----------------------------------------------------------------------------------------- the past


class _Past:
    """Every data read of one build. Refuses any year >= the scenario year (unless a flagged
    ``allow_later`` fallback asks for it) and knows each data set's reference year."""

    def __init__(self, data: DataDir, year: int, allow_later, window: int):
        self.data = data
        self.Y = int(year)
        # True: every state; a collection of codes: only those states (a backtest's states born in the window)
        self.later_states = None if allow_later is True else frozenset(int(c) for c in (allow_later or ()))
        self.allow_later = allow_later is True or bool(self.later_states)
        self.window = int(window)

    def later_for(self, *codes: int) -> bool:
        """May a fallback for these states read a later year (``allow_later``)?"""
        if not self.allow_later:
            return False
        return self.later_states is None or any(int(c) in self.later_states for c in codes)

    # -- the guard
    def check(self, y: int, what: str, later: bool = False) -> int:
        y = int(y)
        if y >= self.Y and not (later and self.allow_later):
            raise TimeOrderError(
                f"the builder asked for {what} in {y}, but a {self.Y} theatre may only use data from "
                f"{self.Y - 1} or earlier (this is a bug in pactlab; please report it)")
        return y

    def info(self, key: str):
        return self.data.info(key)

    def ref(self, key: str, required: bool = True) -> int | None:
        """The year to read data set ``key`` for: Y-1, or the data set's last year if Y-1 is past its
        end by at most the window (GEO1/CAP1: 'use the latest year in the shared files').
        None if the data set does not reach back to Y-1 (only when not ``required``)."""
        info = self.info(key)
        lo, hi = info.coverage
        r = self.Y - 1
        if r > hi:
            if r - hi <= self.window:
                return self.check(hi, info.title)
            raise _outside(info, f"year {self.Y} is", f"a {self.Y} theatre needs {info.title} for {r}",
                           f"ends in {hi} (more than {self.window} years before). Use a newer release of "
                           "the file or an earlier year.")
        if r < lo:
            if required:
                raise _outside(info, f"year {self.Y} is", f"a {self.Y} theatre needs {info.title} for {r}",
                               f"begins in {lo}.")
            return None
        return self.check(r, info.title)

    def ref_opt(self, key: str) -> int | None:
        """Like :meth:`ref` for an optional data set: None if its file is missing or it does not cover
        the year before (within the window)."""
        try:
            return self.ref(key, required=False)
        except (DataFileMissing, BuildDataError):
            return None

    # -- states
    def _states(self):
        def build():
            s = self.data.states()
            return {"ccode": s.ccode.to_numpy(), "abb": s.stateabb.to_numpy(dtype=object),
                    "name": s.statenme.to_numpy(dtype=object), "sy": s.styear.to_numpy(),
                    "ey": s.endyear.to_numpy(), "sd": s.stdate.to_numpy().astype("datetime64[D]"),
                    "ed": s.enddate.to_numpy().astype("datetime64[D]")}
        return _memo(self.data, "states", build)

    def known(self, c: int) -> bool:
        return bool((self._states()["ccode"] == c).any())

    def spells(self, c: int) -> list[tuple[int, int]]:
        """Membership spells (for messages only: they never enter a value)."""
        s = self._states()
        m = s["ccode"] == c
        return sorted(zip(s["sy"][m].tolist(), s["ey"][m].tolist()))

    def member(self, c: int, y: int, later: bool = False) -> bool:
        self.check(y, "COW state-system membership", later=later)
        s = self._states()
        return bool(((s["ccode"] == c) & (s["sy"] <= y) & (s["ey"] >= y)).any())

    def member_on_1_july(self, c: int, y: int) -> bool:
        self.check(y, "COW state-system membership")
        s = self._states()
        d = np.datetime64(f"{y:04d}-07-01")
        return bool(((s["ccode"] == c) & (s["sd"] <= d) & (s["ed"] >= d)).any())

    def member_years_in(self, c: int, y1: int, y2: int) -> list[int]:
        """Years in [y1, y2] in which c is a system member. Reads years from the scenario year on: only
        for the window sovereignty rule (``sovereign_through``), whose values are flagged."""
        s = self._states()
        m = s["ccode"] == c
        return [y for y in range(int(y1), int(y2) + 1) if bool(((s["sy"][m] <= y) & (s["ey"][m] >= y)).any())]

    def last_member_year(self, c: int, y: int) -> int | None:
        """Latest year <= y in which c was a system member."""
        self.check(y, "COW state-system membership")
        s = self._states()
        m = (s["ccode"] == c) & (s["sy"] <= y)
        if not m.any():
            return None
        return int(min(y, s["ey"][m].max()))

    def first_member_year_after(self, c: int, y: int) -> int | None:
        s = self._states()
        m = (s["ccode"] == c) & (s["ey"] > y)
        if not m.any():
            return None
        return self.check(int(max(y + 1, s["sy"][m].min())), "COW state-system membership", later=True)

    def label(self, c: int, y: int) -> tuple[str, str]:
        """(stateabb, name) of c: the spell in force in y, else the latest before, else the first after."""
        s = self._states()
        m = s["ccode"] == c
        idx = np.flatnonzero(m)
        before = [i for i in idx if s["sy"][i] <= y]
        i = max(before, key=lambda k: s["sy"][k]) if before else min(idx, key=lambda k: s["sy"][k])
        abb = s["abb"][i]
        name = s["name"][i]
        abb = str(abb) if isinstance(abb, str) and abb else f"C{c}"
        name = str(name) if isinstance(name, str) and name else f"COW state {c}"
        return abb, name

    # -- majors, capabilities
    def major(self, c: int, y: int) -> bool | None:
        self.check(y, "COW major-power status")
        return _optional(lambda: self.data.is_major(c, y))

    def cinc(self, c: int, y: int, later: bool = False) -> float:
        self.check(y, "NMC capabilities", later=later)
        return self.data.cinc(c, y)

    def cinc_rank(self, c: int, y: int) -> int | None:
        self.check(y, "NMC capabilities")

        def build():
            n = self.data.nmc()
            sub = n.loc[(n.year.to_numpy() == y) & np.isfinite(n.cinc.to_numpy())]
            order = sub.sort_values("cinc", ascending=False).ccode.tolist()
            return {cc: k + 1 for k, cc in enumerate(order)}
        return _memo(self.data, ("cinc_rank", y), build).get(c)

    # -- contiguity
    def _spells(self):
        def build():
            cs = self.data.contiguity_spells()
            return {"a": cs.ccode1.to_numpy(), "b": cs.ccode2.to_numpy(), "ct": cs.conttype.to_numpy(),
                    "st": cs.stdate.to_numpy().astype("datetime64[D]"),
                    "en": cs.enddate.to_numpy().astype("datetime64[D]"),
                    "sy": cs.styear.to_numpy(), "ey": cs.endyear.to_numpy()}
        return _memo(self.data, "contig_spells", build)

    def contiguity_on_1_july(self, y: int) -> dict[tuple[int, int], int]:
        """{(lo, hi): conttype} of the spells in force on 1 July of y (positive records win; codebook GEO1)."""
        self.check(y, "COW direct contiguity")

        def build():
            s = self._spells()
            d = np.datetime64(f"{y:04d}-07-01")
            m = (s["st"] <= d) & (s["en"] >= d)
            out: dict[tuple[int, int], int] = {}
            for a, b, ct in zip(s["a"][m].tolist(), s["b"][m].tolist(), s["ct"][m].tolist()):
                k = (min(a, b), max(a, b))
                old = out.get(k, 0)
                if ct > 0 and (old == 0 or ct < old):
                    out[k] = ct
                elif k not in out:
                    out[k] = ct
            return out
        return _memo(self.data, ("contig_jul", y), build)

    def contiguity_in_year(self, a: int, b: int, y: int, later: bool = False) -> int | None:
        """conttype in any part of year y (closest type wins); for fallback years."""
        self.check(y, "COW direct contiguity", later=later)
        return self.data.contiguity(a, b, y).conttype

    def land_component(self, y: int) -> dict[int, int]:
        """ccode -> connected component of the COW land-contiguity graph of year y (GEO2)."""
        self.check(y, "COW direct contiguity")

        def build():
            s = self._spells()
            m = (s["ct"] == 1) & (s["sy"] <= y) & (s["ey"] >= y)
            parent: dict[int, int] = {}

            def find(x):
                parent.setdefault(x, x)
                while parent[x] != x:
                    parent[x] = parent[parent[x]]
                    x = parent[x]
                return x

            for a, b in zip(s["a"][m].tolist(), s["b"][m].tolist()):
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[ra] = rb
            return {x: find(x) for x in list(parent)}
        return _memo(self.data, ("land_comp", y), build)

    # -- distance
    def distance(self, a: int, b: int, y: int, later: bool = False) -> float:
        self.check(y, "minimum distances", later=later)
        return self.data.min_distance(a, b, y)

    def capital(self, c: int, y: int):
        self.check(y, "capitals")
        return _optional(lambda: self.data.capital(c, y))

    def capital_distance(self, a: int, b: int, y: int) -> CapitalDistance | None:
        """GEO3 distance between the capitals in force in year y (no later fallback), as
        :func:`pactlab.data.measures.capital_distance` computes it; capitals memoised per (state, year)."""
        self.check(y, "capitals")

        def cap(c):
            v = _memo(self.data, ("capital_in", c, y), lambda: self.data.capital(c, y) or _NO_CAPITAL)
            return None if v is _NO_CAPITAL else v
        pa, pb = cap(a), cap(b)
        if pa is None or pb is None:
            return None
        km = round(haversine_km(pa["lat"], pa["lng"], pb["lat"], pb["lng"]), 1)
        return CapitalDistance(int(a), int(b), int(y), km, pa["capital"], pb["capital"], int(y), int(y))

    # -- alliances
    def _atop(self):
        def build():
            m = self.data.atop_members()
            a = self.data.atop_alliances()
            ex = m.yrexit.astype("Float64").fillna(np.inf).to_numpy(dtype="float64")
            beg = {}
            for r in a[["atopid", "begyr", "begmo", "begday"]].itertuples(index=False):
                beg[int(r.atopid)] = (int(r.begyr), r.begmo, r.begday)
            return {"id": m.atopid.to_numpy(), "member": m.member.to_numpy(), "yrent": m.yrent.to_numpy(),
                    "moent": m.moent.to_numpy(dtype="float64"), "dayent": m.dayent.to_numpy(dtype="float64"),
                    "yrexit": ex, "defense": np.nan_to_num(m.defense.to_numpy(dtype="float64")),
                    "consul": np.nan_to_num(m.consul.to_numpy(dtype="float64")), "begin": beg}
        return _memo(self.data, "atop", build)

    def alliances_before(self) -> dict[int, dict[int, int]]:
        """{atopid: {member: rank}} of ATOP memberships in force at the start of Y: entered in a year
        < Y and not exited by the end of Y-1. rank 2 defence, 1 consultation, 0 other."""
        self.check(self.Y - 1, "ATOP alliances")  # the time-order guard
        return self._before()[0]

    def entries_before(self) -> dict[int, dict[int, tuple[int, float, float]]]:
        """{atopid: {member: (yrent, moent, dayent)}} of the membership rows (phases) in force at the start
        of Y: when each member's current obligation began."""
        return self._before()[1]

    def _before(self):
        y = self.check(self.Y - 1, "ATOP alliances")

        def build():
            t = self._atop()
            m = (t["yrent"] <= y) & (t["yrexit"] > y)
            out: dict[int, dict[int, int]] = {}
            ent: dict[int, dict[int, tuple]] = {}
            for i, c, dfn, con, ye, me, de in zip(
                    t["id"][m].tolist(), t["member"][m].tolist(), t["defense"][m].tolist(), t["consul"][m].tolist(),
                    t["yrent"][m].tolist(), t["moent"][m].tolist(), t["dayent"][m].tolist()):
                rank = 2 if dfn >= 1 else (1 if con >= 1 else 0)
                d = out.setdefault(int(i), {})
                d[int(c)] = max(d.get(int(c), 0), rank)
                e = ent.setdefault(int(i), {})
                e[int(c)] = max(e.get(int(c), (0, 0, 0)), (int(ye), me, de))
            return out, ent
        return _memo(self.data, ("atop_before", self.Y), build)

    def alliance_begin(self, atopid: int) -> tuple[int, Any, Any]:
        return self._atop()["begin"].get(atopid, (None, None, None))

    # -- war, rivalries, threat
    def at_war(self, a: int, b: int, y: int) -> bool | None:
        self.check(y, "COW inter-state war")
        return _optional(lambda: self.data.at_war(a, b, y))

    def last_war_opponents(self, c: int) -> tuple[int, list[int]] | None:
        """(last year, opponents) of c's most recent COW inter-state war fought before Y (years up to
        Y-1 only); None if c fought none in the data or the war file is absent."""
        y = self.check(self.Y - 1, "COW inter-state war")
        w = _optional(lambda: self.data.war_years())
        if w is None:
            return None
        m = (w.ccode1.to_numpy() == c) & (w.year.to_numpy() <= y)
        if not m.any():
            return None
        sub = w.loc[m]
        last = int(sub.year.max())
        wars = set(sub.loc[sub.year == last, "warnum"].tolist())
        opp = sorted({int(x) for x in sub.loc[sub.warnum.isin(wars), "ccode2"].tolist()})
        return last, opp

    def nmc_shares(self, c: int, y: int, later: bool = False):
        self.check(y, "NMC capabilities", later=later)
        return nmc_measures(self.data, c, y, allow_later=False)

    def rivals(self, c: int, y: int) -> list[int] | None:
        self.check(y, "strategic rivalries")
        return _optional(lambda: self.data.rivals(c, y, source="td"))

    def threat(self, c: int, y: int) -> dict[str, float]:
        self.check(y, "threat scores")
        return self.data.threat(c, y)


# ----------------------------------------------------------------------------------------- helpers


def _sig(v: float, digits: int = 6) -> float:
    return float(f"{float(v):.{digits}g}")


def _great_circle_km(p: dict, q: dict) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (p["lat"], p["lng"], q["lat"], q["lng"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _kind(ct: int | None) -> str:
    if ct == 1:
        return "land"
    if ct is not None and 2 <= ct <= 5:
        return "sea"
    return "remote"


def _codes(x: Iterable[int] | None, what: str) -> list[int]:
    if x is None:
        return []
    out = []
    for v in x:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            raise BuildInputError(f"{what}: {v!r} is not a COW state code (a whole number such as 2 or 365)") from None
    return out


#: MR1 anchors the codebook names for particular states and eras (scenario year Y).
_MR1_ANCHORS: list[tuple[int, int, int, float, str]] = [
    # (ccode, first Y, last Y, value, anchor text)
    (2, 1945, 9999, 1.0, "the leading blue-water navy of its era (US from 1945)"),
    (200, 1816, 1939, 1.0, "the leading blue-water navy of its era (UK before 1940)"),
    (200, 1945, 1960, 0.6, "ocean-going fleet with amphibious lift (UK 1945-60)"),
    (220, 1945, 1960, 0.6, "ocean-going fleet with amphibious lift (France 1945-60)"),
    (710, 2020, 9999, 0.6, "ocean-going fleet with amphibious lift (PRC from ~2020)"),
    (740, 2015, 9999, 0.6, "ocean-going fleet with amphibious lift (Japan from ~2015)"),
    (365, 1945, 1960, 0.3, "regional navy with limited amphibious lift (USSR 1945-60)"),
    (750, 2025, 9999, 0.3, "regional navy with limited amphibious lift (India 2025)"),
    (900, 2025, 9999, 0.3, "regional navy with limited amphibious lift (Australia 2025)"),
    (732, 2025, 9999, 0.3, "regional navy with limited amphibious lift (ROK 2025)"),
    (710, 1949, 1960, 0.1, "coastal/negligible navy (PRC 1949-60)"),
    (840, 1816, 9999, 0.1, "coastal/negligible navy (Philippines)"),
]


class _Builder:
    def __init__(self, P: _Past, patron: int | None, clients: list[int], adversary: int,
                 aligned: list[int] | None):
        self.P = P
        self.Y = P.Y
        self.r = P.Y - 1
        self.patron = patron
        self.clients = clients
        self.adversary = adversary
        self.aligned_given = aligned
        self.sovereign_through: int | None = None
        self.abb: dict[int, str] = {}
        self.name: dict[int, str] = {}
        self.lapsed: dict[int, int | None] = {}  # not a member in r: last member year (None: enters later)
        self.notes: list[str] = []  # for the description
        self.cited: set[str] = set()
        self.rival_how: dict[int, list[tuple[int, str, int]]] = {}
        self.capitals_ok = True

    # ------------------------------------------------------------------ identities
    def src(self, key: str) -> str:
        self.cited.add(key)
        return key

    def validate(self, c: int, role: str) -> None:
        P = self.P
        if not P.known(c):
            raise BuildInputError(
                f"{role}: unknown COW state code {c} (not in the COW state list, "
                f"{P.info('states').path.name} v{P.info('states').version}); see "
                "https://correlatesofwar.org/cow-country-codes/")
        r = P.ref("states")
        self.src("states")  # ids, names and membership come from the state list
        abb, name = P.label(c, r)
        if P.member(c, r):
            self.lapsed.pop(c, None)
        else:
            last = P.last_member_year(c, r)
            spells = ", ".join(f"{a}-{b}" for a, b in P.spells(c))
            if last is not None and r - last <= P.window:
                self.lapsed[c] = last
            elif P.later_for(c) and (nxt := P.first_member_year_after(c, r)) is not None and nxt - r <= P.window:
                self.lapsed[c] = None
            else:
                hint = ""
                try:
                    from pactlab.data import country_codes
                    other = [x for x in country_codes(name, r) if x != c]
                    if other:
                        hint = f"; in {r} COW codes {name} as {', '.join(map(str, other))}"
                except Exception:  # pragma: no cover - the hint is a courtesy
                    pass
                raise BuildInputError(
                    f"{role}: {name} ({c}) is not a COW system member in {r}, the year before {self.Y} "
                    f"(membership spells: {spells}){hint}; a theatre is built from the year-before data of "
                    "its states")
        self.abb[c], self.name[c] = abb, name

    def ids(self) -> dict[int, str]:
        out, seen = {}, set()
        for c, a in self.abb.items():
            i = a if a not in seen else f"{a}{c}"
            seen.add(i)
            out[c] = i
        return out

    # ------------------------------------------------------------------ CAP1
    def capability(self, c: int) -> dict:
        P = self.P
        info = P.info("nmc")
        r = P.ref("nmc")
        ver = info.version
        notes = []
        if r != self.r:
            notes.append(f"FALLBACK (CAP1 fallback 3): NMC v{ver} ends in {r}; CINC {r}, the latest year in "
                         f"the file, stands for {self.r}.")
        v = P.cinc(c, r)
        year_used = r
        if not np.isfinite(v):
            earlier = [(y, False) for y in range(r - 1, r - P.window - 1, -1)]
            later = [(y, True) for y in range(self.Y, self.Y + P.window + 1)] if P.later_for(c) else []
            # allow_later applies the codebook's fallback 1 as written (first later year) before the
            # time-ordered one (latest earlier year)
            found = None
            for y, is_later in later + earlier:
                w = P.cinc(c, y, later=is_later)
                if np.isfinite(w):
                    found = (y, w, is_later)
                    break
            if found is None:
                raise BuildDataError(
                    f"capability missing: no NMC CINC for {self.name[c]} ({c}) in {r} or the {P.window} years "
                    f"before ({info.path.name}, NMC v{ver})"
                    + ("" if P.later_for(c) else "; `pactlab build --allow-later` would use the first later "
                       "year, flagged as a time-order exception (backtests never do)"))
            year_used, v, is_later = found
            if is_later:
                notes.append(
                    f"{TIME_ORDER_EXCEPTION} (CAP1 fallback 1): no NMC row for {self.name[c]} ({c}) in {r}; "
                    f"value is CINC {year_used}, the first later year available, which post-dates the scenario "
                    "year (built with allow_later).")
            else:
                notes.append(
                    f"FALLBACK (CAP1, time-ordered): no NMC row for {self.name[c]} ({c}) in {r}; CINC "
                    f"{year_used}, the latest earlier year available. The codebook's fallback 1 (the first "
                    "later year) would post-date the scenario. Check by hand.")
        if v <= 0:
            notes.append(f"FALLBACK: CINC {year_used} is 0 in the file; 1e-06 stands for 'negligible'.")
            v = 1e-6
        head = f"COW NMC v{ver} CINC {year_used} (ccode {c})."
        return {"value": _sig(v), "source": self.src("nmc"), "rule": "CAP1",
                "note": " ".join([head] + notes)}

    # ------------------------------------------------------------------ CAP2
    def shares(self, c: int) -> dict:
        """{'milex_share': ..., 'milper_share': ...} for c (codebook CAP2): the year before (or the last NMC
        year), else the same year as its CAP1 value; a share is left out where the state's own value is
        missing that year."""
        P = self.P
        r = P.ref("nmc")
        m = P.nmc_shares(c, r)
        late = ""
        if m is None:
            if not P.later_for(c):
                self.notes.append(f"CAP2: no NMC row for {self.name[c]} ({c}) in {r}: no milex/milper shares.")
                return {}
            for y in range(self.Y, self.Y + P.window + 1):
                m = P.nmc_shares(c, y, later=True)
                if m is not None:
                    late = (f" {TIME_ORDER_EXCEPTION} (CAP1 fallback 1): no NMC row for {self.name[c]} ({c}) in "
                            f"{r}; value for {y}, the first later year (built with allow_later).")
                    break
            if m is None:
                return {}
        out = {}
        for which in ("milex", "milper"):
            v = m.milex_share if which == "milex" else m.milper_share
            if not np.isfinite(v):
                self.notes.append(f"CAP2: {which} of {self.name[c]} ({c}) is missing in NMC {m.year}: no "
                                  f"{which}_share.")
                continue
            out[f"{which}_share"] = {"value": _sig(v), "source": self.src("nmc"), "rule": "CAP2",
                                     "note": share_note(m, which) + late}
        return out

    # ------------------------------------------------------------------ OTH1 (data rule)
    def derive_rivals(self, taken: set[int]) -> dict[int, list[int]]:
        """{rival: [clients]}: for each client, the opponent in its most recent COW inter-state war, else a
        Thompson-Dreyer rivalry in force in the year before, leaving out the adversary side, the patron and
        the clients; among several the largest CINC in the year before (codebook OTH1, data rule)."""
        P = self.P
        adv_side = {self.adversary, *self.aligned}
        rm = P.ref("nmc")
        rs = P.ref("states")
        out: dict[int, list[int]] = {}
        for c in self.clients:
            how, cands = None, []
            war = P.last_war_opponents(c)
            if war is not None:
                last, opp = war
                cands = [x for x in opp if x not in adv_side]
                how = f"opponent in its most recent COW inter-state war (last year {last})"
                left = [x for x in cands if x in taken]
                cands = [x for x in cands if x not in taken]
                if left:
                    self.notes.append(f"OTH1: {self.name[c]}'s war opponent(s) {', '.join(map(str, left))} already "
                                      "have a role in the theatre (patron or client): not coded as rivals.")
            if not cands:
                rt = P.ref_opt("td_rivalries")
                rv = P.rivals(c, rt) if rt is not None else None
                cands = [x for x in (rv or []) if x not in adv_side and x not in taken]
                how = f"Thompson-Dreyer strategic rivalry in force in {rt}"
            cands = [x for x in cands if P.member(x, rs)]
            scored = [(P.cinc(x, rm), x) for x in cands]
            scored = [(v, x) for v, x in scored if np.isfinite(v)]
            if not scored:
                continue
            v, x = max(scored)
            out.setdefault(x, []).append(c)
            self.rival_how.setdefault(x, []).append((c, how, len(scored)))
        return out

    # ------------------------------------------------------------------ MR1
    def reach(self, c: int) -> dict:
        P = self.P
        for cc, y0, y1, v, text in _MR1_ANCHORS:
            if cc == c and y0 <= self.Y <= y1:
                return {"value": v, "source": self.src("codebook"), "rule": "MR1",
                        "note": f"Codebook MR1 anchor {v}: {text}."}
        if c in self.lapsed:
            return {"value": 0.1, "source": self.src("states"), "rule": "MR1-proxy",
                    "note": f"MR1-proxy (no naval data in the shared files): {self.name[c]} is not a COW system "
                            f"member in {self.r} (occupied or not yet independent): no independent navy assumed "
                            "-> 0.1. Edit by hand against the MR1 anchors."}
        rm = P.ref("majors")
        if P.major(c, rm):
            return {"value": 0.6, "source": self.src("majors"), "rule": "MR1-proxy",
                    "note": f"MR1-proxy (no naval data in the shared files): a COW major power in {rm} -> 0.6 "
                            "(ocean-going fleet). Edit by hand against the MR1 anchors."}
        rn = P.ref("nmc")
        rank = P.cinc_rank(c, rn)
        if rank is not None and rank <= 10:
            return {"value": 0.3, "source": self.src("nmc"), "rule": "MR1-proxy",
                    "note": f"MR1-proxy (no naval data in the shared files): not a major power, CINC rank "
                            f"{rank} in {rn} (top 10) -> 0.3 (regional navy). Edit by hand against the MR1 anchors."}
        return {"value": 0.1, "source": self.src("nmc"), "rule": "MR1-proxy",
                "note": f"MR1-proxy (no naval data in the shared files): not a major power, CINC rank "
                        f"{rank if rank is not None else 'unknown'} in {rn} -> 0.1 (coastal/negligible). "
                        "Edit by hand against the MR1 anchors."}

    # ------------------------------------------------------------------ alliances
    def pledges_between(self, a: int, b: int) -> list[tuple[int, int]]:
        """[(atopid, rank)] of alliances in force at the start of Y with both a and b (rank = min of the two)."""
        out = []
        for i, mem in self.P.alliances_before().items():
            if a in mem and b in mem:
                out.append((i, min(mem[a], mem[b])))
        return out

    def derive_aligned(self, taken: set[int]) -> list[int]:
        adv = self.adversary
        best: dict[int, int] = {}
        for i, mem in self.P.alliances_before().items():
            if adv not in mem:
                continue
            for c, rank in mem.items():
                if c == adv or c in taken or min(rank, mem[adv]) < 1:
                    continue
                best[c] = max(best.get(c, 0), min(rank, mem[adv]))
        out, dropped, skipped = [], [], []
        r = self.P.ref("states")
        # the side the adversary faces is the patron's; in a theatre without a patron, the clients'.
        # A state pledged to that side as well does not follow the adversary's line.
        side = [self.patron] if self.patron is not None else list(self.clients)
        for c in sorted(best):
            if any(rk >= 1 for s in side for _, rk in self.pledges_between(c, s)):
                dropped.append(c)
                continue
            if not self.P.member(c, r):
                skipped.append(c)
                continue
            out.append(c)
        if dropped:
            self.notes.append(
                "A1: pledged to the adversary but also to the " + ("patron" if self.patron is not None else "clients")
                + ", so not counted as aligned adversaries "
                "(ROLE: an aligned adversary follows the adversary's line): "
                + ", ".join(f"{self.P.label(c, r)[1]} ({c})" for c in dropped) + ".")
        if skipped:
            self.notes.append("A1: pledged to the adversary but not COW system members in "
                              f"{r}, left out: " + ", ".join(str(c) for c in skipped) + ".")
        return out

    def alignment(self, c: int) -> dict:
        pl = [(i, rk) for i, rk in self.pledges_between(c, self.adversary) if rk >= 1]
        adv = self.name[self.adversary]
        if pl:
            i, rk = max(pl, key=lambda x: (x[1], -x[0]))
            v = 1.0 if rk == 2 else 0.6
            kind = "defence" if rk == 2 else "consultation"
            others = [str(j) for j, _ in pl if j != i]
            return {"value": v, "source": self.src("atop"), "rule": "A1",
                    "note": f"ATOP {i}: {kind} pledge with {adv} in force (begun before {self.Y})"
                            + (f"; also ATOP {', '.join(others)}" if others else "")
                            + ". ROLE ('follows the adversary's line') is not in the data: check by hand."}
        return {"value": 0.3, "source": self.src("builder"), "rule": "A1",
                "note": f"{NOT_IN_DATA}: named as aligned by the user; no ATOP defence or consultation pledge "
                        f"with {adv} in force before {self.Y} -> 0.3 (alignment without a treaty). Edit by hand "
                        "(0.6 for regular military cooperation)."}

    def patron_stake(self, c: int) -> dict:
        if self.patron is None:
            return {"value": 0.5, "source": self.src("builder"), "rule": "P2",
                    "note": f"{NOT_IN_DATA}: no patron in this theatre; neutral 0.5. Edit by hand."}
        pl = [(i, rk) for i, rk in self.pledges_between(c, self.patron) if rk >= 1]
        if pl:
            i, rk = max(pl, key=lambda x: (x[1], -x[0]))
            kind = "defence" if rk == 2 else "consultation"
            return {"value": 1.0, "source": self.src("atop"), "rule": "P2-proxy",
                    "note": f"P2-proxy: ATOP {i} ({kind}) with the patron in force before {self.Y}; an alliance "
                            "with the patron is read as 'named in the patron's official defence perimeter' (1.0)."}
        return {"value": 0.5, "source": self.src("builder"), "rule": "P2-proxy",
                "note": f"{NOT_IN_DATA}: no ATOP pledge with the patron in force before {self.Y}; the middle "
                        "anchor 0.5 (declared important interest) is a neutral fallback. Edit by hand: 1.0 if "
                        "named in the patron's defence perimeter or hosting its forces, 0.2 if no declared interest."}

    # ------------------------------------------------------------------ client judgements
    def client_fields(self, c: int) -> dict:
        P = self.P
        out: dict[str, Any] = {}
        out["provocation"] = {
            "value": 0.0, "source": self.src("builder"), "rule": "PROV1",
            "note": f"{NOT_IN_DATA}: edit by hand. Neutral fallback 0 (status-quo client)."}
        # DIV1: the codebook fallback, with the evidence a coder would start from.
        ev = []
        rt = P.ref_opt("td_rivalries")
        if rt is not None:
            rv = P.rivals(c, rt)
            if rv is not None:
                adv_side = {self.adversary, *self.aligned}
                names = [f"{P.label(x, rt)[1]} ({x}){' [adversary side]' if x in adv_side else ''}" for x in rv]
                ev.append(f"Thompson & Dreyer rivalries in force in {rt}: "
                          + (", ".join(names) if names else "none"))
        th = _optional(lambda: P.threat(c, self.r), {})
        if th:
            parts = [f"{k} {th[k]:.2f}" for k in ("lterrthreat", "lsthreat") if np.isfinite(th.get(k, np.nan))]
            if parts:
                ev.append(f"threat scores {self.r}: " + ", ".join(parts))
        out["threat_divergence"] = {
            "value": 0.5, "source": self.src("builder"), "rule": "DIV1",
            "note": f"{NOT_IN_DATA}: edit by hand. Codebook fallback 0.5 (no official statement checked)."
                    + (" Evidence for the coder: " + "; ".join(ev) + "." if ev else "")}
        out["econ_dependence"] = {
            "value": 0.1, "source": self.src("builder"), "rule": "ECON1",
            "note": f"{NOT_IN_DATA} (the shared files hold no dyadic trade): edit by hand. Fallback ordinal "
                    "0.1 (minor partner)."}
        inside = (P.member_years_in(c, self.Y, self.sovereign_through)
                  if c in self.lapsed and self.sovereign_through is not None else [])
        if inside:
            out["sovereignty"] = {
                "value": "full", "source": self.src("states"), "rule": "S1-window",
                "note": f"S1-window (coding option sovereign_in_window): not a COW system member in {self.r}, but a "
                        f"member in {inside[0]}, within the window {self.Y}-{self.sovereign_through} -> full. "
                        f"{TIME_ORDER_EXCEPTION}: read from the state list for the window's years (the same rule "
                        "for every client)."}
        elif c in self.lapsed:
            last = self.lapsed[c]
            why = (f"its membership lapsed after {last}" if last is not None
                   else "it enters the system later")
            out["sovereignty"] = {
                "value": "occupied", "source": self.src("states"), "rule": "S1-proxy",
                "note": f"S1-proxy: not a COW system member in {self.r} ({why}); COW leaves out states under "
                        "foreign occupation -> occupied. AMBIGUOUS: check the date the occupation ended."}
        else:
            out["sovereignty"] = {
                "value": "full", "source": self.src("builder"), "rule": "S1",
                "note": f"{NOT_IN_DATA}: edit by hand (constrained: constitutional or command limits; "
                        "unrecognised). Fallback full (a COW system member)."}
        out["patron_stake"] = self.patron_stake(c)
        return out

    # ------------------------------------------------------------------ geography
    def tie(self, a: int, b: int, ida: str, idb: str) -> dict:
        P = self.P
        notes = []
        rc = P.ref("contiguity")
        rs = P.ref("states")
        # contiguity (GEO1): 1 July of the year before, both system members
        a_in, b_in = a not in self.lapsed, b not in self.lapsed
        if a_in and b_in:
            ct = P.contiguity_on_1_july(rc).get((min(a, b), max(a, b)), 0)
            if rc != self.r:
                notes.append(f"contiguity FALLBACK (GEO1): the contiguity file ends in {rc}; 1 July {rc} used.")
            elif ct == 0 and not (P.member_on_1_july(a, rc) and P.member_on_1_july(b, rc)):
                # a party entered (or left) the system during the year before, after/before 1 July
                ct_year = P.contiguity_in_year(a, b, rc) or 0
                if ct_year > 0:
                    ct = ct_year
                    notes.append(f"contiguity FALLBACK (GEO1): a party was not a system member on 1 July {rc}; "
                                 f"the closest contiguity recorded in {rc} is used (conttype {ct}).")
        else:
            # a party was not a system member in the year before (no spell): the latest earlier year both
            # were members; with allow_later, the codebook's 'first later spell' first
            hi = min(P.info("contiguity").coverage[1], P.info("states").coverage[1])
            earlier = [(y, False) for y in range(min(rc, rs), self.r - P.window - 1, -1)]
            later = [(y, True) for y in range(self.Y, min(self.Y + P.window, hi) + 1)] if P.later_for(a, b) else []
            ct = yf = None
            for y, is_later in later + earlier:
                if P.member(a, y, later=is_later) and P.member(b, y, later=is_later):
                    ct, yf, lat = P.contiguity_in_year(a, b, y, later=is_later), y, is_later
                    break
            if ct is None:
                ct = 0
                notes.append(f"contiguity FALLBACK: no year within {P.window} years of {self.r} in which both "
                             "were system members; coded remote. Check by hand.")
            elif lat:
                notes.append(f"contiguity {TIME_ORDER_EXCEPTION} (GEO1 fallback): a party was not a system "
                             f"member in {self.r}; value for {yf}, the first later year both were members "
                             f"(conttype {ct}).")
            else:
                notes.append(f"contiguity FALLBACK (GEO1, time-ordered): a party was not a system member in "
                             f"{self.r}; value for {yf}, the latest earlier year both were members (conttype {ct}).")
        kind = _kind(ct)
        # distance (GEO1): the year before; else the latest earlier year (with allow_later: the nearest
        # year, as the codebook's fallback reads; ties go to the earlier year); else capitals
        rd = P.ref_opt("mindist")
        dist = np.nan
        if rd is not None:
            dist = P.distance(a, b, rd)
            if np.isfinite(dist) and rd != self.r:
                notes.append(f"distance FALLBACK (GEO1): the distance file ends in {rd}; value for {rd}.")
        if not np.isfinite(dist):
            lo, hi = P.info("mindist").coverage
            start = rd if rd is not None else min(self.r, hi)
            cands = [(y, False) for y in range(start - 1, max(start - P.window, lo) - 1, -1)]
            if P.later_for(a, b):
                cands += [(y, True) for y in range(self.Y, min(self.Y + P.window, hi) + 1)]
                cands.sort(key=lambda x: (abs(x[0] - self.r), x[0]))
            for y, is_later in cands:
                w = P.distance(a, b, y, later=is_later)
                if np.isfinite(w):
                    dist = w
                    if is_later:
                        notes.append(f"distance {TIME_ORDER_EXCEPTION} (GEO1 fallback): no polygon pair for "
                                     f"{self.r}; value for {y}, the nearest year available.")
                    else:
                        notes.append(f"distance FALLBACK (GEO1, time-ordered): no polygon pair for {self.r}; "
                                     f"value for {y}, the latest earlier year available.")
                    break
        if not np.isfinite(dist):
            if kind == "land":
                dist = 0.0
                notes.append(f"distance FALLBACK: no polygon pair within {P.window} years of {self.r}; 0 km "
                             "for a land border.")
            else:
                ca, cb = P.capital(a, self.r), P.capital(b, self.r)
                if ca is None or cb is None:
                    raise BuildDataError(
                        f"distance missing: no minimum distance for {self.name[a]} ({a}) - {self.name[b]} ({b}) "
                        f"within {P.window} years of {self.r}, and no capitals to fall back on")
                dist = _great_circle_km(ca, cb)
                self.src("capitals")
                notes.append(f"distance FALLBACK (GEO1, no polygon pair within {P.window} years of {self.r}): "
                             f"great-circle distance between the capitals ({ca['capital']}, {cb['capital']}), "
                             "which overstates the minimum distance between territories. Check by hand.")
        # overland (GEO2): a path of land contiguity in the year before
        if kind == "land":
            over = True
        else:
            comp = P.land_component(rc)
            over = a in comp and b in comp and comp[a] == comp[b]
        t = {"a": ida, "b": idb, "contiguity": kind, "distance_km": round(float(dist), 1), "overland": bool(over),
             "source": self.src("contdir_mindist")}
        # capital distance (GEO3): capitals in force latest in the year before (the table's last year if earlier)
        if self.capitals_ok:
            try:
                caps = P.data.capitals()
            except DataFileMissing:
                self.capitals_ok = False
                self.notes.append("GEO3: the capitals table (cow_capitals.csv) is not in the data folder, so no "
                                  "capital-to-capital distances (capital_distance_km) are written; add the file "
                                  "and build again, or run tools/capital_distance.py on the file.")
            else:
                ry = P.check(min(self.r, int(caps.endyear.max())), "capitals")
                cd = P.capital_distance(a, b, ry)
                if cd is None and P.later_for(a, b):
                    cd = capital_distance(P.data, a, b, ry, allow_later=True)
                    if cd is not None:
                        notes.append(f"capital {TIME_ORDER_EXCEPTION} (GEO3 fallback): {cd.note()}")
                if cd is None:
                    notes.append(f"GEO3: no capital spell for one of the two in {ry}: no capital distance.")
                else:
                    t["capital_distance_km"] = cd.km
                    t["capital_source"] = self.src("capitals")
        if notes:
            t["note"] = " ".join(notes)
        return t

    # ------------------------------------------------------------------ treaties (T1)
    def treaties(self, codes: list[int], ids: dict[int, str]) -> list[dict]:
        out = []
        inside = set(codes)
        order = {c: k for k, c in enumerate(codes)}
        for i, mem in sorted(self.P.alliances_before().items()):
            here = sorted((c for c in mem if c in inside), key=order.get)
            if len(here) < 2:
                continue
            rank = max(mem[c] for c in here)
            if rank < 1:
                continue
            level = "defend" if rank == 2 else "consult"
            by = self.P.alliance_begin(i)[0]
            # since: when the obligation in force among these members began (the latest entry into the
            # current phase among them; ATOP's alliance begin date if that is the same year)
            entries = self.P.entries_before().get(i, {})
            ey, em, ed = max(entries[c] for c in here)
            mo = int(em) if np.isfinite(em) and 1 <= em <= 12 else None
            dy = int(ed) if np.isfinite(ed) and 1 <= ed <= 31 else None
            try:
                since = _dt.date(ey, mo or 1, dy or 1)
            except ValueError:
                since = _dt.date(ey, mo or 1, 1)
            dnote = ""
            if mo is None or dy is None:
                dnote = " Entry date in ATOP without " + ("month and day" if mo is None else "day") + ": the 1st is used."
            began = f"alliance begun {by}" if by is not None else "alliance"
            if by is not None and by != ey:
                began += f"; the obligation in force among these members since {ey}"
            n_all = len(mem)
            asym = ""
            if len({mem[c] for c in here}) > 1:
                word = {2: "defence", 1: "consultation", 0: "no defence or consultation"}
                asym = " Asymmetric in ATOP: " + "; ".join(
                    f"{', '.join(ids[c] for c in here if mem[c] == rk)} {word[rk]}"
                    for rk in sorted({mem[c] for c in here}, reverse=True)) + \
                    " (the scenario format holds one level per treaty: the highest is used)."
            note = (f"ATOP {i}: {'defence' if rank == 2 else 'consultation'} pledge ({began}), in force at the start "
                    f"of {self.Y}; {n_all} member(s) in all, {len(here)} in this theatre.{asym}{dnote}")
            t = {"id": f"atop-{i}", "members": [ids[c] for c in here], "level": level, "since": since}
            t.update({"atop": int(i), "source": self.src("atop"), "note": note})
            out.append(t)
        return out

    # ------------------------------------------------------------------ disputes (D1)
    def disputes(self, ids: dict[int, str]) -> list[dict]:
        P = self.P
        out = []
        wcov = _optional(lambda: P.info("war").coverage)
        rt = P.ref_opt("td_rivalries")
        cl = self.clients
        for k, a in enumerate(cl):
            for b in cl[k + 1:]:
                war_years = []
                part = ""
                if wcov is not None:
                    lo, hi = wcov
                    for y in range(self.r - 9, self.r + 1):
                        if lo <= y <= hi and P.at_war(a, b, y):
                            war_years.append(y)
                    if self.r > hi:
                        part = f" COW war data end in {hi}: later years not checked."
                if war_years:
                    out.append({"a": ids[a], "b": ids[b], "intensity": 1.0, "source": self.src("cowwar"),
                                "rule": "D1",
                                "note": f"COW Inter-State War: on opposite sides in {war_years[0]}"
                                        + (f"-{war_years[-1]}" if war_years[-1] != war_years[0] else "")
                                        + f", within the 10 years before {self.Y}." + part})
                    continue
                if rt is not None:
                    rv = P.rivals(a, rt)
                    if rv and b in rv:
                        out.append({"a": ids[a], "b": ids[b], "intensity": 0.6, "source": self.src("td_rivalries"),
                                    "rule": "D1-proxy",
                                    "note": f"D1-proxy: a strategic rivalry (Thompson & Dreyer) in force in {rt}, "
                                            "read as an unresolved dispute (0.6). AMBIGUOUS: the anchor asks for "
                                            "sanctions in the last 5 years; fatal MIDs are not in the data." + part})
                        continue
                if not self.pledges_between(a, b):
                    out.append({"a": ids[a], "b": ids[b], "intensity": 0.3, "source": self.src("atop"), "rule": "D1",
                                "note": f"No ATOP alliance between them in force before {self.Y} (trust deficit). "
                                        "Security agreements outside ATOP and common institutions are not in the "
                                        "data: edit by hand." + part})
        return out

    # ------------------------------------------------------------------ TREND1
    def trend(self) -> dict:
        P = self.P
        r = P.ref("nmc")
        a = self.adversary
        now, before = P.cinc(a, r), P.cinc(a, r - 5)
        if not (np.isfinite(now) and np.isfinite(before) and before > 0):
            return {"value": 0.0, "source": self.src("nmc"), "rule": "TREND1",
                    "note": f"FALLBACK: adversary CINC missing for {r - 5} or {r}; coded 0."}
        ch = now / before - 1.0
        v = 1.0 if ch > 0.2 else (-1.0 if ch < -0.2 else 0.0)
        return {"value": v, "source": self.src("nmc"), "rule": "TREND1",
                "note": f"Adversary CINC {r - 5} = {before:.5f}, {r} = {now:.5f}: change {ch * 100:+.1f}% over "
                        "5 years."}


def _sources(P: _Past, cited: set[str]) -> dict[str, dict]:
    def ds(key):
        return _optional(lambda: P.info(key))

    def v(key):
        i = ds(key)
        return f"version {i.version}, file {i.path.name}" if i else "file not found"

    out: dict[str, dict] = {}
    if "nmc" in cited:
        out["nmc"] = {"cite": f"Singer, Bremer & Stuckey (1972); Singer (1987). Correlates of War National Material "
                              f"Capabilities, CINC ({v('nmc')}).", "url": COW_URL}
    if "states" in cited:
        out["states"] = {"cite": f"Correlates of War Project (2017). State System Membership List ({v('states')}).",
                         "url": COW_URL}
    if "majors" in cited:
        out["majors"] = {"cite": f"Correlates of War Project (2017). Major powers list ({v('majors')}).",
                         "url": COW_URL}
    if "contdir_mindist" in cited:
        cap = (f" Where the distance file has no polygon pair: great-circle distance between capitals "
               f"(peacesciencer capitals table, {v('capitals')}).") if "capitals" in cited else ""
        out["contdir_mindist"] = {
            "cite": f"Contiguity: Stinnett et al. (2002), COW Direct Contiguity ({v('contiguity')}); conttype 1 -> "
                    "land, 2-5 -> sea, 0 or absent -> remote, spells in force on 1 July of the year before "
                    f"(codebook GEO1). Distance: minimum distance in km, CShapes 2.0 (Schvitz et al. 2022) via "
                    f"peacesciencer ({v('mindist')}). Overland: a path of land contiguity in the year before "
                    f"(codebook GEO2).{cap}"}
    if "capitals" in cited:
        out["capitals"] = {"cite": f"Capitals and their coordinates: the capitals table distributed with peacesciencer "
                                   f"(Miller 2022), by COW code and date ({v('capitals')}). Great-circle distance "
                                   f"by the haversine formula, R = {EARTH_RADIUS_KM} km (codebook GEO3)."}
    if "atop" in cited:
        info = ds("atop_alliances")
        extra = (" Note: " + "; ".join(info.notes)) if info and info.notes else ""
        out["atop"] = {"cite": f"Leeds, Ritter, Mitchell & Long (2002). Alliance Treaty Obligations and Provisions "
                               f"(ATOP), alliance level ({v('atop_alliances')}) and member level "
                               f"({v('atop_members')}).{extra}", "url": ATOP_URL}
    if "cowwar" in cited:
        out["cowwar"] = {"cite": f"Sarkees & Wayman (2010), Resort to War. COW Inter-State War ({v('war')}).",
                         "url": COW_URL}
    if "td_rivalries" in cited:
        out["td_rivalries"] = {"cite": f"Thompson & Dreyer (2012), Handbook of International Rivalries, 1494-2010 "
                                       f"({v('td_rivalries')})."}
    if "codebook" in cited:
        out["codebook"] = {"cite": "pactlab docs/codebook.md, rule MR1: the anchor table naming states and eras "
                                   "(Modelski & Thompson 1988, Seapower in Global Politics, 1494-1993; IISS, The "
                                   "Military Balance 2025)."}
    if "builder" in cited:
        out["builder"] = {"cite": "pactlab theatre builder: a neutral fallback for a judgement the shared data do "
                                  "not record (codebook fallback where the codebook gives one). Edit by hand; see "
                                  "docs/evidence.md, 'Building theatres from data'."}
    return out


def build_theatre(data: DataDir | str | Path, patron: int | None, year: int, clients: list[int], adversary: int,
                  aligned: list[int] | None = None, scenario_id: str | None = None, *,
                  allow_later: bool | Iterable[int] = False, window: int = DEFAULT_WINDOW,
                  sovereign_through: int | None = None) -> dict:
    """Build a scenario dict for ``patron`` (COW code or None), ``year``, ``clients`` and ``adversary``
    from the records for ``year - 1`` and earlier.

    ``aligned``: aligned adversaries (COW codes); None derives them by codebook rule A1 (ATOP defence or
    consultation pledge with the adversary in force, less states also pledged to the patron).
    ``allow_later``: apply the codebook's later-year fallbacks (flagged ``TIME-ORDER EXCEPTION``) for states
    without a record in the year before (``True``: any such state; a collection of COW codes: only those,
    as the backtest does for states born in its window); off by default. ``window``: how many years a
    fallback may reach. ``sovereign_through``: the last year of a window starting in ``year``; a client that is
    not a COW system member in the year before but is one in some year of ``year``..``sovereign_through`` is
    coded sovereign (S1 ``full``, rule ``S1-window``, flagged TIME-ORDER EXCEPTION) instead of occupied, the
    same rule for every client (the ``sovereign_in_window`` coding option; off by default). Raises
    :class:`BuildInputError` for bad input and :class:`BuildDataError` when a
    fact is not in the data.
    """
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise BuildInputError(f"year: {year!r} is not a year") from None
    if not isinstance(data, DataDir):
        data = open_data(data)
    P = _Past(data, year, allow_later, window)
    P.ref("states")  # the year must be inside the state list (or at most `window` years past its end)
    clients = _codes(clients, "clients")
    aligned_given = None if aligned is None else _codes(aligned, "aligned")
    patron = None if patron is None else _codes([patron], "patron")[0]
    adversary = _codes([adversary], "adversary")[0]
    if not clients:
        raise BuildInputError("clients: give at least one client (COW codes, e.g. --clients 900,920)")
    if len(clients) > 12:
        raise BuildInputError(f"clients: at most 12 clients, got {len(clients)}")
    roles = ([("patron", patron)] if patron is not None else []) + [("client", c) for c in clients] + \
        [("adversary", adversary)] + [("aligned", c) for c in (aligned_given or [])]
    seen: dict[int, str] = {}
    for role, c in roles:
        if c in seen:
            raise BuildInputError(f"state {c} is given twice (as {seen[c]} and as {role}); each state has one role")
        seen[c] = role

    B = _Builder(P, patron, clients, adversary, aligned_given)
    if sovereign_through is not None:
        try:
            sovereign_through = int(sovereign_through)
        except (TypeError, ValueError):
            raise BuildInputError(f"sovereign_through: {sovereign_through!r} is not a year") from None
        if sovereign_through < year:
            raise BuildInputError(f"sovereign_through ({sovereign_through}) is before the scenario year ({year})")
        B.sovereign_through = sovereign_through
    for role, c in roles:
        B.validate(c, role)
    taken = {c for _, c in roles}
    if aligned_given is None:
        aligned_list = B.derive_aligned(taken)
        for c in aligned_list:
            B.validate(c, "aligned")
        how = "derived by rule A1 (ATOP defence/consultation pledge with the adversary in force)"
    else:
        aligned_list = aligned_given
        how = "named by the user"
    B.aligned = aligned_list
    rivals = B.derive_rivals(taken | set(aligned_list))
    for c in rivals:
        B.validate(c, "rival")
    for key in ("states", "majors", "atop_members"):
        rk = P.ref(key)
        if rk != year - 1:
            B.notes.append(f"{P.info(key).title} ends in {rk}: read for {rk} in place of {year - 1}.")
    for key in ("war", "td_rivalries"):
        info = _optional(lambda key=key: P.info(key))
        if info is not None and info.coverage[1] < year - 1:
            B.notes.append(f"{info.title} ends in {info.coverage[1]}: "
                           + ("D1 wars checked up to then only." if key == "war"
                              else "rivalry evidence used only if within the window."))
    atop_info = P.info("atop_alliances")
    if atop_info.notes:
        B.notes.append("ATOP: " + "; ".join(atop_info.notes) + ".")
    codes = ([patron] if patron is not None else []) + clients + [adversary] + aligned_list + sorted(rivals)
    ids = B.ids()
    for x in sorted(rivals):
        for c, how, n in B.rival_how[x]:
            B.notes.append(f"OTH1 (data rule): {B.name[x]} ({ids[x]}) is coded as the rival of {B.name[c]}: {how}"
                           + (f", the largest CINC of {n} candidates" if n > 1 else "") + ".")

    actors = []
    for c in codes:
        role = ("patron" if c == patron else "client" if c in clients else "adversary" if c == adversary
                else "rival" if c in rivals else "aligned_adversary")
        a: dict[str, Any] = {"id": ids[c], "name": B.name[c], "role": role, "ccode": int(c),
                             "capability": B.capability(c), "maritime_reach": B.reach(c)}
        a.update(B.shares(c))
        if role == "rival":
            a["rival_of"] = [ids[x] for x in rivals[c]]
        if role == "client":
            a.update(B.client_fields(c))
        elif role == "patron":
            a["leverage_motive"] = {"value": 0.0, "source": B.src("builder"), "rule": "LEV1",
                                    "note": f"{NOT_IN_DATA}: edit by hand. Neutral fallback 0 (no leverage "
                                            "motive stated)."}
            a["max_commitment"] = {"value": "defend", "source": B.src("builder"), "rule": "MAXC1",
                                   "note": f"{NOT_IN_DATA}: edit by hand ('none' where the patron's legislature "
                                           "had not authorised peacetime alliances). Fallback defend."}
        elif role == "aligned_adversary":
            a["alignment"] = B.alignment(c)
        actors.append(a)

    geography = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            geography.append(B.tie(a, b, ids[a], ids[b]))
    treaties = B.treaties(codes, ids)
    disputes = B.disputes(ids)
    trend = B.trend()

    pname = B.name[patron] if patron is not None else "no patron"
    sid = scenario_id or f"built-{year}-{ids[patron] if patron is not None else 'none'}-{ids[adversary]}".lower()
    if not _ID_RE.match(sid):
        raise BuildInputError(f"id: {sid!r} is not a valid scenario id (lower-case letters, digits and '-', "
                              "starting with a letter or digit)")
    nmc = P.info("nmc")
    al_txt = (", ".join(f"{B.name[c]} ({ids[c]})" for c in aligned_list) or "none")
    desc = [
        f"Built from the COW and ATOP records by pactlab's theatre builder: patron {pname}, clients "
        f"{', '.join(B.name[c] for c in clients)}, adversary {B.name[adversary]}. Aligned adversaries ({how}): "
        f"{al_txt}.",
        f"Every value comes from data for {year - 1} or earlier"
        + (" except those marked TIME-ORDER EXCEPTION (built with allow_later)." if allow_later else ".")
        + " Judgement variables the data do not record hold neutral fallbacks marked 'NOT IN THE DATA': edit "
        "them by hand following docs/codebook.md. Footholds (FOOT1: forces stationed outside their own "
        "territory) are not in the data and none are coded; add them by hand. No events and no record are "
        "written: the builder never reads what happened in or after the scenario year.",
    ] + B.notes
    d: dict[str, Any] = {
        "id": sid,
        "title": f"{pname}, {len(clients)} client(s) and {B.name[adversary]}, {year} (built from data)",
        "region": "built from data",
        "year": year,
        "kind": "historical",
        "description": " ".join(desc),
        "capability_measure": f"COW NMC v{nmc.version} CINC for {P.ref('nmc')}, the year before the scenario "
                              "(codebook CAP1); fallbacks are flagged in the notes.",
        "sources": {},
        "actors": actors,
        "geography": geography,
        "footholds": [],
        "treaties": treaties,
        "disputes": disputes,
        "threat_trend": trend,
        "events": [],
    }
    d["sources"] = _sources(P, B.cited)
    return d


# ----------------------------------------------------------------------------------------- YAML


def _walk_values(d: dict):
    """(where, field, value dict) for every sourced value of a scenario dict."""
    for a in d.get("actors", []):
        for k, v in a.items():
            if isinstance(v, dict) and "source" in v:
                yield a.get("id", "?"), k, v
    for group in ("geography", "footholds", "treaties", "disputes"):
        for item in d.get(group, []):
            where = item.get("id") or f"{item.get('a', item.get('holder'))}-{item.get('b', item.get('near'))}"
            yield where, group, item
    for k in ("threat_trend", "linking"):
        if isinstance(d.get(k), dict):
            yield "scenario", k, d[k]


def _header(d: dict) -> str:
    neutral: dict[tuple[str, str], list[str]] = {}
    flagged, proxies, later = [], {}, []
    for where, field, v in _walk_values(d):
        note = v.get("note") or ""
        rule = v.get("rule") or ""
        if note.startswith(NOT_IN_DATA):
            neutral.setdefault((field, f"{rule} = {v.get('value')}"), []).append(where)
        elif TIME_ORDER_EXCEPTION in note:
            later.append(f"{where} {field}")
        elif "FALLBACK" in note:
            flagged.append(f"{where} {field}")
        if rule.endswith("-proxy"):
            proxies.setdefault(rule, []).append(where)
    lines = [
        f"Scenario built from data by `pactlab build` (theatre builder), year {d.get('year')}.",
        f"Only data for {int(d.get('year', 0)) - 1} or earlier were read"
        + (" (except the TIME-ORDER EXCEPTIONs listed below)." if later else "."),
        "Data (see `sources` for versions and files):",
    ]
    for k, s in d.get("sources", {}).items():
        lines.append(f"  {k}: {s.get('cite', '')}")
    lines.append("Neutral fallbacks, NOT IN THE DATA -- edit these by hand (docs/codebook.md):")
    for (field, what), where in neutral.items():
        lines.append(f"  {field} ({what}): {', '.join(dict.fromkeys(where))}")
    if proxies:
        lines.append("Data proxies for rules the data do not cover directly (rule *-proxy; check them):")
        for rule, where in proxies.items():
            lines.append(f"  {rule}: {', '.join(dict.fromkeys(where))}")
    if flagged:
        lines.append("Data fallbacks (flagged FALLBACK in the note; check them):")
        lines.append("  " + "; ".join(flagged))
    if later:
        lines.append("TIME-ORDER EXCEPTIONS (values from the scenario year or later; not for backtests):")
        lines.append("  " + "; ".join(later))
    rivals = [f"{a.get('id')} (of {', '.join(a.get('rival_of') or [])})" for a in d.get("actors", [])
              if a.get("role") == "rival"]
    if rivals:
        lines.append("Rivals by the OTH1 data rule (most recent war opponent, else a strategic rivalry; the "
                     "description says which; check them against the clients' statements, DIV1): "
                     + ", ".join(rivals))
    lines.append("Footholds (FOOT1) are not in the data: add occupation zones or garrisons by hand.")
    lines.append("No `record` and no `events`: the builder never reads what happened in or after the year.")
    out = []
    import textwrap
    for ln in lines:
        indent = len(ln) - len(ln.lstrip(" "))
        for w in textwrap.wrap(ln, width=110, subsequent_indent=" " * (indent + 2), break_on_hyphens=False) or [""]:
            out.append("# " + w)
    return "\n".join(out) + "\n"


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper, s: str):
    if len(s) > 100:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str_rep)


def write_yaml(d: dict, path: str | Path) -> Path:
    """Write a built scenario as YAML with a header comment (data versions, fallbacks to edit)."""
    p = Path(path)
    body = yaml.dump(d, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
    p.write_text(_header(d) + body, encoding="utf-8")
    return p
