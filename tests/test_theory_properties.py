"""Comparative statics of the theory (H1-H7 and the critics' mechanisms) as
property tests over random valid theatres.

Each test draws a synthetic scenario (``synthetic_dict``), changes one input,
re-validates it with ``parse_scenario`` and compares the compiled theatre
(``compile_theatre``), the group payoffs (``payoffs.evaluate``), the
durability hazard (``durability.durability``) or the full solution (``solve``)
before and after. Where the theory's verbal claim is *not* implied by the
model's equations in general, the docstring says why and the test checks the
version that is implied.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from conftest import (
    actor,
    clients_of,
    scenario,
    scenario_dicts,
    sv,
    theatre,
    with_actor_value,
    with_aligned,
    with_tie,
)
from pactlab.model.clients import ClientGame
from pactlab.model.durability import durability
from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, evaluate
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import get
from pactlab.scenarios.generate import synthetic_dict

TOL = 1e-12
FAST = settings(max_examples=200, deadline=None)
MEDIUM = settings(max_examples=100, deadline=None)

contiguities = st.sampled_from(["land", "sea", "remote"])
distances = st.floats(0.0, 4000.0, allow_nan=False)
factors = st.floats(1.01, 10.0, allow_nan=False)


def _eval(th, rows):
    """evaluate() on rows of (member list over clients, lcc, lp, kind)."""
    n = th.n
    member = np.zeros((len(rows), n), bool)
    for k, (mem, *_rest) in enumerate(rows):
        member[k, list(mem)] = True
    lcc = np.array([r[1] for r in rows])
    lp = np.array([r[2] for r in rows])
    kind = np.array([r[3] for r in rows])
    return evaluate(th, member, lcc, lp, kind)


@st.composite
def treatments(draw, n: int, min_size: int = 1, pledged: bool = True, patron: bool = True):
    """A group of clients and a treatment the solver could give it:
    (members, lcc, lp, kind). With ``pledged`` the group carries some pledge."""
    size = draw(st.integers(min_size, n))
    mem = sorted(draw(st.permutations(range(n)))[:size])
    if size >= 2:
        lcc = draw(st.sampled_from([1, 2]) if pledged else st.sampled_from([0, 1, 2]))
        opts = [(NONE, 0)]
        if patron:
            opts += [(SPOKES, 1), (SPOKES, 2), (JOIN, lcc)] if lcc else [(SPOKES, 1), (SPOKES, 2)]
        kind, lp = draw(st.sampled_from(opts))
    else:
        lcc = 0
        opts = [(SPOKES, 1), (SPOKES, 2)] if (patron and pledged) else [(NONE, 0)] + ([(SPOKES, 1), (SPOKES, 2)] if patron else [])
        kind, lp = draw(st.sampled_from(opts))
    return mem, lcc, lp, kind


# ===========================================================================
# H6 / H7: the status-quo occupation threat
# ===========================================================================


@FAST
@given(d=scenario_dicts(1, 6), factor=factors)
def test_h6_stronger_adversary_never_lowers_threat(d, factor):
    """Raising the adversary's capability never lowers any client's status-quo
    occupation threat ``theta_sq`` (nor the adversary's projected power)."""
    th0 = theatre(d)
    cap = actor(d, "ADV")["capability"]["value"]
    th1 = theatre(with_actor_value(d, "ADV", "capability", cap * factor))
    assert np.all(th1.adv_power >= th0.adv_power - TOL)
    assert np.all(th1.theta_sq >= th0.theta_sq - TOL)
    # and the status-quo defence does not depend on the adversary at all
    np.testing.assert_array_equal(th1.base_defence, th0.base_defence)


@FAST
@given(d=scenario_dicts(1, 5), data=st.data())
def test_h6_closer_foothold_never_lowers_threat(d, data):
    """A foothold near a client never lowers any client's threat; moving it
    closer (same contiguity) never lowers it; clients it is not near are
    unaffected."""
    c = data.draw(st.sampled_from(clients_of(d)))
    cont = data.draw(contiguities)
    overland = data.draw(st.booleans())
    far = data.draw(distances)
    near = data.draw(st.floats(0.0, far))

    def with_foothold(dist):
        e = copy.deepcopy(d)
        e["footholds"] = [
            {"holder": "ADV", "near": c, "contiguity": cont, "distance_km": dist, "overland": overland,
             "source": "synthetic"}
        ]
        return theatre(e)

    th0, th_far, th_near = theatre(d), with_foothold(far), with_foothold(near)
    assert np.all(th_far.theta_sq >= th0.theta_sq - TOL)
    assert np.all(th_near.theta_sq >= th_far.theta_sq - TOL)
    k = clients_of(d).index(c)
    others = [i for i in range(th0.n) if i != k]
    np.testing.assert_allclose(th_near.theta_sq[others], th0.theta_sq[others], rtol=0, atol=TOL)


@FAST
@given(d=scenario_dicts(1, 5), data=st.data())
def test_h6_aligned_adversary_never_lowers_threat(d, data):
    """Adding an aligned adversary (alignment > 0), wherever it sits, never
    lowers any client's status-quo threat."""
    cs = clients_of(d)
    ties = [(c, data.draw(contiguities), data.draw(distances), data.draw(st.booleans())) for c in cs]
    cap = data.draw(st.floats(1e-3, 0.5))
    reach = data.draw(st.floats(0.0, 1.0))
    alignment = data.draw(st.floats(0.01, 1.0))
    th0 = theatre(d)
    th1 = theatre(with_aligned(d, "ALI", cap, reach, alignment, ties))
    assert np.all(th1.adv_power >= th0.adv_power - TOL)
    assert np.all(th1.theta_sq >= th0.theta_sq - TOL)


@FAST
@given(d=scenario_dicts(1, 6), data=st.data())
def test_h7_land_tie_threatens_more_than_sea_tie(d, data):
    """H7: replacing a client's land tie to the adversary by a sea tie at the
    same distance (other things equal; ``overland`` false) never raises its
    threat, and lowers it strictly: a sea crossing carries only
    ``sea_factor x reach`` of the adversary's power, which is < 1 whenever
    ``sea_factor < 1`` or the adversary's reach is < 1 (here both), and the
    adversary's power is positive. Other clients are unaffected. Likewise open
    ocean (remote) never threatens more than a sea crossing."""
    c = data.draw(st.sampled_from(clients_of(d)))
    dist = data.draw(st.floats(0.0, 2500.0))
    land = theatre(with_tie(d, "ADV", c, contiguity="land", distance_km=dist, overland=True))
    sea = theatre(with_tie(d, "ADV", c, contiguity="sea", distance_km=dist, overland=False))
    remote = theatre(with_tie(d, "ADV", c, contiguity="remote", distance_km=dist, overland=False))
    k = clients_of(d).index(c)
    reach = actor(d, "ADV")["maritime_reach"]["value"]
    assert DEFAULT.sea_factor * reach < 1.0 and actor(d, "ADV")["capability"]["value"] > 0
    assert sea.theta_sq[k] < land.theta_sq[k]
    assert remote.theta_sq[k] <= sea.theta_sq[k] + TOL
    others = [i for i in range(land.n) if i != k]
    np.testing.assert_array_equal(sea.theta_sq[others], land.theta_sq[others])


# ===========================================================================
# H6 -> client collective security
# ===========================================================================

#: obligation costs switched off, and no conquered capability added to
#: stepping-stone strikes (see the docstring below for why)
P_H6 = Parameters(**{**DEFAULT.model_dump(), "obligation_cost": 0.0, "conquest_absorption": 0.0})


def _two_clients_on_the_border(d: dict) -> dict:
    """Both clients border the adversary by land at distance 0."""
    for c in clients_of(d):
        d = with_tie(d, "ADV", c, contiguity="land", distance_km=0.0, overland=True)
    return d


def _pact_value(th, lcc: int) -> np.ndarray:
    """Each client's payoff in the pact {0, 1} at level lcc (no patron) minus
    its payoff when both stand alone (own payoff + the other's externality)."""
    ev = _eval(th, [([0, 1], lcc, 0, NONE), ([0], 0, 0, NONE), ([1], 0, 0, NONE)])
    alone = ev.own[1] + ev.own[2] + ev.ext[1] + ev.ext[2]
    return ev.own[0] - alone


@st.composite
def h6_pairs(draw, constrained: bool = False):
    """A two-client theatre without patron, both clients on the adversary's land
    border, and adversary capabilities a < a' such that at a' both status-quo
    threats are at most the probe threshold."""
    d = _two_clients_on_the_border(synthetic_dict(2, draw(st.integers(0, 2**32 - 1)), with_patron=False))
    if constrained:
        d = with_actor_value(d, "C1", "sovereignty", "constrained")
    # Trade costs are constant in a, and a land border between the clients
    # makes their pledges count: both make stable pacts common in the draw.
    for c in clients_of(d):
        d = with_actor_value(d, c, "econ_dependence", draw(st.floats(0.0, 0.05)))
    if draw(st.booleans()):
        d = with_tie(d, "C0", "C1", contiguity="land", distance_km=0.0, overland=True)
    caps = [actor(d, c)["capability"]["value"] for c in clients_of(d)]
    t_hi = draw(st.floats(1e-4, DEFAULT.probe_threshold))
    # theta_sq = a^2 / (a^2 + (k cap)^2) for a land tie at distance 0 and no
    # prior pledges: the weakest client reaches t_hi at a_hi.
    a_hi = DEFAULT.defence_advantage * min(caps) * (t_hi / (1 - t_hi)) ** (1 / DEFAULT.contest_exponent) * (1 - 1e-9)
    a_lo = a_hi * draw(st.floats(0.05, 0.999))
    return (with_actor_value(d, "ADV", "capability", float(a_lo)),
            with_actor_value(d, "ADV", "capability", float(a_hi)))


@MEDIUM
@given(pair=h6_pairs(), lcc=st.sampled_from([1, 2]))
def test_h6_pact_value_rises_with_adversary_power(pair, lcc):
    """H6 -> collective security, in the form the model implies.

    The verbal claim "raising the adversary's capability never makes client
    collective security less likely" is NOT implied by the payoffs in
    general, for four reasons visible in ``payoffs.evaluate``:

    1. obligation costs (``obligation_cost x partner's theta_sq``) grow with
       the adversary's power;
    2. the contest function saturates: the threat reduction from pooled
       defence, csf(a, d0) - csf(a, d1), *falls* in a once
       a^m > sqrt((k d0)^m (k d1)^m) -- when the adversary is overwhelming,
       pooling buys little;
    3. probing is a threshold: when the adversary becomes strong enough to
       probe a member even inside the pact, the pact loses the value of
       having kept it below the threshold (a downward jump);
    4. stepping stones: the most credible route can switch from direct to
       via the partner, and the via-route is not reduced as much by the pact.

    (A concrete counterexample at DEFAULT is
    ``test_h6_general_claim_counterexample`` below.) What the model does
    imply: with obligation costs zero (1), status-quo threats at the higher
    capability at most the probe threshold (< 1/2, which rules out 2 and 3),
    both clients bordering the adversary by land at distance 0 and
    ``conquest_absorption = 0`` (so no stepping-stone strike can beat the
    direct route, ruling out 4), each client's value of the two-client pact
    over standing alone, at a fixed pledge level and without patron, is
    non-decreasing in the adversary's capability.
    """
    lo, hi = pair
    th_lo, th_hi = theatre(lo, P_H6), theatre(hi, P_H6)
    assert th_hi.theta_sq.max() <= P_H6.probe_threshold
    v_lo, v_hi = _pact_value(th_lo, lcc), _pact_value(th_hi, lcc)
    assert np.all(v_hi >= v_lo - TOL), (v_lo, v_hi)


@settings(max_examples=250, deadline=None)
@given(pair=h6_pairs(constrained=True))
def test_h6_stable_pact_stays_stable_when_adversary_grows(pair):
    """Under the conditions of the previous test, with one pledge level only
    (client C1 is 'constrained', so the pact is at 'consult'): if the pact
    {C0, C1} is individually stable at adversary capability a, it is stable
    at a' > a (``ClientGame.is_stable``)."""
    lo, hi = pair
    s_lo, s_hi = ClientGame.of(theatre(lo, P_H6)), ClientGame.of(theatre(hi, P_H6))
    assert s_lo.block_tab[3].lcc == s_hi.block_tab[3].lcc == 1
    stable_lo = s_lo.is_stable((3,), 0)
    event(f"stable at a: {stable_lo}")
    if stable_lo:
        assert s_hi.is_stable((3,), 0)


def _counterexample(adv_cap: float) -> dict:
    """Two identical full-sovereignty clients bordering each other and the
    adversary by land, no patron."""
    def c(ident):
        return {"id": ident, "name": ident, "role": "client", "capability": sv(0.02, "s"),
                "maritime_reach": sv(0.5, "s"), "patron_stake": sv(0.5, "s")}
    return {
        "id": "h6-counterexample", "title": "x", "region": "x", "year": 2000, "kind": "counterfactual",
        "capability_measure": "x", "sources": {"s": {"cite": "test"}},
        "actors": [c("A"), c("B"), {"id": "ADV", "name": "ADV", "role": "adversary",
                                    "capability": sv(adv_cap, "s"), "maritime_reach": sv(0.5, "s")}],
        "geography": [
            {"a": "A", "b": "B", "contiguity": "land", "distance_km": 0.0, "source": "s"},
            {"a": "A", "b": "ADV", "contiguity": "land", "distance_km": 0.0, "source": "s"},
            {"a": "B", "b": "ADV", "contiguity": "land", "distance_km": 0.0, "source": "s"},
        ],
    }


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Gap between the theory and the model: H6 read as 'a stronger adversary never makes client "
        "collective security less likely' fails at DEFAULT. Two identical clients (cap 0.02) bordering each "
        "other and the adversary, no patron: the defend pact is individually stable at adversary capability "
        "0.30 (theta_sq 0.962, pact worth +0.050 to each) and not at 0.40 (theta_sq 0.978): there a defend "
        "pact cuts theta only 0.978 -> 0.917 (contest-function saturation), worth (1.5 probe-escalated risk "
        "+ 0.5 contagion) x 0.061 = 0.121, less than the obligation cost 0.15 x 0.978 = 0.147 plus the "
        "pledge cost 0.005 (-0.031; consult: -0.018). Client pacts are stable only on an interval of "
        "adversary power."
    ),
)
def test_h6_general_claim_counterexample():
    """The unrestricted H6 claim on a minimal theatre (see the xfail reason)."""
    lo, hi = ClientGame.of(theatre(_counterexample(0.30))), ClientGame.of(theatre(_counterexample(0.40)))
    assert lo.is_stable((3,), 0)  # the pact is stable at the weaker adversary ...
    assert hi.is_stable((3,), 0)  # ... and (the claim) still at the stronger one


# ===========================================================================
# H5: the patron matches the clients' commitment
# ===========================================================================


def _check_h5(result) -> int:
    by_id = {c.id: c for c in result.clients}
    joined = [t for t in result.treaties if t.origin == "joined"]
    for t in joined:
        assert t.with_patron and len(t.clients) >= 2
        for cid in t.clients:
            assert by_id[cid].pledge_to_clients == t.level, (t, by_id[cid])
            assert by_id[cid].patron_pledge == t.level, (t, by_id[cid])
            assert set(by_id[cid].group) == set(t.clients)
    return len(joined)


@MEDIUM
@given(d=scenario_dicts(2, 5, with_patron=True))
def test_h5_joined_treaty_matches_clients_level(d):
    """H5: whenever the patron joins a block (origin 'joined'), the treaty's
    level equals the level the clients pledged to each other in that block
    (``ClientState.pledge_to_clients``), and the patron's pledge to each
    member is that level too."""
    event(f"joined treaties: {_check_h5(solve(scenario(d)))}")


def test_h5_joined_treaties_are_covered():
    """The H5 check is not vacuous: a deterministic sweep finds joined
    treaties at both levels."""
    levels = set()
    count = 0
    for seed in range(150):
        r = solve(scenario(synthetic_dict(2 + seed % 4, seed)))
        count += _check_h5(r)
        levels |= {t.level for t in r.treaties if t.origin == "joined"}
    assert count >= 5
    assert levels == {"consult", "defend"}


# ===========================================================================
# H1: the patron prefers joining an indigenous block to imposing one
# ===========================================================================


@FAST
@given(d=scenario_dicts(2, 6, with_patron=True), data=st.data())
def test_h1_joining_beats_imposing_for_status_quo_clients(d, data):
    """H1: for status-quo clients (provocation 0, divergence 0), the patron's
    payoff from joining their own block is at least its payoff from an
    imposed multilateral of the same members at the same level.

    Note: for status-quo clients the two are *equal* in the model -- the
    imposed discount acts only on the assurance that removes entrapment risk,
    and entrapment is zero without provocation or divergence. The strict
    preference appears with risky clients (next test)."""
    for c in clients_of(d):
        d = with_actor_value(d, c, "provocation", 0.0)
        d = with_actor_value(d, c, "threat_divergence", 0.0)
    th = theatre(d)
    mem, lcc, _lp, _kind = data.draw(treatments(th.n, min_size=2))
    ev = _eval(th, [(mem, lcc, lcc, JOIN), (mem, lcc, lcc, IMPOSED)])
    assert ev.patron[0] >= ev.patron[1] - TOL


@FAST
@given(d=scenario_dicts(2, 6, with_patron=True), data=st.data())
def test_h1_joining_beats_imposing_any_clients(d, data):
    """The same comparison for any clients: never worse, and strictly better
    when some member carries entrapment risk (provocation or divergence > 0)
    and its war probability is below 1."""
    th = theatre(d)
    mem, lcc, _lp, _kind = data.draw(treatments(th.n, min_size=2))
    ev = _eval(th, [(mem, lcc, lcc, JOIN), (mem, lcc, lcc, IMPOSED)])
    assert ev.patron[0] >= ev.patron[1] - TOL
    risk = ev.theta[0] * (1 + DEFAULT.probe_escalation * ev.probe[0])
    strict = any(ev.entrapment[1, i] > 0 and risk[i] + ev.entrapment[0, i] < 1 for i in mem)
    if strict:
        assert ev.patron[0] > ev.patron[1]
    # entrapment itself is never higher under the joined treaty
    assert np.all(ev.entrapment[0] <= ev.entrapment[1] + TOL)


# ===========================================================================
# H2 / H3: durability
# ===========================================================================


def test_durability_refuses_a_treaty_without_clients():
    """A hazard averaged over no members would be NaN: refused with a message."""
    th = theatre(synthetic_dict(3, 1))
    with pytest.raises(ValueError, match="at least one client"):
        durability(th, [], 2, False)
    assert np.isfinite(durability(th, [0], 2, False)[0])


@FAST
@given(d=scenario_dicts(2, 6), data=st.data(), factor=factors)
def test_h2_h3_durability_hazard(d, data, factor):
    """H3: an imposed treaty's hazard is higher than the same members joined;
    H2: a higher indigenous commitment (defend over consult) lowers the
    hazard; a higher mean occupation threat (stronger adversary) lowers it."""
    th = theatre(d)
    mem = sorted(data.draw(st.permutations(range(th.n)))[: data.draw(st.integers(2, th.n))])
    for lcc in (1, 2):
        h_imp, _ = durability(th, mem, lcc, True)
        h_join, _ = durability(th, mem, lcc, False)
        assert h_imp > h_join
    assert durability(th, mem, 2, False)[0] < durability(th, mem, 1, False)[0]
    cap = actor(d, "ADV")["capability"]["value"]
    th2 = theatre(with_actor_value(d, "ADV", "capability", cap * factor))
    assert th2.theta_sq[mem].mean() >= th.theta_sq[mem].mean() - TOL
    for lcc in (1, 2):
        for imposed in (False, True):
            h1, h2 = durability(th, mem, lcc, imposed)[0], durability(th2, mem, lcc, imposed)[0]
            assert h2 <= h1 * (1 + 1e-12)
            if th2.theta_sq[mem].mean() > th.theta_sq[mem].mean() + 1e-9:
                assert h2 < h1


# ===========================================================================
# Critics' mechanisms (seeds 000-004)
# ===========================================================================


@FAST
@given(d=scenario_dicts(1, 5), data=st.data())
def test_econ_dependence_lowers_value_of_committing(d, data):
    """Seed 001: raising a client's trade dependence on the adversary never
    raises its payoff from any group carrying a pledge relative to standing
    alone; with ``econ_cost > 0`` it lowers it strictly."""
    has_patron = any(a["role"] == "patron" for a in d["actors"])
    th = theatre(d)
    mem, lcc, lp, kind = data.draw(treatments(th.n, pledged=True, patron=has_patron))
    assume(lcc > 0 or lp > 0)
    i = data.draw(st.sampled_from(mem))
    cid = th.ids[i]
    e0 = float(th.econ[i])
    e1 = data.draw(st.floats(min(e0 + 0.01, 1.0), 1.0))
    assume(e1 > e0)
    th1 = theatre(with_actor_value(d, cid, "econ_dependence", e1))
    rows = [(mem, lcc, lp, kind), ([i], 0, 0, NONE)]
    ev0, ev1 = _eval(th, rows), _eval(th1, rows)
    v0 = ev0.own[0, i] - ev0.own[1, i]
    v1 = ev1.own[0, i] - ev1.own[1, i]
    assert v1 < v0


@FAST
@given(d=scenario_dicts(2, 5), data=st.data())
def test_dispute_lowers_value_of_block(d, data):
    """Seed 002: raising the dispute intensity between two clients never
    raises either's payoff from a block containing both (here: lowers it
    strictly, since a block carries a pledge), whatever the patron does."""
    has_patron = any(a["role"] == "patron" for a in d["actors"])
    cs = clients_of(d)
    n = len(cs)
    mem, lcc, lp, kind = data.draw(treatments(n, min_size=2, patron=has_patron))
    i, j = data.draw(st.permutations(mem))[:2]
    x0 = data.draw(st.floats(0.0, 0.9))
    x1 = data.draw(st.floats(x0 + 0.05, 1.0))

    def with_dispute(x):
        e = copy.deepcopy(d)
        e["disputes"] = [{"a": cs[i], "b": cs[j], "intensity": x, "source": "synthetic"}]
        return theatre(e)

    rows = [(mem, lcc, lp, kind)]
    ev0, ev1 = _eval(with_dispute(x0), rows), _eval(with_dispute(x1), rows)
    assert ev1.own[0, i] < ev0.own[0, i]
    assert ev1.own[0, j] < ev0.own[0, j]
    others = [k for k in mem if k not in (i, j)]
    np.testing.assert_allclose(ev1.own[0, others], ev0.own[0, others], rtol=0, atol=TOL)


@MEDIUM
@given(d=scenario_dicts(2, 5), data=st.data())
def test_occupied_or_unrecognised_clients_never_in_a_client_block(d, data):
    """Seed 002: a client that is not a 'normal' sovereign state for alliance
    purposes (occupied, unrecognised) is never in a client block, a
    multilateral with two or more clients, or a stable structure's block."""
    cs = clients_of(d)
    bad = data.draw(st.lists(st.sampled_from(cs), min_size=1, max_size=len(cs), unique=True))
    for c in bad:
        d = with_actor_value(d, c, "sovereignty", data.draw(st.sampled_from(["occupied", "unrecognised"])))
    r = solve(scenario(d))
    for t in r.treaties:
        if len(t.clients) >= 2:
            assert not set(t.clients) & set(bad), t
    for s in r.stable:
        for b in s.blocks:
            assert not set(b) & set(bad), s
    for c in r.clients:
        if c.id in bad:
            assert c.pledge_to_clients == "none"
            assert c.group == (c.id,)


@FAST
@given(d=scenario_dicts(1, 5), data=st.data())
def test_linking_never_lowers_alignment_or_threat(d, data):
    """Seed 004: cross-theatre linking never lowers an aligned adversary's
    alignment and never lowers any client's status-quo threat; more linking,
    no less of either."""
    cs = clients_of(d)
    for k in range(data.draw(st.integers(1, 2))):
        ties = [(c, data.draw(contiguities), data.draw(distances), data.draw(st.booleans())) for c in cs]
        d = with_aligned(d, f"AL{k}", data.draw(st.floats(1e-3, 0.5)), data.draw(st.floats(0.0, 1.0)),
                         data.draw(st.floats(0.0, 1.0)), ties)
    l1 = data.draw(st.floats(0.0, 1.0))
    l2 = data.draw(st.floats(l1, 1.0))
    ths = [theatre(d)]
    for L in (l1, l2):
        e = copy.deepcopy(d)
        e["linking"] = sv(L)
        ths.append(theatre(e))
    for a, b in zip(ths, ths[1:]):
        for k, v in a.alignment.items():
            assert b.alignment[k] >= v - TOL
            assert b.alignment_unlinked[k] == a.alignment_unlinked[k]
            assert b.alignment[k] <= 1.0 + TOL
        assert np.all(b.theta_sq >= a.theta_sq - TOL)


def test_linking_park_dersimonian_ap4_vs_indo_pacific():
    """Seed 004 on the built-ins: ap4-nato-2025 is indo-pacific-2025 with
    linking; linking raises Russia's alignment and lowers no client's
    status-quo threat (it raises some)."""
    a = solve(get("ap4-nato-2025"))
    b = solve(get("indo-pacific-2025"))
    for k, (before, after) in a.counter_alignment.items():
        assert after >= before
    assert any(after > before for before, after in a.counter_alignment.values())
    ta = {c.id: c.threat_status_quo for c in a.clients}
    tb = {c.id: c.threat_status_quo for c in b.clients}
    assert ta.keys() == tb.keys()
    assert all(ta[k] >= tb[k] - TOL for k in ta)
    assert any(ta[k] > tb[k] for k in ta)


@FAST
@given(d=scenario_dicts(1, 5, with_patron=True), data=st.data())
def test_provocation_raises_entrapment_under_a_spoke(d, data):
    """Seed 002 / Cohen: raising a client's provocation raises the patron's
    entrapment risk under a bilateral spoke (strictly: bilateral control
    restrains only part of it)."""
    cs = clients_of(d)
    c = data.draw(st.sampled_from(cs))
    i = cs.index(c)
    p0 = data.draw(st.floats(0.0, 0.9))
    p1 = data.draw(st.floats(p0 + 0.05, 1.0))
    lp = data.draw(st.sampled_from([1, 2]))
    rows = [([i], 0, lp, SPOKES)]
    e0 = _eval(theatre(with_actor_value(d, c, "provocation", p0)), rows).entrapment[0, i]
    e1 = _eval(theatre(with_actor_value(d, c, "provocation", p1)), rows).entrapment[0, i]
    assert e1 > e0


@FAST
@given(d=scenario_dicts(2, 6, with_patron=True), data=st.data())
def test_bilateral_control_reduces_entrapment(d, data):
    """Seed 002 (hub and spoke as control): for the same clients at the same
    client commitment, bilateral spokes leave the patron no more entrapment
    risk than one multilateral treaty, strictly less for every member the
    patron suspects of provoking (control restrains provocation, real or
    suspected, not divergence: docs/model.md 3.4); and where an imposed
    commitment would assure nothing, a lone client's spoke leaves less than an
    imposed multilateral."""
    th = theatre(d)
    mem, lcc, _lp, _kind = data.draw(treatments(th.n, min_size=2))
    lp = data.draw(st.sampled_from([1, 2]))
    ev = _eval(th, [(mem, lcc, lp, SPOKES), (mem, lcc, lcc, JOIN)])
    no_assurance = theatre(d, DEFAULT.model_copy(update={"imposed_discount": 1.0, "m_lure": False}))
    ev2 = _eval(no_assurance, [(mem, lcc, lcc, IMPOSED)] + [([i], 0, lp, SPOKES) for i in mem])
    for i in mem:
        assert ev.entrapment[0, i] <= ev.entrapment[1, i] + TOL
        spoke_alone = ev2.entrapment[1 + mem.index(i), i]
        assert spoke_alone <= ev2.entrapment[0, i] + TOL
        if (th.provocation[i] + DEFAULT.suspicion) * (1 - ev.assurance[1, i]) > 1e-9:
            assert ev.entrapment[0, i] < ev.entrapment[1, i]
            if np.all(no_assurance.prior_cc[i] == 0):
                assert spoke_alone < ev2.entrapment[0, i]
