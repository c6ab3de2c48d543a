"""Stage 3, the adversary: it probes every client whose occupation threat
under the design exceeds its threshold.

The threat and the probe are computed with each group's payoffs
(:func:`pactlab.model.payoffs.evaluate`); this module reads off each client's
state once the structure and the patron's design are chosen."""

from __future__ import annotations

import numpy as np

from pactlab.model.imposition import LoneOutcome
from pactlab.model.patron import GroupOutcome, GroupTable
from pactlab.model.payoffs import LEVEL
from pactlab.model.result import ClientState
from pactlab.model.theatre import Theatre, popcount


def client_outcomes(th: Theatre, block_tab: GroupTable, blocks: tuple[int, ...], lone: LoneOutcome) -> dict[int, GroupOutcome]:
    """The group outcome that decides each client's fate: its block, its
    imposed multilateral, or its own spoke (or none)."""
    outcome_of: dict[int, GroupOutcome] = {}
    for b in blocks:
        g = block_tab[b]
        for i in th.members(b):
            outcome_of[i] = g
    for i, g in lone.singles.items():
        outcome_of.setdefault(i, g)
    if lone.group is not None:
        for i in th.members(lone.group.mask):
            outcome_of[i] = lone.group
    return outcome_of


def client_states(th: Theatre, outcome_of: dict[int, GroupOutcome], u: np.ndarray) -> list[ClientState]:
    """Each client after stage 3: its threat, defence, pledges, whether it is probed, its payoff."""
    out = []
    for i in range(th.n):
        g = outcome_of[i]
        group_mask = g.mask if popcount(g.mask) >= 2 else 1 << i
        out.append(
            ClientState(
                id=th.ids[i], name=th.names[i], capability=float(th.cap[i]), adversary_power=float(th.adv_power[i]),
                threat_status_quo=float(th.theta_sq[i]), threat=float(g.theta[i]),
                defence=float(g.defence[i]), probed=bool(g.probe[i]),
                group=tuple(th.ids[j] for j in th.members(group_mask)),
                pledge_to_clients=LEVEL[int(g.lcc)] if popcount(g.mask) >= 2 else "none",
                patron_pledge=LEVEL[max(int(g.lp), int(th.prior_patron[i]))], payoff=float(u[i]),
                patron_pledge_in_force=LEVEL[int(th.prior_patron[i])],
            )
        )
    return out
