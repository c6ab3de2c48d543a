"""Contract tests over every registered unit: each built-in scenario in the
catalog loads, solves, and gives a Result that keeps its promises (tidy
frames with the documented columns, JSON round trip, determinism, members
that exist, valid levels, positive durations, a selected structure among the
stable ones, finite margins)."""

from __future__ import annotations

import dataclasses
import json
import math
from functools import lru_cache

import pandas as pd
import pytest

from pactlab.model.result import ClientState, Comparison, Result, StableStructure, TreatyPrediction
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import DEFAULT_SCENARIOS, catalog, get
from pactlab.scenarios.schema import Scenario

ENTRIES = catalog()
IDS = [e.id for e in ENTRIES]

TREATY_COLUMNS = [f.name for f in dataclasses.fields(TreatyPrediction) if f.name != "hazard_terms"] + ["scenario"]
CLIENT_COLUMNS = [f.name for f in dataclasses.fields(ClientState)] + ["scenario"]
COMPARISON_COLUMNS = [f.name for f in dataclasses.fields(Comparison)] + ["scenario"]
FRAME_COLUMNS = CLIENT_COLUMNS + ["design", "parameters"]
STAGES = {"threat", "clients", "patron", "imposition", "adversary", "durability"}
ORIGINS = {"indigenous", "joined", "accession", "imposed", "spoke", "upgrade", "renewal"}
DESIGNS = {"none", "clients-only", "bilateral", "trilateral", "multilateral", "hub-and-spoke"}


@lru_cache(maxsize=None)
def solved(sid: str) -> tuple[Scenario, Result]:
    s = get(sid)
    return s, solve(s)


def test_catalog_is_complete_and_sorted():
    assert len(ENTRIES) >= 11
    assert len(set(IDS)) == len(IDS)
    assert [(e.year, e.id) for e in ENTRIES] == sorted((e.year, e.id) for e in ENTRIES)
    for name in DEFAULT_SCENARIOS:
        assert name in IDS
    for e in ENTRIES:
        assert e.path.exists() and e.path.stem == e.id
        assert e.n_clients >= 1


@pytest.mark.parametrize("sid", IDS)
def test_loads_and_solves(sid):
    s, r = solved(sid)
    assert isinstance(r, Result)
    assert r.scenario_id == s.id == sid
    assert r.scenario_title == s.title
    assert r.adversary == s.adversary.id
    assert r.patron == (s.patron.id if s.patron else None)
    assert r.design in DESIGNS
    assert [c.id for c in r.clients] == [c.id for c in s.clients]


@pytest.mark.parametrize("sid", IDS)
def test_frames_are_tidy(sid):
    _, r = solved(sid)
    frames = {
        "treaties": (r.treaties_frame(), TREATY_COLUMNS, len(r.treaties)),
        "clients": (r.clients_frame(), CLIENT_COLUMNS, len(r.clients)),
        "comparisons": (r.comparisons_frame(), COMPARISON_COLUMNS, len(r.comparisons)),
        "summary": (r.to_frame(), FRAME_COLUMNS, len(r.clients)),
    }
    for name, (df, cols, rows) in frames.items():
        assert isinstance(df, pd.DataFrame), name
        assert list(df.columns) == cols, name
        assert len(df) == rows, name
        assert df.columns.is_unique, name
        assert isinstance(df.index, pd.RangeIndex), name
        if rows:
            assert (df["scenario"] == r.scenario_id).all(), name
            # one value per cell: no lists, tuples or dicts
            for col in df.columns:
                assert not df[col].map(lambda v: isinstance(v, (list, tuple, dict, set))).any(), (name, col)
    cl = frames["clients"][0]
    assert cl["id"].is_unique
    for col in ("capability", "adversary_power", "threat_status_quo", "threat", "defence", "payoff"):
        assert pd.api.types.is_float_dtype(cl[col]), col
    assert pd.api.types.is_bool_dtype(cl["probed"])
    assert (frames["summary"][0]["design"] == r.design).all()
    if len(r.comparisons):
        assert pd.api.types.is_float_dtype(frames["comparisons"][0]["margin"])


@pytest.mark.parametrize("sid", IDS)
def test_json_round_trip(sid):
    _, r = solved(sid)
    text = r.to_json()
    data = json.loads(text)
    assert data["scenario_id"] == sid
    assert data["design"] == r.design
    assert len(data["treaties"]) == len(r.treaties)
    assert [t["members"] for t in data["treaties"]] == [list(t.members) for t in r.treaties]
    assert len(data["clients"]) == len(r.clients)
    assert len(data["comparisons"]) == len(r.comparisons)
    assert set(data["counter_alignment"]) == set(r.counter_alignment)
    for v in data["counter_alignment"].values():
        assert set(v) == {"before_linking", "after_linking"}
    # the dict form and the JSON agree
    assert json.loads(json.dumps(r.to_dict(), default=float)) == data


@pytest.mark.parametrize("sid", IDS)
def test_deterministic(sid):
    s = get(sid)
    assert solve(s).to_json() == solve(s).to_json() == solved(sid)[1].to_json()


@pytest.mark.parametrize("sid", IDS)
def test_treaties_are_well_formed(sid):
    s, r = solved(sid)
    actor_ids = {a.id for a in s.actors}
    client_ids = {c.id for c in s.clients}
    for t in r.treaties:
        assert set(t.members) <= actor_ids, t
        assert set(t.clients) <= client_ids, t
        assert len(set(t.members)) == len(t.members), t
        assert t.level in {"consult", "defend"}, t
        assert t.origin in ORIGINS, t
        assert t.with_patron == (r.patron is not None and r.patron in t.members), t
        if t.with_patron:
            assert t.members[0] == r.patron
        assert len(t.members) >= 2
        size = len(t.members)
        assert t.form == ("bilateral" if size == 2 else "trilateral" if size == 3 else "multilateral"), t
        assert t.hazard > 0 and math.isfinite(t.hazard)
        assert t.expected_years > 0 and math.isfinite(t.expected_years)
        assert t.expected_years == pytest.approx(1 / t.hazard)
        assert t.durability in {"long", "short"}
        assert math.isclose(math.exp(sum(t.hazard_terms.values())), t.hazard, rel_tol=1e-9)
    assert len({t.id for t in r.treaties}) == len(r.treaties)


@pytest.mark.parametrize("sid", IDS)
def test_selected_structure_is_stable(sid):
    s, r = solved(sid)
    client_ids = [c.id for c in s.clients]
    for st in r.stable:
        assert isinstance(st, StableStructure)
        covered = [c for b in st.blocks for c in b] + list(st.lone)
        assert sorted(covered) == sorted(client_ids), st
        assert all(len(b) >= 2 for b in st.blocks)
        assert math.isfinite(st.client_welfare)
    selected = [st for st in r.stable if st.selected]
    if r.stable:
        assert len(selected) == 1
        sel = selected[0]
        assert sel.pareto_efficient
        assert sel.client_welfare == pytest.approx(max(st.client_welfare for st in r.stable if st.pareto_efficient))
        by_id = {c.id: c for c in r.clients}
        for b in sel.blocks:
            for c in b:
                # (a pact in force brought into an imposed multilateral: the client's group is that treaty)
                imposed = any(t.origin == "imposed" and c in t.clients for t in r.treaties)
                assert set(by_id[c].group) == set(b) or (imposed and set(b) <= set(by_id[c].group)), (
                    c, by_id[c].group, b)
        assert sum(c.payoff for c in r.clients) == pytest.approx(sel.client_welfare, abs=1e-9)
    else:
        assert r.notes, "no stable structure must be explained in notes"


@pytest.mark.parametrize("sid", IDS)
def test_comparisons_have_finite_margins(sid):
    _, r = solved(sid)
    assert r.comparisons
    for c in r.comparisons:
        assert isinstance(c.margin, float) and math.isfinite(c.margin), c
        assert c.stage in STAGES, c
        assert c.text()
    stages = {c.stage for c in r.comparisons}
    assert {"threat", "adversary"} <= stages
    if r.treaties:
        assert "durability" in stages


@pytest.mark.parametrize("sid", IDS)
def test_client_states_are_consistent(sid):
    s, r = solved(sid)
    for c in r.clients:
        assert 0.0 <= c.threat_status_quo <= 1.0
        assert 0.0 <= c.threat <= 1.0
        assert c.pledge_to_clients in {"none", "consult", "defend"}
        assert c.patron_pledge in {"none", "consult", "defend"}
        assert c.id in c.group
        assert math.isfinite(c.payoff)
        if r.patron is None:
            assert c.patron_pledge == "none"
    for p in r.preferences:
        assert p.preferred in p.values
        assert p.margin >= 0
