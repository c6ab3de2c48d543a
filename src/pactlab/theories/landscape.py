"""Landscape theory: Axelrod and Bennett's energy landscape of two-bloc alignments,
and a patron-and-adversary variant registered as a theory of alliance design.

Robert Axelrod and D. Scott Bennett, "A landscape theory of aggregation",
*British Journal of Political Science* 23(2), 1993. Actors of sizes ``s_i``
with symmetric pairwise propensities ``p_ij`` are split into two blocs; a
configuration X has energy

    E(X) = sum_{i<j} s_i s_j p_ij d_ij(X),   d_ij = 0 in the same bloc, 1 apart,

and actor i's frustration is F_i(X) = sum_j s_j p_ij d_ij(X). Leaders move one
at a time to the bloc that lowers their frustration, which lowers E by s_i
times as much (the paper's footnote 2), so the system settles in a local
minimum of E under single-actor moves.

The engine
----------
:func:`enumerate_landscape` evaluates all 2^(n-1) configurations at once
(numpy; one actor, the *anchor*, is held in bloc 0, so each configuration and
its mirror image are counted once), finds every local minimum (no single
actor can lower E by switching) and sizes each minimum's basin of attraction:

``steepest`` (the default)
    every configuration follows the single move that lowers E most (ties to
    the lower actor index) until it stops; the basins partition the
    configurations;
``random``
    any move that lowers E is taken with equal probability (the Markov-chain
    reading of Izquierdo et al., JASSS 12(1), 2009); a basin is the expected
    number of starting configurations that end in the minimum.

The theory (``landscape``)
--------------------------
A pactlab scenario becomes a landscape of its patron, adversary, aligned
adversaries and clients, with sizes = capability and propensities coded from
the scenario by rule LSP1 (no free numbers):

* the patron and the adversary: -1; an aligned adversary: +alignment with the
  adversary, -alignment with the patron;
* a client and the adversary: -(1 - threat divergence) (DIV1); a client and an
  aligned adversary: the same times its alignment;
* two clients: -dispute intensity (D1);
* any two actors with a treaty in force: + its pledge rank / 2 (defend 1,
  consult 0.5), the largest if several.

Landscape theory predicts alignment, not design. pactlab maps an alignment to
new treaties by a stated rule: the clients in the patron's bloc ally (with no
patron, the clients in the bloc opposite the adversary); allied clients
joined to each other by positive propensities (chains count) form one treaty
with the patron -- a multilateral if three or more, a trilateral if two --
and the rest a bilateral each (with no patron, a group of two or more forms a
clients-only treaty and a lone client none). Each treaty is a defence pledge
with probability ``sigmoid(defend_logit)``, else consultation.

Probability model: configurations follow the Boltzmann distribution
P(X) ~ exp(-E(X) / (temperature * W)), W = sum_{i<j} |s_i s_j p_ij| (so the
temperature has no units); with probability ``slip`` the outcome comes
instead from a reference process outside the theory (each client allied with
probability 1/2, the allied clients split uniformly over all set partitions,
each group of two or more with the patron or on its own with probability 1/2,
levels as above), so that outcomes the mapping rules out get a small
probability rather than none. The modal outcome is the global minimum's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from pactlab.designs import DESIGNS, design_label
from pactlab.parameters import ParamSpec
from pactlab.scenarios.schema import Role, Scenario
from pactlab.theories import register
from pactlab.theories.base import (
    Outcome,
    OutcomeTreaty,
    Prediction,
    Theory,
    TheoryError,
)

MAX_ACTORS = 24  # 2^23 configurations: ~70 MB per float64 vector
_CHUNK = 1 << 16
BASINS = ("steepest", "random")


# ---------------------------------------------------------------------------------------------- systems

@dataclass(frozen=True, eq=False)
class LandscapeSystem:
    """Named actors with sizes and a symmetric propensity matrix (zero diagonal)."""

    names: tuple[str, ...]
    sizes: np.ndarray
    propensity: np.ndarray

    def __post_init__(self):
        names = tuple(str(x) for x in self.names)
        s = np.asarray(self.sizes, dtype=float)
        p = np.array(self.propensity, dtype=float)
        n = len(names)
        if len(set(names)) != n:
            raise TheoryError(f"landscape: actor names must be distinct, got {list(names)}")
        if not 2 <= n <= MAX_ACTORS:
            raise TheoryError(f"landscape: expected 2 to {MAX_ACTORS} actors, got {n}")
        if s.shape != (n,) or not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise TheoryError(f"landscape: sizes must be {n} finite positive numbers, got {s.tolist()}")
        if p.shape != (n, n) or not np.all(np.isfinite(p)):
            raise TheoryError(f"landscape: propensities must be a finite {n}x{n} matrix")
        if not np.allclose(p, p.T, rtol=0, atol=1e-12):
            raise TheoryError("landscape: propensities must be symmetric (p_ij = p_ji)")
        np.fill_diagonal(p, 0.0)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "sizes", s)
        object.__setattr__(self, "propensity", p)

    @property
    def n(self) -> int:
        return len(self.names)

    @property
    def weights(self) -> np.ndarray:
        """w_ij = s_i s_j p_ij."""
        return np.outer(self.sizes, self.sizes) * self.propensity

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise TheoryError(f"landscape: no actor named {name!r}") from None


def _as_sides(system: LandscapeSystem, config) -> np.ndarray:
    x = np.asarray(config)
    if x.shape[-1] != system.n or not np.all((x == 0) | (x == 1)):
        raise TheoryError(f"landscape: a configuration is {system.n} sides, each 0 or 1")
    return x.astype(np.int8)


def energy(system: LandscapeSystem, config) -> np.ndarray | float:
    """E = sum_{i<j} s_i s_j p_ij d_ij for one configuration (sides 0/1 per actor) or a stack of them."""
    x = _as_sides(system, config)
    d = (x[..., :, None] != x[..., None, :]).astype(float)
    e = 0.5 * np.einsum("...ij,ij->...", d, system.weights)
    return float(e) if np.ndim(e) == 0 else e


def frustration(system: LandscapeSystem, config, actor: int) -> float:
    """F_i = sum_j s_j p_ij d_ij: how much actor ``actor`` would rather be elsewhere."""
    x = _as_sides(system, config)
    d = (x != x[actor]).astype(float)
    return float(np.sum(system.sizes * system.propensity[actor] * d))


# ---------------------------------------------------------------------------------------------- the landscape

@dataclass(frozen=True)
class Minimum:
    """A local minimum: no single actor can lower the energy by switching blocs."""

    code: int
    energy: float
    basin: float  # configurations (steepest: a count; random: an expected count)
    share: float  # basin / number of configurations
    blocs: tuple[tuple[str, ...], tuple[str, ...]]  # the anchor's bloc first
    is_global: bool

    def as_dict(self) -> dict[str, Any]:
        return {"energy": self.energy, "basin": self.basin, "basin_share": self.share,
                "bloc_with_anchor": list(self.blocs[0]), "other_bloc": list(self.blocs[1]),
                "global": self.is_global, "code": self.code}


@dataclass(frozen=True, eq=False)
class Landscape:
    """Every two-bloc configuration of a system, its energy, and the local minima with their basins.

    Configuration ``code`` c (0 <= c < 2^(n-1)) puts actor ``order[k]`` in bloc
    ``(c >> k) & 1`` for k < n-1 and the anchor (``order[-1]``) in bloc 0.
    """

    system: LandscapeSystem
    anchor: int
    order: tuple[int, ...]
    energies: np.ndarray
    minima: tuple[Minimum, ...]
    basin_method: str
    tolerance: float
    root: np.ndarray | None = field(default=None, repr=False)  # steepest: each configuration's minimum code

    @property
    def n_configurations(self) -> int:
        return len(self.energies)

    @property
    def global_minimum(self) -> Minimum:
        return self.minima[0]

    def sides(self, code: int) -> np.ndarray:
        """Sides (0/1) of each actor, in the system's actor order, for configuration ``code``."""
        out = np.zeros(self.system.n, dtype=np.int8)
        for k, a in enumerate(self.order[:-1]):
            out[a] = (int(code) >> k) & 1
        return out

    def code_of(self, sides) -> int:
        x = _as_sides(self.system, sides)
        if x[self.anchor]:
            x = 1 - x
        return int(sum(int(x[a]) << k for k, a in enumerate(self.order[:-1])))

    def blocs(self, code: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        x = self.sides(code)
        nm = self.system.names
        return (tuple(nm[i] for i in range(self.system.n) if x[i] == 0),
                tuple(nm[i] for i in range(self.system.n) if x[i] == 1))


def _spins(codes: np.ndarray, bits: int) -> np.ndarray:
    """+1 for bloc 0, -1 for bloc 1, for the low ``bits`` bits of each code."""
    b = (codes[:, None] >> np.arange(bits, dtype=np.int64)) & 1
    return 1.0 - 2.0 * b


def _sweep(system: LandscapeSystem, order: Sequence[int]):
    """Yield (start, dE) over chunks of configurations; dE[r, k] is the energy change when actor
    order[k] switches blocs in configuration start + r (columns in ``order``)."""
    n = system.n
    w = system.weights[np.ix_(order, order)]
    m = n - 1
    lo_bits = min(m, 12)
    hi_bits = m - lo_bits
    lo = np.arange(1 << lo_bits, dtype=np.int64)
    s_lo = _spins(lo, lo_bits)  # (L, lo_bits)
    h_lo = s_lo @ w[:lo_bits, :]  # local fields from the low actors
    per = max(1, _CHUNK >> lo_bits)
    for h0 in range(0, 1 << hi_bits, per):
        hi = np.arange(h0, min(h0 + per, 1 << hi_bits), dtype=np.int64)
        s_hi = _spins(hi, hi_bits)
        h_hi = s_hi @ w[lo_bits:m, :] + w[m, :]  # the anchor is in bloc 0 (spin +1)
        h = (h_hi[:, None, :] + h_lo[None, :, :]).reshape(-1, n)
        sig = np.empty_like(h)
        sig[:, :lo_bits] = np.tile(s_lo, (len(hi), 1))
        sig[:, lo_bits:m] = np.repeat(s_hi, len(lo), axis=0)
        sig[:, m] = 1.0
        h *= sig  # dE_i = sigma_i h_i
        yield int(hi[0]) << lo_bits, h


def _random_basins(E: np.ndarray, src: np.ndarray, dst: np.ndarray, frac: np.ndarray,
                   block: int = 1 << 13) -> np.ndarray:
    """Expected number of starting configurations absorbed at each configuration when every
    improving move (edge src -> dst, taken with probability frac) is equally likely.

    Mass only flows downhill, so configurations are taken in order of decreasing energy, a block
    at a time: a block's mass is pushed along its own edges until none is left inside it, then
    what left the block is added to the later blocks. This visits each edge a few times instead
    of once per step of the longest descent path."""
    N = len(E)
    perm = np.argsort(-E, kind="stable")
    inv = np.empty(N, dtype=np.int64)
    inv[perm] = np.arange(N)
    s, d = inv[src], inv[dst]
    o = np.argsort(s, kind="stable")
    s, d, f = s[o], d[o], frac[o]
    indptr = np.searchsorted(s, np.arange(N + 1))
    moves = np.diff(indptr) > 0
    mass = np.ones(N)
    absorbed = np.zeros(N)
    for lo in range(0, N, block):
        hi = min(N, lo + block)
        e0, e1 = indptr[lo], indptr[hi]
        ss, dd, ff = s[e0:e1] - lo, d[e0:e1], f[e0:e1]
        inside = dd < hi
        mv = moves[lo:hi]
        pend = mass[lo:hi].copy()
        out_d, out_w = [], []
        while True:
            c = pend[ss] * ff
            absorbed[lo:hi] += np.where(mv, 0.0, pend)
            pend = np.zeros(hi - lo)
            m_in = inside & (c > 0)
            if m_in.any():
                pend += np.bincount(dd[m_in] - lo, weights=c[m_in], minlength=hi - lo)
            m_out = ~inside & (c > 0)
            out_d.append(dd[m_out])
            out_w.append(c[m_out])
            if not (pend > 0).any():
                break
        od = np.concatenate(out_d)
        if od.size:
            mass[hi:] += np.bincount(od - hi, weights=np.concatenate(out_w), minlength=N - hi)
    return absorbed[inv]


def enumerate_landscape(system: LandscapeSystem, anchor: int | str | None = None,
                        basins: str = "steepest") -> Landscape:
    """All 2^(n-1) configurations of ``system``, every local minimum and its basin of attraction.

    ``anchor`` (an index or name; default the last actor) is held in bloc 0.
    ``basins`` is ``steepest`` or ``random`` (see the module docstring).
    """
    if basins not in BASINS:
        raise TheoryError(f"landscape: basins must be one of {', '.join(BASINS)}, got {basins!r}")
    n = system.n
    a = n - 1 if anchor is None else (system.index(anchor) if isinstance(anchor, str) else int(anchor))
    if not 0 <= a < n:
        raise TheoryError(f"landscape: anchor {anchor!r} is not an actor")
    order = tuple([i for i in range(n) if i != a] + [a])
    m = n - 1
    N = 1 << m
    w = system.weights
    wsum = float(np.sum(np.triu(w, 1)))
    tol = 1e-10 * max(float(np.sum(np.abs(np.triu(w, 1)))), 1e-300)
    E = np.empty(N)
    succ = np.empty(N, dtype=np.int64)
    flips = np.where(np.arange(n) < m, 1 << np.arange(n, dtype=np.int64), N - 1)  # the anchor's move mirrors
    moves = [] if basins == "random" else None
    for start, dE in _sweep(system, order):
        rows = slice(start, start + len(dE))
        E[rows] = 0.5 * wsum - 0.25 * dE.sum(axis=1)
        k = np.argmin(dE, axis=1)
        best = dE[np.arange(len(dE)), k]
        codes = np.arange(start, start + len(dE), dtype=np.int64)
        succ[rows] = np.where(best < -tol, codes ^ flips[k], codes)
        if moves is not None:
            down = dE < -tol
            r, c = np.nonzero(down)
            cnt = down.sum(axis=1)
            moves.append((codes[r], codes[r] ^ flips[c], 1.0 / cnt[r]))
    is_min = succ == np.arange(N)
    mins = np.flatnonzero(is_min)
    root = None
    if basins == "steepest":
        root = succ.copy()
        while True:
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
        size = np.bincount(root, minlength=N)[mins].astype(float)
    else:
        src, dst, frac = (np.concatenate(x) for x in zip(*moves))
        size = _random_basins(E, src, dst, frac)[mins]
    e_min = E[mins]
    glob = float(np.min(E))
    ranked = sorted(range(len(mins)), key=lambda i: (e_min[i], -size[i], int(mins[i])))
    out = []
    land = Landscape(system, a, order, E, (), basins, tol, root)
    for i in ranked:
        c = int(mins[i])
        out.append(Minimum(c, float(e_min[i]), float(size[i]), float(size[i]) / N, land.blocs(c),
                           bool(e_min[i] <= glob + tol)))
    return Landscape(system, a, order, E, tuple(out), basins, tol, root)


def boltzmann(land: Landscape, temperature: float) -> np.ndarray:
    """P(configuration) proportional to exp(-E / (temperature * W)), W = sum_{i<j} |w_ij|."""
    if not temperature > 0 or not math.isfinite(temperature):
        raise TheoryError(f"landscape: temperature must be a positive number, got {temperature!r}")
    w = float(np.sum(np.abs(np.triu(land.system.weights, 1))))
    if w == 0.0:
        return np.full(land.n_configurations, 1.0 / land.n_configurations)
    x = -(land.energies - land.energies.min()) / (temperature * w)
    p = np.exp(x)
    return p / p.sum()


# ---------------------------------------------------------------------------------------------- scenario -> system

def _sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True, eq=False)
class ScenarioLandscape:
    """A scenario as a landscape: actor order, roles and the client-client positive-propensity graph."""

    system: LandscapeSystem
    clients: tuple[str, ...]
    patron: str | None
    adversary: str
    anchor: str  # held in bloc 0: the patron, else the adversary
    positive: frozenset[frozenset[str]]  # client pairs with positive propensity


def scenario_system(s: Scenario) -> ScenarioLandscape:
    """The scenario's patron, adversary, aligned adversaries and clients, coded by rule LSP1."""
    clients = [a for a in s.by_role(Role.client)]
    aligned = [a for a in s.by_role(Role.aligned_adversary)]
    adv = s.adversary
    pat = s.patron
    actors = clients + aligned + [adv] + ([pat] if pat else [])
    ids = [a.id for a in actors]
    idx = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    p = np.zeros((n, n))

    def add(a: str, b: str, v: float):
        i, j = idx[a], idx[b]
        p[i, j] += v
        p[j, i] += v

    align = {a.id: a.alignment.value for a in aligned}
    div = {c.id: (c.threat_divergence.value if c.threat_divergence is not None else 0.0) for c in clients}
    if pat is not None:
        add(pat.id, adv.id, -1.0)
        for k, al in align.items():
            add(pat.id, k, -al)
    for k, al in align.items():
        add(adv.id, k, al)
    for c in clients:
        add(c.id, adv.id, -(1.0 - div[c.id]))
        for k, al in align.items():
            add(c.id, k, -(1.0 - div[c.id]) * al)
    for d in s.disputes:
        if d.a in idx and d.b in idx:
            add(d.a, d.b, -d.intensity)
    best: dict[frozenset, float] = {}
    for t in s.treaties:
        mem = [m for m in t.members if m in idx]
        for i, a in enumerate(mem):
            for b in mem[i + 1:]:
                key = frozenset((a, b))
                best[key] = max(best.get(key, 0.0), t.level.rank / 2.0)
    for key, v in best.items():
        a, b = sorted(key)
        add(a, b, v)
    sizes = np.array([a.capability.value for a in actors])
    cl = [c.id for c in clients]
    pos = frozenset(frozenset((a, b)) for i, a in enumerate(cl) for b in cl[i + 1:] if p[idx[a], idx[b]] > 0)
    return ScenarioLandscape(LandscapeSystem(tuple(ids), sizes, p), tuple(cl), pat.id if pat else None, adv.id,
                             pat.id if pat else adv.id, pos)


def _groups(allied: Iterable[str], positive: frozenset) -> list[frozenset[str]]:
    """Connected components of the allied clients under positive propensity."""
    left = list(allied)
    out = []
    while left:
        comp = {left.pop(0)}
        grow = True
        while grow:
            grow = False
            for c in list(left):
                if any(frozenset((c, m)) in positive for m in comp):
                    comp.add(c)
                    left.remove(c)
                    grow = True
        out.append(frozenset(comp))
    return sorted(out, key=lambda g: sorted(g))


def _structure(groups: Iterable[frozenset[str]], has_patron: bool) -> frozenset[tuple[frozenset[str], bool]]:
    """New treaties (clients, with the patron) from the allied groups, levels aside."""
    if has_patron:
        return frozenset((g, True) for g in groups)
    return frozenset((g, False) for g in groups if len(g) >= 2)


def _design(struct) -> str:
    return design_label((len(g), wp) for g, wp in struct)


@cache
def _bell(k: int) -> int:
    row = [1]
    for _ in range(k):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


def _integer_partitions(k: int, most: int | None = None):
    most = k if most is None else most
    if k == 0:
        yield ()
        return
    for first in range(min(k, most), 0, -1):
        for rest in _integer_partitions(k - first, first):
            yield (first,) + rest


def _null_designs(n_clients: int, has_patron: bool) -> dict[str, float]:
    """Design distribution of the reference (slip) process."""
    out = {d: 0.0 for d in DESIGNS}
    for k in range(n_clients + 1):
        pk = math.comb(n_clients, k) / 2.0 ** n_clients
        for lam in _integer_partitions(k):
            count = math.factorial(k)
            for b in lam:
                count //= math.factorial(b)
            for b in set(lam):
                count //= math.factorial(lam.count(b))
            pl = pk * count / _bell(k)
            a1 = lam.count(1)
            b2 = lam.count(2)
            b3 = sum(1 for b in lam if b >= 3)
            if not has_patron:
                out["clients-only" if b2 + b3 else "none"] += pl
                continue
            out["multilateral"] += pl * (1.0 - 0.5 ** b3)
            q = pl * 0.5 ** b3  # no large group joins the patron
            for j in range(b2 + 1):
                pj = q * math.comb(b2, j) / 2.0 ** b2
                sizes = [1] * a1 + [2] * j
                clients_only = (b2 - j) + b3 > 0
                treaties = [(s, True) for s in sizes] + ([(2, False)] if clients_only else [])
                out[design_label(treaties)] += pj
    return out


def _null_log_prob(struct, n_clients: int, clients: Sequence[str], has_patron: bool) -> float:
    allied = set().union(*[g for g, _ in struct]) if struct else set()
    if has_patron:
        lp = -n_clients * math.log(2.0) - math.log(_bell(len(allied)))
        lp += sum(-math.log(2.0) for g, _ in struct if len(g) >= 2)
        return lp
    u = len([c for c in clients if c not in allied])
    m = len(allied)
    tot = sum(math.comb(u, s) / _bell(m + s) for s in range(u + 1))
    return -n_clients * math.log(2.0) + math.log(tot)


@register
class LandscapeTheory(Theory):
    name = "landscape"
    title = "Landscape theory: states split into the two blocs that minimise frustration; the patron's bloc allies"
    citation = (
        "Robert Axelrod and D. Scott Bennett, 'A landscape theory of aggregation', British Journal of Political "
        "Science 23(2), 1993, 211-233"
    )
    specs = (
        ParamSpec("temperature", 0.05, "Boltzmann temperature over two-bloc configurations, in units of the "
                  "scenario's total absolute weighted propensity (small: the global minimum dominates)",
                  0.0, 10.0, free=True, strict_lower=True, symbol="tau"),
        ParamSpec("defend_logit", 1.0, "log-odds that a new treaty is a defence pledge rather than consultation "
                  "(landscape theory says nothing about the level)", -20.0, 20.0, free=True),
        ParamSpec("slip", 0.05, "probability that the outcome comes from the reference process outside the theory "
                  "(keeps outcomes the mapping rules out possible)", 0.0, 1.0, free=True, strict_lower=True,
                  symbol="epsilon"),
    )
    supports_log_prob = True

    def _masks(self, sl: ScenarioLandscape, land: Landscape, pi: np.ndarray) -> dict[int, float]:
        """Probability of each set of allied clients (bit k = client k in the patron's bloc)."""
        allied_bloc = 0 if sl.patron is not None else 1
        names = sl.system.names
        codes = np.arange(land.n_configurations, dtype=np.int64)
        mask = np.zeros(land.n_configurations, dtype=np.int64)
        for k, c in enumerate(sl.clients):
            i = names.index(c)
            pos = land.order.index(i)
            side = (codes >> pos) & 1
            mask |= ((side == allied_bloc).astype(np.int64) << k)
        tot = np.bincount(mask, weights=pi, minlength=1 << len(sl.clients))
        return {int(m): float(v) for m, v in enumerate(tot) if v > 0}

    def _struct_of_mask(self, sl: ScenarioLandscape, m: int):
        allied = [c for k, c in enumerate(sl.clients) if (m >> k) & 1]
        return _structure(_groups(allied, sl.positive), sl.patron is not None)

    def _analyse(self, scenario: Scenario, params):
        p = self.params(params)
        sl = scenario_system(scenario)
        land = enumerate_landscape(sl.system, anchor=sl.anchor)
        pi = boltzmann(land, p["temperature"])
        masks = self._masks(sl, land, pi)
        return p, sl, land, pi, masks

    def predict(self, scenario: Scenario, params: Mapping[str, Any] | None = None) -> Prediction:
        p, sl, land, _pi, masks = self._analyse(scenario, params)
        eps = p["slip"]
        probs = {d: 0.0 for d in DESIGNS}
        for m, v in masks.items():
            probs[_design(self._struct_of_mask(sl, m))] += (1.0 - eps) * v
        for d, v in _null_designs(len(sl.clients), sl.patron is not None).items():
            probs[d] += eps * v
        total = sum(probs.values())
        probs = {d: v / total for d, v in probs.items()}
        g = land.global_minimum
        allied_bloc = g.blocs[0] if sl.patron is not None else g.blocs[1]
        struct = _structure(_groups([c for c in sl.clients if c in allied_bloc], sl.positive), sl.patron is not None)
        level = "defend" if p["defend_logit"] >= 0 else "consult"
        modal = Outcome(frozenset(OutcomeTreaty(gr, wp, level) for gr, wp in struct))
        return Prediction(
            theory=self.name, scenario_id=scenario.id, parameters_digest=p.digest(), modal=modal,
            design_probabilities=probs, method="exact",
            note=("alignment from the energy landscape (all 2^(n-1) configurations); design and level by "
                  "pactlab's mapping, not by landscape theory"),
            detail={"landscape": land, "system": sl},
        )

    def log_prob(self, scenario: Scenario, observed: Outcome, params: Mapping[str, Any] | None = None) -> float:
        p, sl, _land, _pi, masks = self._analyse(scenario, params)
        clients = set(sl.clients)
        groups = observed.groups()
        unknown = set().union(*groups) - clients if groups else set()
        if unknown:
            raise TheoryError(f"observed treaty members are not clients of {scenario.id}: {sorted(unknown)}")
        struct_items = []
        lp_level = 0.0
        q = p["defend_logit"]
        for g in groups:
            # a group observed as several treaties (an accession in two steps) is scored on its largest treaty
            t = max((t for t in observed.treaties if t.clients <= g), key=lambda t: (len(t.clients), t.level))
            if sl.patron is None and t.with_patron:
                raise TheoryError(f"the landscape theory has no outcome {t.text()} in {scenario.id}: there is no patron")
            if sl.patron is None and len(g) < 2:
                raise TheoryError(f"the landscape theory has no outcome {t.text()} in {scenario.id}: "
                                  "a single client without a patron forms no treaty")
            if sl.patron is not None and len(g) == 1 and not t.with_patron:
                raise TheoryError(f"the landscape theory has no outcome {t.text(sl.patron)} in {scenario.id}: "
                                  "a single client's treaty is with the patron")
            struct_items.append((g, t.with_patron))
            x = _sig(q) if t.level == "defend" else 1.0 - _sig(q)
            lp_level += math.log(max(x, 1e-300))
        struct = frozenset(struct_items)
        p_land = sum(v for m, v in masks.items() if self._struct_of_mask(sl, m) == struct)
        lp_null = _null_log_prob(struct, len(sl.clients), sl.clients, sl.patron is not None)
        eps = p["slip"]
        a = math.log1p(-eps) + math.log(p_land) if p_land > 0 and eps < 1 else -math.inf
        b = math.log(eps) + lp_null
        hi = max(a, b)
        return hi + math.log(math.exp(a - hi) + math.exp(b - hi)) + lp_level
