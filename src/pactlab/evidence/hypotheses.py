"""T4: the theory's hypotheses on the record (ATOP and COW), with effect sizes, intervals and counts.

These are descriptive tests on the historical record; they use no model prediction.

H2/H3 -- durability of great-power-client alliances built on prior client-client commitments
    Unit: each ATOP alliance begun in [y1, y2] with a defence or consultation obligation, at least
    one COW major power among its founding members and at least two other founding members. Its
    *patron* is the founding major with the highest CINC in the year before it began; its *clients*
    are the other founding members (including co-guarantor majors, as Cohen counts the UK and France
    among NATO's clients). ``prior_cc`` = 1 when two or more of its clients were members of another
    defence or consultation alliance, without the patron, in force at the end of the year before
    (Brussels 1948 for NATO). Duration: ATOP end year minus start year, right-censored at the end of
    the release when in force. Kaplan-Meier curves by ``prior_cc`` (computed here), a log-rank test
    (statsmodels ``survdiff``), and a Cox model (statsmodels ``PHReg``, Efron ties) with
    ``prior_cc``, log founding members and a defence-pledge indicator: hazard ratios with 95% CIs.

H6 -- clients' defence pacts and a strong adversary next door
    Unit: dyad-years of two non-major states in the COW system in year t (t in [y1, y2]) that are in
    the same region (COW code block) or directly contiguous in t-1. Outcome: the two are founding
    members of a defence pact (ATOP ``defense``) begun in t. Threat (from t-1): some major power that
    is not in a defence or consultation alliance with the state is land-contiguous to one of the two
    (``adv_land``); or has a defence ally that is land-contiguous to one of them (``adv_ally_border``,
    a data proxy for a foothold). H6's term is ``adv_land or adv_ally_border``. Controls: the two
    share a land border; they already have a defence pact; log of their summed CINC. Logit with
    standard errors clustered two ways, by dyad and by year (one multilateral pact founds many dyads in
    the same year: the Rio Treaty of 1947 alone founds 153 dyads); odds ratios with 95% CIs. A variant counts only pacts
    without any major power.

H7 -- land versus sea
    Same data: ``adv_land`` and ``adv_sea`` (a non-allied major within 400 miles of water of one of
    the two, and none by land) as separate terms; the log-odds difference land - sea with its 95% CI.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from pactlab.data import DataDir
from pactlab.evidence import metrics as M
from pactlab.evidence import separation as S
from pactlab.evidence.episodes import OBLIGATIONS, REGIONS

Z95 = 1.959963984540054


def _region_code(c: np.ndarray) -> np.ndarray:
    out = np.full(len(c), len(REGIONS), dtype=int)
    for k, (_, lo, hi) in enumerate(REGIONS):
        out[(c >= lo) & (c <= hi)] = k
    return out


# --------------------------------------------------------------------------- H2/H3
def alliance_table(data: DataDir, y1: int, y2: int) -> pd.DataFrame:
    """The H2/H3 units (see the module docstring)."""
    a = data.atop_alliances()
    mem = data.atop_members()
    _, release_end = data.atop_coverage()
    first = mem.groupby(["atopid", "member"], as_index=False).yrent.min()
    mk = set(zip(data.major_years().ccode.tolist(), data.major_years().year.tolist()))
    my = data.atop_member_years()
    my = my.loc[my.commitment.isin(OBLIGATIONS).to_numpy()]
    # memberships still in force at the end of year y: a member-year row for y and for y + 1, or
    # censored (in force at the end of the data)
    rows = []
    sel = a.loc[(a.begyr >= y1) & (a.begyr <= y2) & a.commitment.isin(OBLIGATIONS)]
    for r in sel.itertuples(index=False):
        by = int(r.begyr)
        f = first.loc[(first.atopid == r.atopid) & (first.yrent == by)]
        founders = sorted(int(x) for x in f.member)
        majors = [m for m in founders if (m, by) in mk]
        others = [m for m in founders if (m, by) not in mk]
        if not majors or len(founders) - 1 < 2 or not others:
            continue
        cinc = {m: data.cinc(m, by - 1) for m in majors}
        patron = max(majors, key=lambda m: (cinc[m] if cinc[m] == cinc[m] else -1.0, -m))
        clients = [m for m in founders if m != patron]
        prev = my.loc[(my.year.to_numpy() == by - 1) & (my.atopid.to_numpy() != r.atopid)]
        nxt = my.loc[(my.year.to_numpy() == by) & (my.atopid.to_numpy() != r.atopid)]
        still = set(zip(nxt.atopid.tolist(), nxt.member.tolist()))
        prev = prev.loc[[(x, m) in still or bool(c) for x, m, c in
                         zip(prev.atopid.tolist(), prev.member.tolist(), prev.censored.tolist())]]
        prior = False
        via: list[int] = []
        for aid, g in prev.groupby("atopid"):
            ms = set(g.member.tolist())
            if patron in ms:
                continue
            if len(ms & set(clients)) >= 2:
                prior = True
                via.append(int(aid))
        ended = not bool(r.censored) and not pd.isna(r.endyr)
        dur = (int(r.endyr) if ended else release_end) - by
        rows.append({"atopid": int(r.atopid), "begyr": by, "patron": patron, "n_members": len(founders),
                     "n_clients": len(clients), "defense": float(r.commitment == "defend"),
                     "prior_cc": int(prior), "prior_via": via, "duration": dur, "ended": ended})
    return pd.DataFrame(rows, columns=["atopid", "begyr", "patron", "n_members", "n_clients", "defense",
                                       "prior_cc", "prior_via", "duration", "ended"])


def h2_survival(tab: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(tab), "events": int(tab.ended.sum()) if len(tab) else 0}
    if tab.empty:
        return out
    km = {}
    for g in (1, 0):
        sub = tab[tab.prior_cc == g]
        k = M.kaplan_meier(sub.duration, sub.ended)
        km[g] = k
        out[f"group{g}"] = {"n": len(sub), "events": int(sub.ended.sum()),
                            "median_years": M.median_survival(k) if len(sub) else float("nan"),
                            "survival_10y": M.km_at(k, 10) if len(sub) else float("nan"),
                            "survival_25y": M.km_at(k, 25) if len(sub) else float("nan")}
    out["km"] = {g: k.to_dict(orient="list") for g, k in km.items()}
    if tab.prior_cc.nunique() < 2:
        out["note"] = "only one group present: no comparison"
        return out
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.duration.survfunc import survdiff

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stat, p = survdiff(tab.duration.to_numpy(float), tab.ended.to_numpy(int), tab.prior_cc.to_numpy(int))
    out["logrank"] = {"chi2": float(stat), "p": float(p)}
    t = tab.duration.to_numpy(float) + 0.5  # alliances ended in their first year: half a year
    for name, cols in (("cox_univariate", ["prior_cc"]), ("cox", ["prior_cc", "log_members", "defense"])):
        X = pd.DataFrame({"prior_cc": tab.prior_cc.astype(float), "log_members": np.log(tab.n_members),
                          "defense": tab.defense})[cols]
        if any(X[c].nunique() < 2 for c in cols):
            out[name] = {"note": "a covariate does not vary"}
            continue
        diag = S.diagnose("cox", cols, X.to_numpy(float), tab.ended.to_numpy(float), time=t)
        out.setdefault("separation", {})[name] = diag
        if diag["status"] != "none":
            # the partial likelihood is monotone (or nearly): Firth's penalty, profile intervals
            out[name] = S.firth("cox", cols, X.to_numpy(float), tab.ended.to_numpy(float), time=t, label="hr")
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = PHReg(t, X.to_numpy(float), status=tab.ended.to_numpy(int), ties="efron").fit()
            out[name] = _coef_table(cols, res.params, res.bse, exp=True, label="hr")
        except Exception as exc:  # noqa: BLE001 - report, do not crash the backtest
            out[name] = {"note": f"Cox model failed: {exc}"}
    return out


def _coef_table(names, params, bse, exp: bool, label: str) -> dict:
    out = {}
    for n, b, s in zip(names, np.asarray(params, float), np.asarray(bse, float)):
        lo, hi = b - Z95 * s, b + Z95 * s
        p = math.erfc(abs(b / s) / math.sqrt(2)) if s > 0 else float("nan")
        out[n] = {"coef": float(b), "se": float(s), "p": p,
                  label: float(np.exp(b)) if exp else float(b),
                  "lower": float(np.exp(lo)) if exp else float(lo), "upper": float(np.exp(hi)) if exp else float(hi)}
    return out


# --------------------------------------------------------------------------- H6/H7
def dyad_years(data: DataDir, y1: int, y2: int) -> pd.DataFrame:
    """The H6/H7 dyad-years (see the module docstring)."""
    sy = data.state_years()
    mj = data.major_years()
    mk = set(zip(mj.ccode.tolist(), mj.year.tolist()))
    cont = data.contiguity_years()
    cont = cont.loc[(cont.year >= y1 - 1) & (cont.year <= y2 - 1)]
    my = data.atop_member_years()
    my = my.loc[(my.year >= y1 - 1) & (my.year <= y2 - 1)]
    obl = my.loc[my.commitment.isin(OBLIGATIONS).to_numpy()]
    dfn = my.loc[my.defense.to_numpy() == 1]
    # allied (defence or consultation) pairs involving a major power, by year
    mrows = obl.loc[[(m, y) in mk for m, y in zip(obl.member.tolist(), obl.year.tolist())]]
    pairs = obl.merge(mrows[["year", "atopid", "member"]].rename(columns={"member": "major"}), on=["year", "atopid"])
    allied = set(zip(pairs.member.tolist(), pairs.major.tolist(), pairs.year.tolist()))
    # defence allies of majors (for the foothold proxy), by year
    dm = dfn.loc[[(m, y) in mk for m, y in zip(dfn.member.tolist(), dfn.year.tolist())]]
    dpairs = dfn.merge(dm[["year", "atopid", "member"]].rename(columns={"member": "major"}), on=["year", "atopid"])
    dpairs = dpairs.loc[dpairs.member != dpairs.major]
    major_allies: dict[tuple[int, int], set[int]] = {}
    for k, mj_, y in zip(dpairs.member.tolist(), dpairs.major.tolist(), dpairs.year.tolist()):
        major_allies.setdefault((mj_, y), set()).add(k)
    # state-level threat flags for year t (from t-1)
    land: set[tuple[int, int]] = set()
    sea: set[tuple[int, int]] = set()
    foot: set[tuple[int, int]] = set()
    neighbours: dict[tuple[int, int], set[int]] = {}
    for a, b, y, ct in zip(cont.ccode1.tolist(), cont.ccode2.tolist(), cont.year.tolist(), cont.conttype.tolist()):
        if ct == 1:
            neighbours.setdefault((a, y), set()).add(b)
        if (b, y) in mk and (a, y) not in mk and (a, b, y) not in allied:
            (land if ct == 1 else sea).add((a, y + 1))
    for (mj_, y), ks in major_allies.items():
        for k in ks:
            for i in neighbours.get((k, y), ()):
                if i != mj_ and (i, mj_, y) not in allied and (i, y) not in mk:
                    foot.add((i, y + 1))
    # prior defence pairs (t-1) and new defence pacts' founding pairs (t)
    dprev = set()
    for (y, aid), g in dfn.groupby(["year", "atopid"]):
        ms = sorted(g.member.tolist())
        for i, a in enumerate(ms):
            for b in ms[i + 1:]:
                dprev.add((a, b, y + 1))
    al = data.atop_alliances()
    mem = data.atop_members()
    first = mem.groupby(["atopid", "member"], as_index=False).yrent.min()
    new_any: set[tuple[int, int, int]] = set()
    new_nomajor: set[tuple[int, int, int]] = set()
    for r in al.loc[(al.begyr >= y1) & (al.begyr <= y2) & (al.defense == 1)].itertuples(index=False):
        by = int(r.begyr)
        f = first.loc[(first.atopid == r.atopid) & (first.yrent == by)]
        ms = sorted(int(x) for x in f.member)
        has_major = any((m, by) in mk for m in ms)
        nm = [m for m in ms if (m, by) not in mk]
        for i, a in enumerate(nm):
            for b in nm[i + 1:]:
                new_any.add((a, b, by))
                if not has_major:
                    new_nomajor.add((a, b, by))
    cinc = data.nmc_frame().cinc
    contig_pairs = {(a, b, y + 1): ct for a, b, y, ct in
                    zip(cont.ccode1.tolist(), cont.ccode2.tolist(), cont.year.tolist(), cont.conttype.tolist())}
    out = []
    for t in range(y1, y2 + 1):
        prev = set(sy.ccode[sy.year.to_numpy() == t - 1].tolist())
        cur = sorted(c for c in sy.ccode[sy.year.to_numpy() == t].tolist() if c in prev and (c, t) not in mk)
        if len(cur) < 2:
            continue
        arr = np.array(cur)
        reg = _region_code(arr)
        ii, jj = np.triu_indices(len(arr), 1)
        a, b = arr[ii], arr[jj]
        same = reg[ii] == reg[jj]
        cflag = np.array([(x, y_, t) in contig_pairs for x, y_ in zip(a.tolist(), b.tolist())])
        keep = same | cflag
        a, b = a[keep], b[keep]
        if not len(a):
            continue
        cv = cinc.reindex(pd.MultiIndex.from_arrays([np.r_[a, b], np.full(2 * len(a), t - 1)])).to_numpy()
        cs = np.nan_to_num(cv[: len(a)]) + np.nan_to_num(cv[len(a):])
        al_ = [(x, t) in land for x in a.tolist()]
        bl_ = [(x, t) in land for x in b.tolist()]
        as_ = [(x, t) in sea for x in a.tolist()]
        bs_ = [(x, t) in sea for x in b.tolist()]
        af_ = [(x, t) in foot for x in a.tolist()]
        bf_ = [(x, t) in foot for x in b.tolist()]
        lnd = np.array(al_) | np.array(bl_)
        out.append(pd.DataFrame({
            "year": t, "a": a, "b": b,
            "adv_land": lnd.astype(int),
            "adv_sea": ((np.array(as_) | np.array(bs_)) & ~lnd).astype(int),
            "adv_ally_border": (np.array(af_) | np.array(bf_)).astype(int),
            "land_border": np.array([contig_pairs.get((x, y_, t)) == 1 for x, y_ in zip(a.tolist(), b.tolist())],
                                    dtype=int),
            "prior_defence": np.array([(x, y_, t) in dprev for x, y_ in zip(a.tolist(), b.tolist())], dtype=int),
            "log_cinc": np.log(np.maximum(cs, 1e-6)),
            "new_defence": np.array([(x, y_, t) in new_any for x, y_ in zip(a.tolist(), b.tolist())], dtype=int),
            "new_defence_no_major": np.array([(x, y_, t) in new_nomajor for x, y_ in zip(a.tolist(), b.tolist())],
                                             dtype=int),
        }))
    if not out:
        return pd.DataFrame(columns=["year", "a", "b", "adv_land", "adv_sea", "adv_ally_border", "land_border",
                                     "prior_defence", "log_cinc", "new_defence", "new_defence_no_major"])
    df = pd.concat(out, ignore_index=True)
    df["threat"] = ((df.adv_land == 1) | (df.adv_ally_border == 1)).astype(int)
    return df


def _logit(df: pd.DataFrame, y: str, cols: list[str]) -> dict[str, Any]:
    import statsmodels.api as sm

    n_ev = int(df[y].sum())
    res_out: dict[str, Any] = {"n": len(df), "events": n_ev, "dyads": int(df[["a", "b"]].drop_duplicates().shape[0])}
    use = [c for c in cols if df[c].nunique() > 1]
    if n_ev < 5 or not use:
        res_out["note"] = f"too few events ({n_ev}) or no variation: not estimated"
        return res_out
    X = sm.add_constant(df[use].astype(float), has_constant="add")
    names = list(X.columns)
    diag = S.diagnose("logit", names, X.to_numpy(float), df[y].to_numpy(float))
    res_out["separation"] = diag
    res_out["dropped"] = [c for c in cols if c not in use]
    if diag["status"] != "none":
        # separated or nearly: Firth's penalised logit with profile intervals (not clustered)
        res_out["terms"] = S.firth("logit", names, X.to_numpy(float), df[y].to_numpy(float), label="or")
        return res_out
    # two-way clusters: dyad (repeated years) and year (one multilateral pact founds many dyads at once)
    groups = np.column_stack([pd.factorize(df.a.astype(str) + "-" + df.b.astype(str))[0],
                              pd.factorize(df.year)[0]])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.Logit(df[y].astype(float), X).fit(disp=0, maxiter=200, cov_type="cluster",
                                                       cov_kwds={"groups": groups})
    except Exception as exc:  # noqa: BLE001
        res_out["note"] = f"logit failed: {exc}"
        return res_out
    res_out["terms"] = _coef_table(list(X.columns), res.params, res.bse, exp=True, label="or")
    res_out["dropped"] = [c for c in cols if c not in use]
    res_out["_cov"] = pd.DataFrame(res.cov_params(), index=X.columns, columns=X.columns)
    return res_out


def h6_h7(dy: pd.DataFrame) -> dict[str, Any]:
    out: dict[str, Any] = {"n": len(dy), "events": int(dy.new_defence.sum()) if len(dy) else 0}
    if dy.empty:
        return out
    ctrl = ["land_border", "prior_defence", "log_cinc"]
    for y in ("new_defence", "new_defence_no_major"):
        rates = {}
        for k, g in dy.groupby("threat"):
            rates["threat" if k else "no_threat"] = {"dyad_years": len(g), "events": int(g[y].sum()),
                                                      "per_1000": 1000.0 * g[y].mean()}
        h6 = _logit(dy, y, ["threat", "adv_sea"] + ctrl)
        h6.pop("_cov", None)
        h7 = _logit(dy, y, ["adv_land", "adv_sea", "adv_ally_border"] + ctrl)
        cov = h7.pop("_cov", None)
        if "terms" in h7 and "adv_land" in h7["terms"] and "adv_sea" in h7["terms"] and cov is not None \
                and h7.get("separation", {}).get("status") == "none":
            d = h7["terms"]["adv_land"]["coef"] - h7["terms"]["adv_sea"]["coef"]
            v = cov.loc["adv_land", "adv_land"] + cov.loc["adv_sea", "adv_sea"] - 2 * cov.loc["adv_land", "adv_sea"]
            se = math.sqrt(max(v, 0.0))
            h7["land_minus_sea"] = {"coef": d, "se": se, "lower": d - Z95 * se, "upper": d + Z95 * se,
                                    "ratio_of_or": math.exp(d), "p": math.erfc(abs(d / se) / math.sqrt(2)) if se else float("nan")}
        cells = {}
        for name in ("adv_land", "adv_sea", "adv_ally_border"):
            g = dy[dy[name] == 1]
            cells[name] = {"dyad_years": len(g), "events": int(g[y].sum())}
        out[y] = {"rates": rates, "H6": h6, "H7": h7, "cells": cells}
    return out


def run_hypotheses(data: DataDir, y1: int, y2: int) -> dict[str, Any]:
    """T4: H2/H3 survival and H6/H7 dyad-year logits on the record of [y1, y2]."""
    tab = alliance_table(data, y1, y2)
    dy = dyad_years(data, y1, y2)
    return {"H2_H3": h2_survival(tab), "H6_H7": h6_h7(dy), "_alliances": tab, "_dyads_n": len(dy)}
