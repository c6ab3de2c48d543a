"""The backtest's HTML report and figures: scoreboard, confusion matrices, calibration, survival curves.

One self-contained file: CSS inline, figures as inline SVG (Matplotlib, rendered without pyplot and
reproducibly via :func:`pactlab.report.plots.figure_svg`), every text escaped, no external URL.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pactlab import __version__
from pactlab.evidence import metrics as M
from pactlab.evidence.backtest import HORIZON, METHODS
from pactlab.report.html import _CSS, _e, _table, inline_svg
from pactlab.report.plots import figure_svg

NAVY, RED, GREY, ORANGE, TEAL = "#1f3b73", "#c0392b", "#9a9a9a", "#e08a1e", "#1d8f8f"
DESIGNS = ("none", "bilateral", "trilateral", "hub-and-spoke", "multilateral")  # pactlab.designs, patron treaties only


def _axes(w: float = 5.2, h: float = 3.6, ncols: int = 1):
    fig = Figure(figsize=(w, h), dpi=100)
    FigureCanvasAgg(fig)
    axs = [fig.add_subplot(1, ncols, k + 1) for k in range(ncols)]
    return fig, axs


def _fmt(x: Any, d: int = 3) -> str:
    if x is None:
        return "—"
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "—" if math.isnan(xf) else f"{xf:.{d}f}"


# --------------------------------------------------------------------------- figures
def confusion_figure(clients: pd.DataFrame, methods=("model", "logit")) -> Figure:
    """2x2 confusion matrices of 'client is in a multilateral treaty with the patron'."""
    fig, axs = _axes(3.0 * len(methods), 3.0, len(methods))
    for ax, m in zip(axs, methods):
        y = clients.record_multilateral.astype(bool).to_numpy() if len(clients) else np.zeros(0, bool)
        p = clients[f"{m}_multilateral"].astype(bool).to_numpy() if len(clients) else np.zeros(0, bool)
        cm = np.array([[np.sum(~y & ~p), np.sum(~y & p)], [np.sum(y & ~p), np.sum(y & p)]])
        ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(int(cm.max()), 1))
        for i in range(2):
            for j in range(2):
                ax.text(j, i, str(int(cm[i, j])), ha="center", va="center",
                        color="white" if cm[i, j] > cm.max() / 2 else "black", fontsize=12)
        ax.set_xticks([0, 1], ["not multi", "multi"])
        ax.set_yticks([0, 1], ["not multi", "multi"])
        ax.set_xlabel(f"predicted ({m})")
        ax.set_ylabel("record")
        ba = M.balanced_accuracy(y.tolist(), p.tolist()) if len(y) else float("nan")
        ax.set_title(f"{m}: balanced acc. {_fmt(ba, 2)}", fontsize=10)
    fig.tight_layout()
    return fig


def design_confusion_figure(rows: list[dict]) -> Figure:
    """Episode design (record) against the model's predicted design, counts."""
    from pactlab.evidence.backtest import design_label

    ok = [r for r in rows if r["status"] == "ok"]
    idx = {d: k for k, d in enumerate(DESIGNS)}
    cm = np.zeros((len(DESIGNS), len(DESIGNS)), dtype=int)
    for r in ok:
        cm[idx[design_label([t["clients"] for t in r["record"]])], idx[design_label(r["pred_model"])]] += 1
    fig, (ax,) = _axes(4.8, 4.0)
    ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(int(cm.max()), 1))
    for i in range(len(DESIGNS)):
        for j in range(len(DESIGNS)):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center",
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(range(len(DESIGNS)), DESIGNS, rotation=30, ha="right")
    ax.set_yticks(range(len(DESIGNS)), DESIGNS)
    ax.set_xlabel("model's predicted design")
    ax.set_ylabel("record design")
    ax.set_title(f"Episode designs (N = {len(ok)})", fontsize=10)
    fig.tight_layout()
    return fig


def calibration_figure(tt: pd.DataFrame, bins: int = 5) -> Figure:
    """Predicted against observed probability of lasting HORIZON years (model and constant hazard)."""
    fig, (ax,) = _axes(4.6, 4.0)
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1, label="perfect calibration")
    if len(tt):
        t = tt.duration.to_numpy(float)
        e = tt.ended.to_numpy(bool)
        known = e | (t >= HORIZON)
        y = (t[known] >= HORIZON).astype(float)
        for name, hz, col, mk in (("model", tt.model_hazard, NAVY, "o"),
                                  ("constant hazard", tt.const_hazard.fillna(tt.const_hazard.mean()), ORANGE, "s")):
            p = np.exp(-HORIZON * hz.to_numpy(float)[known])
            if not len(p):
                continue
            qs = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
            if len(qs) < 2:
                ax.scatter([p.mean()], [y.mean()], color=col, marker=mk, s=40, label=f"{name} (1 bin, n={len(p)})")
                continue
            which = np.clip(np.searchsorted(qs, p, side="right") - 1, 0, len(qs) - 2)
            xs, ys, ns = [], [], []
            for b in range(len(qs) - 1):
                m = which == b
                if m.any():
                    xs.append(p[m].mean())
                    ys.append(y[m].mean())
                    ns.append(int(m.sum()))
            ax.plot(xs, ys, color=col, marker=mk, lw=1.2, label=f"{name} (n={len(p)})")
            for x_, y_, n_ in zip(xs, ys, ns):
                ax.annotate(str(n_), (x_, y_), textcoords="offset points", xytext=(4, 4), fontsize=7, color=col)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"predicted P(lasts {HORIZON}+ years)")
    ax.set_ylabel(f"observed share lasting {HORIZON}+ years")
    ax.set_title("Durability calibration (numbers: treaties per bin)", fontsize=10)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def _step(ax, km: pd.DataFrame, color: str, label: str) -> None:
    t = km.time.to_numpy(float)
    s = km.survival.to_numpy(float)
    ax.step(t, s, where="post", color=color, lw=1.6, label=label)
    lo, hi = km.lower.to_numpy(float), km.upper.to_numpy(float)
    ax.fill_between(t, lo, hi, step="post", color=color, alpha=0.15, lw=0)


def survival_figure(tt: pd.DataFrame, h2: pd.DataFrame, long_years: float = 30.0) -> Figure:
    """Left: record treaties by the model's durability class. Right: H2/H3 alliances by prior client
    commitments. Kaplan-Meier curves (computed by pactlab) with 95% log-log bands."""
    fig, axs = _axes(9.6, 3.8, 2)
    ax = axs[0]
    if len(tt):
        long_ = (1.0 / tt.model_hazard) >= long_years
        for flag, col, lab in ((True, NAVY, "model: long"), (False, RED, "model: short")):
            sub = tt[long_ == flag]
            if len(sub):
                _step(ax, M.kaplan_meier(sub.duration, sub.ended), col, f"{lab} (n={len(sub)})")
    ax.set_title("Record treaties by the model's durability class", fontsize=10)
    ax = axs[1]
    if len(h2):
        for g, col, lab in ((1, NAVY, "prior client-client pact"), (0, ORANGE, "none")):
            sub = h2[h2.prior_cc == g]
            if len(sub):
                _step(ax, M.kaplan_meier(sub.duration, sub.ended), col, f"{lab} (n={len(sub)})")
    ax.set_title("H2/H3: great-power-client alliances", fontsize=10)
    for ax in axs:
        ax.set_xlabel("years since the alliance began")
        ax.set_ylabel("share still in force")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(left=0)
        ax.legend(loc="upper right", fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def forest_figure(h67: dict) -> Figure:
    """Odds ratios with 95% CIs for the H6/H7 terms (both outcome definitions)."""
    rows = []
    for y, lab in (("new_defence", "any new defence pact"), ("new_defence_no_major", "pact without a major")):
        blk = h67.get(y, {})
        for model, terms in (("H6", ("threat", "adv_sea")), ("H7", ("adv_land", "adv_sea", "adv_ally_border"))):
            tt = blk.get(model, {}).get("terms", {})
            for t in terms:
                if t in tt and tt[t]["lower"] is not None and tt[t]["upper"] is not None:
                    rows.append((f"{lab}: {model} {t}", tt[t]["or"], tt[t]["lower"], tt[t]["upper"]))
    fig, (ax,) = _axes(6.4, 0.45 * max(len(rows), 2) + 1.0)
    for k, (lab, o, lo, hi) in enumerate(rows[::-1]):
        ax.plot([lo, hi], [k, k], color=NAVY, lw=1.5)
        ax.plot([o], [k], "o", color=NAVY)
    ax.axvline(1.0, color=GREY, ls="--", lw=1)
    ax.set_yticks(range(len(rows)), [r[0] for r in rows[::-1]], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("odds ratio (95% CI, clustered by dyad and year)")
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    # 1-2-5 ticks, labelled without trailing zeros ("10", not "10.00", which ran into "20.00")
    ax.xaxis.set_major_locator(FixedLocator([m * 10.0 ** e for e in range(-3, 4) for m in (1, 2, 5)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_title("H6/H7: new defence pacts between non-major states", fontsize=10)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- HTML
def _fig(fig: Figure, prefix: str, title: str, caption: str) -> str:
    svg = inline_svg(figure_svg(fig), prefix, title)
    return f'<figure id="fig-{prefix}">{svg}<figcaption>{_e(caption)}</figcaption></figure>'


def scoreboard_rows(sb: dict) -> dict[str, list[list[str]]]:
    """Plain-text rows of the scoreboard tables (shared by the terminal and the HTML report)."""
    t1 = sb["T1"]
    m = t1["methods"]
    out: dict[str, list[list[str]]] = {}
    out["T1"] = [
        ["pair F1, pooled"] + [_fmt(m[k]["pair_f1"]) for k in METHODS]
        + [f"{t1['n_pairs']} pairs, {t1['n_pairs_shared']} shared"],
        ["pair F1, mean per episode"] + [_fmt(m[k]["pair_f1_mean"]) for k in METHODS]
        + [f"{t1['n_episodes_multi']} episodes"],
        ["adjusted Rand, mean"] + [_fmt(m[k]["ari_mean"]) for k in METHODS]
        + [f"{t1['n_episodes_multi']} episodes"],
        ["bal. acc., in a multilateral"] + [_fmt(m[k]["ba_multilateral"]) for k in METHODS]
        + [f"{t1['n_clients']} clients, {t1['n_clients_multilateral']} in one"],
    ]
    t2 = sb["T2"]
    if t2.get("n"):
        out["T2"] = [
            ["balanced accuracy", _fmt(t2["model"]["ba"]), _fmt(t2["majority"]["ba"]),
             f"{t2['n']} treaties: {t2['n_defend']} defence, {t2['n_consult']} consultation"],
            ["accuracy", _fmt(t2["model"]["accuracy"]), _fmt(t2["majority"]["accuracy"]),
             f"{t2['matched']} matched, {t2['model_none']} no pledge predicted"],
        ]
    t3 = sb["T3"]
    if t3.get("n"):
        b = t3["brier"]
        out["T3"] = [
            ["Harrell's C", _fmt(t3["model"]["c"]), _fmt(t3["constant"]["c"]), _fmt(t3["size"]["c"]),
             f"{t3['n']} treaties ({t3['events']} ended), {t3['model']['comparable']} pairs"],
            [f"Brier, lasts {b['horizon']}+ years", _fmt(b["model"]), _fmt(b["constant"]), "—",
             f"{b['n']} treaties; observed {_fmt(b['observed_rate'], 2)}, predicted "
             f"{_fmt(b['model_mean_prob'], 2)} / {_fmt(b['constant_mean_prob'], 2)}"],
        ]
    out["T4"] = t4_rows(sb.get("T4", {}))
    return out


def _interval(t: dict) -> str:
    """A 95% interval; a bound the profile likelihood does not reach is "not bounded", never infinity."""
    lo = _fmt(t["lower"], 2) if t.get("lower") is not None else "not bounded"
    hi = _fmt(t["upper"], 2) if t.get("upper") is not None else "not bounded"
    return f"[{lo}, {hi}]"


def t4_rows(t4: dict) -> list[list[str]]:
    rows = []
    h2 = t4.get("H2_H3", {})
    if h2.get("n"):
        g1, g0 = h2.get("group1", {}), h2.get("group0", {})
        cox = h2.get("cox", {}).get("prior_cc") or h2.get("cox_univariate", {}).get("prior_cc")
        sep = (h2.get("separation", {}).get("cox") or h2.get("separation", {}).get("cox_univariate") or {})
        if cox:
            what = "Cox hazard ratio (adjusted)" + (", Firth-penalised" if "method" in cox else "")
            note = f"{h2['n']} alliances, {h2['events']} ended, {g1.get('n', 0)} with a prior pact"
            if sep.get("status", "none") != "none":
                note += f"; {sep['detail']}"
            rows.append(["H2/H3: prior client pact", what, _fmt(cox["hr"], 2), _interval(cox), note])
        rows.append(["H2/H3: Kaplan-Meier", "median years, prior / none",
                     f"{_fmt(g1.get('median_years'), 0)} / {_fmt(g0.get('median_years'), 0)}",
                     f"log-rank p = {_fmt(h2.get('logrank', {}).get('p'), 3)}",
                     f"10-year survival {_fmt(g1.get('survival_10y'), 2)} vs {_fmt(g0.get('survival_10y'), 2)}"])
    h67 = t4.get("H6_H7", {})
    for y, lab in (("new_defence", "any new defence pact"), ("new_defence_no_major", "pact without a major")):
        blk = h67.get(y)
        if not blk:
            continue
        h6 = blk["H6"].get("terms", {}).get("threat")
        if h6:
            sep = blk["H6"].get("separation", {})
            note = f"{blk['H6']['n']} dyad-years, {blk['H6']['events']} events"
            if sep.get("status", "none") != "none":
                note += f"; {sep['detail']} (Firth-penalised)"
            rows.append([f"H6 ({lab})", "odds ratio, strong adversary next door", _fmt(h6["or"], 2),
                         _interval(h6), note])
        else:
            rows.append([f"H6 ({lab})", "—", "—", "—", blk["H6"].get("note", "")])
        d = blk["H7"].get("land_minus_sea")
        if d:
            c = blk["cells"]
            rows.append([f"H7 ({lab})", "odds ratio land / sea", _fmt(d["ratio_of_or"], 2),
                         f"[{_fmt(math.exp(d['lower']), 2)}, {_fmt(math.exp(d['upper']), 2)}]",
                         f"events: land {c['adv_land']['events']}, sea {c['adv_sea']['events']}"])
    return rows


def report_codes(rows: list[dict]) -> dict[int, int]:
    """Every COW code the report's episode table shows (patron, adversary, record and model clients),
    with the last year it appears in (the year a name is looked up for)."""
    out: dict[int, int] = {}

    def add(c, y):
        if c is None or (isinstance(c, float) and math.isnan(c)):
            return
        out[int(c)] = max(out.get(int(c), y), y)

    for r in rows:
        if r["status"] != "ok":
            continue
        y = int(r["start"]) - 1
        add(r.get("patron"), y)
        add(r.get("adversary"), y)
        for t in r["record"]:
            for c in t["clients"]:
                add(c, y)
        for g in r["pred_model"] or []:
            for c in g:
                add(c, y)
    return out


def render_backtest_report(sb: dict, rows: list[dict], clients: pd.DataFrame, treaties: pd.DataFrame,
                           h2_table: pd.DataFrame, names: dict[int, str] | None = None) -> str:
    """The report; ``names`` (COW code -> state name) adds a table naming every state code shown."""
    tabs = scoreboard_rows(sb)
    ep = sb["episodes"]
    parts = [
        f"<header><h1>pactlab backtest, {_e(sb['from'])}–{_e(sb['to'])}</h1>",
        '<p class="subtitle">Time-ordered predictions of alliance design from the COW and ATOP records, against '
        "the record and simple baselines. Parameters fixed (DEFAULT); nothing fitted per case.</p>",
        f"<p>Episodes: {ep['total']} ({ep['scored']} scored, {ep['skipped']} skipped); "
        f"clients dropped as not yet COW states: {ep.get('dropped_clients', 0)}. Data: "
        f"<span class='mono'>{_e(sb.get('data', ''))}</span>.</p></header>",
        '<h2 id="t1">T1 — design: how the clients are grouped</h2>',
        _table(["metric", *METHODS, "N"], [[_e(c) for c in r] for r in tabs["T1"]], num_cols=range(1, 6)),
        '<p class="note">Pairwise co-membership: a pair of clients is positive when some treaty with the patron holds '
        "both. Pooled F1 sums pairs over episodes; the per-episode mean scores an episode with no shared pair on "
        "either side as 1. The logit is fitted on earlier windows only.</p>",
        _fig(confusion_figure(clients), "cm", "Confusion matrices",
             "Clients in a multilateral treaty (three or more clients) with the patron: record against prediction."),
        _fig(design_confusion_figure(rows), "dcm", "Design confusion",
             "Each episode's record design against the model's (none = no new treaty with the patron predicted)."),
    ]
    if "T2" in tabs:
        parts += ['<h2 id="t2">T2 — commitment: defence or consultation only</h2>',
                  _table(["metric", "model", "majority (earlier windows)", "N"],
                         [[_e(c) for c in r] for r in tabs["T2"]], num_cols=(1, 2))]
    if "T3" in tabs:
        parts += ['<h2 id="t3">T3 — durability</h2>',
                  _table(["metric", "model hazard", "constant hazard", "treaty size", "N"],
                         [[_e(c) for c in r] for r in tabs["T3"]], num_cols=(1, 2, 3)),
                  _fig(calibration_figure(treaties), "cal", "Durability calibration",
                       f"Predicted probability of lasting {HORIZON}+ years (exp(-{HORIZON} × yearly hazard)) in "
                       "quantile bins against the observed share. The constant hazard is the ending rate of "
                       "great-power–client alliances known before each window.")]
    parts += ['<h2 id="t4">T4 — hypotheses on the record</h2>',
              _table(["hypothesis", "effect", "estimate", "95% CI", "N"], [[_e(c) for c in r] for r in tabs["T4"]],
                     num_cols=(2,)),
              _fig(survival_figure(treaties, h2_table), "km", "Survival curves",
                   "Kaplan–Meier estimates with 95% log-log bands. Left: the backtest's record treaties split by "
                   "the model's durability class (long = expected 30+ years). Right: great-power–client alliances "
                   "with and without a prior client–client pact."),
              _fig(forest_figure(sb.get("T4", {}).get("H6_H7", {})), "forest", "H6/H7 odds ratios",
                   "Logits on dyad-years of non-major states in the same region or contiguous; standard errors "
                   "clustered by dyad and by year.")]
    sk = ep.get("skipped_list", [])
    parts.append('<h2 id="skipped">Skipped episodes</h2>')
    if sk:
        parts.append(_table(["episode", "clients", "reason"], [[_e(s["episode"]), _e(s["n_clients"]), _e(s["reason"])]
                                                              for s in sk]))
    else:
        parts.append('<p class="note">None.</p>')
    ok_rows = []
    from pactlab.evidence.backtest import design_label

    for r in rows:
        if r["status"] != "ok":
            continue
        rec = " | ".join("+".join(map(str, t["clients"])) + f" ({t['atopid']})" for t in r["record"])
        mod = " | ".join("+".join(map(str, g)) for g in (r["pred_model"] or [])) or "(none)"
        ok_rows.append([_e(r["key"]), _e(r["adversary"]), _e(design_label([t["clients"] for t in r["record"]])),
                        _e(rec), _e(design_label(r["pred_model"])), _e(mod)])
    parts += ['<h2 id="episodes">Episodes</h2>',
              _table(["episode", "adversary", "record", "record treaties (clients, ATOP id)", "model", "model treaties"],
                     ok_rows)]
    if names:
        codes = sorted(report_codes(rows))
        parts += ['<h2 id="states">States</h2>',
                  '<p class="note">The COW state codes used above (an episode is patron code@window).</p>',
                  _table(["COW code", "state"], [[_e(c), _e(names.get(c, "(not in the states list)"))] for c in codes],
                         num_cols=(0,))]
    parts += [
              f"<footer>Generated by pactlab <span class='mono'>{_e(__version__)}</span> · parameters digest "
              f"<span class='mono'>{_e(sb.get('parameters', ''))}</span>. COW codes identify states.</footer>"]
    body = "".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"pactlab {_e(__version__)}\">\n"
            f"<title>pactlab backtest {_e(sb['from'])}–{_e(sb['to'])}</title>\n<style>{_CSS}</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")


def write_backtest_report(path: str | Path, *args, **kw) -> Path:
    p = Path(path)
    if not p.parent.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_backtest_report(*args, **kw), encoding="utf-8")
    return p
