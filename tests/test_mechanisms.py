"""Each model-v2 mechanism against its switch (docs/model.md §3.4).

Every test computes the quantity the mechanism moves with the switch on and
with it off, and asserts both: the mechanism's effect holds when on, and the
test fails when the switch is off (the off branch asserts the effect is gone).
Scenarios are the small two-client theatre of ``conftest.valid_dict`` with one
input changed.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from conftest import valid_dict
from pactlab.model.imposition import ImpositionTable
from pactlab.model.params import DEFAULT
from pactlab.model.patron import block_table, single_table
from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, evaluate
from pactlab.model.solve import solve
from pactlab.model.theatre import compile_theatre
from pactlab.model.treaties import indigenous_share
from pactlab.scenarios.loader import parse_scenario

BOTH = np.array([[True, True]])


def sv(x):
    return {"value": x, "source": "coder"}


def th_of(d, **switches):
    return compile_theatre(parse_scenario(d, "<test>"), DEFAULT.model_copy(update=switches))


def ev(th, lcc, lp, kind, member=BOTH):
    m = len(member)
    return evaluate(th, member, np.full(m, lcc), np.full(m, lp), np.full(m, kind))


def status_quo() -> dict:
    d = valid_dict()
    for a in d["actors"]:
        if a["role"] == "client":
            a["provocation"] = sv(0.0)
            a["threat_divergence"] = sv(0.0)
    return d


def test_suspicion_makes_h1_bite_for_status_quo_clients():
    # H1: the clients' mutual commitment lowers the patron's entrapment risk even
    # when neither client would provoke (status quo). Effect size fixed before
    # running: defend lowers it by the assurance share (0.7) of the suspicion.
    on = th_of(status_quo())
    e0 = ev(on, 1, 1, JOIN).entrapment[0]
    e2 = ev(on, 2, 2, JOIN).entrapment[0]
    sus = DEFAULT.suspicion * (1 - DEFAULT.control_multilateral)
    assert np.allclose(e2, sus * (1 - DEFAULT.assurance_defend))
    assert np.all(e0 - e2 >= 0.5 * sus * (DEFAULT.assurance_defend - DEFAULT.assurance_consult))
    off = th_of(status_quo(), m_suspicion=False)
    assert np.allclose(ev(off, 1, 1, JOIN).entrapment[0], 0) and np.allclose(ev(off, 2, 2, JOIN).entrapment[0], 0)


def test_control_restrains_provocation_only():
    d = status_quo()
    d["actors"][2]["threat_divergence"] = sv(1.0)
    kw = dict(m_suspicion=False)
    on = th_of(d, **kw)
    spokes, join = ev(on, 1, 1, SPOKES).entrapment[0, 0], ev(on, 1, 1, JOIN).entrapment[0, 0]
    assert spokes == pytest.approx(join)  # divergence is not restrained by a spoke's control
    off = th_of(d, m_control_provocation_only=False, **kw)
    assert ev(off, 1, 1, SPOKES).entrapment[0, 0] < ev(off, 1, 1, JOIN).entrapment[0, 0] - 1e-6


def test_obligation_is_priced_at_the_partners_threat_under_the_pact():
    d = status_quo()
    on, off = th_of(d), th_of(d, m_obligation_under_pact=False)
    e_on, e_off = ev(on, 2, 2, JOIN), ev(off, 2, 2, JOIN)
    # client A's obligation to B: cost x B's threat under the pact (on) or in the status quo (off)
    gap = DEFAULT.obligation_cost * (on.theta_sq[1] - e_on.theta[0, 1])
    assert abs(gap) > 1e-4  # (the pact's threat counts every route; the status quo's only the direct one)
    assert e_on.own[0, 0] - e_off.own[0, 0] == pytest.approx(gap, rel=1e-9)


def test_under_coverage_signals_disinterest():
    d = status_quo()
    on, off = th_of(d), th_of(d, m_coverage_signal=False)
    # a consult spoke to a block that pledged defence: the adversary discounts it
    assert np.all(ev(on, 2, 1, SPOKES).theta[0] > ev(off, 2, 1, SPOKES).theta[0] + 1e-9)
    # at the block's own level there is no signal
    assert np.allclose(ev(on, 2, 2, SPOKES).theta[0], ev(off, 2, 2, SPOKES).theta[0])


def test_indigenous_means_absent_the_patron():
    # a safe client (far from the adversary) gains nothing from a pact with a
    # threatened one without the patron: their block is not indigenous (H2)
    d = status_quo()
    for t in d["geography"]:
        if {t["a"], t["b"]} == {"AAA", "ADV"}:
            t.update(contiguity="remote", distance_km=9000.0)
        if {t["a"], t["b"]} == {"AAA", "BBB"}:
            t.update(contiguity="remote", distance_km=8000.0)
    assert indigenous_share(th_of(d), 0b11, 2) == 0.0
    assert indigenous_share(th_of(d, m_indigenous_absent_patron=False), 0b11, 2) == 1.0


def _three_with_pact() -> dict:
    d = status_quo()
    c = copy.deepcopy(d["actors"][3])
    c.update(id="CCC", name="Client C")
    d["actors"].append(c)
    d["geography"] += [
        {"a": "CCC", "b": "ADV", "contiguity": "sea", "distance_km": 500.0, "source": "coder"},
        {"a": "CCC", "b": "AAA", "contiguity": "sea", "distance_km": 400.0, "source": "coder"},
        {"a": "CCC", "b": "BBB", "contiguity": "sea", "distance_km": 400.0, "source": "coder"},
        {"a": "PAT", "b": "CCC", "contiguity": "remote", "distance_km": 6000.0, "source": "coder"},
    ]
    d["treaties"] = [{"id": "AB", "members": ["AAA", "BBB"], "level": "defend", "source": "coder"}]
    return d


def _imposition(th):
    blocks, singles = block_table(th), single_table(th)
    return ImpositionTable(th, singles, blocks)


def test_imposition_may_include_pacts_in_force():
    d = _three_with_pact()
    assert [0b011, 0b100] == sorted(_imposition(th_of(d)).units)
    assert _imposition(th_of(d, m_imposition_any_units=False)).units == [0b100]


def test_the_lure_of_imposed_assurance():
    d = status_quo()
    on, off = th_of(d), th_of(d, m_lure=False)
    a_on, a_off = ev(on, 2, 2, IMPOSED).assurance[0], ev(off, 2, 2, IMPOSED).assurance[0]
    assert np.allclose(a_on, DEFAULT.assurance_defend * (1 - DEFAULT.imposed_discount * (1 - DEFAULT.lure)))
    assert np.allclose(a_off, DEFAULT.assurance_defend * (1 - DEFAULT.imposed_discount))
    assert np.all(a_on > a_off)


def test_linkage_puts_the_pledge_in_force_at_risk():
    d = _three_with_pact()
    d["actors"][0]["leverage_motive"] = sv(0.0)
    d["treaties"].append({"id": "PC", "members": ["PAT", "CCC"], "level": "defend", "source": "coder"})
    on = _imposition(th_of(d)).rebuff()
    off = _imposition(th_of(d, m_linkage=False)).rebuff()
    assert on[2] > 1e-4 and on[0] == 0 and on[1] == 0
    assert np.allclose(off, 0.0)  # the flat rebuff cost times a zero leverage motive


def test_patron_pledges_protect_against_the_other_principal_threat():
    d = status_quo()
    d["actors"].append({"id": "RIV", "name": "Rival", "role": "rival", "capability": sv(0.05),
                        "maritime_reach": sv(0.5), "rival_of": ["AAA"]})
    d["geography"] += [{"a": "RIV", "b": "AAA", "contiguity": "land", "distance_km": 0.0, "source": "coder"},
                       {"a": "RIV", "b": "BBB", "contiguity": "remote", "distance_km": 5000.0, "source": "coder"}]
    one = np.array([[True, False]])

    def gain(th):
        return ev(th, 0, 2, SPOKES, one).own[0, 0] - ev(th, 0, 0, NONE, one).own[0, 0]

    on, off = gain(th_of(d)), gain(th_of(d, m_rival=False))
    assert on > off + 1e-4
    assert off == pytest.approx(gain(th_of(status_quo())))


def test_committed_clients_anticipate_the_patron():
    d = status_quo()
    d["actors"][0]["max_commitment"] = {"value": "none", "source": "coder"}
    d["actors"][0]["anticipated_commitment"] = {"value": "defend", "source": "coder"}
    on, off = th_of(d), th_of(d, m_anticipated=False)
    assert np.all(ev(on, 2, 0, NONE).own[0] > ev(off, 2, 0, NONE).own[0] + 1e-6)


def test_cooperation_without_a_pledge_brings_some_power():
    d = status_quo()
    d["treaties"] = [{"id": "AB", "members": ["AAA", "BBB"], "level": "cooperate", "source": "coder"}]
    one = np.array([[True, False]])
    on, off = th_of(d), th_of(d, m_cooperation=False)
    assert ev(on, 0, 0, NONE, one).defence[0, 0] > ev(off, 0, 0, NONE, one).defence[0, 0] + 1e-6


def test_a_council_lowers_the_weight_of_disputes():
    d = status_quo()
    d["disputes"] = [{"a": "AAA", "b": "BBB", "intensity": 1.0, "source": "coder"}]
    on, off = th_of(d), th_of(d, m_council=False)
    # a multilateral with the patron sets up a council
    assert np.all(ev(on, 2, 2, JOIN).own[0] > ev(off, 2, 2, JOIN).own[0] + 1e-6)
    # a clients-only block without a council in force has none
    assert np.allclose(ev(on, 2, 0, NONE).own[0], ev(off, 2, 0, NONE).own[0])


def test_doubts_about_the_patron_lower_the_value_of_its_pledge():
    d = status_quo()
    d["actors"][0]["reliability"] = {"low": 0.5, "high": 0.5, "source": "coder"}
    one = np.array([[True, False]])

    def gain(th):
        return ev(th, 0, 2, SPOKES, one).own[0, 0] - ev(th, 0, 0, NONE, one).own[0, 0]

    on, off = gain(th_of(d)), gain(th_of(d, m_reliability=False))
    assert 0 < on < off - 1e-6


def test_a_rising_threat_weighs_on_formation():
    d = status_quo()
    d["threat_trend"] = {"value": 1.0, "source": "coder"}
    on, off = th_of(d), th_of(d, m_trend_formation=False)
    assert np.all(ev(on, 0, 0, NONE).own[0] < ev(off, 0, 0, NONE).own[0] - 1e-6)


def test_new_defence_pledges_draw_the_adversaries_together():
    d = status_quo()
    d["actors"].append({"id": "ALI", "name": "Aligned", "role": "aligned_adversary", "capability": sv(0.1),
                        "maritime_reach": sv(0.3), "alignment": sv(0.3)})
    d["geography"] += [{"a": "ALI", "b": "AAA", "contiguity": "land", "distance_km": 0.0, "source": "coder"},
                       {"a": "ALI", "b": "BBB", "contiguity": "sea", "distance_km": 200.0, "source": "coder"}]
    on, off = th_of(d), th_of(d, m_counter_alignment=False)
    assert np.all(ev(on, 2, 2, JOIN).theta[0] > ev(off, 2, 2, JOIN).theta[0] + 1e-9)
    # no new defence pledge, no reaction
    assert np.allclose(ev(on, 0, 0, NONE).theta[0], ev(off, 0, 0, NONE).theta[0])


def test_pledges_in_force_are_reported_as_renewals():
    d = status_quo()
    d["treaties"] = [{"id": "PA", "members": ["PAT", "AAA"], "level": "defend", "source": "coder"}]
    s = parse_scenario(d, "<test>")
    on = solve(s)
    off = solve(s, DEFAULT.model_copy(update={"m_renewal": False}))
    assert any(t.origin == "renewal" and t.clients == ("AAA",) for t in on.treaties) or any(
        t.with_patron and "AAA" in t.clients and t.origin != "renewal" for t in on.treaties)
    assert not any(t.origin == "renewal" for t in off.treaties)
    assert on.design == off.design  # renewals are not new treaties
