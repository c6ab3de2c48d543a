"""Stage 2, the patron's design: its response to each group of clients.

To a client block the patron may give no pledge, join it as one multilateral
treaty at the block's own level (H5), or give each member a bilateral spoke
(consult or defend); to a lone client, no pledge or a spoke. It picks the
option that pays it most (H1, H4), and a block pledges to itself at the lowest
level any member prefers (H5). Imposed multilaterals, proposed to clients
that had not committed to each other, are in :mod:`pactlab.model.imposition`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from pactlab.model import kernels
from pactlab.model.payoffs import (
    IMPOSED,
    JOIN,
    NONE,
    SPOKES,
    GroupEval,
    evaluate,
    pair_terms,
)
from pactlab.model.theatre import Theatre, masks_to_matrix, popcount


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


class GroupTable:
    """Stage 2 solved for many groups at once, stored as arrays.

    ``table[mask]`` builds the :class:`GroupOutcome` (with the patron's
    alternatives and the members' level preferences, for explanations) on
    demand; ``table.row_of`` is a dense (2**n, n) array of payoff rows used by
    the search. The levels and options are evaluated together, a few thousand
    rows per call; ``batched=False`` evaluates them one by one (the reference
    the batched tables are tested against, bit for bit).
    """

    #: rows per call of :func:`evaluate` (bounds its (rows, n, n) work arrays)
    CHUNK = 2048

    def __init__(self, th: Theatre, masks: list[int], kind_block: bool, imposed: bool = False,
                 batched: bool = True):
        self.th = th
        n = th.n
        self.kind_block, self.imposed = kind_block, imposed
        self.row_of = np.full((1 << n, n), np.nan)
        self.index = np.full(1 << n, -1, dtype=np.int64)
        self.masks = np.asarray(masks, dtype=np.int64)
        m = len(masks)
        self._ev: dict[tuple[int, int], tuple[GroupEval, np.ndarray, int]] = {}
        self.levels, self.options = [], []
        if m == 0:
            self.valid = np.zeros(0, bool)
            return
        self._pos = np.full(1 << n, -1, dtype=np.int64)  # each group's row, valid or not
        self._pos[self.masks] = np.arange(m)
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
        # (li, oi) -> (evaluation, the groups it covers, the row of the first one in it)
        combos = []  # (li, oi, lcc, lp, kind, groups)
        for li, lcc in enumerate(levels):
            ok_level = (lmin <= lcc) & (lcc <= lmax) if (kind_block or imposed) else np.ones(m, bool)
            for oi, (kind, lp) in enumerate(options):
                lp_v = lcc if lp is None else lp  # JOIN and IMPOSED pledge at the clients' level (H5)
                if lp_v > pm:
                    continue
                sel = np.flatnonzero(ok_level)
                if sel.size == 0:
                    continue
                combos.append((li, oi, lcc, lp_v, kind, sel))
        if not batched:  # the reference: one evaluation per level and option
            for li, oi, lcc, lp_v, kind, sel in combos:
                ev = evaluate(th, member[sel], np.full(sel.size, lcc), np.full(sel.size, lp_v), np.full(sel.size, kind))
                self._ev[(li, oi)] = (ev, sel, 0)
        else:
            # the levels and options in as few evaluations as CHUNK allows, each combination a
            # segment, so the numbers are those of the reference (tests/test_solve_speed_equivalence.py)
            # The (group, partner, client) terms depend on the group and its level, not on the
            # patron's option: computed once per level for every option (each row on its own).
            # (The compiled kernel computes them in one pass within each evaluation, which is cheaper.)
            reuse = not kernels.wanted()
            at: dict[int, int] = {}  # level index -> its first row in the pair terms
            stack = []
            for li, _oi, lcc, _lp, _kind, sel in combos:
                if li not in at:
                    at[li] = sum(x.size for x in stack)
                    stack.append(sel)
            reliefs = tuple(sorted({bool(kind in (JOIN, IMPOSED) and lp_v > 0) for _li, _oi, _l, lp_v, kind, _s in combos}))
            if reuse:
                pairs = pair_terms(th, member[np.concatenate(stack)],
                                   np.concatenate([np.full(x.size, levels[li]) for li, x in zip(at, stack)]), reliefs,
                                   jit=False)
            for call in _calls([c[5].size for c in combos], self.CHUNK):
                part = [combos[j] for j in call]
                rows = np.concatenate([c[5] for c in part])
                bounds = np.cumsum([0] + [c[5].size for c in part]).tolist()
                if not reuse:
                    pr = None
                elif len(part) == 1:
                    pr = pairs.rows(slice(at[part[0][0]], at[part[0][0]] + part[0][5].size))
                else:
                    pr = pairs.rows(np.concatenate([np.arange(at[c[0]], at[c[0]] + c[5].size) for c in part]))
                ev = evaluate(
                    th, member[rows], np.concatenate([np.full(c[5].size, c[2]) for c in part]),
                    np.concatenate([np.full(c[5].size, c[3]) for c in part]),
                    np.concatenate([np.full(c[5].size, c[4]) for c in part]),
                    segments=list(zip(bounds, bounds[1:])), pairs=pr, jit=not reuse,
                )
                for (li, oi, _lcc, _lp, _kind, sel), start in zip(part, bounds):
                    self._ev[(li, oi)] = (ev, sel, start)
        for (li, oi), (ev, sel, start) in self._ev.items():
            part = slice(start, start + sel.size)
            P[li, oi, sel] = ev.patron[part]
            OWN[li, oi, sel] = ev.own[part]
            EXT[li, oi, sel] = ev.ext[part]
        self.levels, self.options = levels, options
        self.P, self.OWN, self.EXT = P, OWN, EXT  # (levels, options, groups[, clients]): read by model.outcome
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

    def evaluated(self, mask: int, lcc: int, kind: int, lp: int) -> tuple[GroupEval, int] | None:
        """(evaluation, row) where this table evaluated group ``mask`` at pledge level ``lcc`` under
        the patron's option (``kind``, ``lp``), or None if it did not. Every field of the row but
        ``ext`` (whose matrix product may round with the number of rows) is what an evaluation of
        that row alone gives, so callers need not evaluate it again."""
        if lcc not in self.levels or not (0 <= mask < len(self._pos)) or self._pos[mask] < 0:
            return None
        li = self.levels.index(lcc)
        for oi, (kind_o, lp_o) in enumerate(self.options):
            if kind_o == kind and (lcc if lp_o is None else lp_o) == lp:
                break
        else:
            return None
        hit = self._ev.get((li, oi))
        if hit is None:
            return None
        ev, sel, start = hit
        k = int(self._pos[mask])
        j = int(np.searchsorted(sel, k))
        if j == sel.size or sel[j] != k:
            return None
        return ev, start + j

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
        ev, sel, start = self._ev[(li, oi)]
        pos = start + int(np.searchsorted(sel, k))
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



def _calls(sizes: list[int], chunk: int) -> list[list[int]]:
    """Consecutive runs of items whose sizes add up to at most ``chunk`` (an item larger than
    that runs alone)."""
    calls: list[list[int]] = []
    total = chunk + 1
    for j, s in enumerate(sizes):
        if total + s > chunk:
            calls.append([])
            total = 0
        calls[-1].append(j)
        total += s
    return calls


def block_masks(th: Theatre) -> list[int]:
    """Every union of atoms with two or more clients whose members may all
    pledge to each other."""
    # unions of the atoms whose members may all pledge, in the order of the combinations of all
    # atoms (leaving the others out of the enumeration keeps that order)
    ok = [a for a in th.atoms if all(th.pledge_cap[i] >= 1 for i in th.members(a))]
    blocks = []
    for r in range(1, len(ok) + 1):
        for combo in combinations(ok, r):
            mask = sum(combo)
            if mask.bit_count() >= 2:
                blocks.append(mask)
    return blocks


def block_table(th: Theatre, batched: bool = True) -> GroupTable:
    """Stage 2 for every block the clients could form."""
    tab = GroupTable(th, block_masks(th), kind_block=True, batched=batched)
    # Prior atoms whose members cannot pledge further still exist as groups.
    for a in th.atoms:
        if popcount(a) >= 2 and a not in tab:
            raise ValueError(f"prior commitment among {th.label(a)} includes a client that may not pledge")
    return tab


def lone_atoms(th: Theatre) -> list[int]:
    """Atoms of one client: clients bound to no other client by a pledge in force."""
    return [a for a in th.atoms if popcount(a) == 1]


def single_table(th: Theatre, batched: bool = True) -> GroupTable:
    """Stage 2 for every client that may stand alone."""
    return GroupTable(th, lone_atoms(th), kind_block=False, batched=batched)
