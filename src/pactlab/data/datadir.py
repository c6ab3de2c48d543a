"""The :class:`DataDir`: lazily loaded, cached data sets and year-aware queries."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from pactlab.data import _loaders as L
from pactlab.data._files import DataFileMissing, find_file, list_files, missing_file_error
from pactlab.data._specs import SPECS
from pactlab.data.cite import citations as _citations
from pactlab.data.codes import LINEAGES, country_code

ENV_VAR = "PACTLAB_DATA"
_NAN = float("nan")


def collapse_conttype(conttype: Any, sea_max: int = 5) -> str | None:
    """COW conttype -> 'land' (1), 'sea' (2..sea_max), 'remote' (0, None within coverage, or > sea_max).

    conttype is categorical, not ordinal: 1 is a land border, 2-5 are water separations of
    <= 12, 24, 150, 400 miles. ``sea_max=3`` keeps only separations within 24 miles (overlapping
    territorial waters). Returns None only for NaN (unknown)."""
    if conttype is None:
        return "remote"
    try:
        c = float(conttype)
    except (TypeError, ValueError):
        return None
    if math.isnan(c):
        return None
    if c == 1:
        return "land"
    if 2 <= c <= sea_max:
        return "sea"
    return "remote"


def collapse_conttypes(conttype: Iterable[Any], sea_max: int = 5) -> np.ndarray:
    """Vectorised :func:`collapse_conttype` (NaN -> None)."""
    c = np.asarray(pd.to_numeric(pd.Series(list(conttype) if not hasattr(conttype, "__array__") else conttype),
                                 errors="coerce"), dtype="float64")
    out = np.where(c == 1, "land", np.where((c >= 2) & (c <= sea_max), "sea", "remote")).astype(object)
    out[np.isnan(c)] = None
    return out


class Contiguity(NamedTuple):
    """Result of :meth:`DataDir.contiguity`.

    kind: 'land' | 'sea' | 'remote', or None outside the data's years.
    conttype: raw COW type 1-5, 0 for no direct contiguity, None outside the data's years."""

    kind: str | None
    conttype: int | None


class _KeyIndex:
    """Sorted int64 keys for fast scalar and vectorised lookups (position or -1)."""

    def __init__(self, keys: np.ndarray):
        keys = np.asarray(keys, dtype="int64")
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def find(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype="int64")
        if len(self.keys) == 0:
            return np.full(q.shape, -1, dtype="int64")
        i = np.searchsorted(self.keys, q)
        i = np.clip(i, 0, len(self.keys) - 1)
        hit = self.keys[i] == q
        return np.where(hit, self.order[i], -1)

    def find1(self, q: int) -> int:
        keys = self.keys
        i = int(np.searchsorted(keys, q))
        if i < len(keys) and keys[i] == q:
            return int(self.order[i])
        return -1


def _sy(ccode, year):
    return np.asarray(ccode, dtype="int64") * 10000 + np.asarray(year, dtype="int64")


def _dy(a, b, year):
    return (np.asarray(a, dtype="int64") * 10000 + np.asarray(b, dtype="int64")) * 10000 + np.asarray(year, dtype="int64")


def _bcast(*arrays) -> list[np.ndarray]:
    arrs = [np.atleast_1d(np.asarray(a)) for a in arrays]
    return list(np.broadcast_arrays(*arrs))


def _data_example() -> str:
    """' (e.g. pactlab backtest --data DIR)' for the command being run, if it has a --data option."""
    try:
        import click

        ctx = click.get_current_context(silent=True)
    except ImportError:  # pragma: no cover - click is a dependency
        return ""
    if ctx is None or not any("--data" in getattr(p, "opts", ()) for p in ctx.command.params):
        return ""
    return f" (e.g. {ctx.command_path} --data DIR)"


def open_data(path: str | os.PathLike | None = None, files: Mapping[str, str | os.PathLike] | None = None
              ) -> "DataDir":
    """Open the data directory ``path`` (or ``$PACTLAB_DATA``); nothing is read until used.

    ``files`` optionally maps data-set keys (see :data:`DATASETS`) to explicit file paths."""
    if path is None or str(path) == "":
        env = os.environ.get(ENV_VAR, "")
        if not env:
            raise DataFileMissing(
                f"no data directory given: pass one with the command's --data DIR option{_data_example()} "
                "or set the environment variable "
                f"{ENV_VAR}=DIR to the folder holding the COW, ATOP and rivalry CSV files "
                "(see docs/data.md for the files and where to download them)")
        path = env
    return DataDir(path, files=files)


class DataDir:
    """A directory of COW / ATOP / rivalry / threat files, loaded lazily and cached.

    Attributes
    ----------
    path: the directory.
    used: ``{key: DatasetInfo}`` of every data set loaded so far (for :meth:`citations`).
    """

    def __init__(self, path: str | os.PathLike, files: Mapping[str, str | os.PathLike] | None = None):
        self.path = Path(path).expanduser()
        if not self.path.exists():
            raise DataFileMissing(
                f"data directory {self.path} does not exist; point pactlab at the folder holding the COW, "
                f"ATOP and rivalry CSV files with --data DIR or {ENV_VAR}=DIR (see docs/data.md)",
                directory=self.path)
        if not self.path.is_dir():
            raise DataFileMissing(f"{self.path} is a file, not a directory; give the folder that holds the data "
                                  f"files (--data DIR or {ENV_VAR}=DIR)", directory=self.path)
        self._overrides: dict[str, Path] = {}
        for k, v in (files or {}).items():
            if k not in SPECS:
                raise KeyError(f"unknown data set {k!r}; known: {', '.join(SPECS)}")
            self._overrides[k] = Path(v).expanduser()
        self._listing: list[str] | None = None
        self._cache: dict[str, Any] = {}
        self.used: dict[str, L.DatasetInfo] = {}

    def __repr__(self) -> str:
        return f"DataDir({str(self.path)!r}, loaded={sorted(self.used)})"

    # ------------------------------------------------------------ files

    def locate(self, key: str) -> Path:
        """Path of data set ``key``'s file; DataError naming the accepted names if absent."""
        spec = SPECS[key]
        if key in self._overrides:
            p = self._overrides[key]
            if not p.is_file():
                raise DataFileMissing(
                    f"the file given for {spec.title} does not exist: {p}\n"
                    f"  it should contain: {spec.contents}\n  get it from: {spec.obtain}",
                    dataset=key, directory=p.parent, expected=(str(p),))
            return p
        if self._listing is None:
            self._listing = list_files(self.path)
        p = find_file(spec, self.path, self._listing)
        if p is None:
            raise missing_file_error(spec, self.path)
        return p

    def available(self) -> dict[str, Path | None]:
        """Which data sets have a file (key -> path or None), without reading them."""
        out = {}
        for k in SPECS:
            try:
                out[k] = self.locate(k)
            except DataFileMissing:
                out[k] = None
        return out

    def check(self, keys: Iterable[str] | None = None) -> None:
        """Raise one DataError listing every missing data set among ``keys`` (default: all)."""
        from pactlab.errors import DataError

        problems = []
        for k in (keys or SPECS):
            try:
                self.locate(k)
            except DataError as e:
                problems.append(str(e))
        if problems:
            raise DataFileMissing("\n".join(problems), directory=self.path)

    def _load(self, key: str) -> pd.DataFrame:
        df = self._cache.get(key)
        if df is None:
            df, info = L.LOADERS[key](self.locate(key))
            self._cache[key] = df
            self.used[key] = info
        return df

    def info(self, key: str) -> L.DatasetInfo:
        """Version, coverage and file of data set ``key`` (loads it)."""
        self._load(key)
        return self.used[key]

    def load_all(self, keys: Iterable[str] | None = None, skip_missing: bool = False) -> dict[str, L.DatasetInfo]:
        """Load every data set (or ``keys``); with ``skip_missing`` absent files are ignored."""
        for k in (keys or SPECS):
            try:
                self._load(k)
            except DataFileMissing:
                if not skip_missing:
                    raise
        return dict(self.used)

    def citations(self) -> str:
        """BibTeX for the data sets (and versions) loaded so far."""
        return _citations(self.used)

    def _derived(self, name: str, build):
        v = self._cache.get(name)
        if v is None:
            v = build()
            self._cache[name] = v
        return v

    # ------------------------------------------------------------ tidy tables (one per data set)

    def states(self) -> pd.DataFrame:
        """COW membership spells: ccode, stateabb, statenme, stdate, enddate, styear, endyear."""
        return self._load("states")

    def majors(self) -> pd.DataFrame:
        """COW major-power spells: ccode, stdate, enddate, styear, endyear."""
        return self._load("majors")

    def nmc(self) -> pd.DataFrame:
        """NMC state-years: ccode, [stateabb], year, milex, milper, irst, pec, tpop, upop, cinc (NaN = missing)."""
        return self._load("nmc")

    def contiguity_spells(self) -> pd.DataFrame:
        """Directed contiguity spells: ccode1, ccode2, conttype (0-5), stdate, enddate, styear, endyear."""
        return self._load("contiguity")

    def mindist(self) -> pd.DataFrame:
        """Undirected dyad-years (ccode1 < ccode2): ccode1, ccode2, year, mindist (km)."""
        return self._load("mindist")

    def capitals(self) -> pd.DataFrame:
        """Capital spells: ccode, statenme, capital, stdate, enddate, lat, lng, styear, endyear."""
        return self._load("capitals")

    def trade(self) -> pd.DataFrame:
        """State-year trade totals: ccode, year, imports, exports (current million US$, NaN = missing)."""
        return self._load("trade")

    def wars(self) -> pd.DataFrame:
        """Directed inter-state war dyad-years: warnum, ccode1, ccode2, year, onset, side1, side2,
        initiator1, initiator2, outcome1, outcome2, batdeath1, batdeath2, resume."""
        return self._load("war")

    def atop_alliances(self) -> pd.DataFrame:
        """ATOP alliance-level: atopid, begyr, begmo, begday, endyr (<NA> if in force), endmo, endday,
        ineffect, censored, bilat, maxphase, defense, offense, neutral, nonagg, consul, commitment,
        members (tuple), n_members, then the remaining ATOP columns unchanged."""
        return self._load("atop_alliances")

    def atop_members(self) -> pd.DataFrame:
        """ATOP member-level (one row per member and phase): atopid, member, yrent, moent, dayent,
        yrexit (<NA> if still a member), moexit, dayexit, censored, phase, defense, offense, neutral,
        nonagg, consul, commitment, then the remaining ATOP columns unchanged."""
        return self._load("atop_members")

    def td_rivalries(self) -> pd.DataFrame:
        """Thompson & Dreyer rivalries: source, rivalry_id, name, ccode1, ccode2, styear, endyear,
        region, positional, spatial, ideological, interventionary (bool)."""
        return self._load("td_rivalries")

    def tss_rivalries(self) -> pd.DataFrame:
        """TSS rivalries: same columns as :meth:`td_rivalries` plus principal, aprin (bool)."""
        return self._load("tss_rivalries")

    def terrthreat(self) -> pd.DataFrame:
        """State-year latent territorial threat: ccode, year, lterrthreat, sd, lwr, upr, [m_*]."""
        return self._load("terrthreat")

    def ls_threat(self) -> pd.DataFrame:
        """Leeds & Savun state-year external threat: ccode, year, lsthreat."""
        return self._load("ls_threat")

    # ------------------------------------------------------------ states and majors

    def _coverage(self, key: str) -> tuple[int, int]:
        self._load(key)
        cov = self.used[key].coverage
        assert cov is not None
        return cov

    def state_years(self) -> pd.DataFrame:
        """COW state-years (any part of the year in the system): ccode, year, stateabb, statenme."""
        def build():
            s = self.states()
            n = (s.endyear - s.styear + 1).to_numpy()
            rep = np.repeat(np.arange(len(s)), n)
            yr = s.styear.to_numpy()[rep] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
            out = pd.DataFrame({"ccode": s.ccode.to_numpy()[rep], "year": yr,
                                "stateabb": s.stateabb.to_numpy()[rep], "statenme": s.statenme.to_numpy()[rep]})
            return out.drop_duplicates(["ccode", "year"]).sort_values(["ccode", "year"]).reset_index(drop=True)
        return self._derived("_state_years", build)

    def _sy_index(self, key: str, frame_fn) -> _KeyIndex:
        return self._derived(f"_idx_{key}", lambda: _KeyIndex(_sy(frame_fn().ccode, frame_fn().year)))

    def is_state(self, ccode: int, year: int) -> bool | None:
        """Was ``ccode`` a COW system member at any time in ``year``? None outside the list's years."""
        lo, hi = self._coverage("states")
        if not lo <= year <= hi:
            return None
        return self._sy_index("states", self.state_years).find1(int(_sy(ccode, year))) >= 0

    def is_state_many(self, ccodes, years) -> np.ndarray:
        """Vectorised :meth:`is_state` (float array: 1.0, 0.0, NaN outside coverage)."""
        c, y = _bcast(ccodes, years)
        lo, hi = self._coverage("states")
        hit = (self._sy_index("states", self.state_years).find(_sy(c, y)) >= 0).astype("float64")
        hit[(y < lo) | (y > hi)] = np.nan
        return hit

    def system_members(self, year: int) -> list[int]:
        """Codes of all COW members at any time in ``year`` (empty outside coverage)."""
        sy = self.state_years()
        return sy.ccode[sy.year.to_numpy() == year].tolist()

    def major_years(self) -> pd.DataFrame:
        """Major-power state-years (any part of the year): ccode, year."""
        def build():
            m = self.majors()
            n = (m.endyear - m.styear + 1).to_numpy()
            rep = np.repeat(np.arange(len(m)), n)
            yr = m.styear.to_numpy()[rep] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
            out = pd.DataFrame({"ccode": m.ccode.to_numpy()[rep], "year": yr})
            return out.drop_duplicates().sort_values(["ccode", "year"]).reset_index(drop=True)
        return self._derived("_major_years", build)

    def is_major(self, ccode: int, year: int) -> bool | None:
        """Was ``ccode`` a COW major power at any time in ``year``? None outside the list's years."""
        lo, hi = self._coverage("majors")
        if not lo <= year <= hi:
            return None
        return self._sy_index("majors", self.major_years).find1(int(_sy(ccode, year))) >= 0

    def majors_in(self, year: int) -> list[int]:
        """Codes of the major powers at any time in ``year``."""
        m = self.major_years()
        return m.ccode[m.year.to_numpy() == year].tolist()

    def state_name(self, ccode: int, year: int | None = None) -> str | None:
        """COW name of ``ccode`` (in ``year`` if given)."""
        s = self.states()
        s = s[s.ccode == ccode]
        if year is not None:
            s = s[(s.styear <= year) & (s.endyear >= year)]
        if s.empty or pd.isna(s.statenme.iloc[-1]):
            return None
        return str(s.statenme.iloc[-1])

    def code_for(self, name: str, year: int) -> int | None:
        """COW code denoting country ``name`` in ``year`` (code-change lineages first, then the states
        list by name or abbreviation, the spell in force on 31 December winning)."""
        key = " ".join(name.strip().lower().split())
        if key in LINEAGES:
            return country_code(key, year)
        s = self.states()
        m = (s.statenme.str.lower() == key) | (s.stateabb.str.lower() == key)
        s = s[m.fillna(False).to_numpy()]
        if s.empty:
            return None
        s = s[(s.styear <= year) & (s.endyear >= year)]
        if s.empty:
            return None
        return int(s.sort_values("enddate").ccode.iloc[-1])

    # ------------------------------------------------------------ capabilities

    def nmc_frame(self) -> pd.DataFrame:
        """NMC indexed by (ccode, year), sorted; columns milex .. cinc. Reindex it for batches."""
        return self._derived("_nmc_frame", lambda: self.nmc().set_index(["ccode", "year"])[
            list(L.NMC_COMPONENTS)].sort_index())

    def capability(self, ccode: int, year: int) -> dict[str, float]:
        """CINC and its components for (ccode, year); all NaN outside NMC coverage (never 0)."""
        f = self.nmc_frame()
        i = self._derived("_idx_nmc", lambda: _KeyIndex(_sy(f.index.get_level_values(0),
                                                            f.index.get_level_values(1))))
        pos = i.find1(int(_sy(ccode, year)))
        if pos < 0:
            return {c: _NAN for c in L.NMC_COMPONENTS}
        vals = self._derived("_nmc_values", lambda: f.to_numpy(dtype="float64"))[pos]
        return dict(zip(L.NMC_COMPONENTS, map(float, vals)))

    def cinc(self, ccode: int, year: int) -> float:
        """CINC score of (ccode, year), NaN if not in NMC."""
        return self.capability(ccode, year)["cinc"]

    def capabilities(self, ccodes, years) -> pd.DataFrame:
        """Batch :meth:`capability`: rows aligned with the (broadcast) inputs, NaN where absent."""
        c, y = _bcast(ccodes, years)
        idx = pd.MultiIndex.from_arrays([c.astype("int64"), y.astype("int64")], names=["ccode", "year"])
        return self.nmc_frame().reindex(idx)

    # ------------------------------------------------------------ contiguity

    def contiguity_years(self) -> pd.DataFrame:
        """Directed dyad-years of direct contiguity: ccode1, ccode2, year, conttype (closest type in
        force in any part of the year, 1-5), kind ('land'/'sea'). Absent pairs are not contiguous."""
        def build():
            d = L.contiguity_dyad_years(self.contiguity_spells())
            d["kind"] = collapse_conttypes(d.conttype.to_numpy())
            return d
        return self._derived("_contig_years", build)

    def _contig_index(self) -> _KeyIndex:
        d = self.contiguity_years()
        return self._derived("_idx_contig", lambda: _KeyIndex(_dy(d.ccode1, d.ccode2, d.year)))

    def contiguity(self, a: int, b: int, year: int, sea_max: int = 5) -> Contiguity:
        """Direct contiguity of a and b in ``year``: Contiguity(kind, conttype).

        kind 'land' (conttype 1), 'sea' (2..sea_max), 'remote' (no record -> conttype 0);
        Contiguity(None, None) outside the data's years. Spells are honoured: a record in force for
        any part of the year counts, the closest type winning."""
        lo, hi = self._coverage("contiguity")
        if not lo <= year <= hi:
            return Contiguity(None, None)
        pos = self._contig_index().find1(int(_dy(a, b, year)))
        if pos < 0:
            return Contiguity("remote", 0)
        ct = int(self.contiguity_years().conttype.to_numpy()[pos])
        return Contiguity(collapse_conttype(ct, sea_max), ct)

    def contiguity_many(self, a, b, years, sea_max: int = 5) -> pd.DataFrame:
        """Batch :meth:`contiguity`: DataFrame(ccode1, ccode2, year, conttype, kind) aligned with the inputs
        (conttype 0/'remote' for no contiguity; NaN/None outside coverage)."""
        a, b, y = _bcast(a, b, years)
        lo, hi = self._coverage("contiguity")
        pos = self._contig_index().find(_dy(a, b, y))
        ct = np.where(pos >= 0, self.contiguity_years().conttype.to_numpy()[np.maximum(pos, 0)], 0).astype("float64")
        ct[(y < lo) | (y > hi)] = np.nan
        return pd.DataFrame({"ccode1": a, "ccode2": b, "year": y, "conttype": ct,
                             "kind": collapse_conttypes(ct, sea_max)})

    def contiguity_frame(self, year: int | None = None) -> pd.DataFrame:
        """Contiguous directed dyads (conttype 1-5) in ``year`` (all years if None)."""
        d = self.contiguity_years()
        if year is None:
            return d
        return d.loc[d.year.to_numpy() == year].reset_index(drop=True)

    # ------------------------------------------------------------ distance

    def _mindist_index(self) -> _KeyIndex:
        d = self.mindist()
        return self._derived("_idx_mindist", lambda: _KeyIndex(_dy(d.ccode1, d.ccode2, d.year)))

    def min_distance(self, a: int, b: int, year: int) -> float:
        """Minimum distance (km) between a's and b's territories in ``year``; NaN outside the data's years
        (CShapes 2.0: from 1886) or for pairs not in the data (including a == b)."""
        lo, hi = self._coverage("mindist")
        if not lo <= year <= hi:
            return _NAN
        lo_c, hi_c = (a, b) if a <= b else (b, a)
        pos = self._mindist_index().find1(int(_dy(lo_c, hi_c, year)))
        return _NAN if pos < 0 else float(self.mindist().mindist.to_numpy()[pos])

    def min_distances(self, a, b, years) -> np.ndarray:
        """Batch :meth:`min_distance` (float array aligned with the broadcast inputs)."""
        a, b, y = _bcast(a, b, years)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        pos = self._mindist_index().find(_dy(lo, hi, y))
        v = self.mindist().mindist.to_numpy()
        return np.where(pos >= 0, v[np.maximum(pos, 0)], np.nan)

    def mindist_frame(self, year: int | None = None) -> pd.DataFrame:
        """Undirected dyad distances in ``year`` (all years if None)."""
        d = self.mindist()
        if year is None:
            return d
        return d.loc[d.year.to_numpy() == year].reset_index(drop=True)

    # ------------------------------------------------------------ alliances (ATOP)

    def atop_coverage(self) -> tuple[int, int]:
        """(first, last) year of the ATOP member-level data (last = end of the release)."""
        return self._coverage("atop_members")

    def atop_member_years(self) -> pd.DataFrame:
        """Member-years: year, atopid, member, phase, censored, defense, offense, neutral, nonagg,
        consul, commitment. Sorted by year; right-censored memberships run to the release's last year."""
        def build():
            _, hi = self.atop_coverage()
            return L.atop_member_years(self.atop_members(), hi)
        return self._derived("_atop_my", build)

    def _atop_open_ids(self) -> np.ndarray:
        """atopids with a membership still in force at the end of the data (right-censored)."""
        def build():
            m = self.atop_members()
            return np.unique(m.atopid.to_numpy()[m.censored.to_numpy(dtype=bool)])
        return self._derived("_atop_open", build)

    def atop_alliance_years(self) -> pd.DataFrame:
        """Alliance-years (batch form of ``alliances_in_force(year, by='alliance')`` for every year):
        atopid, year, members (tuple), n_members, defense .. consul (max over active members),
        commitment, censored. Sorted by (year, atopid)."""
        def build():
            my = self.atop_member_years()
            key = my.year.to_numpy() * 100000 + my.atopid.to_numpy()
            starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            mem = my.member.to_numpy()
            out = {"atopid": my.atopid.to_numpy()[starts], "year": my.year.to_numpy()[starts],
                   "members": [tuple(sorted(x.tolist())) for x in np.split(mem, starts[1:])],
                   "n_members": np.diff(np.r_[starts, len(key)]).astype("int64")}
            for c in L.ATOP_FLAGS:
                out[c] = np.fmax.reduceat(my[c].to_numpy(dtype="float64"), starts)
            out["commitment"] = L.commitment_of(out["defense"], out["consul"])
            out["censored"] = np.isin(out["atopid"], self._atop_open_ids())
            return pd.DataFrame(out)
        return self._derived("_atop_ay", build)

    def alliances_in_force(self, year: int, members: Iterable[int] | None = None,
                           by: str = "member") -> pd.DataFrame:
        """ATOP alliances in force in ``year`` with the members active that year.

        by='member': one row per (atopid, member) (columns of :meth:`atop_member_years`).
        by='alliance': one row per alliance: atopid, year, members (tuple), n_members, defense, offense,
        neutral, nonagg, consul (max over active members), commitment, censored (some member is still
        in it at the end of the data, i.e. the alliance is right-censored).
        ``members``: keep only alliances in which *all* these states are active members that year.
        Years after the release's end keep the right-censored memberships (still in force)."""
        my = self.atop_member_years()
        lo, hi = self.atop_coverage()
        yq = min(year, hi)
        years = my.year.to_numpy()
        i0, i1 = np.searchsorted(years, yq, "left"), np.searchsorted(years, yq, "right")
        rows = my.iloc[i0:i1]
        if year > hi:
            rows = rows.loc[rows.censored.to_numpy()]
        rows = rows.assign(year=year) if year != yq else rows
        if members is not None:
            want = {int(m) for m in members}
            if want:
                ids = rows.atopid.to_numpy()
                hit = np.isin(rows.member.to_numpy(), list(want))
                u, cnt = np.unique(ids[hit], return_counts=True)  # (atopid, member) is unique per year
                rows = rows.loc[np.isin(ids, u[cnt == len(want)])]
        rows = rows.reset_index(drop=True)
        if by == "member":
            return rows
        if by != "alliance":
            raise ValueError("by must be 'member' or 'alliance'")
        cols = ["atopid", "year", "members", "n_members", *L.ATOP_FLAGS, "commitment", "censored"]
        if rows.empty:
            return pd.DataFrame(columns=cols)
        ids = rows.atopid.to_numpy()  # rows are sorted by atopid within a year
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        mem = rows.member.to_numpy()
        out = {"atopid": ids[starts], "year": np.full(len(starts), year, dtype="int64"),
               "members": [tuple(sorted(x.tolist())) for x in np.split(mem, starts[1:])]}
        out["n_members"] = np.diff(np.r_[starts, len(ids)]).astype("int64")
        for c in L.ATOP_FLAGS:
            v = rows[c].to_numpy(dtype="float64")
            out[c] = np.fmax.reduceat(v, starts)
        out["commitment"] = L.commitment_of(out["defense"], out["consul"])
        out["censored"] = np.isin(out["atopid"], self._atop_open_ids())
        return pd.DataFrame(out, columns=cols)

    def commitment(self, atopid: int, year: int | None = None) -> str | None:
        """'defend' / 'consult' / 'other' for alliance ``atopid``: from the alliance-level flags, or, with
        ``year``, from the obligations of the phase(s) in force that year (None if not in force)."""
        if year is None:
            a = self.atop_alliances()
            r = a.loc[a.atopid.to_numpy() == atopid]
            return None if r.empty else str(r.commitment.iloc[0])
        rows = self.alliances_in_force(year)
        rows = rows.loc[rows.atopid.to_numpy() == atopid]
        if rows.empty:
            return None
        return str(L.commitment_of([rows.defense.max()], [rows.consul.max()])[0])

    def alliance_members(self, atopid: int, year: int | None = None) -> list[int]:
        """Members of ``atopid`` active in ``year`` (all members ever, if None)."""
        if year is None:
            m = self.atop_members()
            return sorted(set(m.member[m.atopid.to_numpy() == atopid].tolist()))
        rows = self.alliances_in_force(year)
        return sorted(set(rows.member[rows.atopid.to_numpy() == atopid].tolist()))

    # ------------------------------------------------------------ rivalries, war, threat, capitals, trade

    def rivalries(self, source: str = "td") -> pd.DataFrame:
        """Rivalry table: source 'td' (Thompson & Dreyer) or 'tss' (Thompson, Sakuwa & Suhas)."""
        if source == "td":
            return self.td_rivalries()
        if source == "tss":
            return self.tss_rivalries()
        raise ValueError("source must be 'td' or 'tss'")

    def rivals(self, ccode: int, year: int, source: str = "td", types: Iterable[str] | None = None
               ) -> list[int] | None:
        """Codes of ``ccode``'s strategic rivals in ``year`` (rivalry styear <= year <= endyear);
        None after the data's last year. ``types`` keeps rivalries of any of those types
        ('positional', 'spatial', 'ideological', 'interventionary')."""
        r = self.rivalries(source)
        lo, hi = self._coverage(f"{source}_rivalries")
        if year > hi:
            return None

        def build():
            return (r.ccode1.to_numpy(), r.ccode2.to_numpy(), r.styear.to_numpy(), r.endyear.to_numpy(),
                    {t: r[t].to_numpy(dtype=bool) for t in L.RIVALRY_TYPES})
        c1, c2, sy, ey, tf = self._derived(f"_rivals_arrays_{source}", build)
        m = ((c1 == ccode) | (c2 == ccode)) & (sy <= year) & (ey >= year)
        if types:
            tm = np.zeros(len(c1), dtype=bool)
            for t in types:
                if t not in tf:
                    raise ValueError(f"unknown rivalry type {t!r}; known: {', '.join(L.RIVALRY_TYPES)}")
                tm |= tf[t]
            m &= tm
        other = np.where(c1[m] == ccode, c2[m], c1[m])
        return sorted(set(other.tolist()))

    def rivalry_years(self, source: str = "td") -> pd.DataFrame:
        """Directed rivalry dyad-years: ccode1, ccode2, year, rivalry_id and the type flags."""
        def build():
            r = self.rivalries(source)
            n = (r.endyear - r.styear + 1).clip(lower=0).to_numpy()
            rep = np.repeat(np.arange(len(r)), n)
            yr = r.styear.to_numpy()[rep] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
            base = r.iloc[rep].reset_index(drop=True).assign(year=yr)
            flip = base.rename(columns={"ccode1": "ccode2", "ccode2": "ccode1"})
            out = pd.concat([base, flip[base.columns]], ignore_index=True)
            cols = ["ccode1", "ccode2", "year", "rivalry_id", *L.RIVALRY_TYPES]
            return out[cols].sort_values(["ccode1", "ccode2", "year"]).reset_index(drop=True)
        return self._derived(f"_rivalry_years_{source}", build)

    def war_years(self) -> pd.DataFrame:
        """Unique directed dyad-years at war: ccode1, ccode2, year (plus warnum of the first war listed)."""
        return self._derived("_war_years", lambda: self.wars().drop_duplicates(["ccode1", "ccode2", "year"])[
            ["ccode1", "ccode2", "year", "warnum"]].sort_values(["ccode1", "ccode2", "year"]).reset_index(drop=True))

    def at_war(self, a: int, b: int, year: int) -> bool | None:
        """Were a and b on opposite sides of an inter-state war in ``year``? None outside coverage."""
        lo, hi = self._coverage("war")
        if not lo <= year <= hi:
            return None
        w = self.war_years()
        idx = self._derived("_idx_war", lambda: _KeyIndex(_dy(w.ccode1, w.ccode2, w.year)))
        return idx.find1(int(_dy(a, b, year))) >= 0

    def wars_in(self, year: int, ccode: int | None = None) -> pd.DataFrame:
        """War dyad-year rows in ``year`` (involving ``ccode`` as ccode1, if given)."""
        w = self.wars()
        m = w.year.to_numpy() == year
        if ccode is not None:
            m &= w.ccode1.to_numpy() == ccode
        return w.loc[m].reset_index(drop=True)

    def threat(self, ccode: int, year: int) -> dict[str, float]:
        """{'lterrthreat', 'lterrthreat_sd', 'lsthreat'} for (ccode, year); NaN where not covered.
        Loads only the threat files that exist."""
        out = {"lterrthreat": _NAN, "lterrthreat_sd": _NAN, "lsthreat": _NAN}
        for key, cols in (("terrthreat", {"lterrthreat": "lterrthreat", "sd": "lterrthreat_sd"}),
                          ("ls_threat", {"lsthreat": "lsthreat"})):
            try:
                d = self._load(key)
            except DataFileMissing:
                continue
            idx = self._derived(f"_idx_{key}", lambda d=d: _KeyIndex(_sy(d.ccode, d.year)))
            pos = idx.find1(int(_sy(ccode, year)))
            if pos >= 0:
                for src, dst in cols.items():
                    if src in d.columns:
                        out[dst] = float(d[src].iloc[pos])
        return out

    def threat_frame(self) -> pd.DataFrame:
        """terrthreat and Leeds-Savun threat outer-joined on (ccode, year), indexed by (ccode, year)."""
        def build():
            t = self.terrthreat().set_index(["ccode", "year"])[["lterrthreat", "sd"]].rename(
                columns={"sd": "lterrthreat_sd"})
            ls = self.ls_threat().set_index(["ccode", "year"])[["lsthreat"]]
            return t.join(ls, how="outer").sort_index()
        return self._derived("_threat_frame", build)

    def capital(self, ccode: int, year: int) -> dict[str, Any] | None:
        """{'capital', 'lat', 'lng'} of ``ccode`` in ``year`` (the spell in force latest in the year)."""
        c = self.capitals()
        m = (c.ccode.to_numpy() == ccode) & (c.styear.to_numpy() <= year) & (c.endyear.to_numpy() >= year)
        sub = c.loc[m]
        if sub.empty:
            return None
        r = sub.sort_values("stdate").iloc[-1]
        return {"capital": str(r.capital), "lat": float(r.lat), "lng": float(r.lng)}

    def trade_frame(self) -> pd.DataFrame:
        """Trade indexed by (ccode, year)."""
        return self._derived("_trade_frame", lambda: self.trade().set_index(["ccode", "year"]).sort_index())

    def trade_totals(self, ccode: int, year: int) -> dict[str, float]:
        """{'imports', 'exports'} for (ccode, year); NaN where not covered."""
        f = self.trade_frame()
        try:
            r = f.loc[(ccode, year)]
        except KeyError:
            return {"imports": _NAN, "exports": _NAN}
        return {"imports": float(r.imports), "exports": float(r.exports)}
