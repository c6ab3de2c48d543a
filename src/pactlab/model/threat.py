"""Power projection, routes and the credible occupation threat (H6, H7).

How much of an actor's power reaches a client (the loss-of-strength gradient,
the stopping power of water, footholds near the target), the adversary side's
power at each client and from each conquered client (stepping stones), and
the contest success function that turns attack against defence into an
occupation threat. Every equation is in ``docs/model.md`` (section 2).
"""

from __future__ import annotations

import numpy as np

from pactlab.model.params import Parameters
from pactlab.scenarios.schema import Actor, Contiguity, Role, Scenario, Tie


def level_weight(rank: np.ndarray | int, p: Parameters):
    """Share of a partner's projected power a pledge of this rank brings."""
    w = np.array([0.0, p.consult_weight, 1.0])
    return w[rank]


def mode_factor(by_land: bool, contiguity: Contiguity, reach: float, p: Parameters) -> float:
    if by_land:
        return 1.0
    if contiguity in (Contiguity.sea, Contiguity.land):  # a land tie marked not overland crosses water
        return p.sea_factor * reach
    return p.remote_factor * reach


def csf(attack, defence, p: Parameters):
    """Credible occupation threat: a contest success function of the attacker's
    projected power against the defender's power times its advantage."""
    a = np.power(np.maximum(attack, 0.0), p.contest_exponent)
    d = np.power(p.defence_advantage * np.maximum(defence, 1e-300), p.contest_exponent)
    return a / (a + d)


def gradient(distance_km: float, reach: float, p: Parameters) -> float:
    """Loss-of-strength gradient (Boulding 1962), flattened by global reach."""
    return float(np.exp(-distance_km / (p.distance_scale_km * (1.0 + p.reach_gradient * reach))))


def tie_index(s: Scenario) -> dict[frozenset, Tie]:
    return {frozenset((t.a, t.b)): t for t in s.geography}


def best_route(s: Scenario, ties, holder: Actor, target: str, p: Parameters) -> float:
    """Largest share of holder's power that reaches target, over its own
    territory and any foothold it holds near the target."""
    reach = holder.maritime_reach.value
    t = ties.get(frozenset((holder.id, target)))
    best = 0.0
    if t is not None:
        best = gradient(t.distance_km, reach, p) * mode_factor(t.by_land, t.contiguity, reach, p)
    # v1 reads adversary-side footholds only (the FOOT1 of v1); patron and outside
    # forward deployments are inputs for model v2.
    adversary_side = holder.role in (Role.adversary, Role.aligned_adversary)
    for f in s.footholds:
        if adversary_side and f.holder == holder.id and f.near == target:
            best = max(best, gradient(f.distance_km, reach, p) * mode_factor(f.by_land, f.contiguity, reach, p))
    return float(best)


def client_projection(clients: list[Actor], ties, p: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """(proj, prox): proj[j, i] is client j's power projected at client i,
    prox[j, i] = exp(-d/scale) their proximity."""
    n = len(clients)
    proj = np.zeros((n, n))
    prox = np.zeros((n, n))
    for j, cj in enumerate(clients):
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            proj[j, i] = (
                cj.capability.value
                * gradient(t.distance_km, cj.maritime_reach.value, p)
                * mode_factor(t.by_land, t.contiguity, cj.maritime_reach.value, p)
            )
            prox[j, i] = np.exp(-t.distance_km / p.distance_scale_km)
    return proj, prox


def adversary_alignment(s: Scenario, p: Parameters) -> tuple[dict[str, float], dict[str, float]]:
    """Aligned adversaries' alignment before and after cross-theatre
    counter-alignment to linking (seed 004)."""
    linking = s.linking.value if s.linking is not None else 0.0
    unlinked = {a.id: a.alignment.value for a in s.by_role(Role.aligned_adversary)}
    linked = {k: v + p.counter_alignment * linking * (1.0 - v) for k, v in unlinked.items()}
    return unlinked, linked


def adversary_power(s: Scenario, ties, ids: list[str], alignment: dict[str, float], p: Parameters):
    """(adv_power, side_cap): the adversary side's power projected at each
    client along its best route, and its whole capability."""
    side = [(s.adversary, 1.0)] + [(s.actor(k), w) for k, w in alignment.items()]
    adv_power = np.zeros(len(ids))
    for i, cid in enumerate(ids):
        adv_power[i] = sum(w * a.capability.value * best_route(s, ties, a, cid, p) for a, w in side)
    side_cap = sum(w * a.capability.value for a, w in side)
    return adv_power, side_cap


def stepping_stone_power(
    s: Scenario, clients: list[Actor], ties, adv_power: np.ndarray, side_cap: float, p: Parameters
) -> np.ndarray:
    """[j, i]: the adversary, having occupied j, strikes i from j's territory
    with the force that reached j (``adv_power[j]``; the side's whole
    capability ``side_cap`` with ``m_conquest_strike`` off) plus the absorbed
    share of j's capability, over the j-i tie (minimum distance: the occupier
    holds j's border) at the adversary's reach."""
    adversary = s.adversary
    n = len(clients)
    step_power = np.zeros((n, n))
    for j, cj in enumerate(clients):
        force = adv_power[j] if p.m_conquest_strike else side_cap
        nu = adversary.maritime_reach.value
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            step_power[j, i] = (
                (force + p.conquest_absorption * cj.capability.value)
                * gradient(t.distance_km, nu, p)
                * mode_factor(t.by_land, t.contiguity, nu, p)
            )
    return step_power


def conquest_probability(adv_power: np.ndarray, step_power: np.ndarray, node_defence: np.ndarray,
                         p: Parameters) -> np.ndarray:
    """(m, n): for each of m defence profiles, the probability that the
    adversary occupies each client along its most credible route.

    A route is a chain of clients occupied one after another; its
    probability is the product of its legs' contest probabilities. The first
    leg is the direct threat ``CSF(A_j, D_j)``; the leg from occupied j to i
    is ``CSF(S_ji, D_i)``. The best route is found by a max-product
    Bellman-Ford relaxation: after k rounds every route of up to k + 1 legs
    is covered. Every leg's probability is at most 1, so a route that
    revisits a client is never better than the one without the detour, and
    n - 1 rounds (or the first round that changes nothing) give the exact
    best over all simple routes. ``m_k_leg_routes`` off stops after one
    round (at most two legs, the v1 stepping stone)."""
    d = np.asarray(node_defence, float)
    m, n = d.shape
    r = csf(adv_power[None, :], d, p)
    if n < 2:
        return r
    leg = csf(step_power[None, :, :], d[:, None, :], p)  # (m, j, i)
    leg *= ~np.eye(n, dtype=bool)[None]
    rounds = n - 1 if p.m_k_leg_routes else 1
    for _ in range(rounds):
        nxt = np.maximum(r, (r[:, :, None] * leg).max(axis=1))
        if np.array_equal(nxt, r):
            break
        r = nxt
    return r


def occupation_threat(th, member: np.ndarray, defence: np.ndarray) -> np.ndarray:
    """theta (m, n): each member's occupation threat under its group's
    defence, along the most credible route (docs/model.md, section 2.7).

    A member is defended at ``defence``; every other client at its
    status-quo defence (the group cannot know what the others will do).
    Columns outside the group are 0."""
    member = np.asarray(member, bool)
    node_defence = np.where(member, defence, th.base_defence[None, :])
    r = conquest_probability(th.adv_power, th.step_power, node_defence, th.params)
    return np.where(member, r, 0.0)


def patron_projection(s: Scenario, ties, ids: list[str], p: Parameters) -> np.ndarray:
    """The patron's power projected at each client (zero without a patron)."""
    out = np.zeros(len(ids))
    if s.patron is not None:
        for i, cid in enumerate(ids):
            out[i] = s.patron.capability.value * best_route(s, ties, s.patron, cid, p)
    return out


def outside_projection(s: Scenario, ties, ids: list[str], p: Parameters) -> np.ndarray:
    """Linked outside states' power projected at each client."""
    out = np.zeros(len(ids))
    for o in s.by_role(Role.outside):
        if o.linked:
            for i, cid in enumerate(ids):
                out[i] += o.capability.value * best_route(s, ties, o, cid, p)
    return out


def status_quo_threat(cap, proj, prior_cc, prior_patron, patron_proj, adv_power, p: Parameters):
    """(base_defence, theta_sq): each client's defence under the commitments
    in force and its direct occupation threat there."""
    lw = level_weight(prior_cc, p)
    base_defence = cap + (lw * proj).sum(axis=0) + level_weight(prior_patron, p) * patron_proj
    return base_defence, csf(adv_power, base_defence, p)
