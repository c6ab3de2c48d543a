"""What one solve computes once and reuses gives the numbers of computing it again, bit for bit.

* ``scenario_hash`` is remembered per scenario object: the same digest as computing it afresh,
  and a changed copy (a new object) gets its own;
* ``GroupTable.evaluated``: a row a stage 2 table evaluated is, in every field but ``ext``, the
  row an evaluation of that group alone gives (``indigenous_share`` reads its rows from there);
* the (group, level) pair terms of ``payoffs.evaluate`` are computed once per distinct group and
  level in a call, and the results are those of computing them per row.

Checked on the random theatres of ``tests/test_search_speed_equivalence.py``. Speed is measured
by ``benchmarks/bench_solve.py``, not here; whole solves are compared with the main line by
``benchmarks/bench_solve_compare.py``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from conftest import scenario
from test_search_speed_equivalence import N_SMALL, large_instance, small_instance

from pactlab.model import treaties
from pactlab.model.imposition import ImpositionTable
from pactlab.model.params import DEFAULT
from pactlab.model.patron import block_table, single_table
from pactlab.model.payoffs import evaluate, pair_terms
from pactlab.model.theatre import compile_theatre
from pactlab.scenarios import loader

SMALL = range(2, N_SMALL, 7)
FIELDS = ("theta", "defence", "probe", "own", "patron", "entrapment", "burden", "assurance", "probe_p")


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@cache
def theatre(k: int, big: bool = False):
    try:
        return compile_theatre(scenario(large_instance(k) if big else small_instance(k)), DEFAULT)
    except ValueError:
        return None


def test_scenario_hash_is_remembered_per_object():
    from pactlab.scenarios.catalog import get

    s = get("europe-1948")
    h = loader.scenario_hash(s)
    assert h == loader._scenario_digest(s) == loader.scenario_hash(s)
    t = s.model_copy(update={"title": s.title + " (changed)"})
    assert loader.scenario_hash(t) == loader._scenario_digest(t) != h
    u = scenario(small_instance(3))
    key = id(u)
    loader.scenario_hash(u)
    assert key in loader._DIGESTS
    del u
    assert key not in loader._DIGESTS  # forgotten with the object


def _tables(th):
    blocks, singles = block_table(th), single_table(th)
    return blocks, singles, ImpositionTable(th, singles, blocks).tab


@pytest.mark.parametrize("k", SMALL)
def test_table_rows_equal_an_evaluation_of_the_row_alone(k):
    th = theatre(k)
    if th is None:
        pytest.skip("pacts with a client that may not pledge")
    checked = 0
    for tab in _tables(th):
        for li, oi in list(tab._ev)[:6]:
            sel = tab._ev[(li, oi)][1]
            kind, lp = tab.options[oi]
            lcc = tab.levels[li]
            lp = lcc if lp is None else lp
            for j in sel[:: max(1, sel.size // 5)]:
                mask = int(tab.masks[j])
                got, row = tab.evaluated(mask, lcc, kind, lp)
                member = np.array([[mask >> i & 1 for i in range(th.n)]], bool)
                alone = evaluate(th, member, np.array([lcc]), np.array([lp]), np.array([kind]))
                for f in FIELDS:
                    assert same(getattr(got, f)[row], getattr(alone, f)[0]), (k, mask, lcc, kind, lp, f)
                checked += 1
        assert tab.evaluated(0, 1, 0, 0) is None
    assert checked


@pytest.mark.parametrize("k", SMALL)
def test_indigenous_share_from_the_tables_equals_evaluating(k):
    th = theatre(k)
    if th is None:
        pytest.skip("pacts with a client that may not pledge")
    blocks, singles, _ = _tables(th)
    for b in blocks.keys():  # noqa: SIM118 - GroupTable.keys(), the valid groups
        for lcc in (1, 2):
            assert treaties.indigenous_share(th, b, lcc, (blocks, singles)) == treaties.indigenous_share(th, b, lcc)


def _rows(th, rng, m=40):
    member = rng.random((m, th.n)) < 0.5
    member[0] = True
    member[1, :] = False
    member[1, 0] = True  # a lone client
    lcc = rng.integers(0, 3, m)
    lp = rng.integers(0, th.patron_max + 1, m) if th.has_patron else np.zeros(m, int)
    kind = rng.integers(0, 4, m) if th.has_patron else np.zeros(m, int)
    return member, lcc, lp, kind


@pytest.mark.parametrize("jit", [False, True])
@pytest.mark.parametrize("big", [False, True])
def test_evaluate_with_pair_terms_computed_once_equals_evaluate(big, jit):
    if jit:
        pytest.importorskip("numba")
    cases = range(0, 8, 3) if big else SMALL
    checked = 0
    for k in cases:
        th0 = theatre(k, big)
        if th0 is None:
            continue
        rng = np.random.default_rng(k)
        for upd in ({}, {"m_council": not DEFAULT.m_council, "m_cooperation": not DEFAULT.m_cooperation}):
            th = compile_theatre(th0.scenario, DEFAULT.model_copy(update=upd))
            member, lcc, lp, kind = _rows(th, rng)
            ref = evaluate(th, member, lcc, lp, kind, jit=jit)
            # the pair terms of the rows twice over, then the second copy's rows
            pairs = pair_terms(th, np.concatenate([member, member]), np.concatenate([lcc, lcc]), jit=jit)
            m = len(lcc)
            for pr in (pairs.rows(slice(m, 2 * m)), pairs.rows(np.arange(m, 2 * m))):
                got = evaluate(th, member, lcc, lp, kind, jit=jit, pairs=pr)
                for f in (*FIELDS, "ext"):
                    assert same(getattr(got, f), getattr(ref, f)), (k, upd, f)
            checked += 1
    assert checked


@pytest.mark.parametrize("k", SMALL)
def test_preferences_from_the_tables_equal_evaluating(k):
    from pactlab.model.explain import preferences

    th = theatre(k)
    if th is None:
        pytest.skip("pacts with a client that may not pledge")
    blocks, singles, _ = _tables(th)
    assert preferences(th, (blocks, singles)) == preferences(th)


@pytest.mark.parametrize("big", [False, True])
def test_label_setting_routes_equal_the_relaxation(big):
    # the numpy route search (label setting, work arrays in place) against the round-by-round
    # reference, with defenceless clients (csf's zero-total guard) and exponents numpy computes
    # with and without its power shortcuts
    from pactlab.model import threat

    cases = range(0, 8, 2) if big else SMALL
    for k in cases:
        th = theatre(k, big)
        if th is None:
            continue
        rng = np.random.default_rng(k)
        for upd in ({}, {"contest_exponent": 1.3, "defence_advantage": 2.0}, {"contest_exponent": 0.5},
                    {"contest_exponent": 1.0}):
            p = th.params.model_copy(update=upd)
            d = th.base_defence[None, :] * rng.uniform(0.0, 3.0, (30, th.n))
            d[::7] = th.base_defence
            for dz in (d, np.where(rng.random(d.shape) < 0.2, 0.0, d)):
                got = threat.conquest_probability(th.adv_power, th.step_power, dz, p, jit=False)
                ref = threat.conquest_probability(th.adv_power, th.step_power, dz, p, reference=True)
                assert same(got, ref), (k, upd)


def _pair_terms_reference(th, member, lcc):
    """The former form of pair_terms (rank by rank over (m, j, i)), written out."""
    from pactlab.model.threat import level_weight

    p, ctx = th.params, th.ctx
    n = member.shape[1]
    both = member[:, :, None] & member[:, None, :]
    pair_rank = np.where(both, np.maximum(lcc[:, None, None], th.prior_cc[None]), th.prior_cc[None])
    offdiag = ~np.eye(n, dtype=bool)[None]
    w_pair = level_weight(pair_rank, p)
    if p.m_cooperation and ctx.coop.any():
        w_pair = np.where((pair_rank == 0) & ctx.coop[None], p.cooperate_weight, w_pair)
    w_pair = w_pair * offdiag
    d_clients = th.cap[None, :] + np.einsum("bji,ji->bi", w_pair, th.proj)
    mates = both & offdiag
    in_force = np.where(mates, th.prior_cc[None], 0).max(axis=1)
    return d_clients, mates.any(axis=1), in_force, w_pair * mates, mates.astype(float)


@pytest.mark.parametrize("k", range(0, N_SMALL, 5))
def test_pair_terms_equal_their_former_form(k):
    th0 = theatre(k)
    if th0 is None:
        pytest.skip("pacts with a client that may not pledge")
    rng = np.random.default_rng(k)
    for coop in (False, True):
        th = compile_theatre(th0.scenario, DEFAULT)
        if coop:  # security cooperation without a pledge between two clients (T2)
            th.ctx.coop[0, 1] = th.ctx.coop[1, 0] = True
        member, lcc, _lp, _kind = _rows(th, rng)
        got = pair_terms(th, member, lcc, jit=False)
        ref = _pair_terms_reference(th, member, lcc)
        for name, a, b in zip(("d_clients", "has_mates", "in_force", "w_mates", "mates"),
                              (got.d_clients, got.has_mates, got.in_force, got.w_mates, got.mates), ref):
            assert same(a, b), (k, coop, name)
