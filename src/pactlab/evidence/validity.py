"""Validity of the model's threat measure against two external threat measures.

The model's status-quo threat of a client (``theta_sq``: the probability that the
adversary side occupies it if nothing new is signed, the threat stage of
``docs/model.md``) is computed on every data-built theatre and set beside, for the
same state in the year before the window, Miller's latent territorial threat
(peacesciencer ``terrthreat``, column ``lterrthreat``) and Leeds and Savun's external
threat (``lsthreat``). A measure of the same concept should rank states alike: the
table reports Spearman's rank correlation (pooled over theatres, and the mean of the
within-theatre correlations, which removes differences between periods and regions),
with 95 % intervals from resampling windows (the clusters), and N beside each figure.

The two external measures are not the model's concept: territorial threat is the
latent risk of territorial claims and conflict against the state from all its
neighbours; Leeds and Savun's threat counts capable states with which it has disputes.
The model's is occupation by one named adversary side. Agreement is therefore
expected to be partial; a correlation near 0 or negative is a finding about the
threat stage's inputs, not a defect of the comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MEASURES = ("lterrthreat", "lsthreat")
#: (measure, external measure) pairs compared: the model's status-quo threat and its route threat,
#: and the episodes' candidate ranking score (rule TH-rank), against each external measure; the
#: model's threat against TH-rank; and the two external measures side by side (the agreement two
#: established measures of threat reach with each other)
PAIRS = (("theta_sq", "lterrthreat"), ("theta_sq", "lsthreat"), ("theta_route", "lterrthreat"),
         ("theta_route", "lsthreat"), ("th_rank", "lterrthreat"), ("th_rank", "lsthreat"),
         ("theta_sq", "th_rank"), ("lterrthreat", "lsthreat"))


def threat_table(cases: Sequence[Any], data, params=None) -> pd.DataFrame:
    """One row per (theatre, client with a COW code): the model's status-quo threat
    (``theta_sq``, and ``theta_route`` along the most credible route), the episodes' candidate
    ranking score (``th_rank``, rule TH-rank, from the data before the window) and the two
    external measures in the year before the window (missing where the data has no value)."""
    from pactlab.evidence.episodes import data_before, threat_scores
    from pactlab.model.params import DEFAULT
    from pactlab.model.theatre import compile_theatre

    p = params if params is not None else DEFAULT
    tt = data.terrthreat()[["ccode", "year", "lterrthreat"]]
    ls = data.ls_threat()[["ccode", "year", "lsthreat"]]
    ext = tt.merge(ls, on=["ccode", "year"], how="outer").set_index(["ccode", "year"])
    rows = []
    views: dict[int, Any] = {}
    for c in cases:
        s = c.scenario
        th = compile_theatre(s, p)
        route = th.theta_route_sq if th.theta_route_sq is not None else th.theta_sq
        by_id = {a.id: a for a in s.clients}
        codes = [int(by_id[cid].ccode) for cid in th.ids if cid in by_id and by_id[cid].ccode is not None]
        rank = {}
        if s.adversary.ccode is not None and codes:
            view = views.setdefault(c.start, data_before(data, c.start))
            rank = dict(zip(codes, threat_scores(view, int(s.adversary.ccode), codes, c.start - 1)))
        for i, cid in enumerate(th.ids):
            a = by_id.get(cid)
            if a is None or a.ccode is None:
                continue
            key = (int(a.ccode), int(c.start) - 1)
            e = ext.loc[key] if key in ext.index else None
            rows.append({
                "theatre": c.key, "window": f"{c.start}-{c.end}", "year": c.start - 1, "ccode": int(a.ccode),
                "client": cid, "n_clients": th.n, "theta_sq": float(th.theta_sq[i]), "theta_route": float(route[i]),
                "th_rank": None if not math.isfinite(rank.get(int(a.ccode), math.nan)) else float(rank[int(a.ccode)]),
                "lterrthreat": None if e is None or pd.isna(e["lterrthreat"]) else float(e["lterrthreat"]),
                "lsthreat": None if e is None or pd.isna(e["lsthreat"]) else float(e["lsthreat"]),
            })
    return pd.DataFrame(rows, columns=["theatre", "window", "year", "ccode", "client", "n_clients", "theta_sq",
                                       "theta_route", "th_rank", "lterrthreat", "lsthreat"])


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    from scipy.stats import spearmanr

    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    r = spearmanr(x, y).statistic
    return float(r) if math.isfinite(r) else None


def _within(df: pd.DataFrame, a: str, b: str) -> tuple[float | None, int]:
    rs = [r for _, g in df.groupby("theatre") if (r := _spearman(g[a].to_numpy(), g[b].to_numpy())) is not None]
    return (float(np.mean(rs)) if rs else None), len(rs)


def _interval(v: list[float]) -> tuple[float | None, float | None]:
    return (float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))) if len(v) >= 20 else (None, None)


def validity(table: pd.DataFrame, *, boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Rank agreement of each model measure with each external one (and of the two external
    measures with each other, :data:`PAIRS`): pooled Spearman and the
    mean within-theatre Spearman, each with a 95 % interval from resampling windows (a window
    drawn twice counts twice), N pairs, N theatres and N windows. No figure is NaN: where a
    correlation is undefined it is None; an interval needs 20 resamples where it is defined."""
    rng = np.random.default_rng(seed)
    out = []
    for m, e in PAIRS:
        d = table.dropna(subset=[m, e])[["theatre", "window", m, e]]
        wins = sorted(d.window.unique())
        x_by = {w: g[m].to_numpy(float) for w, g in d.groupby("window")}
        y_by = {w: g[e].to_numpy(float) for w, g in d.groupby("window")}
        # the within-theatre correlations of each window's theatres, computed once
        r_by = {w: [r for _, g in g_w.groupby("theatre")
                    if (r := _spearman(g[m].to_numpy(float), g[e].to_numpy(float))) is not None]
                for w, g_w in d.groupby("window")}
        pooled = _spearman(d[m].to_numpy(float), d[e].to_numpy(float))
        within, n_within = _within(d, m, e)
        bp, bw = [], []
        for _ in range(boot if len(wins) > 1 else 0):
            pick = [wins[j] for j in rng.integers(0, len(wins), len(wins))]
            r = _spearman(np.concatenate([x_by[w] for w in pick]), np.concatenate([y_by[w] for w in pick]))
            if r is not None:
                bp.append(r)
            rs = [r for w in pick for r in r_by[w]]
            if rs:
                bw.append(float(np.mean(rs)))
        (pl, ph), (wl, wh) = _interval(bp), _interval(bw)
        out.append({"measure": m, "external_measure": e, "n_pairs": len(d),
                    "n_theatres": int(d.theatre.nunique()), "n_windows": len(wins),
                    "spearman_pooled": pooled, "pooled_lo": pl, "pooled_hi": ph,
                    "spearman_within": within, "n_theatres_within": n_within, "within_lo": wl, "within_hi": wh})
    return pd.DataFrame(out)
