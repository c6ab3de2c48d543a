"""Measures coded into scenarios from the data: NMC shares (codebook CAP1, CAP2) and
capital-to-capital distances (GEO3).

Both the scenario tools (``tools/nmc_measures.py``, ``tools/capital_distance.py``) and the
theatre builder (``pactlab build``) call these functions, so a hand-coded file and a
data-built one get the same number for the same state and year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: mean Earth radius (IUGG), km -- codebook GEO3
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


# ----------------------------------------------------------------------------- NMC (CAP1, CAP2)


def nmc_reference_year(data, year: int) -> int:
    """CAP1/CAP2 reference year for a scenario in ``year``: the year before, or the last NMC
    year when the year before is later."""
    return min(int(year) - 1, data.info("nmc").coverage[1])


@dataclass(frozen=True)
class NmcMeasures:
    """One state's NMC measures in one year. Shares are of the state-system total of the
    states with a non-missing value that year (NaN when the state's own value is missing)."""

    ccode: int
    year: int  # the NMC year the values are from
    cinc: float
    milex: float  # thousands of current US$
    milper: float  # thousands of personnel
    milex_total: float
    milper_total: float
    milex_states: int  # states with a milex value that year (the total's base)
    milper_states: int
    milex_missing: int  # system members with no milex value that year
    milper_missing: int

    @property
    def milex_share(self) -> float:
        return self.milex / self.milex_total if self.milex_total > 0 else math.nan

    @property
    def milper_share(self) -> float:
        return self.milper / self.milper_total if self.milper_total > 0 else math.nan


def _totals(data, year: int) -> dict[str, tuple[float, int, int]]:
    def build():
        n = data.nmc()
        out = {}
        for y, g in n.groupby("year"):
            row = {}
            for col in ("milex", "milper"):
                v = g[col].to_numpy(dtype="float64")
                ok = ~np.isnan(v)
                row[col] = (float(v[ok].sum()), int(ok.sum()), int((~ok).sum()))
            out[int(y)] = row
        return out

    return data._derived("_nmc_totals", build).get(int(year), {})


def nmc_measures(data, ccode: int, year: int, allow_later: bool = True) -> NmcMeasures | None:
    """NMC measures of ``ccode`` in ``year``; if the state has no NMC row that year and
    ``allow_later``, the first later year with a row (CAP1 fallback 1, a time-order exception
    the caller must flag: ``result.year != year``). None when there is no row at all."""
    n = data.nmc_frame()
    y = int(year)
    last = data.info("nmc").coverage[1]
    while y <= last:
        if (int(ccode), y) in n.index:
            break
        if not allow_later:
            return None
        y += 1
    else:
        return None
    v = data.capability(int(ccode), y)
    t = _totals(data, y)
    (mx, mxn, mxm), (mp, mpn, mpm) = t["milex"], t["milper"]
    return NmcMeasures(int(ccode), y, v["cinc"], v["milex"], v["milper"], mx, mp, mxn, mpn, mxm, mpm)


def share_note(m: NmcMeasures, which: str) -> str:
    """The CAP2 note for one share: value, total, base and missing states."""
    own, tot = (m.milex, m.milex_total) if which == "milex" else (m.milper, m.milper_total)
    base = m.milex_states if which == "milex" else m.milper_states
    miss = m.milex_missing if which == "milex" else m.milper_missing
    unit = "thousand current US$" if which == "milex" else "thousand personnel"
    return (f"COW NMC {which} {m.year} (ccode {m.ccode}): {own:,.0f} of the state-system total {tot:,.0f} "
            f"{unit} ({base} states with a value, {miss} missing).")


def sig(x: float, digits: int = 6) -> float:
    """Round to significant digits (small shares keep their precision)."""
    return float(f"{x:.{digits}g}")


# ----------------------------------------------------------------------------- capitals (GEO3)


@dataclass(frozen=True)
class CapitalDistance:
    a: int
    b: int
    year: int  # the reference year asked for
    km: float
    capital_a: str
    capital_b: str
    year_a: int  # the year whose capital spell was used (== year unless a fallback)
    year_b: int

    @property
    def fallback(self) -> bool:
        return self.year_a != self.year or self.year_b != self.year

    def note(self) -> str:
        s = f"GEO3: {self.capital_a}-{self.capital_b} {self.km:.1f} km (capitals in {self.year})"
        if self.fallback:
            later = [f"ccode {c} has no capital spell in {self.year}, the first later one ({y}) is used"
                     for c, y in ((self.a, self.year_a), (self.b, self.year_b)) if y != self.year]
            s += "; FALLBACK: " + "; ".join(later)
        return s + "."


def capitals_reference_year(data, year: int) -> int:
    """GEO3 reference year for a scenario in ``year``: the year before, or the capitals
    table's last year when the year before is later."""
    return min(int(year) - 1, int(data.capitals().endyear.max()))


def capital_in(data, ccode: int, year: int, allow_later: bool = True) -> tuple[dict, int] | None:
    """(capital, year used): the capital spell in force latest in ``year``; if none and
    ``allow_later``, the first later spell (GEO3 fallback)."""
    c = data.capital(int(ccode), int(year))
    if c is not None:
        return c, int(year)
    if not allow_later:
        return None
    caps = data.capitals()
    later = caps[(caps.ccode == int(ccode)) & (caps.styear > int(year))]
    if later.empty:
        return None
    y = int(later.styear.min())
    return data.capital(int(ccode), y), y


def capital_distance(data, a: int, b: int, year: int, allow_later: bool = True) -> CapitalDistance | None:
    """Great-circle distance between the capitals of ``a`` and ``b`` in ``year`` (GEO3)."""
    ca, cb = capital_in(data, a, year, allow_later), capital_in(data, b, year, allow_later)
    if ca is None or cb is None:
        return None
    (pa, ya), (pb, yb) = ca, cb
    km = round(haversine_km(pa["lat"], pa["lng"], pb["lat"], pb["lng"]), 1)
    return CapitalDistance(int(a), int(b), int(year), km, pa["capital"], pb["capital"], ya, yb)
