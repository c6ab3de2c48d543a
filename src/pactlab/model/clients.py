"""Stage 1, the clients' structure: which clients form collective-security
blocks and which stand alone.

A coalition-formation game with externalities; the solution concept is
*individual stability* (Bogomolnaia & Jackson 2002) in partition-function
form: no unit can move to another group, or go alone, and be better off
without making a member of the group it joins worse off. Payoffs are the
clients' equilibrium payoffs in stages 2 (:mod:`pactlab.model.patron`,
:mod:`pactlab.model.imposition`) and 3 given the structure. Units are
*atoms*: clients already bound to each other by a pledge in force move
together.

A structure is ``(blocks, U)``: the blocks (bitmasks of two or more clients)
and the bitmask of lone clients. :class:`ClientGame` gives every structure's
payoffs and moves, with the generic stability test
(:meth:`ClientGame.is_stable`) and brute-force enumeration
(:meth:`ClientGame.structures`). :func:`stable_structures` finds every
individually stable structure exactly (:mod:`pactlab.model.search`: a scalar
reference search, and the same search vectorised). :func:`select` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pactlab.model.imposition import ImpositionTable, LoneOutcome
from pactlab.model.patron import GroupTable, block_table, lone_atoms, single_table
from pactlab.model.payoffs import EPS
from pactlab.model import kernels
from pactlab.model.search import CompiledSearch, FastSearch, ReferenceSearch
from pactlab.model.theatre import Theatre, popcount


class ClientGame:
    """Every structure's payoffs, from stage 2 solved for every group.

    A structure's payoff is a sum of group rows (``ROW``: blocks and lone
    clients) plus the imposition adjustment ``adj_dense[M0]``, where M0 is the
    set of lone clients who may be offered an imposed multilateral."""

    def __init__(self, th: Theatre, block_tab: GroupTable, single_tab: GroupTable, imposition: ImpositionTable):
        self.th = th
        self.n = th.n
        self.atoms = th.atoms
        self.lone_atoms = lone_atoms(th)
        self.block_tab, self.single_tab, self.imposition = block_tab, single_tab, imposition
        self.imposable = imposition.imposable
        self.adj_dense, self.adj_row, self.imposes = imposition.adj_dense, imposition.adj_row, imposition.imposes
        # Dense payoff rows for every feasible group (blocks and lone clients).
        self.ROW = block_tab.row_of.copy()
        for a in self.lone_atoms:
            self.ROW[a] = single_tab.row_of[a]
        self.FEAS = ~np.isnan(self.ROW[:, 0])

    @classmethod
    def of(cls, th: Theatre) -> ClientGame:
        """The game of a theatre, with its stage 2 tables."""
        blocks, singles = block_table(th), single_table(th)
        return cls(th, blocks, singles, ImpositionTable(th, singles, blocks))

    def lone(self, U: int, blocks: tuple[int, ...] = ()) -> LoneOutcome:
        """Stage 2 for the lone clients U and the pacts in force on offer (:meth:`ImpositionTable.lone`)."""
        return self.imposition.lone(U, blocks)

    def row(self, g: int) -> np.ndarray:
        return self.ROW[g]

    def payoff(self, blocks: tuple[int, ...], U: int) -> np.ndarray:
        u = self.adj_dense[self.imposition.m0_of(blocks, U)].copy()
        for i in self.th.members(U):
            u += self.ROW[1 << i]
        for b in blocks:
            u += self.ROW[b]
        return u

    def structures(self):
        """Every partition of the atoms, as (blocks, U). Bell(#atoms) of them:
        use only for small theatres and as the reference in tests."""
        atoms = self.atoms

        def rec(k: int, groups: list[int]):
            if k == len(atoms):
                yield list(groups)
                return
            a = atoms[k]
            for g in range(len(groups)):
                groups[g] |= a
                yield from rec(k + 1, groups)
                groups[g] &= ~a
            groups.append(a)
            yield from rec(k + 1, groups)
            groups.pop()

        for groups in rec(0, []):
            blocks = tuple(sorted(g for g in groups if popcount(g) >= 2))
            if all(b in self.block_tab for b in blocks):
                U = sum(g for g in groups if popcount(g) == 1)
                yield blocks, U

    def apply(self, blocks: tuple[int, ...], U: int, atom: int, src: int, dst: int | None):
        """Move ``atom`` from group ``src`` to group ``dst`` (None: alone)."""
        groups = [b for b in blocks] + [1 << i for i in self.th.members(U)]
        groups.remove(src)
        rest = src & ~atom
        if rest:
            groups.append(rest)
        if dst is None:
            groups.append(atom)
        else:
            groups.remove(dst)
            groups.append(dst | atom)
        nb = tuple(sorted(g for g in groups if popcount(g) >= 2))
        if not all(b in self.block_tab for b in nb):
            return None
        nU = sum(g for g in groups if popcount(g) == 1)
        return nb, nU

    def deviations(self, blocks: tuple[int, ...], U: int, u: np.ndarray | None = None):
        """Every feasible move with its gains: yields (atom, src, dst, new, mover_gain, consent_gain)."""
        th = self.th
        if u is None:
            u = self.payoff(blocks, U)
        groups = list(blocks) + [1 << i for i in th.members(U)]
        for src in groups:
            for atom in self.atoms:
                if atom & src != atom:
                    continue
                targets: list[int | None] = [g for g in groups if g != src]
                if src != atom:
                    targets.append(None)
                for dst in targets:
                    new = self.apply(blocks, U, atom, src, dst)
                    if new is None:
                        continue
                    u2 = self.payoff(*new)
                    gain = u2 - u
                    mover = gain[th.members(atom)]
                    consent = gain[th.members(dst)] if dst is not None else np.zeros(0)
                    yield atom, src, dst, new, mover, consent

    def is_stable(self, blocks, U) -> bool:
        for _atom, _src, _dst, _new, mover, consent in self.deviations(blocks, U):
            if mover.min() >= -EPS and mover.max() > EPS and (consent.size == 0 or consent.min() >= -EPS):
                return False
        return True


#: up to this many atoms the scalar search is faster
SCALAR_ATOMS = 5


def stable_structures(game: ClientGame) -> list[tuple[tuple[int, ...], int]]:
    """Every individually stable structure (exact). The searches return
    the same list (same structures, same order): the scalar one for small
    theatres, the vectorised one otherwise; with the compiled kernels on
    (:mod:`pactlab.model.kernels`), the scalar one compiled."""
    if kernels.wanted():
        return CompiledSearch(game).run()
    if len(game.atoms) <= SCALAR_ATOMS or not np.isfinite(game.adj_dense).all() or game.imposition.multi_units:
        # (pacts in force on offer for imposition: the scalar search handles them)
        # (the vectorised tables rely on adj[M0] - adj[M0] being exactly 0)
        return ReferenceSearch(game).run()
    return FastSearch(game).run()


@dataclass
class Selection:
    """The structure chosen among the stable ones, and why."""

    blocks: tuple[int, ...]
    U: int
    welfare: list[float]  # total client payoff of each stable structure
    efficient: list[bool]  # Pareto-efficient for the clients, per stable structure
    pick: int  # index of the chosen one among the stable structures; -1 if none is stable
    reason: str


def _order(game: ClientGame, stable, welfare):
    """Pareto-efficient (for the clients) first, then the largest total client
    payoff, then the fewest groups."""
    k = len(stable)
    us = np.array([game.payoff(*s) for s in stable], float)  # (k, n)
    # b dominates a: every client weakly better, one strictly (a never dominates
    # itself); vectorised over b in chunks to bound memory
    dominated = np.zeros(k, bool)
    for lo in range(0, k, 256):
        ub = us[lo:lo + 256, None, :]
        weakly = (ub >= us[None, :, :] - EPS).all(axis=2)  # [b, a]
        strictly = (ub > us[None, :, :] + EPS).any(axis=2)
        dominated |= (weakly & strictly).any(axis=0)
    efficient = [not bool(x) for x in dominated]
    # welfare compared to 9 decimals so that rounding noise cannot override the next rule
    order = sorted(
        range(k), key=lambda a: (not efficient[a], -round(welfare[a], 9), len(stable[a][0]) + popcount(stable[a][1]))
    )
    return order[0], efficient


def select(game: ClientGame, stable: list[tuple[tuple[int, ...], int]]) -> Selection:
    """One structure: the best stable one by :func:`_order`, or, if none is
    stable, the commitments in force (the status quo)."""
    th = game.th
    if stable:
        welfare = [float(game.payoff(*st).sum()) for st in stable]
        pick, efficient = _order(game, stable, welfare)
        blocks, U = stable[pick]
        if len(stable) == 1:
            reason = "the only individually stable structure"
        else:
            reason = (
                f"{len(stable)} structures are individually stable; "
                f"{sum(efficient)} are Pareto-efficient for the clients; the selected one gives the clients the largest total payoff"
            )
    else:
        blocks, U = (tuple(a for a in th.atoms if popcount(a) >= 2), sum(a for a in th.atoms if popcount(a) == 1))
        welfare, efficient, pick = [], [], -1
        reason = "no structure is individually stable (the coalition dynamics cycle); the commitments in force are kept"
    return Selection(blocks, U, welfare, efficient, pick, reason)
