"""The explorer's pages (Solara). Served by ``pactlab app``; see docs/howto/app.md.

All computation goes through :mod:`pactlab.app.logic`; this module only lays
out widgets and keeps the per-browser-tab state (the theatre as loaded, the
edited theatre, the last error).
"""

from __future__ import annotations

import html

import pandas as pd
import solara
import solara.lab

from pactlab.app import logic
from pactlab.designs import DESIGNS
from pactlab.errors import PactlabError
from pactlab.scenarios.catalog import DEFAULT_SCENARIOS, catalog, get
from pactlab.scenarios.loader import scenario_hash
from pactlab.scenarios.schema import Contiguity

loaded = solara.reactive(get(DEFAULT_SCENARIOS[0]))  # the theatre as picked or uploaded ("today")
edited = solara.reactive(loaded.value)  # the same theatre with the user's changes
error = solara.reactive("")


def _set(scenario) -> None:
    edited.set(scenario)
    error.set("")


def _try(fn, *args) -> None:
    try:
        _set(fn(edited.value, *args))
    except PactlabError as exc:
        error.set(str(exc))


def _table(rows: list[dict], css: str, fragile_col: str | None = None) -> str:
    if not rows:
        return f'<p class="{css}">(none)</p>'
    df = pd.DataFrame(rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, row in df.iterrows():
        cls = ' class="fragile"' if fragile_col and bool(row.get(fragile_col)) else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values) + "</tr>")
    return (f'<table class="{css}" style="border-collapse:collapse;font-size:13px">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


_STYLE = """<style>
.pl td,.pl th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.pl tr.fragile td{background:#fff3cd}
.pl-design{font-size:20px;padding:8px 12px;border-left:5px solid #1f3b73;background:#f3f6fb;margin:6px 0}
.pl-net svg{max-width:100%;height:auto}
</style>"""


# ---------------------------------------------------------------------------
# picking a theatre
# ---------------------------------------------------------------------------
@solara.component
def Picker():
    ids = [e.id for e in catalog()]

    def pick(name: str):
        s = get(name)
        loaded.set(s)
        _set(s)

    def upload(info):
        try:
            s = logic.parse_upload(info["data"], info["name"])
        except PactlabError as exc:
            error.set(str(exc))
            return
        loaded.set(s)
        _set(s)

    with solara.Row():
        solara.Select(label="Built-in theatre", value=loaded.value.id if loaded.value.id in ids else None,
                      values=ids, on_value=pick)
        solara.Button("Reset edits", on_click=lambda: _set(loaded.value), classes=["pl-reset"])
    solara.FileDrop(label="...or drop a scenario file (YAML) here; it is read in memory and validated",
                    on_file=upload, lazy=False)


# ---------------------------------------------------------------------------
# editing every input
# ---------------------------------------------------------------------------
@solara.component
def InputWidget(inp: logic.Input):
    def on(v):
        _try(logic.apply, inp.path, v)

    def on_slider(v):
        if not logic.is_slider_rounding(v, inp.value):  # the slider drawing the value on its grid is no edit
            on(v)

    if inp.kind == "unit":
        solara.SliderFloat(inp.label, value=float(inp.value), min=0.0, max=1.0, step=logic.SLIDER_STEP,
                           on_value=on_slider, thumb_label=True)
    elif inp.kind in ("positive", "nonnegative"):
        solara.InputFloat(inp.label, value=float(inp.value), on_value=on, continuous_update=False)
    elif inp.kind == "choice":
        solara.Select(label=inp.label, value=inp.value, values=list(inp.choices), on_value=on)
    elif inp.kind == "flag":
        solara.Checkbox(label=inp.label, value=bool(inp.value), on_value=on)


@solara.component
def Editor():
    s = edited.value
    groups: dict[str, list[logic.Input]] = {}
    for inp in logic.inputs(s):
        groups.setdefault(inp.group, []).append(inp)
    for g, items in groups.items():
        if g in ("Disputes", "Footholds"):  # drawn with their add and remove controls below
            continue
        with solara.Card(g, margin=0, style={"margin-bottom": "6px"}):
            for inp in items:
                InputWidget(inp).key(f"{s.id}:{inp.path}")
    Disputes(groups.get("Disputes", []))
    Footholds(groups.get("Footholds", []))
    Treaties()


def _pick(value, values: list[str], default: int = 0):
    """A remembered choice if the theatre still has it, else the default one."""
    return value if value in values else values[min(default, len(values) - 1)]


@solara.component
def Disputes(items: list[logic.Input]):
    s = edited.value
    ids = logic.clients(s)
    a, set_a = solara.use_state(ids[0])
    b, set_b = solara.use_state(ids[1] if len(ids) > 1 else ids[0])
    level, set_level = solara.use_state(0.5)
    with solara.Card("Disputes", margin=0, style={"margin-bottom": "6px"}):
        for k, inp in enumerate(items):
            with solara.Row():
                InputWidget(inp).key(f"{s.id}:{inp.path}")
                solara.Button("remove", on_click=lambda k=k: _try(logic.remove_dispute, k), text=True,
                              classes=["pl-remove-dispute"])
        if len(ids) < 2:
            solara.Text("(a dispute is between two clients; this theatre has one)")
            return
        va, vb = _pick(a, ids), _pick(b, ids, 1)
        with solara.Row():
            solara.Select(label="dispute: first client", value=va, values=ids, on_value=set_a)
            solara.Select(label="dispute: second client", value=vb, values=ids, on_value=set_b)
        solara.SliderFloat("new dispute intensity", value=level, min=0.0, max=1.0, step=logic.SLIDER_STEP,
                           on_value=set_level, thumb_label=True)
        solara.Button("add dispute", on_click=lambda: _try(logic.add_dispute, va, vb, level),
                      classes=["pl-add-dispute"])


@solara.component
def Footholds(items: list[logic.Input]):
    s = edited.value
    holders, near_ids = logic.foothold_holders(s), logic.clients(s)
    contiguities = [c.value for c in Contiguity]
    holder, set_holder = solara.use_state(holders[0])
    near, set_near = solara.use_state(near_ids[0])
    cont, set_cont = solara.use_state("land")
    dist, set_dist = solara.use_state(0.0)
    with solara.Card("Footholds", margin=0, style={"margin-bottom": "6px"}):
        by_foothold: dict[str, list[logic.Input]] = {}
        for inp in items:
            by_foothold.setdefault(inp.path.split(".")[1], []).append(inp)
        for k, f in enumerate(s.footholds):
            for inp in by_foothold.get(str(k), []):
                InputWidget(inp).key(f"{s.id}:{inp.path}")
            solara.Button(f"remove foothold {f.holder} near {f.near}", text=True,
                          on_click=lambda k=k: _try(logic.remove_foothold, k), classes=["pl-remove-foothold"])
        vh, vn = _pick(holder, holders), _pick(near, near_ids)
        with solara.Row():
            solara.Select(label="foothold: holder", value=vh, values=holders, on_value=set_holder)
            solara.Select(label="foothold: near client", value=vn, values=near_ids, on_value=set_near)
            solara.Select(label="foothold: contiguity", value=cont, values=contiguities, on_value=set_cont)
        solara.InputFloat("foothold: distance (km)", value=dist, on_value=set_dist, continuous_update=True)
        solara.Button("add foothold", on_click=lambda: _try(logic.add_foothold, vh, vn, cont, dist),
                      classes=["pl-add-foothold"])


@solara.component
def Treaties():
    s = edited.value
    ids = logic.treaty_members(s)
    levels = ["cooperate", "consult", "defend"]
    members, set_members = solara.use_state(ids[:2])
    level, set_level = solara.use_state("defend")
    council, set_council = solara.use_state(False)
    shown = [m for m in members if m in ids]  # a member remembered from another theatre is dropped
    with solara.Card("Treaties in force", margin=0):
        for t in s.treaties:
            with solara.Row():
                solara.Text(f"{t.id}: {'-'.join(t.members)}")
                solara.Select(label="level", value=t.level.value, values=levels,
                              on_value=lambda v, tid=t.id: _try(logic.set_treaty_level, tid, v))
                solara.Checkbox(label="council", value=t.council,
                                on_value=lambda v, tid=t.id: _try(logic.set_treaty_council, tid, v))
                solara.Button("remove", on_click=lambda tid=t.id: _try(logic.remove_treaty, tid), text=True,
                              classes=["pl-remove-treaty"])
        solara.SelectMultiple("new treaty: members", values=shown, all_values=ids, on_value=set_members)
        with solara.Row():
            solara.Select(label="new treaty: level", value=level, values=levels, on_value=set_level)
            solara.Checkbox(label="new treaty: standing council", value=council, on_value=set_council)
            solara.Button("add treaty", on_click=lambda: _try(logic.add_treaty, shown, level, council),
                          classes=["pl-add-treaty"])


# ---------------------------------------------------------------------------
# what the model predicts
# ---------------------------------------------------------------------------
def _solve(s):
    try:
        return logic.solve_view(s), ""
    except PactlabError as exc:
        return (None, None), str(exc)


def _result(s):
    """The solve alone (no design probabilities): what the Compare page reads."""
    try:
        return logic.bounded_solve(s), ""
    except PactlabError as exc:
        return None, str(exc)


@solara.component
def Prediction():
    s = edited.value
    (r, v), err = solara.use_memo(lambda: _solve(s), dependencies=[scenario_hash(s)])
    svg = solara.use_memo(lambda: logic.network_svg(r, s) if r is not None else "", dependencies=[scenario_hash(s)])
    if err:
        solara.Error(err)
        # the theatre as edited, to run from the command line as the message says
        solara.FileDownload(lambda: logic.scenario_yaml(s), filename=logic.scenario_file(s), label="Scenario (YAML)")
        return
    if v.probabilities_stopped:  # the prediction stands; only its probabilities are missing
        probs_html = (f'<div class="pl-probs pl-probs-stopped" data-probs="null">Design probabilities not shown: '
                      f"{html.escape(v.probabilities_stopped)}</div>")
    else:
        probs = " ".join(f"{d}: {p:.2f}" for d, p in v.probabilities.items() if p > 0)
        probs_html = (f'<div class="pl-probs" data-probs="{html.escape(logic.dumps(v.probabilities))}">'
                      f"Design probabilities: {html.escape(probs)} <small>({html.escape(v.probability_method)})</small></div>")
    solara.HTML(tag="div", unsafe_innerHTML=_STYLE + (
        f'<div class="pl-design" data-design="{html.escape(v.design)}" data-scenario="{scenario_hash(s)}">'
        "Predicted design: "
        f"<strong>{html.escape(v.design)}</strong> &nbsp;<small>({v.seconds * 1000:.0f} ms)</small></div>"
        f'<div class="pl-edges" data-edges="{html.escape(" ".join(v.edges))}"></div>'
        + probs_html + f'<div class="pl-net">{svg}</div>'
        "<h3>Treaties and durability</h3>" + _table(v.treaties, "pl pl-treaties")
        + "<h3>Each actor's preferred design</h3>" + _table(v.preferences, "pl pl-prefs")
        + f"<h3>Decisive comparisons</h3><p>Rows shaded are fragile calls (|margin| &lt; {logic.FRAGILE_MARGIN}).</p>"
        + _table(v.comparisons, "pl pl-comparisons", fragile_col="fragile")
    ))
    with solara.Row():
        solara.FileDownload(lambda: logic.scenario_yaml(s), filename=logic.scenario_file(s), label="Scenario (YAML)")
        solara.FileDownload(lambda: logic.result_json(r), filename=f"{s.id}-result.json", label="Result (JSON)")
        solara.FileDownload(lambda: logic.report_html(r, s), filename=f"{s.id}-report.html", label="Report (HTML)")


# ---------------------------------------------------------------------------
# other pages
# ---------------------------------------------------------------------------
@solara.component
def WhatWouldItTake():
    s = edited.value
    ins = [i for i in logic.inputs(s) if i.kind in ("unit", "positive", "nonnegative")]
    labels = [i.label for i in ins]
    chosen, set_chosen = solara.use_state(labels[0])
    target, set_target = solara.use_state("multilateral")
    groups = ["all inputs"] + sorted({i.group for i in ins})
    group, set_group = solara.use_state("all inputs")
    out, set_out = solara.use_state("")

    def draw():
        inp = next((i for i in ins if i.label == chosen), ins[0])
        try:
            pts = logic.curve(s, inp, target=target)
        except PactlabError as exc:
            set_out(f'<p class="pl-refused">{html.escape(str(exc))}</p>')
            return
        rows = [{"value": f"{x:.3g}", "design": d, "treaties": n,
                 "tipping point": "<-- design changes" if k and d != pts[k - 1][1] else ""}
                for k, (x, d, n) in enumerate(pts)]
        set_out(f"<h3>Tipping curve: {html.escape(inp.label)}</h3>" + _table(rows, "pl pl-curve"))

    def search():
        try:
            tips = logic.smallest_changes(s, target, n=5,
                                          only=None if group == "all inputs" else group)
        except PactlabError as exc:
            set_out(f'<p class="pl-refused">{html.escape(str(exc))}</p>')
            return
        rows = [{"input": t.label, "coded": f"{t.base:.3g}", "to": f"{t.value:.3g}", "design": t.design} for t in tips]
        set_out(f"<h3>Smallest single-input changes to {html.escape(target)}</h3>" + _table(rows, "pl pl-tips"))

    with solara.Row():
        solara.Select(label="Input", value=chosen if chosen in labels else labels[0], values=labels, on_value=set_chosen)
        solara.Button("Draw tipping curve", on_click=draw)
    with solara.Row():
        solara.Select(label="Target design", value=target, values=list(DESIGNS), on_value=set_target)
        solara.Select(label="Search", value=group, values=groups, on_value=set_group)
        solara.Button("Find smallest changes", on_click=search)
    solara.HTML(tag="div", unsafe_innerHTML=_STYLE + out)


@solara.component
def Compare():
    a, b = loaded.value, edited.value
    ra, ea = solara.use_memo(lambda: _result(a), dependencies=[scenario_hash(a)])
    rb, eb = solara.use_memo(lambda: _result(b), dependencies=[scenario_hash(b)])
    if ea or eb:
        solara.Error(ea or eb)
        return
    solara.HTML(tag="div", unsafe_innerHTML=_STYLE + "<p>The theatre as loaded (today) against your edited copy.</p>"
                + _table(logic.compare(a, ra, b, rb), "pl pl-compare"))


@solara.component
def Cases():
    rows = solara.use_memo(logic.case_rows, dependencies=[])
    solara.HTML(tag="div", unsafe_innerHTML=_STYLE + "<p>Each historical theatre's prediction against the record "
                "(docs/cases.md gives the scoring rules).</p>" + _table(rows, "pl pl-cases"))


@solara.component
def Page():
    solara.Title("pactlab explorer")
    # plain HTML, not solara.Markdown: Markdown pulls KaTeX, which the local assets do not carry
    solara.HTML(tag="h2", unsafe_innerHTML=f"pactlab explorer: {html.escape(edited.value.title)}")
    Picker()
    if error.value:
        solara.Error(error.value, classes=["pl-error"])
    with solara.lab.Tabs():
        with solara.lab.Tab("Explore"):
            with solara.Columns([1, 2]):
                with solara.Column():
                    Editor()
                with solara.Column():
                    Prediction()
        with solara.lab.Tab("What would it take"):
            WhatWouldItTake()
        with solara.lab.Tab("Compare"):
            Compare()
        with solara.lab.Tab("Cases"):
            Cases()
