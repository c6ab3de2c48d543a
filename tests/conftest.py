"""Shared fixtures, helpers and hypothesis strategies for the model tests.

Hypothesis profiles
-------------------
``dev`` (default): random examples, failures saved in the local example
database. ``ci`` (loaded when the ``CI`` environment variable is set, or with
``--hypothesis-profile=ci``): ``derandomize=True`` so every run draws the same
examples and a failure is reproducible from the log alone.

Strategies build on :func:`pactlab.scenarios.generate.synthetic_dict` (random
but valid scenario dicts); the helpers below change one input of such a dict
so that a test can compare the model's output before and after.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.theatre import Theatre, compile_theatre
from pactlab.scenarios.generate import synthetic_dict
from pactlab.scenarios.loader import parse_scenario
from pactlab.scenarios.schema import Scenario

settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def scenario_dicts(draw, n_min: int = 2, n_max: int = 5, with_patron: bool | None = None, land_share=None) -> dict:
    """A random valid scenario dict (``synthetic_dict``) with n_min..n_max clients."""
    n = draw(st.integers(n_min, n_max))
    seed = draw(seeds)
    wp = draw(st.booleans()) if with_patron is None else with_patron
    if n == 1:
        wp = True  # a scenario needs at least three actors
    ls = draw(st.sampled_from([0.0, 0.5, 1.0])) if land_share is None else land_share
    return synthetic_dict(n, seed, with_patron=wp, land_share=ls)


def member_masks(n: int, min_size: int = 1):
    """Strategy: a boolean membership row over n clients with at least min_size members."""
    return st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda r: sum(r) >= min_size)


# ---------------------------------------------------------------------------
# Helpers on scenario dicts (each returns a modified deep copy)
# ---------------------------------------------------------------------------


def clients_of(d: dict) -> list[str]:
    return [a["id"] for a in d["actors"] if a["role"] == "client"]


def actor(d: dict, ident: str) -> dict:
    for a in d["actors"]:
        if a["id"] == ident:
            return a
    raise KeyError(ident)


def tie(d: dict, a: str, b: str) -> dict:
    for t in d["geography"]:
        if {t["a"], t["b"]} == {a, b}:
            return t
    raise KeyError((a, b))


def sv(x: float, source: str = "synthetic") -> dict:
    """A sourced value."""
    return {"value": float(x), "source": source}


def with_actor_value(d: dict, ident: str, field: str, value) -> dict:
    d = copy.deepcopy(d)
    a = actor(d, ident)
    a[field] = {"value": value, "source": "synthetic"}
    return d


def with_tie(d: dict, a: str, b: str, **kw) -> dict:
    d = copy.deepcopy(d)
    tie(d, a, b).update(kw)
    return d


def with_aligned(d: dict, ident: str, cap: float, reach: float, alignment: float, ties: list[tuple[str, str, float, bool]]) -> dict:
    """Add an aligned adversary; ties: (client, contiguity, distance_km, overland) for every client."""
    d = copy.deepcopy(d)
    d["actors"].append(
        {"id": ident, "name": ident, "role": "aligned_adversary", "capability": sv(cap), "maritime_reach": sv(reach),
         "alignment": sv(alignment)}
    )
    for c, cont, dist, overland in ties:
        d["geography"].append(
            {"a": ident, "b": c, "contiguity": cont, "distance_km": float(dist), "overland": bool(overland), "source": "synthetic"}
        )
    return d


def scenario(d: dict) -> Scenario:
    return parse_scenario(d, "<test>")


def theatre(d: dict, params: Parameters = DEFAULT) -> Theatre:
    return compile_theatre(parse_scenario(d, "<test>"), params)


# ---------------------------------------------------------------------------
# A small valid scenario for validation and CLI tests
# ---------------------------------------------------------------------------


def valid_dict() -> dict:
    """A small, complete, valid scenario (two clients, patron, adversary)."""

    def v(x, **kw):
        return {"value": x, "source": "coder", **kw}

    return {
        "id": "tiny-theatre",
        "title": "Tiny theatre for tests",
        "region": "Nowhere",
        "year": 1950,
        "kind": "counterfactual",
        "capability_measure": "made-up shares",
        "sources": {"coder": {"cite": "Test fixture"}},
        "actors": [
            {"id": "PAT", "name": "Patron", "role": "patron", "capability": v(0.3), "maritime_reach": v(1.0),
             "leverage_motive": v(0.5)},
            {"id": "ADV", "name": "Adversary", "role": "adversary", "capability": v(0.2), "maritime_reach": v(0.4)},
            {"id": "AAA", "name": "Client A", "role": "client", "capability": v(0.03), "maritime_reach": v(0.3),
             "provocation": v(0.0), "threat_divergence": v(0.0), "econ_dependence": v(0.1),
             "sovereignty": {"value": "full", "source": "coder"}, "patron_stake": v(1.0)},
            {"id": "BBB", "name": "Client B", "role": "client", "capability": v(0.02), "maritime_reach": v(0.2),
             "patron_stake": v(0.5)},
        ],
        "geography": [
            {"a": "AAA", "b": "ADV", "contiguity": "land", "distance_km": 0.0, "source": "coder"},
            {"a": "BBB", "b": "ADV", "contiguity": "sea", "distance_km": 300.0, "source": "coder"},
            {"a": "AAA", "b": "BBB", "contiguity": "land", "distance_km": 0.0, "source": "coder"},
            {"a": "PAT", "b": "AAA", "contiguity": "remote", "distance_km": 6000.0, "source": "coder"},
            {"a": "PAT", "b": "BBB", "contiguity": "remote", "distance_km": 6500.0, "source": "coder"},
            {"a": "PAT", "b": "ADV", "contiguity": "remote", "distance_km": 7000.0, "source": "coder"},
        ],
    }


@pytest.fixture
def good_dict() -> dict:
    return valid_dict()


@pytest.fixture
def write_yaml(tmp_path):
    """Write a dict (or raw text) as a YAML file under tmp_path; returns the path."""

    def _write(data, name: str = "scenario.yaml") -> Path:
        p = tmp_path / name
        p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return p

    return _write
