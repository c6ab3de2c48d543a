"""The three-stage game and its solution.

Stage 1  clients form collective-security blocks (a coalition-formation game
         with externalities); the solution concept is *individual stability*
         (Bogomolnaia & Jackson 2002) in partition-function form: no unit can
         move to another group, or go alone, and be better off without making
         a member of the group it joins worse off. Payoffs are the clients'
         equilibrium payoffs in stages 2 and 3 given the structure.
Stage 2  the patron responds to each block (none / join as one multilateral
         at the block's own level / bilateral spokes), to each lone client
         (none / a spoke), and may propose a multilateral to the lone clients
         (imposed collective security), which each may veto.
Stage 3  the adversary probes every client whose occupation threat exceeds
         its threshold.

Units of stage 1 are *atoms*: clients already bound to each other by a pledge
in force move together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, GroupEval, evaluate
from pactlab.model.theatre import Theatre, masks_to_matrix

EPS = 1e-12


def popcount(x: int) -> int:
    return x.bit_count()


@dataclass
class Option:
    """One patron option for a group, with everything needed to explain it."""

    kind: int
    lp: int
    patron: float
    own: np.ndarray  # (n,)


@dataclass
class GroupOutcome:
    mask: int
    lcc: int  # clients' pledge rank
    kind: int  # patron's response
    lp: int  # patron's pledge rank
    theta: np.ndarray
    probe: np.ndarray
    own: np.ndarray
    ext: np.ndarray
    patron: float
    entrapment: np.ndarray
    burden: np.ndarray
    assurance: np.ndarray
    defence: np.ndarray
    options: list[Option] = field(default_factory=list)  # patron's alternatives at lcc
    level_pref: dict[int, int] = field(default_factory=dict)  # member -> preferred lcc
    level_values: dict[int, dict[int, float]] = field(default_factory=dict)  # member -> {lcc: payoff}

    @property
    def row(self) -> np.ndarray:
        return self.own + self.ext


def _row(ev: GroupEval, k: int, mask: int, lcc: int, kind: int, lp: int) -> GroupOutcome:
    return GroupOutcome(
        mask=mask, lcc=lcc, kind=kind, lp=lp, theta=ev.theta[k], probe=ev.probe[k], own=ev.own[k], ext=ev.ext[k],
        patron=float(ev.patron[k]), entrapment=ev.entrapment[k], burden=ev.burden[k], assurance=ev.assurance[k],
        defence=ev.defence[k],
    )


def _patron_options(th: Theatre, lcc: int, block: bool) -> list[tuple[int, int]]:
    """(kind, lp) pairs the patron may choose, cheapest first (ties go to the
    earlier option)."""
    pm = th.patron_max if th.has_patron else 0
    opts = [(NONE, 0)]
    if pm >= 1:
        opts.append((SPOKES, 1))
    if block and 1 <= lcc <= pm:
        opts.append((JOIN, lcc))  # H5: the patron matches the clients' own pledge
    if pm >= 2:
        opts.append((SPOKES, 2))
    return opts


def group_table(th: Theatre, masks: list[int], kind_block: bool, imposed: bool = False) -> dict[int, GroupOutcome]:
    """Solve stage 2 for each group in ``masks`` independently.

    For a block (or imposed set) the clients' pledge level is chosen by its
    least willing member among the levels all members may give; the patron
    best-responds at each level.
    """
    if not masks:
        return {}
    n = th.n
    rows: list[tuple[int, int, int, int]] = []  # (mask, lcc, kind, lp)
    for mask in masks:
        mem = th.members(mask)
        if kind_block or imposed:
            cap = int(min(th.pledge_cap[i] for i in mem))
            levels = list(range(1, min(cap, 2) + 1))
            if kind_block and mask in th.atoms:
                # a pact already in force keeps the level it has
                levels = [int(min(th.prior_cc[a, b] for a in mem for b in mem if a != b))]
        else:
            levels = [0]
        for lcc in levels:
            if imposed:
                if lcc <= th.patron_max:
                    rows.append((mask, lcc, IMPOSED, lcc))
            else:
                for kind, lp in _patron_options(th, lcc, kind_block):
                    rows.append((mask, lcc, kind, lp))
    if not rows:
        return {}
    arr = np.array(rows, dtype=np.int64)
    ev = evaluate(th, masks_to_matrix(arr[:, 0], n), arr[:, 1], arr[:, 3], arr[:, 2])

    by_level: dict[tuple[int, int], list[int]] = {}
    for k, (mask, lcc, _kind, _lp) in enumerate(rows):
        by_level.setdefault((mask, lcc), []).append(k)

    levels_of: dict[int, list[int]] = {}
    for mk, l in by_level:
        levels_of.setdefault(mk, []).append(l)
    out: dict[int, GroupOutcome] = {}
    for mask in masks:
        mem = th.members(mask)
        levels = sorted(levels_of.get(mask, []))
        if not levels:
            continue
        best_at: dict[int, int] = {}
        for lcc in levels:
            ks = by_level[(mask, lcc)]
            best_at[lcc] = max(ks, key=lambda k: (ev.patron[k] + 0.0, -ks.index(k)))
        # Members' preferred level given the patron's response; the block
        # pledges at the lowest of them (each member can hold out).
        values = {i: {l: float(ev.own[best_at[l], i]) for l in levels} for i in mem}
        pref = {i: max(levels, key=lambda l: (values[i][l], -l)) for i in mem}
        lcc = min(pref.values())
        k = best_at[lcc]
        g = _row(ev, k, mask, lcc, rows[k][2], rows[k][3])
        g.options = [
            Option(rows[j][2], rows[j][3], float(ev.patron[j]), ev.own[j]) for j in by_level[(mask, lcc)]
        ]
        g.level_pref = pref
        g.level_values = values
        out[mask] = g
    return out


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


class Solver:
    """Solves one theatre. Tables are built lazily and cached."""

    def __init__(self, th: Theatre):
        self.th = th
        n = th.n
        self.atoms = th.atoms
        self.lone_atoms = [a for a in th.atoms if popcount(a) == 1]
        self.lone_mask = sum(self.lone_atoms)
        # Every union of atoms with two or more clients whose members may all
        # pledge to each other.
        blocks = []
        k = len(self.atoms)
        for r in range(1, k + 1):
            for combo in combinations(self.atoms, r):
                mask = sum(combo)
                if popcount(mask) >= 2 and all(th.pledge_cap[i] >= 1 for i in th.members(mask)):
                    blocks.append(mask)
        self.block_tab = group_table(th, blocks, kind_block=True)
        # Prior atoms whose members cannot pledge further still exist as groups.
        for a in self.atoms:
            if popcount(a) >= 2 and a not in self.block_tab:
                raise ValueError(f"prior commitment among {th.label(a)} includes a client that may not pledge")
        self.single_tab = group_table(th, self.lone_atoms, kind_block=False)
        eligible = [a for a in self.lone_atoms if th.pledge_cap[th.members(a)[0]] >= 1]
        self.imposable = sum(eligible)
        imp_masks = []
        if th.has_patron and th.patron_max >= 1:
            base = eligible
            for r in range(2, len(base) + 1):
                for combo in combinations(base, r):
                    imp_masks.append(sum(combo))
        self.imposed_tab = group_table(th, imp_masks, kind_block=False, imposed=True)
        self._lone_cache: dict[int, LoneOutcome] = {}
        self.n = n
        self._imposition_tables()

    # -- stage 2 for lone clients -------------------------------------------------
    def lone(self, U: int) -> LoneOutcome:
        hit = self._lone_cache.get(U)
        if hit is not None:
            return hit
        th, p = self.th, self.th.params
        n = th.n
        singles = {i: self.single_tab[1 << i] for i in th.members(U)}
        base_row = np.zeros(n)
        for i, g in singles.items():
            base_row += g.row
        base_patron = sum(g.patron for g in singles.values())
        imposition = None
        group = None
        row = base_row
        patron = base_patron
        M0 = U & self.imposable
        if popcount(M0) >= 2 and self.imposed_tab:
            M = M0
            rounds = []
            while popcount(M) >= 2:
                g = self.imposed_tab[M]
                with_row = g.row.copy()
                for i in th.members(U & ~M):
                    with_row += singles[i].row
                margins = {}
                for i in th.members(M):
                    rebuff = p.rebuff_cost * th.leverage if th.prior_patron[i] > 0 else 0.0
                    margins[i] = float(with_row[i] - (base_row[i] - rebuff))
                rounds.append(margins)
                refuse = [i for i, v in margins.items() if v < -EPS]
                if not refuse:
                    break
                for i in refuse:
                    M &= ~(1 << i)
            if popcount(M) >= 2:
                g = self.imposed_tab[M]
                imp_patron = g.patron + sum(singles[i].patron for i in th.members(U & ~M))
                margin = imp_patron - base_patron
                imposed = margin > EPS
                imposition = Imposition(M0, M if imposed else 0, rounds, margin, imposed)
                if imposed:
                    group = g
                    row = g.row.copy()
                    for i in th.members(U & ~M):
                        row += singles[i].row
                    patron = imp_patron
            else:
                imposition = Imposition(M0, 0, rounds, -p.failed_proposal_cost, False)
        out = LoneOutcome(U, singles, imposition, group, row, patron)
        self._lone_cache[U] = out
        return out

    # -- stage 1 --------------------------------------------------------------------
    def _imposition_tables(self) -> None:
        """The imposed multilateral that forms for each set M0 of lone clients
        who may pledge. Acceptance margins and the patron's gain depend only on
        the proposed set (the other lone clients' spokes are the same with and
        without it), so the whole of stage 2 for lone clients is the sum of
        their spokes plus one adjustment indexed by M0."""
        th, p = self.th, self.th.params
        n = th.n
        self.adj_row: dict[int, np.ndarray] = {}
        self.imposes: dict[int, int] = {}
        self._zero = np.zeros(n)
        if not self.imposed_tab:
            return
        nxt: dict[int, int] = {}
        for M, g in self.imposed_tab.items():
            mem = th.members(M)
            base = sum(self.single_tab[1 << j].row for j in mem)
            refuse = 0
            for i in mem:
                rebuff = p.rebuff_cost * th.leverage if th.prior_patron[i] > 0 else 0.0
                if g.row[i] - base[i] + rebuff < -EPS:
                    refuse |= 1 << i
            rest = M & ~refuse
            nxt[M] = M if not refuse else (rest if popcount(rest) >= 2 else 0)
        for M0 in nxt:
            M = M0
            while M and nxt[M] != M:
                M = nxt[M]
            if not M:
                continue
            g = self.imposed_tab[M]
            gain = g.patron - sum(self.single_tab[1 << j].patron for j in th.members(M))
            if gain > EPS:
                self.imposes[M0] = M
                self.adj_row[M0] = g.row - sum(self.single_tab[1 << j].row for j in th.members(M))
        self._zero = np.zeros(n)

    def row(self, g: int) -> np.ndarray:
        return self.block_tab[g].row if popcount(g) >= 2 else self.single_tab[g].row

    def payoff(self, blocks: tuple[int, ...], U: int) -> np.ndarray:
        u = self.adj_row.get(U & self.imposable, self._zero).copy()
        for i in self.th.members(U):
            u += self.single_tab[1 << i].row
        for b in blocks:
            u += self.block_tab[b].row
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

    # Pruned exact enumeration ------------------------------------------------------
    #
    # A structure's payoff is a sum of group rows plus adj(M0), where M0 is the
    # set of lone clients who may be offered an imposed multilateral. The search
    # fixes M0 first; then every move's payoff change is (change in rows) +
    # (adj after - adj before), both known from the two groups involved, so
    # stability is a property of single groups and pairs of groups and the
    # depth-first search can prune exactly (docs/model.md, section 4.3).
    def _feasible(self, g: int) -> bool:
        return g in self.block_tab if g.bit_count() >= 2 else g in self.single_tab

    def _mem(self, g: int) -> list[int]:
        m = self._mem_cache.get(g)
        if m is None:
            m = self._mem_cache[g] = self.th.members(g)
        return m

    def _adj(self, M0: int) -> np.ndarray:
        return self.adj_row.get(M0, self._zero)

    def _after(self, M0: int, a: int, src: int, dst: int | None) -> int:
        """M0 after moving atom a from src to dst (None: alone)."""
        imp = self.imposable
        out = M0
        if a.bit_count() == 1 and a & imp:
            if src == a:
                out &= ~a
            elif dst is None:
                out |= a
        rest = src & ~a
        if rest.bit_count() == 1 and rest & imp:
            out |= rest
        if dst is not None and dst.bit_count() == 1 and dst & imp:
            out &= ~dst
        return out

    def _profitable(self, delta: np.ndarray, mover: int, receiver: int | None) -> bool:
        m = delta[self._mem(mover)]
        if not (m.min() >= -EPS and m.max() > EPS):
            return False
        if receiver:
            return delta[self._mem(receiver)].min() >= -EPS
        return True

    def _move_delta(self, a: int, src: int, dst: int | None) -> np.ndarray:
        key = (a, src, dst)
        d = self._delta_cache.get(key)
        if d is None:
            rest = src & ~a
            if dst is None:
                d = self.row(a) - self.row(src)
            else:
                d = self.row(dst | a) - self.row(src) - self.row(dst)
            if rest:
                d = d + self.row(rest)
            self._delta_cache[key] = d
        return d

    def _move_ok(self, M0: int, a: int, src: int, dst: int | None) -> bool:
        """True if moving atom a from src to dst is not a profitable deviation."""
        delta = self._move_delta(a, src, dst)
        if self.adj_row:
            after = self._after(M0, a, src, dst)
            if after != M0:
                delta = delta + self._adj(after) - self._adj(M0)
        return not self._profitable(delta, a, dst)

    def _self_ok(self, g: int, M0: int) -> bool:
        key = (g, M0 if self.adj_row else 0)
        hit = self._self_cache.get(key)
        if hit is not None:
            return hit
        ok = all(
            self._move_ok(M0, a, g, None) for a in self.atoms if a & g == a and a != g
        )
        self._self_cache[key] = ok
        return ok

    def _compatible(self, g1: int, g2: int, M0: int) -> bool:
        key = (min(g1, g2), max(g1, g2), M0 if self.adj_row else 0)
        hit = self._pair_cache.get(key)
        if hit is not None:
            return hit
        ok = True
        for src, dst in ((g1, g2), (g2, g1)):
            for a in self.atoms:
                if a & src != a or not self._feasible(dst | a):
                    continue
                if not self._move_ok(M0, a, src, dst):
                    ok = False
                    break
            if not ok:
                break
        self._pair_cache[key] = ok
        return ok

    def stable_structures(self) -> list[tuple[tuple[int, ...], int]]:
        """Every individually stable structure (exact), by depth-first search
        over groups with pairwise pruning."""
        self._self_cache: dict = {}
        self._pair_cache: dict = {}
        self._delta_cache: dict = {}
        self._mem_cache: dict = {}
        atoms = self.atoms
        imp_atoms = [a for a in atoms if a & self.imposable]
        out = []

        def run(M0: int):
            must_group = self.imposable & ~M0  # imposable atoms that are not lone
            chosen: list[int] = [a for a in imp_atoms if a & M0]
            for x in range(len(chosen)):
                for y in range(x + 1, len(chosen)):
                    if not self._compatible(chosen[x], chosen[y], M0):
                        return
            free0 = [t for t, a in enumerate(atoms) if not (a & M0)]

            def rec(free: list[int]):
                if not free:
                    groups = list(chosen)
                    blocks = tuple(sorted(x for x in groups if x.bit_count() >= 2))
                    U = sum(x for x in groups if x.bit_count() == 1)
                    out.append((blocks, U))
                    return
                pivot, rest = free[0], free[1:]
                r = len(rest)
                for bits in range(1 << r):
                    g = atoms[pivot]
                    for t in range(r):
                        if bits >> t & 1:
                            g |= atoms[rest[t]]
                    if g.bit_count() == 1 and g & must_group:
                        continue
                    if not self._feasible(g) or not self._self_ok(g, M0):
                        continue
                    if not all(self._compatible(g, h, M0) for h in chosen):
                        continue
                    chosen.append(g)
                    rec([t for t in rest if not (atoms[t] & g)])
                    chosen.pop()

            rec(free0)

        if not self.adj_row:
            self._free_pass(out)  # payoffs are a plain sum of group rows
        else:
            k = len(imp_atoms)
            for bits in range(1 << k):
                run(sum(imp_atoms[t] for t in range(k) if bits >> t & 1))
        return out

    def _free_pass(self, out: list) -> None:
        """Search when payoffs are a plain sum of group rows (no imposition)."""
        atoms = self.atoms
        chosen: list[int] = []

        def rec(free: list[int]):
            if not free:
                blocks = tuple(sorted(x for x in chosen if x.bit_count() >= 2))
                U = sum(x for x in chosen if x.bit_count() == 1)
                out.append((blocks, U))
                return
            pivot, rest = free[0], free[1:]
            r = len(rest)
            for bits in range(1 << r):
                g = atoms[pivot]
                for t in range(r):
                    if bits >> t & 1:
                        g |= atoms[rest[t]]
                if not self._feasible(g) or not self._self_ok(g, 0):
                    continue
                if not all(self._compatible(g, h, 0) for h in chosen):
                    continue
                chosen.append(g)
                rec([t for t in rest if not (atoms[t] & g)])
                chosen.pop()

        rec(list(range(len(atoms))))

    def _apply(self, blocks: tuple[int, ...], U: int, atom: int, src: int, dst: int | None):
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
                    new = self._apply(blocks, U, atom, src, dst)
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
