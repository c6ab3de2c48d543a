"""One loader per data set: raw CSV -> tidy DataFrame + :class:`DatasetInfo`.

Every loader returns integer ``ccode``/``year`` columns (int64), floats with NaN for
missing values (COW's -9 codes are converted), and records the version it detected
and on what basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pactlab.data import _specs as S
from pactlab.data._files import DataFileInvalid, DatasetSpec, _invalid, check_range, read_checked, to_float

COMMITMENT_LEVELS = ("defend", "consult", "other")


@dataclass(frozen=True)
class DatasetInfo:
    """What was loaded: file, layout, detected version and coverage."""

    key: str
    title: str
    path: Path
    format: str
    version: str
    version_basis: str
    rows: int
    coverage: tuple[int, int] | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        cov = f"{self.coverage[0]}-{self.coverage[1]}" if self.coverage else "n/a"
        s = (f"{self.title}: version {self.version} ({self.version_basis}); {self.rows} rows; "
             f"years {cov}; {self.format}; file {self.path}")
        for n in self.notes:
            s += f"\n  note: {n}"
        return s


def _info(spec: DatasetSpec, path: Path, fmt: str, version: str, basis: str, df: pd.DataFrame,
          coverage: tuple[int, int] | None, notes: list[str]) -> DatasetInfo:
    return DatasetInfo(spec.key, spec.title, path, fmt, version, basis, len(df), coverage, tuple(notes))


def _version_column(df: pd.DataFrame) -> float | None:
    if "version" not in df.columns:
        return None
    v = pd.to_numeric(df["version"], errors="coerce").dropna()
    if v.empty:
        return None
    return float(v.mode().iloc[0])


def _fmt_version(v: float) -> str:
    s = f"{v:.2f}".rstrip("0")
    return s + "0" if s.endswith(".") else s


def _dates(y, m=None, d=None) -> pd.Series:
    """Build datetimes from year/month/day columns; missing month/day -> 1 (start) handled by caller."""
    y = pd.Series(y).astype("int64")
    m = pd.Series(m).fillna(1).clip(1, 12).astype("int64") if m is not None else pd.Series(1, index=y.index)
    d = pd.Series(d).fillna(1).clip(1, 31).astype("int64") if d is not None else pd.Series(1, index=y.index)
    frame = pd.DataFrame({"year": y.to_numpy(), "month": m.to_numpy(), "day": d.to_numpy()})
    out = pd.to_datetime(frame, errors="coerce")
    bad = out.isna()
    if bad.any():  # e.g. 31 June: fall back to the last day of the month
        first = pd.to_datetime(frame.loc[bad].assign(day=1), errors="coerce")
        out[bad] = first + pd.offsets.MonthEnd(0)
    return out


# ---------------------------------------------------------------- COW states / majors


def _spells(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"ccode": df["ccode"]})
    out["stdate"] = _dates(df["styear"], df.get("stmonth"), df.get("stday")).to_numpy()
    out["enddate"] = _dates(df["endyear"], df.get("endmonth"), df.get("endday")).to_numpy()
    out["styear"] = df["styear"].astype("int64")
    out["endyear"] = df["endyear"].astype("int64")
    return out


def _state_system_info(spec, path: Path, fmt, raw: pd.DataFrame, out: pd.DataFrame, notes) -> DatasetInfo:
    """Version of a COW state-system file: its 'version' column, else a year in
    the file name, else the last year it covers."""
    v = _version_column(raw)
    m = re.search(r"(\d{4})", path.name)
    if v:
        version, basis = str(int(v)), "'version' column"
    elif m:
        version, basis = m.group(1), "file name"
    else:
        version, basis = str(int(out.endyear.max())), "last year covered"
    cov = (int(out.styear.min()), int(out.endyear.max()))
    return _info(spec, path, fmt.name, version, basis, out, cov, notes)


def load_states(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.STATES
    raw, fmt, notes = read_checked(spec, path)
    out = _spells(raw)
    for i, c in ((1, "stateabb"), (2, "statenme")):
        out.insert(i, c, raw[c].astype("string") if c in raw else pd.Series(pd.NA, index=raw.index, dtype="string"))
    out = out.sort_values(["ccode", "stdate"]).reset_index(drop=True)
    return out, _state_system_info(spec, path, fmt, raw, out, notes)


def load_majors(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.MAJORS
    raw, fmt, notes = read_checked(spec, path)
    out = _spells(raw).sort_values(["ccode", "stdate"]).reset_index(drop=True)
    return out, _state_system_info(spec, path, fmt, raw, out, notes)


# ---------------------------------------------------------------- NMC

NMC_COMPONENTS = ("milex", "milper", "irst", "pec", "tpop", "upop", "cinc")
#: last year covered by each NMC release
NMC_COVERAGE_END = {"3.02": 2001, "4.0": 2007, "5.0": 2012, "6.0": 2016, "7.0": 2022}


def _nmc_version(raw: pd.DataFrame, path: Path, last_year: int) -> tuple[str, str]:
    v = _version_column(raw)
    if v is not None and v < 100:
        return _fmt_version(v), "'version' column"
    m = re.search(r"nmc[-_ ]?v?(\d)[-_.]?(\d)", path.name, re.IGNORECASE)
    if m:
        return f"{m.group(1)}.{m.group(2)}", "file name"
    for ver, end in NMC_COVERAGE_END.items():
        if last_year <= end:
            return ver, f"coverage ends {last_year} (release {ver} ends {end})"
    return f">{list(NMC_COVERAGE_END)[-1]}", f"coverage ends {last_year}, later than any release pactlab knows"


#: a file with at least this many states is read as the whole state system, whose CINC sums to 1
#: in every year; a smaller file is a subset (a test world, an extract) and is not checked
NMC_SYSTEM_STATES = 50
#: the lowest yearly CINC sum a complete file may have (v7.0: 0.99999998 to 1.075)
NMC_MIN_YEAR_SUM = 0.9


def _check_nmc_complete(spec, path: Path, out: pd.DataFrame) -> None:
    """A file of the whole state system whose CINC sums fall well short of 1 in some year has lost
    rows: cut short (a truncated download) or filtered."""
    if out.ccode.nunique() < NMC_SYSTEM_STATES or out.cinc.notna().sum() == 0:
        return
    sums = out.groupby("year").cinc.sum(min_count=1).dropna()
    short = sums[sums < NMC_MIN_YEAR_SUM]
    if len(short):
        y = int(short.index[0])
        raise _invalid(spec, path, f"looks truncated or filtered: CINC sums to {float(short.iloc[0]):.3f} in {y} "
                                   f"and below {NMC_MIN_YEAR_SUM} in {len(short)} of {len(sums)} years (a complete "
                                   f"NMC file sums to about 1 in every year); its highest ccode is "
                                   f"{int(out.ccode.max())}")


def load_nmc(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.NMC
    raw, fmt, notes = read_checked(spec, path)
    for c in NMC_COMPONENTS:  # counts and shares: never negative (-9 is COW's missing-value code)
        check_range(spec, path, raw, c, 0, 1 if c == "cinc" else None)
    out = raw[["ccode", "year"]].copy()
    for c in NMC_COMPONENTS:
        out[c] = raw[c] if c in raw.columns else np.nan
    to_float(out, NMC_COMPONENTS)
    if "stateabb" in raw.columns:
        out.insert(1, "stateabb", raw["stateabb"].astype("string"))
    dup = out.duplicated(["ccode", "year"])
    if dup.any():
        notes.append(f"dropped {int(dup.sum())} duplicate (ccode, year) row(s)")
        out = out.loc[~dup]
    out = out.sort_values(["ccode", "year"]).reset_index(drop=True)
    cov = (int(out.year.min()), int(out.year.max()))
    _check_nmc_complete(spec, path, out)
    version, basis = _nmc_version(raw, path, cov[1])
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


# ---------------------------------------------------------------- contiguity

CONTIGUITY_COVERAGE_END = {"3.0": 2000, "3.1": 2006, "3.2": 2016}


def _yyyymm(v: pd.Series, end: bool) -> pd.Series:
    v = v.astype("int64")
    y, m = v // 100, (v % 100).clip(1, 12)
    d = pd.to_datetime(pd.DataFrame({"year": y, "month": m, "day": 1}))
    return d


def load_contiguity(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    """Directed contiguity spells: ccode1, ccode2, conttype, stdate, enddate, styear, endyear.

    conttype 0 (peacesciencer's explicit "no contiguity" spells) is kept in the spells but
    never overrides a positive record (see :func:`contiguity_dyad_years`)."""
    spec = S.CONTIGUITY
    raw, fmt, notes = read_checked(spec, path)
    if fmt.name.startswith("spells"):
        out = raw[["ccode1", "ccode2", "conttype"]].copy()
        out["stdate"] = pd.to_datetime(raw["stdate"], errors="coerce")
        out["enddate"] = pd.to_datetime(raw["enddate"], errors="coerce")
        bad = out.stdate.isna() | out.enddate.isna()
        if bad.all():
            raise DataFileInvalid(f"{path}: stdate/enddate are not dates (expected YYYY-MM-DD)",
                                  dataset=spec.key, path=path)
        if bad.any():
            notes.append(f"dropped {int(bad.sum())} spell(s) with unreadable dates")
            out = out.loc[~bad]
    elif fmt.name.startswith("COW master"):
        a = raw[["statelno", "statehno", "conttype"]].rename(columns={"statelno": "ccode1", "statehno": "ccode2"})
        a["stdate"] = _yyyymm(raw["begin"], False).to_numpy()
        a["enddate"] = _yyyymm(raw["end"], True).to_numpy()
        b = a.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
        out = pd.concat([a, b[a.columns]], ignore_index=True)
    else:  # directed dyad-year -> year spells (runs of consecutive years with one conttype)
        d = raw[["state1no", "state2no", "year", "conttype"]].rename(
            columns={"state1no": "ccode1", "state2no": "ccode2"}).sort_values(["ccode1", "ccode2", "year"])
        brk = ((d.ccode1.diff() != 0) | (d.ccode2.diff() != 0) | (d.conttype.diff() != 0)
               | (d.year.diff() != 1)).cumsum()
        g = d.groupby(brk.to_numpy())
        out = pd.DataFrame({"ccode1": g.ccode1.first(), "ccode2": g.ccode2.first(),
                            "conttype": g.conttype.first(), "styear": g.year.min(), "endyear": g.year.max()})
        out["stdate"] = pd.to_datetime(out.styear.astype(str) + "-01-01")
        out["enddate"] = pd.to_datetime(out.endyear.astype(str) + "-12-31")
    out = out.reset_index(drop=True)
    out["styear"] = out.stdate.dt.year.astype("int64")
    out["endyear"] = out.enddate.dt.year.astype("int64")
    odd = ~out.conttype.isin([0, 1, 2, 3, 4, 5])
    if odd.any():
        notes.append(f"dropped {int(odd.sum())} record(s) with conttype outside 0-5")
        out = out.loc[~odd]
    out = out[["ccode1", "ccode2", "conttype", "stdate", "enddate", "styear", "endyear"]]
    out = out.sort_values(["ccode1", "ccode2", "stdate"]).reset_index(drop=True)
    if (out.conttype == 0).any():
        notes.append("conttype 0 rows are peacesciencer's explicit 'no direct contiguity' spells; they can "
                     "overlap positive spells, and a positive record always wins")
    cov = (int(out.styear.min()), int(out.endyear.max()))
    v = _version_column(raw)
    if v is not None and v < 10:
        version, basis = _fmt_version(v), "'version' column"
    elif "320" in str(path) or "3.2" in path.name:
        version, basis = "3.2", "file path"
    else:
        version, basis = "unknown", f"coverage ends {cov[1]}"
        for ver, end in CONTIGUITY_COVERAGE_END.items():
            if cov[1] <= end:
                version, basis = ver, f"coverage ends {cov[1]} (release {ver} ends {end})"
                break
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


def contiguity_dyad_years(spells: pd.DataFrame) -> pd.DataFrame:
    """Directed dyad-years with the closest positive contiguity type in force during any part of
    the year: ccode1, ccode2, year, conttype (1-5). Pairs absent here are not directly contiguous."""
    pos = spells.loc[spells.conttype > 0]
    n = (pos.endyear - pos.styear + 1).to_numpy()
    rep = np.repeat(np.arange(len(pos)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    c1 = pos.ccode1.to_numpy()[rep]
    c2 = pos.ccode2.to_numpy()[rep]
    yr = pos.styear.to_numpy()[rep] + offs
    ct = pos.conttype.to_numpy()[rep]
    key = (c1 * 10000 + c2) * 10000 + yr
    order = np.lexsort((ct, key))
    key, c1, c2, yr, ct = key[order], c1[order], c2[order], yr[order], ct[order]
    first = np.r_[True, key[1:] != key[:-1]]
    return pd.DataFrame({"ccode1": c1[first], "ccode2": c2[first], "year": yr[first],
                         "conttype": ct[first].astype("int64")})


# ---------------------------------------------------------------- distance


def load_mindist(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.MINDIST
    raw, fmt, notes = read_checked(spec, path)
    a = raw.ccode1.to_numpy()
    b = raw.ccode2.to_numpy()
    out = pd.DataFrame({
        "ccode1": np.minimum(a, b).astype("int64"),
        "ccode2": np.maximum(a, b).astype("int64"),
        "year": raw.year.to_numpy().astype("int64"),
        "mindist": pd.to_numeric(raw.mindist, errors="coerce").to_numpy().astype("float64"),
    })
    out.loc[out.mindist < 0, "mindist"] = np.nan
    cov = (int(out.year.min()), int(out.year.max()))
    if cov[0] < 1946:
        version, basis = "CShapes 2.0", f"coverage starts {cov[0]} (CShapes 2.0 starts 1886, earlier releases 1946)"
    else:
        version, basis = "CShapes (pre-2.0?)", f"coverage starts {cov[0]}"
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


def load_capitals(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.CAPITALS
    raw, fmt, notes = read_checked(spec, path)
    out = pd.DataFrame({
        "ccode": raw.ccode,
        "statenme": raw["statenme"].astype("string") if "statenme" in raw else pd.NA,
        "capital": raw["capital"].astype("string"),
        "stdate": pd.to_datetime(raw["stdate"], errors="coerce"),
        "enddate": pd.to_datetime(raw["enddate"], errors="coerce"),
    })
    check_range(spec, path, raw, "lat", -90, 90, missing_codes=(), keys=("ccode",))
    check_range(spec, path, raw, "lng", -180, 180, missing_codes=(), keys=("ccode",))
    to_float(raw, ["lat", "lng"], missing_codes=())
    out["lat"], out["lng"] = raw["lat"], raw["lng"]
    bad = out.stdate.isna() | out.enddate.isna()
    if bad.any():
        notes.append(f"dropped {int(bad.sum())} capital spell(s) with unreadable dates")
        out = out.loc[~bad]
    out["styear"] = out.stdate.dt.year.astype("int64")
    out["endyear"] = out.enddate.dt.year.astype("int64")
    out = out.sort_values(["ccode", "stdate"]).reset_index(drop=True)
    cov = (int(out.styear.min()), int(out.endyear.max()))
    return out, _info(spec, path, fmt.name, "peacesciencer", "single known source", out, cov, notes)


def load_trade(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.TRADE
    raw, fmt, notes = read_checked(spec, path)
    cols = ["ccode", "year", "imports", "exports"] + [c for c in ("alt_imports", "alt_exports") if c in raw]
    out = raw[cols].copy()
    to_float(out, cols[2:])
    out = out.sort_values(["ccode", "year"]).drop_duplicates(["ccode", "year"]).reset_index(drop=True)
    cov = (int(out.year.min()), int(out.year.max()))
    v = _version_column(raw)
    m = re.search(r"_(\d)\.(\d)", path.name)
    if v is not None:
        version, basis = _fmt_version(v), "'version' column"
    elif m:
        version, basis = f"{m.group(1)}.{m.group(2)}", "file name"
    elif cov[1] <= 2009:
        version, basis = "3.0", f"coverage ends {cov[1]} (v3.0 ends 2009)"
    elif cov[1] <= 2014:
        version, basis = "4.0", f"coverage ends {cov[1]} (v4.0 ends 2014)"
    else:
        version, basis = "unknown", f"coverage ends {cov[1]}"
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


# ---------------------------------------------------------------- war

WAR_COLUMNS = ("warnum", "ccode1", "ccode2", "year", "onset", "side1", "side2", "initiator1", "initiator2",
               "outcome1", "outcome2", "batdeath1", "batdeath2", "resume")


def _war_from_participants(raw: pd.DataFrame, last_year: int) -> pd.DataFrame:
    parts = []
    for spell, resume in ((1, 0), (2, 1)):
        sy, ey = f"startyear{spell}", f"endyear{spell}"
        if sy not in raw or ey not in raw:
            continue
        p = raw.loc[pd.to_numeric(raw[sy], errors="coerce") > 0].copy()
        p["_s"] = pd.to_numeric(p[sy]).astype("int64")
        e = pd.to_numeric(p[ey], errors="coerce")
        p["_e"] = e.where(e > 0, last_year).astype("int64")  # -7 = ongoing
        p["resume"] = resume
        parts.append(p)
    p = pd.concat(parts, ignore_index=True)
    n = (p._e - p._s + 1).clip(lower=1).to_numpy()
    rep = np.repeat(np.arange(len(p)), n)
    py = p.iloc[rep].reset_index(drop=True)
    py["year"] = py._s.to_numpy() + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    for c in ("initiator", "outcome", "batdeath"):
        if c not in py:
            py[c] = np.nan
    py = py[["warnum", "ccode", "side", "year", "initiator", "outcome", "batdeath", "resume"]]
    d = py.merge(py, on=["warnum", "year"], suffixes=("1", "2"))
    d = d.loc[(d.side1 != d.side2) & (d.ccode1 != d.ccode2)]
    d = d.rename(columns={"resume1": "resume"}).drop(columns=["resume2"])
    d = d.sort_values(["warnum", "ccode1", "ccode2", "year"]).drop_duplicates(["warnum", "ccode1", "ccode2", "year"])
    d["onset"] = (~d.duplicated(["warnum", "ccode1", "ccode2"])).astype("int64")
    for c in ("initiator1", "initiator2"):
        d[c] = (pd.to_numeric(d[c], errors="coerce") == 1).astype("int64")
    return d


def load_war(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.WAR
    raw, fmt, notes = read_checked(spec, path)
    v = _version_column(raw)
    version = _fmt_version(v) if v is not None else "4.0"
    basis = "'version' column" if v is not None else "layout (v4.0 is the release with these columns)"
    cov_end = 2007 if version.startswith("4") else None
    if fmt.name.startswith("dyad-year"):
        d = raw.rename(columns={"cowinteronset": "onset", "sidea1": "side1", "sidea2": "side2"})
    else:
        d = _war_from_participants(raw, cov_end or int(pd.to_numeric(raw.endyear1, errors="coerce").max()))
        notes.append("dyad-years built from the participant file: two states are at war in a year when they "
                     "fought on opposite sides of the same war in that year (year resolution)")
    out = pd.DataFrame({c: d[c] if c in d.columns else np.nan for c in WAR_COLUMNS})
    to_float(out, ["outcome1", "outcome2", "batdeath1", "batdeath2"], missing_codes=(-9, -8, -7))
    for c in ("onset", "side1", "side2", "initiator1", "initiator2", "resume"):
        out[c] = pd.to_numeric(out[c], errors="coerce").fillna(0).astype("int64")
    out = out.sort_values(["warnum", "ccode1", "ccode2", "year"]).reset_index(drop=True)
    cov = (1816, max(cov_end or 0, int(out.year.max())))
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


# ---------------------------------------------------------------- ATOP

ATOP_FLAGS = ("defense", "offense", "neutral", "nonagg", "consul")
#: last year covered by each ATOP release line
ATOP_COVERAGE_END = {"3": 2003, "4": 2016, "5": 2018}


def commitment_of(defense, consul) -> np.ndarray:
    """'defend' if a defence obligation, else 'consult' if a consultation obligation, else 'other'."""
    d = np.asarray(defense, dtype="float64") == 1
    c = np.asarray(consul, dtype="float64") == 1
    return np.select([d, c], ["defend", "consult"], "other").astype(object)


def _atop_version(raw: pd.DataFrame, path: Path, last_year: int) -> tuple[str, str]:
    v = _version_column(raw)
    if v is not None and 1 <= v < 100:
        return _fmt_version(round(v, 2)), "'version' column"
    m = re.match(r"atop(\d)_(\d+)", path.name, re.IGNORECASE)
    if m:
        return f"{m.group(1)}.{m.group(2)}", "file name"
    news = [int(x.group(1)) for c in raw.columns if (x := re.fullmatch(r"new(\d)", c))]
    if news:
        return f"{max(news)}.x", f"columns new{max(news)}/rev{max(news)}"
    for ver, end in ATOP_COVERAGE_END.items():
        if last_year <= end:
            return f"{ver}.x", f"coverage ends {last_year}"
    return "5.x", f"coverage ends {last_year}"


def _atop_end(version: str, last_year: int) -> int:
    major = version.split(".")[0]
    return max(last_year, ATOP_COVERAGE_END.get(major, last_year))


def load_atop_alliances(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.ATOP_A
    raw, fmt, notes = read_checked(spec, path)
    mem_cols = sorted((c for c in raw.columns if re.fullmatch(r"mem\d+", c)), key=lambda c: int(c[3:]))
    to_float(raw, list(ATOP_FLAGS) + ["endyr", "ineffect", "bilat"], missing_codes=())
    for c in ATOP_FLAGS:
        if c not in raw:
            raw[c] = np.nan
    endyr = raw["endyr"]
    ineffect = raw["ineffect"] if "ineffect" in raw else pd.Series(np.nan, index=raw.index)
    censored = (endyr.fillna(0) == 0) | (ineffect == 1)
    out = pd.DataFrame({"atopid": raw.atopid, "begyr": raw.begyr})
    for c in ("begmo", "begday"):
        out[c] = pd.to_numeric(raw[c], errors="coerce") if c in raw else np.nan
    out["endyr"] = endyr.where(~censored).astype("Int64")
    for c in ("endmo", "endday"):
        out[c] = pd.to_numeric(raw[c], errors="coerce").where(~censored) if c in raw else np.nan
    out["ineffect"] = ineffect
    out["censored"] = censored.to_numpy()
    out["bilat"] = raw["bilat"] if "bilat" in raw else np.nan
    out["maxphase"] = pd.to_numeric(raw["maxphase"], errors="coerce") if "maxphase" in raw else np.nan
    for c in ATOP_FLAGS:
        out[c] = raw[c]
    out["commitment"] = commitment_of(raw.defense, raw.consul)
    if mem_cols:
        mm = raw[mem_cols].apply(pd.to_numeric, errors="coerce").to_numpy()
        out["members"] = [tuple(int(x) for x in row if x == x and x > 0) for row in mm]
    else:
        out["members"] = [()] * len(out)
    out["n_members"] = out["members"].map(len).astype("int64")
    rest = [c for c in raw.columns if c not in out.columns and c not in mem_cols]
    out = pd.concat([out, raw[rest]], axis=1).sort_values("atopid").reset_index(drop=True)
    last = int(max(out.begyr.max(), out.endyr.max() if out.endyr.notna().any() else 0))
    version, basis = _atop_version(raw, path, last)
    cov = (int(out.begyr.min()), _atop_end(version, last))
    if re.search(r"to\d{4}", path.name):
        notes.append(f"file name says the alliance list is cut ({path.name}); alliances that began later are absent")
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


def load_atop_members(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.ATOP_M
    raw, fmt, notes = read_checked(spec, path)
    to_float(raw, list(ATOP_FLAGS) + ["yrexit", "ineffect"], missing_codes=())
    for c in ATOP_FLAGS:
        if c not in raw:
            raw[c] = np.nan
    yrexit = raw["yrexit"]
    censored = yrexit.isna() | (yrexit == 0)
    if yrexit.isna().any():
        notes.append(f"{int(yrexit.isna().sum())} member row(s) have a blank yrexit; treated as still members")
    out = pd.DataFrame({"atopid": raw.atopid, "member": raw.member, "yrent": raw.yrent})
    for c in ("moent", "dayent"):
        out[c] = pd.to_numeric(raw[c], errors="coerce") if c in raw else np.nan
    out["yrexit"] = yrexit.where(~censored).astype("Int64")
    for c in ("moexit", "dayexit"):
        out[c] = pd.to_numeric(raw[c], errors="coerce").where(~censored) if c in raw else np.nan
    out["censored"] = censored.to_numpy()
    out["phase"] = pd.to_numeric(raw["phase"], errors="coerce").fillna(0).astype("int64") if "phase" in raw else 0
    for c in ATOP_FLAGS:
        out[c] = raw[c]
    out["commitment"] = commitment_of(raw.defense, raw.consul)
    rest = [c for c in raw.columns if c not in out.columns]
    out = pd.concat([out, raw[rest]], axis=1)
    out = out.sort_values(["atopid", "phase", "member", "yrent"]).reset_index(drop=True)
    last = int(max(out.yrent.max(), out.yrexit.max() if out.yrexit.notna().any() else 0))
    version, basis = _atop_version(raw, path, last)
    cov = (int(out.yrent.min()), _atop_end(version, last))
    return out, _info(spec, path, fmt.name, version, basis, out, cov, notes)


def atop_member_years(members: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """One row per (atopid, member, year) a state belonged to an alliance (any part of the year).

    Right-censored memberships (yrexit 0 / blank) run to ``last_year``; ``censored`` marks states
    still members at the end of the data. When phases change within a year, the obligation flags
    are the maximum over the phases in force that year."""
    m = members
    end = m.yrexit.astype("float64").fillna(last_year).to_numpy().astype("int64")
    start = m.yrent.to_numpy()
    n = np.clip(end - start + 1, 0, None)
    rep = np.repeat(np.arange(len(m)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    d = pd.DataFrame({
        "atopid": m.atopid.to_numpy()[rep], "member": m.member.to_numpy()[rep],
        "year": start[rep] + offs, "phase": m.phase.to_numpy()[rep],
        "censored": m.censored.to_numpy()[rep],
    })
    for c in ATOP_FLAGS:
        d[c] = m[c].to_numpy(dtype="float64")[rep]
    g = d.groupby(["year", "atopid", "member"], sort=True)
    agg = g.agg(phase=("phase", "max"), **{c: (c, "max") for c in ATOP_FLAGS}).reset_index()
    # censored: this state is still a member at the end of the data (in some phase)
    pair = m.atopid.to_numpy() * 10000 + m.member.to_numpy()
    open_pairs = np.unique(pair[m.censored.to_numpy(dtype=bool)])
    agg.insert(4, "censored", np.isin(agg.atopid.to_numpy() * 10000 + agg.member.to_numpy(), open_pairs))
    agg["commitment"] = commitment_of(agg.defense, agg.consul)
    return agg


# ---------------------------------------------------------------- rivalries and threat

RIVALRY_TYPES = ("positional", "spatial", "ideological", "interventionary")
RIVALRY_COLUMNS = ("source", "rivalry_id", "name", "ccode1", "ccode2", "styear", "endyear", "region",
                   *RIVALRY_TYPES)


def load_td(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.TD
    raw, fmt, notes = read_checked(spec, path)
    out = pd.DataFrame({
        "source": "td",
        "rivalry_id": pd.to_numeric(raw.get("rivalryno", pd.Series(np.arange(len(raw)) + 1)),
                                    errors="coerce").astype("Int64"),
        "name": raw["rivalryname"].astype("string") if "rivalryname" in raw else pd.NA,
        "ccode1": raw.ccode1, "ccode2": raw.ccode2, "styear": raw.styear, "endyear": raw.endyear,
        "region": raw["region"].astype("string") if "region" in raw else pd.NA,
    })
    types = [c for c in raw.columns if re.fullmatch(r"type\d", c)]
    tv = raw[types].astype("string").apply(lambda s: s.str.strip().str.lower()) if types else pd.DataFrame()
    for t in RIVALRY_TYPES:
        out[t] = tv.eq(t).any(axis=1).to_numpy() if types else False
    out = out.sort_values(["styear", "rivalry_id"]).reset_index(drop=True)
    cov = (int(out.styear.min()), int(out.endyear.max()))
    return out, _info(spec, path, fmt.name, "2012", "single known release (Handbook, 1494-2010)", out, cov, notes)


def load_tss(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.TSS
    raw, fmt, notes = read_checked(spec, path)
    out = pd.DataFrame({
        "source": "tss",
        "rivalry_id": pd.to_numeric(raw.get("tssr_id", pd.Series(np.arange(len(raw)) + 1)),
                                    errors="coerce").astype("Int64"),
        "name": raw["rivalry"].astype("string") if "rivalry" in raw else pd.NA,
        "ccode1": raw.ccode1, "ccode2": raw.ccode2,
        "styear": raw["start"].astype("int64"), "endyear": raw["end"].astype("int64"),
        "region": pd.NA,
    })
    for t in RIVALRY_TYPES + ("principal", "aprin"):
        out[t] = (pd.to_numeric(raw[t], errors="coerce").fillna(0) == 1).to_numpy() if t in raw else False
    out = out.sort_values(["styear", "rivalry_id"]).reset_index(drop=True)
    cov = (int(out.styear.min()), int(out.endyear.max()))
    return out, _info(spec, path, fmt.name, f"to {cov[1]}", "coverage (no version column)", out, cov, notes)


def load_terrthreat(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.TERRTHREAT
    raw, fmt, notes = read_checked(spec, path)
    cols = ["ccode", "year"] + [c for c in ("lterrthreat", "sd", "lwr", "upr", "m_lterrthreat", "m_sd",
                                            "m_lwr", "m_upr") if c in raw]
    out = raw[cols].copy()
    to_float(out, cols[2:], missing_codes=())
    out = out.sort_values(["ccode", "year"]).drop_duplicates(["ccode", "year"]).reset_index(drop=True)
    cov = (int(out.year.min()), int(out.year.max()))
    return out, _info(spec, path, fmt.name, "peacesciencer", "single known source", out, cov, notes)


def load_ls_threat(path: Path) -> tuple[pd.DataFrame, DatasetInfo]:
    spec = S.LS_THREAT
    raw, fmt, notes = read_checked(spec, path)
    out = raw[["ccode", "year", "lsthreat"]].copy()
    to_float(out, ["lsthreat"], missing_codes=())
    out = out.sort_values(["ccode", "year"]).drop_duplicates(["ccode", "year"]).reset_index(drop=True)
    cov = (int(out.year.min()), int(out.year.max()))
    return out, _info(spec, path, fmt.name, "2007", "single known release (replication data)", out, cov, notes)


LOADERS = {
    "states": load_states, "majors": load_majors, "nmc": load_nmc, "contiguity": load_contiguity,
    "mindist": load_mindist, "capitals": load_capitals, "trade": load_trade, "war": load_war,
    "atop_alliances": load_atop_alliances, "atop_members": load_atop_members, "td_rivalries": load_td,
    "tss_rivalries": load_tss, "terrthreat": load_terrthreat, "ls_threat": load_ls_threat,
}
