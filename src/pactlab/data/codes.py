"""COW state codes that change over time, without needing any data file.

A country's code is not constant: Germany is 255 until 1945, West Germany 260 (1955-1990)
and East Germany 265 (1954-1990), and 255 again from 3 October 1990; Vietnam is 816
(the DRV, later unified Vietnam) and 817 (Republic of Vietnam, 1954-1975); Yemen is 678
(Yemen Arab Republic, 1926-1990), 680 (Yemen People's Republic, 1967-1990) and 679 (unified
Yemen, from 22 May 1990). Always join on (ccode, year).

Dates follow the COW State System Membership list (v2016). Where two codes denote a country
in the same calendar year, :func:`country_code` returns the one in force on 31 December
(pass ``on="start"`` for 1 January); :func:`country_codes` returns all of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeSpell:
    ccode: int
    start: tuple[int, int, int]  # (year, month, day) of COW system entry
    end: tuple[int, int, int] | None  # None = still a member at the end of the data
    name: str


def _s(ccode: int, start: tuple[int, int, int], end: tuple[int, int, int] | None, name: str) -> CodeSpell:
    return CodeSpell(ccode, start, end, name)


_GER1 = _s(255, (1816, 1, 1), (1945, 5, 8), "Germany (Prussia to 1870)")
_GFR = _s(260, (1955, 5, 5), (1990, 10, 2), "German Federal Republic")
_GDR = _s(265, (1954, 3, 25), (1990, 10, 2), "German Democratic Republic")
_GER2 = _s(255, (1990, 10, 3), None, "Germany")
_DRV = _s(816, (1954, 7, 21), None, "Vietnam (Democratic Republic of Vietnam until 1976)")
_RVN = _s(817, (1954, 6, 4), (1975, 4, 30), "Republic of Vietnam")
_YAR = _s(678, (1926, 9, 2), (1990, 5, 21), "Yemen Arab Republic")
_YPR = _s(680, (1967, 11, 30), (1990, 5, 21), "Yemen People's Republic")
_YEM = _s(679, (1990, 5, 22), None, "Yemen")
_CZE1 = _s(315, (1918, 10, 28), (1939, 3, 15), "Czechoslovakia")
_CZE2 = _s(315, (1945, 5, 10), (1992, 12, 31), "Czechoslovakia")
_CZR = _s(316, (1993, 1, 1), None, "Czech Republic")
_SLO = _s(317, (1993, 1, 1), None, "Slovakia")

#: country name (lower case) -> the codes that denote it, in time order
LINEAGES: dict[str, tuple[CodeSpell, ...]] = {
    "germany": (_GER1, _GFR, _GER2),
    "prussia": (_GER1,),
    "west germany": (_GFR,),
    "german federal republic": (_GFR,),
    "frg": (_GFR,),
    "east germany": (_GDR,),
    "german democratic republic": (_GDR,),
    "gdr": (_GDR,),
    "vietnam": (_DRV,),
    "north vietnam": (_DRV,),
    "democratic republic of vietnam": (_DRV,),
    "south vietnam": (_RVN,),
    "republic of vietnam": (_RVN,),
    "yemen": (_YAR, _YEM),
    "north yemen": (_YAR,),
    "yemen arab republic": (_YAR,),
    "south yemen": (_YPR,),
    "yemen people's republic": (_YPR,),
    "czechoslovakia": (_CZE1, _CZE2),
    "czech republic": (_CZR,),
    "czechia": (_CZR,),
    "slovakia": (_SLO,),
}

#: code -> (successor code, year the successor took over). Absorptions and unifications.
SUCCESSORS: dict[int, tuple[int, int]] = {
    260: (255, 1990),  # West Germany -> unified Germany
    265: (255, 1990),  # East Germany -> unified Germany
    817: (816, 1975),  # South Vietnam conquered by (North) Vietnam
    678: (679, 1990),  # Yemen Arab Republic -> Yemen
    680: (679, 1990),  # Yemen People's Republic -> Yemen
    315: (316, 1993),  # Czechoslovakia -> Czech Republic (Slovakia 317 is a new state)
}


def _covers(sp: CodeSpell, year: int, month: int, day: int) -> bool:
    d = (year, month, day)
    return sp.start <= d and (sp.end is None or d <= sp.end)


def _overlaps_year(sp: CodeSpell, year: int) -> bool:
    return sp.start[0] <= year and (sp.end is None or year <= sp.end[0])


def _lineage(name: str) -> tuple[CodeSpell, ...]:
    key = " ".join(name.strip().lower().split())
    try:
        return LINEAGES[key]
    except KeyError:
        raise KeyError(f"no code lineage known for {name!r}; known: {', '.join(sorted(LINEAGES))} "
                       f"(for other states use DataDir.code_for, which reads the COW states list)") from None


def country_code(name: str, year: int, on: str = "end") -> int | None:
    """The COW code denoting ``name`` in ``year`` (None if it was not a system member then).

    ``on="end"`` (default) uses the code in force on 31 December, ``on="start"`` on 1 January,
    ``on="any"`` the latest code in force at any time in the year."""
    spells = _lineage(name)
    if on == "any":
        hits = [sp for sp in spells if _overlaps_year(sp, year)]
        return hits[-1].ccode if hits else None
    md = (12, 31) if on == "end" else (1, 1)
    for sp in spells:
        if _covers(sp, year, *md):
            return sp.ccode
    return None


def country_codes(name: str, year: int) -> list[int]:
    """All codes denoting ``name`` at some time in ``year`` (e.g. Germany 1990 -> [260, 255])."""
    out: list[int] = []
    for sp in _lineage(name):
        if _overlaps_year(sp, year) and sp.ccode not in out:
            out.append(sp.ccode)
    return out


def code_history(name: str) -> list[CodeSpell]:
    """The code spells of ``name`` in time order."""
    return list(_lineage(name))


def successor(ccode: int, year: int) -> int:
    """The code that carries ``ccode``'s identity in ``year`` (260 in 1995 -> 255); else ``ccode``."""
    seen = set()
    while ccode in SUCCESSORS and ccode not in seen:
        seen.add(ccode)
        nxt, since = SUCCESSORS[ccode]
        if year < since:
            break
        ccode = nxt
    return ccode
