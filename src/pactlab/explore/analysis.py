"""What the draws say: outcome shares, tipping points, sensitivity indices, scenario discovery."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from pactlab.errors import PactlabError
from pactlab.explore.runner import DEFAULT_CHUNK, Executor, column, evaluate, param_column
from pactlab.explore.spec import Input, Spec
from pactlab.model.params import DEFAULT, Parameters
from pactlab.scenarios.schema import Scenario

from pactlab.designs import ALIASES, DESIGNS  # noqa: E402


class ExploreError(PactlabError):
    """An exploration that cannot give an answer with the inputs asked for."""


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a share k/n (95 % by default)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def check_target(target: str) -> str:
    target = ALIASES.get(target, target)
    if target not in DESIGNS:
        raise ExploreError(f"--target {target}: expected one of {', '.join(DESIGNS)}")
    return target


# --------------------------------------------------------------------------- Monte Carlo summary

def summarise(df, spec: Spec, coded_design: str, top: int = 10, params: Sequence[str] = ()) -> dict[str, Any]:
    """Outcome shares with intervals, robustness, and the inputs that move the modal design;
    ``params`` names fitted parameters drawn from a bootstrap (columns ``param_<name>``), listed
    among the movers with the rule ``fit bootstrap``."""
    n = len(df)
    counts = Counter(df["design"])
    shares = []
    for d, k in counts.most_common():
        lo, hi = wilson(k, n)
        shares.append({"design": d, "draws": k, "share": k / n, "low": lo, "high": hi})
    modal = shares[0]["design"]
    movers = []
    hit = (df["design"] == modal).to_numpy()
    drawn = [(inp.path, inp.rule, column(inp.path), inp.values if inp.kind == "choice" else None)
             for inp in spec.inputs] + [(f"parameter {n}", "fit bootstrap", param_column(n), None) for n in params]
    for path, rule, col, choices in drawn:
        x = df[col].to_numpy()
        if choices is not None:
            groups = [(f"{v:g}", x == v) for v in choices]
        else:
            med = float(np.median(x))
            groups = [(f"<= {med:.4g}", x <= med), (f"> {med:.4g}", x > med)]
        rows = [(label, float(hit[m].mean()), int(m.sum())) for label, m in groups if m.sum() > 0]
        if len(rows) < 2:
            continue
        effect = max(r[1] for r in rows) - min(r[1] for r in rows)
        movers.append({"input": path, "rule": rule, "effect": effect,
                       "groups": [{"value": lab, "share_modal": s, "draws": c} for lab, s, c in rows]})
    movers.sort(key=lambda r: -r["effect"])
    lo, hi = wilson(int((df["design"] == coded_design).sum()), n)
    return {"draws": n, "coded_design": coded_design, "modal": modal, "modal_share": shares[0]["share"],
            "robustness": float((df["design"] == coded_design).mean()), "robustness_low": lo, "robustness_high": hi,
            "shares": shares, "movers": movers[:top]}


# --------------------------------------------------------------------------- tipping points

def _solve_points(s, spec: Spec, points: list[dict[str, float]], ex: Executor, params, chunk_size) -> list[str]:
    """Design at each point (a dict path -> value; other inputs at their coded values)."""
    if not points:
        return []
    paths = spec.names()
    base = np.array(spec.coded(), float)
    vals = np.tile(base, (len(points), 1))
    for r, pt in enumerate(points):
        for p, v in pt.items():
            vals[r, paths.index(p)] = v
    return evaluate(s, paths, vals, ex, params, chunk_size=chunk_size)


def _brackets(xs: list[float], hits: list[bool], x0: float) -> tuple[list[tuple[float, float]], bool]:
    """From the coded value outwards in each direction: (last miss, first hit) brackets; monotone flag."""
    order = sorted(range(len(xs)), key=lambda k: xs[k])
    xs = [xs[k] for k in order]
    hits = [hits[k] for k in order]
    changes = sum(1 for a, b in zip(hits, hits[1:]) if a != b)
    i0 = min(range(len(xs)), key=lambda k: abs(xs[k] - x0))
    out = []
    for step in (1, -1):
        k = i0
        while 0 <= k + step < len(xs):
            if hits[k + step] and not hits[k]:
                out.append((xs[k], xs[k + step]))
                break
            k += step
    return out, changes <= 1


def tipping(s: Scenario, spec: Spec, target: str, ex: Executor, *, params: Parameters = DEFAULT, grid: int = 9,
            steps: int = 10, joint: int = 4, joint_grid: int = 7, curve_draws: int = 0, seed: int = 0,
            chunk_size: int = DEFAULT_CHUNK, progress=None) -> dict[str, Any]:
    """Per-input thresholds at which the prediction becomes ``target``, the smallest joint changes
    of two inputs, and (with ``curve_draws``) P(target) along each input over the other inputs' uncertainty."""
    check_target(target)
    tick = progress or (lambda n: None)
    coded = _solve_points(s, spec, [{}], ex, params, chunk_size)[0]
    tick(1)
    grids = {i.path: _with_coded(i.grid(grid), i.coded) for i in spec.inputs}
    pts = [(p, x) for p, xs in grids.items() for x in xs]
    designs = _solve_points(s, spec, [{p: x} for p, x in pts], ex, params, chunk_size)
    tick(len(pts))
    by_input: dict[str, list[tuple[float, str]]] = {p: [] for p in grids}
    for (p, x), d in zip(pts, designs):
        by_input[p].append((x, d))
    # bisection, all inputs and directions in lockstep
    jobs = []  # [path, miss, hit]
    mono: dict[str, bool] = {}
    for inp in spec.inputs:
        xs = [x for x, _ in by_input[inp.path]]
        hits = [d == target for _, d in by_input[inp.path]]
        br, mono[inp.path] = _brackets(xs, hits, inp.coded)
        jobs += [[inp.path, a, b] for a, b in br]
    for _ in range(steps if coded != target else 0):
        mids = [(j[0], _mid(spec.get(j[0]), j[1], j[2])) for j in jobs]
        ds = _solve_points(s, spec, [{p: m} for p, m in mids], ex, params, chunk_size)
        tick(len(mids))
        for j, (_, m), d in zip(jobs, mids, ds):
            if d == target:
                j[2] = m
            else:
                j[1] = m
    verify = _solve_points(s, spec, [{j[0]: j[2]} for j in jobs], ex, params, chunk_size)
    tick(len(jobs))
    singles = []
    for inp in spec.inputs:
        mine = [(j, v) for j, v in zip(jobs, verify) if j[0] == inp.path]
        ths = []
        for j, v in mine:
            ths.append({"value": j[2], "direction": "up" if j[2] > inp.coded else "down",
                        "change": j[2] - inp.coded, "normalised": abs(inp.normalised(j[2])),
                        "verified": v == target, "bracket": [min(j[1], j[2]), max(j[1], j[2])]})
        ths.sort(key=lambda t: t["normalised"])
        singles.append({"input": inp.path, "rule": inp.rule, "coded": inp.coded, "span": list(inp.span),
                        "scale": inp.scale, "monotone": mono[inp.path], "thresholds": ths,
                        "grid": [{"value": x, "design": d} for x, d in sorted(by_input[inp.path])]})
    singles.sort(key=lambda r: (r["thresholds"][0]["normalised"] if r["thresholds"] else math.inf, r["input"]))
    out: dict[str, Any] = {"scenario": s.id, "target": target, "coded_design": coded, "inputs": singles,
                           "flip_rule": "modal design: the design the model predicts at these inputs equals the target"}
    if joint and coded != target:
        out["joint"] = _joint(s, spec, target, singles, by_input, ex, params, joint, joint_grid, steps, chunk_size, tick)
    if curve_draws:
        out["curves"] = _curves(s, spec, target, grids, ex, params, curve_draws, seed, chunk_size, tick)
    return out


def _with_coded(xs: list[float], x0: float) -> list[float]:
    """The grid with the coded value in place of any grid point within rounding of it."""
    keep = [x for x in xs if not math.isclose(x, x0, rel_tol=1e-9, abs_tol=1e-12)]
    return sorted(keep + [x0])


def _mid(inp: Input, a: float, b: float) -> float:
    if inp.scale == "log":
        return math.sqrt(a * b)
    return 0.5 * (a + b)


def _joint(s, spec, target, singles, by_input, ex, params, k, g, steps, chunk_size, tick) -> dict[str, Any]:
    """Smallest changes of two inputs together (Euclidean norm of the normalised changes): a grid
    over both spans, then bisection along the ray from the coded values to the best grid point."""
    moved = [r["input"] for r in singles if r["thresholds"]]
    moved += [r["input"] for r in singles if r["input"] not in moved
              and len({d for _, d in by_input[r["input"]]}) > 1]
    cand = moved[:k]
    pairs = [(a, b) for i, a in enumerate(cand) for b in cand[i + 1:]]
    pts, owners = [], []
    for a, b in pairs:
        ia, ib = spec.get(a), spec.get(b)
        for xa in ia.grid(g):
            for xb in ib.grid(g):
                pts.append({a: xa, b: xb})
                owners.append((a, b))
    ds = _solve_points(s, spec, pts, ex, params, chunk_size)
    tick(len(pts))
    best: dict[tuple[str, str], tuple[float, dict]] = {}
    for pt, own, d in zip(pts, owners, ds):
        if d != target:
            continue
        z = math.hypot(*(spec.get(p).normalised(v) for p, v in pt.items()))
        if own not in best or z < best[own][0]:
            best[own] = (z, pt)
    rays = [[own, 0.0, 1.0, pt] for own, (_, pt) in best.items()]

    def at(own, pt, t):
        return {p: spec.get(p).from_normalised(t * spec.get(p).normalised(v)) for p, v in pt.items()}

    for _ in range(steps):
        mids = [at(r[0], r[3], 0.5 * (r[1] + r[2])) for r in rays]
        dd = _solve_points(s, spec, mids, ex, params, chunk_size)
        tick(len(mids))
        for r, d in zip(rays, dd):
            t = 0.5 * (r[1] + r[2])
            if d == target:
                r[2] = t
            else:
                r[1] = t
    final = [at(r[0], r[3], r[2]) for r in rays]
    ver = _solve_points(s, spec, final, ex, params, chunk_size)
    tick(len(final))
    rows = []
    for r, pt, v in zip(rays, final, ver):
        z = math.hypot(*(spec.get(p).normalised(x) for p, x in pt.items()))
        gz = best[r[0]][0]
        rows.append({"inputs": list(r[0]), "values": {p: pt[p] for p in r[0]},
                     "coded": {p: spec.get(p).coded for p in r[0]}, "normalised": z, "verified": v == target,
                     "grid_point": best[r[0]][1], "grid_normalised": gz, "not_worse_than_grid": z <= gz + 1e-9})
    rows.sort(key=lambda r: r["normalised"])
    return {"candidates": cand, "pairs_searched": len(pairs), "grid": g, "changes": rows}


def _curves(s, spec, target, grids, ex, params, draws, seed, chunk_size, tick) -> list[dict[str, Any]]:
    """P(target) at each grid value of each input, the other inputs drawn from the spec."""
    from pactlab.explore.runner import draw_values

    others, _ = draw_values(spec, draws, seed)
    paths = spec.names()
    rows, owners = [], []
    for p, xs in grids.items():
        j = paths.index(p)
        for x in xs:
            block = others.copy()
            block[:, j] = x
            rows.append(block)
            owners.append((p, x))
    vals = np.vstack(rows)
    ds = np.array(evaluate(s, paths, vals, ex, params, chunk_size=chunk_size, progress=tick))
    out = []
    for k, (p, x) in enumerate(owners):
        hit = ds[k * draws:(k + 1) * draws] == target
        lo, hi = wilson(int(hit.sum()), draws)
        out.append({"input": p, "value": x, "p_target": float(hit.mean()), "low": lo, "high": hi, "draws": draws})
    curves = []
    for p in grids:
        pts = [r for r in out if r["input"] == p]
        inp = spec.get(p)
        curves.append({"input": p, "points": pts, "p_half": _half(pts, inp.coded)})
    return curves


def _half(pts: list[dict], x0: float) -> float | None:
    """The value nearest the coded one at which P(target) reaches 0.5 (linear interpolation)."""
    best = None
    for a, b in zip(pts, pts[1:]):
        pa, pb = a["p_target"], b["p_target"]
        if (pa - 0.5) * (pb - 0.5) <= 0 and pa != pb:
            x = a["value"] + (0.5 - pa) * (b["value"] - a["value"]) / (pb - pa)
            if best is None or abs(x - x0) < abs(best - x0):
                best = x
    if best is None and pts and all(p["p_target"] >= 0.5 for p in pts):
        return x0
    return best


# --------------------------------------------------------------------------- sensitivity

def _problem(spec: Spec, groups: str) -> dict[str, Any]:
    names = [column(p) for p in spec.names()]
    prob: dict[str, Any] = {"names": names, "bounds": [[0.0, 1.0]] * len(names), "num_vars": len(names)}
    if groups == "rule":
        prob["groups"] = [i.rule for i in spec.inputs]
    elif groups == "actor":
        prob["groups"] = [i.path.split(".")[0] if not i.path.startswith(("dispute.", "foothold.")) else
                          i.path.split(".")[0] for i in spec.inputs]
    return prob


def _clean(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def sensitivity(s: Scenario, spec: Spec, target: str, ex: Executor, *, method: str = "sobol", n: int = 64,
                groups: str = "rule", seed: int = 0, params: Parameters = DEFAULT, chunk_size: int = DEFAULT_CHUNK,
                progress=None) -> dict[str, Any]:
    """Sobol or Morris indices of P(target) with SALib's ProblemSpec. Each input enters as its quantile
    u in [0, 1): a choice input maps u to its values by their weights (the inverse of its distribution),
    a range input to its range."""
    from SALib import ProblemSpec

    check_target(target)
    prob = _problem(spec, groups)
    sp = ProblemSpec(dict(prob))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            sp.sample_sobol(n, calc_second_order=False, seed=seed)
        elif method == "morris":
            sp.sample_morris(n, num_levels=4, seed=seed)
        else:
            raise ExploreError(f"--method {method}: expected sobol or morris")
    u = np.clip(np.asarray(sp.samples, float), 0.0, 1.0 - 1e-12)
    vals = np.array([[inp.from_unit(u[r, j]) for j, inp in enumerate(spec.inputs)] for r in range(len(u))])
    designs = evaluate(s, spec.names(), vals, ex, params, chunk_size=chunk_size, progress=progress)
    y = np.array([d == target for d in designs], float)
    out: dict[str, Any] = {"scenario": s.id, "target": target, "method": method, "groups": groups,
                           "evaluations": len(y), "p_target": float(y.mean()), "indices": []}
    if y.min() == y.max():
        out["note"] = (f"P({target}) is {y[0]:.0f} at every sampled point: the target does not vary over this "
                       "uncertainty, so no index can be computed")
        return out
    sp.set_results(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            sp.analyze_sobol(calc_second_order=False, seed=seed)
            a = sp.analysis
            keys = ("S1", "S1_conf", "ST", "ST_conf")
        else:
            sp.analyze_morris(num_levels=4, seed=seed)
            a = sp.analysis
            keys = ("mu_star", "mu_star_conf", "sigma")
    names = list(a["names"]) if "names" in a else list(dict.fromkeys(prob.get("groups") or prob["names"]))
    for k, name in enumerate(names):
        out["indices"].append({"name": name, **{key: _clean(a[key][k]) for key in keys}})
    sort_key = "ST" if method == "sobol" else "mu_star"
    out["indices"].sort(key=lambda r: -(r[sort_key] or 0.0))
    return out


def given_data(df, spec: Spec, target: str, *, seed: int = 0, delta_top: int = 5,
               delta_resamples: int = 10) -> dict[str, Any]:
    """SALib's given-data methods on a Monte Carlo table, so that no second design is paid for: PAWN
    for every input, and the delta moment-independent measure (Borgonovo; SALib 1.6 reports its raw
    and balanced forms) for the ``delta_top`` inputs with the largest PAWN median (delta's kernel
    density bootstrap costs seconds per input). A categorical coding (a choice input) enters as its
    numeric value: PAWN slices the input's range, which suits a few discrete values; delta treats
    the input as continuous, so read its index for such an input as indicative."""
    from SALib.analyze import delta, pawn

    check_target(target)
    cols = [column(p) for p in spec.names()]
    x = df[cols].to_numpy(float)
    y = (df["design"] == target).to_numpy(float)
    out: dict[str, Any] = {"target": target, "draws": len(y), "p_target": float(y.mean()), "indices": []}
    if y.min() == y.max():
        out["note"] = f"P({target}) is {y[0]:.0f} in every draw: no index can be computed"
        return out
    keep = [j for j in range(len(cols)) if np.ptp(x[:, j]) > 0]

    def prob(idx):
        return {"names": [cols[j] for j in idx], "num_vars": len(idx),
                "bounds": [[float(x[:, j].min()), float(x[:, j].max())] for j in idx]}

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        pw = pawn.analyze(prob(keep), x[:, keep], y, S=10, seed=seed, print_to_console=False)
        rows = {cols[j]: {"name": cols[j], "pawn_median": _clean(pw["median"][k]), "pawn_max": _clean(pw["maximum"][k]),
                          "delta_raw": None, "delta_raw_conf": None, "delta_balanced": None,
                          "delta_balanced_conf": None} for k, j in enumerate(keep)}
        top = sorted(keep, key=lambda j: -(rows[cols[j]]["pawn_median"] or 0.0))[:delta_top]
        if top:
            d = delta.analyze(prob(top), x[:, top], y, num_resamples=delta_resamples, seed=seed, method="delta",
                              print_to_console=False)
            for k, j in enumerate(top):
                for key in ("delta_raw", "delta_raw_conf", "delta_balanced", "delta_balanced_conf"):
                    if key in d:
                        rows[cols[j]][key] = _clean(d[key][k])
    out["indices"] = sorted(rows.values(), key=lambda r: -(r["pawn_median"] or 0.0))
    out["delta_inputs"] = [cols[j] for j in top]
    return out


# --------------------------------------------------------------------------- scenario discovery

def discover(df, spec: Spec, target: str, *, threshold: float = 0.8, depth: int = 3) -> dict[str, Any]:
    """PRIM boxes (ema-workbench's analysis.prim) and a CART tree (scikit-learn) for the draws that
    give ``target``; coverage and density of each, limits in the inputs' own units."""
    import logging

    import pandas as pd

    check_target(target)
    cols = [column(p) for p in spec.names()]
    by_col = dict(zip(cols, spec.names()))
    x = df[cols].astype(float)
    x = x.loc[:, x.nunique() > 1]
    y = (df["design"] == target).to_numpy()
    if not y.any() or y.all():
        raise ExploreError(f"{'no' if not y.any() else 'every'} draw gives '{target}' "
                           f"({len(y)} draws): scenario discovery needs both outcomes")
    out: dict[str, Any] = {"target": target, "draws": len(y), "target_draws": int(y.sum()),
                           "base_density": float(y.mean())}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.ERROR)
        from ema_workbench.analysis import prim

        p = prim.Prim(x.reset_index(drop=True), y.astype(int), threshold=threshold, peel_alpha=0.05)
        box = p.find_box()
        traj = box.peeling_trajectory
        ok = traj[traj["density"] >= threshold]
        idx = int(ok["coverage"].idxmax()) if len(ok) else int((traj["density"]).idxmax())
        box.select(idx)
        lim = box.box_lim
        init = p.box_init
    restricted = []
    for c in x.columns:
        lo, hi = float(lim[c].iloc[0]), float(lim[c].iloc[1])
        if lo != float(init[c].iloc[0]) or hi != float(init[c].iloc[1]):
            restricted.append({"input": by_col[c], "low": lo, "high": hi,
                               "range": [float(init[c].iloc[0]), float(init[c].iloc[1])]})
    out["prim"] = {"threshold": threshold, "coverage": float(traj.loc[idx, "coverage"]),
                   "density": float(traj.loc[idx, "density"]), "mass": float(traj.loc[idx, "mass"]),
                   "restricted": restricted, "met_threshold": bool(len(ok))}
    from sklearn.tree import DecisionTreeClassifier

    leaf_min = max(5, len(y) // 50)
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf_min, random_state=0).fit(x.to_numpy(), y)
    t = tree.tree_
    leaves = []

    def walk(node: int, conds: list[str]) -> None:
        if t.children_left[node] == -1:
            ids = tree.apply(x.to_numpy()) == node
            k = int(y[ids].sum())
            if k:
                leaves.append({"rule": " and ".join(conds) or "(all draws)", "draws": int(ids.sum()),
                               "density": k / int(ids.sum()), "coverage": k / int(y.sum())})
            return
        name = by_col[x.columns[t.feature[node]]]
        thr = float(t.threshold[node])
        walk(t.children_left[node], conds + [f"{name} <= {thr:.4g}"])
        walk(t.children_right[node], conds + [f"{name} > {thr:.4g}"])

    walk(0, [])
    leaves.sort(key=lambda r: (-r["density"], -r["coverage"]))
    out["cart"] = {"max_depth": depth, "min_leaf": leaf_min, "leaves": leaves,
                   "accuracy": float(tree.score(x.to_numpy(), y))}
    _ = pd  # pandas is ema-workbench's input type
    return out


# --------------------------------------------------------------------------- queries

def query(folder, sql: str):
    """Run ``sql`` with DuckDB over a results folder; the draws are the view ``draws``."""
    from pathlib import Path

    import duckdb

    from pactlab.explore.runner import load_results

    load_results(folder)  # checks the folder
    con = duckdb.connect()
    glob = str(Path(folder) / "chunk-*.parquet").replace("'", "''")
    con.execute(f"CREATE VIEW draws AS SELECT * FROM read_parquet('{glob}')")
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise ExploreError(f"query failed: {str(exc).splitlines()[0]} (the table is 'draws'; "
                           "columns: `pactlab explore query FOLDER \"DESCRIBE draws\"`)") from None


def outcome_table(designs: Sequence[str]) -> dict[str, int]:
    return dict(Counter(designs))
