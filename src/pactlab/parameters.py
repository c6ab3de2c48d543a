"""Declared parameters: names, defaults, bounds, and which may be fitted.

A theory (Cohen's model or a rival) declares its parameters once, as a tuple
of :class:`ParamSpec`. Fitting reads the bounds and the ``free`` flag, reports
read the descriptions, and :class:`ParameterSet` validates values against the
declaration in one place (the scikit-learn ``_parameter_constraints`` idea).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pactlab.errors import PactlabError


class ParameterError(PactlabError):
    """A parameter value outside its declaration (unknown name, wrong type, out of bounds)."""


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter.

    ``kind`` is ``float``, ``bool`` (a mechanism switch) or ``choice`` (one of
    ``choices``). ``free`` marks parameters that estimation may move; the rest
    stay at their defaults. Bounds are inclusive; ``None`` means unbounded.
    """

    name: str
    default: Any
    doc: str
    lower: float | None = None
    upper: float | None = None
    kind: str = "float"
    choices: tuple[str, ...] = ()
    free: bool = False
    group: str = ""
    symbol: str = ""
    strict_lower: bool = False  # lower bound excluded (e.g. a scale that must be > 0)
    allow_inf: bool = False  # +inf is a value (a logit precision: the deterministic limit)

    def check(self, value: Any, where: str = "") -> Any:
        at = f"{where}{self.name}"
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParameterError(f"parameter {at}: expected true or false, got {value!r}")
            return value
        if self.kind == "choice":
            if value not in self.choices:
                raise ParameterError(f"parameter {at}: expected one of {', '.join(self.choices)}, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(f"parameter {at}: expected a number, got {value!r}")
        v = float(value)
        if not math.isfinite(v) and not (self.allow_inf and v == math.inf):
            raise ParameterError(f"parameter {at}: expected a finite number, got {value!r}")
        lo_bad = self.lower is not None and (v <= self.lower if self.strict_lower else v < self.lower)
        hi_bad = self.upper is not None and v > self.upper
        if lo_bad or hi_bad:
            raise ParameterError(f"parameter {at}: {v:g} is outside its range {self.range_text()}")
        return v

    def range_text(self) -> str:
        if self.kind == "bool":
            return "true/false"
        if self.kind == "choice":
            return "{" + ", ".join(self.choices) + "}"
        lo = "-inf" if self.lower is None else f"{self.lower:g}"
        hi = "inf" if self.upper is None else f"{self.upper:g}"
        return f"{'(' if self.strict_lower or self.lower is None else '['}{lo}, {hi}]"


@dataclass(frozen=True)
class ParameterSet(Mapping):
    """Validated values for a declared tuple of specs. Immutable; ``replace``
    returns a new set, validated the same way."""

    specs: tuple[ParamSpec, ...]
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        by = {s.name: s for s in self.specs}
        unknown = sorted(set(self.values) - set(by))
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(by))}"
            )
        full = {s.name: s.check(self.values.get(s.name, s.default)) for s in self.specs}
        object.__setattr__(self, "values", full)

    def __getitem__(self, k: str) -> Any:
        return self.values[k]

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def replace(self, **changes: Any) -> "ParameterSet":
        return ParameterSet(self.specs, {**self.values, **changes})

    def free(self) -> tuple[ParamSpec, ...]:
        return tuple(s for s in self.specs if s.free)

    def digest(self) -> str:
        # a value at +inf where +inf is allowed (a logit precision's deterministic
        # limit) is left out, so sets from before such parameters keep their digest
        inf_ok = {s.name for s in self.specs if s.allow_inf}
        vals = {k: v for k, v in self.values.items() if not (k in inf_ok and v == math.inf)}
        blob = json.dumps(vals, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


def defaults(specs: Iterable[ParamSpec]) -> ParameterSet:
    return ParameterSet(tuple(specs))


def specs_table(specs: Iterable[ParamSpec]) -> list[dict[str, Any]]:
    """The declaration as rows (for docs, reports and ``pactlab theories``)."""
    return [
        {"name": s.name, "symbol": s.symbol, "group": s.group, "default": s.default, "range": s.range_text(),
         "free": s.free, "kind": s.kind, "meaning": s.doc}
        for s in specs
    ]
