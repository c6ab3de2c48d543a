"""A scenario compiled into the arrays the solver works on.

Everything here is a deterministic function of (scenario, parameters); the
power and threat arithmetic is in :mod:`pactlab.model.threat`. Clients
are indexed 0..n-1 in the order they appear in the scenario; a set of clients
is a bitmask over those indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pactlab.model import threat
from pactlab.model.params import Parameters
from pactlab.scenarios.schema import Actor, Scenario, Sovereignty

#: the most a client may pledge to other clients, by sovereignty (codebook S1)
SOVEREIGN_CAP = {
    Sovereignty.full: 2,
    Sovereignty.constrained: 1,
    Sovereignty.occupied: 0,
    Sovereignty.unrecognised: 0,
}


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
    power: dict[str, float] = field(default_factory=dict)  # every actor's offensive power (power_measure)
    power_measure: str = "cinc"  # the measure actually used (CINC when the chosen one is missing)
    divergence_raw: np.ndarray | None = None  # coded threat divergence, before convergence
    theta_route_sq: np.ndarray | None = None  # (n,) status-quo threat along the most credible route
    notes: list[str] = field(default_factory=list)  # for the result

    @property
    def has_patron(self) -> bool:
        return self.scenario.patron is not None

    def members(self, mask: int) -> list[int]:
        return [i for i in range(self.n) if mask >> i & 1]

    def label(self, mask: int) -> str:
        return "+".join(self.ids[i] for i in self.members(mask))

    @property
    def ctx(self):
        """Inputs beyond power and threat (:mod:`pactlab.model.context`), compiled on first use."""
        c = self.__dict__.get("_ctx")
        if c is None:
            from pactlab.model.context import compile_context

            c = self.__dict__["_ctx"] = compile_context(self, self.scenario, threat.tie_index(self.scenario))
        return c


def _commitments_in_force(s: Scenario, idx: dict[str, int], pid: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(prior_cc, prior_patron): the rank of the pledges in force before the
    date, client to client and patron to client."""
    n = len(idx)
    prior_cc = np.zeros((n, n), int)
    prior_patron = np.zeros(n, int)
    for t in s.treaties:
        mem = [idx[m] for m in t.members if m in idx]
        r = t.level.rank
        for a in mem:
            for b in mem:
                if a != b:
                    prior_cc[a, b] = max(prior_cc[a, b], r)
            if pid is not None and pid in t.members:
                prior_patron[a] = max(prior_patron[a], r)
    return prior_cc, prior_patron


def _atoms(prior_cc: np.ndarray) -> list[int]:
    """Connected components of prior client-client pledges, as bitmasks
    ordered by their lowest client: clients bound to each other move together."""
    n = len(prior_cc)
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
    return sorted(comp.values(), key=lambda m: (m & -m))


def compile_theatre(s: Scenario, p: Parameters) -> Theatre:
    clients = s.clients
    n = len(clients)
    ids = [c.id for c in clients]
    idx = {c: i for i, c in enumerate(ids)}
    ties = threat.tie_index(s)

    def attr(a: Actor, name: str, default: float) -> float:
        v = getattr(a, name)
        return default if v is None else float(v.value)

    power, power_measure, power_note = threat.power_of(s, p)
    cap = np.array([power[c.id] for c in clients], float)
    reach = np.array([c.maritime_reach.value for c in clients], float)
    provocation = np.array([attr(c, "provocation", 0.0) for c in clients])
    divergence_raw = np.array([attr(c, "threat_divergence", 0.0) for c in clients])
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

    proj, prox = threat.client_projection(clients, ties, power, p)
    alignment_unlinked, alignment = threat.adversary_alignment(s, p)
    adv_power, side_cap = threat.adversary_power(s, ties, ids, alignment, power, p)
    step_power = threat.stepping_stone_power(s, clients, ties, adv_power, side_cap, power, p)
    patron = s.patron
    patron_proj = threat.patron_projection(s, ties, ids, power, p)
    outside_proj = threat.outside_projection(s, ties, ids, power, p)
    patron_max = 0
    leverage = 0.0
    if patron is not None:
        patron_max = patron.max_commitment.value.rank if patron.max_commitment else 2
        leverage = patron.leverage_motive.value if patron.leverage_motive else 0.0

    pid = patron.id if patron is not None else None
    prior_cc, prior_patron = _commitments_in_force(s, idx, pid)
    atoms = _atoms(prior_cc)
    base_defence, theta_sq = threat.status_quo_threat(cap, proj, prior_cc, prior_patron, patron_proj, adv_power, p)
    theta_route_sq = threat.conquest_probability(adv_power, step_power, base_defence[None, :], p)[0]
    divergence = threat.converged_divergence(divergence_raw, theta_route_sq, p)

    trend = float(s.threat_trend.value) if s.threat_trend is not None else 0.0
    return Theatre(
        scenario=s, params=p, ids=ids, names=[c.name for c in clients], n=n, cap=cap, reach=reach,
        provocation=provocation, divergence=divergence, econ=econ, stake=stake, pledge_cap=pledge_cap,
        dispute=dispute, proj=proj, prox=prox, adv_power=adv_power, step_power=step_power,
        patron_proj=patron_proj, outside_proj=outside_proj, patron_max=patron_max, leverage=leverage,
        prior_cc=prior_cc, prior_patron=prior_patron, atoms=atoms, base_defence=base_defence,
        theta_sq=theta_sq, alignment=alignment, alignment_unlinked=alignment_unlinked, trend=trend,
        power=power, power_measure=power_measure, divergence_raw=divergence_raw, theta_route_sq=theta_route_sq,
        notes=[power_note] if power_note else [],
    )


def popcount(x: int) -> int:
    return x.bit_count()


def masks_to_matrix(masks: np.ndarray, n: int) -> np.ndarray:
    """Boolean (m, n) membership matrix from an array of bitmasks."""
    masks = np.asarray(masks, dtype=np.int64)
    return ((masks[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)

