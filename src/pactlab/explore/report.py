"""Self-contained HTML reports of the exploration commands (inline CSS and SVG figures)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from pactlab import __version__
from pactlab.files import atomic_write_text


def _e(x) -> str:
    return escape("" if x is None else str(x), quote=True)


def _fig(ax, prefix: str, title: str, caption: str) -> str:
    from pactlab.report import html, plots

    svg = html.inline_svg(plots.figure_svg(ax.figure), prefix, title)
    return f'<figure id="fig-{prefix}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


def _axes(w: float = 7.5, h: float = 3.6):
    from pactlab.report.plots import _new_axes

    return _new_axes((w, h))


def _table(headers, rows) -> str:
    from pactlab.report.html import _table as t

    return t(headers, [[_e(c) for c in r] for r in rows])


def _page(title: str, subtitle: str, body: str) -> str:
    from pactlab.report.html import _CSS

    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{_e(title)}</h1><p class=\"subtitle\">{_e(subtitle)}</p>"
            f"{body}<footer>pactlab {__version__}</footer></body></html>")


def _f(x, d=3) -> str:
    return "—" if x is None else f"{x:.{d}f}"


def montecarlo_html(s, summary: dict[str, Any], run: dict[str, Any]) -> str:
    ax = _axes()
    sh = summary["shares"]
    xs = list(range(len(sh)))
    ax.bar(xs, [r["share"] for r in sh], color="#1f3b73")
    ax.errorbar(xs, [r["share"] for r in sh], yerr=[[r["share"] - r["low"] for r in sh],
                                                      [r["high"] - r["share"] for r in sh]],
                fmt="none", ecolor="#b3261e", capsize=4)
    ax.set_xticks(xs, [r["design"] for r in sh])
    ax.set_ylabel("share of draws")
    ax.set_ylim(0, 1)
    body = [f"<div class=\"design\">Modal design <strong>{_e(summary['modal'])}</strong> in "
            f"{summary['modal_share']:.1%} of {summary['draws']} draws; the prediction at the coded values "
            f"({_e(summary['coded_design'])}) in {summary['robustness']:.1%} "
            f"[{summary['robustness_low']:.1%}, {summary['robustness_high']:.1%}].</div>",
            _fig(ax, "shares", "Outcome shares", "Share of draws with each design, with 95 % Wilson intervals."),
            "<h2>Outcome shares</h2>",
            _table(["design", "draws", "share", "95 % interval"],
                   [[r["design"], r["draws"], f"{r['share']:.3f}", f"[{r['low']:.3f}, {r['high']:.3f}]"] for r in sh]),
            "<h2>Inputs that move the modal design</h2>",
            _table(["input", "rule", "effect", "share of the modal design by value"],
                   [[m["input"], m["rule"], f"{m['effect']:.3f}",
                     "; ".join(f"{g['value']}: {g['share_modal']:.2f} (n={g['draws']})" for g in m["groups"])]
                    for m in summary["movers"]])]
    return _page(f"Monte Carlo: {s.title}", f"{run['draws']} draws, seed {run.get('seed')}", "".join(body))


def tipping_html(s, res: dict[str, Any]) -> str:
    body = [f"<div class=\"design\">Target <strong>{_e(res['target'])}</strong>; prediction at the coded values: "
            f"<strong>{_e(res['coded_design'])}</strong>.</div>", "<h2>One input at a time</h2>"]
    rows = []
    for r in res["inputs"]:
        t = r["thresholds"][0] if r["thresholds"] else None
        rows.append([r["input"], r["rule"], f"{r['coded']:.4g}",
                     "not reached in the span" if t is None else f"{t['value']:.4g} ({t['direction']})",
                     "" if t is None else f"{t['normalised']:.3f}", "yes" if r["monotone"] else "no",
                     "" if t is None else ("yes" if t["verified"] else "no")])
    body.append(_table(["input", "rule", "coded", "threshold", "normalised change", "monotone", "verified"], rows))
    if res.get("joint", {}).get("changes"):
        body.append("<h2>Smallest joint changes of two inputs</h2>")
        body.append(_table(["inputs", "values (coded → needed)", "normalised", "grid point normalised", "verified"],
                           [[" + ".join(c["inputs"]),
                             "; ".join(f"{p}: {c['coded'][p]:.4g} → {v:.4g}" for p, v in c["values"].items()),
                             f"{c['normalised']:.3f}", f"{c['grid_normalised']:.3f}",
                             "yes" if c["verified"] else "no"] for c in res["joint"]["changes"]]))
    for k, c in enumerate(res.get("curves", [])[:12]):
        pts = c["points"]
        ax = _axes(6.5, 2.8)
        ax.plot([p["value"] for p in pts], [p["p_target"] for p in pts], marker="o", color="#1f3b73")
        ax.fill_between([p["value"] for p in pts], [p["low"] for p in pts], [p["high"] for p in pts],
                        color="#1f3b73", alpha=0.15)
        ax.axhline(0.5, color="#9a9a9a", lw=0.8, ls="--")
        ax.axvline(s_coded(res, c["input"]), color="#b3261e", lw=0.8)
        ax.set_xlabel(c["input"])
        ax.set_ylabel(f"P({res['target']})")
        ax.set_ylim(-0.02, 1.02)
        body.append(_fig(ax, f"curve{k}", f"Tipping curve {c['input']}",
                         f"P({res['target']}) against {c['input']}, other inputs drawn from their uncertainty "
                         f"({pts[0]['draws']} draws a point); red line: the coded value."))
    return _page(f"What would it take: {s.title}", f"target {res['target']}", "".join(body))


def s_coded(res, path: str) -> float:
    for r in res["inputs"]:
        if r["input"] == path:
            return r["coded"]
    return 0.0


def sensitivity_html(s, res: dict[str, Any]) -> str:
    idx = res["indices"]
    body = [f"<div class=\"design\">P({_e(res['target'])}) = {res['p_target']:.3f} over "
            f"{res.get('evaluations', res.get('draws'))} evaluations ({_e(res.get('method', 'given data'))}).</div>"]
    if res.get("note"):
        body.append(f"<p class=\"note\">{_e(res['note'])}</p>")
    if idx:
        keys = [k for k in idx[0] if k != "name"]
        main = keys[2] if res.get("method") == "sobol" else keys[0]
        ax = _axes(7.5, max(2.5, 0.3 * len(idx[:20]) + 1))
        top = idx[:20][::-1]
        conf = main + "_conf"
        ax.barh(range(len(top)), [r[main] or 0 for r in top], xerr=[r.get(conf) or 0 for r in top] if conf in keys
                else None, color="#1f3b73", ecolor="#b3261e")
        ax.set_yticks(range(len(top)), [r["name"] for r in top])
        ax.set_xlabel(main)
        body.append(_fig(ax, "indices", "Sensitivity indices", f"{main} of P({res['target']}) with 95 % intervals."))
        body.append(_table(["name"] + keys, [[r["name"]] + [_f(r[k]) for k in keys] for r in idx]))
    return _page(f"Sensitivity: {s.title if s else ''}", f"target {res['target']}", "".join(body))


def discover_html(res: dict[str, Any]) -> str:
    pr = res["prim"]
    body = [f"<div class=\"design\">{res['target_draws']} of {res['draws']} draws give "
            f"<strong>{_e(res['target'])}</strong>.</div>",
            f"<h2>PRIM box</h2><p>coverage {pr['coverage']:.3f}, density {pr['density']:.3f}, "
            f"mass {pr['mass']:.3f}</p>",
            _table(["input", "low", "high", "range in the draws"],
                   [[b["input"], f"{b['low']:.4g}", f"{b['high']:.4g}", f"[{b['range'][0]:.4g}, {b['range'][1]:.4g}]"]
                    for b in pr["restricted"]]),
            "<h2>CART leaves that predict the target</h2>",
            _table(["rule", "draws", "density", "coverage"],
                   [[lf["rule"], lf["draws"], f"{lf['density']:.3f}", f"{lf['coverage']:.3f}"]
                    for lf in res["cart"]["leaves"]])]
    return _page("Scenario discovery", f"target {res['target']}", "".join(body))


def write(path: str | Path, html: str) -> Path:
    return atomic_write_text(path, html)
