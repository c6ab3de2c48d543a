"""The exact search for the individually stable structures of a
:class:`~pactlab.model.clients.ClientGame`.

:class:`ReferenceSearch` is a scalar depth-first search over groups with
pairwise pruning, kept as the reference (and used for small theatres);
:class:`FastSearch` is the same search breadth first and vectorised, and
returns the same list (same structures, same order). The argument that the
pruning is exact is in ``docs/model.md`` (section 4.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pactlab.model.payoffs import EPS

if TYPE_CHECKING:
    from pactlab.model.clients import ClientGame


def m0_candidates(game: ClientGame, imp_atoms: list[int]) -> list[int]:
    """Sets M0 of imposable lone clients that survive the pair test: no two
    of them would profitably form a pair (with consent). Vectorised over
    every M0 and pair at once, with the same arithmetic as
    :meth:`ReferenceSearch._compatible`, so it is exactly
    ``_compatible(x, y, M0)`` for every pair x, y in M0."""
    k = len(imp_atoms)
    ids = np.arange(1 << k)
    Ms = np.zeros(1 << k, dtype=np.int64)
    for t in range(k):
        Ms[(ids >> t) & 1 == 1] |= imp_atoms[t]
    ok = np.ones(1 << k, bool)
    ROW, adj = game.ROW, game.adj_dense
    A = np.array(imp_atoms, dtype=np.int64)
    col = np.array([a.bit_length() - 1 for a in imp_atoms], dtype=np.int64)
    xs, ys = np.triu_indices(k, 1)
    pair = A[xs] | A[ys]
    live = game.FEAS[pair]
    xs, ys, pair = xs[live], ys[live], pair[live]
    if not len(pair):
        return [int(m) for m in Ms]
    a, b, i, j = A[xs], A[ys], col[xs], col[ys]
    # a joins b, and b joins a (as in ReferenceSearch._move_delta:
    # row(dst|a) - row(src) - row(dst))
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


class ReferenceSearch:
    """Every individually stable structure (exact), by a scalar depth-first
    search over groups with pairwise pruning: the reference for
    :class:`FastSearch`."""

    # A structure's payoff is a sum of group rows plus adj(M0), where M0 is the
    # set of lone clients who may be offered an imposed multilateral. The search
    # fixes M0 first; then every move's payoff change is (change in rows) +
    # (adj after - adj before), both known from the two groups involved, so
    # stability is a property of single groups and pairs of groups and the
    # depth-first search can prune exactly (docs/model.md, section 4.3).

    def __init__(self, game: ClientGame):
        self.game = game
        self.th, self.atoms, self.imposable = game.th, game.atoms, game.imposable
        self.ROW, self.FEAS, self.adj_dense, self.adj_row = game.ROW, game.FEAS, game.adj_dense, game.adj_row
        # units that may be offered an imposed multilateral: imposable lone
        # clients and pacts in force standing as their own group
        self._units = set(game.imposition.units)

    def _feasible(self, g: int) -> bool:
        return bool(self.FEAS[g])

    def _mem(self, g: int) -> list[int]:
        m = self._mem_cache.get(g)
        if m is None:
            m = self._mem_cache[g] = self.th.members(g)
        return m

    def _after(self, M0: int, a: int, src: int, dst: int | None) -> int:
        """M0 after moving atom a from src to dst (None: alone)."""
        units = self._units
        out = M0
        if a in units:
            if src == a:
                out &= ~a
            elif dst is None:
                out |= a
        rest = src & ~a
        if rest in units:
            out |= rest
        if dst is not None and dst in units:
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
                d = self.ROW[a] - self.ROW[src]
            else:
                d = self.ROW[dst | a] - self.ROW[src] - self.ROW[dst]
            if rest:
                d = d + self.ROW[rest]
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

    def run(self) -> list[tuple[tuple[int, ...], int]]:
        """Every individually stable structure (exact), by a scalar depth-first
        search over groups with pairwise pruning. The reference for
        :meth:`FastSearch.run` (same structures, same order)."""
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
                    if g in self._units and g & must_group:
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
            multi = [a for a in imp_atoms if a.bit_count() >= 2]
            singles = [a for a in imp_atoms if a.bit_count() == 1]
            if multi:  # the pair pre-test assumes only lone clients on offer; run() tests every pair itself
                cands = [sum(a for t, a in enumerate(singles) if b >> t & 1) for b in range(1 << len(singles))]
            else:
                cands = m0_candidates(self.game, singles)
            for M0s in cands:
                for bits in range(1 << len(multi)):
                    M0 = M0s | sum(a for t, a in enumerate(multi) if bits >> t & 1)
                    run(M0, self.imposable & ~M0)
        return out


class FastSearch:
    """The structures of :meth:`ReferenceSearch.run`, in the same order, found
    by a vectorised breadth-first search."""

    # Vectorised exact search -------------------------------------------------------
    #
    # The same search as ReferenceSearch.run, breadth first and vectorised:
    # a state is (M0, groups chosen so far, free atoms); every state of one depth
    # is expanded at once into (state, group) pairs -- the group being the lowest
    # free atom with any subset of the other free atoms -- and the pairs are
    # filtered with numpy by the same tests, with the same arithmetic, as
    # ReferenceSearch._self_ok and _compatible. Moves by a lone client out of
    # its group (the bulk of the work) use precomputed tables; every other move
    # goes through _moves_ok, the vectorised ReferenceSearch._move_ok.
    _BATCH = 1 << 15  # (state, group) pairs per batch: bounds memory

    def __init__(self, game: ClientGame):
        self.game = game
        self.th, self.n, self.atoms, self.lone_atoms = game.th, game.n, game.atoms, game.lone_atoms
        self.imposable, self.ROW, self.FEAS = game.imposable, game.ROW, game.FEAS
        self.adj_dense, self.adj_row = game.adj_dense, game.adj_row
        self._search_tables()

    def _search_tables(self) -> None:
        """Tables that depend only on the theatre (built once per search)."""
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
        """Vectorised :meth:`ReferenceSearch._move_ok` (dst 0: alone); a move
        into an infeasible group is not a move (as in
        :meth:`ReferenceSearch._compatible`). Moves by one client are screened
        on that client's own gain (one column); the consent of a one-client
        receiver is its column; the rest are checked in full."""
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
        """Vectorised :meth:`ReferenceSearch._after`."""
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
        """Vectorised :meth:`ReferenceSearch._profitable` of
        :meth:`ReferenceSearch._move_delta` plus the adjustment change, for
        feasible moves."""
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
        """Vectorised :meth:`ReferenceSearch._compatible`: no atom of g profits by joining h
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

    def run(self) -> list[tuple[tuple[int, ...], int]]:
        """Every individually stable structure, in the order of
        :meth:`ReferenceSearch.run`."""
        if self.adj_row:
            imp_atoms = [a for a in self.atoms if a & self.imposable]
            cands = np.array(m0_candidates(self.game, imp_atoms), dtype=np.int64)
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


class CompiledSearch(ReferenceSearch):
    """The structures of :meth:`ReferenceSearch.run`, in the same order, by the same depth-first
    search compiled with numba (:func:`pactlab.model._jit.stable_search`: one call for every set M0
    of lone clients on offer). Used by :func:`pactlab.model.clients.stable_structures` when the
    compiled kernels are on (:mod:`pactlab.model.kernels`)."""

    def run(self) -> list[tuple[tuple[int, ...], int]]:
        from pactlab.model import kernels

        k = kernels.kernels()
        game = self.game
        size = 1 << self.th.n
        ROW = np.ascontiguousarray(self.ROW, dtype=float)
        FEAS = np.ascontiguousarray(self.FEAS, dtype=np.bool_)
        adj = np.ascontiguousarray(self.adj_dense, dtype=float)
        use_adj = bool(self.adj_row)
        units = np.zeros(size, dtype=np.bool_)
        for a in self._units:
            units[a] = True
        atoms = np.array(self.atoms, dtype=np.int64)
        imp_atoms = [a for a in self.atoms if a & self.imposable]
        # the sets M0 in the reference's order, each with the imposable atoms that must group
        if not use_adj:
            M0s, must = [0], [0]
        else:
            multi = [a for a in imp_atoms if a.bit_count() >= 2]
            singles = [a for a in imp_atoms if a.bit_count() == 1]
            if multi:  # (as in ReferenceSearch.run: every subset of the lone clients on offer)
                cands = [sum(a for t, a in enumerate(singles) if b >> t & 1) for b in range(1 << len(singles))]
            else:
                cands = m0_candidates(game, singles)
            M0s = [M0s_ | sum(a for t, a in enumerate(multi) if bits >> t & 1)
                   for M0s_ in cands for bits in range(1 << len(multi))]
            must = [self.imposable & ~M0 for M0 in M0s]
        groups, offs = k.stable_search(ROW, FEAS, adj, use_adj, units, atoms, int(self.imposable),
                                       np.array(M0s, dtype=np.int64), np.array(must, dtype=np.int64), EPS)
        g, o = groups.tolist(), offs.tolist()
        out: list[tuple[tuple[int, ...], int]] = []
        for s in range(len(o) - 1):
            part = g[o[s]:o[s + 1]]
            out.append((tuple(sorted(x for x in part if x.bit_count() >= 2)),
                        sum(x for x in part if x.bit_count() == 1)))
        return out
