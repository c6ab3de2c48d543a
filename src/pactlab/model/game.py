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


class GroupTable:
    """Stage 2 solved for many groups at once, stored as arrays.

    ``table[mask]`` builds the :class:`GroupOutcome` (with the patron's
    alternatives and the members' level preferences, for explanations) on
    demand; ``table.row_of`` is a dense (2**n, n) array of payoff rows used by
    the search.
    """

    def __init__(self, th: Theatre, masks: list[int], kind_block: bool, imposed: bool = False):
        self.th = th
        n = th.n
        self.kind_block, self.imposed = kind_block, imposed
        self.row_of = np.full((1 << n, n), np.nan)
        self.index = np.full(1 << n, -1, dtype=np.int64)
        self.masks = np.asarray(masks, dtype=np.int64)
        m = len(masks)
        if m == 0:
            self.valid = np.zeros(0, bool)
            return
        member = masks_to_matrix(self.masks, n)
        # Levels each group may pledge at (1 consult, 2 defend; 0 for lone clients).
        if kind_block or imposed:
            cap = np.where(member, th.pledge_cap[None, :], 9).min(axis=1)
            lmin = np.ones(m, int)
            lmax = np.minimum(cap, 2)
            if kind_block:
                # a pact already in force keeps the level it has
                atom = np.isin(self.masks, [a for a in th.atoms if a.bit_count() >= 2])
                pair = member[:, :, None] & member[:, None, :] & ~np.eye(n, dtype=bool)[None]
                # the level in force: the weakest pledge among pairs that have one
                prior = np.where(pair & (th.prior_cc[None] > 0), th.prior_cc[None], 9).min(axis=(1, 2))
                prior = np.where(prior == 9, 1, prior)
                lmin = np.where(atom, prior, lmin)
                lmax = np.where(atom, prior, lmax)
            levels = [1, 2]
        else:
            lmin = lmax = np.zeros(m, int)
            levels = [0]
        pm = th.patron_max if th.has_patron else 0
        if imposed:
            options = [(IMPOSED, None)]
        elif kind_block:
            options = [(NONE, 0), (SPOKES, 1), (JOIN, None), (SPOKES, 2)]
        else:
            options = [(NONE, 0), (SPOKES, 1), (SPOKES, 2)]
        L, O = len(levels), len(options)
        P = np.full((L, O, m), -np.inf)
        OWN = np.zeros((L, O, m, n))
        EXT = np.zeros((L, O, m, n))
        self._ev: dict[tuple[int, int], tuple[GroupEval, np.ndarray]] = {}
        for li, lcc in enumerate(levels):
            ok_level = (lmin <= lcc) & (lcc <= lmax) if (kind_block or imposed) else np.ones(m, bool)
            for oi, (kind, lp) in enumerate(options):
                lp_v = lcc if lp is None else lp  # JOIN and IMPOSED pledge at the clients' level (H5)
                if lp_v > pm:
                    continue
                sel = np.flatnonzero(ok_level)
                if sel.size == 0:
                    continue
                ev = evaluate(th, member[sel], np.full(sel.size, lcc), np.full(sel.size, lp_v), np.full(sel.size, kind))
                P[li, oi, sel] = ev.patron
                OWN[li, oi, sel] = ev.own
                EXT[li, oi, sel] = ev.ext
                self._ev[(li, oi)] = (ev, sel)
        self.levels, self.options = levels, options
        self.P, self.OWN = P, OWN
        best = P.argmax(axis=1)  # (L, m): first maximum, so ties go to the cheaper option
        feasible_level = np.isfinite(P.max(axis=1))  # (L, m)
        ar = np.arange(m)
        own_at = np.stack([OWN[li, best[li], ar] for li in range(L)])  # (L, m, n)
        if L == 2:
            # each member's preferred level; the group pledges at the lowest (ties go down)
            both_ok = feasible_level[0] & feasible_level[1]
            pref2 = both_ok[:, None] & (own_at[1] > own_at[0])
            pref = np.where(pref2, 2, np.where(feasible_level[0][:, None], 1, 2))
            lev = np.where(member, pref, 9).min(axis=1)
            li_chosen = lev - 1
            self.pref = pref
        else:
            li_chosen = np.zeros(m, int)
            self.pref = None
        self.valid = feasible_level[li_chosen, ar]
        self.li = li_chosen
        self.oi = best[li_chosen, ar]
        self.lcc = np.array(levels)[li_chosen]
        self.patron = P[li_chosen, self.oi, ar]
        self.own_at = own_at
        row = OWN[li_chosen, self.oi, ar] + EXT[li_chosen, self.oi, ar]
        vm = self.masks[self.valid]
        self.row_of[vm] = row[self.valid]
        self.index[self.masks] = np.where(self.valid, ar, -1)
        self._cache: dict[int, GroupOutcome] = {}

    def __contains__(self, mask: int) -> bool:
        return 0 <= mask < len(self.index) and self.index[mask] >= 0

    def __bool__(self) -> bool:
        return bool(self.valid.any())

    def keys(self):
        return [int(x) for x in self.masks[self.valid]]

    def __getitem__(self, mask: int) -> GroupOutcome:
        hit = self._cache.get(mask)
        if hit is not None:
            return hit
        k = int(self.index[mask])
        if k < 0:
            raise KeyError(mask)
        th = self.th
        li, oi = int(self.li[k]), int(self.oi[k])
        ev, sel = self._ev[(li, oi)]
        pos = int(np.searchsorted(sel, k))
        kind, lp = self.options[oi]
        lcc = self.levels[li]
        g = _row(ev, pos, mask, lcc, kind, lcc if lp is None else lp)
        g.options = [
            Option(kind_o, lcc if lp_o is None else lp_o, float(self.P[li, o, k]), self.OWN[li, o, k])
            for o, (kind_o, lp_o) in enumerate(self.options)
            if np.isfinite(self.P[li, o, k])
        ]
        mem = th.members(mask)
        if self.pref is not None:
            g.level_pref = {i: int(self.pref[k, i]) for i in mem}
            g.level_values = {
                i: {l: float(self.own_at[l - 1, k, i]) for l in (1, 2) if np.isfinite(self.P[l - 1, :, k]).any()}
                for i in mem
            }
        self._cache[mask] = g
        return g


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
        self.block_tab = GroupTable(th, blocks, kind_block=True)
        # Prior atoms whose members cannot pledge further still exist as groups.
        for a in self.atoms:
            if popcount(a) >= 2 and a not in self.block_tab:
                raise ValueError(f"prior commitment among {th.label(a)} includes a client that may not pledge")
        self.single_tab = GroupTable(th, self.lone_atoms, kind_block=False)
        eligible = [a for a in self.lone_atoms if th.pledge_cap[th.members(a)[0]] >= 1]
        self.imposable = sum(eligible)
        imp_masks = []
        if th.has_patron and th.patron_max >= 1:
            base = eligible
            for r in range(2, len(base) + 1):
                for combo in combinations(base, r):
                    imp_masks.append(sum(combo))
        self.imposed_tab = GroupTable(th, imp_masks, kind_block=False, imposed=True)
        self._lone_cache: dict[int, LoneOutcome] = {}
        self.n = n
        self._imposition_tables()

    # -- stage 2 for lone clients -------------------------------------------------
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
        group = self.imposed_tab[formed] if formed else None
        patron = base_patron
        if group is not None:
            patron += group.patron - sum(singles[i].patron for i in th.members(formed))
        imposition = None
        if popcount(M0) >= 2 and M0 in self.imposed_tab:
            # Replay iterated unanimity for the explanation: each member's
            # payoff with the proposed multilateral minus its payoff without.
            M, rounds = M0, []
            while popcount(M) >= 2 and M in self.imposed_tab:
                g = self.imposed_tab[M]
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
            if popcount(M) >= 2 and M in self.imposed_tab:
                margin = self.imposed_tab[M].patron - sum(singles[i].patron for i in th.members(M))
            else:
                margin = -p.failed_proposal_cost
            imposition = Imposition(M0, formed, rounds, margin, bool(formed))
        out = LoneOutcome(U, singles, imposition, group, self.payoff((), U), patron)
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
        size = 1 << n
        # Dense payoff rows for every feasible group (blocks and lone clients).
        self.ROW = self.block_tab.row_of.copy()
        singles = np.zeros((n, n))
        single_patron = np.zeros(n)
        for a in self.lone_atoms:
            i = a.bit_length() - 1
            self.ROW[a] = self.single_tab.row_of[a]
            singles[i] = self.single_tab.row_of[a]
            single_patron[i] = self.single_tab.patron[self.single_tab.index[a]]
        self.FEAS = ~np.isnan(self.ROW[:, 0])
        self.adj_dense = np.zeros((size, n))
        self.adj_row: dict[int, np.ndarray] = {}
        self.imposes: dict[int, int] = {}
        self._zero = np.zeros(n)
        tab = self.imposed_tab
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

    def row(self, g: int) -> np.ndarray:
        return self.ROW[g]

    def payoff(self, blocks: tuple[int, ...], U: int) -> np.ndarray:
        u = self.adj_dense[U & self.imposable].copy()
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

    # Pruned exact enumeration ------------------------------------------------------
    #
    # A structure's payoff is a sum of group rows plus adj(M0), where M0 is the
    # set of lone clients who may be offered an imposed multilateral. The search
    # fixes M0 first; then every move's payoff change is (change in rows) +
    # (adj after - adj before), both known from the two groups involved, so
    # stability is a property of single groups and pairs of groups and the
    # depth-first search can prune exactly (docs/model.md, section 4.3).
    def _feasible(self, g: int) -> bool:
        return bool(self.FEAS[g])

    def _mem(self, g: int) -> list[int]:
        m = self._mem_cache.get(g)
        if m is None:
            m = self._mem_cache[g] = self.th.members(g)
        return m

    def _adj(self, M0: int) -> np.ndarray:
        return self.adj_dense[M0]

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
        if mover.bit_count() == 1:
            if not delta[mover.bit_length() - 1] > EPS:
                return False
        else:
            m = delta[self._mem(mover)]
            if not (m.min() >= -EPS and m.max() > EPS):
                return False
        if receiver:
            if receiver.bit_count() == 1:
                return bool(delta[receiver.bit_length() - 1] >= -EPS)
            return bool(delta[self._mem(receiver)].min() >= -EPS)
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
                delta = delta + (self.adj_dense[after] - self.adj_dense[M0])
        return not self._profitable(delta, a, dst)

    def _m0_candidates(self, imp_atoms: list[int]) -> list[int]:
        """Sets M0 of imposable lone clients that survive the pair test: no two
        of them would profitably form a pair (with consent). Vectorised over
        every M0 and pair at once, with the same arithmetic as
        :meth:`_compatible`, so it is exactly ``_compatible(x, y, M0)`` for
        every pair x, y in M0."""
        k = len(imp_atoms)
        ids = np.arange(1 << k)
        Ms = np.zeros(1 << k, dtype=np.int64)
        for t in range(k):
            Ms[(ids >> t) & 1 == 1] |= imp_atoms[t]
        ok = np.ones(1 << k, bool)
        ROW, adj = self.ROW, self.adj_dense
        A = np.array(imp_atoms, dtype=np.int64)
        col = np.array([a.bit_length() - 1 for a in imp_atoms], dtype=np.int64)
        xs, ys = np.triu_indices(k, 1)
        pair = A[xs] | A[ys]
        live = self.FEAS[pair]
        xs, ys, pair = xs[live], ys[live], pair[live]
        if not len(pair):
            return [int(m) for m in Ms]
        a, b, i, j = A[xs], A[ys], col[xs], col[ys]
        # a joins b, and b joins a (as in _move_delta: row(dst|a) - row(src) - row(dst))
        ab_i = (ROW[pair, i] - ROW[a, i]) - ROW[b, i]
        ab_j = (ROW[pair, j] - ROW[a, j]) - ROW[b, j]
        ba_i = (ROW[pair, i] - ROW[b, i]) - ROW[a, i]
        ba_j = (ROW[pair, j] - ROW[b, j]) - ROW[a, j]
        m, p = np.nonzero((Ms[:, None] & pair[None, :]) == pair[None, :])
        M0, pi, pj = Ms[m], i[p], j[p]
        after = M0 & ~pair[p]
        adj_i = adj[after, pi] - adj[M0, pi]
        adj_j = adj[after, pj] - adj[M0, pj]
        blocking = ((ab_i[p] + adj_i > EPS) & (ab_j[p] + adj_j >= -EPS)) | (
            (ba_j[p] + adj_j > EPS) & (ba_i[p] + adj_i >= -EPS)
        )
        ok[m[blocking]] = False
        return [int(m) for m in Ms[ok]]

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

    def _stable_structures_dfs(self) -> list[tuple[tuple[int, ...], int]]:
        """Every individually stable structure (exact), by a scalar depth-first
        search over groups with pairwise pruning. The reference for
        :meth:`stable_structures` (same structures, same order)."""
        self._self_cache: dict = {}
        self._pair_cache: dict = {}
        self._delta_cache: dict = {}
        self._mem_cache: dict = {}
        atoms = self.atoms
        imp_atoms = [a for a in atoms if a & self.imposable]
        out = []

        def run(M0: int, must_group: int):
            # must_group: imposable atoms that may not be lone under this M0
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
            run(0, 0)  # payoffs are a plain sum of group rows: anyone may be lone
        else:
            for M0 in self._m0_candidates([a for a in imp_atoms if a.bit_count() == 1]):
                run(M0, self.imposable & ~M0)
        return out

    # Vectorised exact search -------------------------------------------------------
    #
    # The same search as _stable_structures_dfs, breadth first and vectorised:
    # a state is (M0, groups chosen so far, free atoms); every state of one depth
    # is expanded at once into (state, group) pairs -- the group being the lowest
    # free atom with any subset of the other free atoms -- and the pairs are
    # filtered with numpy by the same tests, with the same arithmetic, as
    # _self_ok and _compatible. Moves by a lone client out of its group (the
    # bulk of the work) use precomputed tables; every other move goes through
    # _moves_ok, the vectorised _move_ok.
    _BATCH = 1 << 15  # (state, group) pairs per batch: bounds memory

    def _search_tables(self) -> None:
        """Tables that depend only on the theatre (built once per solver)."""
        n = self.n
        size = 1 << n
        ids = np.arange(size, dtype=np.int64)
        pop = np.zeros(size, dtype=np.int64)
        for b in range(n):
            pop += (ids >> b) & 1
        self._POP = pop
        log = np.full(size, -1, dtype=np.int64)
        log[1 << np.arange(n)] = np.arange(n)
        self._LOG = log  # client index of a one-client mask
        self._BITS = np.left_shift(1, np.arange(n, dtype=np.int64))
        self._A = np.array(self.atoms, dtype=np.int64)
        self._multi = [a for a in self.atoms if a.bit_count() >= 2]
        # SELFD[g, i]: payoff change of lone client i leaving g to go alone,
        # (row(i) - row(g)) + row(g - i) at i, as in _move_delta; NaN where
        # there is no such move.
        ROW = self.ROW
        SELFD = np.full((size, n), np.nan)
        for a in self.lone_atoms:
            i = a.bit_length() - 1
            g = ids[((ids & a) != 0) & (ids != a)]
            SELFD[g, i] = (ROW[a, i] - ROW[g, i]) + ROW[g ^ a, i]
        self._SELFD = SELFD
        # JOIN[g, x]: row part of lone imposable client x's gain from joining g,
        # (row(g | x) - row(x)) - row(g) at x, as in _move_delta; NaN where x is
        # in g or g | x is infeasible.
        JOIN = np.full((size, n), np.nan)
        for a in self.lone_atoms:
            if a & self.imposable:
                x = a.bit_length() - 1
                g = ids[(ids & a) == 0]
                JOIN[g, x] = (ROW[g | a, x] - ROW[a, x]) - ROW[g, x]
        self._JOIN = JOIN

    def _group_filter(self, cands: np.ndarray) -> None:
        """Per-group tests that hold for every M0 in ``cands``.

        With three or more clients in g, lone client i leaving g changes M0 to
        M0 | {i} (if imposable), so its gain is SELFD[g, i] + JI[c, i].
        Rounding is monotone, so a group that fails with the smallest JI fails
        for every M0 (dropped from _VALID), and one that passes with the
        largest passes for every M0 (no per-M0 test: _DYN false)."""
        n, size = self.n, 1 << self.n
        ids = np.arange(size, dtype=np.int64)
        pop, imp = self._POP, self.imposable
        valid = self.FEAS.copy()
        self._pair_keys = np.zeros(0, dtype=np.int64)
        self._pair_vals = np.zeros(0, dtype=bool)
        if self.adj_row:
            n_atoms = sum(((ids & a) != 0).astype(np.int64) for a in self.atoms)
            self._RISKY = (n_atoms == 2) & ((ids & imp) != 0)
        else:
            self._RISKY = np.zeros(size, bool)
        if self.adj_row:
            valid &= ~((pop == 1) & ((ids & imp) != 0))  # imposable clients not in M0 must group
            after = cands[:, None] | (self._BITS & imp)[None, :]
            # JI[c, i]: adj change for lone client i going alone under M0 = cands[c]
            self._JI = self.adj_dense[after, np.arange(n)[None, :]] - self.adj_dense[cands]
            big = pop >= 3
            never = big & (self._SELFD + self._JI.min(0)[None, :] > EPS).any(1)
            always = big & ~(self._SELFD + self._JI.max(0)[None, :] > EPS).any(1)
            self._VALID = valid & ~never
            self._DYN = ~always
            # LEAVE[c, x]: adj change for x in M0 leaving the lone clients; NaN for x not in M0
            inm0 = (cands[:, None] & self._BITS[None, :]) != 0
            cols = np.arange(n)[None, :]
            leave = self.adj_dense[cands[:, None] ^ self._BITS[None, :], cols] - self.adj_dense[cands]
            self._LEAVE = np.where(inm0, leave, np.nan)
        else:
            self._VALID = valid & ~(self._SELFD > EPS).any(1)
            self._DYN = np.zeros(size, bool)

    def _moves_ok(self, M0: np.ndarray, a: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`_move_ok` (dst 0: alone); a move into an infeasible
        group is not a move (as in :meth:`_compatible`). Moves by one client
        are screened on that client's own gain (one column); the consent of a
        one-client receiver is its column; the rest are checked in full."""
        ok = np.ones(len(a), bool)
        pop = self._POP
        one = pop[a] == 1
        s = np.flatnonzero(one)
        if s.size:
            s = s[self._delta_at(M0[s], a[s], src[s], dst[s], a[s]) > EPS]
            s = s[(dst[s] == 0) | self.FEAS[dst[s] | a[s]]]
            ds = dst[s]
            ok[s[ds == 0]] = False  # going alone needs no consent
            s1 = s[pop[ds] == 1]
            if s1.size:
                ok[s1[self._delta_at(M0[s1], a[s1], src[s1], dst[s1], dst[s1]) >= -EPS]] = False
            s = s[pop[ds] >= 2]
        s = np.concatenate([s, np.flatnonzero(~one)])
        if s.size:
            ok[s] = ~self._profitable_many(M0[s], a[s], src[s], dst[s])
        return ok

    def _after_many(self, M0, a, src, dst, alone, rest):
        """Vectorised :meth:`_after`."""
        imp, pop = self.imposable, self._POP
        a_si = (pop[a] == 1) & ((a & imp) != 0)
        after = np.where(a_si & (src == a), M0 & ~a, np.where(a_si & alone, M0 | a, M0))
        after = np.where((pop[rest] == 1) & ((rest & imp) != 0), after | rest, after)
        return np.where(~alone & (pop[dst] == 1) & ((dst & imp) != 0), after & ~dst, after)

    def _delta_at(self, M0, a, src, dst, who) -> np.ndarray:
        """The payoff change of the move (as in _move_ok) for the one client
        ``who`` (a one-client mask per move)."""
        ROW, adj = self.ROW, self.adj_dense
        col = self._LOG[who]
        alone = dst == 0
        tgt = np.where(alone, a, dst | a)
        rest = src & ~a
        d = ROW[tgt, col] - ROW[src, col]
        d = np.where(alone, d, d - ROW[dst, col])
        d = np.where(rest != 0, d + ROW[rest, col], d)
        after = self._after_many(M0, a, src, dst, alone, rest)
        return d + (adj[after, col] - adj[M0, col])

    def _profitable_many(self, M0, a, src, dst) -> np.ndarray:
        """Vectorised :meth:`_profitable` of :meth:`_move_delta` plus the
        adjustment change, for feasible moves."""
        ROW, adj = self.ROW, self.adj_dense
        alone = dst == 0
        tgt = np.where(alone, a, dst | a)
        rest = src & ~a
        d = ROW[tgt] - ROW[src]
        d = np.where(alone[:, None], d, d - ROW[dst])
        d = np.where((rest != 0)[:, None], d + ROW[rest], d)
        after = self._after_many(M0, a, src, dst, alone, rest)
        delta = d + (adj[after] - adj[M0])
        bits = self._BITS
        hi = delta > EPS
        lo = delta >= -EPS
        am = (a[:, None] & bits) != 0
        dm = (dst[:, None] & bits) != 0
        # mover: every member >= -EPS and one > EPS (for one client: it gains > EPS);
        # receiver: every member >= -EPS; NaN is never profitable
        prof = (lo | ~am).all(1) & (hi & am).any(1) & (lo | ~dm).all(1)
        return prof & (alone | self.FEAS[tgt])

    def _atoms_of(self, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row, atom) for every atom inside each mask."""
        q, t = np.nonzero((masks[:, None] & self._A[None, :]) != 0)
        return q, self._A[t]

    def _compat_many(self, g: np.ndarray, h: np.ndarray, M0: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`_compatible`: no atom of g profits by joining h
        (with h's consent), nor one of h by joining g."""
        q1, a1 = self._atoms_of(g)
        q2, a2 = self._atoms_of(h)
        q = np.concatenate([q1, q2])
        ok = self._moves_ok(
            M0[q], np.concatenate([a1, a2]), np.concatenate([g[q1], h[q2]]), np.concatenate([h[q1], g[q2]])
        )
        bad = np.zeros(len(g), bool)
        bad[q[~ok]] = True
        return ~bad

    def _pairs_ok(self, g: np.ndarray, h: np.ndarray, M0: np.ndarray) -> np.ndarray:
        """:meth:`_compat_many` for groups chosen in the search. Unless g or h
        is two atoms one of which is an imposable lone client (a move may then
        leave that client alone and change M0), every move leaves M0 as it is,
        the adjustment change is exactly zero and the answer does not depend
        on M0: those are cached by (g, h) for the whole search."""
        ok = np.empty(len(g), bool)
        risky = self._RISKY[g] | self._RISKY[h]
        r = np.flatnonzero(risky)
        if r.size:
            ok[r] = self._compat_many(g[r], h[r], M0[r])
        s = np.flatnonzero(~risky)
        if s.size:
            lo, hi = np.minimum(g[s], h[s]), np.maximum(g[s], h[s])
            u, inv = np.unique((lo << self.n) | hi, return_inverse=True)
            ck, cv = self._pair_keys, self._pair_vals
            pos = np.minimum(np.searchsorted(ck, u), max(len(ck) - 1, 0))
            hit = ck[pos] == u if len(ck) else np.zeros(len(u), bool)
            val = np.zeros(len(u), bool)
            val[hit] = cv[pos[hit]]
            miss = np.flatnonzero(~hit)
            if miss.size:
                um = u[miss]
                vm = self._compat_many(um >> self.n, um & ((1 << self.n) - 1), np.zeros_like(um))
                val[miss] = vm
                ck, cv = np.concatenate([ck, um]), np.concatenate([cv, vm])
                order = np.argsort(ck, kind="stable")
                self._pair_keys, self._pair_vals = ck[order], cv[order]
            ok[s] = val[inv.ravel()]
        return ok

    def _check_pairs(self, st: np.ndarray, g: np.ndarray, S_c: np.ndarray, S_H: np.ndarray, cands: np.ndarray):
        """Indices of the (state, group) pairs whose group passes every test:
        it is feasible, no atom of it profits by going alone, and it is
        compatible with each lone client of M0 and each group chosen so far."""
        adj_mode = bool(self.adj_row)
        idx = np.flatnonzero(self._VALID[g])
        c = S_c[st[idx]]
        gi = g[idx]

        def keep(pidx, ok):
            nonlocal idx, c, gi
            bad = np.zeros(len(idx), bool)
            bad[pidx[~ok]] = True
            k = ~bad
            idx, c, gi = idx[k], c[k], gi[k]

        # lone clients going alone (tables)
        if adj_mode and idx.size:
            dyn = np.flatnonzero(self._DYN[gi])
            if dyn.size:
                gd, cd = gi[dyn], c[dyn]
                D = self._SELFD[gd] + self._JI[cd]
                two = np.flatnonzero(self._POP[gd] == 2)
                if two.size:
                    # i leaving {i, j}: M0 gains both imposable clients
                    m0 = cands[cd[two]]
                    g2 = gd[two]
                    D[two] = self._SELFD[g2] + (self.adj_dense[m0 | (g2 & self.imposable)] - self.adj_dense[m0])
                keep(dyn, ~(D > EPS).any(1))
        # multi-client atoms going alone
        if self._multi and idx.size:
            q, a = self._atoms_of(gi)
            sel = (self._POP[a] >= 2) & (a != gi[q])
            q, a = q[sel], a[sel]
            if q.size:
                keep(q, self._moves_ok(cands[c[q]], a, gi[q], np.zeros_like(a)))
        if adj_mode and idx.size:
            # each lone client x of M0 joining g: x's gain from tables, then g's consent
            q, xi = np.nonzero(self._JOIN[gi] + self._LEAVE[c] > EPS)
            if q.size:
                x = self._BITS[xi]
                keep(q, ~self._profitable_many(cands[c[q]], x, x, gi[q]))
        if adj_mode and idx.size:
            # each atom of g joining each lone client x of M0
            m0 = cands[c]
            q, a = self._atoms_of(gi)
            j, xi = np.nonzero((m0[q][:, None] & self._BITS[None, :]) != 0)
            if j.size:
                q, a = q[j], a[j]
                keep(q, self._moves_ok(m0[q], a, gi[q], self._BITS[xi]))
        for lvl in range(S_H.shape[1]):
            if not idx.size:
                break
            keep(np.arange(len(idx)), self._pairs_ok(gi, S_H[st[idx], lvl], cands[c]))
        return idx

    _SCALAR_ATOMS = 5  # up to this many atoms the scalar search is faster

    def stable_structures(self) -> list[tuple[tuple[int, ...], int]]:
        """Every individually stable structure (exact). Both searches return
        the same list (same structures, same order): the scalar one for small
        theatres, the vectorised one otherwise."""
        if len(self.atoms) <= self._SCALAR_ATOMS or not np.isfinite(self.adj_dense).all():
            # (the vectorised tables rely on adj[M0] - adj[M0] being exactly 0)
            return self._stable_structures_dfs()
        return self._stable_structures_vec()

    def _stable_structures_vec(self) -> list[tuple[tuple[int, ...], int]]:
        """The structures of :meth:`_stable_structures_dfs`, in the same
        order, found by a vectorised breadth-first search."""
        if not hasattr(self, "_SELFD"):
            self._search_tables()
        if self.adj_row:
            imp_atoms = [a for a in self.atoms if a & self.imposable]
            cands = np.array(self._m0_candidates(imp_atoms), dtype=np.int64)
        else:
            cands = np.zeros(1, dtype=np.int64)
        self._group_filter(cands)
        A = self._A
        found: list[tuple[tuple[int, ...], int, np.ndarray]] = []
        # states: M0 (index into cands), free atoms, groups chosen, sort key (the DFS order)
        S_c = np.arange(len(cands))
        S_free = sum(self.atoms) & ~cands
        S_H = np.zeros((len(cands), 0), dtype=np.int64)
        S_key = S_c[:, None]
        while len(S_c):
            done = S_free == 0
            for s in np.flatnonzero(done):
                found.append((tuple(S_key[s].tolist()), int(cands[S_c[s]]), S_H[s]))
            live = ~done
            S_c, S_free, S_H, S_key = S_c[live], S_free[live], S_H[live], S_key[live]
            if not len(S_c):
                break
            # expand: the lowest free atom with every subset of the other free atoms
            FA = (S_free[:, None] & A[None, :]) != 0
            r = FA.sum(1) - 1
            nxt = []
            for rv in np.unique(r).tolist():
                rows = np.flatnonzero(r == rv)
                cols = np.nonzero(FA[rows])[1].reshape(len(rows), rv + 1)
                per = 1 << rv
                step = max(1, self._BATCH // per)
                for s0 in range(0, len(rows), step):
                    sl = slice(s0, s0 + step)
                    G = A[cols[sl, 0]][:, None]
                    rest = A[cols[sl, 1:]]
                    for t in range(rv):  # bit t of the subset's index: the t-th other free atom
                        G = np.concatenate([G, G | rest[:, t : t + 1]], axis=1)
                    st = np.repeat(rows[sl], per)
                    g = G.ravel()
                    ok = self._check_pairs(st, g, S_c, S_H, cands)
                    if ok.size:
                        st, g, cnt = st[ok], g[ok], ok % per
                        nxt.append((st, g, cnt))
            if not nxt:
                break
            st = np.concatenate([x[0] for x in nxt])
            g = np.concatenate([x[1] for x in nxt])
            cnt = np.concatenate([x[2] for x in nxt])
            S_c, S_free = S_c[st], S_free[st] & ~g
            S_H = np.concatenate([S_H[st], g[:, None]], 1)
            S_key = np.concatenate([S_key[st], cnt[:, None]], 1)
        found.sort(key=lambda f: f[0])
        out = []
        for _key, M0, H in found:
            groups = H.tolist()
            blocks = tuple(sorted(x for x in groups if x.bit_count() >= 2))
            U = M0 + sum(x for x in groups if x.bit_count() == 1)
            out.append((blocks, U))
        return out

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
