"""Exact checks of the threat and payoff equations against hand computations.

A tiny theatre (two clients, an adversary, a patron) whose numbers are
written out below; every expected value is computed here, step by step, from
the equations of ``threat.py`` / ``payoffs.py`` / ``durability.py``
(docs/model.md) with the parameter values spelled out as literals -- not by
calling the functions under test. ``test_parameter_literals`` pins those
literals to ``DEFAULT`` so that a change of default shows up as one clear
failure.
"""

from __future__ import annotations

import copy
from math import exp, log

import numpy as np
import pytest

from conftest import sv, theatre
from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, evaluate
from pactlab.model.durability import durability

# --- the global parameters, as literals -------------------------------------
SCALE = 1000.0  # distance_scale_km
REACH_GRAD = 3.0  # reach_gradient
SEA = 0.5  # sea_factor
REMOTE = 0.2  # remote_factor
K = 3.0  # defence_advantage
M = 2.0  # contest_exponent
ABSORB = 0.5  # conquest_absorption
CONSULT = 0.35  # consult_weight
NEIGH = 0.5  # neighbour_weight
OBLIG = 0.15  # obligation_cost
PLEDGE = 0.005  # pledge_cost
DISPUTE = 0.3  # dispute_cost
ECON = 0.3  # econ_cost
ACCESS = 0.05  # access_value
PTHREAT = 1.0  # patron_threat_weight
WAR = 0.4  # war_cost
DIVENT = 0.3  # divergence_entrapment
CTRL_BI = 0.6  # control_bilateral
CTRL_MULTI = 0.2  # control_multilateral
ASSURE_DEF = 0.7  # assurance_defend
ASSURE_CON = 0.3  # assurance_consult
IMP_DISC = 0.7  # imposed_discount
SUSP = 0.2  # suspicion (H1: suspected propensity to provoke)
LURE = 0.5  # lure (H3)
LEVERAGE = 0.03  # leverage_value
PROBE = 0.35  # probe_threshold
ESC = 0.5  # probe_escalation
COUNTER = 0.5  # counter_alignment
ACQ = 0.5  # acquired_reach
CONV = 1.0  # convergence
H_BASE = 1 / 30
H_IMPOSED, H_INDIG, H_THREAT, H_PROV, H_DIV, H_DISP, H_ECON, H_TREND = 1.2, 0.8, 1.0, 0.8, 0.6, 0.6, 0.8, 0.3


def test_parameter_literals():
    p = DEFAULT
    assert (p.distance_scale_km, p.reach_gradient, p.sea_factor, p.remote_factor) == (SCALE, REACH_GRAD, SEA, REMOTE)
    assert (p.defence_advantage, p.contest_exponent, p.conquest_absorption, p.consult_weight) == (K, M, ABSORB, CONSULT)
    assert (p.neighbour_weight, p.obligation_cost, p.pledge_cost, p.dispute_cost, p.econ_cost) == (
        NEIGH, OBLIG, PLEDGE, DISPUTE, ECON)
    assert (p.access_value, p.patron_threat_weight, p.war_cost, p.divergence_entrapment) == (ACCESS, PTHREAT, WAR, DIVENT)
    assert (p.control_bilateral, p.control_multilateral, p.assurance_defend, p.assurance_consult) == (
        CTRL_BI, CTRL_MULTI, ASSURE_DEF, ASSURE_CON)
    assert (p.imposed_discount, p.leverage_value, p.probe_threshold, p.probe_escalation) == (IMP_DISC, LEVERAGE, PROBE, ESC)
    assert p.counter_alignment == COUNTER
    assert (p.suspicion, p.lure) == (SUSP, LURE)
    assert (p.acquired_reach, p.convergence, p.power_measure) == (ACQ, CONV, "military")
    assert (p.base_hazard, p.hazard_imposed, p.hazard_indigenous, p.hazard_threat, p.hazard_provocation,
            p.hazard_divergence, p.hazard_dispute, p.hazard_econ, p.hazard_trend) == (
        H_BASE, H_IMPOSED, H_INDIG, H_THREAT, H_PROV, H_DIV, H_DISP, H_ECON, H_TREND)


# --- the theatre ---------------------------------------------------------------
# C0: cap 0.05, reach 0.2, provocation 0.3, divergence 0.5, econ 0.2, stake 1.0
# C1: cap 0.04, reach 0.0, stake 0.5 (other judgements absent: 0)
# ADV: cap 0.2, reach 0.5        PAT: cap 0.4, reach 1.0, leverage 0.5
# C0-ADV land 0 km; C1-ADV sea 500 km; C0-C1 sea 200 km;
# PAT-C0 remote 6000 km; PAT-C1 remote 5000 km.


def tiny() -> dict:
    def client(ident, cap, reach, stake, **kw):
        a = {"id": ident, "name": ident, "role": "client", "capability": sv(cap, "s"),
             "maritime_reach": sv(reach, "s"), "patron_stake": sv(stake, "s")}
        a.update({k: sv(v, "s") for k, v in kw.items()})
        return a

    return {
        "id": "tiny", "title": "tiny", "region": "x", "year": 2000, "kind": "counterfactual",
        "capability_measure": "x", "sources": {"s": {"cite": "hand-made"}},
        "actors": [
            client("C0", 0.05, 0.2, 1.0, provocation=0.3, threat_divergence=0.5, econ_dependence=0.2),
            client("C1", 0.04, 0.0, 0.5),
            {"id": "ADV", "name": "ADV", "role": "adversary", "capability": sv(0.2, "s"), "maritime_reach": sv(0.5, "s")},
            {"id": "PAT", "name": "PAT", "role": "patron", "capability": sv(0.4, "s"), "maritime_reach": sv(1.0, "s"),
             "leverage_motive": sv(0.5, "s")},
        ],
        "geography": [
            {"a": "C0", "b": "ADV", "contiguity": "land", "distance_km": 0.0, "source": "s"},
            {"a": "C1", "b": "ADV", "contiguity": "sea", "distance_km": 500.0, "source": "s"},
            {"a": "C0", "b": "C1", "contiguity": "sea", "distance_km": 200.0, "source": "s"},
            {"a": "PAT", "b": "C0", "contiguity": "remote", "distance_km": 6000.0, "source": "s"},
            {"a": "PAT", "b": "C1", "contiguity": "remote", "distance_km": 5000.0, "source": "s"},
        ],
    }


def csf(a: float, d: float) -> float:
    return a**M / (a**M + (K * d) ** M)


# Hand computation of the compiled theatre.
# Projected power = capability x exp(-d / (SCALE (1 + REACH_GRAD reach))) x mode,
# mode = 1 by land, SEA x reach across sea, REMOTE x reach across ocean.
ADV_P0 = 0.2 * 1.0 * 1.0  # land, distance 0
ADV_P1 = 0.2 * exp(-500 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)  # = 0.2 e^-0.2 x 0.25
PROJ_01 = 0.05 * exp(-200 / (SCALE * (1 + REACH_GRAD * 0.2))) * (SEA * 0.2)  # C0's power at C1
PROJ_10 = 0.04 * exp(-200 / SCALE) * (SEA * 0.0)  # C1 has no reach: 0
PROX = exp(-200 / SCALE)
# Stepping stones (docs/model.md 2.7): from an occupied C_j, the adversary
# strikes C_i with the force that reached C_j (A_j) plus ABSORB of C_j's
# capability, over the C_j-C_i tie (minimum distance) at its own reach.
STEP_01 = (ADV_P0 + ABSORB * 0.05) * exp(-200 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
STEP_10 = (ADV_P1 + ABSORB * 0.04) * exp(-200 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
PAT_P0 = 0.4 * exp(-6000 / (SCALE * (1 + REACH_GRAD * 1.0))) * (REMOTE * 1.0)
PAT_P1 = 0.4 * exp(-5000 / (SCALE * (1 + REACH_GRAD * 1.0))) * (REMOTE * 1.0)
TH_SQ0 = csf(ADV_P0, 0.05)  # = 0.04 / (0.04 + 0.0225) = 0.64
TH_SQ1 = csf(ADV_P1, 0.04)
# Status-quo threat along the best route (2.7): with two clients, directly or
# through the other one.
TRSQ0 = max(TH_SQ0, TH_SQ1 * csf(STEP_10, 0.05))
TRSQ1 = max(TH_SQ1, TH_SQ0 * csf(STEP_01, 0.04))
# Threat convergence (2.11): C0's coded divergence 0.5 falls to 0.5 (1 - CONV theta).
DIV0 = 0.5 * (1 - CONV * TRSQ0)


def test_compiled_theatre_by_hand():
    th = theatre(tiny())
    assert th.ids == ["C0", "C1"]
    np.testing.assert_allclose(th.adv_power, [ADV_P0, ADV_P1], rtol=1e-12)
    np.testing.assert_allclose(th.proj, [[0, PROJ_01], [PROJ_10, 0]], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(th.prox, [[0, PROX], [PROX, 0]], rtol=1e-12)
    np.testing.assert_allclose(th.step_power, [[0, STEP_01], [STEP_10, 0]], rtol=1e-12)
    np.testing.assert_allclose(th.patron_proj, [PAT_P0, PAT_P1], rtol=1e-12)
    np.testing.assert_allclose(th.base_defence, [0.05, 0.04], rtol=1e-12)
    assert TH_SQ0 == pytest.approx(0.64, abs=1e-15)
    np.testing.assert_allclose(th.theta_sq, [TH_SQ0, TH_SQ1], rtol=1e-12)
    assert th.atoms == [1, 2]
    assert th.leverage == 0.5 and th.patron_max == 2
    np.testing.assert_array_equal(th.pledge_cap, [2, 2])
    np.testing.assert_allclose(th.theta_route_sq, [TRSQ0, TRSQ1], rtol=1e-12)
    np.testing.assert_allclose(th.divergence, [DIV0, 0.0], rtol=1e-12)
    # no actor carries CAP2 shares: the whole theatre uses CINC, and says so
    assert th.power_measure == "cinc" and len(th.notes) == 1 and "CINC" in th.notes[0]


def test_foothold_aligned_adversary_and_linking_by_hand():
    """A land foothold 100 km from C1 gives the adversary a better route; an
    aligned adversary (alignment 0.4, linking 0.5) adds its weighted power."""
    d = tiny()
    d["footholds"] = [{"holder": "ADV", "near": "C1", "contiguity": "land", "distance_km": 100.0, "source": "s"}]
    d["actors"].append({"id": "ALI", "name": "ALI", "role": "aligned_adversary", "capability": sv(0.1, "s"),
                        "maritime_reach": sv(0.0, "s"), "alignment": sv(0.4, "s")})
    d["geography"] += [
        {"a": "ALI", "b": "C0", "contiguity": "sea", "distance_km": 300.0, "source": "s"},
        {"a": "ALI", "b": "C1", "contiguity": "land", "distance_km": 0.0, "overland": True, "source": "s"},
    ]
    d["linking"] = sv(0.5, "s")
    th = theatre(d)
    w = 0.4 + COUNTER * 0.5 * (1 - 0.4)  # = 0.55
    assert th.alignment == pytest.approx({"ALI": w})
    assert th.alignment_unlinked == {"ALI": 0.4}
    foothold_route = exp(-100 / (SCALE * (1 + REACH_GRAD * 0.5)))  # by land: better than the sea tie
    ali_at_c0 = 0.1 * exp(-300 / SCALE) * (SEA * 0.0)  # no reach across the sea: 0
    ali_at_c1 = 0.1 * 1.0
    adv0 = ADV_P0 + w * ali_at_c0
    adv1 = 0.2 * max(foothold_route, exp(-0.2) * 0.25) + w * ali_at_c1
    np.testing.assert_allclose(th.adv_power, [adv0, adv1], rtol=1e-12)
    np.testing.assert_allclose(th.theta_sq, [csf(adv0, 0.05), csf(adv1, 0.04)], rtol=1e-12)
    # the strike from occupied C0 carries the side's force that reached C0
    step = exp(-200 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
    np.testing.assert_allclose(th.step_power[0, 1], (adv0 + ABSORB * 0.05) * step, rtol=1e-12)


def test_prior_treaties_enter_status_quo_defence():
    """A consult pact C0-C1 in force and a defend treaty PAT-C0: the status quo
    defence counts them (CONSULT of the partner's projection, all of the
    patron's), and the two clients form one atom."""
    d = tiny()
    d["treaties"] = [
        {"id": "cc", "members": ["C0", "C1"], "level": "consult", "source": "s"},
        {"id": "pc", "members": ["PAT", "C0"], "level": "defend", "source": "s"},
    ]
    th = theatre(d)
    def0 = 0.05 + CONSULT * PROJ_10 + 1.0 * PAT_P0
    def1 = 0.04 + CONSULT * PROJ_01
    np.testing.assert_allclose(th.base_defence, [def0, def1], rtol=1e-12)
    np.testing.assert_allclose(th.theta_sq, [csf(ADV_P0, def0), csf(ADV_P1, def1)], rtol=1e-12)
    assert th.atoms == [3]
    np.testing.assert_array_equal(th.prior_patron, [2, 0])
    np.testing.assert_array_equal(th.prior_cc, [[0, 1], [1, 0]])


def _ev(th, rows):
    member = np.array([[i in r[0] for i in range(th.n)] for r in rows])
    return evaluate(th, member, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]),
                    np.array([r[3] for r in rows]))


def test_block_threats_and_client_payoffs_by_hand():
    """The defend pact {C0, C1} without the patron, and both clients alone."""
    th = theatre(tiny())
    ev = _ev(th, [([0, 1], 2, 0, NONE), ([0], 0, 0, NONE), ([1], 0, 0, NONE)])

    # In the pact: each counts all of the partner's projected power.
    def0, def1 = 0.05 + PROJ_10, 0.04 + PROJ_01
    direct0, direct1 = csf(ADV_P0, def0), csf(ADV_P1, def1)
    # Most credible route: directly, or through the partner first (at its
    # threat inside the pact) and then from its territory.
    theta0 = max(direct0, direct1 * csf(STEP_10, def0))
    theta1 = max(direct1, direct0 * csf(STEP_01, def1))
    np.testing.assert_allclose(ev.theta[0], [theta0, theta1], rtol=1e-12)
    np.testing.assert_allclose(ev.defence[0], [def0, def1], rtol=1e-12)
    # C0 is probed (0.64 > 0.35), C1 not
    assert theta0 > PROBE and theta1 < PROBE
    np.testing.assert_array_equal(ev.probe[0], [True, False])
    risk0, risk1 = theta0 * (1 + ESC), theta1
    # own payoff: -(1 - divergence)(risk + NEIGH prox theta_partner) - obligation - dispute - econ - pledge
    # (the obligation is priced at the partner's threat under the pact)
    own0 = -(1 - DIV0) * (risk0 + NEIGH * PROX * theta1) - OBLIG * 1.0 * theta1 - 0 - ECON * 0.2 * 1.0 - PLEDGE * 1.0
    own1 = -(1 - 0.0) * (risk1 + NEIGH * PROX * theta0) - OBLIG * 1.0 * theta0 - 0 - 0 - PLEDGE * 1.0
    np.testing.assert_allclose(ev.own[0], [own0, own1], rtol=1e-12)
    np.testing.assert_array_equal(ev.ext[0], [0.0, 0.0])

    # Alone: threats are status quo, unless the stepping-stone route through the
    # other (at its status-quo threat) is worse.
    a0 = max(TH_SQ0, TH_SQ1 * csf(STEP_10, 0.05))
    a1 = max(TH_SQ1, TH_SQ0 * csf(STEP_01, 0.04))
    assert ev.theta[1, 0] == pytest.approx(a0, rel=1e-12)
    assert ev.theta[2, 1] == pytest.approx(a1, rel=1e-12)
    alone_own0 = -(1 - DIV0) * (a0 * (1 + ESC * (a0 > PROBE)))
    alone_own1 = -(a1 * (1 + ESC * (a1 > PROBE)))
    assert ev.own[1, 0] == pytest.approx(alone_own0, rel=1e-12)
    assert ev.own[2, 1] == pytest.approx(alone_own1, rel=1e-12)
    # C0 alone threatens C1 through contagion, and vice versa
    assert ev.ext[1, 1] == pytest.approx(-(1 - 0.0) * NEIGH * a0 * PROX, rel=1e-12)
    assert ev.ext[2, 0] == pytest.approx(-(1 - DIV0) * NEIGH * a1 * PROX, rel=1e-12)


def test_patron_payoff_spoke_by_hand():
    """A defend spoke to C0 alone: entrapment, burden and the patron's payoff."""
    th = theatre(tiny())
    ev = _ev(th, [([0], 0, 2, SPOKES), ([0], 0, 1, SPOKES)])
    for k, lp, w in ((0, 2, 1.0), (1, 1, CONSULT)):
        defence = 0.05 + w * PAT_P0  # no linked outside states
        theta = max(csf(ADV_P0, defence), TH_SQ1 * csf(STEP_10, defence))
        risk = theta * (1 + ESC * (theta > PROBE))
        # control restrains provocation, real (0.3) or suspected (SUSP), not divergence; no client pledge: no assurance
        entrap = ((0.3 + SUSP) * (1 - CTRL_BI) + DIVENT * DIV0) * (1 - 0.0)
        p_war = min(1.0, risk + entrap)
        burden = w * PAT_P0 / (w * PAT_P0 + 0.05)  # beside the patron under a spoke: the client alone
        patron = 1.0 * (ACCESS - PTHREAT * risk) - WAR * w * p_war * burden + 0.5 * LEVERAGE * 1
        assert ev.theta[k, 0] == pytest.approx(theta, rel=1e-12)
        assert ev.entrapment[k, 0] == pytest.approx(entrap, rel=1e-12)
        assert ev.burden[k, 0] == pytest.approx(burden, rel=1e-12)
        assert ev.patron[k] == pytest.approx(patron, rel=1e-12)


def test_patron_payoff_join_vs_imposed_by_hand():
    """A consult block joined by the patron vs the same imposed: only the
    assurance differs (H1/H3)."""
    th = theatre(tiny())
    ev = _ev(th, [([0, 1], 1, 1, JOIN), ([0, 1], 1, 1, IMPOSED)])
    def0 = 0.05 + CONSULT * PROJ_10 + CONSULT * PAT_P0
    def1 = 0.04 + CONSULT * PROJ_01 + CONSULT * PAT_P1
    d0, d1 = csf(ADV_P0, def0), csf(ADV_P1, def1)
    theta = [max(d0, d1 * csf(STEP_10, def0)), max(d1, d0 * csf(STEP_01, def1))]
    risk = [t * (1 + ESC * (t > PROBE)) for t in theta]
    clients_def = [0.05 + CONSULT * PROJ_10, 0.04 + CONSULT * PROJ_01]  # fight beside the patron
    burden = [CONSULT * PAT_P0 / (CONSULT * PAT_P0 + clients_def[0]),
              CONSULT * PAT_P1 / (CONSULT * PAT_P1 + clients_def[1])]
    prov, div = [0.3 + SUSP, SUSP], [DIVENT * DIV0, 0.0]
    x = [prov[i] + div[i] for i in range(2)]
    stake = [1.0, 0.5]
    # the patron judges the imposed commitment with the lure: it foresees only part of the lost assurance
    for k, assurance in ((0, ASSURE_CON), (1, ASSURE_CON * (1 - IMP_DISC * (1 - LURE)))):
        entrap = [(prov[i] * (1 - CTRL_MULTI) + div[i]) * (1 - assurance) for i in range(2)]
        patron = sum(
            stake[i] * (ACCESS - PTHREAT * risk[i]) - WAR * CONSULT * min(1.0, risk[i] + entrap[i]) * burden[i]
            for i in range(2)
        )
        np.testing.assert_allclose(ev.theta[k], theta, rtol=1e-12)
        np.testing.assert_allclose(ev.entrapment[k], entrap, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(ev.burden[k], burden, rtol=1e-12)
        assert ev.patron[k] == pytest.approx(patron, rel=1e-12)
    # Joining leaves less entrapment risk from C0 than imposing ...
    assert ev.entrapment[0, 0] < ev.entrapment[1, 0]
    # ... C0's war probability is capped at 1 either way (risk 0.9+), but the
    # patron suspects C1 too, and C1's is not: joining pays strictly more (H1).
    assert risk[0] + (prov[0] * (1 - CTRL_MULTI) + div[0]) * (1 - ASSURE_CON) >= 1.0
    assert risk[1] + prov[1] * (1 - CTRL_MULTI) * (1 - ASSURE_CON) < 1.0
    assert ev.patron[0] > ev.patron[1] + 1e-6


def test_durability_by_hand():
    d = copy.deepcopy(tiny())
    d["disputes"] = [{"a": "C0", "b": "C1", "intensity": 0.4, "source": "s"}]
    d["threat_trend"] = sv(1.0, "s")
    th = theatre(d)
    for lcc, imposed in ((1, False), (2, False), (2, True)):
        indig = 0.0 if imposed else (CONSULT if lcc == 1 else 1.0)
        log_h = (
            log(H_BASE) + H_IMPOSED * imposed - H_INDIG * indig - H_THREAT * (TH_SQ0 + TH_SQ1) / 2
            + H_PROV * 0.3 / 2 + H_DIV * DIV0 / 2 + H_DISP * 0.4 + H_ECON * 0.2 / 2 - H_TREND * 1.0
        )
        hz, terms = durability(th, [0, 1], lcc, imposed)
        assert hz == pytest.approx(exp(log_h), rel=1e-12)
        assert sum(terms.values()) == pytest.approx(log_h, rel=1e-12)
    # a spoke: one client, no pairs, no indigenous commitment
    hz, _ = durability(th, [1], 0, False)
    assert hz == pytest.approx(exp(log(H_BASE) - H_THREAT * TH_SQ1 - H_TREND), rel=1e-12)


# --- Threat mechanisms (docs/model.md 2.7-2.14), each against its switch -------
# A land chain: ADV - C0 - C1 - C2, all landlocked (reach 0), so every
# projection is capability x exp(-d / SCALE) and water plays no part.
# ADV cap 0.3; C0 cap 0.02 at 0 km from ADV; C1 cap 0.05 at 1500 km from ADV
# and 0 km from C0; C2 cap 0.05 at 3000 km from ADV, 1500 km from C0, 0 km from C1.


def chain() -> dict:
    def client(ident, cap):
        return {"id": ident, "name": ident, "role": "client", "capability": sv(cap, "s"),
                "maritime_reach": sv(0.0, "s"), "patron_stake": sv(0.5, "s")}

    def land(a, b, km):
        return {"a": a, "b": b, "contiguity": "land", "distance_km": km, "source": "s"}

    return {
        "id": "chain", "title": "chain", "region": "x", "year": 2000, "kind": "counterfactual",
        "capability_measure": "x", "sources": {"s": {"cite": "hand-made"}},
        "actors": [client("C0", 0.02), client("C1", 0.05), client("C2", 0.05),
                   {"id": "ADV", "name": "ADV", "role": "adversary", "capability": sv(0.3, "s"),
                    "maritime_reach": sv(0.0, "s")}],
        "geography": [land("ADV", "C0", 0.0), land("ADV", "C1", 1500.0), land("ADV", "C2", 3000.0),
                      land("C0", "C1", 0.0), land("C0", "C2", 1500.0), land("C1", "C2", 0.0)],
    }


CH_CAP = [0.02, 0.05, 0.05]
CH_A = [0.3, 0.3 * exp(-1.5), 0.3 * exp(-3.0)]  # adversary's power at each client
CH_D = {(0, 1): 0.0, (0, 2): 1500.0, (1, 2): 0.0}


def _ch_dist(j, i):
    return CH_D[(min(i, j), max(i, j))]


def _ch_strike(j, i, force):
    return (force + ABSORB * CH_CAP[j]) * exp(-_ch_dist(j, i) / SCALE)


def test_conquest_strike_carries_the_force_that_reached_the_client():
    """S_ji = (A_j + ABSORB c_j) g(d_ji): the force that reached C_j, not the
    whole capability (which the switch off restores)."""
    th = theatre(chain())
    for j in range(3):
        for i in range(3):
            if i != j:
                assert th.step_power[j, i] == pytest.approx(_ch_strike(j, i, CH_A[j]), rel=1e-12)
    off = theatre(chain(), Parameters(m_conquest_strike=False))
    assert off.step_power[1, 2] == pytest.approx(_ch_strike(1, 2, 0.3), rel=1e-12)
    assert th.step_power[1, 2] < 0.5 * off.step_power[1, 2]


def _chain_threat_c2_alone(strike_force):
    """C2 alone, every client at its own capability: the threat to C2 over
    every route, by enumeration."""
    direct = [csf(CH_A[i], CH_CAP[i]) for i in range(3)]

    def leg(j, i):
        return csf(_ch_strike(j, i, strike_force(j)), CH_CAP[i])

    two = {j: direct[j] * leg(j, 2) for j in (0, 1)}
    three = {(0, 1): direct[0] * leg(0, 1) * leg(1, 2), (1, 0): direct[1] * leg(1, 0) * leg(0, 2)}
    return direct[2], two, three


def test_k_leg_routes_by_hand():
    """C2 is best reached through C0 and then C1 (three legs): the threat is
    that route's product; with the switch off only routes of two legs count."""
    direct, two, three = _chain_threat_c2_alone(lambda j: CH_A[j])
    assert three[(0, 1)] > max(direct, *two.values()) + 0.02  # the test can tell the two rules apart
    th = theatre(chain())
    ev = _ev(th, [([2], 0, 0, NONE)])
    assert ev.theta[0, 2] == pytest.approx(max(direct, *two.values(), *three.values()), rel=1e-12)
    th2 = theatre(chain(), Parameters(m_k_leg_routes=False))
    ev2 = _ev(th2, [([2], 0, 0, NONE)])
    assert ev2.theta[0, 2] == pytest.approx(max(direct, *two.values()), rel=1e-12)


def test_route_relaxation_is_exact_against_enumeration():
    """The max-product relaxation equals the best of all simple routes,
    enumerated, for random theatres of five clients and random defences."""
    from itertools import permutations

    from pactlab.model.threat import conquest_probability

    rng = np.random.default_rng(7)
    n = 5
    for _ in range(30):
        A = rng.uniform(0.0, 0.3, n)
        S = rng.uniform(0.0, 0.4, (n, n))
        D = rng.uniform(0.01, 0.1, (3, n))
        got = conquest_probability(A, S, D, DEFAULT)
        for b in range(3):
            best = [csf(A[i], D[b, i]) for i in range(n)]
            for k in range(2, n + 1):
                for route in permutations(range(n), k):
                    pr = csf(A[route[0]], D[b, route[0]])
                    for j, i in zip(route, route[1:]):
                        pr *= csf(S[j, i], D[b, i])
                    best[route[-1]] = max(best[route[-1]], pr)
            np.testing.assert_allclose(got[b], best, rtol=1e-12)


def _shares(d, shares):
    for a in d["actors"]:
        if a["id"] in shares:
            ex, per = shares[a["id"]]
            if ex is not None:
                a["milex_share"] = sv(ex, "s")
            if per is not None:
                a["milper_share"] = sv(per, "s")
    return d


SHARES = {"C0": (0.08, 0.04), "C1": (0.02, 0.04), "ADV": (0.3, 0.2), "PAT": (0.6, 0.2)}


def test_power_measure_by_hand():
    """'military' is the mean of the two CAP2 shares, for every actor; an
    actor without the input sends the whole theatre to CINC, with a note."""
    d = _shares(tiny(), SHARES)
    th = theatre(d)
    assert th.power_measure == "military" and th.notes == []
    np.testing.assert_allclose(th.cap, [0.06, 0.03], rtol=1e-12)
    a0, a1 = 0.25 * 1.0, 0.25 * exp(-500 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
    np.testing.assert_allclose(th.adv_power, [a0, a1], rtol=1e-12)
    np.testing.assert_allclose(th.patron_proj, [PAT_P0, PAT_P1], rtol=1e-12)  # PAT: mean (0.6 + 0.2) / 2 = its CINC 0.4
    np.testing.assert_allclose(th.theta_sq, [csf(a0, 0.06), csf(a1, 0.03)], rtol=1e-12)
    ex = theatre(d, Parameters(power_measure="milex"))
    np.testing.assert_allclose(ex.cap, [0.08, 0.02], rtol=1e-12)
    assert ex.adv_power[0] == pytest.approx(0.3, rel=1e-12)
    per = theatre(d, Parameters(power_measure="milper"))
    np.testing.assert_allclose(per.cap, [0.04, 0.04], rtol=1e-12)
    cinc = theatre(d, Parameters(power_measure="cinc"))
    np.testing.assert_allclose(cinc.cap, [0.05, 0.04], rtol=1e-12)
    np.testing.assert_allclose(cinc.theta_sq, [TH_SQ0, TH_SQ1], rtol=1e-12)
    # PAT without milper: 'military' and 'milper' fall back for the whole theatre; 'milex' does not
    d2 = _shares(tiny(), {**SHARES, "PAT": (0.6, None)})
    fb = theatre(d2)
    assert fb.power_measure == "cinc" and "PAT" in fb.notes[0]
    np.testing.assert_allclose(fb.cap, [0.05, 0.04], rtol=1e-12)
    np.testing.assert_allclose(fb.adv_power, [ADV_P0, ADV_P1], rtol=1e-12)
    assert theatre(d2, Parameters(power_measure="milex")).power_measure == "milex"


def test_capital_distance_by_hand():
    """Power is projected over the capitals' distance (GEO3) where a tie
    gives it; proximity and the strike from an occupied client keep the
    minimum distance (GEO1)."""
    d = tiny()
    caps = {("C1", "ADV"): 1200.0, ("C0", "C1"): 400.0, ("PAT", "C0"): 7000.0}
    for t in d["geography"]:
        if (t["a"], t["b"]) in caps:
            t["capital_distance_km"], t["capital_source"] = caps[(t["a"], t["b"])], "s"
    th = theatre(d)
    adv1 = 0.2 * exp(-1200 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
    proj01 = 0.05 * exp(-400 / (SCALE * (1 + REACH_GRAD * 0.2))) * (SEA * 0.2)
    pat0 = 0.4 * exp(-7000 / (SCALE * (1 + REACH_GRAD * 1.0))) * (REMOTE * 1.0)
    np.testing.assert_allclose(th.adv_power, [ADV_P0, adv1], rtol=1e-12)
    assert th.proj[0, 1] == pytest.approx(proj01, rel=1e-12)
    np.testing.assert_allclose(th.patron_proj, [pat0, PAT_P1], rtol=1e-12)
    np.testing.assert_allclose(th.prox, [[0, PROX], [PROX, 0]], rtol=1e-12)
    step = exp(-200 / (SCALE * (1 + REACH_GRAD * 0.5))) * (SEA * 0.5)
    assert th.step_power[1, 0] == pytest.approx((adv1 + ABSORB * 0.04) * step, rel=1e-12)
    off = theatre(d, Parameters(m_capital_distance=False))
    np.testing.assert_allclose(off.adv_power, [ADV_P0, ADV_P1], rtol=1e-12)
    np.testing.assert_allclose(off.patron_proj, [PAT_P0, PAT_P1], rtol=1e-12)
    assert off.proj[0, 1] == pytest.approx(PROJ_01, rel=1e-12)


def _with_aligned(d, capital_km):
    d["actors"].append({"id": "ALI", "name": "ALI", "role": "aligned_adversary", "capability": sv(0.1, "s"),
                        "maritime_reach": sv(0.0, "s"), "alignment": sv(0.4, "s")})
    d["geography"] += [
        {"a": "ALI", "b": "C0", "contiguity": "sea", "distance_km": 300.0, "source": "s"},
        {"a": "ALI", "b": "C1", "contiguity": "land", "distance_km": 0.0, "source": "s",
         "capital_distance_km": capital_km, "capital_source": "s"},
    ]
    return d


def test_aligned_adversary_projects_from_its_capital():
    """An aligned adversary bordering C1 (0 km) with its capital 2000 km away
    adds 0.4 x 0.1 x e^-2 at C1, not 0.4 x 0.1 (the v1 rule, switch off)."""
    d = _with_aligned(tiny(), 2000.0)
    th = theatre(d)
    assert th.adv_power[1] == pytest.approx(ADV_P1 + 0.4 * 0.1 * exp(-2000 / SCALE), rel=1e-12)
    # the aligned rule is its own switch: it holds with the general capital rule off
    only = theatre(d, Parameters(m_capital_distance=False))
    assert only.adv_power[1] == pytest.approx(th.adv_power[1], rel=1e-12)
    off = theatre(d, Parameters(m_aligned_routes=False))
    assert off.adv_power[1] == pytest.approx(ADV_P1 + 0.4 * 0.1, rel=1e-12)


def test_patron_and_outside_footholds_count():
    """A patron garrison on C0 (0 km, land) and a linked outside state's base
    100 km from C1 (land) reach those clients at full strength and e^-0.1."""
    d = tiny()
    d["actors"].append({"id": "OUT", "name": "OUT", "role": "outside", "capability": sv(0.1, "s"),
                        "maritime_reach": sv(0.0, "s"), "linked": True})
    d["geography"] += [{"a": "OUT", "b": "C0", "contiguity": "remote", "distance_km": 8000.0, "source": "s"},
                       {"a": "OUT", "b": "C1", "contiguity": "remote", "distance_km": 8000.0, "source": "s"}]
    d["footholds"] = [
        {"holder": "PAT", "near": "C0", "contiguity": "land", "distance_km": 0.0, "source": "s"},
        {"holder": "OUT", "near": "C1", "contiguity": "land", "distance_km": 100.0, "source": "s"},
    ]
    th = theatre(d)
    np.testing.assert_allclose(th.patron_proj, [0.4 * 1.0, PAT_P1], rtol=1e-12)
    np.testing.assert_allclose(th.outside_proj, [0.0, 0.1 * exp(-100 / SCALE)], rtol=1e-12, atol=1e-15)
    off = theatre(d, Parameters(m_any_footholds=False))
    np.testing.assert_allclose(off.patron_proj, [PAT_P0, PAT_P1], rtol=1e-12)
    np.testing.assert_allclose(off.outside_proj, [0.0, 0.0], atol=1e-15)


def test_naval_reach_acquired_with_an_occupied_client():
    """A coastal adversary (reach 0.1) that takes a naval client (reach 1.0)
    strikes across the sea at reach max(0.1, ACQ x 1.0) = 0.5 (H7)."""
    d = tiny()
    for a in d["actors"]:
        if a["id"] == "ADV":
            a["maritime_reach"] = sv(0.1, "s")
        if a["id"] == "C0":
            a["maritime_reach"] = sv(1.0, "s")
    th = theatre(d)
    a0 = 0.2  # land, 0 km
    nu = max(0.1, ACQ * 1.0)
    assert th.step_power[0, 1] == pytest.approx(
        (a0 + ABSORB * 0.05) * exp(-200 / (SCALE * (1 + REACH_GRAD * nu))) * (SEA * nu), rel=1e-12)
    off = theatre(d, Parameters(m_acquired_reach=False))
    assert off.step_power[0, 1] == pytest.approx(
        (a0 + ABSORB * 0.05) * exp(-200 / (SCALE * (1 + REACH_GRAD * 0.1))) * (SEA * 0.1), rel=1e-12)
    assert th.step_power[0, 1] > 4 * off.step_power[0, 1]


def test_threat_convergence_lowers_divergence_and_entrapment():
    """C0's divergence 0.5 counts as 0.5 (1 - CONV theta) = DIV0; with the
    switch off it counts in full, and a spoke to C0 entraps more."""
    th = theatre(tiny())
    off = theatre(tiny(), Parameters(m_threat_convergence=False))
    assert th.divergence[0] == pytest.approx(DIV0, rel=1e-12)
    assert off.divergence[0] == 0.5 and off.divergence[1] == 0.0
    e_on = _ev(th, [([0], 0, 2, SPOKES)]).entrapment[0, 0]
    e_off = _ev(off, [([0], 0, 2, SPOKES)]).entrapment[0, 0]
    # control restrains provocation (real 0.3 plus suspected SUSP), not divergence
    assert e_on == pytest.approx((0.3 + SUSP) * (1 - CTRL_BI) + DIVENT * DIV0, rel=1e-12)
    assert e_off == pytest.approx((0.3 + SUSP) * (1 - CTRL_BI) + DIVENT * 0.5, rel=1e-12)
    assert e_off > e_on
