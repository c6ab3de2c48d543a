"""How long a treaty lasts: its yearly hazard of ending (H2, H3).

Every term is in ``docs/model.md`` (section 5).
"""

from __future__ import annotations

import numpy as np

from pactlab.model.theatre import Theatre
from pactlab.model.threat import level_weight


def durability(
    th: Theatre, clients: list[int], lcc: int, imposed: bool, indigenous: float | None = None
) -> tuple[float, dict[str, float]]:
    """Yearly hazard of a treaty ending and its log-hazard terms (docs/model.md §5).

    ``indigenous`` is the clients' commitment absent the patron (H2,
    :func:`pactlab.model.treaties.indigenous_share`); by default the level
    weight of their pledge to each other."""
    p = th.params
    if not clients:
        # a treaty has at least one client; a mean over none would be NaN
        raise ValueError("durability: a treaty needs at least one client (got none)")
    idx = np.array(clients)
    pairs = [(a, b) for k, a in enumerate(clients) for b in clients[k + 1 :]]
    disp = float(np.mean([th.dispute[a, b] for a, b in pairs])) if pairs else 0.0
    if imposed:
        indigenous = 0.0
    elif indigenous is None:
        indigenous = float(level_weight(lcc, p))
    terms = {
        "base": float(np.log(p.base_hazard)),
        "imposed": p.hazard_imposed * float(imposed),
        "indigenous commitment": -p.hazard_indigenous * indigenous,
        "occupation threat": -p.hazard_threat * float(th.theta_sq[idx].mean()),
        "provocation": p.hazard_provocation * float(th.provocation[idx].mean()),
        "threat divergence": p.hazard_divergence * float(th.divergence[idx].mean()),
        "disputes": p.hazard_dispute * disp,
        "trade dependence": p.hazard_econ * float(th.econ[idx].mean()),
        "threat trend": -p.hazard_trend * th.trend,
    }
    return float(np.exp(sum(terms.values()))), terms
