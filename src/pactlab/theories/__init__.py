"""Registered theories of alliance design.

```python
from pactlab import theories
from pactlab.scenarios.catalog import get

theories.names()                                          # ['cohen', 'geography', ...]
theories.get("cohen").predict(get("europe-1949")).design  # 'multilateral'
```

A theory registers itself with :func:`register` when its module is imported;
the modules listed in ``_MODULES`` are imported on first use.
"""

from __future__ import annotations

import importlib

from pactlab.theories.base import Outcome, OutcomeTreaty, Prediction, Theory, TheoryError

__all__ = ["Outcome", "OutcomeTreaty", "Prediction", "Theory", "TheoryError", "get", "names", "register"]

_REGISTRY: dict[str, type[Theory]] = {}
_MODULES = (
    "pactlab.theories.cohen", "pactlab.theories.geography", "pactlab.theories.landscape",
    "pactlab.theories.cha", "pactlab.theories.identity", "pactlab.theories.prospect", "pactlab.theories.network",
    "pactlab.theories.logit",
)
_loaded = False


def register(cls: type[Theory]) -> type[Theory]:
    """Class decorator: add a theory to the registry under ``cls.name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a theory named {cls.name!r} is already registered")
    _REGISTRY[cls.name] = cls
    return cls


def _load() -> None:
    global _loaded
    if not _loaded:
        for m in _MODULES:
            importlib.import_module(m)
        _loaded = True


def names() -> list[str]:
    """Registered theory names, in registration order."""
    _load()
    return list(_REGISTRY)


def get(name: str) -> Theory:
    """A registered theory by name."""
    _load()
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise TheoryError(f"unknown theory {name!r}; registered: {', '.join(_REGISTRY)}") from None
