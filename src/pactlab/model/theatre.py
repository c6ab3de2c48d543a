"""A scenario compiled into the arrays the solver works on.

Everything here is a deterministic function of (scenario, parameters). Clients
are indexed 0..n-1 in the order they appear in the scenario; a set of clients
is a bitmask over those indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pactlab.model.params import Parameters
from pactlab.scenarios.schema import Actor, Contiguity, Role, Scenario, Sovereignty, Tie

#: the most a client may pledge to other clients, by sovereignty (codebook S1)
SOVEREIGN_CAP = {
    Sovereignty.full: 2,
    Sovereignty.constrained: 1,
    Sovereignty.occupied: 0,
    Sovereignty.unrecognised: 0,
}


def level_weight(rank: np.ndarray | int, p: Parameters):
    """Share of a partner's projected power a pledge of this rank brings."""
    w = np.array([0.0, p.consult_weight, 1.0])
    return w[rank]


def _mode_factor(by_land: bool, contiguity: Contiguity, reach: float, p: Parameters) -> float:
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


@dataclass
class Theatre:
    scenario: Scenario
    params: Parameters
    ids: list[str]
    names: list[str]
    n: int
    cap: np.ndarray  # capability
    reach: np.ndarray
    provocation: np.ndarray
    divergence: np.ndarray
    econ: np.ndarray
    stake: np.ndarray
    pledge_cap: np.ndarray  # 0/1/2: most a client may pledge to other clients
    dispute: np.ndarray  # (n, n) symmetric
    proj: np.ndarray  # (n, n): proj[j, i] = client j's power projected at client i
    prox: np.ndarray  # (n, n): exp(-d/scale)
    adv_power: np.ndarray  # (n,): adversary side's power projected at client i
    step_power: np.ndarray  # (n, n): [j, i] adversary power at i from occupied j
    patron_proj: np.ndarray  # (n,)
    outside_proj: np.ndarray  # (n,) linked outside states' power at i
    patron_max: int
    leverage: float
    prior_cc: np.ndarray  # (n, n) prior client-client pledge rank
    prior_patron: np.ndarray  # (n,) prior patron pledge rank per client
    atoms: list[int]  # bitmasks: clients bound by prior pledges form one atom
    base_defence: np.ndarray  # (n,) status-quo defence
    theta_sq: np.ndarray  # (n,) status-quo direct occupation threat
    alignment: dict[str, float] = field(default_factory=dict)  # aligned adversaries, after linking
    alignment_unlinked: dict[str, float] = field(default_factory=dict)
    trend: float = 0.0

    @property
    def has_patron(self) -> bool:
        return self.scenario.patron is not None

    def members(self, mask: int) -> list[int]:
        return [i for i in range(self.n) if mask >> i & 1]

    def label(self, mask: int) -> str:
        return "+".join(self.ids[i] for i in self.members(mask))


def _tie_index(s: Scenario) -> dict[frozenset, Tie]:
    return {frozenset((t.a, t.b)): t for t in s.geography}


def gradient(distance_km: float, reach: float, p: Parameters) -> float:
    """Loss-of-strength gradient (Boulding 1962), flattened by global reach."""
    return float(np.exp(-distance_km / (p.distance_scale_km * (1.0 + p.reach_gradient * reach))))


def _best_route(s: Scenario, ties, holder: Actor, target: str, p: Parameters) -> float:
    """Largest share of holder's power that reaches target, over its own
    territory and any foothold it holds near the target."""
    reach = holder.maritime_reach.value
    t = ties.get(frozenset((holder.id, target)))
    best = 0.0
    if t is not None:
        best = gradient(t.distance_km, reach, p) * _mode_factor(t.by_land, t.contiguity, reach, p)
    # v1 reads adversary-side footholds only (the FOOT1 of v1); patron and outside
    # forward deployments are inputs for model v2.
    adversary_side = holder.role in (Role.adversary, Role.aligned_adversary)
    for f in s.footholds:
        if adversary_side and f.holder == holder.id and f.near == target:
            best = max(best, gradient(f.distance_km, reach, p) * _mode_factor(f.by_land, f.contiguity, reach, p))
    return float(best)


def compile_theatre(s: Scenario, p: Parameters) -> Theatre:
    clients = s.clients
    n = len(clients)
    ids = [c.id for c in clients]
    idx = {c: i for i, c in enumerate(ids)}
    ties = _tie_index(s)

    def attr(a: Actor, name: str, default: float) -> float:
        v = getattr(a, name)
        return default if v is None else float(v.value)

    cap = np.array([c.capability.value for c in clients], float)
    reach = np.array([c.maritime_reach.value for c in clients], float)
    provocation = np.array([attr(c, "provocation", 0.0) for c in clients])
    divergence = np.array([attr(c, "threat_divergence", 0.0) for c in clients])
    econ = np.array([attr(c, "econ_dependence", 0.0) for c in clients])
    stake = np.array([attr(c, "patron_stake", 0.0) for c in clients])
    pledge_cap = np.array(
        [SOVEREIGN_CAP[c.sovereignty.value if c.sovereignty else Sovereignty.full] for c in clients], int
    )

    dispute = np.zeros((n, n))
    for d in s.disputes:
        if d.a in idx and d.b in idx:
            dispute[idx[d.a], idx[d.b]] = dispute[idx[d.b], idx[d.a]] = max(
                d.intensity, dispute[idx[d.a], idx[d.b]]
            )

    proj = np.zeros((n, n))
    prox = np.zeros((n, n))
    dist = np.zeros((n, n))
    for j, cj in enumerate(clients):
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            proj[j, i] = (
                cj.capability.value
                * gradient(t.distance_km, cj.maritime_reach.value, p)
                * _mode_factor(t.by_land, t.contiguity, cj.maritime_reach.value, p)
            )
            prox[j, i] = np.exp(-t.distance_km / p.distance_scale_km)
            dist[j, i] = t.distance_km

    # Adversary side, with cross-theatre counter-alignment (seed 004).
    adversary = s.adversary
    linking = s.linking.value if s.linking is not None else 0.0
    alignment_unlinked = {a.id: a.alignment.value for a in s.by_role(Role.aligned_adversary)}
    alignment = {k: v + p.counter_alignment * linking * (1.0 - v) for k, v in alignment_unlinked.items()}
    side = [(adversary, 1.0)] + [(s.actor(k), w) for k, w in alignment.items()]
    adv_power = np.zeros(n)
    for i, cid in enumerate(ids):
        adv_power[i] = sum(w * a.capability.value * _best_route(s, ties, a, cid, p) for a, w in side)
    side_cap = sum(w * a.capability.value for a, w in side)

    # Stepping stones: the adversary, having occupied j, strikes i from j's
    # territory with its own power plus part of what it took from j.
    step_power = np.zeros((n, n))
    for j, cj in enumerate(clients):
        for i, ci in enumerate(clients):
            if i == j:
                continue
            t = ties[frozenset((cj.id, ci.id))]
            step_power[j, i] = (
                (side_cap + p.conquest_absorption * cj.capability.value)
                * gradient(t.distance_km, adversary.maritime_reach.value, p)
                * _mode_factor(t.by_land, t.contiguity, adversary.maritime_reach.value, p)
            )

    patron = s.patron
    patron_proj = np.zeros(n)
    patron_max = 0
    leverage = 0.0
    if patron is not None:
        for i, cid in enumerate(ids):
            patron_proj[i] = patron.capability.value * _best_route(s, ties, patron, cid, p)
        patron_max = patron.max_commitment.value.rank if patron.max_commitment else 2
        leverage = patron.leverage_motive.value if patron.leverage_motive else 0.0
    outside_proj = np.zeros(n)
    for o in s.by_role(Role.outside):
        if o.linked:
            for i, cid in enumerate(ids):
                outside_proj[i] += o.capability.value * _best_route(s, ties, o, cid, p)

    # Commitments in force before the date.
    prior_cc = np.zeros((n, n), int)
    prior_patron = np.zeros(n, int)
    pid = patron.id if patron is not None else None
    for t in s.treaties:
        mem = [idx[m] for m in t.members if m in idx]
        r = t.level.rank
        for a in mem:
            for b in mem:
                if a != b:
                    prior_cc[a, b] = max(prior_cc[a, b], r)
            if pid is not None and pid in t.members:
                prior_patron[a] = max(prior_patron[a], r)

    # Atoms: connected components of prior client-client pledges.
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in range(n):
        for b in range(n):
            if prior_cc[a, b] > 0:
                parent[find(a)] = find(b)
    comp: dict[int, int] = {}
    for i in range(n):
        comp[find(i)] = comp.get(find(i), 0) | (1 << i)
    atoms = sorted(comp.values(), key=lambda m: (m & -m))

    lw = level_weight(prior_cc, p)
    base_defence = cap + (lw * proj).sum(axis=0) + level_weight(prior_patron, p) * patron_proj
    theta_sq = csf(adv_power, base_defence, p)

    trend = float(s.threat_trend.value) if s.threat_trend is not None else 0.0
    return Theatre(
        scenario=s, params=p, ids=ids, names=[c.name for c in clients], n=n, cap=cap, reach=reach,
        provocation=provocation, divergence=divergence, econ=econ, stake=stake, pledge_cap=pledge_cap,
        dispute=dispute, proj=proj, prox=prox, adv_power=adv_power, step_power=step_power,
        patron_proj=patron_proj, outside_proj=outside_proj, patron_max=patron_max, leverage=leverage,
        prior_cc=prior_cc, prior_patron=prior_patron, atoms=atoms, base_defence=base_defence,
        theta_sq=theta_sq, alignment=alignment, alignment_unlinked=alignment_unlinked, trend=trend,
    )


def masks_to_matrix(masks: np.ndarray, n: int) -> np.ndarray:
    """Boolean (m, n) membership matrix from an array of bitmasks."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)

