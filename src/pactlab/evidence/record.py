"""The alliance record as events: what the backtest scores, read from ATOP only as outcome.

An *event* is one ATOP alliance with a defence or consultation obligation that gains members in a
window (docs/evidence.md, "Episode rules"):

* a **founding**: the alliance began in the window; its members are the states that entered it by
  the window's end (a founder or an accession within the window);
* an **accession**: the alliance began before the window and states first entered it in the window
  (Greece and Turkey to NATO, 1951 in ATOP's dating); the event's members are the enlarged pact:
  the entrants and the members in force beside them in the year they entered.

Obligations are those of the phase the event creates, never ATOP's alliance-level columns (which
summarise every phase, later ones included): a founding's level is that of the member rows of the
alliance's first phase, an accession's that of the entrants' first rows. ``defend`` when any of
those rows carries a defence obligation, else ``consult`` when any carries consultation; an event
with neither (offence, neutrality or non-aggression only) is not a pledge and is left out.

Every event carries its scope flags: ``wartime`` (ATOP's ``wartime`` column for the alliance:
formed during a war in which a member took part) and ``asymmetric`` (at least one COW major power
and at least one other state among its members, in the year before the window: the paper's
"asymmetric interstate defensive alliances formed between great powers and their independent
clients"; ATOP's own ``asymm`` column is about unequal obligations and is not used). An event is
*in scope* when it is not wartime and, if a major power takes part, asymmetric (a clients-only
pact, the clients' own collective defence, is in scope when it is peacetime).

The *leading patron* of an event is the major power among its members with the highest CINC in the
year before the window (ties: the lower COW code); the event belongs to the leading patron's episode
only, and the other majors among its members are clients there (as Cohen counts the United
Kingdom and France among NATO's clients). An event with no major power is a *clients-only* event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pactlab.data import DataDir

OBLIGATIONS = ("defend", "consult")
#: ATOP's first year; the full release (5.1) and the shared 4.01 copy both begin in 1815
LEVEL_RANK = {"other": 0, "consult": 1, "defend": 2}


@dataclass(frozen=True)
class RecordEvent:
    """One event of the record (see the module docstring)."""

    atopid: int
    kind: str  # 'founding' | 'accession'
    year: int  # ATOP begin year (founding) or the entrants' first entry year (accession)
    members: tuple[int, ...]  # every member of the event's pact (enlarged pact for an accession)
    entrants: tuple[int, ...]  # states that entered in the window (= members for a founding)
    level: str  # 'defend' | 'consult', from the event's own phase rows
    majors: tuple[int, ...]  # members that were COW major powers in the year before the window
    lead: int | None  # leading patron (None: clients-only)
    wartime: bool
    asymmetric: bool
    begyr: int  # the alliance's begin year
    duration: int  # years from the event's year to the alliance's end (or the release's end)
    ended: bool  # False: in force at the end of the release (right-censored)

    @property
    def in_scope(self) -> bool:
        """Peacetime, and asymmetric when a major power leads it (a clients-only pact has none)."""
        return (not self.wartime) and (self.lead is None or self.asymmetric)

    @property
    def clients_only(self) -> bool:
        return self.lead is None


def _level(defense: np.ndarray, consul: np.ndarray) -> str:
    d = np.nan_to_num(np.asarray(defense, dtype=float))
    c = np.nan_to_num(np.asarray(consul, dtype=float))
    if (d >= 1).any():
        return "defend"
    if (c >= 1).any():
        return "consult"
    return "other"


def lead_patron(data: DataDir, majors: list[int], ref: int) -> int | None:
    """The major with the highest CINC in ``ref`` (ties and missing CINC: the lower code)."""
    if not majors:
        return None

    def key(m):
        v = data.cinc(m, ref)
        return (-(v if v == v else -1.0), m)

    return sorted(majors, key=key)[0]


def _by_alliance(data: DataDir) -> dict[int, dict[str, np.ndarray]]:
    """Member rows grouped by alliance, as arrays (built once per data folder)."""
    def build():
        m = data.atop_members().sort_values(["atopid", "member", "yrent", "phase"])
        ids = m.atopid.to_numpy()
        cols = {"member": m.member.to_numpy().astype(int), "yrent": m.yrent.to_numpy().astype(int),
                "yrexit": m.yrexit.astype("Float64").fillna(np.inf).to_numpy(dtype=float),
                "phase": m.phase.to_numpy().astype(int),
                "defense": np.nan_to_num(m.defense.to_numpy(dtype=float)),
                "consul": np.nan_to_num(m.consul.to_numpy(dtype=float))}
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], len(ids)]
        return {int(ids[a]): {k: v[a:b] for k, v in cols.items()} for a, b in zip(starts, ends)}
    return data._derived("_record_by_alliance", build)


def window_events(data: DataDir, start: int, end: int) -> list[RecordEvent]:
    """Every founding and accession event of the window [start, end], from the full record.

    Major status and the leading patron come from the year before the window (``start - 1``)."""
    al = data.atop_alliances()
    _, release_end = data.atop_coverage()
    ref = start - 1
    majors_ref = set(data.majors_in(ref))
    groups = _by_alliance(data)
    wart = pd.to_numeric(al["wartime"], errors="coerce").fillna(0).astype(int).to_numpy() \
        if "wartime" in al.columns else np.zeros(len(al), dtype=int)
    info = {int(i): (int(b), e, bool(c), int(w)) for i, b, e, c, w in
            zip(al.atopid, al.begyr, al.endyr, al.censored, wart)}
    out: list[RecordEvent] = []
    for aid, g in groups.items():
        mem, ent = g["member"], g["yrent"]
        # first entry of each member (rows are sorted by member, then entry year)
        firstrow = np.r_[True, mem[1:] != mem[:-1]]
        fm, fy = mem[firstrow], ent[firstrow]
        inwin = (fy >= start) & (fy <= end)
        if not inwin.any() or aid not in info:
            continue
        by, endyr, cens, wt = info[aid]
        ended = not cens and not pd.isna(endyr)
        if by >= start:
            kind, year = "founding", by
            members = tuple(sorted(int(x) for x in fm[fy <= end]))
            entrants = members
            first_phase = g["phase"] == g["phase"].min()
            level = _level(g["defense"][first_phase], g["consul"][first_phase])
        else:
            kind = "accession"
            year = int(fy[inwin].min())
            entrants = tuple(sorted(int(x) for x in fm[inwin]))
            live = (ent <= year) & (g["yrexit"] >= year)
            members = tuple(sorted(set(int(x) for x in mem[live]) | set(entrants)))
            rows = np.flatnonzero(firstrow)[inwin]
            level = _level(g["defense"][rows], g["consul"][rows])
        if level not in OBLIGATIONS:
            continue
        mj = tuple(m for m in members if m in majors_ref)
        dur = (int(endyr) if ended else release_end) - year
        out.append(RecordEvent(
            atopid=aid, kind=kind, year=int(year), members=members, entrants=entrants, level=level,
            majors=mj, lead=lead_patron(data, list(mj), ref), wartime=bool(wt),
            asymmetric=bool(mj) and len(mj) < len(members), begyr=by, duration=int(max(dur, 0)),
            ended=bool(ended)))
    return sorted(out, key=lambda e: e.atopid)
