"""Run manifests: what a set of results was made from, so that a resume never mixes two runs.

One module and one format serve every long or reproducible run — the backtest's ``--resume``, the
exploration sweeps and the provenance of fitted parameters. A manifest is a small JSON file
(``manifest.json`` by default) written next to the results:

.. code-block:: json

    {
      "format": "pactlab-manifest/1",
      "kind": "backtest",
      "pactlab_version": "0.1.0",
      "data": {"nmc": {"title": "COW National Material Capabilities (NMC)", "file": "cow_nmc.csv",
                       "version": "7.0", "version_basis": "...", "coverage": [1816, 2022],
                       "sha256": "3f5c...", "bytes": 1079260}},
      "years": [1816, 1955],
      "windows": 5,
      "parameters": "a1b2c3d4e5f6",
      "scenario": null,
      "seed": null,
      "extra": {},
      "info": {"created": "2025-01-01T12:00:00+00:00", "data_folder": "/home/me/data"}
    }

Everything outside ``info`` identifies the run: two manifests match when those fields are equal,
data sets compared by checksum (a folder moved elsewhere with the same files still matches; a file
with one changed byte does not). ``info`` is for people and is never compared.

Conventions for a command that writes results as it goes (see :func:`open_run`):

* ``--resume`` continues the run in the folder only if its manifest matches the new one; otherwise
  it stops with ``Error:`` and the list of differences.
* ``--fresh`` removes the earlier run's result files (only those the command writes) and starts over.
* With neither flag, a folder that already holds results is refused rather than overwritten.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pactlab import __version__
from pactlab.errors import PactlabError
from pactlab.files import atomic_write_json

FORMAT = "pactlab-manifest/1"
MANIFEST = "manifest.json"
#: fields that describe the run for people and are never compared
INFO = "info"
IDENTITY = ("format", "kind", "pactlab_version", "data", "years", "windows", "parameters", "scenario", "seed",
            "extra")


class RunMismatch(PactlabError):
    """A folder's earlier results were made from something other than the run asked for."""


class ManifestError(PactlabError):
    """A manifest file that cannot be read."""


# --------------------------------------------------------------------------- checksums

_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def sha256_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file's bytes (cached per path, size and modification time)."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    h = _SHA_CACHE.get(key)
    if h is None:
        d = hashlib.sha256()
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                d.update(block)
        h = _SHA_CACHE[key] = d.hexdigest()
    return h


def dataset_record(info: Any) -> dict[str, Any]:
    """The manifest entry of one loaded data set (a :class:`pactlab.data.DatasetInfo`)."""
    p = Path(info.path)
    return {
        "title": info.title,
        "file": p.name,
        "version": info.version,
        "version_basis": info.version_basis,
        "coverage": list(info.coverage) if info.coverage else None,
        "rows": int(info.rows),
        "sha256": sha256_file(p),
        "bytes": p.stat().st_size,
    }


def data_records(data: Any, keys: Iterable[str] | None = None, *, load: bool = True) -> dict[str, dict]:
    """Records of the data sets ``keys`` of a :class:`pactlab.data.DataDir` (default: those loaded).

    With ``load`` (default) each key whose file exists is loaded first, so that its version and
    coverage are known; keys without a file are left out (the run cannot have read them)."""
    from pactlab.data import DataFileMissing

    if keys is None:
        keys = list(getattr(data, "used", {}))
    out = {}
    for k in keys:
        if load and k not in data.used:
            try:
                data.info(k)
            except DataFileMissing:
                continue
        if k in data.used:
            out[k] = dataset_record(data.used[k])
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- building

def _digest(x: Any) -> str | None:
    if x is None or isinstance(x, str):
        return x
    if hasattr(x, "digest"):  # Parameters
        return x.digest()
    raise TypeError(f"parameters: expected a Parameters object or its digest, got {type(x).__name__}")


def _scenario(x: Any) -> Any:
    if x is None or isinstance(x, (str, dict)):
        return x
    if isinstance(x, (list, tuple)):
        return [_scenario(v) for v in x]
    from pactlab.scenarios.loader import scenario_hash

    return {"id": x.id, "hash": scenario_hash(x)}


def build(kind: str, *, data: Any = None, data_keys: Iterable[str] | None = None, years: Sequence[int] | None = None,
          windows: Any = None, parameters: Any = None, scenario: Any = None, seed: int | None = None,
          extra: Mapping[str, Any] | None = None, info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A new manifest.

    kind: what made the results (``"backtest"``, ``"sweep"``, ``"fit"`` ...).
    data: a DataDir (its data sets ``data_keys``, default those loaded) or a ready ``{key: record}``.
    years: first and last year; windows: the window length or the list of windows.
    parameters: a :class:`~pactlab.model.params.Parameters` or its digest.
    scenario: a Scenario (recorded as id and content hash), a list of them, or a ready value.
    seed: the random seed, if the run draws.  extra: any further JSON-able keys that identify the run.
    info: JSON-able notes for people (never compared); the creation time and data folder are added.
    """
    if data is None:
        recs: dict = {}
    elif isinstance(data, Mapping):
        recs = dict(data)
    else:
        recs = data_records(data, data_keys)
    inf: dict[str, Any] = {"created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    if data is not None and hasattr(data, "path"):
        inf["data_folder"] = str(Path(data.path).resolve())
    inf.update(info or {})
    m = {
        "format": FORMAT,
        "kind": kind,
        "pactlab_version": __version__,
        "data": recs,
        "years": list(years) if years is not None else None,
        "windows": list(windows) if isinstance(windows, (list, tuple)) else windows,
        "parameters": _digest(parameters),
        "scenario": _scenario(scenario),
        "seed": seed,
        "extra": dict(extra or {}),
        INFO: inf,
    }
    return json.loads(json.dumps(m))  # plain JSON types, as they will read back


# --------------------------------------------------------------------------- files

def write(path: str | os.PathLike, manifest: Mapping[str, Any]) -> Path:
    """Write a manifest atomically (temporary file and rename)."""
    return atomic_write_json(path, manifest)


def read(path: str | os.PathLike) -> dict[str, Any]:
    """Read a manifest; :class:`ManifestError` naming the file if it is not one."""
    p = Path(path)
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{p}: no manifest found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{p}: not a readable run manifest ({exc})") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise ManifestError(f"{p}: not a pactlab run manifest (expected \"format\": \"{FORMAT}\")")
    return m


# --------------------------------------------------------------------------- comparing

def _show(v: Any, years: bool = False) -> str:
    if v is None:
        return "none"
    if isinstance(v, str):
        return v
    if years and isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return f"{v[0]}-{v[1]}"
    s = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return s if len(s) <= 80 else s[:77] + "..."


def _data_label(key: str, rec: Mapping[str, Any] | None) -> str:
    return f"data set {key}" + (f" ({rec.get('title')})" if rec and rec.get("title") else "")


def _file_label(rec: Mapping[str, Any]) -> str:
    return f"{rec.get('file')} v{rec.get('version')}, sha256 {str(rec.get('sha256'))[:12]}"


def check_matches(existing: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Differences between an earlier run's manifest and a new one, one readable line each (empty if
    they match). Only identity fields are compared; ``info`` never is."""
    out: list[str] = []
    labels = {"format": "manifest format", "kind": "kind of run", "pactlab_version": "pactlab version",
              "years": "years", "windows": "windows", "parameters": "model parameters (digest)",
              "scenario": "scenario", "seed": "seed"}
    for k in IDENTITY:
        if k in ("data", "extra"):
            continue
        a, b = existing.get(k), new.get(k)
        if a != b:
            y = k == "years"
            out.append(f"{labels[k]}: {_show(a, y)} in the earlier run, {_show(b, y)} now")
    da, db = existing.get("data") or {}, new.get("data") or {}
    for key in sorted(set(da) | set(db)):
        a, b = da.get(key), db.get(key)
        if a is None:
            out.append(f"{_data_label(key, b)}: not read by the earlier run, read now ({_file_label(b)})")
        elif b is None:
            out.append(f"{_data_label(key, a)}: read by the earlier run ({_file_label(a)}), not available now")
        elif a.get("sha256") != b.get("sha256"):
            out.append(f"{_data_label(key, a)}: {_file_label(a)} in the earlier run, {_file_label(b)} now")
    ea, eb = existing.get("extra") or {}, new.get("extra") or {}
    for key in sorted(set(ea) | set(eb)):
        if ea.get(key) != eb.get(key):
            out.append(f"{key}: {_show(ea.get(key))} in the earlier run, {_show(eb.get(key))} now")
    return out


def refuse(folder: str | os.PathLike, differences: Sequence[str], *, what: str = "results") -> None:
    """Raise :class:`RunMismatch` listing ``differences`` (does nothing if there are none)."""
    if not differences:
        return
    lines = "\n".join(f"  - {d}" for d in differences)
    raise RunMismatch(f"{folder} holds {what} of a different run, so --resume would mix the two:\n{lines}\n"
                      f"Use --fresh to discard the earlier {what} and start again, or choose another folder.")


# --------------------------------------------------------------------------- the --resume / --fresh convention

def open_run(folder: str | os.PathLike, manifest: Mapping[str, Any], *, resume: bool, fresh: bool,
             results: Iterable[str], name: str = MANIFEST, what: str = "results") -> str:
    """Prepare ``folder`` for a run described by ``manifest``; returns ``"resume"`` or ``"new"``.

    results: the file names (relative to ``folder``) the command writes; ``--fresh`` removes only those.

    * ``resume``: the folder's manifest must match (else :class:`RunMismatch` with the differences);
      result files without any manifest are refused too, since nothing says what made them. With no
      earlier results at all the run simply starts (``"new"``).
    * ``fresh``: earlier result files and manifest are removed.
    * neither: earlier results are refused rather than overwritten.
    The new manifest is written (atomically) before any result, so a killed run can be resumed.
    """
    if resume and fresh:
        raise RunMismatch("--resume and --fresh contradict each other; give one of them")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    mp = folder / name
    results = [folder / r for r in results]
    earlier = [p for p in results if p.exists()]
    mode = "new"
    if fresh:
        for p in earlier + ([mp] if mp.exists() else []):
            p.unlink()
    elif resume:
        if mp.exists():
            old = read(mp)
            refuse(folder, check_matches(old, manifest), what=what)
            mode = "resume" if earlier else "new"
            # keep the first run's notes (when it was started) with the matching identity
            manifest = {**manifest, INFO: {**(manifest.get(INFO) or {}), "resumed_from": old.get(INFO)}}
        elif earlier:
            raise RunMismatch(
                f"{folder} holds {what} ({', '.join(p.name for p in earlier)}) but no {name}, so pactlab cannot "
                f"check that they come from the same run; use --fresh to discard them, or another folder")
    elif earlier or mp.exists():
        shown = ", ".join(p.name for p in (earlier or [mp]))
        raise RunMismatch(f"{folder} already holds {what} of an earlier run ({shown}); use --resume to continue "
                          f"it, --fresh to discard it and start again, or another folder")
    write(mp, manifest)
    return mode
