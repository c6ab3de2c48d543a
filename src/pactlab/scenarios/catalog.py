"""The built-in scenario catalog.

Each YAML file in ``builtin/`` registers itself by being there; the catalog is
what ``pactlab list`` shows and what the contract tests iterate over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pactlab.errors import UnknownScenarioError
from pactlab.scenarios.loader import load_scenario
from pactlab.scenarios.schema import Scenario

DEFAULT_SCENARIOS = ("indo-pacific-2025", "europe-1949")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    region: str
    year: int
    kind: str
    n_clients: int
    path: Path


def _builtin_dir() -> Path:
    return Path(str(resources.files("pactlab.scenarios") / "builtin"))


@lru_cache(maxsize=None)
def _load_builtin(path: str) -> Scenario:
    return load_scenario(path)


def catalog() -> list[Entry]:
    out = []
    for p in sorted(_builtin_dir().glob("*.yaml")):
        s = _load_builtin(str(p))
        out.append(Entry(s.id, s.title, s.region, s.year, s.kind, len(s.clients), p))
    return sorted(out, key=lambda e: (e.year, e.id))


#: the form of a scenario id (``Scenario.id``): a name of another form is no built-in
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def _direct(name: str) -> Path | None:
    """The built-in file ``<name>.yaml`` if it holds the scenario with id ``name``: a built-in is
    stored under its id, so one file is read instead of the whole catalog."""
    if not _ID.fullmatch(name):
        return None
    p = _builtin_dir() / f"{name}.yaml"
    if p.is_file() and _load_builtin(str(p)).id == name:
        return p
    return None


def builtin_path(name: str) -> Path | None:
    """The file of the built-in scenario ``name``, or None if there is none."""
    p = _direct(name)
    if p is not None or not _ID.fullmatch(name):
        return p
    for e in catalog():
        if e.id == name:
            return e.path
    return None


def get(name: str) -> Scenario:
    """A built-in scenario by id, or a scenario file by path."""
    p = _direct(name)
    if p is not None:
        return _load_builtin(str(p))
    for e in catalog() if _ID.fullmatch(name) else ():
        if e.id == name:
            return _load_builtin(str(e.path))
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_scenario(p)
    ids = ", ".join(e.id for e in catalog())
    raise UnknownScenarioError(f"no built-in scenario or file named '{name}'. Built-ins: {ids}")
