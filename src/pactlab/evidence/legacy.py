"""The first episode rule (v1), kept only until the backtest moves to the v2 rules of
:mod:`pactlab.evidence.episodes`.

Backtest episodes from ATOP and COW: who allied with which great power, and the record to score.

Episode rule (docs/evidence.md, "Backtests")
--------------------------------------------
Windows are consecutive 5-year spans starting at ``--from`` (``Y, Y+1, ..., Y+4``; the last one is
cut at ``--to``). For each window and each COW major power P, the *record treaties* are the ATOP
alliances that

* began in the window (``begyr``),
* carry a defence or consultation obligation (ATOP ``defense`` or ``consul`` at the alliance level;
  offence-, neutrality- and non-aggression-only pacts are left out), and
* have P as a member while P is a major power in the year the alliance began.

The episode's *clients* are the members of those treaties that were not major powers in the year
each treaty began and entered it by the end of the window (later accessions, e.g. Greece and
Turkey to NATO in 1952, are not part of the founding design). Other major powers in the same
treaty (the UK and France in SEATO for the US) are co-guarantors, not clients: the treaty appears
in each of their episodes too.

A client that was not a COW system member in the year before the window (a state born in it, such
as Jordan in 1946, or an ATOP code outside the COW list) cannot be in a theatre built from data
before the window: it is dropped from the episode and listed (``Episode.dropped``); a record treaty
left with no client is listed too (``dropped_treaties``).

An episode with more than :data:`MAX_CLIENTS` clients (the scenario format's limit) is split by
region (:func:`region_of`, COW code blocks); a regional part that still has more is skipped and
counted. Pairs of clients in different regions are then not scored.

The *record grouping* is the list of record treaties, each as its set of clients. The *record
partition* (for the adjusted Rand index) puts each client in its largest record treaty (ties: the
earlier, then the lower ATOP id).

Adversary rule
--------------
Chosen from data before the window (reference year ``Y - 1``): among the patron's
Thompson-Dreyer strategic rivals in force in ``Y - 1`` that exist as COW states on 31 December of
``Y - 1`` and are not among the episode's clients, the one with the highest CINC in ``Y - 1`` (a
rival is kept even if a wartime alliance with the patron is still in force). If there is none, the
other major power of ``Y - 1`` with the highest CINC that exists on 31 December, is not a client and
has no defence or consultation alliance with the patron still in force at the end of ``Y - 1``. If
there is still none, the episode is skipped with that reason.

Time-bounded data
-----------------
:func:`data_before` returns a view of a :class:`~pactlab.data.DataDir` in which ATOP holds only what
was known at the start of year ``Y``: alliances and phases begun before ``Y``, with every end or exit
in ``Y`` or later turned into "still in force" (right-censored). The backtest hands only this view to
the theatre builder and the baselines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pactlab.data import DataDir

#: the scenario format's limit on clients (pactlab.scenarios.schema.Scenario)
MAX_CLIENTS = 12
WINDOW = 5
OBLIGATIONS = ("defend", "consult")

#: COW code blocks used to split oversized episodes (Asia and Oceania together: one theatre)
REGIONS = (
    ("Americas", 0, 199),
    ("Europe", 200, 399),
    ("Africa", 400, 599),
    ("Middle East and North Africa", 600, 699),
    ("Asia-Pacific", 700, 999),
)


from pactlab.evidence.episodes import BacktestError  # noqa: E402


def region_of(ccode: int) -> str:
    for name, lo, hi in REGIONS:
        if lo <= ccode <= hi:
            return name
    return "Other"


def windows(y1: int, y2: int, width: int = WINDOW) -> list[tuple[int, int]]:
    """Consecutive windows (start, end) from y1, ``width`` years each, the last cut at y2."""
    if y2 < y1:
        raise BacktestError(f"--to ({y2}) is before --from ({y1})")
    return [(y, min(y + width - 1, y2)) for y in range(y1, y2 + 1, width)]


@dataclass(frozen=True)
class RecordTreaty:
    """One ATOP alliance as the record of an episode."""

    atopid: int
    begyr: int
    clients: tuple[int, ...]  # the episode's clients in it
    commitment: str  # 'defend' | 'consult'
    majors: tuple[int, ...]  # major-power members at its start (patron and co-guarantors)
    n_members: int  # founding members (entered by the window's end)
    duration: int  # years from begyr to endyr (or to the data's end)
    ended: bool  # False: in force at the data's end (right-censored)


@dataclass(frozen=True)
class Episode:
    patron: int
    start: int
    end: int
    clients: tuple[int, ...]
    treaties: tuple[RecordTreaty, ...]
    region: str = "all"  # 'all' unless split by region
    skip: str | None = None  # reason the model cannot be run (counted, never dropped silently)
    dropped: tuple[tuple[int, str], ...] = ()  # (client, reason) left out of the episode
    dropped_treaties: tuple[int, ...] = ()  # record treaties left with no client after that

    @property
    def key(self) -> str:
        r = "" if self.region == "all" else f":{self.region}"
        return f"{self.patron}@{self.start}-{self.end}{r}"

    def groups(self) -> list[tuple[int, ...]]:
        return [t.clients for t in self.treaties]


@dataclass
class EpisodeSet:
    episodes: list[Episode]
    release_end: int  # last year of the ATOP release (censoring year)
    last_begyr: int  # last year in which an alliance in the file began
    notes: list[str] = field(default_factory=list)


def _first_entry(members: pd.DataFrame) -> pd.DataFrame:
    """Each (atopid, member) with its first entry year."""
    return members.groupby(["atopid", "member"], as_index=False).yrent.min()


def find_episodes(data: DataDir, y1: int, y2: int) -> EpisodeSet:
    """The episodes of every 5-year window in [y1, y2] (see the module docstring)."""
    al = data.atop_alliances()
    mem = data.atop_members()
    _, release_end = data.atop_coverage()
    first = _first_entry(mem)
    majors = data.major_years()
    major_key = set(zip(majors.ccode.tolist(), majors.year.tolist()))
    last_beg = int(al.begyr.max())
    eps: list[Episode] = []
    notes: list[str] = []
    if y2 > last_beg:
        notes.append(f"the ATOP file's last alliance began in {last_beg}; windows after that have no episodes "
                     "(the shared reference copy stops at 1955 on purpose)")
    for ws, we in windows(y1, y2):
        aw = al[(al.begyr >= ws) & (al.begyr <= we) & al.commitment.isin(OBLIGATIONS)]
        per_patron: dict[int, list[RecordTreaty]] = {}
        for row in aw.itertuples(index=False):
            f = first[(first.atopid == row.atopid) & (first.yrent <= we)]
            members = sorted(int(x) for x in f.member)
            by = int(row.begyr)
            mj = tuple(m for m in members if (m, by) in major_key)
            clients = tuple(m for m in members if (m, by) not in major_key)
            if not mj or not clients:
                continue
            end = row.endyr
            ended = not bool(row.censored) and not pd.isna(end)
            dur = (int(end) if ended else release_end) - by
            for p in mj:
                per_patron.setdefault(p, []).append(RecordTreaty(
                    atopid=int(row.atopid), begyr=by, clients=clients, commitment=str(row.commitment),
                    majors=mj, n_members=len(members), duration=int(dur), ended=ended))
        for p in sorted(per_patron):
            ts_all = tuple(sorted(per_patron[p], key=lambda t: (t.begyr, t.atopid)))
            everyone = sorted({c for t in ts_all for c in t.clients})
            dropped = tuple((c, _why_not_known(data, c, ws - 1)) for c in everyone
                            if _why_not_known(data, c, ws - 1))
            gone = {c for c, _ in dropped}
            ts = tuple(RecordTreaty(**{**t.__dict__, "clients": tuple(c for c in t.clients if c not in gone)})
                       for t in ts_all if any(c not in gone for c in t.clients))
            lost = tuple(t.atopid for t in ts_all if all(c in gone for c in t.clients))
            clients = tuple(c for c in everyone if c not in gone)
            if not clients:
                eps.append(Episode(p, ws, we, (), (), skip="no client was a COW state in the year before the "
                                   "window", dropped=dropped, dropped_treaties=lost))
                continue
            if len(clients) <= MAX_CLIENTS:
                eps.append(Episode(p, ws, we, clients, ts, dropped=dropped, dropped_treaties=lost))
                continue
            by_region: dict[str, list[int]] = {}
            for c in clients:
                by_region.setdefault(region_of(c), []).append(c)
            names = [x[0] for x in REGIONS]
            for k, reg in enumerate(sorted(by_region, key=lambda r: names.index(r) if r in names else 99)):
                cs = tuple(by_region[reg])
                sub = tuple(RecordTreaty(**{**t.__dict__, "clients": tuple(c for c in t.clients if c in cs)})
                            for t in ts if any(c in cs for c in t.clients))
                skip = (f"{len(cs)} clients in {reg} after splitting by region; the scenario format allows at "
                        f"most {MAX_CLIENTS}") if len(cs) > MAX_CLIENTS else None
                eps.append(Episode(p, ws, we, cs, sub, region=reg, skip=skip,
                                   dropped=tuple(x for x in dropped if region_of(x[0]) == reg),
                                   dropped_treaties=lost if k == 0 else ()))
    return EpisodeSet(eps, release_end=release_end, last_begyr=last_beg, notes=notes)


def _why_not_known(data: DataDir, c: int, ref: int) -> str | None:
    """Why client ``c`` cannot enter a theatre built from data of year ``ref`` (None if it can)."""
    known = data.is_state(c, ref)
    if known:
        return None
    s = data.states()
    if not (s.ccode.to_numpy() == c).any():
        return f"{c} is not a COW state code (ATOP-only code)"
    if known is None:
        return f"the COW state list does not cover {ref}"
    return f"not a COW system member in {ref}, the year before the window"


# --------------------------------------------------------------------------- time-bounded data
from pactlab.evidence.episodes import data_before, truncate_atop  # noqa: E402,F401  (phase-correct view)


# --------------------------------------------------------------------------- adversary rule
@dataclass(frozen=True)
class AdversaryChoice:
    ccode: int | None
    rule: str  # 'td-rival' | 'strongest-major' | 'none'
    reference_year: int
    candidates: tuple[tuple[int, float], ...] = ()


def allies_of(data: DataDir, ccode: int, year: int) -> set[int]:
    """States in a defence or consultation alliance with ``ccode`` that is in force in ``year`` and did
    not end in it (so still in force on 1 January of ``year + 1``)."""
    rows = data.alliances_in_force(year, by="member")
    if rows.empty:
        return set()
    rows = rows.loc[rows.commitment.isin(OBLIGATIONS).to_numpy()]
    mem = data.atop_members()
    ongoing = mem.loc[mem.yrexit.isna().to_numpy() | (mem.yrexit.fillna(0).to_numpy() > year)]
    keep = set(zip(ongoing.atopid.tolist(), ongoing.member.tolist()))
    rows = rows.loc[[(a, m) in keep for a, m in zip(rows.atopid.tolist(), rows.member.tolist())]]
    ids = set(rows.atopid[rows.member.to_numpy() == ccode].tolist())
    return set(rows.member[rows.atopid.isin(ids).to_numpy()].tolist()) - {ccode}


def exists_at_end(data: DataDir, ccode: int, year: int) -> bool:
    """Is ``ccode`` a COW system member on 31 December of ``year``?"""
    s = data.states()
    day = pd.Timestamp(year=year, month=12, day=31)
    m = (s.ccode.to_numpy() == ccode) & (s.stdate <= day).to_numpy() & (s.enddate >= day).to_numpy()
    return bool(m.any())


def choose_adversary(data: DataDir, patron: int, start: int, clients: tuple[int, ...]) -> AdversaryChoice:
    """The episode's adversary by the documented rule, from data of year ``start - 1`` only.

    1. the patron's Thompson-Dreyer rival (in force in ``start - 1``) with the highest CINC in
       ``start - 1``, among states that exist on 31 December of that year and are not clients;
    2. else the major power of ``start - 1`` with the highest CINC that exists on 31 December,
       is not a client and has no defence or consultation alliance with the patron still in force
       at the end of ``start - 1``;
    3. else none (the episode is skipped with that reason)."""
    ref = start - 1
    lo, hi = data._coverage("td_rivalries")
    rivals = data.rivals(patron, ref) if ref <= hi else None

    def ranked(cands, exclude) -> list[tuple[int, float]]:
        out = []
        for c in sorted(set(cands) - exclude):
            if not exists_at_end(data, c, ref):
                continue
            v = data.cinc(c, ref)
            if v == v:  # not NaN
                out.append((int(c), float(v)))
        return sorted(out, key=lambda x: (-x[1], x[0]))

    base = set(clients) | {patron}
    r = ranked(rivals or [], base)
    if r:
        return AdversaryChoice(r[0][0], "td-rival", ref, tuple(r))
    m = ranked(data.majors_in(ref), base | allies_of(data, patron, ref))
    if m:
        return AdversaryChoice(m[0][0], "strongest-major", ref, tuple(m))
    return AdversaryChoice(None, "none", ref)


def episode_frame(eps: list[Episode]) -> pd.DataFrame:
    """One row per episode (for printing and tests)."""
    return pd.DataFrame([{"key": e.key, "patron": e.patron, "start": e.start, "end": e.end, "region": e.region,
                          "n_clients": len(e.clients), "n_treaties": len(e.treaties),
                          "atopids": [t.atopid for t in e.treaties], "skip": e.skip} for e in eps])


_ = Any
