"""Figures for a prediction: the alliance network, the threat map, the stable structures.

Every function draws on a Matplotlib ``Axes`` (a new figure when ``ax`` is
None) and returns that ``Axes``. Nothing here touches ``pyplot`` or a display:
figures are plain :class:`matplotlib.figure.Figure` objects rendered with the
Agg (PNG) or SVG canvas, and the layout is a fixed function of the result and
the scenario, so the same input gives byte-identical files
(:func:`figure_svg`, :func:`figure_png`).

Artists that stand for a treaty carry a ``gid``: ``hull:<treaty id>`` for a
treaty drawn as a shaded hull (multilateral or trilateral, or a client-only
pact), ``spoke:<treaty id>`` for a bilateral line, and ``inforce:<treaty id>``
for a commitment already in force before the scenario date. Tests and other
code can find them with :func:`treaty_artists`.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon, RegularPolygon

from pactlab.model.result import Result
from pactlab.model.treaties import KEPT
from pactlab.scenarios.schema import Contiguity, Role, Scenario

__all__ = [
    "alliance_network",
    "threat_map",
    "stable_structures_plot",
    "figure_svg",
    "figure_png",
    "treaty_artists",
    "probe_threshold",
    "RC",
]

# Rendering settings that make output reproducible byte for byte.
RC = {
    "svg.hashsalt": "pactlab",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "legend.fontsize": 8.0,
}
_SVG_META = {"Date": None, "Creator": "pactlab", "Contributor": None}
_PNG_META = {"Software": "pactlab"}

# Palette (colour-blind-safe hues, readable in greyscale print too).
PATRON_C = "#1f3b73"  # navy: patron and its bilateral spokes
CLIENT_C = "#f4f4f4"
ADV_C = "#c0392b"  # red: adversary side
INFORCE_C = "#9a9a9a"
PATRON_HULLS = ["#2e6fbd", "#7b4fa6", "#1d8f8f", "#5a5fcf"]  # multilateral/trilateral with patron
CLIENT_HULLS = ["#e08a1e", "#3e9b46", "#b5651d", "#8aa325"]  # client-only pacts
LAND_C = "#8c5a2b"
SEA_C = "#2c7fb8"
REMOTE_C = "#9a9a9a"
FOOTHOLD_C = "#6b2a86"

_LS = {"defend": "-", "consult": (0, (5, 3))}
_LS_NAME = {"defend": "solid", "consult": "dashed"}


# ---------------------------------------------------------------------------
# rendering helpers
# ---------------------------------------------------------------------------
def _new_axes(figsize: tuple[float, float]):
    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def figure_svg(fig: Figure) -> str:
    """The figure as SVG text, reproducible byte for byte."""
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata=_SVG_META, bbox_inches="tight")
    return buf.getvalue()


def figure_png(fig: Figure, path: str | Path | None = None, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (also written to ``path`` when given)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="png", metadata=_PNG_META, dpi=dpi, bbox_inches="tight")
    data = buf.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def treaty_artists(ax, kind: str | None = None) -> list:
    """Artists on ``ax`` that stand for treaties: ``kind`` is ``hull``,
    ``spoke`` or ``inforce`` (None for all)."""
    out = []
    for a in list(ax.patches) + list(ax.lines) + list(ax.collections):
        gid = a.get_gid() or ""
        k = gid.split(":", 1)[0]
        if k in ("hull", "spoke", "inforce") and (kind is None or k == kind):
            out.append(a)
    return out


def probe_threshold(result: Result, default: float | None = None) -> float:
    """The adversary's probe threshold used for ``result``.

    Read back from the threat comparisons (status-quo threat minus threshold),
    so that a result computed with non-default parameters is drawn with its
    own threshold; falls back to the default parameters.
    """
    sq = {c.id: c.threat_status_quo for c in result.clients}
    for c in result.comparisons:
        if c.stage == "threat" and c.actor in sq and c.alternative == "probe threshold":
            return round(sq[c.actor] - c.margin, 10)
    if default is not None:
        return default
    from pactlab.model.params import DEFAULT

    return DEFAULT.probe_threshold


def _short(name: str, ident: str, limit: int = 16) -> str:
    return name if len(name) <= limit else ident


def _wrap(name: str, width: int = 18) -> str:
    return textwrap.fill(name, width=width, break_on_hyphens=False, max_lines=3, placeholder="…")


# ---------------------------------------------------------------------------
# geometry
# ---------------------------------------------------------------------------
def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain; deterministic, counter-clockwise."""
    pts = sorted({(round(float(x), 9), round(float(y), 9)) for x, y in points})
    if len(pts) <= 2:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _rounded_hull(centres: Iterable[tuple[float, float]], pad: float, k: int = 40) -> np.ndarray:
    ang = np.linspace(0.0, 2.0 * np.pi, k, endpoint=False)
    ring = np.stack([np.cos(ang), np.sin(ang)], axis=1) * pad
    pts = np.concatenate([np.asarray(c, dtype=float)[None, :] + ring for c in centres])
    return _convex_hull(pts)


def _shorten(p: np.ndarray, q: np.ndarray, rp: float, rq: float) -> tuple[np.ndarray, np.ndarray]:
    d = q - p
    L = float(np.hypot(*d))
    if L <= rp + rq:
        return p, q
    u = d / L
    return p + u * rp, q - u * rq


def _route(p: np.ndarray, q: np.ndarray, rp: float, rq: float, obstacles, clearance: float):
    """A straight segment from p to q, or a gentle arc when the segment would
    run through another node (so a line is never read as passing via it)."""
    a, b = _shorten(p, q, rp, rq)
    d = b - a
    L2 = float(d @ d) or 1.0
    blocked = False
    for o in obstacles:
        t = float(np.clip((o - a) @ d / L2, 0.0, 1.0))
        if np.hypot(*(a + t * d - o)) < clearance:
            blocked = True
            break
    if not blocked:
        return [a[0], b[0]], [a[1], b[1]]
    normal = np.array([-d[1], d[0]]) / np.sqrt(L2)
    if normal[1] < 0 or (normal[1] == 0 and normal[0] < 0):
        normal = -normal  # bow upwards / rightwards, deterministically
    ctrl = (a + b) / 2 + normal * 0.35 * np.sqrt(L2)
    t = np.linspace(0.0, 1.0, 41)[:, None]
    pts = (1 - t) ** 2 * a + 2 * (1 - t) * t * ctrl + t**2 * b
    return list(pts[:, 0]), list(pts[:, 1])


def _client_order(result: Result, scenario: Scenario) -> list[str]:
    """Clients in drawing order: members of one treaty sit next to each other."""
    ids = [c.id for c in scenario.clients]
    order: list[str] = []
    groups = [t.clients for t in result.treaties if len(t.clients) >= 2 and t.with_patron]
    groups += [t.clients for t in result.treaties if len(t.clients) >= 2 and not t.with_patron]
    for g in groups:
        for c in g:
            if c in ids and c not in order:
                order.append(c)
    for c in ids:
        if c not in order:
            order.append(c)
    return order


def network_layout(result: Result, scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Fixed positions: patron at the hub (top centre), clients on an arc
    below it, the adversary side at the bottom, other states at the sides."""
    pos: dict[str, tuple[float, float]] = {}
    pat = scenario.patron
    if pat is not None:
        pos[pat.id] = (0.0, 0.0)
    clients = _client_order(result, scenario)
    n = len(clients)
    spread = min(160.0, 30.0 * (n - 1))
    for k, c in enumerate(clients):
        a = -90.0 if n == 1 else -90.0 - spread / 2 + spread * k / (n - 1)
        pos[c] = (math.cos(math.radians(a)), math.sin(math.radians(a)))
    bottom = -1.5
    adv_side = [scenario.adversary] + scenario.by_role(Role.aligned_adversary)
    m = len(adv_side)
    for k, a in enumerate(adv_side):
        pos[a.id] = ((k - (m - 1) / 2) * 0.62, bottom)
    outside = scenario.by_role(Role.outside)
    for k, a in enumerate(outside):
        side = -1 if k % 2 == 0 else 1
        row = k // 2
        pos[a.id] = (side * 1.32, 0.32 - 0.28 * row)
    return pos


# ---------------------------------------------------------------------------
# the alliance network
# ---------------------------------------------------------------------------
def _treaty_label(t, kind: str) -> str:
    head = f"{kind}: {t.form}, {t.level}, {t.origin}, ~{t.expected_years:.0f} y"
    members = textwrap.fill(" · ".join(t.members), width=44, break_on_hyphens=False)
    return f"{head}\n{members}"


def alliance_network(result: Result, scenario: Scenario, ax=None):
    """Draw the predicted alliance network; returns the ``Axes``.

    The patron is the hub at the top; clients sit on an arc below it. A
    treaty with three or more members (the patron included) is a shaded hull
    around all of them, so one multilateral alliance reads as one wedge; a
    bilateral treaty with the patron is a spoke (a line from the hub), so
    hub-and-spoke reads as a fan of lines. Client-only pacts are hulls in warm
    colours around the clients alone. Solid = defend, dashed = consult.
    Commitments already in force are faint grey underlays; the adversary side
    is red at the bottom; clients the adversary probes get a red ring.
    """
    if ax is None:
        ax = _new_axes((10.5, 7.2))
    pos = network_layout(result, scenario)
    P = {k: np.array(v) for k, v in pos.items()}
    n = len(scenario.clients)
    r_node = 0.085 if n <= 6 else 0.075 if n <= 9 else 0.062
    r_pat = 0.12
    radius = {a.id: (r_pat if a.role is Role.patron else r_node) for a in scenario.actors}
    pid = result.patron
    legend: list = []

    # -- commitments already in force (faint underlay) -----------------------------
    inforce_handle = False
    for t in scenario.treaties:
        if not t.level.is_pledge:  # cooperation without a pledge (codebook T2) is not drawn as a commitment
            continue
        mem = [m for m in t.members if m in P]
        if len(mem) < 2:
            continue
        if len(mem) == 2:
            others = [P[k] for k in P if k not in mem]
            xs, ys = _route(P[mem[0]], P[mem[1]], radius[mem[0]], radius[mem[1]], others, r_node * 1.3)
            (ln,) = ax.plot(xs, ys, color=INFORCE_C, lw=5.0, alpha=0.3, solid_capstyle="round", zorder=1)
            ln.set_gid(f"inforce:{t.id}")
        else:
            hull = _rounded_hull([P[m] for m in mem], r_node + 0.1)
            poly = Polygon(
                hull, closed=True, facecolor=INFORCE_C, alpha=0.12, edgecolor=INFORCE_C,
                linestyle=":", lw=1.2, zorder=0.5,
            )
            poly.set_gid(f"inforce:{t.id}")
            ax.add_patch(poly)
        inforce_handle = True

    # -- predicted treaties -----------------------------------------------------------
    hp = hc = 0
    spoke_levels = set()
    hull_entries = []
    for t in result.treaties:
        mem = [m for m in t.members if m in P]
        if len(mem) < 2:
            continue
        faint = t.origin in KEPT
        if t.with_patron and len(mem) == 2:
            a, b = _shorten(P[mem[0]], P[mem[1]], radius[mem[0]] + 0.005, radius[mem[1]] + 0.005)
            (ln,) = ax.plot(
                [a[0], b[0]], [a[1], b[1]], color=INFORCE_C if faint else PATRON_C,
                lw=2.4, linestyle=_LS.get(t.level, "-"), solid_capstyle="round", zorder=3,
            )
            ln.set_gid(f"spoke:{t.id}")
            spoke_levels.add(t.level)
            continue
        if t.with_patron:
            colour = PATRON_HULLS[hp % len(PATRON_HULLS)]
            hp += 1
            pad = r_node + 0.075
        else:
            colour = CLIENT_HULLS[hc % len(CLIENT_HULLS)]
            hc += 1
            pad = r_node + 0.04
        if faint:
            colour = INFORCE_C
        hull = _rounded_hull([P[m] for m in mem], pad)
        ls = _LS.get(t.level, "-")
        face = Polygon(hull, closed=True, facecolor=colour, alpha=0.20, edgecolor="none", zorder=1.5)
        face.set_gid(f"hull:{t.id}")
        edge = Polygon(hull, closed=True, fill=False, edgecolor=colour, lw=2.0, linestyle=ls, zorder=2)
        edge.set_gid(f"hull-edge:{t.id}")
        ax.add_patch(face)
        ax.add_patch(edge)
        kind = "with patron" if t.with_patron else "clients only"
        hull_entries.append(
            Patch(facecolor=matplotlib.colors.to_rgba(colour, 0.25), edgecolor=colour, lw=1.6, linestyle=ls,
                  label=_treaty_label(t, kind))
        )

    # -- nodes ----------------------------------------------------------------------------
    probed = {c.id for c in result.clients if c.probed}
    for a in scenario.actors:
        if a.id not in P:
            continue
        x, y = P[a.id]
        if a.role is Role.patron:
            node = RegularPolygon((x, y), 4, radius=r_pat * 1.25, orientation=math.pi / 4,
                                  facecolor=PATRON_C, edgecolor="white", lw=1.5, zorder=5)
            ax.add_patch(node)
            ax.text(x, y + r_pat + 0.06, _short(a.name, a.id, 28), ha="center", va="bottom",
                    fontsize=10, fontweight="bold", color=PATRON_C, zorder=6)
            ax.text(x, y, "patron", ha="center", va="center", fontsize=6.5, color="white", zorder=6)
        elif a.role is Role.client:
            node = Circle((x, y), r_node, facecolor=CLIENT_C, edgecolor="#333333", lw=1.2, zorder=5)
            ax.add_patch(node)
            ax.text(x, y, a.id, ha="center", va="center", fontsize=7 if len(a.id) > 3 else 8,
                    fontweight="bold", color="#222222", zorder=6)
            ang = math.atan2(y, x)
            lx, ly = x + math.cos(ang) * (r_node + 0.07), y + math.sin(ang) * (r_node + 0.07)
            ha = "center" if abs(math.cos(ang)) < 0.35 else ("left" if math.cos(ang) > 0 else "right")
            va = "top" if math.sin(ang) < -0.35 else "center"
            label = _wrap(a.name) if a.name != a.id else ""
            if a.id in probed:
                label = (label + "\n" if label else "") + "probed"
                ring = Circle((x, y), r_node + 0.028, fill=False, edgecolor=ADV_C, lw=1.8,
                              linestyle=(0, (2, 1.5)), zorder=5.5)
                ring.set_gid(f"probed:{a.id}")
                ax.add_patch(ring)
            if label:
                ax.text(lx, ly, label, ha=ha, va=va, fontsize=7.5, zorder=6,
                        color=ADV_C if a.id in probed and label == "probed" else "#222222",
                        linespacing=1.1)
        elif a.role in (Role.adversary, Role.aligned_adversary):
            big = a.role is Role.adversary
            rr = r_node * (1.25 if big else 0.95)
            node = RegularPolygon((x, y), 3, radius=rr * 1.25, orientation=math.pi,
                                  facecolor=ADV_C if big else "white", edgecolor=ADV_C, lw=1.8, zorder=5)
            ax.add_patch(node)
            txt = _wrap(a.name, 22) + (f" ({a.id})" if a.name != a.id and len(a.name) <= 12 else "")
            if not big:
                al = result.counter_alignment.get(a.id)
                txt += f"\naligned {al[1]:.2f}" if al else "\naligned"
            ax.text(x, y - rr * 1.25 - 0.05, txt, ha="center", va="top", fontsize=8.5 if big else 7.5,
                    color=ADV_C, fontweight="bold" if big else "normal", zorder=6, linespacing=1.1)
        else:  # outside
            node = Circle((x, y), r_node * 0.8, facecolor="white", edgecolor=INFORCE_C, lw=1.0,
                          linestyle="--", zorder=5)
            ax.add_patch(node)
            ax.text(x, y - r_node * 0.8 - 0.04, _wrap(a.name) + ("\n(linked)" if a.linked else ""),
                    ha="center", va="top", fontsize=7, color="#666666", zorder=6)

    # -- framing ------------------------------------------------------------------------------
    if pid is None:
        ax.text(0, 0, "(no patron)", ha="center", va="center", fontsize=9, color="#888888")
    ax.set_aspect("equal")
    xs = [p[0] for p in P.values()]
    ax.set_xlim(min(-1.3, min(xs) - 0.35), max(1.3, max(xs) + 0.35))
    ax.set_ylim(-1.8, 0.42)
    ax.axis("off")

    n_spokes = sum(1 for t in result.treaties if t.with_patron and len(t.members) == 2)
    n_multi = sum(1 for t in result.treaties if t.with_patron and len(t.members) >= 3)
    n_cc = sum(1 for t in result.treaties if not t.with_patron)
    summary = (
        f"{n_spokes} bilateral spoke{'s' if n_spokes != 1 else ''} · "
        f"{n_multi} multilateral/trilateral with the patron · {n_cc} client-only pact{'s' if n_cc != 1 else ''}"
        f" · {sum(1 for t in scenario.treaties if t.level.is_pledge)} in force before"
    )
    ax.set_title(f"Predicted design: {result.design}\n", fontsize=13, fontweight="bold", loc="left")
    ax.text(0.0, 1.0, summary, transform=ax.transAxes, fontsize=8.5, color="#444444", va="bottom")

    # -- legend ----------------------------------------------------------------------------------
    if pid is not None:
        legend.append(Line2D([], [], marker="s", ls="none", markersize=9, markerfacecolor=PATRON_C,
                             markeredgecolor="white", label="patron (hub)"))
    legend.append(Line2D([], [], marker="o", ls="none", markersize=9, markerfacecolor=CLIENT_C,
                         markeredgecolor="#333333", label="client"))
    legend.append(Line2D([], [], marker="v", ls="none", markersize=9, markerfacecolor=ADV_C,
                         markeredgecolor=ADV_C, label="adversary"))
    if scenario.by_role(Role.aligned_adversary):
        legend.append(Line2D([], [], marker="v", ls="none", markersize=8, markerfacecolor="white",
                             markeredgecolor=ADV_C, label="aligned adversary"))
    if probed:
        legend.append(Line2D([], [], marker="o", ls="none", markersize=11, markerfacecolor="none",
                             markeredgecolor=ADV_C, label="probed by the adversary"))
    for lvl in ("defend", "consult"):
        if lvl in spoke_levels:
            legend.append(Line2D([], [], color=PATRON_C, lw=2.4, ls=_LS[lvl],
                                 label=f"bilateral spoke, {lvl} ({_LS_NAME[lvl]})"))
    legend.extend(hull_entries)
    if inforce_handle:
        legend.append(Patch(facecolor=matplotlib.colors.to_rgba(INFORCE_C, 0.3), edgecolor=INFORCE_C,
                            linestyle=":", label="commitment in force before (grey)"))
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              borderaxespad=0.2, handlelength=2.6, title="Legend (solid = defend, dashed = consult)",
              title_fontsize=8.5, alignment="left")
    return ax


# ---------------------------------------------------------------------------
# the threat map
# ---------------------------------------------------------------------------
_CONT_STYLE = {
    Contiguity.land: dict(marker="^", color=LAND_C, label="land"),
    Contiguity.sea: dict(marker="o", color=SEA_C, label="sea"),
    Contiguity.remote: dict(marker="o", color=REMOTE_C, label="remote"),
}


def _tie(scenario: Scenario, a: str, b: str):
    for t in scenario.geography:
        if {t.a, t.b} == {a, b}:
            return t
    return None


def threat_map(result: Result, scenario: Scenario, ax=None):
    """Occupation threat per client, before and after the predicted design;
    returns the ``Axes``.

    Pale bars: status-quo threat (no new commitments); solid bars: threat
    after the design (red where the adversary probes). The dashed red line is
    the probe threshold. Under the bars, one row per adversary-side state
    marks each client's tie to it (brown triangle = land, blue dot = sea,
    hollow grey = remote, with the distance), and a row of stars marks
    footholds the adversary side holds near the client.
    """
    clients = sorted(result.clients, key=lambda c: (-c.threat_status_quo, c.id))
    n = len(clients)
    if ax is None:
        ax = _new_axes((min(10.5, max(7.5, 0.62 * n + 4.0)), 5.2))
    thr = probe_threshold(result)
    x = np.arange(n, dtype=float)
    w = 0.38
    sq = np.array([c.threat_status_quo for c in clients])
    after = np.array([c.threat for c in clients])
    colours = [ADV_C if c.probed else PATRON_C for c in clients]
    ax.bar(x - w / 2, sq, w, color="#c9c9c9", edgecolor="#8a8a8a", lw=0.6, zorder=2,
           label="threat, status quo")
    ax.bar(x + w / 2, after, w, color=colours, edgecolor="white", lw=0.6, zorder=2,
           label="threat after the design")
    for xi, s, a in zip(x, sq, after):
        ax.text(xi - w / 2, s + 0.012, f"{s:.2f}", ha="center", va="bottom", fontsize=6.5, color="#555555")
        ax.text(xi + w / 2, a + 0.012, f"{a:.2f}", ha="center", va="bottom", fontsize=6.5, color="#222222")
    ax.axhline(thr, color=ADV_C, ls="--", lw=1.2, zorder=3)

    # -- geography strip: ties to the adversary side and footholds -------------------
    adv_side = [scenario.adversary] + scenario.by_role(Role.aligned_adversary)
    holders = {a.id for a in adv_side}  # patron forward deployments are not threats
    adv_footholds = [f for f in scenario.footholds if f.holder in holders]
    rows: list[tuple[str, object]] = [(a.id, a) for a in adv_side]
    if adv_footholds:
        rows.append(("footholds", None))
    top = max(1.0, float(max(sq.max(initial=0), after.max(initial=0)))) * 1.08
    step = 0.1 * top
    y_rows = [-(k + 0.85) * step for k in range(len(rows))]
    ax.axhspan(y_rows[-1] - 0.6 * step, 0, color="#f3f3f3", zorder=0, lw=0)
    cont_seen = set()
    for (label, actor), yr in zip(rows, y_rows):
        name = "footholds" if actor is None else f"tie to {_short(actor.name, actor.id, 14)}"
        ax.text(-0.012, yr, name, ha="right", va="center", fontsize=7.5, transform=ax.get_yaxis_transform(),
                color="#555555" if actor is None else ADV_C)
        for xi, c in zip(x, clients):
            if actor is None:
                fh = sorted((f for f in scenario.footholds if f.near == c.id and f.holder in holders),
                            key=lambda f: (f.distance_km, not f.by_land, f.holder))
                if fh:
                    f = fh[0]
                    hollow = f.contiguity is Contiguity.remote
                    ax.plot([xi], [yr], marker="*", markersize=11, ls="none", zorder=4,
                            markerfacecolor="white" if hollow else FOOTHOLD_C, markeredgecolor=FOOTHOLD_C)
                    who = "" if f.holder == scenario.adversary.id else f"{f.holder} "
                    more = f" +{len(fh) - 1}" if len(fh) > 1 else ""
                    ax.text(xi + 0.14, yr, f"{who}{f.distance_km:.0f} km{more}", ha="left", va="center",
                            fontsize=6.3, color=FOOTHOLD_C)
                continue
            t = _tie(scenario, actor.id, c.id)
            if t is None:
                continue
            st = _CONT_STYLE[t.contiguity]
            cont_seen.add(t.contiguity)
            hollow = t.contiguity is Contiguity.remote
            ax.plot([xi], [yr], marker=st["marker"], markersize=8, ls="none", zorder=4,
                    markerfacecolor="white" if hollow else st["color"], markeredgecolor=st["color"],
                    markeredgewidth=1.3)
            dist = "" if t.contiguity is Contiguity.land else f"{t.distance_km:.0f} km"
            if t.by_land and t.contiguity is not Contiguity.land:
                dist += "\n+overland"
            if dist:
                ax.text(xi + 0.14, yr, dist, ha="left", va="center", fontsize=6.3, color="#444444",
                        linespacing=1.0)

    ax.set_xticks(x)
    ax.set_xticklabels([_short(c.name, c.id, 12) for c in clients], rotation=30 if n > 6 else 0,
                       ha="right" if n > 6 else "center")
    ax.tick_params(axis="x", length=0, pad=4)
    centre, half = (n - 1) / 2, max(n / 2 + 0.2, 1.6)
    ax.set_xlim(centre - half, centre + half)
    ax.set_ylim(y_rows[-1] - 0.6 * step, top)
    ticks = [v for v in np.arange(0, top + 1e-9, 0.2)]
    ax.set_yticks(ticks)
    ax.set_ylabel("occupation threat")
    ax.spines[["top", "right"]].set_visible(False)
    ax.axhline(0, color="#666666", lw=0.8, zorder=2)
    ax.grid(axis="y", color="#e5e5e5", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.set_title("Occupation threat: status quo vs after the design", loc="left", fontsize=11,
                 fontweight="bold")

    handles = [
        Patch(facecolor="#c9c9c9", edgecolor="#8a8a8a", label="status quo"),
        Patch(facecolor=PATRON_C, label="after the design"),
        Patch(facecolor=ADV_C, label="after the design, probed"),
        Line2D([], [], color=ADV_C, ls="--", lw=1.2, label=f"probe threshold ({thr:.2f})"),
    ]
    for cont in (Contiguity.land, Contiguity.sea, Contiguity.remote):
        if cont in cont_seen:
            st = _CONT_STYLE[cont]
            handles.append(Line2D([], [], marker=st["marker"], ls="none", markersize=8,
                                  markerfacecolor="white" if cont is Contiguity.remote else st["color"],
                                  markeredgecolor=st["color"], label=f"{st['label']} tie"))
    if adv_footholds:
        handles.append(Line2D([], [], marker="*", ls="none", markersize=11, color=FOOTHOLD_C,
                              label="foothold near the client"))
        if any(f.contiguity is Contiguity.remote for f in adv_footholds):
            handles.append(Line2D([], [], marker="*", ls="none", markersize=11, markerfacecolor="white",
                                  markeredgecolor=FOOTHOLD_C, label="foothold, remote"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return ax


# ---------------------------------------------------------------------------
# stable structures
# ---------------------------------------------------------------------------
def structure_label(blocks: Iterable[Iterable[str]], lone: Iterable[str]) -> str:
    parts = ["+".join(b) for b in blocks] + list(lone)
    return " | ".join(parts) if parts else "(none)"


def stable_structures_plot(result: Result, ax=None):
    """Total client payoff of each individually stable structure; the selected
    one is dark, Pareto-efficient ones are marked. Returns the ``Axes``."""
    st = list(result.stable)
    if ax is None:
        ax = _new_axes((8.0, max(1.6, 0.42 * len(st) + 1.1)))
    if not st:
        ax.text(0.5, 0.5, "no individually stable structure", ha="center", va="center",
                transform=ax.transAxes, color="#666666")
        ax.axis("off")
        return ax
    y = np.arange(len(st))[::-1]
    vals = [s.client_welfare for s in st]
    colours = [PATRON_C if s.selected else "#b9c4d6" for s in st]
    ax.barh(y, vals, color=colours, height=0.6, zorder=2)
    lo, hi = min(0.0, min(vals)), max(0.0, max(vals))
    span = (hi - lo) or 1.0
    for yi, s in zip(y, st):
        mark = ("★ selected  " if s.selected else "") + ("Pareto-efficient" if s.pareto_efficient else "")
        ax.text(hi + 0.02 * span, yi, mark, va="center", ha="left", fontsize=7.5,
                color=PATRON_C if s.selected else "#555555")
    ax.set_yticks(y)
    ax.set_yticklabels([structure_label(s.blocks, s.lone) for s in st], fontsize=7.5)
    ax.set_xlim(lo - 0.03 * span, hi + 0.35 * span)
    ax.axvline(0, color="#666666", lw=0.8)
    ax.set_xlabel("total client payoff")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("Individually stable client structures", loc="left", fontsize=10, fontweight="bold")
    return ax
