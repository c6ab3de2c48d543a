"""Notebook use: with_changes, the short repr and rich display, the extra frames, saved results loaded back."""

from __future__ import annotations

import pytest

from pactlab.errors import PactlabError, ScenarioError
from pactlab.model.solve import solve
from pactlab.notebook import load_result, preferences_frame, result_html, stable_frame
from pactlab.scenarios.catalog import get
from pactlab.scenarios.loader import scenario_hash


def test_with_changes_validates_and_records_the_edit():
    s = get("indo-pacific-2025")
    s2 = s.with_changes({"actors.PRC.maritime_reach": 0.5, "actors.JPN.sovereignty": "full"})
    assert s2.actor("PRC").maritime_reach.value == 0.5
    assert s2.actor("PRC").maritime_reach.source == "edit" and s2.actor("PRC").maritime_reach.rule is None
    assert "edit" in s2.sources and "edit" not in s.sources
    assert s2.actor("JPN").sovereignty.value.value == "full"
    assert s.actor("PRC").maritime_reach.value != 0.5  # the original is unchanged
    assert scenario_hash(s2) != scenario_hash(s)
    with pytest.raises(ScenarioError, match=r"actors\[8\] \(PRC\)\.maritime_reach\.value: must be between 0 and 1"):
        s.with_changes({"actors.PRC.maritime_reach": 1.5})
    with pytest.raises(ScenarioError, match="no actor with id 'CHN'"):
        s.with_changes({"actors.CHN.maritime_reach": 0.5})
    # model_copy does not validate; with_changes does
    assert s.model_copy(update={"year": 1700}).year == 1700
    with pytest.raises(ScenarioError, match="year"):
        s.with_changes(year=1700)


def test_short_repr_and_html():
    s = get("europe-1949")
    r = solve(s)
    text = repr(r)
    assert len(text) < 400 and text.startswith("<Result europe-1949: multilateral")
    page = r._repr_html_()
    assert "<svg" in page
    for t in r.treaties:
        assert f"hull:{t.id}" in page or f"spoke:{t.id}" in page
    edited = s.with_changes({"actors.ICE.patron_stake": 0.0})
    r2 = solve(edited)
    assert "<svg" not in r2._repr_html_()  # not a built-in: no scenario to draw from
    assert "<svg" in result_html(r2, edited)


def test_frames():
    r = solve(get("europe-1949"))
    pf = preferences_frame(r)
    assert list(pf["actor"]) == [p.actor for p in r.preferences]
    assert (pf["margin"] >= 0).all()
    sf = stable_frame(r)
    assert len(sf) == len(r.stable) and sf["selected"].sum() == 1


def test_saved_result_loads_back(tmp_path):
    r = solve(get("asia-pacific-1951"))
    p = tmp_path / "r.json"
    p.write_text(r.to_json())
    assert load_result(p) == r
    assert load_result(r.to_json()) == r
    with pytest.raises(PactlabError, match="not JSON"):
        load_result("{oops")
    with pytest.raises(PactlabError, match="field 'treaties' is missing"):
        load_result("{}")
