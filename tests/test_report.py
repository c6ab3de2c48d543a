"""The HTML report and its figures: self-contained, escaped, deterministic,
and a network diagram in which hub-and-spoke and multilateral look different."""

from __future__ import annotations

import re
from html import escape
from dataclasses import replace

import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from pactlab.model.result import ClientState, Comparison, Preference, Result, StableStructure, TreatyPrediction
from pactlab.model.solve import solve
from pactlab.report import plots
from pactlab.report.html import inline_svg, render_report, write_report
from pactlab.scenarios.generate import synthetic, synthetic_dict
from pactlab.scenarios.loader import parse_scenario

URL = re.compile(r"https?://[^\s\"'<>)]*")


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------
def rich_scenario(n: int = 6, seed: int = 4):
    """A synthetic theatre with everything the report draws: an aligned
    adversary, a linked outside state, a foothold, commitments in force, a
    source with a URL, and text that needs escaping."""
    d = synthetic_dict(n, seed)
    d["id"] = f"rich-{n}-{seed}"
    d["title"] = "Rich <theatre> & \"friends\""
    d["description"] = "Has <b>markup</b> that must be escaped."
    d["sources"]["atlas"] = {"cite": "An Atlas of Things (2001)", "url": "https://example.org/atlas?x=1&y=2"}
    for a in d["actors"]:
        if a["id"] == "C0":
            a["name"] = "Republic <of> Korea"
    d["actors"].append({
        "id": "ALI", "name": "Aligned Land", "role": "aligned_adversary",
        "capability": {"value": 0.05, "source": "synthetic"}, "maritime_reach": {"value": 0.3, "source": "synthetic"},
        "alignment": {"value": 0.4, "source": "synthetic"},
    })
    d["actors"].append({
        "id": "OUT", "name": "Outside State", "role": "outside", "linked": True,
        "capability": {"value": 0.02, "source": "synthetic"}, "maritime_reach": {"value": 0.3, "source": "synthetic"},
    })
    for k in range(n):
        d["geography"].append({"a": "ALI", "b": f"C{k}", "contiguity": "land" if k % 2 else "sea",
                               "distance_km": 0 if k % 2 else 300.0, "source": "atlas"})
        d["geography"].append({"a": "OUT", "b": f"C{k}", "contiguity": "remote", "distance_km": 5000.0,
                               "source": "atlas"})
    d["footholds"] = [{"holder": "ADV", "near": "C1", "contiguity": "land", "distance_km": 0, "source": "atlas"}]
    d["treaties"] = [
        {"id": "old-pact", "members": ["PAT", "C3"], "level": "defend", "source": "atlas"},
        {"id": "old-club", "members": ["C0", "C1", "C2"], "level": "consult", "source": "atlas"},
    ]
    d["linking"] = {"value": 0.5, "source": "synthetic"}
    return parse_scenario(d)


def _treaty(members, level="defend", origin=None, with_patron=None):
    members = tuple(members)
    with_patron = members[0] == "PAT" if with_patron is None else with_patron
    clients = members[1:] if with_patron else members
    form = {2: "bilateral", 3: "trilateral"}.get(len(members), "multilateral")
    origin = origin or ("spoke" if with_patron and len(members) == 2 else "imposed" if with_patron else "indigenous")
    return TreatyPrediction(
        id="-".join(members), members=members, clients=clients, with_patron=with_patron, level=level,
        form=form, origin=origin, hazard=0.03, expected_years=33.3, durability="long",
    )


def hand_result(scenario, treaties, design, probed=()):
    """A Result built by hand, so the drawing tests do not depend on the solver."""
    pid = scenario.patron.id if scenario.patron else None
    clients = tuple(
        ClientState(id=c.id, name=c.name, capability=0.01, adversary_power=0.02, threat_status_quo=0.5 - 0.05 * k,
                    threat=0.2 + 0.05 * k, defence=0.01, probed=c.id in probed, group=(c.id,),
                    pledge_to_clients="none", patron_pledge="defend", payoff=-0.5)
        for k, c in enumerate(scenario.clients)
    )
    comps = tuple(
        Comparison("threat", c.id, f"occupation threat {c.threat_status_quo:.3f}", "probe threshold",
                   c.threat_status_quo - 0.35, "test", "H6/H7")
        for c in clients
    ) + (Comparison("patron", pid or "patron", "spokes", "multilateral", 0.004, "test", "H1"),)
    return Result(
        scenario_id=scenario.id, scenario_title=scenario.title, scenario_hash="abc123", parameters_digest="def456",
        pactlab_version="0.0-test", patron=pid, adversary=scenario.adversary.id, design=design,
        treaties=tuple(treaties), clients=clients,
        stable=(StableStructure(blocks=(), lone=tuple(c.id for c in clients), client_welfare=-3.0,
                                pareto_efficient=True, selected=True),),
        selection_reason="the only individually stable structure",
        preferences=(Preference(pid or "C0", "patron", "bilateral spokes", 0.02,
                                {"no alliance": -1.0, "bilateral spokes": -0.5, "one multilateral": -0.52}),),
        comparisons=comps, counter_alignment={},
    )


@pytest.fixture(scope="module")
def solved():
    s = synthetic(6, 4)
    return solve(s), s


@pytest.fixture(scope="module")
def solved_rich():
    s = rich_scenario()
    return solve(s), s


# ---------------------------------------------------------------------------
# the HTML report
# ---------------------------------------------------------------------------
def test_report_is_written_and_complete(tmp_path, solved):
    r, s = solved
    p = write_report(r, s, tmp_path / "sub" / "report.html")
    assert p.exists()
    html = p.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    for tag in ("<html", "<head>", "<body>", "</body>", "<title>", "<style>"):
        assert tag in html
    assert s.title in html
    for t in r.treaties:
        assert t.id in html
        assert ", ".join(t.members) in html
    # every section is there
    for anchor in ("design", "network", "threats", "preferences", "explanation", "stable", "counter-alignment",
                   "sources"):
        assert f'id="{anchor}"' in html
    assert r.design in html
    for p_ in r.preferences:
        assert p_.actor in html and p_.preferred in html
    for stage in {c.stage for c in r.comparisons}:
        assert f'id="stage-{stage}"' in html
    assert r.selection_reason in html
    assert r.scenario_hash in html and r.parameters_digest in html and r.pactlab_version in html


def test_report_embeds_figures_inline_and_nothing_external(solved_rich, tmp_path):
    r, s = solved_rich
    html = write_report(r, s, tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 2  # network and threat map at least
    assert 'id="fig-net"' in html and 'id="fig-thr"' in html
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert "@import" not in html
    allowed = {src.url for src in s.sources.values() if src.url}
    allowed |= {u for src in s.sources.values() for u in URL.findall(src.cite)}
    allowed_escaped = {u.replace("&", "&amp;") for u in allowed}
    found = URL.findall(html)
    assert found, "the cited URL should appear as text"
    for u in found:
        assert u in allowed or u in allowed_escaped, f"unexpected external reference {u}"
    # and the cited URL is shown as text, not as a link or resource
    assert 'href="http' not in html and 'src="http' not in html


def test_report_svg_references_resolve(solved_rich):
    r, s = solved_rich
    html = render_report(r, s)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    refs = re.findall(r'href="#([^"]+)"', html) + re.findall(r"url\(#([^)]+)\)", html)
    assert refs
    missing = {x for x in refs if x not in ids}
    assert not missing, sorted(missing)[:5]
    # figures do not share ids
    svg_ids = [i for i in re.findall(r'\bid="([^"]+)"', html)]
    assert len(svg_ids) == len(set(svg_ids))


def test_report_escapes_text(solved_rich):
    r, s = solved_rich
    html = render_report(r, s)
    assert "<theatre>" not in html and "<b>markup</b>" not in html and "<of>" not in html
    assert "Rich &lt;theatre&gt; &amp; &quot;friends&quot;" in html
    assert "Republic &lt;of&gt; Korea" in html
    assert "&lt;b&gt;markup&lt;/b&gt;" in html


def test_report_shows_inputs_and_counter_alignment(solved_rich):
    r, s = solved_rich
    html = render_report(r, s)
    assert "old-pact" in html and "old-club" in html  # commitments in force
    assert "An Atlas of Things (2001)" in html
    assert "ALI" in html and f"{r.counter_alignment['ALI'][1]:.3f}" in html
    assert 'class="badge probed"' in html or not any(c.probed for c in r.clients)


def _explanation_section(html: str) -> str:
    return html[html.index('id="explanation"'):html.index('id="stable"')]


def test_report_highlights_fragile_comparisons(solved):
    r, s = solved
    section = _explanation_section(render_report(r, s))
    fragile = [c for c in r.comparisons if abs(c.margin) < 0.01]
    assert section.count('<tr class="fragile">') == len(fragile)
    assert f"<strong>{len(fragile)}</strong> of {len(r.comparisons)} comparisons are fragile" in section
    # exactly one fragile comparison: exactly one highlighted row, with a badge
    comps = tuple(replace(c, margin=1.0) for c in r.comparisons)
    comps = (replace(comps[0], margin=-0.004),) + comps[1:]
    section = _explanation_section(render_report(replace(r, comparisons=comps), s))
    assert section.count('<tr class="fragile">') == 1
    assert section.count('badge fragile') == 1
    assert "-0.0040" in section


def test_report_is_deterministic(tmp_path, solved_rich):
    r, s = solved_rich
    a = write_report(r, s, tmp_path / "a.html").read_bytes()
    b = write_report(r, s, tmp_path / "b.html").read_bytes()
    assert a == b
    # a fresh solve gives the same bytes as well
    c = write_report(solve(rich_scenario()), rich_scenario(), tmp_path / "c.html").read_bytes()
    assert a == c


def test_report_without_patron_or_treaties(tmp_path):
    s = synthetic(4, 1, with_patron=False)
    r = hand_result(s, [], "none")
    html = write_report(r, s, tmp_path / "np.html").read_text(encoding="utf-8")
    assert "No treaty is predicted" in html
    assert "No aligned adversaries" in html


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------
def _hulls(ax):
    return [a for a in plots.treaty_artists(ax, "hull") if isinstance(a, Polygon)]


def _spokes(ax):
    return [a for a in plots.treaty_artists(ax, "spoke") if isinstance(a, Line2D)]


def test_network_multilateral_is_a_hull():
    s = synthetic(5, 0)
    r = hand_result(s, [_treaty(["PAT", "C0", "C1", "C2", "C3", "C4"], origin="imposed")], "multilateral")
    ax = plots.alliance_network(r, s)
    hulls = _hulls(ax)
    assert [h.get_gid() for h in hulls] == ["hull:PAT-C0-C1-C2-C3-C4"]
    assert _spokes(ax) == []
    # the hull encloses the patron and every member
    pos = plots.network_layout(r, s)
    path = hulls[0].get_path().transformed(hulls[0].get_patch_transform())
    for m in ("PAT", "C0", "C1", "C2", "C3", "C4"):
        assert path.contains_point(pos[m]), m


def test_network_hub_and_spoke_is_lines_only():
    s = synthetic(5, 0)
    treaties = [_treaty(["PAT", f"C{k}"], level="defend" if k % 2 else "consult") for k in range(5)]
    r = hand_result(s, treaties, "bilateral")
    ax = plots.alliance_network(r, s)
    assert _hulls(ax) == []
    assert not [p for p in ax.patches if isinstance(p, Polygon) and (p.get_gid() or "").startswith("hull")]
    spokes = _spokes(ax)
    assert len(spokes) == 5
    for ln in spokes:  # each spoke is one straight segment
        assert len(ln.get_xdata()) == 2
    styles = {ln.get_gid(): ln.get_linestyle() for ln in spokes}
    assert styles["spoke:PAT-C1"] == "-"  # defend: solid
    assert styles["spoke:PAT-C0"] == "--"  # consult: dashed
    # every spoke starts at the hub
    hub = plots.network_layout(r, s)["PAT"]
    for ln in spokes:
        x0, y0 = ln.get_xdata()[0], ln.get_ydata()[0]
        assert (x0 - hub[0]) ** 2 + (y0 - hub[1]) ** 2 < 0.2**2


def test_network_client_pact_and_in_force_are_distinct():
    s = rich_scenario()
    treaties = [_treaty(["C0", "C1"], level="consult"), _treaty(["PAT", "C2"]), _treaty(["PAT", "C3", "C4"])]
    r = hand_result(s, treaties, "hub-and-spoke", probed=("C2",))
    ax = plots.alliance_network(r, s)
    hulls = {h.get_gid(): h for h in _hulls(ax)}
    assert set(hulls) == {"hull:C0-C1", "hull:PAT-C3-C4"}
    assert hulls["hull:C0-C1"].get_facecolor() != hulls["hull:PAT-C3-C4"].get_facecolor()
    inforce = plots.treaty_artists(ax, "inforce")
    assert {a.get_gid() for a in inforce} == {"inforce:old-pact", "inforce:old-club"}
    assert any((p.get_gid() or "") == "probed:C2" for p in ax.patches)
    assert ax.get_legend() is not None
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("clients only" in t for t in labels) and any("with patron" in t for t in labels)
    assert "aligned adversary" in labels


def test_network_without_patron():
    s = synthetic(4, 1, with_patron=False)
    r = hand_result(s, [_treaty(["C0", "C1", "C2"], with_patron=False)], "clients-only")
    ax = plots.alliance_network(r, s)
    assert [h.get_gid() for h in _hulls(ax)] == ["hull:C0-C1-C2"]


def test_threat_map_bars_threshold_and_geography(solved_rich):
    r, s = solved_rich
    ax = plots.threat_map(r, s)
    assert len(ax.containers) == 2 and all(len(c) == len(r.clients) for c in ax.containers)
    heights = sorted(b.get_height() for b in ax.containers[1])
    assert heights == pytest.approx(sorted(c.threat for c in r.clients))
    thr = plots.probe_threshold(r)
    assert thr == pytest.approx(0.35)
    assert any(ln.get_ydata()[0] == pytest.approx(thr) for ln in ax.lines if len(ln.get_ydata()) == 2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "land tie" in labels and "sea tie" in labels and "foothold near the client" in labels


def test_stable_structures_plot(solved):
    r, _ = solved
    ax = plots.stable_structures_plot(r)
    assert len(ax.patches) == len(r.stable)


def test_figures_are_deterministic(solved_rich):
    r, s = solved_rich
    for fn in (lambda: plots.alliance_network(r, s), lambda: plots.threat_map(r, s)):
        a = plots.figure_svg(fn().figure)
        b = plots.figure_svg(fn().figure)
        assert a == b
        assert "<dc:date>" not in a
        assert plots.figure_png(fn().figure) == plots.figure_png(fn().figure)


def test_inline_svg_strips_namespaces_and_prefixes_ids():
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/x.dtd">\n'
           '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="5pt" viewBox="0 0 10 5" '
           'xmlns="http://www.w3.org/2000/svg"><metadata><x>http://purl.org</x></metadata>'
           '<defs><path id="m1" d=""/></defs><use xlink:href="#m1"/><g clip-path="url(#c1)"/></svg>')
    out = inline_svg(svg, "f", "A <title>")
    assert "http" not in out
    assert 'id="f-m1"' in out and 'xlink:href="#f-m1"' in out and "url(#f-c1)" in out
    assert 'height="5pt"' not in out and 'viewBox="0 0 10 5"' in out
    assert "<title>A &lt;title&gt;</title>" in out


def test_figures_share_one_scale():
    """Each inlined figure keeps its natural width (its viewBox, in points) and is only ever scaled
    down to the page: a narrow figure stretched to the page width printed its fonts at twice the
    size of a wide one's (the backtest report's design confusion against its survival curves)."""
    import re

    import pandas as pd

    from pactlab.evidence.backtest_report import calibration_figure, design_confusion_figure, forest_figure

    figs = [design_confusion_figure([]), calibration_figure(pd.DataFrame()), forest_figure({})]
    for k, fig in enumerate(figs):
        out = inline_svg(plots.figure_svg(fig), f"f{k}", "t")
        head = re.match(r"<svg\b[^>]*>", out).group(0)
        vb = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ', head).group(1))
        w = re.search(r'width="([\d.]+)pt"', head)
        assert w is not None, head
        assert abs(float(w.group(1)) - vb) < 0.1, head


def test_builtin_scenarios_render(tmp_path):
    from pactlab.scenarios.catalog import catalog, get

    entries = catalog()
    if not entries:
        pytest.skip("no built-in scenarios yet")
    for e in entries:
        s = get(e.id)
        r = solve(s)
        html = write_report(r, s, tmp_path / f"{e.id}.html").read_text(encoding="utf-8")
        assert escape(s.title) in html
        allowed = {src.url for src in s.sources.values() if src.url}
        allowed |= {u for src in s.sources.values() for u in URL.findall(src.cite)}
        allowed |= {u.replace("&", "&amp;") for u in allowed}
        for u in URL.findall(html):
            assert u in allowed, (e.id, u)
