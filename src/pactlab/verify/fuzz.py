"""Fuzzing the scenario format end to end: every input is either rejected by validation with a
clean message, or solves to finite outputs.

A *case* is a valid synthetic theatre (:func:`pactlab.scenarios.generate.synthetic_dict`, 1 to 12
clients) with some numeric fields replaced by values drawn from :data:`EXTREMES` (inf, nan,
±1e308, subnormals, booleans, zero, the bounds of each range, typical values). :func:`check`
classifies it:

``rejected``
    :func:`pactlab.scenarios.loader.parse_scenario` raised :class:`pactlab.errors.ScenarioError`,
    and nothing else;
``solved``
    the scenario validated, :func:`pactlab.model.solve.solve` returned, and every number in the
    result is finite (its JSON is written with :func:`pactlab.files.json_dumps`, which refuses
    NaN and infinity).

Anything else is a failure: an exception after validation (a *crash*) or a non-finite output.
:func:`check` does not catch those; the caller counts them (``benchmarks/fuzz.py``) or lets them
fail the test (``tests/test_fuzz.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from pactlab.errors import ScenarioError

#: values a fuzzed numeric field may take
EXTREMES: tuple[Any, ...] = (
    float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 5e-324, 1e-320, 2.2250738585072014e-308,
    1e-200, 1e155, 1e300, 0.0, -0.0, -1.0, 1.0, 0.5, 1e-6, 0.999999, 1e-3, 1e3, 1e5, 1e6, 20100.0, 20101.0,
    True, False, 2, -2, 0.3, 0.02, 1e-7,
)

#: (where, field) pairs a case may change: actor fields by role, ties, scenario-level values
ACTOR_FIELDS = ("capability", "maritime_reach", "provocation", "threat_divergence", "econ_dependence",
                "patron_stake", "leverage_motive", "milex_share", "milper_share")
TIE_FIELDS = ("distance_km", "capital_distance_km")
TOP_FIELDS = ("threat_trend", "linking")


class NonFiniteOutput(AssertionError):
    """A result holds a NaN or an infinity."""


def _set(node: dict, field: str, value: Any) -> None:
    if field in ("distance_km", "capital_distance_km"):
        node[field] = value
        if field == "capital_distance_km":
            node.setdefault("capital_source", "synthetic")
    else:
        node[field] = {"value": value, "source": "synthetic"}


def mutate(d: dict, changes: Sequence[tuple[str, int, str, Any]]) -> dict:
    """Apply ``changes`` — (kind, index, field, value) with kind ``actor``, ``tie`` or ``top`` — to
    the scenario dict ``d`` in place (indices taken modulo the list length); returns ``d``."""
    for kind, k, field, value in changes:
        if kind == "actor":
            a = d["actors"][k % len(d["actors"])]
            if field in ("provocation", "threat_divergence", "econ_dependence", "patron_stake") and a["role"] != "client":
                continue
            if field == "leverage_motive" and a["role"] != "patron":
                continue
            _set(a, field, value)
        elif kind == "tie":
            _set(d["geography"][k % len(d["geography"])], field, value)
        else:
            _set(d, field, value)
    return d


def _finite(x: Any, where: str = "") -> None:
    if isinstance(x, float) and not math.isfinite(x):
        raise NonFiniteOutput(f"non-finite {x} at {where or '(top level)'}")
    if isinstance(x, dict):
        for k, v in x.items():
            _finite(v, f"{where}.{k}")
    elif isinstance(x, (list, tuple)):
        for i, v in enumerate(x):
            _finite(v, f"{where}[{i}]")


def check(d: dict, solve: Callable | None = None) -> str:
    """``"rejected"`` or ``"solved"``; raises on a crash or a non-finite output (see module doc)."""
    from pactlab.files import json_dumps
    from pactlab.scenarios.loader import parse_scenario

    if solve is None:
        from pactlab.model.solve import solve
    try:
        s = parse_scenario(d, "<fuzz>")
    except ScenarioError as exc:
        if not exc.problems or any(not str(p).strip() for p in exc.problems):
            raise AssertionError(f"rejection without a message: {exc!r}") from None
        return "rejected"
    r = solve(s)
    payload = r.to_dict()
    _finite(payload)
    json_dumps(payload)
    return "solved"


def random_case(rng, max_clients: int = 12) -> tuple[dict, list]:
    """A case drawn with ``rng`` (a numpy Generator): a synthetic theatre with 1 to ``max_clients``
    clients (small ones more often: half the cases have at most 3) and 0 to 3 changed fields."""
    from pactlab.scenarios.generate import synthetic_dict

    n = int(rng.integers(1, 4)) if rng.random() < 0.5 else int(rng.integers(1, max_clients + 1))
    d = synthetic_dict(n, int(rng.integers(0, 2**31)), with_patron=bool(rng.random() < 0.85))
    changes = []
    for _ in range(int(rng.integers(0, 4))):
        kind = ("actor", "tie", "top")[int(rng.integers(0, 3))]
        field = {"actor": ACTOR_FIELDS, "tie": TIE_FIELDS, "top": TOP_FIELDS}[kind]
        field = field[int(rng.integers(0, len(field)))]
        value = EXTREMES[int(rng.integers(0, len(EXTREMES)))]
        changes.append((kind, int(rng.integers(0, 64)), field, value))
    return mutate(d, changes), changes
