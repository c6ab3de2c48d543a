"""Finding data files in a user's directory and reading them defensively.

Everything here raises :class:`pactlab.errors.DataError` subclasses whose
message names the file, what was expected and how to get a good copy.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pactlab.errors import DataError

#: How deep below the data directory pactlab looks for files.
MAX_DEPTH = 3
_SKIP_DIRS = {"__MACOSX", ".git", "__pycache__"}


class DataFileMissing(DataError):
    """A data set pactlab needs is not in the data directory."""

    def __init__(self, message: str, *, dataset: str | None = None, directory: Path | None = None,
                 expected: Sequence[str] = ()):
        self.dataset = dataset
        self.directory = directory
        self.expected = tuple(expected)
        super().__init__(message)


class DataFileInvalid(DataError):
    """A data file exists but is empty, truncated or of the wrong kind."""

    def __init__(self, message: str, *, dataset: str | None = None, path: Path | None = None,
                 missing_columns: Sequence[str] = ()):
        self.dataset = dataset
        self.path = path
        self.missing_columns = tuple(missing_columns)
        super().__init__(message)


@dataclass(frozen=True)
class Format:
    """One accepted layout of a data file (e.g. a COW original or a peacesciencer export)."""

    name: str
    required: tuple[str, ...]
    keys: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    #: read only required+optional columns (for big files); otherwise read all
    restrict: bool = False
    dtype: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """What pactlab expects for one data set and where users get it."""

    key: str
    title: str
    names: tuple[str, ...]
    patterns: tuple[str, ...]
    contents: str
    obtain: str
    formats: tuple[Format, ...]
    cite: str = ""
    extra_notes: tuple[str, ...] = field(default_factory=tuple)

    def accepted_names(self) -> str:
        names = list(self.names) + [f"/{p}/ (regular expression on the file name)" for p in self.patterns]
        return ", ".join(names)


# ---------------------------------------------------------------- discovery


def list_files(root: Path, max_depth: int = MAX_DEPTH) -> list[str]:
    """Relative POSIX paths of the files under ``root`` (at most ``max_depth`` folders deep)."""
    out: list[str] = []
    root = Path(root)
    base = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).parts) - base
        if depth >= max_depth:
            dirnames[:] = []
        else:
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for f in sorted(filenames):
            if f.startswith("._") or f.startswith("~$"):
                continue
            out.append(Path(dirpath, f).relative_to(root).as_posix())
    return out


def _natural_key(name: str) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", name))


def find_file(spec: DatasetSpec, root: Path, files: Sequence[str]) -> Path | None:
    """Locate ``spec``'s file under ``root``; the first accepted name wins, then patterns
    (highest version number first), shallower paths before deeper ones."""
    lower = [(f, f.lower(), f.lower().rsplit("/", 1)[-1]) for f in files]
    for name in spec.names:
        n = name.lower()
        if "/" in n:
            hits = [f for f, fl, _ in lower if fl == n or fl.endswith("/" + n)]
        else:
            hits = [f for f, _, b in lower if b == n]
        if hits:
            hits.sort(key=lambda f: (f.count("/"), f))
            return root / hits[0]
    for pat in spec.patterns:
        rx = re.compile(pat, re.IGNORECASE)
        hits = [f for f, _, b in lower if rx.fullmatch(b)]
        if hits:
            hits.sort(key=lambda f: (tuple(-k for k in _natural_key(f.rsplit("/", 1)[-1])), f.count("/"), f))
            return root / hits[0]
    return None


def missing_file_error(spec: DatasetSpec, root: Path) -> DataFileMissing:
    msg = (
        f"cannot find the {spec.title} file in the data directory {root}\n"
        f"  expected one of: {spec.accepted_names()}\n"
        f"  (searched up to {MAX_DEPTH} folders deep; names are case-insensitive)\n"
        f"  it should contain: {spec.contents}\n"
        f"  get it from: {spec.obtain}"
    )
    return DataFileMissing(msg, dataset=spec.key, directory=root, expected=spec.names)


# ---------------------------------------------------------------- reading


def _invalid(spec: DatasetSpec, path: Path, problem: str, missing: Sequence[str] = ()) -> DataFileInvalid:
    msg = (
        f"{path}: {problem}\n"
        f"  this should be the {spec.title} file; it should contain: {spec.contents}\n"
        f"  get a fresh copy from: {spec.obtain}"
    )
    return DataFileInvalid(msg, dataset=spec.key, path=path, missing_columns=missing)


_READ_ERRORS = (pd.errors.ParserError, EOFError, OSError, zlib.error, gzip.BadGzipFile, ValueError)


def _read(path: Path, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kw)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="latin-1", **kw)


def _read_problem(e: BaseException) -> str:
    if isinstance(e, (EOFError, zlib.error, gzip.BadGzipFile)):
        return f"cannot be read: the file is truncated or corrupt ({type(e).__name__}: {e})"
    return f"cannot be read as a CSV file ({type(e).__name__}: {e})"


def read_header(spec: DatasetSpec, path: Path) -> list[str]:
    try:
        head = _read(path, nrows=0)
    except pd.errors.EmptyDataError:
        raise _invalid(spec, path, "the file is empty (no header, no rows)") from None
    except _READ_ERRORS as e:
        raise _invalid(spec, path, _read_problem(e)) from None
    return [str(c) for c in head.columns]


def choose_format(spec: DatasetSpec, path: Path, columns: Iterable[str]) -> Format:
    cols = {c.strip().lower() for c in columns}
    best: tuple[int, Format, list[str]] | None = None
    for fmt in spec.formats:
        missing = [c for c in fmt.required if c not in cols]
        if not missing:
            return fmt
        if best is None or len(missing) < best[0]:
            best = (len(missing), fmt, missing)
    assert best is not None
    _, fmt, missing = best
    found = ", ".join(sorted(cols)) if cols else "(none)"
    if len(cols) <= 1 and len(spec.formats[0].required) > 1:
        problem = (f"has only {len(cols)} column(s) ({found}); is this a comma-separated file of the "
                   f"right kind, or is it truncated?")
    else:
        problem = f"missing required column(s) {', '.join(missing)} (found: {found})"
    if len(spec.formats) > 1:
        alts = "; ".join(f"{f.name}: {', '.join(f.required)}" for f in spec.formats)
        problem += f"\n  accepted layouts: {alts}"
    raise _invalid(spec, path, problem, missing)


def read_checked(spec: DatasetSpec, path: Path) -> tuple[pd.DataFrame, Format, list[str]]:
    """Read ``path`` as ``spec``; returns (frame with lower-case columns, format, notes).

    Checks: readable, non-empty, required columns present, key columns numeric and whole;
    rows whose key is blank are dropped (and reported in the notes)."""
    header = read_header(spec, path)
    fmt = choose_format(spec, path, header)
    kw: dict = {"low_memory": False}
    if fmt.restrict:
        want = set(fmt.required) | set(fmt.optional)
        kw["usecols"] = [c for c in header if c.strip().lower() in want]
    df = None
    if fmt.dtype:
        try:
            df = _read(path, dtype=fmt.dtype, **kw)
        except pd.errors.EmptyDataError:
            raise _invalid(spec, path, "the file is empty") from None
        except (TypeError, ValueError) as e:
            if isinstance(e, pd.errors.ParserError):
                raise _invalid(spec, path, _read_problem(e)) from None
            df = None  # a non-numeric cell under a numeric dtype: re-read as text to report it
        except _READ_ERRORS as e:
            raise _invalid(spec, path, _read_problem(e)) from None
    if df is None:
        try:
            df = _read(path, **kw)
        except pd.errors.EmptyDataError:
            raise _invalid(spec, path, "the file is empty") from None
        except _READ_ERRORS as e:
            raise _invalid(spec, path, _read_problem(e)) from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    if df.columns.duplicated().any():
        df = df.loc[:, ~df.columns.duplicated()]
    if len(df) == 0:
        raise _invalid(spec, path, "has a header but no data rows (empty or truncated file)")
    notes: list[str] = []
    df = clean_keys(spec, path, df, fmt.keys, notes)
    return df, fmt, notes


def clean_keys(spec: DatasetSpec, path: Path, df: pd.DataFrame, keys: Sequence[str],
               notes: list[str]) -> pd.DataFrame:
    if not keys:
        return df
    nums = {}
    for k in keys:
        col = df[k]
        if pd.api.types.is_numeric_dtype(col.dtype):
            num = col.astype("float64")
        else:
            num = pd.to_numeric(col, errors="coerce")
            text = col.astype("string").str.strip()
            bad = text.notna() & (text != "") & num.isna()
            if bad.any():
                idx = np.flatnonzero(bad.to_numpy())
                ex = ", ".join(f"{text.iloc[i]!r} (line {i + 2})" for i in idx[:3])
                raise _invalid(spec, path, f"column '{k}' must hold numbers (codes/years) but {len(idx)} "
                                           f"row(s) do not, e.g. {ex}")
        nums[k] = num
    blank = np.zeros(len(df), dtype=bool)
    for k in keys:
        blank |= nums[k].isna().to_numpy()
    if blank.all():
        raise _invalid(spec, path, f"no row has a value in the key column(s) {', '.join(keys)}")
    if blank.any():
        lines = np.flatnonzero(blank)[:5] + 2
        notes.append(f"dropped {int(blank.sum())} row(s) with a blank {'/'.join(keys)} "
                     f"(lines {', '.join(map(str, lines))}{', ...' if blank.sum() > 5 else ''})")
    keep = ~blank
    df = df.loc[keep].reset_index(drop=True)
    for k in keys:
        v = nums[k].to_numpy()[keep]
        frac = v != np.floor(v)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise _invalid(spec, path, f"column '{k}' must hold whole numbers but has {v[i]!r}")
        df[k] = v.astype("int64")
    return df


def to_float(df: pd.DataFrame, cols: Iterable[str], missing_codes: Sequence[float] = (-9,)) -> None:
    """Coerce ``cols`` to float64 in place; COW missing-value codes become NaN."""
    for c in cols:
        if c not in df.columns:
            continue
        v = pd.to_numeric(df[c], errors="coerce").astype("float64")
        if missing_codes:
            v = v.mask(v.isin(list(missing_codes)))
        df[c] = v


def check_range(spec: DatasetSpec, path: Path, df: pd.DataFrame, col: str, lo: float | None, hi: float | None,
                *, missing_codes: Sequence[float] = (-9,), keys: Sequence[str] = ("ccode", "year")) -> None:
    """Refuse a column whose cells are not numbers, or lie outside [lo, hi] (COW missing-value codes
    and blanks allowed): the message names the file, the column, how many rows and an example."""
    if col not in df.columns:
        return
    raw = df[col]
    where = [k for k in keys if k in df.columns]

    def example(mask: np.ndarray) -> str:
        i = int(np.flatnonzero(mask)[0])
        at = ", ".join(f"{k} {df[k].iloc[i]}" for k in where)
        cell = raw.iloc[i]
        cell = str(cell).strip() if isinstance(cell, str) else f"{float(cell):g}"
        return f"{cell!r}" + (f" at {at}" if at else "")

    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        num = raw.astype("float64")
        bad_text = np.zeros(len(raw), dtype=bool)
    else:
        num = pd.to_numeric(raw, errors="coerce").astype("float64")
        text = raw.astype("string").str.strip()
        bad_text = (text.notna() & (text != "") & num.isna()).to_numpy()
    if bad_text.any():
        raise _invalid(spec, path, f"column '{col}' must hold numbers but {int(bad_text.sum())} row(s) do not, "
                                   f"e.g. {example(bad_text)}")
    v = num.mask(num.isin(list(missing_codes))) if missing_codes else num
    out = np.zeros(len(v), dtype=bool)
    if lo is not None:
        out |= (v < lo).fillna(False).to_numpy()
    if hi is not None:
        out |= (v > hi).fillna(False).to_numpy()
    if out.any():
        rng = f"{lo if lo is not None else '-inf'} to {hi if hi is not None else 'inf'}"
        codes = f" (or the missing-value code {', '.join(map(str, missing_codes))})" if missing_codes else ""
        raise _invalid(spec, path, f"column '{col}' must lie in {rng}{codes} but {int(out.sum())} row(s) do not, "
                                   f"e.g. {example(out)}")
