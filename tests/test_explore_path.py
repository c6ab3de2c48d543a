"""explore path: the architecture over time. Treaties formed carry into the next year, end at their
durability hazard, events change the inputs with their source, and bad events files are named."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.explore.path import PATH_SOURCE, PathError, _in_year, apply_event, load_events, simulate, timeline
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import get


def test_first_year_is_the_scenarios_prediction_and_formed_treaties_carry_on():
    s = get("europe-1947")
    r = solve(s)
    rows = simulate(s, years=3, draws=5, seed=1)
    assert len(rows) == 15
    first = [x for x in rows if x["year"] == 1947]
    assert {x["design"] for x in first} == {r.design}
    new = {f"{'-'.join(t.members)}:{t.level}" for t in r.treaties if t.origin != "renewal"}
    assert all(set(x["formed"].split(";")) == new for x in first)
    # a treaty formed in 1947 and not ended is in force in 1948, and the 1948 solve sees it
    for d in range(5):
        y47, y48 = (next(x for x in rows if x["draw"] == d and x["year"] == y) for y in (1947, 1948))
        if not y47["ended"]:
            assert set(new) <= set(y48["in_force"].split(";")) and not y48["formed"]


def test_the_scenario_of_a_later_year_holds_the_formed_treaties():
    from pactlab.explore.path import Formed

    s = get("europe-1947")
    t = Formed(("FRA", "BEL"), ("FRA", "BEL"), False, "defend", "bilateral", 1947, 0.1)
    s2 = _in_year(s, 1949, (t,))
    assert s2.year == 1949 and s2.record is None
    held = [x for x in s2.treaties if x.source == PATH_SOURCE]
    assert [(x.members, x.level.value) for x in held] == [(["FRA", "BEL"], "defend")]
    assert PATH_SOURCE in s2.sources


def test_treaties_end_at_their_yearly_hazard():
    s = get("europe-1947")
    h = next(t.hazard for t in solve(s).treaties)
    n = 4000
    rows = simulate(s, years=1, draws=n, seed=7)
    ended = sum(1 for x in rows if x["ended"])
    p = 1 - math.exp(-h)
    assert abs(ended - n * p) < 4 * math.sqrt(n * p * (1 - p)), (ended, n * p)


def test_seeded_and_reproducible():
    s = get("europe-1947")
    a = simulate(s, years=6, draws=30, seed=3)
    assert a == simulate(s, years=6, draws=30, seed=3)
    assert [x["ended"] for x in a] != [x["ended"] for x in simulate(s, years=6, draws=30, seed=4)] or \
        not any(x["ended"] for x in a)
    tl = timeline(a)
    for year in range(1947, 1953):
        assert sum(r["share"] for r in tl if r["year"] == year) == pytest.approx(1.0)


def _events(tmp_path, body: str):
    f = tmp_path / "events.yaml"
    f.write_text(body)
    return f


GOOD = """
sources:
  test-path: {cite: "Hand-written test path"}
events:
  - year: 2027
    source: test-path
    note: reach grows
    set:
      actors.PRC.maritime_reach: 0.9
"""


def test_an_event_changes_the_input_from_its_year_citing_its_source(tmp_path):
    s = get("indo-pacific-2025")
    ev = load_events(_events(tmp_path, GOOD), s, 5)
    s2 = apply_event(s, ev.events[0], ev)
    reach = s2.actor("PRC").maritime_reach
    assert reach.value == 0.9 and reach.source == "test-path" and "2027" in reach.note
    assert "test-path" in s2.sources


@pytest.mark.parametrize("body, expect", [
    (GOOD.replace("source: test-path", "source: nowhere"), "events[0].source: 'nowhere' is not declared"),
    (GOOD.replace("year: 2027", "year: 2040"), "events[0].year: 2040 is outside"),
    (GOOD.replace("0.9", "1.7"), "events[0] (2027)"),
    (GOOD.replace("actors.PRC", "actors.XXX"), "no actor with id 'XXX'"),
    (GOOD.replace("note: reach grows", "when: soon"), "unknown field"),
    ("- just a list", "expected a mapping"),
    ("sources: [unclosed", "cannot read the events file"),
])
def test_bad_events_files_are_named(tmp_path, body, expect):
    f = _events(tmp_path, body)
    with pytest.raises(PathError) as err:
        load_events(f, get("indo-pacific-2025"), 5)
    assert expect in str(err.value) and "events.yaml" in str(err.value)


def test_command_json_csv_plot_and_errors(tmp_path):
    f = _events(tmp_path, GOOD)
    out, png = tmp_path / "rows.csv", tmp_path / "path.png"
    args = ["explore", "path", "indo-pacific-2025", "--events", str(f), "--years", "4", "--draws", "20"]
    r = CliRunner().invoke(main, args + ["--format", "json", "--out", str(out), "--plot", str(png)])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output[r.output.index("{"):r.output.rindex("}") + 1])
    assert body["events"][0]["set"] == {"actors.PRC.maritime_reach": 0.9}
    assert {t["year"] for t in body["timeline"]} == {2025, 2026, 2027, 2028}
    assert len(out.read_text().strip().splitlines()) == 1 + 20 * 4
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = CliRunner().invoke(main, args + ["--out", str(out)])
    assert again.exit_code != 0 and "--force" in again.output and "Traceback" not in again.output
    bad = CliRunner().invoke(main, args[:4] + [str(tmp_path / "missing.yaml")])
    assert bad.exit_code != 0 and "events file not found" in bad.output and "Traceback" not in bad.output
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0 and "reach grows" in text.output
