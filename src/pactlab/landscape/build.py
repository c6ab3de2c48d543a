"""Build a landscape system file from a data directory the user names.

``pactlab landscape-build europe-1936 --data DIR`` reads the COW, ATOP and
Thompson–Dreyer files in ``DIR`` (see ``docs/data.md``) and writes the system
file: every actor's size, every pair's evidence (alliances, wars, rivalries,
contiguity) and the propensity that rule LS36 gives it, and every actor's
actual side. Nothing is copied from the data files but the values the rule
reads, each with the data set it came from.

The only values not read from data are the actual sides of the states that
the COW war data do not list in the Second World War; they are coded here,
each with its reason, and flagged ``judgement: true`` in the file.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pactlab.errors import PactlabError

WWII = 139  # COW inter-state war number of the Second World War


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    ccode: int


@dataclass(frozen=True)
class Judgement:
    """A side coded by judgement for a state the COW war data do not list."""

    value: str  # allied | axis
    group: str
    note: str
    source: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class Recipe:
    id: str
    title: str
    year: int
    description: str
    members: tuple[Member, ...]
    score_anchor: str
    published: dict[str, Any] | None = None
    judgements: dict[str, Judgement] = field(default_factory=dict)
    war: int = WWII


_EUROPE_1936 = Recipe(
    id="europe-1936",
    title="Europe 1936: the seventeen states of the Second World War case",
    year=1936,
    description=(
        "The seventeen European states of Axelrod and Bennett's Second World War case (British Journal of "
        "Political Science 23(2), 1993), with sizes and propensities coded by rule LS36 from the COW, ATOP and "
        "Thompson-Dreyer data, and the sides the states actually took in the war."
    ),
    members=(
        Member("GBR", "Britain", 200), Member("FRN", "France", 220), Member("USSR", "Soviet Union", 365),
        Member("GER", "Germany", 255), Member("ITA", "Italy", 325), Member("POL", "Poland", 290),
        Member("CZE", "Czechoslovakia", 315), Member("YUG", "Yugoslavia", 345), Member("RUM", "Romania", 360),
        Member("HUN", "Hungary", 310), Member("GRC", "Greece", 350), Member("POR", "Portugal", 235),
        Member("EST", "Estonia", 366), Member("LAT", "Latvia", 367), Member("LIT", "Lithuania", 368),
        Member("FIN", "Finland", 375), Member("DEN", "Denmark", 390),
    ),
    score_anchor="GER",
    published={"correct": 15, "scored": 17, "misplaced": ["POL", "POR"], "source": "ab1993",
               "note": "The paper's 1936 result as later re-implementations quote it: all but Poland and Portugal "
                       "placed on their Second World War side."},
    judgements={
        "POR": Judgement(
            "allied", "portugal",
            "Neutral throughout; not a COW participant in the war. Coded Allied as in the published coding "
            "(Axelrod and Bennett 1993): the Anglo-Portuguese alliance with Britain was in force (ATOP). The alternative leaves Portugal out of the score.",
            "ab1993", ("excluded",)),
        "EST": Judgement(
            "axis", "baltics",
            "Annexed by the Soviet Union in 1940 (COW state system: membership ends {exit}); not a COW "
            "participant in the war. Coded Axis as in the published coding, the Soviet Union being the state that "
            "ended its independence. Alternatives: Allied (part of the Soviet Union when it fought); left out.",
            "ab1993", ("allied", "excluded")),
        "LAT": Judgement(
            "axis", "baltics",
            "Annexed by the Soviet Union in 1940 (COW state system: membership ends {exit}); coded as Estonia.", "ab1993", ("allied", "excluded")),
        "LIT": Judgement(
            "axis", "baltics",
            "Annexed by the Soviet Union in 1940 (COW state system: membership ends {exit}); coded as Estonia.", "ab1993", ("allied", "excluded")),
        "CZE": Judgement(
            "allied", "czechoslovakia",
            "Dismembered by Germany in March 1939 (COW state system: membership ends {exit}), before the "
            "war began; not a COW participant. Coded Allied (its government in exile fought with the Allies), as "
            "in the published coding. The alternative leaves it out.",
            "ab1993", ("excluded",)),
        "DEN": Judgement(
            "allied", "denmark",
            "Occupied by Germany on 9 April 1940 (COW state system: membership ends {exit}); not a COW "
            "participant. Coded Allied, as in the published coding. The alternative leaves it out.",
            "ab1993", ("excluded",)),
    },
)

RECIPES: dict[str, Recipe] = {_EUROPE_1936.id: _EUROPE_1936}


class BuildError(PactlabError):
    """A landscape system cannot be built as asked."""


def recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise BuildError(f"no build recipe for landscape system {name!r}; known: {', '.join(RECIPES)}") from None


# ---------------------------------------------------------------------------------------------- helpers

def _date(y: Any, m: Any, d: Any, end: bool) -> str | None:
    """ISO date from ATOP year/month/day; missing month or day -> first (entry) or last (exit) of the period."""
    if y is None or y is pd.NA or (isinstance(y, float) and math.isnan(y)):
        return None
    y = int(y)
    m = int(m) if m is not None and not pd.isna(m) and int(m) > 0 else (12 if end else 1)
    last = calendar.monthrange(y, m)[1]
    d = int(d) if d is not None and not pd.isna(d) and int(d) > 0 else (last if end else 1)
    return dt.date(y, m, min(d, last)).isoformat()


_OBLIGATIONS = ("defense", "offense", "consul", "neutral", "nonagg")


def _obligations(row) -> list[str]:
    return [k for k in _OBLIGATIONS if float(row[k] or 0) > 0]


def _sources(infos: dict[str, Any], year: int) -> dict[str, dict[str, str]]:
    def v(key):
        i = infos.get(key)
        return f"v{i.version}" if i is not None and i.version else "(version not detected)"

    return {
        "ab1993": {"cite": (
            "Axelrod, R. and Bennett, D. S. (1993). A landscape theory of aggregation. British Journal of "
            "Political Science 23(2), 211-233. Its coding of the sides, as later re-implementations quote it: "
            "Britain, Czechoslovakia, Denmark, France, Greece, Poland, Portugal, Soviet Union, Yugoslavia against "
            "Estonia, Finland, Germany, Hungary, Italy, Latvia, Lithuania, Romania.")},
        "nmc": {"cite": (
            f"Singer, J. D., Bremer, S. and Stuckey, J. (1972); Singer, J. D. (1987). Correlates of War National "
            f"Material Capabilities {v('nmc')}: CINC (composite index of national capability).")},
        "atop": {"cite": (
            f"Leeds, B. A., Ritter, J., Mitchell, S. and Long, A. (2002). Alliance Treaty Obligations and "
            f"Provisions (ATOP) {v('atop_members')}, member-level file: entry and exit dates and obligations "
            f"(defense, offense, consul, neutral, nonagg) of each member in each phase.")},
        "cowwar": {"cite": (
            f"Sarkees, M. R. and Wayman, F. (2010). Resort to War. COW Inter-State War data {v('war')}: "
            f"participants, their side codes and years.")},
        "td": {"cite": (
            "Thompson, W. R. and Dreyer, D. R. (2012). Handbook of International Rivalries, 1494-2010. "
            "Strategic rivalries with their spells and types (spatial, positional, ideological).")},
        "contdir": {"cite": (
            f"Stinnett, D. M. et al. (2002). COW Direct Contiguity {v('contiguity')}: conttype in {year} "
            f"(1 land; 2-5 separated by up to 12/24/150/400 miles of water).")},
        "cowstates": {"cite": (
            f"Correlates of War Project (2017). State System Membership List {v('states')}: entry and exit dates.")},
    }


# ---------------------------------------------------------------------------------------------- evidence

def _alliances(d, codes: Sequence[int], year: int) -> dict[tuple[int, int], list[dict]]:
    """ATOP member rows of the two states in the same alliance and phase, both overlapping ``year``."""
    m = d.atop_members()
    m = m[m.member.isin(codes)].copy()
    m["start"] = [_date(y, mo, dd, False) for y, mo, dd in zip(m.yrent, m.moent, m.dayent)]
    m["end"] = [_date(y, mo, dd, True) for y, mo, dd in zip(m.yrexit, m.moexit, m.dayexit)]
    lo, hi = f"{year}-01-01", f"{year}-12-31"
    m = m[(m.start <= hi) & (m.end.isna() | (m.end >= lo))]
    out: dict[tuple[int, int], list[dict]] = {}
    for (aid, phase), g in m.groupby(["atopid", "phase"], sort=True):
        rows = {int(r.member): r for r in g.itertuples(index=False)}
        for i, a in enumerate(sorted(rows)):
            for b in sorted(rows)[i + 1:]:
                ra, rb = rows[a], rows[b]
                out.setdefault((a, b), []).append({
                    "atop": int(aid), "phase": int(phase),
                    "a_from": ra.start, "a_to": ra.end, "b_from": rb.start, "b_to": rb.end,
                    "a_obligations": _obligations(ra._asdict()), "b_obligations": _obligations(rb._asdict()),
                    "source": "atop",
                })
    return out


def _participation(d, codes: Sequence[int], before: int) -> pd.DataFrame:
    """(warnum, ccode, side, first, last) for every COW inter-state war participation of ``codes`` before ``before``."""
    w = d.wars()
    w = w[w.ccode1.isin(codes) & (w.year < before)]
    return (w.groupby(["warnum", "ccode1", "side1"], sort=True).year.agg(["min", "max"]).reset_index()
            .rename(columns={"ccode1": "ccode", "side1": "side", "min": "first", "max": "last"}))


def _wars(d, codes: Sequence[int], year: int) -> dict[tuple[int, int], list[dict]]:
    p = _participation(d, codes, year)
    out: dict[tuple[int, int], list[dict]] = {}
    for warnum, g in p.groupby("warnum", sort=True):
        recs = list(g.itertuples(index=False))
        for ra in recs:
            for rb in recs:
                if ra.ccode >= rb.ccode:
                    continue
                out.setdefault((int(ra.ccode), int(rb.ccode)), []).append({
                    "war": int(warnum), "same_side": bool(ra.side == rb.side),
                    "a_years": [int(ra.first), int(ra.last)], "b_years": [int(rb.first), int(rb.last)],
                    "source": "cowwar",
                })
    for v in out.values():
        # a state recorded on both sides of one war appears twice; keep both records, ordered
        v.sort(key=lambda e: (e["war"], e["same_side"], e["a_years"], e["b_years"]))
    return out


def _rivalries(d, codes: Sequence[int], year: int) -> dict[tuple[int, int], list[dict]]:
    t = d.td_rivalries()
    t = t[t.ccode1.isin(codes) & t.ccode2.isin(codes) & (t.styear <= year) & (t.endyear >= year)]
    out: dict[tuple[int, int], list[dict]] = {}
    for r in t.sort_values(["rivalry_id"]).itertuples(index=False):
        a, b = sorted((int(r.ccode1), int(r.ccode2)))
        types = [k for k in ("spatial", "positional", "ideological", "interventionary") if bool(getattr(r, k))]
        out.setdefault((a, b), []).append({
            "td": int(r.rivalry_id), "name": str(r.name), "from": int(r.styear), "to": int(r.endyear),
            "types": types, "source": "td",
        })
    return out


def _exit_before(d, ccode: int, year: int) -> str:
    """End date of ``ccode``'s last COW membership spell that ends before ``year``."""
    s = d.states()
    s = s[(s.ccode == ccode) & (s.endyear < year)]
    if s.empty:
        raise BuildError(f"the COW states list in {d.path} has no membership spell of {ccode} ending before {year}")
    return s.sort_values("enddate").enddate.iloc[-1].date().isoformat()


def _sides(d, rec: Recipe) -> dict[str, dict]:
    """Each member's side on first entering the war (COW), else the recipe's judgement."""
    w = d.wars()
    w = w[w.warnum == rec.war]
    if w.empty:
        raise BuildError(f"the COW war data in {d.path} have no war number {rec.war}")
    first = w.sort_values(["year", "ccode1", "side1"]).groupby("ccode1").first()
    codes = {m.ccode: m for m in rec.members}
    anchor_allied, anchor_axis = 200, 255  # Britain's side is "allied", Germany's "axis"
    side_name = {int(first.loc[anchor_allied, "side1"]): "allied", int(first.loc[anchor_axis, "side1"]): "axis"}
    out = {}
    for c, m in codes.items():
        if c in first.index:
            row = first.loc[c]
            sides = sorted({int(s) for s in w[w.ccode1 == c].side1})
            note = f"COW war {rec.war}: enters in {int(row.year)} on side {int(row.side1)}"
            if len(sides) > 1:
                note += f" (also recorded on side {', '.join(str(s) for s in sides if s != int(row.side1))} later)"
            out[m.id] = {"value": side_name[int(row.side1)], "source": "cowwar", "judgement": False, "note": note}
        elif m.id in rec.judgements:
            j = rec.judgements[m.id]
            note = j.note
            if "{exit}" in note:
                note = note.format(exit=_exit_before(d, c, rec.year + 10))
            out[m.id] = {"value": j.value, "source": j.source, "judgement": True, "group": j.group,
                         "alternatives": list(j.alternatives), "note": note}
        else:
            raise BuildError(f"{m.name} ({c}) is not a participant in COW war {rec.war} and has no coded judgement")
    return out


def build(name: str, data) -> dict[str, Any]:
    """The system file of recipe ``name`` as a plain dict, values read from ``data`` (a DataDir)."""
    from pactlab.landscape.system import LS36, Evidence

    rec = recipe(name)
    codes = [m.ccode for m in rec.members]
    y = rec.year
    sizes = {}
    for m in rec.members:
        by_year = {}
        for yy in (y - 1, y, y + 1):
            v = float(data.cinc(m.ccode, yy))
            if not math.isfinite(v) or v <= 0:
                raise BuildError(f"no positive COW NMC CINC for {m.name} ({m.ccode}) in {yy} in {data.path}")
            by_year[yy] = v
        sizes[m.id] = by_year
    allies, wars, rivals = _alliances(data, codes, y), _wars(data, codes, y), _rivalries(data, codes, y)
    sides = _sides(data, rec)
    actors = []
    for m in rec.members:
        actors.append({
            "id": m.id, "name": m.name, "ccode": m.ccode,
            "size": {"value": sizes[m.id][y], "source": "nmc", "note": f"CINC {y} (ccode {m.ccode})"},
            "size_by_year": {int(k): v for k, v in sizes[m.id].items()},
            "side": sides[m.id],
        })
    pairs = []
    for i, ma in enumerate(rec.members):
        for mb in rec.members[i + 1:]:
            key = tuple(sorted((ma.ccode, mb.ccode)))
            flip = key[0] != ma.ccode  # evidence is keyed by ccode order; the file lists a, b in member order
            ev = {"alliances": [_orient(e, flip) for e in allies.get(key, [])],
                  "wars": [_orient(e, flip) for e in wars.get(key, [])],
                  "rivalries": rivals.get(key, [])}
            c = data.contiguity(ma.ccode, mb.ccode, y)
            ev["contiguity"] = {"kind": c.kind, "conttype": None if c.conttype is None else int(c.conttype),
                                "source": "contdir"}
            p = LS36.propensity(Evidence.model_validate(ev), y)
            pairs.append({"a": ma.id, "b": mb.id,
                          "propensity": {"value": p, "source": "rule LS36 applied to the evidence below"},
                          "evidence": ev})
    infos = dict(data.used)
    return {
        "id": rec.id, "title": rec.title, "year": y, "description": rec.description,
        "rule": "LS36",
        "size_measure": f"COW NMC {_ver(infos, 'nmc')} CINC, {y}",
        "score_anchor": rec.score_anchor,
        **({"published": rec.published} if rec.published else {}),
        "sources": _sources(infos, y),
        "actors": actors, "pairs": pairs,
    }


def _ver(infos, key) -> str:
    i = infos.get(key)
    return f"v{i.version}" if i is not None and i.version else "(version not detected)"


def _orient(e: dict, flip: bool) -> dict:
    if not flip:
        return dict(e)
    out = dict(e)
    for k in list(e):
        if k.startswith("a_"):
            out["b_" + k[2:]], out["a_" + k[2:]] = e[k], e["b_" + k[2:]]
    return out


HEADER = """\
# Landscape system file (pactlab). Generated by
#   pactlab landscape-build {id} --data DIR
# from the COW, ATOP and Thompson-Dreyer files; do not edit the values by hand (the loader recomputes
# every propensity from its evidence by rule {rule} and refuses a file where they disagree).
# The rule is stated in docs/theories/landscape.md. Sides marked judgement: true are coded, with
# their reason, for states the COW war data do not list in the war.
"""


def to_yaml(system: dict[str, Any]) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _list(dumper, data):
        flow = all(not isinstance(x, (dict, list)) for x in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    _Dumper.add_representer(list, _list)
    _Dumper.add_representer(np.float64, lambda dm, v: dm.represent_float(float(v)))
    body = yaml.dump(system, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    return HEADER.format(id=system["id"], rule=system.get("rule", "")) + body
