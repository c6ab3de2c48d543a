"""The optional inputs added for model v2 (docs/scenarios.md): shares of
military expenditure and personnel, rivals, patron reliability and anticipated
commitment, capital distances, forward deployments, cooperation without a
pledge and treaty councils.

Two contracts: the loader checks each field at the boundary and names file and
field on a mistake; and model v1 reads none of them, so adding them to a
scenario leaves every v1 result unchanged.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest
from conftest import valid_dict

from pactlab.errors import ScenarioError
from pactlab.scenarios.loader import parse_scenario, scenario_hash
from pactlab.scenarios.schema import Level


def v(x, **kw):
    return {"value": x, "source": "coder", **kw}


def _actor(d, ident):
    return next(a for a in d["actors"] if a["id"] == ident)


def with_v2(d: dict) -> dict:
    """valid_dict() with every v2 input filled in."""
    d = copy.deepcopy(d)
    for a in d["actors"]:
        a["milex_share"] = v(0.05, rule="CAP2")
        a["milper_share"] = v(0.04, rule="CAP2")
    pat = _actor(d, "PAT")
    pat["max_commitment"] = {"value": "consult", "source": "coder", "rule": "MAXC1"}
    pat["anticipated_commitment"] = {"value": "defend", "source": "coder", "rule": "ANT1"}
    pat["reliability"] = {"low": 0.5, "high": 0.75, "source": "coder", "rule": "REL1"}
    d["actors"].append({"id": "RIV", "name": "Rival", "role": "rival", "capability": v(0.05),
                        "maritime_reach": v(0.3), "milex_share": v(0.02), "rival_of": ["AAA"]})
    d["geography"].append({"a": "RIV", "b": "AAA", "contiguity": "sea", "distance_km": 800.0, "source": "coder",
                           "capital_distance_km": 1500.0, "capital_source": "coder"})
    for t in d["geography"]:
        t.setdefault("capital_distance_km", t["distance_km"] + 500.0)
        t.setdefault("capital_source", "coder")
    d["footholds"] = [{"holder": "PAT", "near": "AAA", "contiguity": "land", "distance_km": 0.0, "source": "coder"},
                      {"holder": "ADV", "near": "BBB", "contiguity": "sea", "distance_km": 200.0, "source": "coder"}]
    d["treaties"] = [{"id": "coop", "members": ["AAA", "BBB"], "level": "cooperate", "source": "coder"},
                     {"id": "pact", "members": ["PAT", "BBB"], "level": "consult", "council": True, "source": "coder"}]
    return d


def test_all_v2_inputs_load():
    s = parse_scenario(with_v2(valid_dict()))
    pat = s.patron
    assert pat.reliability.low == 0.5 and pat.reliability.midpoint == pytest.approx(0.625)
    assert pat.anticipated_commitment.value is Level.defend
    assert [r.id for r in s.rivals] == ["RIV"] and s.actor("RIV").rival_of == ["AAA"]
    assert s.treaties[0].level is Level.cooperate and not s.treaties[0].council and s.treaties[1].council
    assert all(t.capital_distance_km is not None for t in s.geography)


def test_level_order_and_pledge_rank():
    assert [lv.value for lv in sorted(Level, key=lambda x: x.order)] == ["none", "cooperate", "consult", "defend"]
    assert (Level.none.rank, Level.cooperate.rank, Level.consult.rank, Level.defend.rank) == (0, 0, 1, 2)
    assert not Level.cooperate.is_pledge and Level.consult.is_pledge
    assert [Level.from_rank(r) for r in range(3)] == [Level.none, Level.consult, Level.defend]


def _mut(f):
    def build():
        d = with_v2(valid_dict())
        f(d)
        return d
    return build


def _rival(d):
    return _actor(d, "RIV")


CASES = {
    "milex share above 1": (_mut(lambda d: _actor(d, "AAA")["milex_share"].update(value=1.2)),
                            ["actors[2] (AAA).milex_share.value", "between 0 and 1"]),
    "milper share negative": (_mut(lambda d: _actor(d, "ADV")["milper_share"].update(value=-0.1)),
                              ["actors[1] (ADV).milper_share.value", "between 0 and 1"]),
    "rival without rival_of": (_mut(lambda d: _rival(d).pop("rival_of")), ["(RIV)", "needs 'rival_of'", "OTH1"]),
    "rival_of on a client": (_mut(lambda d: _actor(d, "BBB").update(rival_of=["AAA"])),
                             ["actors[3] (BBB)", "rival_of", "do not apply to role 'client'"]),
    "rival_of names a non-client": (_mut(lambda d: _rival(d).update(rival_of=["ADV"])),
                                    ["(RIV).rival_of", "'ADV' is not a client"]),
    "rival tie missing": (_mut(lambda d: d["geography"].pop(6)), ["geography", "no entry for the pair RIV-AAA"]),
    "reliability low above high": (
        _mut(lambda d: _actor(d, "PAT")["reliability"].update(low=0.8)),
        ["actors[0] (PAT).reliability", "low (0.8) must not exceed high (0.75)"]),
    "reliability above 1": (_mut(lambda d: _actor(d, "PAT")["reliability"].update(high=1.5)),
                            ["actors[0] (PAT).reliability.high", "less than or equal to 1"]),
    "reliability on a client": (
        _mut(lambda d: _actor(d, "AAA").update(reliability={"low": 0.5, "high": 0.7, "source": "coder"})),
        ["actors[2] (AAA)", "reliability", "do not apply to role 'client'"]),
    "reliability source undeclared": (_mut(lambda d: _actor(d, "PAT")["reliability"].update(source="nosuch")),
                                      ["(PAT).reliability", "source 'nosuch' is not declared"]),
    "anticipated not above max": (
        _mut(lambda d: _actor(d, "PAT")["max_commitment"].update(value="defend")),
        ["actors[0] (PAT)", "anticipated_commitment ('defend') must be above max_commitment ('defend')"]),
    "anticipated cooperate": (
        _mut(lambda d: _actor(d, "PAT")["anticipated_commitment"].update(value="cooperate")),
        ["actors[0] (PAT)", "anticipated_commitment must be 'consult' or 'defend'"]),
    "max commitment cooperate": (
        _mut(lambda d: (_actor(d, "PAT")["max_commitment"].update(value="cooperate"),
                        _actor(d, "PAT").pop("anticipated_commitment"))),
        ["actors[0] (PAT)", "max_commitment must be 'none', 'consult' or 'defend'"]),
    "capital distance negative": (_mut(lambda d: d["geography"][0].update(capital_distance_km=-3)),
                                  ["geography[0].capital_distance_km", "greater than or equal to 0"]),
    "capital distance unsourced": (_mut(lambda d: d["geography"][0].pop("capital_source")),
                                   ["geography[0]", "capital_distance_km needs 'capital_source'", "GEO3"]),
    "capital source undeclared": (_mut(lambda d: d["geography"][1].update(capital_source="nosuch")),
                                  ["geography[1].capital_source", "source 'nosuch' is not declared"]),
    "foothold held by a client": (_mut(lambda d: d["footholds"][0].update(holder="BBB")),
                                  ["footholds[0]", "holder 'BBB' is a client", "FOOT1"]),
    "foothold near a non-client": (_mut(lambda d: d["footholds"][0].update(near="ADV")),
                                   ["footholds[0]", "near 'ADV' must be a client"]),
    "treaty level unknown": (_mut(lambda d: d["treaties"][0].update(level="ally")),
                             ["treaties[0] (coop).level", "'cooperate'", "'ally'"]),
    "record treaty cooperate": (
        _mut(lambda d: d.update(record={"design": "none", "treaties": [
            {"id": "x", "members": ["AAA", "BBB"], "level": "cooperate", "source": "coder"}]})),
        ["record", "record treaties are pledges", "x"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_v2_field_errors_name_file_and_field(name):
    build, fragments = CASES[name]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(build(), "my-file.yaml")
    msg = str(info.value)
    assert "my-file.yaml" in msg
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in:\n{msg}"


def test_hash_unchanged_by_absent_v2_fields():
    """A file without the new fields keeps its digest; a file with them gets another."""
    d = valid_dict()
    base = scenario_hash(parse_scenario(d))
    assert scenario_hash(parse_scenario(copy.deepcopy(d))) == base
    d2 = copy.deepcopy(d)
    d2["geography"][0].update(capital_distance_km=10.0, capital_source="coder")
    assert scenario_hash(parse_scenario(d2)) != base


def _strip_hash(r):
    return dataclasses.replace(r, scenario_hash="")


@pytest.mark.parametrize("base", ["tiny", "europe-1949", "asia-pacific-1951"])
def test_v2_inputs_act_only_through_their_mechanisms(base):
    """Adding every v2 input -- a rival, shares, capital distances, a patron forward
    deployment, cooperation without a pledge, a council flag, reliability -- leaves
    the result identical (the scenario digest aside) when every model-v2
    mechanism switch is off: the inputs reach the result only through the
    mechanisms that read them (each tested against its switch in test_mechanisms.py)."""
    from pactlab.model.params import DEFAULT
    from pactlab.model.solve import solve

    off = DEFAULT.model_copy(update={k: False for k in type(DEFAULT).model_fields if k.startswith("m_")})
    from pactlab.scenarios.catalog import get

    if base == "tiny":
        d0 = valid_dict()
        d1 = with_v2(d0)
        # keep max_commitment as in the base: v1 reads it
        _actor(d1, "PAT").pop("max_commitment")
        _actor(d1, "PAT").pop("anticipated_commitment")
        d1["treaties"] = [dict(d1["treaties"][0])]  # the cooperation agreement only
        d1["footholds"] = [d1["footholds"][0]]  # the patron's forward deployment only
        d0 = copy.deepcopy(d0)
    else:
        s0 = get(base)
        d0 = s0.model_dump(mode="json", exclude_none=True)
        d1 = copy.deepcopy(d0)
        clients = [a["id"] for a in d1["actors"] if a["role"] == "client"]
        pid = next(a["id"] for a in d1["actors"] if a["role"] == "patron")
        for a in d1["actors"]:
            a["milex_share"] = v(0.01)
            if a["role"] == "patron":
                a["reliability"] = {"low": 0.5, "high": 0.75, "source": "coder"}
        d1["sources"]["coder"] = {"cite": "test"}
        d1["actors"].append({"id": "RIVX", "name": "Rival", "role": "rival", "capability": v(0.2),
                             "maritime_reach": v(0.3), "rival_of": clients[:2]})
        d1["geography"] += [{"a": "RIVX", "b": c, "contiguity": "land", "distance_km": 0.0, "source": "coder"}
                            for c in clients[:2]]
        for t in d1["geography"]:
            t.update(capital_distance_km=t["distance_km"] + 300.0, capital_source="coder")
        d1["footholds"] = d1.get("footholds", []) + [
            {"holder": pid, "near": c, "contiguity": "land", "distance_km": 0.0, "source": "coder"} for c in clients]
        d1["treaties"] = [dict(t, council=True) for t in d1.get("treaties", [])] + [
            {"id": "coop-x", "members": clients[:3] + [pid], "level": "cooperate", "source": "coder"}]
    # every mechanism switch off, and the v1 power measure (CINC)
    off = off.model_copy(update={"power_measure": "cinc"})
    r0 = solve(parse_scenario(d0), off)
    r1 = solve(parse_scenario(d1), off)
    assert _strip_hash(r0) == _strip_hash(r1)


def test_geography_baseline_ignores_cooperation_without_a_pledge():
    """The contiguity baseline reads pacts in force; cooperation (T2) is not one."""
    from pactlab.evidence.baselines import theatre_facts

    d = valid_dict()
    for a in d["actors"]:
        a["ccode"] = {"PAT": 2, "ADV": 365, "AAA": 200, "BBB": 220}[a["id"]]
    d["treaties"] = [{"id": "coop", "members": ["AAA", "BBB"], "level": "cooperate", "source": "coder"}]
    assert theatre_facts(parse_scenario(d)).prior_cc == set()
    d["treaties"][0]["level"] = "consult"
    assert theatre_facts(parse_scenario(d)).prior_cc == {frozenset((200, 220))}
