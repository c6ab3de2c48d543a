"""The inputs the payoffs read beyond power and threat, compiled once per theatre.

Other principal threats (codebook OTH1), security cooperation without a pledge
(T2), standing councils (COUNCIL1), the patron's reliability (REL1) and the
commitment it has said it will make once the clients have organised (ANT1),
and what each client's patron pledge in force is worth to it (the stake a
refusal of the patron's proposal puts at risk, H4). Every term is in
``docs/model.md`` (section 3.4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pactlab.scenarios.schema import Level, Role


@dataclass
class Context:
    rival_power: np.ndarray  # (n,) the client's rival's power projected at it (0: no rival)
    coop: np.ndarray  # (n, n) bool: the two clients cooperate without a pledge (T2)
    patron_coop: np.ndarray  # (n,) bool: the client cooperates with the patron without a pledge
    council: np.ndarray  # (n, n) bool: the two clients share a treaty in force with a standing council
    reliability: float  # share of commitments the patron is expected to honour (REL1 midpoint; 1 if uncoded)
    anticipated: int  # rank of the pledge the patron has said will follow (ANT1), 0 if none
    pledge_value: np.ndarray  # (n,) client's status-quo threat without its patron pledge minus with it
    gap_power: np.ndarray  # (n,) aligned adversaries' power at the client not yet committed (1 - alignment), as a share of the adversary side's


def compile_context(th, s, ties) -> Context:
    from pactlab.model import threat

    p = th.params
    n = th.n
    idx = {c: i for i, c in enumerate(th.ids)}
    rival_power = np.zeros(n)
    if p.m_rival:
        for a in s.by_role(Role.rival):
            for c in a.rival_of or []:
                if c in idx:
                    rival_power[idx[c]] = max(
                        rival_power[idx[c]], a.capability.value * threat.best_route(s, ties, a, c, p)
                    )
    coop = np.zeros((n, n), bool)
    patron_coop = np.zeros(n, bool)
    council = np.zeros((n, n), bool)
    pid = s.patron.id if s.patron is not None else None
    for t in s.treaties:
        mem = [idx[m] for m in t.members if m in idx]
        for a in mem:
            for b in mem:
                if a != b:
                    if t.level is Level.cooperate:
                        coop[a, b] = True
                    if t.council:
                        council[a, b] = True
            if t.level is Level.cooperate and pid is not None and pid in t.members:
                patron_coop[a] = True
    reliability = 1.0
    anticipated = 0
    if s.patron is not None:
        if p.m_reliability and s.patron.reliability is not None:
            reliability = float(s.patron.reliability.midpoint)
        ac = s.patron.anticipated_commitment
        if p.m_anticipated and ac is not None and ac.value.rank > th.patron_max:
            anticipated = int(ac.value.rank)
    # What the patron pledge in force is worth to each client: its status-quo
    # threat without that pledge minus with it.
    without = th.base_defence - threat.level_weight(th.prior_patron, p) * th.patron_proj
    pledge_value = threat.csf(th.adv_power, without, p) - th.theta_sq
    pledge_value = np.where(th.prior_patron > 0, np.maximum(pledge_value, 0.0), 0.0)
    gap = np.zeros(n)
    for k, w in th.alignment.items():
        a = s.actor(k)
        for i, cid in enumerate(th.ids):
            gap[i] += (1.0 - w) * a.capability.value * threat.best_route(s, ties, a, cid, p)
    gap_power = np.where(th.adv_power > 0, gap / np.maximum(th.adv_power, 1e-300), 0.0)
    return Context(
        rival_power=rival_power, coop=coop, patron_coop=patron_coop, council=council,
        reliability=reliability, anticipated=anticipated, pledge_value=pledge_value,
        gap_power=gap_power,
    )
