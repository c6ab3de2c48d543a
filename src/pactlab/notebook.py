"""Results in a notebook: rich display, extra tables, and saved results loaded back.

``Result`` objects display themselves in Jupyter (``_repr_html_``: the
network diagram the HTML report draws and the key tables) and print a short
one-line summary instead of every field. This module holds the helpers::

    from pactlab.notebook import preferences_frame, stable_frame, load_result
    preferences_frame(r)     # one row per actor: preferred design, margin, value of each design
    stable_frame(r)          # one row per individually stable client structure
    load_result(text)        # a Result from its saved JSON (r.to_json())
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from pactlab.errors import PactlabError
from pactlab.model.result import (
    ClientState, Comparison, Preference, Result, StableStructure, TreatyPrediction,
)

__all__ = ["preferences_frame", "stable_frame", "load_result", "short_repr", "result_html"]


def preferences_frame(r: Result) -> pd.DataFrame:
    """One row per actor: its role, preferred design, margin over its second
    choice and its value for each design it compared."""
    rows = []
    for p in r.preferences:
        row = {"actor": p.actor, "role": p.role, "preferred": p.preferred, "margin": p.margin}
        row.update({f"value: {k}": v for k, v in p.values.items()})
        rows.append(row)
    return pd.DataFrame(rows).assign(scenario=r.scenario_id)


def stable_frame(r: Result) -> pd.DataFrame:
    """One row per individually stable client structure: its blocks, the lone
    clients, client welfare, Pareto efficiency, and which one was selected."""
    rows = [{"blocks": " | ".join(",".join(b) for b in s.blocks), "lone": ",".join(s.lone),
             "client_welfare": s.client_welfare, "pareto_efficient": s.pareto_efficient, "selected": s.selected}
            for s in r.stable]
    cols = ["blocks", "lone", "client_welfare", "pareto_efficient", "selected"]
    return pd.DataFrame(rows, columns=cols).assign(scenario=r.scenario_id)


def _tuple(x):
    return tuple(_tuple(v) for v in x) if isinstance(x, list) else x


def load_result(source: str | Path | dict) -> Result:
    """A :class:`Result` from what :meth:`Result.to_json` wrote: JSON text, a
    path to a ``.json`` file, or the parsed mapping. Raises PactlabError,
    naming the field, when it is not a saved result."""
    where = "result"
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        where = str(source)
        try:
            source = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise PactlabError(f"{where}: cannot read saved result ({exc.strerror})") from None
    try:
        d = json.loads(source) if isinstance(source, str) else dict(source)
    except json.JSONDecodeError as exc:
        raise PactlabError(f"{where}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    try:
        d = dict(d)
        parts = {
            "treaties": tuple(TreatyPrediction(**{k: _tuple(v) for k, v in t.items()}) for t in d.pop("treaties")),
            "clients": tuple(ClientState(**{k: _tuple(v) for k, v in c.items()}) for c in d.pop("clients")),
            "stable": tuple(StableStructure(**{k: _tuple(v) for k, v in s.items()}) for s in d.pop("stable")),
            "preferences": tuple(Preference(**p) for p in d.pop("preferences")),
            "comparisons": tuple(Comparison(**c) for c in d.pop("comparisons")),
            "counter_alignment": {k: (v["before_linking"], v["after_linking"])
                                  for k, v in d.pop("counter_alignment").items()},
            "notes": tuple(d.pop("notes", ())),
        }
        return Result(**d, **parts)
    except KeyError as exc:
        raise PactlabError(f"{where}: not a saved pactlab result: field {exc} is missing") from None
    except TypeError as exc:
        raise PactlabError(f"{where}: not a saved pactlab result ({exc})") from None


def short_repr(r: Result) -> str:
    treaties = ", ".join(f"{'-'.join(t.members)} ({t.level})" for t in r.treaties) or "no new treaty"
    return (f"<Result {r.scenario_id}: {r.design}; {len(r.treaties)} treaties: {treaties}; "
            f"scenario {r.scenario_hash}, parameters {r.parameters_digest}>")


def _frame_html(df: pd.DataFrame) -> str:
    return df.drop(columns=["scenario"], errors="ignore").to_html(index=False, border=0, float_format=lambda x: f"{x:.4g}")


def result_html(r: Result, scenario=None) -> str:
    """HTML for a notebook: the alliance network (when the scenario is known:
    passed in, or the built-in one the result was computed from), the
    treaties, clients and decisive comparisons."""
    if scenario is None:
        scenario = _builtin_for(r)
    parts = [f"<h3>{html.escape(r.scenario_title)}: <strong>{html.escape(r.design)}</strong></h3>"]
    if scenario is not None:
        from pactlab.report import plots
        from pactlab.report.html import inline_svg

        ax = plots.alliance_network(r, scenario)
        parts.append(f'<div style="max-width:46rem">{inline_svg(plots.figure_svg(ax.figure), "nb-" + r.scenario_hash, r.design)}</div>')
    else:
        parts.append("<p><em>Diagram: pass the scenario, pactlab.notebook.result_html(result, scenario).</em></p>")
    parts += ["<h4>Treaties</h4>", _frame_html(r.treaties_frame()),
              "<h4>Clients</h4>", _frame_html(r.clients_frame()),
              "<h4>Decisive comparisons</h4>", _frame_html(r.comparisons_frame()),
              f"<p><small>pactlab {html.escape(r.pactlab_version)}, scenario {r.scenario_hash}, "
              f"parameters {r.parameters_digest}</small></p>"]
    return "\n".join(parts)


def _builtin_for(r: Result):
    from pactlab.scenarios.catalog import catalog, get
    from pactlab.scenarios.loader import scenario_hash

    for e in catalog():
        if e.id == r.scenario_id:
            s = get(e.id)
            return s if scenario_hash(s) == r.scenario_hash else None
    return None
