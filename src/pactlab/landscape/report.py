"""The landscape report: one figure (the predicted blocs, and the energy landscape) and an HTML page.

The figure is a plain Matplotlib ``Figure`` drawn from the analysis alone, with
the rendering settings of :mod:`pactlab.report.plots`, so the same system gives
byte-identical SVG and PNG files. Artists carry a ``gid``: ``actor:<id>`` for an
actor's marker and ``minimum:<rank>`` for a local minimum's marker.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pactlab.report import plots

ALLIED_C = "#2e6fbd"
AXIS_C = "#c0392b"
NONE_C = "#bdbdbd"
WRONG_C = "#111111"


def _e(x) -> str:
    return escape("" if x is None else str(x), quote=True)


def distance_profile(land) -> dict[str, np.ndarray]:
    """Energy quantiles of the configurations at each distance (actors moved) from the global minimum."""
    n = land.system.n
    g = land.global_minimum.code
    codes = np.arange(land.n_configurations, dtype=np.int64)
    x = codes ^ g
    bits = np.zeros(land.n_configurations, dtype=np.int64)
    for k in range(n - 1):
        bits += (x >> k) & 1
    dist = np.minimum(bits, n - bits)
    w = float(np.sum(np.abs(np.triu(land.system.weights, 1)))) or 1.0
    e = land.energies / w
    ds = np.arange(0, n // 2 + 1)
    qs = {q: np.array([np.quantile(e[dist == d], q) for d in ds]) for q in (0.0, 0.1, 0.5, 0.9, 1.0)}
    return {"distance": ds, **{f"q{int(q * 100)}": v for q, v in qs.items()}, "_dist": dist, "_e": e}


def figure(analysis: dict[str, Any], land, system) -> Figure:
    """Left: the blocs of the global minimum, discs sized by capability and filled by the side taken.
    Right: energy against the number of actors moved from the global minimum, local minima marked."""
    fig = Figure(figsize=(10.5, 5.2), dpi=100)
    FigureCanvasAgg(fig)
    ax, bx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.05, 1.0]})
    sc = analysis["score"]
    wrong, und = set(sc["misplaced"]), set(sc["undetermined"])
    actual = analysis["actual_sides"]
    names = dict(zip(system.ids, system.names))
    sizes = dict(zip(system.ids, system.sizes()))
    smax = max(sizes.values())
    g = analysis["minima"][0]
    cols = [("bloc with " + names.get(system.score_anchor, system.score_anchor), g["bloc_with_anchor"]),
            ("other bloc", g["other_bloc"])]
    rows = max(len(c[1]) for c in cols)
    for x, (title, members) in enumerate(cols):
        ax.text(x, rows + 0.1, title, ha="left", va="bottom", fontsize=9.5, fontweight="bold")
        for k, a in enumerate(sorted(members, key=lambda m: (-sizes[m], m))):
            y = rows - 1 - k
            side = actual.get(a)
            fc = ALLIED_C if side == "allied" else AXIS_C if side == "axis" else NONE_C
            area = 40 + 560 * sizes[a] / smax  # marker area in points^2 grows with capability
            dot = ax.scatter([x + 0.08], [y + 0.5], s=[area], facecolor=fc, alpha=0.9,
                             edgecolor=WRONG_C if a in wrong else "white", linewidth=2.2 if a in wrong else 0.8,
                             hatch="////" if a in und else None, zorder=3)
            dot.set_gid(f"actor:{a}")
            mark = " (misplaced)" if a in wrong else " (either bloc)" if a in und else ""
            ax.text(x + 0.22, y + 0.5, names.get(a, a) + mark, va="center", fontsize=8.5)
    ax.set_xlim(-0.05, 2.0)
    ax.set_ylim(-0.2, rows + 0.8)
    ax.axis("off")
    ax.set_title(f"Global minimum: {sc['correct']} of {sc['scored']} placed on their side", fontsize=11)
    handles = [Patch(facecolor=ALLIED_C, label="fought with the Allies"),
               Patch(facecolor=AXIS_C, label="fought with the Axis"),
               Patch(facecolor="white", edgecolor=WRONG_C, linewidth=2.0, label="misplaced")]
    if und:
        handles.append(Patch(facecolor="white", edgecolor="#555", hatch="//", label="either bloc (tied minima)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False, fontsize=8)

    prof = distance_profile(land)
    d = prof["distance"]
    bx.fill_between(d, prof["q0"], prof["q100"], color="#d9dde6", label="all configurations (range)")
    bx.fill_between(d, prof["q10"], prof["q90"], color="#a9b4c8", label="10-90% of configurations")
    bx.plot(d, prof["q50"], color="#1f3b73", linewidth=1.2, label="median")
    dist, e = prof["_dist"], prof["_e"]
    for rank, m in enumerate(analysis["minima"]):
        c = m["code"]
        mk = bx.scatter([dist[c]], [e[c]], s=30 + 400 * m["basin_share"], zorder=3,
                        color="#e08a1e" if not m["global"] else "#111111", edgecolor="white", linewidth=0.6)
        mk.set_gid(f"minimum:{rank}")
        if rank < 6:
            bx.annotate(f"{100 * m['basin_share']:.0f}%", (dist[c], e[c]), xytext=(6, -2),
                        textcoords="offset points", fontsize=7.5)
    bx.set_xlabel("actors on the other side than in the global minimum")
    bx.set_ylabel("energy / total |weighted propensity|")
    bx.set_xticks(d)
    bx.set_title(f"Energy landscape: {land.n_configurations:,} configurations, {len(land.minima)} local "
                 f"minim{'um' if len(land.minima) == 1 else 'a'}", fontsize=11)
    extra = [Line2D([], [], marker="o", linestyle="", color="#111111", label="global minimum (basin %)"),
             Line2D([], [], marker="o", linestyle="", color="#e08a1e", label="other local minimum")]
    bx.legend(handles=bx.get_legend_handles_labels()[0] + extra, fontsize=7.5, loc="lower right", frameon=False)
    bx.spines[["top", "right"]].set_visible(False)
    return fig


def render(analysis: dict[str, Any], land, system) -> str:
    from pactlab.report.html import _CSS, _table, inline_svg

    names = dict(zip(system.ids, system.names))

    def nm(ids):
        return ", ".join(names.get(a, a) for a in ids) or "none"

    a = analysis
    sc = a["score"]
    svg = inline_svg(plots.figure_svg(figure(a, land, system)), "landscape", "landscape figure")
    minima = _table(
        ["#", "energy", "basin", "share", f"bloc with {names.get(system.score_anchor, '')}", "other bloc"],
        [[str(k + 1), f"{m['energy']:.6g}", f"{m['basin']:,.1f}" if a["basins"] == "random" else f"{int(m['basin']):,}",
          f"{100 * m['basin_share']:.1f}%" + (" (global)" if m["global"] else ""),
          _e(nm(m["bloc_with_anchor"])), _e(nm(m["other_bloc"]))] for k, m in enumerate(a["minima"])],
        num_cols=(0, 1, 2, 3))
    pub = a.get("published")
    pub_html = ""
    if pub:
        pub_html = (f"<p class='note'>Published figure: {pub['correct']} of {pub['scored']} "
                    f"(misplaced: {_e(nm(pub['misplaced']))}); {_e(pub.get('note') or '')}</p>")
    sens = ""
    if a.get("sensitivity"):
        sens = "<h2>Sensitivity to the coding</h2><p class='note'>Each alternative was fixed in advance and is " \
               "varied alone, the rest at the primary coding.</p>" + _table(
                   ["coding", "placed correctly", "misplaced", "either bloc", "local minima"],
                   [[_e(r["label"]), _e(f"{r['correct']} of {r['scored']}"), _e(nm(r["misplaced"])),
                     _e(nm(r["undetermined"])), str(r["minima"])] for r in a["sensitivity"]], num_cols=(4,))
    srcs = "".join(f"<li><span class='mono'>{_e(k)}</span>: {_e(v.cite)}</li>" for k, v in system.file.sources.items())
    body = (
        f"<h1>{_e(system.file.title)}</h1>"
        f"<p class='subtitle'>Landscape theory (Axelrod and Bennett, 'A landscape theory of aggregation', British "
        f"Journal of Political Science 23(2), 1993)</p>"
        f"<table class='meta'><tr><th>system</th><td class='mono'>{_e(a['system'])}</td></tr>"
        f"<tr><th>propensity rule</th><td>{_e(a['rule'] or 'as given in the file')}</td></tr>"
        f"<tr><th>sizes</th><td>{_e(a['size_measure'])}</td></tr>"
        f"<tr><th>configurations</th><td>{a['configurations']:,} (every two-bloc split of {a['actors']} actors)</td></tr>"
        f"<tr><th>basins</th><td>{_e(a['basins_text'])}</td></tr></table>"
        f"<div class='design'>Global minimum: <strong>{sc['correct']} of {sc['scored']}</strong> placed on the side "
        f"they took. Misplaced: {_e(nm(sc['misplaced']))}."
        + (f" Either bloc (tied global minima): {_e(nm(sc['undetermined']))}." if sc["undetermined"] else "")
        + f"</div>{pub_html}"
        f"<figure>{svg}<figcaption>Left: the blocs of the global minimum, discs sized by capability, filled by the "
        f"side each state took. Right: energy of every configuration against the number of actors on the other side "
        f"than in the global minimum; markers are local minima, sized and labelled by basin.</figcaption></figure>"
        f"<h2>Local minima</h2>{minima}{sens}<h2>Sources</h2><ol class='sources'>{srcs}</ol>"
        f"<footer>Generated by pactlab {_e(a['pactlab_version'])} from {_e(a['system'])}.</footer>"
    )
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(system.file.title)} · pactlab landscape</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def write(analysis: dict[str, Any], land, system, path: str | Path) -> Path:
    from pactlab.files import atomic_write_text

    return atomic_write_text(path, render(analysis, land, system))
