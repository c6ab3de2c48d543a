"""numba kernels (imported only through :mod:`pactlab.model.kernels`, which imports numba lazily).

Each kernel repeats the numpy definition's operations on the same operands in the same order,
so its results are the reference's bit for bit; what it saves is the temporaries and the
per-call overhead. The definitions, in words, are in ``docs/model.md`` (section 2.7).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def numpy_power_shortcuts() -> int:
    """Which shortcuts numpy's ``power`` takes for a scalar exponent (numpy 2 computes an
    exponent of 2 as x * x, 0.5 as sqrt(x), -1 as 1 / x rather than calling the C library's
    ``pow``, which rounds a few results in a thousand differently), as bits 1, 2, 4: the kernels
    take the same ones, so their numbers are numpy's. Found by asking numpy, once per process,
    and passed to the kernels as an argument (not frozen into their cached machine code)."""
    v = np.linspace(0.001, 2.0, 4001)
    return (int(np.array_equal(np.power(v, 2.0), v * v)) | 2 * int(np.array_equal(np.power(v, 0.5), np.sqrt(v)))
            | 4 * int(np.array_equal(np.power(v, -1.0), 1.0 / v)))


@njit(cache=True, nogil=True)
def _pow(x, c, fast):
    if c == 2.0 and fast & 1:
        return x * x
    if c == 0.5 and fast & 2:
        return np.sqrt(x)
    if c == -1.0 and fast & 4:
        return 1.0 / x
    return x ** c


@njit(cache=True, nogil=True)
def _attack(x, c, fast):
    # csf's attacking term: max(attack, 0) ** c
    return _pow(x if x > 0.0 else 0.0, c, fast)


@njit(cache=True, nogil=True)
def _defend(x, k, c, fast):
    # csf's defending term: (k * max(defence, 1e-300)) ** c
    return _pow(k * (x if x > 1e-300 else 1e-300), c, fast)


@njit(cache=True, nogil=True)
def _share(a, d):
    tot = a + d
    return a / tot if tot > 0.0 else 0.0


@njit(cache=True, nogil=True)
def csf(attack, defence, k, c, fast):
    """Elementwise :func:`pactlab.model.threat.csf` on two arrays of one shape."""
    a = attack.ravel()
    d = defence.ravel()
    out = np.empty(a.size)
    for t in range(a.size):
        out[t] = _share(_attack(a[t], c, fast), _defend(d[t], k, c, fast))
    return out.reshape(attack.shape)


@njit(cache=True, nogil=True)
def conquest_probability(adv_power, step_power, d, c, k, rounds, fast):
    """(m, n): :func:`pactlab.model.threat.conquest_probability` for the defence profiles ``d``.

    The first leg is CSF(A_i, D_i), the leg from occupied j to i CSF(S_ji, D_i); the best route
    by a max-product relaxation, each profile until a round changes nothing (at most ``rounds``)."""
    m, n = d.shape
    r = np.empty((m, n))
    a_dir = np.empty(n)
    for i in range(n):
        a_dir[i] = _attack(adv_power[i], c, fast)
    a_step = np.empty((n, n))
    for j in range(n):
        for i in range(n):
            a_step[j, i] = _attack(step_power[j, i], c, fast)
    dd = np.empty(n)
    leg = np.empty((n, n))
    cur = np.empty(n)
    nxt = np.empty(n)
    for b in range(m):
        for i in range(n):
            dd[i] = _defend(d[b, i], k, c, fast)
            cur[i] = _share(a_dir[i], dd[i])
        if n >= 2:
            for j in range(n):
                for i in range(n):
                    leg[j, i] = 0.0 if i == j else _share(a_step[j, i], dd[i])
            for _ in range(rounds):
                moved = False
                for i in range(n):
                    best = cur[i]
                    for j in range(n):
                        v = cur[j] * leg[j, i]
                        if v > best:
                            best = v
                    nxt[i] = best
                    if best != cur[i]:
                        moved = True
                if not moved:
                    break
                for i in range(n):
                    cur[i] = nxt[i]
        for i in range(n):
            r[b, i] = cur[i]
    return r


@njit(cache=True, nogil=True)
def pair_terms(member, lcc, prior_cc, lw, use_coop, coop, cooperate_weight, cap, proj, dispute, council,
               relief_row, use_council, council_relief, dispute_cost):
    """The (group, partner, client) terms of :func:`pactlab.model.payoffs.evaluate` before the
    routes: (d_clients, has_mates, in_force, dispute term, w_mates), each computed as the numpy
    code computes it (sums over partners in partner order)."""
    m, n = member.shape
    d_clients = np.empty((m, n))
    has_mates = np.zeros((m, n), dtype=np.bool_)
    in_force = np.zeros((m, n), dtype=np.int64)
    disp = np.empty((m, n))
    w_mates = np.zeros((m, n, n))
    relief_f = 1.0 - council_relief
    for b in range(m):
        for i in range(n):
            acc = 0.0
            dacc = 0.0
            mi = member[b, i]
            for j in range(n):
                both = mi and member[b, j]
                rank = prior_cc[j, i]
                if both and lcc[b] > rank:
                    rank = lcc[b]
                w = lw[rank]
                if use_coop and rank == 0 and coop[j, i]:
                    w = cooperate_weight
                if j == i:
                    w = w * 0.0
                acc += w * proj[j, i]
                mate = both and j != i
                wm = w * 1.0 if mate else w * 0.0
                w_mates[b, j, i] = wm
                if use_council and (council[j, i] or relief_row[b]):
                    dacc += (wm * relief_f) * dispute[j, i]
                elif use_council:
                    dacc += (wm * 1.0) * dispute[j, i]
                else:
                    dacc += wm * dispute[j, i]
                if mate:
                    has_mates[b, i] = True
                    if prior_cc[j, i] > in_force[b, i]:
                        in_force[b, i] = prior_cc[j, i]
            d_clients[b, i] = cap[i] + acc
            disp[b, i] = dispute_cost * dacc
    return d_clients, has_mates, in_force, disp, w_mates


@njit(cache=True, nogil=True)
def mate_terms(member, w_mates, prox, theta_cl, partner_threat, obligation_cost):
    """(neighbour, obligation) of :func:`pactlab.model.payoffs.evaluate`: sums over a member's
    partners of their proximity times their threat, and of the pledge weight times theirs."""
    m, n = member.shape
    neighbour = np.empty((m, n))
    obligation = np.empty((m, n))
    for b in range(m):
        for i in range(n):
            nacc = 0.0
            oacc = 0.0
            mi = member[b, i]
            for j in range(n):
                mate = 1.0 if (mi and member[b, j] and j != i) else 0.0
                nacc += mate * prox[j, i] * theta_cl[b, j]
                oacc += w_mates[b, j, i] * partner_threat[b, j]
            neighbour[b, i] = nacc
            obligation[b, i] = obligation_cost * oacc
    return neighbour, obligation


# --- the search for individually stable structures ---------------------------------------------
#
# :class:`pactlab.model.search.CompiledSearch`: :meth:`ReferenceSearch.run` for one set M0 of lone
# clients on offer, the same depth-first search with the same tests in the same order, each payoff
# change computed for one client at a time with the same operations on the same operands
# (``(row(dst | a) - row(src)) - row(dst)``, then ``+ row(rest)``, then ``+ (adj(after) - adj(M0))``),
# so it returns the reference's list exactly.


@njit(cache=True, nogil=True)
def _delta(ROW, adj, use_adj, i, a, src, dst, M0, after):
    # ReferenceSearch._move_delta (+ the adjustment change of _move_ok) at client i; dst 0: alone
    if dst == 0:
        d = ROW[a, i] - ROW[src, i]
    else:
        d = ROW[dst | a, i] - ROW[src, i] - ROW[dst, i]
    rest = src & ~a
    if rest != 0:
        d = d + ROW[rest, i]
    if use_adj and after != M0:
        d = d + (adj[after, i] - adj[M0, i])
    return d


@njit(cache=True, nogil=True)
def _move_ok(ROW, adj, use_adj, units, n, M0, a, src, dst, eps):
    # ReferenceSearch._move_ok: not a profitable deviation (dst 0: going alone)
    after = M0
    if use_adj:
        # ReferenceSearch._after
        if units[a]:
            if src == a:
                after &= ~a
            elif dst == 0:
                after |= a
        rest = src & ~a
        if units[rest]:
            after |= rest
        if dst != 0 and units[dst]:
            after &= ~dst
    # the mover: one client gains > eps; several: none loses more than eps, one gains more
    # (numpy's min and max are NaN if any member's change is NaN: never profitable)
    if (a & (a - 1)) == 0:
        i = 0
        while (a >> i) & 1 == 0:
            i += 1
        if not _delta(ROW, adj, use_adj, i, a, src, dst, M0, after) > eps:
            return True
    else:
        lo_ok = True
        hi = False
        nan = False
        for i in range(n):
            if (a >> i) & 1:
                d = _delta(ROW, adj, use_adj, i, a, src, dst, M0, after)
                if d != d:
                    nan = True
                elif d > eps:
                    hi = True
                if not d >= -eps:
                    lo_ok = False
        if nan or not (lo_ok and hi):
            return True
    if dst == 0:
        return False
    # the receiver's consent: no member loses more than eps (NaN: no consent)
    for i in range(n):
        if (dst >> i) & 1:
            if not _delta(ROW, adj, use_adj, i, a, src, dst, M0, after) >= -eps:
                return True
    return False


@njit(cache=True, nogil=True)
def _self_ok(ROW, adj, use_adj, units, n, atoms, M0, g, eps):
    for a in atoms:
        if (a & g) == a and a != g:
            if not _move_ok(ROW, adj, use_adj, units, n, M0, a, g, 0, eps):
                return False
    return True


@njit(cache=True, nogil=True)
def _compatible(ROW, FEAS, adj, use_adj, units, n, atoms, M0, g1, g2, eps):
    for k in range(2):
        src = g1 if k == 0 else g2
        dst = g2 if k == 0 else g1
        for a in atoms:
            if (a & src) != a or not FEAS[dst | a]:
                continue
            if not _move_ok(ROW, adj, use_adj, units, n, M0, a, src, dst, eps):
                return False
    return True


@njit(cache=True, nogil=True)
def _emit(chosen, nc, out, nout, offs, nstruct):
    # append one structure (the first nc chosen groups), growing the buffers if needed
    if nout + nc > out.size:
        bigger = np.empty(2 * out.size + nc, dtype=np.int64)
        bigger[:nout] = out[:nout]
        out = bigger
    for t in range(nc):
        out[nout] = chosen[t]
        nout += 1
    nstruct += 1
    if nstruct >= offs.size:
        bo = np.empty(2 * offs.size, dtype=np.int64)
        bo[:nstruct] = offs[:nstruct]
        offs = bo
    offs[nstruct] = nout
    return out, nout, offs, nstruct


@njit(cache=True, nogil=True)
def _search_m0(ROW, FEAS, adj, use_adj, units, atoms, imposable, M0, must_group, eps, self_cache, out, nout,
               offs, nstruct):
    # ReferenceSearch.run's run(M0, must_group): appends each structure found (its groups in the
    # order chosen) to out, its end to offs; returns the buffers (grown if needed) and counts
    n = ROW.shape[1]
    size = ROW.shape[0]
    na = atoms.size
    self_cache[:] = -1
    pair_cache = {}
    chosen = np.empty(na + 1, dtype=np.int64)
    nc = 0
    for t in range(na):
        if (atoms[t] & imposable) != 0 and (atoms[t] & M0) != 0:
            chosen[nc] = atoms[t]
            nc += 1
    for x in range(nc):
        for y in range(x + 1, nc):
            if not _compatible(ROW, FEAS, adj, use_adj, units, n, atoms, M0, chosen[x], chosen[y], eps):
                return out, nout, offs, nstruct
    # frames of the depth-first search: each a list of free atoms (indices) and the next subset
    ffree = np.empty((na + 1, na), dtype=np.int64)
    flen = np.zeros(na + 1, dtype=np.int64)
    fbits = np.zeros(na + 1, dtype=np.int64)
    L = 0
    for t in range(na):
        if not (atoms[t] & M0):
            ffree[0, L] = t
            L += 1
    flen[0] = L
    depth = 0 if L > 0 else -1
    if L == 0:  # every atom on offer: the structure is M0 itself
        out, nout, offs, nstruct = _emit(chosen, nc, out, nout, offs, nstruct)
    while depth >= 0:
        L = flen[depth]
        r = L - 1
        if fbits[depth] >= (1 << r):
            depth -= 1
            if depth >= 0:
                nc -= 1
            continue
        bits = fbits[depth]
        fbits[depth] += 1
        g = atoms[ffree[depth, 0]]
        for t in range(r):
            if (bits >> t) & 1:
                g |= atoms[ffree[depth, 1 + t]]
        if units[g] and (g & must_group) != 0:
            continue
        if not FEAS[g]:
            continue
        s = self_cache[g]
        if s < 0:
            s = 1 if _self_ok(ROW, adj, use_adj, units, n, atoms, M0, g, eps) else 0
            self_cache[g] = s
        if s == 0:
            continue
        ok = True
        for h in range(nc):
            other = chosen[h]
            lo = g if g < other else other
            hi = other if g < other else g
            key = lo * size + hi
            if key in pair_cache:
                c = pair_cache[key]
            else:
                c = _compatible(ROW, FEAS, adj, use_adj, units, n, atoms, M0, lo, hi, eps)
                pair_cache[key] = c
            if not c:
                ok = False
                break
        if not ok:
            continue
        chosen[nc] = g
        nc += 1
        nl = 0
        for t in range(r):
            if not (bits >> t) & 1:
                ffree[depth + 1, nl] = ffree[depth, 1 + t]
                nl += 1
        if nl == 0:
            out, nout, offs, nstruct = _emit(chosen, nc, out, nout, offs, nstruct)
            nc -= 1
            continue
        depth += 1
        flen[depth] = nl
        fbits[depth] = 0
    return out, nout, offs, nstruct


@njit(cache=True, nogil=True)
def stable_search(ROW, FEAS, adj, use_adj, units, atoms, imposable, M0s, must_groups, eps):
    """The structures :meth:`ReferenceSearch.run` finds, in its order, for the sets M0 of lone
    clients on offer in ``M0s`` (in the reference's order, each with its ``must_group``):
    (groups, offsets), structure s being ``groups[offsets[s]:offsets[s + 1]]`` (its groups in the
    order chosen, the atoms on offer first)."""
    out = np.empty(256, dtype=np.int64)
    offs = np.empty(64, dtype=np.int64)
    offs[0] = 0
    nout = 0
    nstruct = 0
    self_cache = np.empty(ROW.shape[0], dtype=np.int8)
    for m in range(M0s.size):
        out, nout, offs, nstruct = _search_m0(ROW, FEAS, adj, use_adj, units, atoms, imposable, M0s[m],
                                              must_groups[m], eps, self_cache, out, nout, offs, nstruct)
    return out[:nout], offs[:nstruct + 1]
