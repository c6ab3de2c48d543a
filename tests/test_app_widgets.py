"""The explorer's widget tree (solara.render, no browser) and its logic."""

from __future__ import annotations

import json
import threading
import time

import ipyvuetify as v
import pytest
import yaml

import solara  # the app extra is part of the test extra: a missing install fails here

from pactlab.app import logic  # noqa: E402
from pactlab.app import main as app  # noqa: E402
from pactlab.errors import ScenarioError  # noqa: E402
from pactlab.model.solve import solve  # noqa: E402
from pactlab.notebook import load_result  # noqa: E402
from pactlab.scenarios.catalog import get  # noqa: E402
from pactlab.scenarios.loader import load_scenario  # noqa: E402


@pytest.fixture
def rc():
    s = get("indo-pacific-2025")
    app.loaded.set(s)
    app.edited.set(s)
    app.error.set("")
    box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()


def _all_html(rc) -> str:
    """The HTML the page shows (the design, edges, diagram and tables)."""
    return "\n".join(w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets)


def _design(html: str) -> str:
    import re

    return re.search(r'data-design="([^"]+)"', html).group(1)


def _edges(html: str) -> list[str]:
    import re

    return re.search(r'data-edges="([^"]*)"', html).group(1).split()


def test_page_shows_the_solve(rc):
    s = get("indo-pacific-2025")
    r = solve(s)
    html = _all_html(rc)
    assert _design(html) == r.design
    assert _edges(html) == logic.edges(r)
    for t in r.treaties:
        assert f'id="net-{"spoke" if len(t.members) == 2 else "hull"}:{t.id}"' in html


def test_moving_a_slider_re_solves(rc):
    slider = rc.find(v.Slider, label="TWN patron's stake")
    slider.assert_single()
    slider.widget.v_model = 0.0
    edited = get("indo-pacific-2025").with_changes({"actors.TWN.patron_stake": 0.0})
    r = solve(edited)
    html = _all_html(rc)
    assert _edges(html) == logic.edges(r)
    assert "spoke:USA-TWN" not in _edges(html)  # the Taiwan spoke goes when the patron's stake is nil
    assert app.edited.value.actor("TWN").patron_stake.source == "edit"


def test_sliders_drawing_off_grid_values_do_not_edit(rc):
    """A slider holds multiples of its step (0.01); drawn with a coded value
    off that grid (the CAP2 military shares, 0.000433 for New Zealand's
    personnel) the browser's slider reports the nearest multiple at once,
    untouched. The page takes that for no edit: the theatre stays as coded
    (not rounded, not marked edited) and is not re-solved; a move by hand
    still is an edit."""
    from pactlab.scenarios.loader import scenario_hash

    s = get("indo-pacific-2025")
    off = [i for i in logic.inputs(s) if i.kind == "unit" and round(i.value, 2) != i.value]
    assert len(off) >= 20  # the military shares of every actor
    before = _all_html(rc)
    for inp in off:
        slider = rc.find(v.Slider, label=inp.label)
        slider.assert_single()
        slider.widget.v_model = round(inp.value, 2)  # what the browser's slider reports when drawn
    assert app.edited.value == s
    assert not app.error.value
    html = _all_html(rc)
    assert f'data-scenario="{scenario_hash(s)}"' in html and html == before
    nz = next(i for i in off if i.path == "actors.NZ.milper_share")
    rc.find(v.Slider, label=nz.label).widget.v_model = 0.05  # a move by hand
    assert app.edited.value.actor("NZ").milper_share.value == 0.05
    assert app.edited.value.actor("NZ").milper_share.source == "edit"


def test_picking_a_theatre(rc):
    rc.find(v.Select, label="Built-in theatre").widget.v_model = "europe-1949"
    assert app.edited.value.id == "europe-1949"
    assert _design(_all_html(rc)) == solve(get("europe-1949")).design


def test_bad_value_shows_the_schema_message(rc):
    before = _all_html(rc)
    field = rc.find(v.TextField, label="JPN capability")
    field.widget.v_model = "-5"
    field.widget.fire_event("keyup.enter", {})
    assert "capability.value: must be greater than 0, got -5" in app.error.value
    assert _edges(_all_html(rc)) == _edges(before)


def test_design_probabilities_stop_at_the_time_limit(monkeypatch):
    """An outcome distribution that takes too long does not hang the page: it
    is stopped at the solve's time limit, the prediction still shows, and the
    page says how to compute the probabilities from the command line."""
    def slow(s):  # a long computation in Python steps, as the distribution's enumeration is
        end = time.monotonic() + 30
        while time.monotonic() < end:
            time.sleep(0.01)
        return {d: 1 / 6 for d in ("none", "clients-only", "bilateral", "trilateral", "hub-and-spoke",
                                   "multilateral")}, "slow"

    monkeypatch.setattr(logic, "SOLVE_SECONDS", 2.0)
    monkeypatch.setattr(logic, "design_probabilities", slow)
    s = get("indo-pacific-2025")
    app.loaded.set(s)
    app.edited.set(s)
    app.error.set("")
    t0 = time.monotonic()
    _box, rc = solara.render(app.Page(), handle_error=False)
    try:
        shown = time.monotonic() - t0
        html = _all_html(rc)
        assert shown < 15, f"the page took {shown:.0f} s"
        assert _design(html) == solve(s).design and _edges(html) == logic.edges(solve(s))
        assert 'class="pl-probs pl-probs-stopped" data-probs="null"' in html
        assert "stopped the design probabilities after 2 s" in html
        assert "pactlab run indo-pacific-2025.yaml --format json" in html
        # the stopped computation ends instead of going on behind the page
        end = time.monotonic() + 10
        while any(th.name == "pactlab-solve" for th in threading.enumerate()) and time.monotonic() < end:
            time.sleep(0.05)
        assert not any(th.name == "pactlab-solve" for th in threading.enumerate())
    finally:
        rc.close()


def test_a_solve_past_the_time_limit_is_stopped_and_names_the_command(monkeypatch):
    import pactlab.model.solve as model_solve

    def slow(s, *a, **k):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            time.sleep(0.01)

    monkeypatch.setattr(model_solve, "solve", slow)
    s = get("korea-1953")
    with pytest.raises(logic.AppError, match=r"stopped the solve after 0\.5 s .*pactlab run korea-1953\.yaml"):
        logic.bounded_solve(s, seconds=0.5)
    end = time.monotonic() + 10
    while any(th.name == "pactlab-solve" for th in threading.enumerate()) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(th.name == "pactlab-solve" for th in threading.enumerate())


def test_every_input_is_bounded_by_the_schema():
    s = get("indo-pacific-2025")
    ins = logic.inputs(s)
    kinds = {i.kind for i in ins}
    assert kinds <= {"unit", "positive", "nonnegative", "choice", "flag"}
    # every client carries the five client inputs and its sovereignty
    for c in s.clients:
        have = {i.path.split(".")[-1] for i in ins if i.path.startswith(f"actors.{c.id}.")}
        assert {"capability", "maritime_reach", "provocation", "threat_divergence", "econ_dependence",
                "patron_stake", "sovereignty"} <= have
    # a unit input past its bound is refused by the schema, not clipped
    with pytest.raises(ScenarioError, match="must be between 0 and 1"):
        logic.apply(s, "actors.PRC.maritime_reach", 1.01)


def test_upload_is_validated_like_pactlab_validate(tmp_path):
    text = get("europe-1949").model_dump(mode="json", exclude_none=True)
    text["actors"][0]["capability"]["value"] = -1
    data = yaml.safe_dump(text).encode()
    p = tmp_path / "bad.yaml"
    p.write_bytes(data)
    with pytest.raises(ScenarioError) as from_file:
        load_scenario(p)
    with pytest.raises(ScenarioError) as from_upload:
        logic.parse_upload(data, str(p))
    assert str(from_upload.value) == str(from_file.value)
    with pytest.raises(ScenarioError, match="not valid YAML"):
        logic.parse_upload(b"id: [unclosed", "x.yaml")
    with pytest.raises(ScenarioError, match="at most"):
        logic.parse_upload(b" " * (logic.MAX_UPLOAD_BYTES + 1), "big.yaml")


def test_treaty_edits_and_downloads():
    s = get("indo-pacific-2025")
    s2 = logic.add_treaty(s, ["JPN", "PHI"], "defend")
    assert s2.treaties[-1].members == ["JPN", "PHI"] and s2.treaties[-1].source == "edit"
    assert logic.remove_treaty(s2, s2.treaties[-1].id).treaties == s.treaties
    r = solve(s2)
    assert load_result(logic.result_json(r)) == r
    assert load_scenario_text(logic.scenario_yaml(s2)) == s2
    assert "<svg" in logic.report_html(r, s2)


def load_scenario_text(text: str):
    from pactlab.scenarios.loader import parse_scenario

    return parse_scenario(yaml.safe_load(text))


def test_capability_curve_stays_within_the_schema_range():
    """A CINC share swept to ten times its coded value would pass 1 (the US in
    1953 has 0.31): the curve stops at the schema's bound and every point solves."""
    s = get("korea-1953")
    inp = next(i for i in logic.inputs(s) if i.path == "actors.USA.capability")
    assert inp.value * 10 > 1.0
    pts = logic.curve(s, inp, n=5)
    assert pts[-1][0] == 1.0 and pts[0][0] == pytest.approx(inp.value / 10)
    assert all(0 < x <= 1.0 for x, _, _ in pts)


def test_tipping_curve_and_smallest_changes():
    s = get("korea-1953")
    inp = next(i for i in logic.inputs(s) if i.path == "actors.ROK.patron_stake")
    pts = logic.curve(s, inp, n=5)
    assert [x for x, _, _ in pts] == [0.0, 0.25, 0.5, 0.75, 1.0]
    for x, d, n in pts:
        r = solve(logic.apply(s, inp.path, x))
        assert (d, n) == (r.design, len(r.treaties))
    tips = logic.smallest_changes(s, "none", n=3, only=inp.group)
    assert tips, "South Korea's patron stake at 0 leaves it without a US treaty"
    for t in tips:
        assert solve(logic.apply(s, t.path, t.value)).design == "none"
    with pytest.raises(logic.AppError, match="pactlab explore"):
        logic.smallest_changes(s, "none", n=11, budget=50)


@pytest.mark.parametrize("one_group", [False, True])
def test_a_refused_search_names_the_explore_command_that_runs_it(tmp_path, monkeypatch, one_group):
    """The message of a search too big for one request is a command that runs:
    ``pactlab explore tipping`` on the scenario as downloaded, varying the
    inputs searched (all of them: no --vary)."""
    import re
    import shlex

    from click.testing import CliRunner

    from pactlab.cli import main

    s = get("korea-1953").with_changes({"actors.ROK.patron_stake": 0.25})  # an edited theatre
    only = next(i.group for i in logic.inputs(s) if i.path == "actors.ROK.patron_stake") if one_group else None
    with pytest.raises(logic.AppError) as refused:
        logic.smallest_changes(s, "none", n=101, only=only)
    cmd = re.search(r"run (pactlab explore tipping .*?) \(or from Python", str(refused.value)).group(1)
    args = shlex.split(cmd)
    assert args[:4] == ["pactlab", "explore", "tipping", logic.scenario_file(s)] and "--target" in args
    assert ("--vary" in args) == (only is not None)
    if only:
        varied = args[args.index("--vary") + 1].split(",")
        assert "ROK.patron_stake" in varied and all(v.startswith("ROK.") for v in varied)
    monkeypatch.chdir(tmp_path)
    (tmp_path / logic.scenario_file(s)).write_text(logic.scenario_yaml(s))  # the page's download
    quick = ["--vary", "ROK.patron_stake"] if not only else []
    res = CliRunner().invoke(main, [*args[1:], *quick, "--grid", "3", "--steps", "1", "--joint", "0"])
    assert res.exit_code == 0, res.output
    assert "ROK.patron_stake" in res.output


def test_compare_and_cases():
    a = get("indo-pacific-2025")
    b = a.with_changes({"actors.TWN.patron_stake": 0.0})
    ra = solve(a)
    rows = logic.compare(a, ra, b, solve(b))
    twn = next(t for t in ra.treaties if t.id == "USA-TWN")  # a spoke to Taiwan today, none without the US stake
    assert {"": "treaty USA-TWN", "today": f"{twn.level} bilateral", "edited": "-"} in rows
    cases = logic.case_rows()
    assert {c["scenario"] for c in cases} >= {"europe-1949", "asia-pacific-1951"}
    json.dumps(cases, default=str)


# ---------------------------------------------------------------------------
# adding and removing disputes and footholds
# ---------------------------------------------------------------------------
def _probs(html: str) -> dict:
    import html as h
    import re

    return json.loads(h.unescape(re.search(r'data-probs="([^"]*)"', html).group(1)))


def _assert_page_shows(rc, s) -> None:
    """The page shows the edited theatre ``s`` as solve() gives it: design, edges and probabilities."""
    from pactlab.scenarios.loader import scenario_hash

    assert app.edited.value == s
    assert not app.error.value
    r = solve(s)
    html = _all_html(rc)
    assert f'data-scenario="{scenario_hash(s)}"' in html
    assert _design(html) == r.design
    assert _edges(html) == logic.edges(r)
    assert _probs(html) == pytest.approx(logic.design_probabilities(s)[0])


def _click(rc, label: str, k: int = 0, css: str | None = None) -> None:
    """Click the ``k``-th button reading ``label`` (of those with class ``css``, if given)."""
    found = [w for w in rc.find(v.Btn, children=[label]).widgets if css is None or css in (w.class_ or "").split()]
    found[k].click()


def test_adding_a_dispute_re_solves(rc):
    """Two clients and an intensity, then 'add dispute': the page shows the
    solve of the theatre with that dispute, and its slider."""
    s = get("indo-pacific-2025")
    before = _all_html(rc)
    rc.find(v.Select, label="dispute: first client").widget.v_model = "JPN"
    rc.find(v.Select, label="dispute: second client").widget.v_model = "AUS"
    rc.find(v.Slider, label="new dispute intensity").widget.v_model = 1.0
    _click(rc, "add dispute")
    want = logic.add_dispute(s, "JPN", "AUS", 1.0)
    d = app.edited.value.disputes[-1]
    assert (d.a, d.b, d.intensity, d.source) == ("JPN", "AUS", 1.0, "edit")
    _assert_page_shows(rc, want)
    assert _all_html(rc) != before
    rc.find(v.Slider, label="dispute JPN-AUS").assert_single()


def test_removing_and_adding_back_a_dispute_moves_the_diagram(rc):
    """Europe 1947: without the UK-Belgium dispute the UK joins Belgium and
    the Netherlands in a pact; adding the dispute back at its coded
    intensity restores the Benelux-France hull."""
    rc.find(v.Select, label="Built-in theatre").widget.v_model = "europe-1947"
    s = get("europe-1947")
    k = next(k for k, d in enumerate(s.disputes) if (d.a, d.b) == ("UK", "BEL"))
    before = _edges(_all_html(rc))
    _click(rc, "remove", k, css="pl-remove-dispute")
    less = logic.remove_dispute(s, k)
    _assert_page_shows(rc, less)
    assert _edges(_all_html(rc)) != before
    rc.find(v.Select, label="dispute: first client").widget.v_model = "UK"
    rc.find(v.Select, label="dispute: second client").widget.v_model = "BEL"
    rc.find(v.Slider, label="new dispute intensity").widget.v_model = s.disputes[k].intensity
    _click(rc, "add dispute")
    _assert_page_shows(rc, logic.add_dispute(less, "UK", "BEL", s.disputes[k].intensity))
    assert _edges(_all_html(rc)) == before


def test_a_dispute_the_schema_or_the_page_refuses_shows_why(rc):
    s = get("indo-pacific-2025")
    before = _all_html(rc)
    rc.find(v.Select, label="dispute: first client").widget.v_model = "JPN"
    rc.find(v.Select, label="dispute: second client").widget.v_model = "ROK"
    _click(rc, "add dispute")
    assert "JPN and ROK already have a dispute (intensity 0.6); move the slider 'dispute JPN-ROK'" in app.error.value
    assert app.edited.value == s
    assert _design(_all_html(rc)) == _design(before) and _edges(_all_html(rc)) == _edges(before)
    rc.find(v.Select, label="dispute: second client").widget.v_model = "JPN"
    _click(rc, "add dispute")
    assert "a dispute is between two different clients, but both are 'JPN'" in app.error.value
    rc.find(v.Alert, children=[app.error.value]).assert_single()  # shown as the page shows validation errors
    # the lists offer clients only; the schema's own checks stand behind them
    assert rc.find(v.Select, label="dispute: first client").widget.items == [c.id for c in s.clients]
    with pytest.raises(ScenarioError, match="'USA' is a patron; a dispute is between two clients"):
        logic.add_dispute(s, "USA", "JPN", 0.5)
    with pytest.raises(ScenarioError, match=r"disputes\[14\]\.intensity: Input should be less than or equal to 1"):
        logic.add_dispute(s, "JPN", "AUS", 1.5)


def test_removing_a_dispute_re_solves(rc):
    s = get("indo-pacific-2025")
    assert (s.disputes[0].a, s.disputes[0].b) == ("JPN", "ROK")
    _click(rc, "remove", 0, css="pl-remove-dispute")  # the first dispute's
    want = logic.remove_dispute(s, 0)
    assert [(d.a, d.b) for d in want.disputes] == [(d.a, d.b) for d in s.disputes[1:]]
    _assert_page_shows(rc, want)
    assert not rc.find(v.Slider, label="dispute JPN-ROK").widgets


def test_adding_and_removing_a_foothold_re_solves(rc):
    s = get("indo-pacific-2025")
    before = _all_html(rc)
    rc.find(v.Select, label="foothold: holder").widget.v_model = "PRC"
    rc.find(v.Select, label="foothold: near client").widget.v_model = "PHI"
    rc.find(v.Select, label="foothold: contiguity").widget.v_model = "sea"
    rc.find(v.TextField, label="foothold: distance (km)").widget.v_model = "100"
    _click(rc, "add foothold")
    want = logic.add_foothold(s, "PRC", "PHI", "sea", 100.0)
    f = want.footholds[-1]
    assert (f.holder, f.near, f.contiguity.value, f.distance_km, f.source) == ("PRC", "PHI", "sea", 100.0, "edit")
    _assert_page_shows(rc, want)
    assert _all_html(rc) != before
    # its distance and contiguity are inputs like the coded footholds'
    k = len(want.footholds) - 1
    rc.find(v.Select, label="foothold PRC near PHI: contiguity").widget.v_model = "land"
    want = want.with_changes({f"footholds.{k}.contiguity": "land"})
    _assert_page_shows(rc, want)
    route = rc.find(v.Checkbox, label="foothold PRC near PHI: a land route (GEO2)")
    assert route.widget.v_model is True  # no overland given: by land as the contiguity is (GEO2)
    route.widget.v_model = False
    want = want.with_changes({f"footholds.{k}.overland": False})
    assert not want.footholds[k].by_land
    _assert_page_shows(rc, want)
    _click(rc, "remove foothold PRC near PHI")
    _assert_page_shows(rc, logic.remove_foothold(want, k))
    assert app.edited.value.footholds == s.footholds


def test_a_foothold_the_schema_refuses_shows_why(rc):
    s = get("indo-pacific-2025")
    rc.find(v.Select, label="foothold: holder").widget.v_model = "PRC"
    rc.find(v.Select, label="foothold: near client").widget.v_model = "PHI"
    rc.find(v.TextField, label="foothold: distance (km)").widget.v_model = "-5"
    _click(rc, "add foothold")
    assert "footholds[7].distance_km: Input should be greater than or equal to 0" in app.error.value
    assert app.edited.value == s
    assert "USA" in rc.find(v.Select, label="foothold: holder").widget.items
    assert "JPN" not in rc.find(v.Select, label="foothold: holder").widget.items  # a client holds none (FOOT1)
    with pytest.raises(ScenarioError, match="holder 'JPN' is a client"):
        logic.add_foothold(s, "JPN", "PHI", "sea", 100.0)
    with pytest.raises(ScenarioError, match="near 'PRC' must be a client"):
        logic.add_foothold(s, "USA", "PRC", "sea", 100.0)
    with pytest.raises(ScenarioError, match="contiguity: Input should be 'land', 'sea' or 'remote'; got 'air'"):
        logic.add_foothold(s, "PRC", "PHI", "air", 100.0)


# ---------------------------------------------------------------------------
# a tipping curve too heavy for the page names the command that runs it
# ---------------------------------------------------------------------------
def _run_named_command(tmp_path, monkeypatch, s, message: str, extra: list[str]):
    import re
    import shlex

    from click.testing import CliRunner

    from pactlab.cli import main

    cmd = re.search(r"run (pactlab explore tipping .*)$", message).group(1)  # the message ends with it
    args = shlex.split(cmd)
    assert args[:4] == ["pactlab", "explore", "tipping", logic.scenario_file(s)]
    monkeypatch.chdir(tmp_path)
    (tmp_path / logic.scenario_file(s)).write_text(logic.scenario_yaml(s))  # the page's download
    res = CliRunner().invoke(main, [*args[1:], *extra])
    assert res.exit_code == 0, res.output
    return args, res.output


def test_a_refused_curve_names_the_explore_command_that_runs_it(tmp_path, monkeypatch):
    s = get("korea-1953").with_changes({"actors.ROK.patron_stake": 0.25})
    inp = next(i for i in logic.inputs(s) if i.path == "actors.ROK.patron_stake")
    with pytest.raises(logic.AppError, match=r"this curve needs 401 solves; one request may run 400") as refused:
        logic.curve(s, inp, n=401, target="none")
    args, out = _run_named_command(tmp_path, monkeypatch, s, str(refused.value),
                                   ["--grid", "3", "--steps", "1", "--joint", "0"])
    assert args[args.index("--target") + 1] == "none" and args[args.index("--vary") + 1] == "ROK.patron_stake"
    assert "ROK.patron_stake" in out


def test_a_curve_stopped_at_the_time_limit_names_the_explore_command(monkeypatch):
    import pactlab.model.solve as model_solve

    def slow(s, *a, **k):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            time.sleep(0.01)

    s = get("korea-1953")
    inp = next(i for i in logic.inputs(s) if i.path == "actors.ROK.patron_stake")
    monkeypatch.setattr(logic, "SOLVE_SECONDS", 0.5)
    monkeypatch.setattr(model_solve, "solve", slow)
    with pytest.raises(logic.AppError, match=r"stopped the solve after 0\.5 s .* For the whole curve: download the "
                       r"scenario \(YAML\) and run pactlab explore tipping korea-1953\.yaml --target hub-and-spoke "
                       r"--vary ROK\.patron_stake --grid 21"):
        logic.curve(s, inp, target="hub-and-spoke")


def test_a_refused_curve_of_an_input_explore_does_not_cover_says_so():
    s = get("indo-pacific-2025")
    inp = next(i for i in logic.inputs(s) if i.kind == "nonnegative" and i.path.startswith("footholds."))
    with pytest.raises(logic.AppError) as refused:
        logic.curve(s, inp, n=500, target="multilateral")
    msg = str(refused.value)
    assert "pactlab explore tipping indo-pacific-2025.yaml --target multilateral --vary foothold.USA-JPN.distance_km" in msg
    assert "--uncertainty SPAN.yaml" in msg and "does not cover this input" in msg


def test_the_page_shows_a_refused_curve_with_the_command(rc, monkeypatch):
    """On the page: a curve past the request's limit is refused, and the
    message names the tipping command for the page's input and target."""
    monkeypatch.setattr(logic, "MAX_SWEEP_SOLVES", 10)  # the page's curve is 21 solves
    rc.find(v.Select, label="Input").widget.v_model = "TWN patron's stake"
    rc.find(v.Select, label="Target design").widget.v_model = "bilateral"
    _click(rc, "Draw tipping curve")
    html = _all_html(rc)
    assert 'class="pl-refused"' in html and "this curve needs 21 solves; one request may run 10" in html
    assert ("run pactlab explore tipping indo-pacific-2025.yaml --target bilateral --vary TWN.patron_stake "
            "--grid 21") in html


# ---------------------------------------------------------------------------
# treaties in force: add (any number of members, a council), re-level, remove
# ---------------------------------------------------------------------------
def test_adding_a_japan_philippines_pledge_re_solves(rc):
    s = get("indo-pacific-2025")
    rc.find(v.Select, label="new treaty: members").widget.v_model = ["JPN", "PHI"]
    rc.find(v.Select, label="new treaty: level").widget.v_model = "defend"
    _click(rc, "add treaty")
    want = logic.add_treaty(s, ["JPN", "PHI"], "defend")
    t = app.edited.value.treaties[-1]
    assert (t.members, t.level.value, t.council, t.source) == (["JPN", "PHI"], "defend", False, "edit")
    _assert_page_shows(rc, want)
    # re-level it, give it a council, remove it: each re-solves
    k = len(want.treaties) - 1
    rc.find(v.Select, label="level").widgets[k].v_model = "consult"
    want = logic.set_treaty_level(want, t.id, "consult")
    _assert_page_shows(rc, want)
    rc.find(v.Checkbox, label="council").widgets[k].v_model = True
    want = logic.set_treaty_council(want, t.id, True)
    assert want.treaties[-1].council
    _assert_page_shows(rc, want)
    _click(rc, "remove", k, css="pl-remove-treaty")
    _assert_page_shows(rc, logic.remove_treaty(want, t.id))
    assert app.edited.value.treaties == s.treaties


def test_adding_a_treaty_of_three_with_a_council(rc):
    s = get("indo-pacific-2025")
    rc.find(v.Select, label="new treaty: members").widget.v_model = ["JPN", "AUS", "PHI"]
    rc.find(v.Checkbox, label="new treaty: standing council").widget.v_model = True
    _click(rc, "add treaty")
    want = logic.add_treaty(s, ["JPN", "AUS", "PHI"], "defend", council=True)
    assert app.edited.value.treaties[-1].council and app.edited.value.treaties[-1].members == ["JPN", "AUS", "PHI"]
    _assert_page_shows(rc, want)
    # the members offered are those the model reads pledges among: the patron and the clients
    assert rc.find(v.Select, label="new treaty: members").widget.items == ["USA"] + [c.id for c in s.clients]
    rc.find(v.Select, label="new treaty: members").widget.v_model = ["JPN"]
    _click(rc, "add treaty")
    assert "a treaty needs at least two different members" in app.error.value
    assert app.edited.value == want
