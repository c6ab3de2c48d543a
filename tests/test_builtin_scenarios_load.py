"""Every built-in scenario loads, and carries every fact the model needs.

These are contract tests on the data files only (they do not run the model):
each built-in validates against the schema, every actor has its sourced
capability and maritime reach, every client has all five client judgements
with a codebook rule, every pair of actors has a geography tie, dates respect
time order, and the two derived scenarios (the northern-Hokkaido
counterfactual and the AP4 linking case) differ from their base scenarios only
where they say they do.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from pactlab.scenarios.loader import load_scenario
from pactlab.scenarios.schema import Role

BUILTIN = Path(__file__).resolve().parents[1] / "src" / "pactlab" / "scenarios" / "builtin"
CODEBOOK = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"

EXPECTED = {
    "europe-1947",
    "europe-1948",
    "europe-1949",
    "asia-pacific-1951",
    "korea-1953",
    "taiwan-1954",
    "southeast-asia-1954",
    "northern-hokkaido-1951",
    "nordic-2022",
    "indo-pacific-2025",
    "ap4-nato-2025",
}
CLIENT_FIELDS = ("provocation", "threat_divergence", "econ_dependence", "sovereignty", "patron_stake")
RULE_OF = {
    "capability": "CAP1",
    "maritime_reach": "MR1",
    "provocation": "PROV1",
    "threat_divergence": "DIV1",
    "econ_dependence": "ECON1",
    "sovereignty": "S1",
    "patron_stake": "P2",
    "leverage_motive": "LEV1",
    "max_commitment": "MAXC1",
    "alignment": "A1",
    "milex_share": "CAP2",
    "milper_share": "CAP2",
    "anticipated_commitment": "ANT1",
    "reliability": "REL1",
}

FILES = sorted(BUILTIN.glob("*.yaml"))


def _load(name: str):
    return load_scenario(BUILTIN / f"{name}.yaml")


def test_expected_builtins_present():
    assert {p.stem for p in FILES} >= EXPECTED


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_loads_and_id_matches_file(path):
    s = load_scenario(path)
    assert s.id == path.stem


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_actor_facts_present_and_ruled(path):
    s = load_scenario(path)
    for a in s.actors:
        assert a.capability.value > 0, a.id
        assert 0.0 <= a.maritime_reach.value <= 1.0, a.id
        for field, rule in RULE_OF.items():
            v = getattr(a, field)
            if v is not None:
                assert v.rule == rule, f"{s.id}:{a.id}.{field} should cite rule {rule}, has {v.rule}"
                assert v.source in s.sources
        if a.role is Role.client:
            for f in CLIENT_FIELDS:
                assert getattr(a, f) is not None, f"{s.id}: client {a.id} lacks {f}"
        if a.role is Role.patron:
            assert a.leverage_motive is not None and a.max_commitment is not None, s.id


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_pair_of_actors_has_one_geography_tie(path):
    s = load_scenario(path)
    have = [frozenset((t.a, t.b)) for t in s.geography]
    assert len(have) == len(set(have)), f"{s.id}: duplicate geography ties"
    ids = [a.id for a in s.actors]
    missing = [p for p in itertools.combinations(ids, 2) if frozenset(p) not in set(have)]
    assert not missing, f"{s.id}: no tie for {missing}"
    for t in s.geography:
        if t.contiguity.value == "land":
            assert t.distance_km <= 50, f"{s.id}: land tie {t.a}-{t.b} at {t.distance_km} km"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_time_order_and_roles(path):
    s = load_scenario(path)
    assert s.date is not None and s.date.year == s.year
    for e in s.events:
        assert e.date <= s.date, f"{s.id}: event after the scenario date: {e.text}"
    for t in s.treaties:
        assert t.since is None or t.since <= s.date, f"{s.id}: treaty {t.id} not yet in force"
    for t in s.treaties:
        if t.level.value == "cooperate":  # T2: listed only if some pair of members holds no pledge
            pledged = {frozenset((a, b)) for p in s.treaties if p.level.is_pledge
                       for a in p.members for b in p.members if a != b}
            pairs = {frozenset((a, b)) for a in t.members for b in t.members if a != b}
            assert pairs - pledged, f"{s.id}: cooperation {t.id} among states all pledged to each other (T2)"
    if s.record is not None:
        for t in s.record.treaties:
            assert t.since is None or t.since >= s.date, f"{s.id}: record treaty {t.id} predates the scenario"
    roles = {a.id: a.role for a in s.actors}
    adversary_side = {Role.adversary, Role.aligned_adversary}
    for f in s.footholds:
        # FOOT1: the adversary side, the patron and linked outside states (the holders a model reads)
        holder = s.actor(f.holder)
        assert holder.role in adversary_side or holder.role is Role.patron or holder.linked, \
            f"{s.id}: foothold holder {f.holder}"
        assert roles[f.near] is Role.client, f"{s.id}: foothold near {f.near}"
        assert f.since is None or f.since <= s.date, f"{s.id}: foothold {f.holder}-{f.near} after the date"
    clients = {a.id for a in s.clients}
    for d in s.disputes:
        assert d.a in clients and d.b in clients and d.intensity > 0 and d.rule == "D1"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_one_capability_measure_per_file(path):
    """CAP1: NMC v7.0 CINC in every file (year before, or 2022 when later); CAP2 shares, where
    coded, come from the same NMC file."""
    s = load_scenario(path)
    assert "CINC" in s.capability_measure and "v7.0" in s.capability_measure, s.id
    assert "v7.0" in s.sources["nmc"].cite, s.id
    assert all(a.capability.source == "nmc" and a.capability.rule == "CAP1" for a in s.actors), s.id
    assert all(a.capability.value < 1 for a in s.actors), s.id
    for a in s.actors:
        for share in (a.milex_share, a.milper_share):
            if share is not None:
                assert share.source == "nmc" and share.rule == "CAP2", (s.id, a.id)


def test_pre_1955_cases_use_nmc_cinc():
    for name in ["europe-1947", "europe-1948", "europe-1949", "asia-pacific-1951", "korea-1953", "taiwan-1954", "southeast-asia-1954"]:
        assert "CINC" in _load(name).capability_measure


def test_counterfactual_changes_only_the_foothold():
    # Revisited with the threat-convergence channel (docs/model.md, m_threat_convergence): an
    # occupation threat "causes the threat perceptions of the clients to converge", and the model
    # computes that convergence from the threats it derives, so the coded divergences (TDIV1, the
    # clients' perceptions before the foothold) rightly stay as in 1951. The counterfactual's only
    # coded change is the foothold; the convergence is the model's (test below).
    base, cf = _load("asia-pacific-1951"), _load("northern-hokkaido-1951")
    assert cf.kind == "counterfactual" and cf.record is None
    same = ["actors", "geography", "treaties", "disputes", "threat_trend", "capability_measure", "year", "date", "region"]
    for f in same:
        assert getattr(base, f) == getattr(cf, f), f"counterfactual differs from its base in {f}"
    extra = [f for f in cf.footholds if f not in base.footholds]
    assert all(f.holder == "USSR" for f in extra) and extra
    assert any(f.near == "JPN" and f.contiguity.value == "land" for f in extra)
    assert all(f in cf.footholds for f in base.footholds)


def test_the_foothold_makes_the_clients_threat_perceptions_converge():
    # the same coded divergences, lower converged ones where the foothold raises the threat
    from pactlab.model.params import DEFAULT
    from pactlab.model.theatre import compile_theatre

    base = compile_theatre(_load("asia-pacific-1951"), DEFAULT)
    cf = compile_theatre(_load("northern-hokkaido-1951"), DEFAULT)
    assert (base.divergence_raw == cf.divergence_raw).all()
    j, p = cf.ids.index("JPN"), cf.ids.index("PHI")
    for i in (j, p):
        assert cf.theta_route_sq[i] > base.theta_route_sq[i] + 0.3
        assert cf.divergence[i] < base.divergence[i] - 0.1
    off = compile_theatre(_load("northern-hokkaido-1951"), DEFAULT.model_copy(update={"m_threat_convergence": False}))
    assert (off.divergence == off.divergence_raw).all()


def test_ap4_adds_outside_states_and_keeps_everything_else():
    base, ap4 = _load("indo-pacific-2025"), _load("ap4-nato-2025")
    base_ids = {a.id for a in base.actors}
    for a in base.actors:
        assert ap4.actor(a.id) == a, f"actor {a.id} changed in ap4-nato-2025"
    added = [a for a in ap4.actors if a.id not in base_ids]
    assert {a.id for a in added} == {"UK", "FRA", "GER", "ITA"}
    assert all(a.role is Role.outside and a.linked for a in added)
    base_ties = {frozenset((t.a, t.b)): t for t in base.geography}
    for t in ap4.geography:
        k = frozenset((t.a, t.b))
        if k in base_ties:
            assert base_ties[k] == t
    assert base.disputes == ap4.disputes and base.footholds == ap4.footholds
    assert all(t in ap4.treaties for t in base.treaties)
    assert base.threat_trend == ap4.threat_trend
    assert ap4.linking is not None and ap4.linking.value == 0.5 and ap4.linking.rule == "LINK1"
    assert base.linking is None


def test_case_facts_from_the_brief():
    e47 = _load("europe-1947")
    assert e47.patron.max_commitment.value.value == "none"
    assert _load("europe-1948").patron.max_commitment.value.value == "none"
    assert _load("europe-1949").patron.max_commitment.value.value == "defend"
    assert len(_load("europe-1949").clients) == 11
    a51 = _load("asia-pacific-1951")
    assert a51.actor("JPN").sovereignty.value.value == "occupied"
    assert {(d.a, d.b): d.intensity for d in a51.disputes}[("AUS", "JPN")] == 1.0
    assert _load("korea-1953").actor("ROK").provocation.value == 0.7
    assert _load("taiwan-1954").actor("ROC").provocation.value == 0.7
    ip = _load("indo-pacific-2025")
    assert ip.actor("TWN").sovereignty.value.value == "unrecognised"
    assert ip.actor("JPN").sovereignty.value.value == "constrained"
    assert {frozenset((d.a, d.b)): d.intensity for d in ip.disputes}[frozenset(("JPN", "ROK"))] == 0.6
    seato = _load("southeast-asia-1954")
    assert {a.id for a in seato.actors if a.role is Role.outside and a.linked} == {"UK", "FRA"}
    assert len(_load("nordic-2022").clients) <= 12


@pytest.mark.skipif(not CODEBOOK.exists(), reason="docs/codebook.md not present")
def test_every_cited_rule_is_defined_in_the_codebook():
    text = CODEBOOK.read_text(encoding="utf-8")
    defined = set(re.findall(r'<a id="([A-Z0-9]+)"></a>', text))
    for path in FILES:
        s = load_scenario(path)
        rules = set()
        for a in s.actors:
            for f in RULE_OF:
                v = getattr(a, f)
                if v is not None and v.rule:
                    rules.add(v.rule)
        rules |= {d.rule for d in s.disputes if d.rule}
        for v in (s.linking, s.threat_trend):
            if v is not None and v.rule:
                rules.add(v.rule)
        assert rules <= defined, f"{s.id}: rules not defined in the codebook: {rules - defined}"


SCENARIOS_DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"


@pytest.mark.skipif(not SCENARIOS_DOC.exists(), reason="docs/scenarios.md not present")
def test_annotated_example_in_docs_is_valid():
    import yaml

    from pactlab.scenarios.loader import parse_scenario

    text = SCENARIOS_DOC.read_text(encoding="utf-8")
    part = text.split("## Full annotated example", 1)[1]
    block = part.split("```yaml", 1)[1].split("\n", 1)[1].split("```", 1)[0]  # after the fence's info string
    s = parse_scenario(yaml.safe_load(block), "docs/scenarios.md example")
    assert s.id == "korea-1953-example" and len(s.clients) == 1
