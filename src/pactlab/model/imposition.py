"""Stage 2, imposed multilateralism: the patron proposes one multilateral
treaty to clients that have not committed to each other (H3, H4).

The proposal goes to the set M0 of lone clients who may pledge. Each member
may refuse; those who refuse drop out and the rest are asked again
(iterated unanimity), until every remaining member accepts or fewer than two
remain. The patron imposes only if the formed multilateral pays it more than
the members' spokes. Acceptance margins and the patron's gain depend only on
the proposed set (the other lone clients' spokes are the same with and
without it), so the whole of stage 2 for lone clients is the sum of their
spokes plus one adjustment indexed by M0 (``adj_dense[M0]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from pactlab.model.patron import GroupOutcome, GroupTable, lone_atoms
from pactlab.model.payoffs import EPS
from pactlab.model.theatre import Theatre, masks_to_matrix, popcount


@dataclass
class Imposition:
    proposed: int  # mask first proposed
    formed: int  # mask that accepted (0 if none)
    rounds: list[dict[int, float]]  # per round: client -> acceptance margin
    patron_margin: float  # patron's gain from imposing over not (if formed)
    imposed: bool


@dataclass
class LoneOutcome:
    """Stage 2 for the set U of lone clients."""

    U: int
    singles: dict[int, GroupOutcome]
    imposition: Imposition | None
    group: GroupOutcome | None  # the imposed multilateral, if formed
    row: np.ndarray  # payoff contribution: own for U members, externality for others
    patron: float


class ImpositionTable:
    """The imposed multilateral that forms for each set M0 of lone clients
    who may pledge, and the payoff adjustment it brings.

    ``imposes[M0]`` is the set that forms when the patron proposes to M0 and
    imposes; ``adj_dense[M0]`` (and ``adj_row[M0]`` for the M0 where it
    imposes) is the change in every client's payoff against the members'
    spokes alone; zero where the patron does not impose."""

    def __init__(self, th: Theatre, single_tab: GroupTable):
        self.th = th
        self.single_tab = single_tab
        eligible = [a for a in lone_atoms(th) if th.pledge_cap[th.members(a)[0]] >= 1]
        self.imposable = sum(eligible)
        imp_masks = []
        if th.has_patron and th.patron_max >= 1:
            for r in range(2, len(eligible) + 1):
                for combo in combinations(eligible, r):
                    imp_masks.append(sum(combo))
        self.tab = GroupTable(th, imp_masks, kind_block=False, imposed=True)
        self._lone_cache: dict[int, LoneOutcome] = {}
        self._fixpoint()

    def _fixpoint(self) -> None:
        th, p = self.th, self.th.params
        n = th.n
        size = 1 << n
        singles = np.zeros((n, n))
        single_patron = np.zeros(n)
        for a in lone_atoms(th):
            i = a.bit_length() - 1
            singles[i] = self.single_tab.row_of[a]
            single_patron[i] = self.single_tab.patron[self.single_tab.index[a]]
        self.adj_dense = np.zeros((size, n))
        self.adj_row: dict[int, np.ndarray] = {}
        self.imposes: dict[int, int] = {}
        tab = self.tab
        if not tab:
            return
        masks = tab.masks[tab.valid]
        member = masks_to_matrix(masks, n)
        rows = tab.row_of[masks]
        base = member.astype(float) @ singles  # sum of the members' spoke rows
        rebuff = np.where(th.prior_patron > 0, p.rebuff_cost * th.leverage, 0.0)
        margin = rows - base + rebuff[None, :]
        refuse = (member & (margin < -EPS)) @ (1 << np.arange(n, dtype=np.int64))
        nxt = np.zeros(size, dtype=np.int64)
        rest = masks & ~refuse
        pc = np.array([int(r).bit_count() for r in rest])
        nxt[masks] = np.where(refuse == 0, masks, np.where(pc >= 2, rest, 0))
        # Iterated unanimity: follow refusals to a fixed point (at most n steps).
        cur = np.zeros(size, dtype=np.int64)
        cur[masks] = masks
        for _ in range(n + 1):
            step = nxt[cur]
            step[cur == 0] = 0
            if np.array_equal(step, cur):
                break
            cur = step
        final = cur[masks]
        ok = final != 0
        fin = final[ok]
        fin_idx = tab.index[fin]
        fin_member = masks_to_matrix(fin, n)
        gain = tab.patron[fin_idx] - fin_member.astype(float) @ single_patron
        imposes = gain > EPS
        M0s = masks[ok][imposes]
        Ms = fin[imposes]
        adj = tab.row_of[Ms] - fin_member[imposes].astype(float) @ singles
        self.adj_dense[M0s] = adj
        for M0, M, a in zip(M0s.tolist(), Ms.tolist(), adj):
            self.imposes[M0] = M
            self.adj_row[M0] = a

    def lone_row(self, U: int) -> np.ndarray:
        """Every client's payoff from the lone clients U: their spokes plus
        the imposition adjustment."""
        u = self.adj_dense[U & self.imposable].copy()
        for i in self.th.members(U):
            u += self.single_tab.row_of[1 << i]
        return u

    def lone(self, U: int) -> LoneOutcome:
        """Stage 2 for the lone clients U. The outcome comes from the
        imposition table (the same one the search uses); the acceptance
        rounds are replayed only to explain it."""
        hit = self._lone_cache.get(U)
        if hit is not None:
            return hit
        th, p = self.th, self.th.params
        singles = {i: self.single_tab[1 << i] for i in th.members(U)}
        base_patron = sum(g.patron for g in singles.values())
        M0 = U & self.imposable
        formed = self.imposes.get(M0, 0)
        group = self.tab[formed] if formed else None
        patron = base_patron
        if group is not None:
            patron += group.patron - sum(singles[i].patron for i in th.members(formed))
        imposition = None
        if popcount(M0) >= 2 and M0 in self.tab:
            # Replay iterated unanimity for the explanation: each member's
            # payoff with the proposed multilateral minus its payoff without.
            M, rounds = M0, []
            while popcount(M) >= 2 and M in self.tab:
                g = self.tab[M]
                margins = {}
                for i in th.members(M):
                    rebuff = p.rebuff_cost * th.leverage if th.prior_patron[i] > 0 else 0.0
                    without = sum(singles[j].row[i] for j in th.members(M))
                    margins[i] = float(g.row[i] - without + rebuff)
                rounds.append(margins)
                refuse = [i for i, v in margins.items() if v < -EPS]
                if not refuse:
                    break
                for i in refuse:
                    M &= ~(1 << i)
            if popcount(M) >= 2 and M in self.tab:
                margin = self.tab[M].patron - sum(singles[i].patron for i in th.members(M))
            else:
                margin = -p.failed_proposal_cost
            imposition = Imposition(M0, formed, rounds, margin, bool(formed))
        out = LoneOutcome(U, singles, imposition, group, self.lone_row(U), patron)
        self._lone_cache[U] = out
        return out
