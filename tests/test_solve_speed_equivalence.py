"""The faster stage-2 and threat paths give the reference's numbers, bit for bit.

* ``GroupTable`` evaluates every level and option of a table in a few calls (rows of
  several groups, options and levels stacked; ``batched=False`` is the reference: one
  evaluation per level and option);
* ``conquest_probability`` relaxes only the defence profiles whose routes still change
  (``reference=True``: all of them until none changes);
* ``ImpositionTable`` fills its tables without a Python loop (``reference=True``: the loop);
* ``block_masks`` enumerates only atoms whose members may pledge, and ``indigenous_share``
  evaluates the block and its atoms in one call (their former forms are written out below).

Checked on the random theatres of ``tests/test_search_speed_equivalence.py`` (2-8 clients,
with and without patron and pacts in force, and 9-12 clients), arrays compared as bytes,
and whole solves compared with every fast path replaced by its reference. Speed is
measured by ``benchmarks/bench_solve.py``, not here.
"""

from __future__ import annotations

from functools import lru_cache, partial
from itertools import combinations

import numpy as np
import pytest

from conftest import scenario
from pactlab.model import imposition as imposition_mod
from pactlab.model import patron as patron_mod
from pactlab.model import solve as solve_mod
from pactlab.model import threat, treaties
from pactlab.model.imposition import ImpositionTable
from pactlab.model.params import DEFAULT
from pactlab.model.patron import GroupTable, block_masks, block_table, single_table
from pactlab.model.payoffs import NONE, evaluate
from pactlab.model.theatre import compile_theatre, popcount
from pactlab.model.threat import level_weight
from test_search_speed_equivalence import LARGE, N_SMALL, large_instance, small_instance

SMALL = range(0, N_SMALL, 3)  # 56 of the 168 small instances: every n, pact variant and patron case
BIG = range(len(LARGE))


@lru_cache(maxsize=None)
def small_theatre(k: int, params=DEFAULT):
    return compile_theatre(scenario(small_instance(k)), params)


@lru_cache(maxsize=None)
def big_theatre(j: int):
    return compile_theatre(scenario(large_instance(j)), DEFAULT)


def same(a, b) -> bool:
    """Equal arrays, bit for bit (NaN where NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def tables_equal(fast: GroupTable, ref: GroupTable) -> None:
    for name in ("row_of", "index", "masks", "valid"):
        assert same(getattr(fast, name), getattr(ref, name)), name
    if not len(ref.masks):
        return
    for name in ("P", "OWN", "EXT", "li", "oi", "lcc", "patron", "own_at"):
        assert same(getattr(fast, name), getattr(ref, name)), name
    for mask in ref.keys():
        g, h = fast[mask], ref[mask]
        for f in ("theta", "probe", "own", "ext", "entrapment", "burden", "assurance", "defence"):
            assert same(getattr(g, f), getattr(h, f)), (mask, f)
        assert (g.mask, g.lcc, g.kind, g.lp, g.patron, g.level_pref, g.level_values) == (
            h.mask, h.lcc, h.kind, h.lp, h.patron, h.level_pref, h.level_values)
        assert [(o.kind, o.lp, o.patron) for o in g.options] == [(o.kind, o.lp, o.patron) for o in h.options]
        assert all(same(o.own, q.own) for o, q in zip(g.options, h.options))


def _theatre_or_skip(k):
    try:
        return small_theatre(k)
    except ValueError:
        pytest.skip("pacts with a client that may not pledge")


def _check_tables(th, chunk):
    try:
        ref_blocks = block_table(th, batched=False)
    except ValueError:
        pytest.skip("pacts with a client that may not pledge")
    old = GroupTable.CHUNK
    GroupTable.CHUNK = chunk
    try:
        fast_blocks = block_table(th)
        tables_equal(fast_blocks, ref_blocks)
        fast_singles, ref_singles = single_table(th), single_table(th, batched=False)
        tables_equal(fast_singles, ref_singles)
        fast_imp = ImpositionTable(th, fast_singles, fast_blocks)
    finally:
        GroupTable.CHUNK = old
    ref_imp = ImpositionTable(th, ref_singles, ref_blocks, reference=True)
    tables_equal(fast_imp.tab, ref_imp.tab)
    assert same(fast_imp.adj_dense, ref_imp.adj_dense)
    assert list(fast_imp.adj_row) == list(ref_imp.adj_row)
    assert all(same(fast_imp.adj_row[k], ref_imp.adj_row[k]) for k in ref_imp.adj_row)
    assert fast_imp.imposes == ref_imp.imposes and fast_imp.proposes == ref_imp.proposes
    return ref_imp


@pytest.mark.parametrize("chunk", [2048, 5])  # 5: many calls, segments that end at call boundaries
@pytest.mark.parametrize("k", SMALL)
def test_batched_tables_equal_the_reference(k, chunk):
    _check_tables(_theatre_or_skip(k), chunk)


@pytest.mark.parametrize("j", BIG)
def test_batched_tables_equal_the_reference_on_larger_theatres(j):
    _check_tables(big_theatre(j), 2048)


def test_the_instances_exercise_imposition_and_batching():
    imposing = 0
    for k in SMALL:
        try:
            th = small_theatre(k)
            imp = ImpositionTable(th, single_table(th), block_table(th))
        except ValueError:
            continue
        imposing += bool(imp.adj_row)
    assert imposing >= 5
    # at n = 12 a block table has more rows per option than CHUNK: single-option calls too
    assert len(block_masks(big_theatre(5))) > GroupTable.CHUNK


@pytest.mark.parametrize("k", SMALL)
def test_conquest_probability_equals_the_reference(k):
    th = _theatre_or_skip(k)
    rng = np.random.default_rng(k)
    for p in (th.params, th.params.model_copy(update={"m_k_leg_routes": False})):
        d = th.base_defence[None, :] * rng.uniform(0.0, 3.0, (40, th.n))
        d[::7] = th.base_defence  # profiles that converge at once among ones that do not
        fast = threat.conquest_probability(th.adv_power, th.step_power, d, p)
        ref = threat.conquest_probability(th.adv_power, th.step_power, d, p, reference=True)
        assert same(fast, ref)


def _block_masks_reference(th):
    blocks = []
    for r in range(1, len(th.atoms) + 1):
        for combo in combinations(th.atoms, r):
            mask = sum(combo)
            if popcount(mask) >= 2 and all(th.pledge_cap[i] >= 1 for i in th.members(mask)):
                blocks.append(mask)
    return blocks


def _indigenous_share_reference(th, b, lcc, tables=()):
    p = th.params
    if not p.m_indigenous_absent_patron or b in th.atoms:
        return float(level_weight(lcc, p))
    n, mem = th.n, th.members(b)
    row = np.zeros((1, n), bool)
    row[0, mem] = True
    with_block = evaluate(th, row, np.array([lcc]), np.array([0]), np.array([NONE])).own[0]
    alone = np.zeros(n)
    for a in th.atoms:
        if a & b:
            m = np.zeros((1, n), bool)
            m[0, th.members(a)] = True
            lv = int(th.prior_cc[np.ix_(th.members(a), th.members(a))].max()) if popcount(a) >= 2 else 0
            alone += evaluate(th, m, np.array([lv]), np.array([0]), np.array([NONE])).own[0]
    if all(with_block[i] >= alone[i] - 1e-12 for i in mem):
        return float(level_weight(lcc, p))
    return 0.0


@pytest.mark.parametrize("k", SMALL)
def test_block_masks_and_indigenous_share_equal_their_former_forms(k):
    th = _theatre_or_skip(k)
    # with a client that may not pledge, so that atoms are left out of the enumeration
    capped = compile_theatre(th.scenario, DEFAULT)
    capped.pledge_cap = th.pledge_cap.copy()
    capped.pledge_cap[k % th.n] = 0
    for t in (th, capped):
        assert block_masks(t) == _block_masks_reference(t)
    for b in block_masks(th):
        for lcc in (1, 2):
            assert treaties.indigenous_share(th, b, lcc) == _indigenous_share_reference(th, b, lcc)


def _solve_both(s, monkeypatch, distribution=False):
    fast = solve_mod.solve(s, distribution=distribution).to_dict()
    with monkeypatch.context() as m:
        m.setattr(solve_mod, "block_table", partial(block_table, batched=False))
        m.setattr(solve_mod, "single_table", partial(single_table, batched=False))
        m.setattr(solve_mod, "ImpositionTable", partial(ImpositionTable, reference=True))
        m.setattr(threat, "conquest_probability", partial(threat.conquest_probability, reference=True))
        m.setattr(treaties, "indigenous_share", _indigenous_share_reference)
        ref = solve_mod.solve(s, distribution=distribution).to_dict()
    return fast, ref


@pytest.mark.parametrize("k", range(0, N_SMALL, 11))
def test_whole_solve_equals_the_reference(k, monkeypatch):
    try:
        s = scenario(small_instance(k))
        compile_theatre(s, DEFAULT)
        block_table(compile_theatre(s, DEFAULT))
    except ValueError:
        pytest.skip("pacts with a client that may not pledge")
    fast, ref = _solve_both(s, monkeypatch)
    assert fast == ref


def test_builtin_solves_equal_the_reference(monkeypatch):
    from pactlab.scenarios.catalog import catalog, get

    for e in catalog():
        fast, ref = _solve_both(get(e.id), monkeypatch, distribution=True)
        assert fast == ref, e.id


def test_module_names_used_by_the_reference_exist():
    # the monkeypatching above replaces names these modules really look up
    assert solve_mod.block_table is patron_mod.block_table
    assert imposition_mod.GroupTable is GroupTable
    assert threat.occupation_threat.__globals__ is vars(threat)
    assert treaties.new_treaties.__globals__["indigenous_share"] is treaties.indigenous_share
