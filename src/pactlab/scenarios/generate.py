"""Synthetic theatres for tests, benchmarks and exploration.

``synthetic(n, rng)`` draws a valid scenario with ``n`` clients: positions on
a plane, land or sea ties from distances, capabilities from a log-normal. The
values are random, not historical; every one cites the ``synthetic`` source.
Randomness enters only through ``rng`` (a seed or ``numpy.random.Generator``).
"""

from __future__ import annotations

import numpy as np

from pactlab.scenarios.loader import parse_scenario
from pactlab.scenarios.schema import Scenario


def _v(x: float, **extra) -> dict:
    return {"value": float(x), "source": "synthetic", **extra}


def synthetic_dict(
    n: int,
    rng: int | np.random.Generator | None = None,
    *,
    adversary_capability: float | None = None,
    with_patron: bool = True,
    land_share: float = 0.5,
) -> dict:
    rng = np.random.default_rng(rng)
    pos = rng.uniform(0, 3000, size=(n + 2, 2))  # clients, adversary, patron
    pos[n + 1] = [rng.uniform(5000, 9000), rng.uniform(0, 3000)]  # patron is far away
    land = rng.uniform(size=(n + 2, n + 2)) < land_share
    land = np.triu(land, 1)
    land = land | land.T

    def actor(k: int, ident: str, role: str, cap: float, **kw) -> dict:
        a = {
            "id": ident,
            "name": ident,
            "role": role,
            "capability": _v(cap),
            "maritime_reach": _v(rng.uniform(0.1, 1.0)),
        }
        a.update(kw)
        return a

    actors = []
    for i in range(n):
        actors.append(
            actor(
                i, f"C{i}", "client", rng.lognormal(-4.5, 1.0),
                provocation=_v(rng.choice([0.0, 0.0, 0.3, 0.7])),
                threat_divergence=_v(rng.choice([0.0, 0.0, 0.5, 1.0])),
                econ_dependence=_v(rng.uniform(0, 0.35)),
                sovereignty={"value": str(rng.choice(["full", "full", "full", "constrained"])), "source": "synthetic"},
                patron_stake=_v(rng.choice([0.2, 0.5, 1.0])),
            )
        )
    adv_cap = adversary_capability if adversary_capability is not None else rng.lognormal(-2.0, 0.5)
    actors.append(actor(n, "ADV", "adversary", adv_cap))
    if with_patron:
        actors.append(
            actor(n + 1, "PAT", "patron", rng.lognormal(-1.3, 0.3), leverage_motive=_v(rng.choice([0.0, 0.5, 1.0])))
        )
    ids = [a["id"] for a in actors]
    geography = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            d = float(np.hypot(*(pos[a] - pos[b])))
            if land[a, b] and d < 1500:
                cont = "land"
            elif d < 650:
                cont = "sea"
            else:
                cont = "remote"
            geography.append(
                {"a": ids[a], "b": ids[b], "contiguity": cont, "distance_km": 0.0 if cont == "land" else d,
                 "overland": bool(land[a, b]), "source": "synthetic"}
            )
    return {
        "id": f"synthetic-{n}",
        "title": f"Synthetic theatre with {n} clients",
        "region": "synthetic",
        "year": 2000,
        "kind": "counterfactual",
        "capability_measure": "synthetic share of world capabilities",
        "capability_unit": "relative",
        "sources": {"synthetic": {"cite": "pactlab.scenarios.generate (random draw)"}},
        "actors": actors,
        "geography": geography,
    }


def synthetic(n: int, rng: int | np.random.Generator | None = None, **kw) -> Scenario:
    return parse_scenario(synthetic_dict(n, rng, **kw), f"<synthetic n={n}>")
