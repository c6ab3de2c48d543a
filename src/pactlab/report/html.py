"""A self-contained HTML report of one prediction.

``write_report(result, scenario, path)`` writes one file with everything
inline: CSS in a ``<style>`` element, figures as inline SVG (no external
fonts, scripts, stylesheets or images). The only URLs in the file are the
scenario's own cited source URLs, shown as text. All scenario and result
text is escaped. The output carries no timestamp: the same result and
scenario give the same bytes, and the footer names the pactlab version,
scenario hash and parameter digest needed to reproduce it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from pactlab.model.result import Comparison, Result, pledge_label
from pactlab.report import plots
from pactlab.scenarios.schema import Scenario

__all__ = ["write_report", "render_report", "inline_svg", "FRAGILE_MARGIN", "STAGES"]

#: A comparison whose margin is smaller than this in absolute value is fragile.
FRAGILE_MARGIN = 0.01

#: Stage order and what each stage decides.
STAGES: dict[str, str] = {
    "threat": "Occupation threat before any new commitment (H6/H7): each client's status-quo threat against the adversary's probe threshold.",
    "clients": "The clients' structure: which blocks are individually stable, and the level of the clients' pledges to each other (H5, H6).",
    "patron": "The patron's offer to each block or lone client: one multilateral, bilateral spokes, or nothing, and at what level (H1, H4, H5).",
    "imposition": "Whether the patron imposes a multilateral on the lone clients, and which of them accept (H3, H4).",
    "adversary": "The adversary's response: probe a client whose threat after the design exceeds the threshold, or leave it.",
    "durability": "Each treaty's expected life against the long/short line (H2, H3); the terms are log-hazard contributions.",
}

_CSS = """
:root { --ink:#1d1d1f; --muted:#5b5b60; --line:#d6d6da; --accent:#1f3b73; --warn:#b3261e; --fragile:#fff3cd; }
* { box-sizing: border-box; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 64rem; margin: 2rem auto; padding: 0 1.25rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.02rem; margin: 1.4rem 0 .4rem; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
table.meta { width: auto; font-size: .92rem; margin: .5rem 0 1rem; }
table.meta th { background: none; color: var(--muted); font-weight: 400; padding-left: 0; white-space: nowrap; }
table.meta th, table.meta td { border: none; padding-top: .1rem; padding-bottom: .1rem; }
nav.toc { font-size: .88rem; margin: .5rem 0 1rem; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: .8rem; white-space: nowrap; }
.design { font-size: 1.15rem; padding: .7rem 1rem; border-left: 5px solid var(--accent); background: #f3f6fb; margin: 1rem 0; }
.design strong { font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .88rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f4f4f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tr.fragile td { background: var(--fragile); }
tr.selected td { background: #e8eef8; font-weight: 600; }
.badge { display: inline-block; font-size: .72rem; padding: 0 .35rem; border-radius: .6rem; border: 1px solid currentColor; white-space: nowrap; }
.badge.fragile { color: #8a6100; background: var(--fragile); }
.badge.probed { color: var(--warn); }
.badge.sel { color: var(--accent); }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: .3rem; }
.stage-intro { color: var(--muted); font-size: .88rem; margin: .1rem 0 .3rem; }
.note { color: var(--muted); font-size: .9rem; }
ol.sources li { margin-bottom: .25rem; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85em; }
footer { margin-top: 3rem; padding-top: .6rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .82rem; }
@media print {
  body { max-width: none; margin: 0; font-size: 11pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, tr { break-inside: avoid; page-break-inside: avoid; }
  .design { background: none; }
}
"""


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _e(x) -> str:
    return escape("" if x is None else str(x), quote=True)


def _num(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}f}"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]], num_cols: Iterable[int] = (),
           row_classes: Iterable[str] | None = None) -> str:
    """Rows are already-escaped HTML cell contents."""
    num = set(num_cols)

    def attr(k: int) -> str:
        return ' class="num"' if k in num else ""

    hs = "".join(f"<th{attr(k)}>{_e(h)}</th>" for k, h in enumerate(headers))
    out = [f"<table><thead><tr>{hs}</tr></thead><tbody>"]
    rcs = list(row_classes) if row_classes is not None else None
    for i, row in enumerate(rows):
        rc = f' class="{rcs[i]}"' if rcs and rcs[i] else ""
        cells = "".join(f"<td{attr(k)}>{c}</td>" for k, c in enumerate(row))
        out.append(f"<tr{rc}>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


_XML_DECL = re.compile(r"<\?xml[^>]*\?>\s*")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*", re.S)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'(xlink:href|href)="#([^"]+)"')
_URLREF = re.compile(r"url\(#([^)]+)\)")
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def inline_svg(svg: str, prefix: str, title: str = "") -> str:
    """Make Matplotlib's SVG safe to inline in HTML: drop the XML prologue,
    DOCTYPE, metadata and namespace URLs (HTML5 parsers supply the SVG
    namespace), prefix every id so several figures can share one page, and
    give the figure its natural width (the viewBox, in points) so that every
    figure's text prints at the same size; a figure wider than the page is
    scaled down to fit (``max-width: 100%``), none is blown up."""
    s = _XML_DECL.sub("", svg)
    s = _DOCTYPE.sub("", s)
    s = _METADATA.sub("", s)
    s = _XMLNS.sub("", s)
    s = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', s)
    s = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', s)
    s = _URLREF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", s)

    def _open(m: re.Match) -> str:
        attrs = re.sub(r'\s(width|height)="[^"]*"', "", m.group(1))
        vb = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', attrs)
        if vb:
            attrs += f' width="{float(vb.group(1)):.1f}pt"'
        t = f"<title>{_e(title)}</title>" if title else ""
        return f'<svg{attrs} role="img" aria-label="{_e(title)}">{t}'

    s = _SVG_OPEN.sub(_open, s, count=1)
    return s.strip()


def _figure(ax, prefix: str, title: str, caption: str) -> str:
    svg = inline_svg(plots.figure_svg(ax.figure), prefix, title)
    return f'<figure id="fig-{prefix}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


def _fragile(c: Comparison, limit: float) -> bool:
    return abs(c.margin) < limit


_TOC = [
    ("design", "Design"), ("network", "Network"), ("threats", "Threat map"), ("preferences", "Preferences"),
    ("explanation", "Explanation"), ("stable", "Stable structures"), ("counter-alignment", "Counter-alignment"),
    ("sources", "Sources"),
]


# ---------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------
def _header(result: Result, s: Scenario) -> str:
    meta = [
        ("Scenario", f'<span class="mono">{_e(s.id)}</span>'),
        ("Region", _e(s.region)),
        ("Year", _e(s.year) + (f" (as of {_e(s.date.isoformat())})" if s.date else "")),
        ("Kind", _e(s.kind)),
        ("Capability measure", _e(s.capability_measure)),
        ("Actors", _e(", ".join(f"{a.name} ({a.role.value})" for a in s.actors))),
    ]
    rows = "".join(f'<tr><th scope="row">{k}</th><td>{v}</td></tr>' for k, v in meta)
    desc = f"<p>{_e(s.description)}</p>" if s.description else ""
    toc = "".join(f'<a href="#{a}">{t}</a>' for a, t in _TOC)
    return (
        f"<header><h1>{_e(s.title)}</h1>"
        f'<p class="subtitle">pactlab prediction report: alliance architecture for the patron, its clients and the adversary</p>'
        f'<table class="meta"><tbody>{rows}</tbody></table>{desc}'
        f'<nav class="toc">{toc}</nav></header>'
    )


def _design(result: Result, s: Scenario) -> str:
    with_p = [t for t in result.treaties if t.with_patron]
    n_sp = sum(1 for t in with_p if len(t.members) == 2)
    n_ml = sum(1 for t in with_p if len(t.members) >= 3)
    n_cc = sum(1 for t in result.treaties if not t.with_patron)
    probed = [c.id for c in result.clients if c.probed]
    bits = [
        f"{n_sp} bilateral spoke(s) from the patron",
        f"{n_ml} multilateral/trilateral treaty(ies) with the patron",
        f"{n_cc} client-only pact(s)",
    ]
    out = [
        '<h2 id="design">Predicted design</h2>',
        f'<div class="design">Predicted design: <strong>{_e(result.design)}</strong><br>'
        f'<span class="note">{_e("; ".join(bits))}. '
        f'Patron: {_e(result.patron or "none")}; adversary: {_e(result.adversary)}. '
        f'Clients probed by the adversary: {_e(", ".join(probed) if probed else "none")}.</span></div>',
    ]
    out.append(_probabilities(result))
    if result.treaties:
        rows = []
        for t in result.treaties:
            rows.append([
                f'<span class="mono">{_e(t.id)}</span>',
                _e(", ".join(t.members)),
                _e(t.level),
                _e(t.form),
                _e(t.origin),
                _num(t.expected_years, 1),
                _e(t.durability),
                _num(t.hazard, 4),
            ])
        out.append(_table(["Treaty", "Members", "Level", "Form", "Origin", "Expected years", "Durability", "Yearly hazard"],
                          rows, num_cols=(5, 7)))
    else:
        out.append('<p class="note">No treaty is predicted.</p>')
    if s.treaties:
        rows = [[_e(t.id), _e(", ".join(t.members)), _e(t.level.value),
                 _e(t.since.isoformat() if t.since else ""), _e(t.source)] for t in s.treaties]
        out.append("<h3>Commitments in force before the scenario date</h3>")
        out.append(_table(["Treaty", "Members", "Level", "Since", "Source"], rows))
    if s.record is not None:
        r = s.record
        tx = "; ".join(f"{t.id} ({', '.join(t.members)}, {t.level.value})" for t in r.treaties)
        out.append(
            f'<p class="note">Historical record (never read by the model): design <strong>{_e(r.design)}</strong>, '
            f"durability {_e(r.durability)}" + (f"; treaties: {_e(tx)}" if tx else "")
            + (f". {_e(r.note)}" if r.note else "") + "</p>"
        )
    return "".join(out)


def _probabilities(result: Result) -> str:
    """The design probabilities of the logit model (solve(..., distribution=True))."""
    d = result.distribution
    if d is None:
        return ""
    rows = [[_e(k), _num(v, 3)] for k, v in d.design_probabilities.items() if v > 0.0005]
    extra = ""
    if d.has_record:
        extra = (f" Log-probability of the record's new treaties: {_num(d.record_log_prob, 3)}."
                 if d.record_log_prob is not None else " The record's new treaties are impossible at these precisions.")
    return (
        "<h3>Design probabilities</h3>"
        + _table(["Design", "Probability"], rows, num_cols=(1,))
        + f'<p class="note">Quantal-response model, {_e(d.method)}: {_e(d.note)}. At infinite logit precisions '
        f"(the default) the distribution is a point mass on the predicted design.{_e(extra)}</p>"
    )


def _network(result: Result, s: Scenario) -> str:
    ax = plots.alliance_network(result, s)
    cap = (
        "The patron is the hub at the top and the clients sit on an arc below it. A shaded hull around the patron "
        "and several clients is one multilateral (or trilateral) treaty; lines from the hub are bilateral spokes; "
        "warm-coloured hulls around clients alone are client-only pacts. Solid = defend, dashed = consult. "
        "Grey underlays are commitments already in force; the adversary side is red; a dashed red ring marks a "
        "client the adversary probes."
    )
    return '<h2 id="network">Alliance network</h2>' + _figure(ax, "net", f"Alliance network: {result.design}", cap)


def _threats(result: Result, s: Scenario) -> str:
    ax = plots.threat_map(result, s)
    thr = plots.probe_threshold(result)
    cap = (
        f"Occupation threat per client before (pale) and after (solid) the predicted design; the dashed red line "
        f"is the probe threshold ({thr:.2f}). Under the bars: each client's tie to the adversary side "
        "(triangle = land, dot = sea, hollow = remote) and footholds near it."
    )
    rows = []
    for c in result.clients:
        rows.append([
            f'<span class="mono">{_e(c.id)}</span>',
            _e(c.name),
            _num(c.capability, 4),
            _num(c.threat_status_quo, 3),
            _num(c.threat, 3),
            '<span class="badge probed">probed</span>' if c.probed else "",
            _e(", ".join(c.group)),
            _e(c.pledge_to_clients),
            _e(pledge_label(c)),
            _num(c.payoff, 4),
        ])
    table = _table(
        ["Client", "Name", "Capability", "Threat (status quo)", "Threat (after)", "Adversary", "Group",
         "Pledge to clients", "Patron's pledge", "Payoff"],
        rows, num_cols=(2, 3, 4, 9),
    )
    return '<h2 id="threats">Threat map</h2>' + _figure(ax, "thr", "Threat map", cap) + table


def _preferences(result: Result, limit: float) -> str:
    designs: list[str] = []
    for p in result.preferences:
        for d in p.values:
            if d not in designs:
                designs.append(d)
    rows, classes = [], []
    for p in result.preferences:
        cells = [f'<span class="mono">{_e(p.actor)}</span>', _e(p.role), f"<strong>{_e(p.preferred)}</strong>",
                 _num(p.margin, 4) + (' <span class="badge fragile">fragile</span>' if abs(p.margin) < limit else "")]
        for d in designs:
            v = p.values.get(d)
            txt = "" if v is None else _num(v, 4)
            cells.append(f"<strong>{txt}</strong>" if d == p.preferred else txt)
        rows.append(cells)
        classes.append("fragile" if abs(p.margin) < limit else "")
    if not rows:
        return '<h2 id="preferences">Preferred designs</h2><p class="note">No preferences recorded.</p>'
    html = _table(["Actor", "Role", "Preferred design", "Margin over 2nd"] + designs, rows,
                  num_cols=tuple(range(3, 4 + len(designs))), row_classes=classes)
    return (
        '<h2 id="preferences">Each actor\'s preferred design</h2>'
        '<p class="note">Each actor\'s payoff from four whole-theatre designs (the adversary\'s is its expected '
        f"gain from probing). Margins below {limit:g} are marked fragile.</p>" + html
    )


def _explanation(result: Result, limit: float) -> str:
    out = [
        '<h2 id="explanation">Why: the chain of decisive comparisons</h2>',
        f'<p class="note">Each row is a choice the model made and the best alternative it beat; the margin is the '
        f"chosen option's payoff minus the alternative's in the deciding actor's units (years for durability, threat "
        f"for the threat stage). Rows with |margin| &lt; {limit:g} are fragile: a small change in the inputs could "
        f"flip them.</p>",
    ]
    order = list(STAGES) + sorted({c.stage for c in result.comparisons} - set(STAGES))
    n_fragile = 0
    for stage in order:
        cs = [c for c in result.comparisons if c.stage == stage]
        if not cs:
            continue
        rows, classes = [], []
        for c in cs:
            frag = _fragile(c, limit)
            n_fragile += frag
            rows.append([
                f'<span class="mono">{_e(c.actor)}</span>',
                _e(c.chosen),
                _e(c.alternative),
                f"{c.margin:+.4f}" + (' <span class="badge fragile">fragile</span>' if frag else ""),
                _e(c.mechanism),
                _e(c.hypothesis),
            ])
            classes.append("fragile" if frag else "")
        out.append(f'<h3 id="stage-{_e(stage)}">Stage: {_e(stage)} ({len(cs)})</h3>')
        if stage in STAGES:
            out.append(f'<p class="stage-intro">{_e(STAGES[stage])}</p>')
        out.append(_table(["Actor", "Chosen", "Over", "Margin", "Mechanism", "Hypothesis"], rows,
                          num_cols=(3,), row_classes=classes))
    if not result.comparisons:
        out.append('<p class="note">No comparisons recorded.</p>')
    out.insert(2, f'<p><strong>{n_fragile}</strong> of {len(result.comparisons)} comparisons are fragile.</p>')
    return "".join(out)


def _stable(result: Result) -> str:
    out = ['<h2 id="stable">Stable client structures</h2>',
           f"<p>Selection: {_e(result.selection_reason)}.</p>"]
    if result.stable:
        rows, classes = [], []
        for k, st in enumerate(result.stable, 1):
            rows.append([
                str(k),
                _e(plots.structure_label(st.blocks, st.lone)),
                _num(st.client_welfare, 4),
                "yes" if st.pareto_efficient else "no",
                '<span class="badge sel">&#9733; selected</span>' if st.selected else "",
            ])
            classes.append("selected" if st.selected else "")
        out.append(_table(["#", "Blocks | lone clients", "Total client payoff", "Pareto-efficient", ""], rows,
                          num_cols=(2,), row_classes=classes))
        if len(result.stable) > 1:
            ax = plots.stable_structures_plot(result)
            out.append(_figure(ax, "st", "Stable structures",
                               "Total client payoff of each individually stable structure; the selected one is dark."))
    else:
        out.append('<p class="note">No structure is individually stable.</p>')
    return "".join(out)


def _counter(result: Result) -> str:
    out = ['<h2 id="counter-alignment">Counter-alignment</h2>']
    if result.counter_alignment:
        rows = [[f'<span class="mono">{_e(k)}</span>', _num(v[0], 3), _num(v[1], 3), f"{v[1] - v[0]:+.3f}"]
                for k, v in sorted(result.counter_alignment.items())]
        out.append('<p class="note">How far each aligned adversary would fight alongside the adversary, before '
                   "and after cross-theatre linking of the patron's designs.</p>")
        out.append(_table(["Aligned adversary", "Before linking", "After linking", "Change"], rows,
                          num_cols=(1, 2, 3)))
    else:
        out.append('<p class="note">No aligned adversaries in this scenario.</p>')
    return "".join(out)


def _sources(s: Scenario) -> str:
    items = []
    for key in sorted(s.sources):
        src = s.sources[key]
        extra = ""
        if src.url:
            extra += f' <span class="mono">{_e(src.url)}</span>'
        if src.accessed:
            extra += f" (accessed {_e(src.accessed)})"
        items.append(f'<li><span class="mono">[{_e(key)}]</span> {_e(src.cite)}{extra}</li>')
    return '<h2 id="sources">Sources</h2><ol class="sources">' + "".join(items) + "</ol>"


def _notes(result: Result) -> str:
    if not result.notes:
        return ""
    return '<h2 id="notes">Notes</h2><ul>' + "".join(f"<li>{_e(n)}</li>" for n in result.notes) + "</ul>"


def _footer(result: Result) -> str:
    return (
        "<footer>Generated by pactlab "
        f'<span class="mono">{_e(result.pactlab_version)}</span> · scenario '
        f'<span class="mono">{_e(result.scenario_id)}</span> · scenario hash '
        f'<span class="mono">{_e(result.scenario_hash)}</span> · parameters digest '
        f'<span class="mono">{_e(result.parameters_digest)}</span>. '
        "The same version, scenario hash and parameter digest reproduce this report.</footer>"
    )


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------
def render_report(result: Result, scenario: Scenario, *, fragile_margin: float = FRAGILE_MARGIN) -> str:
    """The report as one HTML string."""
    body = "".join([
        _header(result, scenario),
        _design(result, scenario),
        _network(result, scenario),
        _threats(result, scenario),
        _preferences(result, fragile_margin),
        _explanation(result, fragile_margin),
        _stable(result),
        _counter(result),
        _notes(result),
        _sources(scenario),
        _footer(result),
    ])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="pactlab {_e(result.pactlab_version)}">\n'
        f"<title>{_e(scenario.title)} · pactlab report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def write_report(result: Result, scenario: Scenario, path: str | Path, *,
                 fragile_margin: float = FRAGILE_MARGIN) -> Path:
    """Write the self-contained HTML report to ``path``; returns the path."""
    p = Path(path)
    if p.parent and not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_report(result, scenario, fragile_margin=fragile_margin), encoding="utf-8")
    return p
