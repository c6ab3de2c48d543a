"""The model as a probability distribution over outcomes (quantal response).

Every decision of the model is a logit choice with an actor's precision
(``Parameters.precision_*``; docs/model.md, section 10):

* stage 3 -- the adversary probes client i with probability
  sigmoid(lam_A (theta_i - probe_threshold)) (in :func:`pactlab.model.payoffs.evaluate`);
* stage 2 -- the patron's response to a group at a level: softmax of lam_P times
  its payoffs ``GroupTable.P``;
* a block's level: members state consult or defend in client order and the
  block pledges at the lower; member j states defend with probability
  sigmoid(lam_C * prod_{later members l} p_l * (V_j(defend) - V_j(consult)));
* an imposed multilateral: the units on offer M0 are the modal rule's
  (:mod:`pactlab.model.imposition`): lone clients that may pledge and pacts in
  force standing as their own group. The patron's proposal of any subset S of
  M0 (two or more units) competes with every combination of the units' own
  outcomes in one logit choice; members accept with a logit of their margin
  and a unit accepts if all its members do (with two units left, the first
  unit's members weigh their margins by the chance the second accepts, as in
  the game tree); refusers drop out and pay the rebuff cost, the rest are
  asked again. A proposal that is not accepted as made costs the patron
  ``failed_proposal_cost``, so in the limit it proposes the set that forms;
* stage 1 -- structure pi has weight
  exp(lam_S W(pi)) * prod over feasible deviations sigmoid(-lam_D gain),
  W the clients' total expected payoff, gain the smallest payoff change among
  the mover's and the receiver's members. Exact over every structure for up
  to ``MAX_EXACT_ATOMS`` atoms; above that the stable structures and every
  structure one move from them (an approximation that says so).

At infinite precision every choice is the deterministic solver's, so the
distribution is a point mass on ``solve()``'s outcome.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pactlab.designs import DESIGNS
from pactlab.model.clients import ClientGame, select, stable_structures
from pactlab.model.durability import durability
from pactlab.model.imposition import refusal_cost
from pactlab.model.logit import binary, log_sigmoid, logsumexp, softmax
from pactlab.model.params import Parameters
from pactlab.model.patron import GroupTable
from pactlab.model.payoffs import EPS, IMPOSED, JOIN, NONE, SPOKES
from pactlab.model.theatre import Theatre, masks_to_matrix
from pactlab.model.threat import level_weight

#: exact enumeration of client structures up to this many atoms (Bell(8) = 4,140)
MAX_EXACT_ATOMS = 8
#: above it, the truncation grows until a round adds less than this share of the weight
APPROX_TOL = 1e-4
APPROX_ROUNDS = 12
#: and stops once it holds this many structures (the note says so): the weight of a
#: diffuse distribution (low precisions) is spread over most of Bell(k), which no
#: truncation can hold, and memory and time grow with the structures held
MAX_APPROX_STRUCTURES = 20_000
#: stage 1 weighs structures in chunks of at most this many (move, client) cells
STAGE1_CHUNK_CELLS = 1 << 21
LEVEL_NAME = {1: "consult", 2: "defend"}
# design flags: A patron treaty with >= 3 clients, B a spoke, C a patron treaty with 2 clients, D any new treaty
FA, FB, FC, FD = 1, 2, 4, 8


def design_of_flags(f: int) -> str:
    if f & FA:
        return "multilateral"
    if f & FB and f & FC:
        return "hub-and-spoke"
    if f & FB:
        return "bilateral"
    if f & FC:
        return "trilateral"
    return "clients-only" if f & FD else "none"


FLAG_DESIGN = [design_of_flags(f) for f in range(16)]


def _is_inf(x: float) -> bool:
    return math.isinf(x)


# ----------------------------------------------------------------------------------
# Stage 2 and 3 for one table of groups
# ----------------------------------------------------------------------------------
class GroupLottery:
    """The logit stage 2 (and 3, through the expected probes in the payoffs)
    of every group in a :class:`GroupTable`.

    ``q[l, o, g]`` is the patron's probability of option o at level l,
    ``plev[l, g]`` the probability of level l, ``stmt[l?]``: ``defend_stmt[g, i]``
    member i's probability of stating defend (given every earlier member did);
    ``row[g]`` the expected payoff row (members' own payoff, others' externality)
    and ``patron[g]`` the patron's expected payoff."""

    def __init__(self, tab: GroupTable, p: Parameters):
        self.tab = tab
        th = tab.th
        n = th.n
        m = len(tab.masks)
        self.m = m
        if m == 0:
            return
        P, OWN, EXT = tab.P, tab.OWN, tab.EXT
        L = P.shape[0]
        self.q = softmax(p.precision_patron, P, axis=1)  # (L, O, m)
        feas = np.isfinite(P).any(axis=1)  # (L, m)
        self.feas_level = feas
        q = self.q
        e_own = np.einsum("log,logi->lgi", q, OWN)
        e_ext = np.einsum("log,logi->lgi", q, EXT)
        e_pat = np.where(q > 0, q * np.where(np.isfinite(P), P, 0.0), 0.0).sum(axis=1)  # (L, m)
        member = masks_to_matrix(tab.masks, n)
        self.member = member
        if L == 2:
            both = feas[0] & feas[1]
            delta = e_own[1] - e_own[0]  # (m, n): defend minus consult
            later = np.ones(m)
            stmt = np.ones((m, n))
            lam = p.precision_clients
            for i in range(n - 1, -1, -1):
                pi = binary(lam, delta[:, i] * later)
                pi = np.where(member[:, i], pi, 1.0)
                stmt[:, i] = pi
                later = later * pi
            p_def = np.where(both, later, np.where(feas[1] & ~feas[0], 1.0, 0.0))
            self.defend_stmt = np.where(both[:, None], stmt, 1.0)
            self.plev = np.stack([1.0 - p_def, p_def])
        else:
            self.defend_stmt = None
            self.plev = np.ones((1, m))
        self.valid = feas.any(axis=0)
        self.e_own, self.e_ext, self.e_pat = e_own, e_ext, e_pat
        self.row = np.einsum("lg,lgi->gi", self.plev, e_own + e_ext)
        self.patron = (self.plev * e_pat).sum(axis=0)

    def levels(self) -> list[int]:
        return list(self.tab.levels)


# ----------------------------------------------------------------------------------
# Imposed multilaterals
# ----------------------------------------------------------------------------------
class ImpositionLottery:
    """The imposed multilateral for every set M0 of units on offer, under logit.

    The units are the deterministic rule's (:class:`pactlab.model.imposition.ImpositionTable`):
    lone clients that may pledge and, with ``m_imposition_any_units``, pacts
    in force standing as their own group. A set of units is a compressed index
    c (bit t is ``units[t]``); ``full[c]`` is its client mask.

    ``pS[c0, S]`` is the probability that the patron proposes S (a subset of
    c0 with two or more units) when c0 is on offer, ``p_prop[c0]`` the
    probability of some proposal; ``form[S, F]`` the probability that F forms
    once S is proposed (iterated refusals), ``fail[S]`` that none does;
    ``pF[c0, F]`` the probability that F forms when c0 is on offer and
    ``pnone[c0]`` that none does; ``acc[S, t]`` unit t's probability of
    accepting a proposal to S; ``rebuff[S]`` the clients' expected rebuff
    costs once S is proposed and ``reb0[c0]`` with c0 on offer; ``gain[S]``
    the patron's expected gain from proposing S over no proposal."""

    def __init__(self, th: Theatre, singles: GroupLottery, blocks: GroupLottery, imp: GroupLottery | None,
                 units: list[int], p: Parameters):
        n = th.n
        self.th = th
        self.units = list(units)
        k = len(self.units)
        self.k = k
        size = 1 << k
        self.size = size
        Uarr = np.array(self.units, dtype=np.int64)
        cidx = np.arange(size, dtype=np.int64)
        bits = ((cidx[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)  # (size, k)
        self.bits = bits
        self.full = (bits.astype(np.int64) * Uarr[None, :]).sum(axis=1) if k else np.zeros(size, np.int64)
        self.umem = masks_to_matrix(Uarr, n) if k else np.zeros((0, n), bool)  # (k, n)
        lam_p, lam_c = p.precision_patron, p.precision_clients
        # each unit's own outcome (its spokes, or the block's own stage 2)
        urow, upat, ulse = np.zeros((k, n)), np.zeros(k), np.zeros(k)
        for t, a in enumerate(self.units):
            lot = singles if a.bit_count() == 1 else blocks
            g = int(lot.tab.index[a])
            urow[t], upat[t] = lot.row[g], lot.patron[g]
            if a.bit_count() == 1 and not _is_inf(lam_p):
                # the no-proposal branch of the patron's one logit choice: every combination of spokes
                ulse[t] = float(logsumexp(lam_p, lot.tab.P[0, :, g])) - lam_p * upat[t]
        self.urow, self.upat = urow, upat
        self.pS = np.zeros((size, size))
        self.p_prop = np.zeros(size)
        self.form = np.zeros((size, size))
        self.fail = np.ones(size)
        self.pF = np.zeros((size, size))
        self.pnone = np.ones(size)
        self.rebuff = np.zeros((size, n))
        self.reb0 = np.zeros((size, n))
        self.gain = np.full(size, -np.inf)
        self.imp_index = np.full(size, -1, dtype=np.int64)
        self.rowM, self.patM = np.zeros((size, n)), np.zeros(size)
        self.base = bits.astype(float) @ urow if k else np.zeros((size, n))
        self.acc = np.ones((size, k))
        if imp is None or imp.m == 0 or k < 2:
            return
        tab = imp.tab
        ii = np.where(self.full < len(tab.index), tab.index[np.minimum(self.full, len(tab.index) - 1)], -1)
        pop = bits.sum(axis=1)
        ok = (ii >= 0) & (pop >= 2)
        ok[ok] = imp.valid[ii[ok]]
        self.ok = ok
        self.imp_index = np.where(ok, ii, -1)
        rowM = np.zeros((size, n))
        patM = np.zeros(size)
        rowM[ok] = imp.row[ii[ok]]
        patM[ok] = imp.patron[ii[ok]]
        self.rowM, self.patM = rowM, patM
        base = self.base
        # the cost of refusing, as in the modal path (linkage, H4)
        rb = refusal_cost(th)  # (n,)
        G = rowM - base  # (size, n) every client's margin without the rebuff term
        inM = bits.astype(float) @ self.umem.astype(float) > 0  # (size, n) client in a unit of M
        # a member accepts on its margin; a unit accepts if every member does
        a_cl = binary(lam_c, G + rb[None, :], tie=True, eps=EPS)
        umem = self.umem

        def unit_acc(a):  # (rows, n) -> (rows, k)
            return np.stack([np.where(umem[t][None, :], a, 1.0).prod(axis=1) for t in range(k)], axis=1)

        acc = np.where(bits & ok[:, None], unit_acc(a_cl), 1.0)
        two = np.flatnonzero(ok & (pop == 2))
        if two.size:
            # two units: the second answers on its margins; the first unit's
            # members weigh theirs by the chance the second accepts (their answer matters only then)
            first = bits[two].argmax(axis=1)
            second = k - 1 - bits[two][:, ::-1].argmax(axis=1)
            p2 = acc[two, second]
            a1 = binary(lam_c, p2[:, None] * G[two] + rb[None, :], tie=True, eps=EPS)
            a_cl[two] = np.where(umem[first], a1, a_cl[two])
            acc[two, first] = np.where(umem[first], a1, 1.0).prod(axis=1)
        self.acc = acc
        # transition T[M, A]: probability that exactly the units A (of M) accept
        T = np.ones((size, size))
        for t in range(k):
            inS = bits[:, t][:, None]
            inA = bits[:, t][None, :]
            T *= np.where(inS, np.where(inA, acc[:, t][:, None], 1.0 - acc[:, t][:, None]), np.where(inA, 0.0, 1.0))
        T[~ok] = 0.0
        stay = np.diag(T).copy()  # every unit accepts: M forms
        Tm = T.copy()
        np.fill_diagonal(Tm, 0.0)
        Tm[:, ~ok] = 0.0  # fewer than two units left (or no treaty possible): the proposal fails
        # V[S, M]: probability that M is proposed in some round, starting from S
        V = np.linalg.inv(np.eye(size) - Tm)
        V[~ok] = 0.0
        form = V * stay[None, :]
        self.form = form
        self.fail = np.where(ok, 1.0 - form.sum(axis=1), 1.0)
        # expected rebuff: every refuser pays, except that with two units the
        # second is not asked once the first has refused
        refuse = np.where(inM, 1.0 - a_cl, 0.0)
        if two.size:
            refuse[two] *= np.where(umem[second], acc[two, first][:, None], 1.0)
        self.rebuff = V @ (refuse * rb[None, :])
        # the patron's gain from proposing S: the formed F's payoff against the
        # units' own outcomes; a proposal that is not accepted as made (some
        # unit refuses, whether or not the rest then agree) costs it the failed-proposal cost
        own = bits.astype(float) @ upat
        gain = (form * (patM[None, :] - own[None, :])).sum(axis=1) - (1.0 - stay) * p.failed_proposal_cost
        gain = np.where(ok, gain, -np.inf)
        self.gain = gain
        sub = (cidx[None, :] & ~cidx[:, None]) == 0  # sub[c0, S]: S within c0
        if _is_inf(lam_p):
            # the deterministic rule: the best subset by a max over the subset
            # lattice (as ImpositionTable), imposing only if it gains
            best_gain, best_S = gain.copy(), np.where(ok, cidx, -1)
            for t in range(k):
                has = (cidx >> t) & 1 == 1
                src, tgt = cidx[has] ^ (1 << t), cidx[has]
                better = best_gain[src] > best_gain[tgt] + EPS
                best_gain[tgt[better]] = best_gain[src[better]]
                best_S[tgt[better]] = best_S[src[better]]
            pS = np.zeros((size, size))
            yes = np.flatnonzero(best_gain > EPS)
            pS[yes, best_S[yes]] = 1.0
        else:
            # one logit choice: each proposal S within c0 against every
            # combination of the units' own outcomes
            z = np.where(ok, lam_p * np.where(ok, gain, 0.0), -np.inf)
            Z = z.copy()  # Z[c0] = log sum over S within c0 of exp(z[S])
            for t in range(k):
                has = np.flatnonzero((cidx >> t) & 1)
                Z[has] = np.logaddexp(Z[has], Z[has ^ (1 << t)])
            lse = np.logaddexp(Z, bits.astype(float) @ ulse)
            pS = np.where(sub & ok[None, :], np.exp(np.minimum(z[None, :] - lse[:, None], 0.0)), 0.0)
        self.pS = pS
        self.p_prop = pS.sum(axis=1)
        self.pF = pS @ form
        self.pnone = np.clip(1.0 - self.pF.sum(axis=1), 0.0, 1.0)
        self.reb0 = pS @ self.rebuff

    def adj(self) -> np.ndarray:
        """Per set c0 on offer: the expected change in every client's payoff
        against the units' own outcomes, rebuff costs included."""
        return self.pF @ (self.rowM - self.base) - self.reb0


# ----------------------------------------------------------------------------------
# Stage 1
# ----------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def partitions(k: int) -> np.ndarray:
    """Every partition of k items as restricted growth strings, (Bell(k), k)."""
    out: list[list[int]] = []

    def rec(a: list[int], mx: int):
        if len(a) == k:
            out.append(list(a))
            return
        for v in range(mx + 2):
            a.append(v)
            rec(a, max(mx, v))
            a.pop()

    if k == 0:
        return np.zeros((1, 0), dtype=np.int64)
    rec([0], 0)
    return np.array(out, dtype=np.int64)


@dataclass
class StructureWeights:
    labels: np.ndarray  # (S, k) group label of each atom
    groups: np.ndarray  # (S, k) group masks (0: unused label)
    U: np.ndarray  # (S,) lone clients
    welfare: np.ndarray  # (S,) clients' total expected payoff
    payoff: np.ndarray  # (S, n)
    logw: np.ndarray  # (S,) log weight
    prob: np.ndarray  # (S,)
    stable: np.ndarray  # (S,) bool: no profitable deviation (deterministic test)


def _structure_arrays(atoms: list[int], labels: np.ndarray):
    k = len(atoms)
    A = np.array(atoms, dtype=np.int64)
    S = len(labels)
    groups = np.zeros((S, k), dtype=np.int64)
    for t in range(k):
        np.add.at(groups, (np.arange(S), labels[:, t]), A[t])
    return groups


@lru_cache(maxsize=None)
def _pop_table(n: int) -> np.ndarray:
    ids = np.arange(1 << n, dtype=np.int64)
    out = np.zeros(1 << n, dtype=np.int64)
    for b in range(n):
        out += (ids >> b) & 1
    return out


def _popcount(x: np.ndarray, n: int) -> np.ndarray:
    return _pop_table(n)[np.asarray(x, dtype=np.int64)]


def stage1(th: Theatre, atoms: list[int], ROW: np.ndarray, ADJ: np.ndarray, UNIT: np.ndarray, labels: np.ndarray,
           p: Parameters) -> StructureWeights:
    """Stage 1 weights for the structures ``labels`` (RGS over ``atoms``).

    ``ROW[mask]`` is a feasible group's expected payoff row (NaN: infeasible;
    ROW[0] = 0), ``ADJ[M0]`` the imposition adjustment for the units on offer
    M0, and ``UNIT[mask]`` is ``mask`` if that group is a unit that may be
    offered an imposed multilateral (a lone client that may pledge, or a pact
    in force standing as its own group), else 0: a structure's M0 is the sum
    of UNIT over its groups."""
    n = th.n
    k = len(atoms)
    A = np.array(atoms, dtype=np.int64)
    groups = _structure_arrays(atoms, labels)
    S = len(labels)
    pop = _popcount(groups, n)
    feas = ~np.isnan(ROW[groups, 0]).any(axis=1)
    groups, labels, pop = groups[feas], labels[feas], pop[feas]
    S = len(groups)
    U = np.where(pop == 1, groups, 0).sum(axis=1)
    M0 = UNIT[groups].sum(axis=1)
    R = np.nan_to_num(ROW)  # rows of infeasible groups are never used below
    u = R[groups].sum(axis=1) + ADJ[M0]  # (S, n)
    W = u.sum(axis=1)
    lam_d = p.precision_stability
    bits = 1 << np.arange(n, dtype=np.int64)
    stable = np.ones(S, bool)
    logdev = np.zeros(S)
    # every (structure, unit t, target j) of a chunk of structures at once; j = k means
    # "go alone". Chunks keep the (moves, n) arrays below STAGE1_CHUNK_CELLS cells, so the
    # memory stays bounded however many structures are weighed.
    step = max(1, STAGE1_CHUNK_CELLS // max(1, k * (k + 1) * n))
    jj = np.arange(k + 1)[None, None, :]
    a = A[None, :, None]
    for lo in range(0, S, step):
        gr, lb = groups[lo:lo + step], labels[lo:lo + step]
        Sc = len(gr)
        src = np.take_along_axis(gr, lb, axis=1)[:, :, None]  # (Sc, k, 1)
        dst = np.concatenate([gr, np.zeros((Sc, 1), np.int64)], axis=1)[:, None, :]  # (Sc, 1, k+1)
        valid = np.where(jj < k, (dst != 0) & (lb[:, :, None] != jj), src != a)
        src, dst = np.broadcast_to(src, valid.shape), np.broadcast_to(dst, valid.shape)
        src2, dst2 = src & ~a, dst | a
        valid &= ~np.isnan(ROW[dst2, 0])
        sel = np.nonzero(valid)
        s_i = sel[0]
        src, dst, src2, dst2 = src[sel], dst[sel], src2[sel], dst2[sel]
        m0 = M0[lo:lo + step][s_i]
        M2 = m0 - UNIT[src] - UNIT[dst] + UNIT[src2] + UNIT[dst2]  # the units on offer after the move
        am = A[sel[1]]
        delta = R[dst2] - R[dst] + R[src2] - R[src] + ADJ[M2] - ADJ[m0]  # (D, n)
        amem = (am[:, None] & bits[None, :]) != 0
        dmem = (dst[:, None] & bits[None, :]) != 0
        mover = np.where(amem, delta, np.inf).min(axis=1)
        mover_max = np.where(amem, delta, -np.inf).max(axis=1)
        recv = np.where(dmem, delta, np.inf).min(axis=1)
        gain = np.minimum(mover, recv)
        profitable = (mover >= -EPS) & (mover_max > EPS) & (recv >= -EPS)
        stable[lo + s_i[profitable]] = False
        if not _is_inf(lam_d):
            np.add.at(logdev, lo + s_i, log_sigmoid(-lam_d * gain))
    lam_s = p.precision_welfare
    if _is_inf(lam_d):
        logdev = np.where(stable, 0.0, -np.inf)
        if not stable.any():
            # nothing is stable: the commitments in force are kept (as the deterministic selection)
            sq = (labels == np.arange(k)[None, :]).all(axis=1)
            logdev = np.where(sq, 0.0, -np.inf)
    if _is_inf(lam_s):
        ok = np.isfinite(logdev)
        wmax = np.where(ok, np.round(W, 9), -np.inf).max()
        top = ok & (np.round(W, 9) >= wmax)
        logw = np.where(top, logdev, -np.inf)
    else:
        logw = lam_s * W + logdev
    mx = logw.max()
    prob = np.exp(logw - mx)
    prob /= prob.sum()
    return StructureWeights(labels, groups, U, W, u, logw, prob, stable)


# ----------------------------------------------------------------------------------
# The distribution
# ----------------------------------------------------------------------------------
#: SUB[T, S] = 1 if flag set T is a subset of S
SUB = np.array([[float(t & ~x == 0) for x in range(16)] for t in range(16)])
SUB_INV = np.linalg.inv(SUB)


def _zeta(dist: np.ndarray) -> np.ndarray:
    """(..., 16) flag distribution -> P(flags subset of S) for every S."""
    return dist @ SUB


def _mobius(z: np.ndarray) -> np.ndarray:
    return z @ SUB_INV


class Distribution:
    """The outcome distribution of one theatre (built by :func:`distribution`)."""

    def __init__(self, th: Theatre, game: ClientGame, p: Parameters, max_exact_atoms: int = MAX_EXACT_ATOMS):
        self.th, self.game, self.p = th, game, p
        n = th.n
        self.n = n
        self.blk = GroupLottery(game.block_tab, p)
        self.sgl = GroupLottery(game.single_tab, p)
        imp_tab = game.imposition.tab
        self.imp = GroupLottery(imp_tab, p) if len(imp_tab.masks) else None
        # Imposition follows the modal rule's units (lone clients and pacts in
        # force on offer), proposals (any subset) and acceptance rounds.
        size = 1 << n
        self.units = list(game.imposition.units)
        self.imposable = sum(a for a in self.units if a.bit_count() == 1)  # the lone clients among them
        self.UNIT = np.zeros(size, dtype=np.int64)
        self.UNIT[np.array(self.units, dtype=np.int64)] = self.units
        self.il = ImpositionLottery(th, self.sgl, self.blk, self.imp, self.units, p)
        ids = np.arange(size, dtype=np.int64)
        self._CIDX = np.zeros(size, dtype=np.int64)  # client mask -> compressed index of the units it holds
        for t, a in enumerate(self.units):
            self._CIDX |= ((ids & a) != 0).astype(np.int64) << t
        # expected rows of every feasible group
        ROW = np.full((size, n), np.nan)
        if self.blk.m:
            ok = self.blk.valid
            ROW[game.block_tab.masks[ok]] = self.blk.row[ok]
        for a in game.lone_atoms:
            g = game.single_tab.index[a]
            ROW[a] = self.sgl.row[g]
        ROW[0] = 0.0
        self.ROW = ROW
        il = self.il
        ADJ = np.zeros((size, n))
        if il.k >= 2:
            ADJ[il.full] = il.adj()
        self.ADJ = ADJ
        atoms = list(th.atoms)
        self.atoms = atoms
        k = len(atoms)
        inf_all = all(_is_inf(getattr(p, f)) for f in ("precision_welfare", "precision_stability"))
        if inf_all:
            # the deterministic selection (Pareto, welfare, fewest groups), exactly
            sel = select(game, stable_structures(game))
            labels = self._labels_of([sel], atoms)
            self.method = "exact"
            self.note = "the structure is the deterministic selection (infinite stage-1 precisions)"
        elif k <= max_exact_atoms:
            labels = partitions(k)
            self.method = "exact"
            self.note = f"every client structure enumerated ({len(labels)} partitions of {k} units)"
        else:
            labels = self._near_stable(atoms, ROW, ADJ)
            self.method = "approximate"
            self.note = (
                f"{k} units: {len(labels)} client structures of Bell({k}), grown best-first from the stable ones by "
                f"single moves over {self.approx_rounds} rounds (the last added {self.approx_last_mass:.1e} of the "
                "weight), renormalised; structures further out are left out"
                + (f" (growth stopped at the cap of {MAX_APPROX_STRUCTURES} structures)" if self.approx_capped else "")
            )
        self.sw = stage1(th, atoms, ROW, ADJ, self.UNIT, labels, p)
        if inf_all:
            # one structure, the deterministic selection, by definition: its
            # weight does not depend on the distribution's imposition rule
            self.sw.logw[:] = 0.0
            self.sw.prob[:] = 1.0
        self._outcome_tables()

    # -- helpers ---------------------------------------------------------------------
    @staticmethod
    def _labels_of(structs, atoms: list[int]) -> np.ndarray:
        out = []
        for st in structs:
            blocks, U = (st.blocks, st.U) if hasattr(st, "blocks") else st
            groups = list(blocks) + [a for a in atoms if a & U]
            lab = [0] * len(atoms)
            order: dict[int, int] = {}
            for t, a in enumerate(atoms):
                g = next(x for x in groups if x & a)
                if g not in order:
                    order[g] = len(order)
                lab[t] = order[g]
            out.append(lab)
        return np.array(out, dtype=np.int64).reshape(len(out), len(atoms))

    def _near_stable(self, atoms, ROW, ADJ) -> np.ndarray:
        """Best-first truncation: start from the modal model's stable structures
        and the status quo; repeatedly add every structure one move from the
        structures that carry the weight (all but 1e-9 of it), until the
        structures added in a round carry less than ``APPROX_TOL`` of the
        weight (or ``APPROX_ROUNDS`` rounds)."""
        # seeds: the stable structures of the modal game and of the game on the
        # expected payoffs (the same exact search, on ROW and ADJ)
        g2 = copy.copy(self.game)
        g2.ROW = ROW.copy()
        g2.ROW[0] = np.nan
        g2.FEAS = ~np.isnan(g2.ROW[:, 0])
        g2.adj_dense = ADJ
        g2.adj_row = {int(m): ADJ[m] for m in np.flatnonzero(np.abs(ADJ).sum(axis=1) > 0)}
        stable = stable_structures(self.game) + stable_structures(g2)
        k = len(atoms)
        base = self._labels_of(stable, atoms) if stable else np.zeros((0, k), np.int64)
        seeds = np.concatenate([base, np.arange(k)[None, :]])
        found = {tuple(_canon(x)) for x in seeds}
        expanded: set = set()
        self.approx_rounds, self.approx_last_mass, self.approx_capped = 0, 1.0, False
        labs = np.array(sorted(found), dtype=np.int64)
        sw = stage1(self.th, atoms, ROW, ADJ, self.UNIT, labs, self.p)
        for r in range(APPROX_ROUNDS):
            keys = [tuple(x) for x in sw.labels]
            order = np.argsort(-sw.prob)
            cum = np.cumsum(sw.prob[order])
            top = order[: int(np.searchsorted(cum, 1.0 - 1e-9)) + 1]
            new: set = set()
            room = MAX_APPROX_STRUCTURES - len(found)
            for i in top:  # heaviest first, so a cap keeps the neighbours of the heaviest
                key = keys[i]
                if key in expanded:
                    continue
                if len(new) >= room:
                    self.approx_capped = True
                    break
                expanded.add(key)
                lab = np.array(key)
                for t in range(k):
                    for j in range(int(lab.max()) + 2):
                        if j != lab[t]:
                            x = lab.copy()
                            x[t] = j
                            c = tuple(_canon(x))
                            if c not in found:
                                new.add(c)
            if len(new) > room:
                new = set(sorted(new)[:max(0, room)])
                self.approx_capped = True
            self.approx_rounds = r + 1
            if not new:
                self.approx_last_mass = 0.0 if not self.approx_capped else self.approx_last_mass
                break
            found |= new
            labs = np.array(sorted(found), dtype=np.int64)
            sw = stage1(self.th, atoms, ROW, ADJ, self.UNIT, labs, self.p)  # the next round starts from it
            is_new = np.array([tuple(x) in new for x in sw.labels])
            self.approx_last_mass = float(sw.prob[is_new].sum())
            if self.approx_last_mass < APPROX_TOL or self.approx_capped:
                break
        return np.array(sorted(found), dtype=np.int64)

    # -- per-group outcome tables ----------------------------------------------------------
    def _hazard(self, mem: list[int], lcc: int, imposed: bool) -> float:
        """The yearly hazard of a treaty (:func:`pactlab.model.durability.durability`),
        from a per-mask table of its member means."""
        mask = sum(1 << i for i in mem)
        return float(self._hz_base[mask] * self._hz_level[(lcc, imposed)])

    def _hazard_tables(self) -> None:
        th, n = self.th, self.n
        p = th.params
        size = 1 << n
        ids = np.arange(size, dtype=np.int64)
        member = masks_to_matrix(ids, n).astype(float)
        cnt = np.maximum(member.sum(axis=1), 1.0)

        def mean(x):
            return member @ x / cnt

        npairs = cnt * (cnt - 1) / 2
        iu = np.triu_indices(n, 1)
        pair_in = member[:, iu[0]] * member[:, iu[1]]
        disp = np.where(npairs > 0, pair_in @ th.dispute[iu] / np.maximum(npairs, 1.0), 0.0)
        log_base = (math.log(p.base_hazard) - p.hazard_threat * mean(th.theta_sq) + p.hazard_provocation * mean(th.provocation)
                    + p.hazard_divergence * mean(th.divergence) + p.hazard_dispute * disp + p.hazard_econ * mean(th.econ)
                    - p.hazard_trend * th.trend)
        self._hz_base = np.exp(log_base)
        self._hz_level = {}
        for lcc in (0, 1, 2):
            for imposed in (False, True):
                ind = 0.0 if imposed else float(level_weight(lcc, p))
                self._hz_level[(lcc, imposed)] = math.exp(p.hazard_imposed * float(imposed) - p.hazard_indigenous * ind)

    def _outcome_tables(self) -> None:
        """For every group: probabilities of its treaties, as linear tables (per
        client) and flag distributions (for the design label)."""
        th, n = self.th, self.n
        size = 1 << n
        self._hazard_tables()
        # per-mask tables for blocks and singles: flags (16), treaty (n), defend (n), hazard (n),
        # multilateral (n), pair (n, n)
        self.FLAG = np.zeros((size, 16))
        self.FLAG[0, 0] = 1.0
        self.TRE = np.zeros((size, n))
        self.DEF = np.zeros((size, n))
        self.HAZ = np.zeros((size, n))
        self.MUL = np.zeros((size, n))
        self.PAIR = np.zeros((size, n, n))
        self._fill(self.blk, block=True)
        self._fill(self.sgl, block=False)
        il = self.il
        if il.k >= 2 and self.imp is not None:
            kk = il.size
            fl = np.zeros((kk, 16))
            tre, dfd, haz, mul = (np.zeros((kk, n)) for _ in range(4))
            pair = np.zeros((kk, n, n))
            cs = np.flatnonzero(il.imp_index >= 0)
            g = il.imp_index[cs]
            full = il.full[cs]
            member = masks_to_matrix(full, n).astype(float)
            big = member.sum(axis=1) >= 3
            fl[cs, np.where(big, FA, FC) | FD] = 1.0
            for li, l in enumerate(self.imp.tab.levels):
                pl = self.imp.plev[li, g]
                hz = self._hz_base[full] * self._hz_level[(l, True)]
                tre[cs] += pl[:, None] * member
                dfd[cs] += (pl * (l == 2))[:, None] * member
                haz[cs] += (pl * hz)[:, None] * member
            mul[cs] = big[:, None] * member
            pair[cs] = member[:, :, None] * member[:, None, :]
            self.imp_flag, self.imp_lin = fl, (tre, dfd, haz, mul, pair)

    def _fill(self, lot: GroupLottery, block: bool) -> None:
        """Add a table's groups to the per-mask outcome tables, vectorised over
        its groups for each (level, option)."""
        th, n = self.th, self.n
        if lot.m == 0:
            return
        tab = lot.tab
        masks = tab.masks
        member = lot.member
        memf = member.astype(float)
        size = member.sum(axis=1)
        atoms_multi = np.array([a for a in th.atoms if a.bit_count() >= 2], dtype=np.int64)
        existing = np.isin(masks, atoms_multi)
        base_f = np.where(block & ~existing, FD, 0)
        hz_single = self._hz_base[1 << np.arange(n)] * self._hz_level[(0, False)]
        big = size >= 3
        for li, l in enumerate(tab.levels):
            for oi, (kind, lp) in enumerate(tab.options):
                w = np.where(lot.valid, lot.plev[li] * lot.q[li, oi], 0.0)
                if not w.any():
                    continue
                lpv = l if lp is None else lp
                f = base_f.copy()
                if kind == JOIN:
                    new = ~existing | (member & (th.prior_patron[None, :] < l)).any(axis=1)
                    f = f | np.where(new, np.where(big, FA, FC) | FD, 0)
                    wn = w * new
                    self.TRE[masks] += wn[:, None] * memf
                    self.DEF[masks] += (wn * (l == 2))[:, None] * memf
                    self.HAZ[masks] += (wn * self._hz_base[masks] * self._hz_level[(l, False)])[:, None] * memf
                    self.MUL[masks] += (wn * big)[:, None] * memf
                    self.PAIR[masks] += wn[:, None, None] * memf[:, :, None] * memf[:, None, :]
                elif kind == SPOKES:
                    spoke = member & (th.prior_patron[None, :] < lpv)
                    f = f | np.where(spoke.any(axis=1), FB | FD, 0)
                    ws = w[:, None] * spoke
                    self.TRE[masks] += ws
                    self.DEF[masks] += ws * (lpv == 2)
                    self.HAZ[masks] += ws * hz_single[None, :]
                np.add.at(self.FLAG, (masks, f), w)

    # -- aggregates ---------------------------------------------------------------------
    def _cidx(self, M0: int) -> int:
        """The compressed index (over ``units``) of a set of units given as a client mask."""
        return int(self._CIDX[M0])

    def _offer_tables(self) -> None:
        """Per set c0 of units on offer: the zeta-transformed flag distribution
        ``ZMIX[c0]`` and the linear tables ``LINM[t][c0]`` of the units'
        outcomes, with the imposed multilateral that may form among them."""
        il = self.il
        kk = il.size
        ZF = _zeta(self.FLAG)  # (2^n, 16)
        tabs = (self.TRE, self.DEF, self.HAZ, self.MUL, self.PAIR)
        Uarr = np.array(self.units, dtype=np.int64)
        # PZ[c] = prod over units in c of their own outcome's zeta vector; SUMS: sums of their tables
        PZ = np.ones((kk, 16))
        SUMS = [np.zeros((kk,) + t.shape[1:]) for t in tabs]
        for c in range(1, kk):
            low = c & -c
            u = Uarr[low.bit_length() - 1]
            PZ[c] = PZ[c ^ low] * ZF[u]
            for acc, t in zip(SUMS, tabs):
                acc[c] = acc[c ^ low] + t[u]
        self.ZMIX, self.LINM = PZ, SUMS
        if il.k < 2 or self.imp is None or not il.pF.any():
            return
        pF = il.pF
        cidx = np.arange(kk, dtype=np.int64)
        zimp = _zeta(self.imp_flag)  # (kk, 16)
        mixed = np.zeros((kk, 16))
        step = max(1, (1 << 20) // kk)  # rows of c0 at a time (bounds the (rows, kk, 16) array)
        for lo in range(0, kk, step):
            c0 = cidx[lo:lo + step]
            rest = c0[:, None] & ~cidx[None, :]  # units on offer outside F
            mixed[lo:lo + step] = np.einsum("cf,fs,cfs->cs", pF[c0], zimp, PZ[rest])
        self.ZMIX = il.pnone[:, None] * PZ + mixed
        self.LINM = []
        for t_i, it in enumerate(self.imp_lin):
            d = it - SUMS[t_i]
            self.LINM.append(SUMS[t_i] + np.tensordot(pF, d, axes=(1, 0)))

    def summary(self) -> dict:
        """Design probabilities and per-client marginals, summed over structures."""
        sw, n = self.sw, self.n
        if not hasattr(self, "ZMIX"):
            self._offer_tables()
        keep = sw.prob > 0
        groups, prob = sw.groups[keep], sw.prob[keep]
        unit = self.UNIT[groups] != 0  # the groups on offer for imposition
        own = ~unit & (groups != 0)
        ZF = _zeta(self.FLAG)
        z = np.where(own[:, :, None], ZF[groups], 1.0).prod(axis=1)  # (S, 16)
        c0 = self._CIDX[np.where(unit, groups, 0).sum(axis=1)]
        uniq, inv = np.unique(c0, return_inverse=True)
        design = _mobius(z * self.ZMIX[uniq][inv]).T @ prob  # (16,)
        mass = np.zeros(1 << n)
        np.add.at(mass, groups[own], np.broadcast_to(prob[:, None], groups.shape)[own])
        cmass = np.zeros(len(uniq))
        np.add.at(cmass, inv, prob)
        lin = []
        for t_i, t in enumerate((self.TRE, self.DEF, self.HAZ, self.MUL, self.PAIR)):
            x = np.tensordot(mass, t, axes=(0, 0))
            x = x + np.tensordot(cmass, self.LINM[t_i][uniq], axes=(0, 0))
            lin.append(x)
        design = np.clip(design, 0.0, None)
        probs = {d: 0.0 for d in DESIGNS}
        for f in range(16):
            probs[FLAG_DESIGN[f]] += float(design[f])
        tot = sum(probs.values())
        probs = {d: v / tot for d, v in probs.items()}
        tre, dfd, haz, mul, pair = lin
        return {"design": probs, "treaty": tre, "defend": dfd, "hazard": haz, "multilateral": mul, "pair": pair}

    # -- log-probability of an observed outcome ---------------------------------------------
    def log_prob(self, treaties) -> float:
        """log P(the new treaties are exactly ``treaties``): an iterable of
        (client ids, with_patron, level)."""
        th = self.th
        idx = {c: i for i, c in enumerate(th.ids)}
        obs = []
        for clients, with_patron, level in treaties:
            mask = 0
            for c in clients:
                if c not in idx:
                    return -math.inf
                mask |= 1 << idx[c]
            obs.append((mask, bool(with_patron), {"consult": 1, "defend": 2}[str(level)]))
        obs = sorted(set(obs))
        # An enlargement recorded in stages (an accession, then another) is one
        # pact in the model: a patron treaty whose clients lie inside a larger
        # patron treaty of the same outcome, at no higher a level, is a stage of it.
        obs = [o for o in obs if not (o[1] and any(
            x[1] and x[0] != o[0] and o[0] & ~x[0] == 0 and x[2] >= o[2] for x in obs))]
        sw = self.sw
        cache_g: dict[int, float] = {}
        cache_m: dict[int, float] = {}
        # In log space: a structure far from the welfare optimum has a weight
        # below the smallest float, and the record may need it.
        finite = np.isfinite(sw.logw)
        if not finite.any():
            return -math.inf
        log_norm = float(np.logaddexp.reduce(sw.logw[finite]))
        terms = []
        for s in np.flatnonzero(finite):
            lp = float(sw.logw[s]) - log_norm
            M0 = 0
            for g in sw.groups[s]:
                g = int(g)
                if not g:
                    continue
                if self.UNIT[g]:
                    M0 |= g
                    continue
                if g not in cache_g:
                    mine = [o for o in obs if o[0] & g]
                    if g.bit_count() >= 2:
                        cache_g[g] = self._p_block(g, mine)
                    else:
                        cache_g[g] = 0.0 if any(o[0] & ~g for o in mine) else self._p_single(g.bit_length() - 1, mine)
                if cache_g[g] <= 0:
                    lp = -math.inf
                    break
                lp += math.log(cache_g[g])
            if lp == -math.inf:
                continue
            if M0:
                if M0 not in cache_m:
                    cache_m[M0] = self._p_offer(M0, [o for o in obs if o[0] & M0])
                if cache_m[M0] <= 0:
                    continue
                lp += math.log(cache_m[M0])
            terms.append(lp)
        return float(np.logaddexp.reduce(terms)) if terms else -math.inf

    def _p_block(self, g: int, obs) -> float:
        th, lot = self.th, self.blk
        if any(o[0] & ~g for o in obs):
            return 0.0  # a treaty across groups
        k = lot.tab.index[g]
        mem = th.members(g)
        existing = g in {a for a in th.atoms if a.bit_count() >= 2}
        target = sorted(obs)
        total = 0.0
        for li, l in enumerate(lot.tab.levels):
            pl = lot.plev[li, k]
            if pl == 0:
                continue
            for oi, (kind, lp) in enumerate(lot.tab.options):
                w = pl * lot.q[li, oi, k]
                if w == 0:
                    continue
                lpv = l if lp is None else lp
                out = []
                if kind == JOIN:
                    # the patron joins the clients' treaty: one treaty, with the patron
                    if not (existing and all(th.prior_patron[i] >= l for i in mem)):
                        out.append((g, True, l))
                elif not existing:
                    out.append((g, False, l))
                if kind == SPOKES:
                    out += [(1 << i, True, lpv) for i in mem if th.prior_patron[i] < lpv]
                if sorted(out) == target:
                    total += w
        return total

    def _p_single(self, i: int, obs) -> float:
        th, lot = self.th, self.sgl
        k = lot.tab.index[1 << i]
        total = 0.0
        for oi, (kind, lp) in enumerate(lot.tab.options):
            w = lot.q[0, oi, k]
            if w == 0:
                continue
            out = [(1 << i, True, lp)] if kind == SPOKES and th.prior_patron[i] < lp else []
            if sorted(out) == sorted(obs):
                total += w
        return total

    def _p_own(self, a: int, obs) -> float:
        """A unit's own outcome (its spokes, or the block's stage 2) is exactly ``obs``."""
        if any(o[0] & ~a for o in obs):
            return 0.0
        return self._p_block(a, obs) if a.bit_count() >= 2 else self._p_single(a.bit_length() - 1, obs)

    def _p_offer(self, M0: int, obs) -> float:
        """The units on offer M0 end with exactly the treaties ``obs``: each its
        own outcome, or an imposed multilateral F among them and the rest their own."""
        il = self.il
        if any(o[0] & ~M0 for o in obs):
            return 0.0
        c0 = self._cidx(M0)
        mine = [t for t in range(il.k) if c0 >> t & 1]
        within = {t: [o for o in obs if o[0] & ~self.units[t] == 0] for t in mine}
        across = [o for o in obs if not any(o[0] & ~self.units[t] == 0 for t in mine)]
        if not across:
            out = il.pnone[c0]
            for t in mine:
                if out == 0:
                    break
                out *= self._p_own(self.units[t], within[t])
            return out
        if len(across) > 1 or not across[0][1] or self.imp is None:
            return 0.0
        F, _, lev = across[0]
        cF = self._cidx(F)
        g = il.imp_index[cF]
        if il.full[cF] != F or g < 0 or il.pF[c0, cF] <= 0:
            return 0.0
        if any(within[t] for t in mine if cF >> t & 1):
            return 0.0  # a unit in the imposed multilateral makes no treaty of its own
        levels = self.imp.tab.levels
        out = il.pF[c0, cF] * (self.imp.plev[levels.index(lev), g] if lev in levels else 0.0)
        for t in mine:
            if not cF >> t & 1 and out > 0:
                out *= self._p_own(self.units[t], within[t])
        return out

    # -- sampling (for tests) -----------------------------------------------------------------
    def sample_design(self, rng: np.random.Generator) -> str:
        """One draw, stage by stage: structure, then each group's level
        statements, the patron's response and the imposition rounds."""
        sw = self.sw
        s = rng.choice(len(sw.prob), p=sw.prob)
        flags = 0
        M0 = 0
        for g in sw.groups[s]:
            g = int(g)
            if not g:
                continue
            if self.UNIT[g]:
                M0 |= g
            elif g.bit_count() >= 2:
                flags |= self._sample_block(g, rng)
            else:
                flags |= self._sample_single(g.bit_length() - 1, rng)
        if M0:
            flags |= self._sample_offer(M0, rng)
        return FLAG_DESIGN[flags]

    def _sample_group(self, lot: GroupLottery, k: int, rng) -> tuple[int, int]:
        if lot.defend_stmt is not None and lot.feas_level[0, k] and lot.feas_level[1, k]:
            li = 1
            for i in self.th.members(int(lot.tab.masks[k])):
                if rng.random() >= lot.defend_stmt[k, i]:
                    li = 0
                    break
        elif lot.defend_stmt is not None:
            li = 1 if lot.feas_level[1, k] else 0
        else:
            li = 0
        oi = rng.choice(lot.q.shape[1], p=lot.q[li, :, k] / lot.q[li, :, k].sum())
        return li, oi

    def _sample_block(self, g: int, rng) -> int:
        th, lot = self.th, self.blk
        k = lot.tab.index[g]
        li, oi = self._sample_group(lot, k, rng)
        l = lot.tab.levels[li]
        kind, lp = lot.tab.options[oi]
        lpv = l if lp is None else lp
        mem = th.members(g)
        existing = g in {a for a in th.atoms if a.bit_count() >= 2}
        f = 0 if existing else FD
        if kind == JOIN and not (existing and all(th.prior_patron[i] >= l for i in mem)):
            f |= (FA if len(mem) >= 3 else FC) | FD
        elif kind == SPOKES and any(th.prior_patron[i] < lpv for i in mem):
            f |= FB | FD
        return f

    def _sample_single(self, i: int, rng) -> int:
        lot = self.sgl
        k = lot.tab.index[1 << i]
        _, oi = self._sample_group(lot, k, rng)
        kind, lp = lot.tab.options[oi]
        return FB | FD if kind == SPOKES and self.th.prior_patron[i] < lp else 0

    def _sample_offer(self, M0: int, rng) -> int:
        """The units on offer: the patron's proposal (or none), the acceptance
        rounds, then every unit outside the formed multilateral its own outcome."""
        il = self.il
        c0 = self._cidx(M0)
        mine = [t for t in range(il.k) if c0 >> t & 1]
        formed = 0  # compressed index
        if il.k >= 2 and il.p_prop[c0] > 0 and rng.random() < il.p_prop[c0]:
            c = int(rng.choice(il.size, p=il.pS[c0] / il.pS[c0].sum()))
            while bin(c).count("1") >= 2 and il.imp_index[c] >= 0:
                mem = [t for t in range(il.k) if c >> t & 1]
                A = 0
                if len(mem) == 2:
                    # the first answers; the second only if the first accepted
                    if rng.random() < il.acc[c, mem[0]] and rng.random() < il.acc[c, mem[1]]:
                        A = c
                else:
                    for t in mem:
                        if rng.random() < il.acc[c, t]:
                            A |= 1 << t
                if A == c:
                    formed = c
                    break
                c = A
        f = 0
        for t in mine:
            if not formed >> t & 1:
                a = self.units[t]
                f |= self._sample_block(a, rng) if a.bit_count() >= 2 else self._sample_single(a.bit_length() - 1, rng)
        if formed:
            f |= (FA if int(il.full[formed]).bit_count() >= 3 else FC) | FD
        return f


def _canon(lab: np.ndarray) -> list[int]:
    """Relabel a group-label vector as a restricted growth string."""
    m: dict[int, int] = {}
    return [m.setdefault(int(x), len(m)) for x in lab]


def distribution(th: Theatre, game: ClientGame | None = None, max_exact_atoms: int = MAX_EXACT_ATOMS) -> Distribution:
    """The outcome distribution of a compiled theatre at its parameters' precisions."""
    if game is None:
        game = ClientGame.of(th)
    return Distribution(th, game, th.params, max_exact_atoms=max_exact_atoms)


def record_treaties(scenario) -> list[tuple[tuple[str, ...], bool, str]] | None:
    """The record's new treaties as (clients, with_patron, level), outside
    co-guarantors left out; ``None`` without a record."""
    rec = scenario.record
    if rec is None:
        return None
    pid = scenario.patron.id if scenario.patron else None
    clients = {a.id for a in scenario.clients}
    out = []
    for t in rec.treaties:
        cl = tuple(sorted(m for m in t.members if m in clients))
        if cl:
            out.append((cl, pid is not None and pid in t.members, t.level.value))
    return out


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def outcome_distribution(th: Theatre, game: ClientGame, modal_treaties=()):
    """The :class:`~pactlab.model.result.OutcomeDistribution` of a theatre."""
    from pactlab.model.params import PRECISIONS
    from pactlab.model.result import OutcomeDistribution

    d = Distribution(th, game, th.params)
    sm = d.summary()
    ids = th.ids
    tre, dfd, haz, mul, pair = sm["treaty"], sm["defend"], sm["hazard"], sm["multilateral"], sm["pair"]
    tiny = 1e-15
    rec = record_treaties(th.scenario)
    modal = [(t.clients, t.with_patron, t.level) for t in modal_treaties if t.origin != "renewal"]
    out = OutcomeDistribution(
        method=d.method, note=d.note, precisions={k: _finite(getattr(th.params, k)) for k in PRECISIONS},
        design_probabilities={k: float(v) for k, v in sm["design"].items()},
        p_patron_treaty={ids[i]: float(min(1.0, tre[i])) for i in range(th.n)},
        p_defend_given_treaty={ids[i]: (float(min(1.0, dfd[i] / tre[i])) if tre[i] > tiny else None) for i in range(th.n)},
        p_multilateral={ids[i]: float(min(1.0, mul[i])) for i in range(th.n)},
        p_share_patron_treaty={
            f"{ids[i]}|{ids[j]}": float(min(1.0, pair[i, j])) for i in range(th.n) for j in range(i + 1, th.n)
        },
        expected_hazard={ids[i]: (float(haz[i] / tre[i]) if tre[i] > tiny else None) for i in range(th.n)},
        modal_log_prob=_finite(d.log_prob(modal)),
        record_log_prob=_finite(d.log_prob(rec)) if rec is not None else None,
        has_record=rec is not None,
    )
    object.__setattr__(out, "_dist", d)
    return out
