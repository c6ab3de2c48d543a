"""Power projection, routes and the credible occupation threat (H6, H7).

The offensive-power measure, how much of an actor's power reaches a client
(the loss-of-strength gradient from capitals, the stopping power of water,
footholds near the target), the adversary side's power at each client and
from each occupied client, the most credible conquest route, the contest
success function that turns attack against defence into an occupation
threat, and threat convergence. Every equation is in ``docs/model.md`` (section 2).
"""

from __future__ import annotations

import numpy as np

from pactlab.model import kernels
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
    tot = a + d
    # no attacking power: no threat (also where a defenceless state's d underflows to 0)
    return np.where(tot > 0, a / np.where(tot > 0, tot, 1.0), 0.0)


def gradient(distance_km: float, reach: float, p: Parameters) -> float:
    """Loss-of-strength gradient (Boulding 1962), flattened by global reach."""
    return float(np.exp(-distance_km / (p.distance_scale_km * (1.0 + p.reach_gradient * reach))))


def tie_index(s: Scenario) -> dict[frozenset, Tie]:
    return {frozenset((t.a, t.b)): t for t in s.geography}


#: the offensive-power measures (codebook CAP1, CAP2), by ``power_measure``
POWER_MEASURES = ("cinc", "milex", "milper", "military")


def _measure(a: Actor, measure: str) -> float | None:
    if measure == "cinc":
        return float(a.capability.value)
    if measure == "milex":
        return None if a.milex_share is None else float(a.milex_share.value)
    if measure == "milper":
        return None if a.milper_share is None else float(a.milper_share.value)
    if a.milex_share is None or a.milper_share is None:  # military: mean of the two shares
        return None
    return 0.5 * (float(a.milex_share.value) + float(a.milper_share.value))


def power_of(s: Scenario, p: Parameters) -> tuple[dict[str, float], str, str | None]:
    """(power, measure used, note): every actor's offensive power by the one
    global ``power_measure``. If any actor whose power enters the theatre
    lacks the input, the whole theatre uses CINC (never a mix of measures),
    and the note says so."""
    measure = p.power_measure
    cinc = {a.id: float(a.capability.value) for a in s.actors}
    if measure == "cinc":
        return cinc, "cinc", None
    enters = [a for a in s.actors if a.role is not Role.outside or a.linked]
    missing = [a.id for a in enters if _measure(a, measure) is None]
    if missing:
        need = "milex_share and milper_share" if measure == "military" else f"{measure}_share"
        note = (
            f"offensive power: {measure} (codebook CAP2) needs {need}, which {', '.join(missing)} "
            f"lack{'s' if len(missing) == 1 else ''}; the whole theatre uses CINC (codebook CAP1) instead"
        )
        return cinc, "cinc", note
    ids = {a.id for a in enters}
    return {a.id: (_measure(a, measure) if a.id in ids else cinc[a.id]) for a in s.actors}, measure, None


def projection_distance(t: Tie, from_capitals: bool) -> float:
    """The distance power is projected over: between capitals (GEO3) when
    asked and given, else the minimum distance (GEO1)."""
    if from_capitals and t.capital_distance_km is not None:
        return float(t.capital_distance_km)
    return float(t.distance_km)


def uses_capitals(holder: Actor, p: Parameters) -> bool:
    if holder.role is Role.aligned_adversary:
        return p.m_aligned_routes
    return p.m_capital_distance


def foothold_counts(holder: Actor, p: Parameters) -> bool:
    """Whose footholds a route may use: the adversary side's always; any other
    non-client holder's (the patron's, outside states') with ``m_any_footholds``."""
    return holder.role in (Role.adversary, Role.aligned_adversary) or p.m_any_footholds


def best_route(s: Scenario, ties, holder: Actor, target: str, p: Parameters) -> float:
    """Largest share of holder's power that reaches target, over its own
    territory (from its capital, GEO3, when given) and any foothold it holds
    near the target (from the foothold, FOOT1)."""
    reach = holder.maritime_reach.value
    t = ties.get(frozenset((holder.id, target)))
    best = 0.0
    if t is not None:
        d = projection_distance(t, uses_capitals(holder, p))
        best = gradient(d, reach, p) * mode_factor(t.by_land, t.contiguity, reach, p)
    if foothold_counts(holder, p):
        for f in s.footholds:
            if f.holder == holder.id and f.near == target:
                best = max(best, gradient(f.distance_km, reach, p) * mode_factor(f.by_land, f.contiguity, reach, p))
    return float(best)


def client_projection(clients: list[Actor], ties, power: dict[str, float], p: Parameters
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(proj, prox): proj[j, i] is client j's power projected at client i
    (from j's capital when given), prox[j, i] = exp(-d/scale) their proximity
    (minimum distance: contagion is about borders)."""
    n = len(clients)
    proj = np.zeros((n, n))
    prox = np.zeros((n, n))
    for j, cj in enumerate(clients):
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            proj[j, i] = (
                power[cj.id]
                * gradient(projection_distance(t, p.m_capital_distance), cj.maritime_reach.value, p)
                * mode_factor(t.by_land, t.contiguity, cj.maritime_reach.value, p)
            )
            prox[j, i] = np.exp(-t.distance_km / p.distance_scale_km)
    return proj, prox


def adversary_alignment(s: Scenario, p: Parameters) -> tuple[dict[str, float], dict[str, float]]:
    """Aligned adversaries' alignment before and after cross-theatre
    counter-alignment to linking (Park and DerSimonian)."""
    linking = s.linking.value if s.linking is not None else 0.0
    unlinked = {a.id: a.alignment.value for a in s.by_role(Role.aligned_adversary)}
    linked = {k: v + p.counter_alignment * linking * (1.0 - v) for k, v in unlinked.items()}
    return unlinked, linked


def adversary_power(s: Scenario, ties, ids: list[str], alignment: dict[str, float], power: dict[str, float],
                    p: Parameters):
    """(adv_power, side_cap): the adversary side's power projected at each
    client, each member of the side along its own best route, weighted by its
    alignment; and the side's whole capability."""
    side = [(s.adversary, 1.0)] + [(s.actor(k), w) for k, w in alignment.items()]
    adv_power = np.zeros(len(ids))
    for i, cid in enumerate(ids):
        adv_power[i] = sum(w * power[a.id] * best_route(s, ties, a, cid, p) for a, w in side)
    side_cap = sum(w * power[a.id] for a, w in side)
    return adv_power, side_cap


def stepping_stone_power(
    s: Scenario, clients: list[Actor], ties, adv_power: np.ndarray, side_cap: float, power: dict[str, float],
    p: Parameters,
) -> np.ndarray:
    """[j, i]: the adversary, having occupied j, strikes i from j's territory
    with the force that reached j (``adv_power[j]``; the side's whole
    capability ``side_cap`` with ``m_conquest_strike`` off) plus the absorbed
    share of j's capability, over the j-i tie (minimum distance: the occupier
    holds j's border) at the adversary's reach, or at the naval reach it
    acquires with j (``m_acquired_reach``, H7)."""
    adversary = s.adversary
    n = len(clients)
    step_power = np.zeros((n, n))
    for j, cj in enumerate(clients):
        force = adv_power[j] if p.m_conquest_strike else side_cap
        nu = adversary.maritime_reach.value
        if p.m_acquired_reach:
            nu = max(nu, p.acquired_reach * cj.maritime_reach.value)
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            step_power[j, i] = (
                (force + p.conquest_absorption * power[cj.id])
                * gradient(t.distance_km, nu, p)
                * mode_factor(t.by_land, t.contiguity, nu, p)
            )
    return step_power


def conquest_probability(adv_power: np.ndarray, step_power: np.ndarray, node_defence: np.ndarray,
                         p: Parameters, reference: bool = False, jit: bool | None = None) -> np.ndarray:
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
    round (at most two legs, the v1 stepping stone). ``reference`` relaxes
    every profile until all are final (the plain form the faster one is
    tested against). ``jit`` chooses the compiled kernel (:mod:`pactlab.model.kernels`, the same
    numbers) or this numpy code; ``None`` leaves it to the kernels' policy.

    The numpy code finds the same numbers by label setting (Dijkstra's order): the client with
    the largest route probability among those not yet final is final (every other route to it
    passes through a client whose probability is no larger, and a leg never raises it), and its
    legs are relaxed once. Rounding is monotone and a leg is at most 1, so each route's
    probability is the same product, left to right, as in the relaxation, and the maximum over
    routes is the same number bit for bit; it costs n - 1 steps over (profiles, clients)
    instead of up to n - 1 rounds over (profiles, clients, clients)."""
    d = np.asarray(node_defence, float)
    m, n = d.shape
    if not reference and (jit if jit is not None else kernels.wanted()):
        return kernels.conquest_probability(adv_power, step_power, d, p)
    if reference or not p.m_k_leg_routes or n < 2:
        return _relax(adv_power, step_power, d, p, reference)
    # csf's two terms, each computed once: the attack over each leg, the defence at each client
    c = p.contest_exponent
    dd = np.power(p.defence_advantage * np.maximum(d, 1e-300), c)  # (m, n)
    a = np.power(np.maximum(adv_power[None, :], 0.0), c)
    tot = a + dd
    r = np.where(tot > 0, a / np.where(tot > 0, tot, 1.0), 0.0)  # the direct route, csf(A, D)
    A = np.power(np.maximum(step_power, 0.0), c) * ~np.eye(n, dtype=bool)  # (j, i); no leg from i to i
    rows = np.arange(m)
    final = np.zeros((m, n), bool)
    positive = bool((dd > 0).all())  # then every leg's total is positive (csf's guard never applies)
    # work arrays written in place (fresh (m, n) temporaries at every step cost more than the arithmetic)
    cand, au, tot, leg = (np.empty((m, n)) for _ in range(4))
    for _ in range(n - 1):  # once n - 1 clients are final, so is the last
        np.copyto(cand, r)
        np.putmask(cand, final, -1.0)
        u = cand.argmax(axis=1)  # (m,) the next client to become final
        final[rows, u] = True
        np.take(A, u, axis=0, out=au)  # (m, i)
        np.add(au, dd, out=tot)
        if positive:
            np.divide(au, tot, out=leg)  # csf(S_ui, D_i)
        else:
            leg.fill(0.0)
            np.divide(au, tot, out=leg, where=tot > 0)
        np.multiply(r[rows, u][:, None], leg, out=leg)
        np.maximum(r, leg, out=r)
    return r


def _relax(adv_power, step_power, d, p, reference):
    """The max-product relaxation of :func:`conquest_probability`, round by round (``reference``:
    every profile until none changes; otherwise each profile until its own round changes nothing)."""
    m, n = d.shape
    r = csf(adv_power[None, :], d, p)
    if n < 2:
        return r
    leg = csf(step_power[None, :, :], d[:, None, :], p)  # (m, j, i)
    leg *= ~np.eye(n, dtype=bool)[None]
    rounds = n - 1 if p.m_k_leg_routes else 1
    if not reference:
        # Each profile relaxes on its own, and one whose round changes nothing is final (its next
        # round would be the same arithmetic on the same numbers): relax only the others.
        live = np.arange(m)
        for _ in range(rounds):
            rl = r[live]
            nxt = np.maximum(rl, (rl[:, :, None] * leg[live]).max(axis=1))
            moved = (nxt != rl).any(axis=1)
            r[live[moved]] = nxt[moved]
            live = live[moved]
            if not live.size:
                break
        return r
    for _ in range(rounds):
        nxt = np.maximum(r, (r[:, :, None] * leg).max(axis=1))
        if np.array_equal(nxt, r):
            break
        r = nxt
    return r


def occupation_threat(th, member: np.ndarray, defence: np.ndarray, jit: bool | None = None) -> np.ndarray:
    """theta (m, n): each member's occupation threat under its group's
    defence, along the most credible route (docs/model.md, section 2.7).

    A member is defended at ``defence``; every other client at its
    status-quo defence (the group cannot know what the others will do).
    Columns outside the group are 0."""
    member = np.asarray(member, bool)
    node_defence = np.where(member, defence, th.base_defence[None, :])
    r = conquest_probability(th.adv_power, th.step_power, node_defence, th.params, jit=jit)
    return np.where(member, r, 0.0)


def patron_projection(s: Scenario, ties, ids: list[str], power: dict[str, float], p: Parameters) -> np.ndarray:
    """The patron's power projected at each client (zero without a patron)."""
    out = np.zeros(len(ids))
    if s.patron is not None:
        for i, cid in enumerate(ids):
            out[i] = power[s.patron.id] * best_route(s, ties, s.patron, cid, p)
    return out


def outside_projection(s: Scenario, ties, ids: list[str], power: dict[str, float], p: Parameters) -> np.ndarray:
    """Linked outside states' power projected at each client."""
    out = np.zeros(len(ids))
    for o in s.by_role(Role.outside):
        if o.linked:
            for i, cid in enumerate(ids):
                out[i] += power[o.id] * best_route(s, ties, o, cid, p)
    return out


def converged_divergence(divergence: np.ndarray, theta_route_sq: np.ndarray, p: Parameters) -> np.ndarray:
    """Threat convergence: a client's effective threat-perception divergence
    falls with its occupation threat, delta (1 - eta theta) (``m_threat_convergence``)."""
    if not p.m_threat_convergence:
        return divergence.copy()
    return divergence * (1.0 - p.convergence * theta_route_sq)


def status_quo_threat(cap, proj, prior_cc, prior_patron, patron_proj, adv_power, p: Parameters):
    """(base_defence, theta_sq): each client's defence under the commitments
    in force and its direct occupation threat there."""
    lw = level_weight(prior_cc, p)
    base_defence = cap + (lw * proj).sum(axis=0) + level_weight(prior_patron, p) * patron_proj
    return base_defence, csf(adv_power, base_defence, p)
