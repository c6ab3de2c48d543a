"""The built-in scenario catalog.

Each YAML file in ``builtin/`` registers itself by being there; the catalog is
what ``pactlab list`` shows and what the contract tests iterate over.
"""

from __future__ import annotations

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


def builtin_path(name: str) -> Path | None:
    """The file of the built-in scenario ``name``, or None if there is none."""
    for e in catalog():
        if e.id == name:
            return e.path
    return None


def get(name: str) -> Scenario:
    """A built-in scenario by id, or a scenario file by path."""
    for e in catalog():
        if e.id == name:
            return _load_builtin(str(e.path))
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_scenario(p)
    ids = ", ".join(e.id for e in catalog())
    raise UnknownScenarioError(f"no built-in scenario or file named '{name}'. Built-ins: {ids}")
