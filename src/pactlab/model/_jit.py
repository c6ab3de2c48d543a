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
