"""Stage 2, imposed multilateralism: the patron proposes one multilateral
treaty to units that have not committed to each other (H3, H4).

A *unit* is a lone client or, with ``m_imposition_any_units``, a pact in force
standing as its own group (Australia and New Zealand under ANZAC in 1951): a
group that makes no new commitment of its own. The patron may propose to any
subset S of the units on offer M0 (two or more units). Each member may refuse
(a unit refuses if any of its members would); those who refuse drop out and
the rest are asked again (iterated unanimity) until every remaining member
accepts or fewer than two units remain. A client that refuses risks its
patron pledge in force (linkage, H4). The patron proposes the subset whose
formed multilateral gains it most over the units' own outcomes, and imposes
only if that gain is positive; it judges an imposed commitment's assurance
with the lure (H3). Acceptance margins and the patron's gain depend only on
the units in S, so the whole of stage 2 for the units on offer is the sum of
their own outcomes plus one adjustment indexed by M0 (``adj_dense[M0]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pactlab.model.patron import GroupOutcome, GroupTable, lone_atoms
from pactlab.model.payoffs import EPS
from pactlab.model.theatre import Theatre, masks_to_matrix, popcount


def refusal_cost(th: Theatre) -> np.ndarray:
    """Each client's cost of refusing the patron's proposal (H4), shape (n,).

    With linkage (``m_linkage``), ``linkage_cost`` times what the client's patron
    pledge in force is worth to it (0 for a client without one); without it, the
    flat ``rebuff_cost`` times the patron's leverage for a client that holds a
    patron treaty. The modal rule, the outcome distribution and the game tree
    all charge this one cost."""
    p = th.params
    if p.m_linkage:
        return p.linkage_cost * th.ctx.pledge_value
    return np.where(th.prior_patron > 0, p.rebuff_cost * th.leverage, 0.0)


@dataclass
class Imposition:
    proposed: int  # mask first proposed
    formed: int  # mask that accepted (0 if none)
    rounds: list[dict[int, float]]  # per round: client -> acceptance margin
    patron_margin: float  # patron's gain from imposing over not (if formed)
    imposed: bool
    #: every proposal would fail (fewer than two units accept): ``patron_margin`` is then minus the
    #: failed-proposal cost, not a payoff difference
    fails: bool = False


@dataclass
class LoneOutcome:
    """Stage 2 for the lone clients U (and the pacts in force on offer)."""

    U: int
    singles: dict[int, GroupOutcome]
    imposition: Imposition | None
    group: GroupOutcome | None  # the imposed multilateral, if formed
    row: np.ndarray  # payoff contribution: own for U members, externality for others
    patron: float


class ImpositionTable:
    """The imposed multilateral that forms for each set M0 of units on offer,
    and the payoff adjustment it brings.

    ``imposes[M0]`` is the set that forms when the patron proposes its best
    subset of M0 and imposes; ``adj_dense[M0]`` (and ``adj_row[M0]`` where it
    imposes) is the change in every client's payoff against the units' own
    outcomes; zero where the patron does not impose."""

    def __init__(self, th: Theatre, single_tab: GroupTable, block_tab: GroupTable | None = None,
                 reference: bool = False):
        self.th = th
        self._reference = reference
        self.single_tab = single_tab
        self.block_tab = block_tab
        p = th.params
        units = [a for a in lone_atoms(th) if th.pledge_cap[th.members(a)[0]] >= 1]
        if p.m_imposition_any_units and block_tab is not None:
            units += [a for a in th.atoms if popcount(a) >= 2 and a in block_tab]
        self.units = sorted(units, key=lambda a: a & -a)
        self.imposable = sum(self.units)
        self.multi_units = [a for a in self.units if popcount(a) >= 2]
        k = len(self.units)
        self._k = k
        # every union of two or more units, indexed by its subset of units
        ids = np.arange(1 << k, dtype=np.int64)
        union = np.zeros(1 << k, dtype=np.int64)
        for t, a in enumerate(self.units):
            union[(ids >> t) & 1 == 1] |= a
        nunits = np.zeros(1 << k, dtype=np.int64)
        for t in range(k):
            nunits += (ids >> t) & 1
        self._union, self._nunits = union, nunits
        imp_masks = []
        if th.has_patron and th.patron_max >= 1:
            imp_masks = [int(u) for u in union[nunits >= 2]]
        self.tab = GroupTable(th, imp_masks, kind_block=False, imposed=True, batched=not reference)
        self._lone_cache: dict[tuple[int, int], LoneOutcome] = {}
        self._fixpoint()

    def unit_row(self, a: int) -> np.ndarray:
        return self.single_tab.row_of[a] if popcount(a) == 1 else self.block_tab.row_of[a]

    def unit_patron(self, a: int) -> float:
        tab = self.single_tab if popcount(a) == 1 else self.block_tab
        return float(tab.patron[tab.index[a]])

    def rebuff(self) -> np.ndarray:
        """Each client's cost of refusing the patron's proposal (H4)."""
        return refusal_cost(self.th)

    def _fixpoint(self) -> None:
        th, _p = self.th, self.th.params
        n, k = th.n, self._k
        size = 1 << n
        self.adj_dense = np.zeros((size, n))
        self.adj_row: dict[int, np.ndarray] = {}
        self.imposes: dict[int, int] = {}
        self.proposes: dict[int, int] = {}
        tab = self.tab
        if not tab:
            return
        U = np.array(self.units, dtype=np.int64)
        urow = np.stack([self.unit_row(int(a)) for a in U])  # (k, n)
        upat = np.array([self.unit_patron(int(a)) for a in U])
        ucl = masks_to_matrix(U, n)  # (k, n) unit membership
        ids = np.arange(1 << k, dtype=np.int64)
        sub = ((ids[:, None] >> np.arange(k)[None, :]) & 1).astype(float)  # (2^k, k)
        base_row = sub @ urow
        base_pat = sub @ upat
        valid = (self._nunits >= 2) & np.isin(self._union, tab.masks[tab.valid])
        rows = np.zeros((1 << k, n))
        pat = np.full(1 << k, -np.inf)
        vi = np.flatnonzero(valid)
        rows[vi] = tab.row_of[self._union[vi]]
        pat[vi] = tab.patron[tab.index[self._union[vi]]]
        margin = rows - base_row + self.rebuff()[None, :]
        # a unit refuses if any of its members would be worse off
        refuse_cl = (margin < -EPS) & (sub @ ucl > 0)
        refuse_u = (refuse_cl.astype(float) @ ucl.T > 0)  # (2^k, k)
        bits = 1 << np.arange(k, dtype=np.int64)
        refuse = (refuse_u * bits[None, :]).sum(axis=1).astype(np.int64)
        rest = ids & ~refuse
        nxt = np.where(~valid, 0, np.where(refuse == 0, ids, np.where(valid[rest] & (self._nunits[rest] >= 2), rest, 0)))
        # Iterated unanimity: follow refusals to a fixed point (at most k steps).
        cur = nxt.copy()
        for _ in range(k + 1):
            step = nxt[cur]
            if np.array_equal(step, cur):
                break
            cur = step
        final = cur  # (2^k,) the subset of units that forms when S is proposed (0: none)
        gain = np.where(final > 0, pat[final] - base_pat[final], -np.inf)
        # The patron proposes its best subset of what is on offer: the best
        # over all subsets, by a max over the subset lattice (ties to the smaller index).
        best_gain = gain.copy()
        best_S = np.where(final > 0, ids, -1)
        for t in range(k):
            has = (ids >> t) & 1 == 1
            src = ids[has] ^ (1 << t)
            better = best_gain[src] > best_gain[has] + EPS
            tgt = ids[has]
            best_gain[tgt[better]] = best_gain[src[better]]
            best_S[tgt[better]] = best_S[src[better]]
        if self._reference:  # the plain loop the vectorised form below is tested against
            for c in np.flatnonzero(best_gain > EPS):
                S = int(best_S[c])
                F = int(final[S])
                M0 = int(self._union[c])
                adj = rows[F] - base_row[F]
                self.adj_dense[M0] = adj
                self.adj_row[M0] = adj
                self.imposes[M0] = int(self._union[F])
                self.proposes[M0] = int(self._union[S])
            return
        cs = np.flatnonzero(best_gain > EPS)  # the offers on which the patron imposes
        S = best_S[cs]
        F = final[S]
        M0 = self._union[cs].tolist()
        adj = rows[F] - base_row[F]
        self.adj_dense[self._union[cs]] = adj
        self.adj_row = dict(zip(M0, adj))
        self.imposes = dict(zip(M0, self._union[F].tolist()))
        self.proposes = dict(zip(M0, self._union[S].tolist()))

    def m0_of(self, blocks: tuple[int, ...], U: int) -> int:
        """The units on offer in a structure: its imposable lone clients and
        pacts in force standing as their own group."""
        M0 = U & self.imposable
        for b in blocks:
            if b in self.multi_units:
                M0 |= b
        return M0

    def lone_row(self, U: int, blocks: tuple[int, ...] = ()) -> np.ndarray:
        """Every client's payoff from the lone clients U: their spokes plus
        the imposition adjustment (which may include pacts in force in ``blocks``)."""
        u = self.adj_dense[self.m0_of(blocks, U)].copy()
        for i in self.th.members(U):
            u += self.single_tab.row_of[1 << i]
        return u

    def lone(self, U: int, blocks: tuple[int, ...] = ()) -> LoneOutcome:
        """Stage 2 for the lone clients U (and the pacts in force in
        ``blocks``). The outcome comes from the imposition table (the same
        one the search uses); the acceptance rounds are replayed only to
        explain it."""
        M0 = self.m0_of(blocks, U)
        key = (U, M0)
        hit = self._lone_cache.get(key)
        if hit is not None:
            return hit
        th, p = self.th, self.th.params
        singles = {i: self.single_tab[1 << i] for i in th.members(U)}
        formed = self.imposes.get(M0, 0)
        group = self.tab[formed] if formed else None
        patron = sum(g.patron for g in singles.values())
        units_in = [a for a in self.units if a & formed]
        if group is not None:
            patron += group.patron - sum(self.unit_patron(a) for a in units_in if popcount(a) == 1)
        imposition = None
        proposed = self.proposes.get(M0, M0)
        if popcount(proposed) >= 2 and proposed in self.tab:
            rebuff = self.rebuff()
            M, rounds = proposed, []
            while popcount(M) >= 2 and M in self.tab:
                g = self.tab[M]
                mine = [a for a in self.units if a & M]
                without = sum(self.unit_row(a) for a in mine)
                margins = {i: float(g.row[i] - without[i] + rebuff[i]) for i in th.members(M)}
                rounds.append(margins)
                refusing = [a for a in mine if any(margins[i] < -EPS for i in th.members(a))]
                if not refusing:
                    break
                for a in refusing:
                    M &= ~a
                if len([a for a in self.units if a & M]) < 2:
                    break
            fails = not (popcount(M) >= 2 and M in self.tab and len([a for a in self.units if a & M]) >= 2)
            if fails:
                margin = -p.failed_proposal_cost
            else:
                margin = self.tab[M].patron - sum(self.unit_patron(a) for a in self.units if a & M)
            imposition = Imposition(proposed, formed, rounds, margin, bool(formed), fails)
        out = LoneOutcome(U, singles, imposition, group, self.lone_row(U, blocks), patron)
        self._lone_cache[key] = out
        return out
