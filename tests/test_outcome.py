"""The outcome distribution (quantal response, docs/model.md section 10).

* at infinite precisions it is a point mass on ``solve()``'s outcome;
* at large precisions it reproduces ``solve()`` on random theatres (ties aside);
* a stage-by-stage sampler's frequencies match the computed design
  probabilities within 3 standard errors (n <= 6);
* stage 1's weights equal a direct computation over ``ClientGame.structures()``;
* every record outcome has a finite log-probability at finite precisions, and
  every parameter that enters the outcome moves some episode's log-probability.
"""

from __future__ import annotations

import copy
import math
from collections import Counter

import numpy as np
import pytest

from conftest import scenario
from pactlab.model.clients import ClientGame
from pactlab.model.logit import log_sigmoid
from pactlab.model.outcome import Distribution, distribution, partitions, record_treaties
from pactlab.model.params import DEFAULT, PRECISIONS
from pactlab.model.solve import solve
from pactlab.model.theatre import compile_theatre
from pactlab.scenarios.catalog import catalog, get
from pactlab.scenarios.generate import synthetic_dict
from test_solver_exact import instance


def at(lam_p=20.0, lam_c=20.0, lam_a=20.0, lam_s=20.0, lam_d=200.0, base=DEFAULT):
    return base.model_copy(update=dict(
        precision_patron=lam_p, precision_clients=lam_c, precision_adversary=lam_a,
        precision_welfare=lam_s, precision_stability=lam_d,
    ))


def modal(r):
    return [(t.clients, t.with_patron, t.level) for t in r.treaties if t.origin != "renewal"]


SMALL = [e.id for e in catalog() if len(get(e.id).clients) <= 7]


def test_partitions_are_bell_numbers():
    assert [len(partitions(k)) for k in range(1, 9)] == [1, 2, 5, 15, 52, 203, 877, 4140]


@pytest.mark.parametrize("sid", SMALL)
def test_infinite_precision_is_a_point_mass_on_the_solver(sid):
    s = get(sid)
    r = solve(s, distribution=True)
    d = r.distribution
    assert d.design_probabilities[r.design] == 1.0
    assert d.modal_log_prob == 0.0
    assert math.isclose(sum(d.design_probabilities.values()), 1.0)


def _tied(r) -> bool:
    w = sorted((st.client_welfare for st in r.stable), reverse=True)
    return not r.stable or (len(w) >= 2 and w[0] - w[1] < 1e-6)


def test_large_precisions_reproduce_the_solver():
    """lam_P = lam_C = lam_A = 1e9, lam_S = 1e5, lam_D = 1e11 (the stage-1 limit
    needs lam_D / lam_S -> inf: otherwise a large enough welfare gain outweighs
    a profitable deviation). Random theatres with 2-7 clients, with and without
    patron and pledges in force; theatres with tied welfare among stable
    structures, or none stable, are left out (their count is bounded below).
    Theatres whose imposition takes in a pact in force, or a strict subset of
    the units on offer: tests/test_outcome_imposition.py."""
    p = at(1e9, 1e9, 1e9, 1e5, 1e11)
    checked = 0
    for k in range(0, 100, 2):
        s = scenario(instance(k))
        r = solve(s)
        if _tied(r):
            continue
        d = distribution(compile_theatre(s, p))
        lp = d.log_prob(modal(r))
        assert lp > math.log(0.99), (k, r.design, lp, d.summary()["design"])
        assert d.summary()["design"][r.design] > 0.99
        checked += 1
    assert checked >= 30, checked


@pytest.mark.parametrize("lam", [5.0, 30.0])
def test_sampler_matches_the_distribution(lam):
    p = at(lam, lam, lam, lam, 10 * lam)
    rng = np.random.default_rng(7)
    worst = 0.0
    for n in (2, 3, 4, 5, 6):
        for seed in range(2):
            s = scenario(synthetic_dict(n, seed))
            d = distribution(compile_theatre(s, p))
            pr = d.summary()["design"]
            N = 3000
            counts = Counter(d.sample_design(rng) for _ in range(N))
            for label, v in pr.items():
                f = counts.get(label, 0) / N
                if v == 0.0:
                    assert f == 0.0, (n, seed, label)
                    continue
                se = math.sqrt(v * (1 - v) / N)
                z = abs(f - v) / max(se, 1e-12)
                worst = max(worst, z)
                assert z <= 3.0, (n, seed, label, v, f)
    assert worst > 0  # the sampler is not the computation itself


@pytest.mark.parametrize("k", [3, 10, 55, 60, 64])
def test_stage1_weights_equal_a_direct_computation(k):
    """exp(lam_S W) * prod sigmoid(-lam_D gain), gain = min over the mover's and
    the receiver's members, computed with ClientGame.structures/deviations on
    the expected payoff rows."""
    s = scenario(instance(k))
    p = at(15.0, 15.0, 15.0, 8.0, 60.0)
    th = compile_theatre(s, p)
    game = ClientGame.of(th)
    d = Distribution(th, game, p)
    g2 = copy.copy(game)
    g2.ROW = d.ROW.copy()
    g2.adj_dense = d.ADJ
    direct = {}
    for blocks, U in game.structures():
        u = g2.payoff(blocks, U)
        logw = p.precision_welfare * u.sum()
        for _a, _src, _dst, _new, mover, consent in g2.deviations(blocks, U, u):
            gain = min(mover.min(), consent.min()) if consent.size else mover.min()
            logw += float(log_sigmoid(-p.precision_stability * gain))
        direct[(tuple(sorted(blocks)), U)] = logw
    sw = d.sw
    mine = {}
    for st in range(len(sw.prob)):
        blocks = tuple(sorted(int(g) for g in sw.groups[st] if g and int(g).bit_count() >= 2))
        mine[(blocks, int(sw.U[st]))] = sw.logw[st]
    assert set(mine) == set(direct)
    a = np.array([mine[x] for x in direct])
    b = np.array(list(direct.values()))
    pa, pb = np.exp(a - a.max()), np.exp(b - b.max())
    assert np.allclose(pa / pa.sum(), pb / pb.sum(), atol=1e-10)


def _with_record():
    return [e.id for e in catalog() if get(e.id).record is not None]


@pytest.mark.parametrize("sid", _with_record())
def test_record_log_prob_is_finite_at_finite_precisions(sid):
    s = get(sid)
    r = solve(s, at(), distribution=True)
    d = r.distribution
    assert d.has_record and d.record_log_prob is not None and math.isfinite(d.record_log_prob)
    assert d.record_log_prob <= 1e-12
    assert math.isclose(sum(d.design_probabilities.values()), 1.0, abs_tol=1e-9)
    assert all(0.0 <= v <= 1.0 for v in d.design_probabilities.values())
    assert all(0.0 <= v <= 1.0 for v in d.p_patron_treaty.values())
    assert all(v is None or 0.0 <= v <= 1.0 for v in d.p_defend_given_treaty.values())
    assert all(v is None or v > 0 for v in d.expected_hazard.values())


#: parameters that do not enter the treaty outcome: durability is computed after it
NOT_IN_OUTCOME = {"base_hazard", "hazard_imposed", "hazard_indigenous", "hazard_threat", "hazard_provocation",
                  "hazard_divergence", "hazard_dispute", "hazard_econ", "hazard_trend", "long_years"}
#: parameters that act only on inputs no built-in episode here codes: a rival
#: (OTH1), an anticipated pledge (ANT1), cooperation without a pledge (T2), a
#: client refusing imposition with a pledge in force; each is tested against
#: its switch in tests/test_mechanisms.py
INPUT_GATED = {"rival_value", "anticipation", "cooperate_weight", "linkage_cost",
               "rebuff_cost"}  # (the flat rebuff cost acts only with m_linkage off)
EPISODES = ["asia-pacific-1951", "europe-1948", "southeast-asia-1954", "korea-1953", "ap4-nato-2025", "europe-1947"]


def _record_lp(sid: str, p) -> float:
    s = get(sid)
    th = compile_theatre(s, p)
    return Distribution(th, ClientGame.of(th), p).log_prob(record_treaties(s))


def test_every_outcome_parameter_moves_some_log_prob():
    base = at()
    lp0 = {sid: _record_lp(sid, base) for sid in EPISODES}
    flat = []
    for name, f in type(base).model_fields.items():
        if name in NOT_IN_OUTCOME or name in INPUT_GATED or f.annotation is bool:
            continue  # (switches are not continuous parameters)
        v = getattr(base, name)
        if isinstance(v, (bool, str)):
            continue  # mechanism switches and choices are not continuous parameters
        h = 1e-4 * max(abs(v), 1.0)
        hi = f.metadata and any(getattr(m, "le", None) is not None and v + h > m.le for m in f.metadata)
        step = -h if hi else h
        moved = False
        for sid in EPISODES:
            lp1 = _record_lp(sid, base.model_copy(update={name: v + step}))
            if abs(lp1 - lp0[sid]) / h > 1e-6:
                moved = True
                break
        if not moved:
            flat.append(name)
    assert not flat, f"log-probability flat in {flat}"


def test_precisions_are_declared_and_default_to_the_deterministic_model():
    for k in PRECISIONS:
        assert getattr(DEFAULT, k) == math.inf
    # a deterministic parameter set keeps its digest; a finite precision changes it
    assert at().digest() != DEFAULT.digest()


@pytest.mark.parametrize("k", [4, 57, 63])
def test_hazard_table_equals_durability(k):
    from pactlab.model.durability import durability

    s = scenario(instance(k))
    th = compile_theatre(s, at())
    d = Distribution(th, ClientGame.of(th), th.params)
    rng = np.random.default_rng(k)
    for _ in range(20):
        mem = sorted(set(int(x) for x in rng.integers(0, th.n, size=rng.integers(1, th.n + 1))))
        for lcc in (0, 1, 2):
            for imposed in (False, True):
                assert math.isclose(d._hazard(mem, lcc, imposed), durability(th, mem, lcc, imposed)[0], rel_tol=1e-12)


@pytest.mark.parametrize("seed,lam", [(103, 20.0), (104, 20.0), (103, 50.0)])
def test_approximation_against_exact_at_n9(seed, lam):
    """Above 8 units the structures are truncated (best-first growth from the
    stable ones). Stated bound, checked against full enumeration of Bell(9) =
    21,147 structures: total variation of the design probabilities <= 0.01,
    and the exact weight of the structures left out <= 0.01."""
    from pactlab.scenarios.generate import synthetic

    p = at(lam, lam, lam, lam, 10 * lam)
    th = compile_theatre(synthetic(9, seed), p)
    game = ClientGame.of(th)
    ex = Distribution(th, game, p, max_exact_atoms=9)
    ap = Distribution(th, game, p)
    assert ex.method == "exact" and len(ex.sw.labels) == 21147
    assert ap.method == "approximate" and "Bell(9)" in ap.note
    a, b = ex.summary()["design"], ap.summary()["design"]
    tv = 0.5 * sum(abs(a[k] - b[k]) for k in a)
    kept = {tuple(x) for x in ap.sw.labels}
    omitted = sum(pr for lab, pr in zip(ex.sw.labels, ex.sw.prob) if tuple(lab) not in kept)
    assert tv <= 0.01 and omitted <= 0.01, (tv, omitted)


def test_approximate_structures_stay_within_the_cap_at_low_precision(monkeypatch):
    """At low precisions the weight spreads over most of Bell(k); the truncation
    stops at MAX_APPROX_STRUCTURES (and says so) instead of growing with it."""
    import pactlab.model.outcome as outcome
    from pactlab.scenarios.generate import synthetic

    monkeypatch.setattr(outcome, "MAX_APPROX_STRUCTURES", 300)
    p = at(1.0, 1.0, 1.0, 1.0, 1.0)
    th = compile_theatre(synthetic(10, 103), p)
    d = Distribution(th, ClientGame.of(th), p)
    assert d.method == "approximate"
    assert len(d.sw.labels) <= 300 and d.approx_capped and "cap of 300" in d.note
    assert abs(d.sw.prob.sum() - 1.0) < 1e-9 and math.isfinite(d.sw.logw.max())


@pytest.mark.parametrize("cells", [1, 997])
def test_stage1_in_chunks_equals_one_pass(monkeypatch, cells):
    import pactlab.model.outcome as outcome
    from pactlab.scenarios.generate import synthetic

    p = at(3.0, 3.0, 3.0, 3.0, 3.0)
    th = compile_theatre(synthetic(6, 104), p)
    whole = Distribution(th, ClientGame.of(th), p)
    monkeypatch.setattr(outcome, "STAGE1_CHUNK_CELLS", cells)
    part = Distribution(th, ClientGame.of(th), p)
    assert np.array_equal(whole.sw.labels, part.sw.labels)
    assert np.allclose(whole.sw.logw, part.sw.logw, rtol=0, atol=1e-12)
    assert np.array_equal(whole.sw.stable, part.sw.stable)
