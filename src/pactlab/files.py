"""Writing results safely: finite-only JSON, atomic files, appendable CSV rows, output paths.

Every result pactlab writes goes through here, so that three promises hold in one place:

* **No NaN or infinity in JSON.** :func:`json_dumps` refuses them (RFC 8259 has no such numbers) and
  names where in the object the value sits; a value that is unknown is written as ``null`` by the
  caller on purpose, never by accident.
* **A file is either the old one or the new one.** :func:`atomic_write_text` writes a temporary file
  in the same folder and renames it over the target, so an interrupted run never leaves half a file.
* **A CSV of results holds only complete rows.** :class:`RowAppender` writes each row with one
  ``write`` on a file opened for appending, and on opening cuts the file back to its last complete
  row, so a run killed mid-row and resumed neither glues two rows together nor repeats one.
"""

from __future__ import annotations

import csv
import datetime as _dt
import enum
import io
import json
import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pactlab.errors import PactlabError


class NonFiniteError(PactlabError, ValueError):
    """A NaN or infinite number was about to be written to a result."""


class OutputPathError(PactlabError):
    """An output path that pactlab will not write to as given."""


# --------------------------------------------------------------------------- JSON

def _plain(x: Any, where: str) -> Any:
    """A copy of ``x`` with numpy scalars, tuples and sets made plain; non-finite numbers refused."""
    if isinstance(x, Mapping):
        return {str(k): _plain(v, f"{where}.{k}" if where else str(k)) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if isinstance(x, (set, frozenset)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(sorted(x, key=repr))]
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            raise NonFiniteError(f"refusing to write a non-finite number ({x}) at {where or '(top level)'}; "
                                 "this is a bug in pactlab: please report it with the input that caused it")
        return x
    if type(x).__module__ == "numpy" and hasattr(x, "tolist"):  # numpy scalar or array
        return _plain(x.tolist(), where)
    if isinstance(x, enum.Enum):
        return _plain(x.value, where)
    if isinstance(x, (_dt.date, _dt.datetime)):
        return x.isoformat()
    if isinstance(x, os.PathLike):
        return os.fspath(x)
    if hasattr(x, "to_dict") and callable(x.to_dict):
        return _plain(x.to_dict(), where)
    raise TypeError(f"cannot write {type(x).__name__} as JSON at {where or '(top level)'}")


def finite_or_none(x: Any) -> Any:
    """``x`` with every NaN/inf float replaced by ``None`` — for results where "unknown" is a real
    answer (a metric over no cases). Use it explicitly; :func:`json_dumps` never does it for you."""
    if isinstance(x, Mapping):
        return {k: finite_or_none(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite_or_none(v) for v in x]
    if type(x).__module__ == "numpy" and hasattr(x, "tolist"):
        return finite_or_none(x.tolist())
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def json_dumps(obj: Any, *, indent: int | None = 2, sort_keys: bool = False) -> str:
    """JSON text of ``obj``; raises :class:`NonFiniteError` naming the first NaN/inf it meets."""
    return json.dumps(_plain(obj, ""), indent=indent, sort_keys=sort_keys, allow_nan=False, ensure_ascii=False)


# --------------------------------------------------------------------------- whole files

def _temp_beside(p: Path) -> tuple[int, str]:
    """Create a new temporary file next to ``p`` (descriptor, path) with the mode a plain ``open``
    would give the file: 0666 less the umask. (``tempfile.mkstemp`` creates 0600, and the rename
    would carry that private mode over to the result.) The kernel applies the umask itself, so
    nothing here reads or changes it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(p.parent, f".{p.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {p.parent}")


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    p = Path(path)
    fd, tmp = _temp_beside(p)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return p


def atomic_write_json(path: str | os.PathLike, obj: Any, *, indent: int | None = 2) -> Path:
    """:func:`json_dumps` then :func:`atomic_write_text` (a trailing newline added)."""
    return atomic_write_text(path, json_dumps(obj, indent=indent) + "\n")


# --------------------------------------------------------------------------- CSV rows

def last_complete_row_end(data: bytes) -> int:
    """Byte offset just after the last complete CSV record in ``data`` (0 if none).

    A record ends at a newline outside double quotes; CSV escapes a quote inside a quoted field by
    doubling it, so counting quotes tells inside from outside."""
    inside = False
    end = 0
    for i, ch in enumerate(data):
        if ch == 0x22:  # "
            inside = not inside
        elif ch == 0x0A and not inside:  # \n
            end = i + 1
    return end


def truncate_to_last_row(path: str | os.PathLike) -> int:
    """Cut ``path`` back to its last complete CSV record; returns the number of bytes removed."""
    p = Path(path)
    if not p.exists():
        return 0
    data = p.read_bytes()
    end = last_complete_row_end(data)
    if end == len(data):
        return 0
    with p.open("r+b") as fh:
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    return len(data) - end


def csv_line(values: Sequence[Any]) -> str:
    """One CSV record as text, ending in CRLF as :mod:`csv` writes by default. (With a bare LF
    terminator :mod:`csv` would leave a CR inside a field unquoted, and readers split the row there.)"""
    buf = io.StringIO()
    csv.writer(buf).writerow(values)
    return buf.getvalue()


class RowAppender:
    """Append complete rows to a results CSV, one ``os.write`` per row.

    On opening, a file left by an interrupted run is cut back to its last complete row (see
    :func:`truncate_to_last_row`); a new or empty file gets ``header`` first. A process killed at
    any moment leaves the file ending in a complete row, or — if the operating system itself stops
    mid-write — in a partial one that the next opening removes.
    """

    def __init__(self, path: str | os.PathLike, header: Sequence[str], *, append: bool = True):
        self.path = Path(path)
        self.header = list(header)
        self.cut = 0
        if append and self.path.exists() and self.path.stat().st_size > 0:
            self.cut = truncate_to_last_row(self.path)
        fresh = not (append and self.path.exists() and self.path.stat().st_size > 0)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if fresh else 0)
        self.fd = os.open(self.path, flags, 0o644)
        if fresh:
            self._write(csv_line(self.header))

    def _write(self, line: str) -> None:
        b = line.encode("utf-8")
        while b:  # a regular file takes it in one go; loop for the rare short write
            n = os.write(self.fd, b)
            b = b[n:]

    def write(self, values: Sequence[Any] | Mapping[str, Any]) -> None:
        if isinstance(values, Mapping):
            values = [values.get(c, "") for c in self.header]
        if len(values) != len(self.header):
            raise ValueError(f"{self.path}: row has {len(values)} fields, header {len(self.header)}")
        self._write(csv_line(["" if v is None else v for v in values]))

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "RowAppender":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------- output paths

def output_file(path: str | os.PathLike, *, force: bool = False, parents: bool = False,
                option: str = "--out") -> Path:
    """Check a file path the user gave for output: not a folder, its folder exists (or ``parents``
    says to create it), and not an existing file unless ``force``. Returns the path."""
    p = Path(path).expanduser()
    if p.exists() and p.is_dir():
        raise OutputPathError(f"{option} {p} is a folder; give a file name")
    if p.exists() and not force:
        raise OutputPathError(f"{option} {p} already exists; add --force to overwrite it")
    parent = p.parent
    if not parent.exists():
        if not parents:
            raise OutputPathError(f"{option} {p}: the folder {parent} does not exist; create it first, "
                                  "or add --parents to create it")
        parent.mkdir(parents=True, exist_ok=True)
    elif not parent.is_dir():
        raise OutputPathError(f"{option} {p}: {parent} is not a folder")
    return p


def output_folder(path: str | os.PathLike, *, parents: bool = False, option: str = "--out") -> Path:
    """Check (and create, if only its last part is missing or ``parents``) a folder for outputs."""
    p = Path(path).expanduser()
    if p.exists():
        if not p.is_dir():
            raise OutputPathError(f"{option} {p} is a file; give a folder")
        return p
    if not p.parent.exists() and not parents:
        raise OutputPathError(f"{option} {p}: the folder {p.parent} does not exist; create it first, "
                              "or add --parents to create it")
    p.mkdir(parents=True, exist_ok=True)
    return p


def existing(paths: Iterable[Path]) -> list[Path]:
    return [p for p in paths if p.exists()]
