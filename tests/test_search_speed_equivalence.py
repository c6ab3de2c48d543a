"""The vectorised search for stable structures stays exact.

Beyond five atoms ``clients.stable_structures()`` runs a breadth-first search
vectorised with numpy (``search.FastSearch``: precomputed tables for moves by
lone clients, a cache of M0-independent pair tests). It must return exactly
the structures that brute force finds (every partition of the atoms,
``ClientGame.structures()``, checked with the generic ``ClientGame.is_stable``),
and exactly the list -- same structures, same order -- of the scalar
depth-first search (``search.ReferenceSearch``, still used for tiny
theatres), since ``solve`` breaks ties between structures by their order.

Instances: 168 synthetic theatres with 2-8 clients, with and without patron,
some with pacts in force (multi-client atoms); a few larger theatres (9-12
clients) against the scalar search only (brute force is too slow there). The
suite checks that it covers theatres with imposition (``solver.adj_row``
non-empty) and with multi-client atoms. Speed is measured by
``benchmarks/bench_solve.py``, not here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from conftest import clients_of, scenario
from pactlab.model.clients import ClientGame, stable_structures
from pactlab.model.params import DEFAULT
from pactlab.model.search import FastSearch, ReferenceSearch
from pactlab.model.theatre import compile_theatre, popcount
from pactlab.scenarios.generate import synthetic_dict

N_SMALL = 168  # two full cycles of (n = 2..8) x (no pact, one pact, two pacts) x (patron or not)


def _with_pacts(d: dict, rng: np.random.Generator, sizes: list[int], level: str) -> dict:
    """Bind disjoint groups of clients by client-client pacts in force."""
    order = [str(c) for c in rng.permutation(clients_of(d))]
    treaties, k = [], 0
    for t, size in enumerate(sizes):
        if k + size > len(order):
            break
        treaties.append({"id": f"pact{t}", "members": order[k : k + size], "level": level, "source": "synthetic"})
        k += size
    d["treaties"] = treaties
    return d


def small_instance(k: int) -> dict:
    """Instance k: n = 2..8 clients; no patron for one in four; for n >= 3,
    one pact of two clients or (n >= 5) pacts of two and three clients for
    two in three."""
    n = 2 + k % 7
    d = synthetic_dict(n, 50_000 + k, with_patron=k % 4 != 3)
    variant = (k // 7) % 3
    if n >= 3 and variant:
        sizes = [2] if variant == 1 or n < 5 else [2, 3]
        d = _with_pacts(d, np.random.default_rng(k), sizes, "consult" if k % 2 else "defend")
    return d


LARGE = [
    # (n, seed, patron, pact sizes)
    (9, 101, True, []),
    (9, 102, False, []),
    (10, 101, True, []),
    (10, 103, True, [2]),
    (11, 100, True, []),
    (12, 102, True, []),
    (12, 104, True, [2, 2]),
    (12, 100, False, []),
]


def large_instance(j: int) -> dict:
    n, seed, patron, sizes = LARGE[j]
    d = synthetic_dict(n, seed, with_patron=patron)
    if sizes:
        d = _with_pacts(d, np.random.default_rng(seed), sizes, "consult")
    return d


@lru_cache(maxsize=None)
def small_solver(k: int) -> ClientGame | None:
    """The solver of instance k, or None if its pacts are invalid (a member
    that may not pledge)."""
    try:
        return ClientGame.of(compile_theatre(scenario(small_instance(k)), DEFAULT))
    except ValueError:
        return None


def _key(structs):
    return sorted((tuple(sorted(b)), U) for b, U in structs)


@pytest.mark.parametrize("k", range(N_SMALL))
def test_vectorised_search_equals_brute_force(k):
    s = small_solver(k)
    if s is None:
        pytest.skip("pacts with a client that may not pledge")
    brute = [st for st in s.structures() if s.is_stable(*st)]
    if s.imposition.multi_units:
        # pacts in force on offer for imposition: the scalar search is the one used
        ref = ReferenceSearch(s).run()
        assert len(ref) == len(set(_key(ref)))
        assert _key(ref) == _key(brute)
        assert stable_structures(s) == ref
        return
    search = FastSearch(s)
    fast = search.run()
    assert len(fast) == len(set(_key(fast))), "the search returned a structure twice"
    assert _key(fast) == _key(brute)
    # same structures in the same order as the scalar search, and as the
    # public entry point (which uses the scalar search for tiny theatres)
    assert fast == ReferenceSearch(ClientGame.of(s.th)).run()
    assert stable_structures(s) == fast
    # a second call (tables and caches already built) gives the same answer
    assert search.run() == fast


@pytest.mark.parametrize("j", range(len(LARGE)))
def test_vectorised_search_equals_scalar_search_on_larger_theatres(j):
    th = compile_theatre(scenario(large_instance(j)), DEFAULT)
    s = ClientGame.of(th)
    ref = ReferenceSearch(ClientGame.of(th)).run()
    if not s.imposition.multi_units:
        assert FastSearch(s).run() == ref
    assert stable_structures(s) == ref


def test_coverage_of_the_instances():
    """At least 150 valid instances, covering imposition, multi-client atoms
    (also together), theatres without patron, several stable structures, and
    every n from 2 to 8."""
    solvers = [s for s in (small_solver(k) for k in range(N_SMALL)) if s is not None]
    multi = [s for s in solvers if any(popcount(a) >= 2 for a in s.atoms)]
    imposition = [s for s in solvers if s.adj_row]
    assert len(solvers) >= 150
    # pacts in force brought into an imposed multilateral (model v2)
    assert any(s.imposition.multi_units and any(M & a == a for a in s.imposition.multi_units for M in s.imposes.values())
               for s in solvers)
    assert len(imposition) >= 40
    assert len(multi) >= 80
    assert sum(1 for s in imposition if any(popcount(a) >= 2 for a in s.atoms)) >= 12
    assert sum(1 for s in solvers if not s.th.has_patron) >= 30
    assert sum(1 for s in solvers if len(stable_structures(s)) >= 2) >= 40
    assert {s.th.n for s in solvers} == set(range(2, 9))
    # the larger theatres include imposition with many candidate sets M0
    large = [ClientGame.of(compile_theatre(scenario(large_instance(j)), DEFAULT)) for j in range(len(LARGE))]
    assert sum(1 for s in large if len(s.adj_row) >= 100) >= 3
    assert any(any(popcount(a) >= 2 for a in s.atoms) and s.adj_row for s in large)
