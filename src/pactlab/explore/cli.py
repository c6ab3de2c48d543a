"""``pactlab explore``: Monte Carlo, tipping points, sensitivity, scenario discovery, queries and
the architecture over time (paths)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import click
from rich.markup import escape as e

ENGINE_HELP = "where the solves run: this process, a pool of processes, or Dask"


def _engine_options(f):
    f = click.option("--engine", type=click.Choice(["serial", "process", "dask"]), default="serial",
                     show_default=True, help=ENGINE_HELP)(f)
    f = click.option("--workers", type=int, default=None, help="worker processes (default: the number of cores)")(f)
    f = click.option("--scheduler", default=None,
                     help="address of a running Dask scheduler (with --engine dask); otherwise pactlab starts a "
                          "LocalCluster")(f)
    f = click.option("--chunk-size", type=click.IntRange(1, 10_000), default=100, show_default=True,
                     help="draws per task (50-200 keeps Dask's per-task overhead small)")(f)
    return f


def _common(f):
    f = click.option("--uncertainty", "spec_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="a YAML file that overrides, adds or removes uncertain inputs (docs/explore.md)")(f)
    f = click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="write a self-contained HTML report with plots")(f)
    f = click.option("--width", type=click.Choice(["neighbours", "span"]), default="neighbours", show_default=True,
                     help="neighbours: each coding or a neighbouring anchor; span: any anchor of the rule "
                          "(a stress test)")(f)
    return f


def _fmt(choices=("text", "json", "csv")):
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default="text", show_default=True)


def _echo_json(obj: Any) -> None:
    from pactlab.files import json_dumps

    click.echo(json_dumps(obj))


def _echo_csv(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    click.echo(buf.getvalue(), nl=False)


def _console():
    from pactlab.cli import console

    return console


def _load(scenario: str, spec_file: Path | None, vary: tuple[str, ...] = (), width: str = "neighbours"):
    from pactlab.explore.spec import load_spec
    from pactlab.scenarios import catalog

    s = catalog.get(scenario)
    spec = load_spec(spec_file, s, width)
    paths = [p for v in vary for p in v.split(",") if p]
    return s, spec.subset(paths or None)


def _report_path(report: Path | None) -> None:
    if report is not None:
        from pactlab.files import output_file

        output_file(report, force=True, option="--report")


@click.group(name="explore", epilog="""\b
Examples:
  pactlab explore montecarlo europe-1949 --draws 1000 --seed 1 --out runs/eu49
  pactlab explore tipping indo-pacific-2025 --target multilateral --vary PRC.capability,PRC.maritime_reach
  pactlab explore sensitivity taiwan-1954 --method sobol --target none --n 64
  pactlab explore discover runs/eu49 --target bilateral
  pactlab explore query runs/eu49 "SELECT design, count(*) FROM draws GROUP BY design"
  pactlab explore path europe-1947 --years 9 --draws 300 --plot path.png
""")
def explore() -> None:
    """Explore a theatre under the uncertainty of its coded inputs: how robust is the
    prediction, what would it take to reach another design, which inputs matter.

    The uncertain inputs and their ranges come from the codebook's rules (docs/explore.md);
    --uncertainty FILE changes them.
    """


# --------------------------------------------------------------------------- montecarlo

@explore.command(epilog="""\b
Examples:
  pactlab explore montecarlo europe-1949 --draws 1000 --seed 1 --out runs/eu49
  pactlab explore montecarlo europe-1949 --draws 1000 --seed 1 --out runs/eu49 --resume --engine dask --workers 2
  pactlab explore montecarlo indo-pacific-2025 --draws 400 --out runs/ip25 --format json
  pactlab explore montecarlo korea-1953 --draws 400 --params fit.json --param-draws   # + parameter uncertainty
""")
@click.argument("scenario")
@click.option("--draws", type=click.IntRange(1, 10_000_000), default=1000, show_default=True)
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="results folder (default: explore-SCENARIO-seedS)")
@click.option("--resume", is_flag=True, help="continue the run in --out: only chunks without a file are run")
@click.option("--fresh", is_flag=True, help="discard the run in --out and start again")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="solve at the parameters of a `pactlab fit --theory cohen` file instead of the shipped set")
@click.option("--param-draws", is_flag=True,
              help="with --params: each draw also takes one of the file's bootstrap resamples "
                   "(`pactlab fit --bootstrap B`), so parameter uncertainty is drawn with the inputs'")
@_engine_options
@_common
@_fmt()
def montecarlo(scenario, draws, seed, out, resume, fresh, params_file, param_draws, engine, workers, scheduler,
               chunk_size, spec_file, report, width, fmt):
    """Draw the coded inputs from their uncertainty and solve each draw: outcome shares with
    95 % intervals, the prediction's robustness, and the inputs that move it. Each finished chunk
    is written to a Parquet file in --out as the run goes.

    The inputs' uncertainty comes from their codebook rules (or --uncertainty FILE). Parameter
    uncertainty is a second, optional source: with --params FIT.json --param-draws every draw
    also takes one of the fit's bootstrap resamples (columns param_draw, param_NAME), and the
    fitted parameters are listed among the inputs that move the design."""
    from pactlab.explore.analysis import summarise
    from pactlab.explore.runner import load_results, montecarlo as run_mc, rich_progress
    from pactlab.explore.spec import apply
    from pactlab.model.solve import solve

    from pactlab.model.params import DEFAULT, PRECISIONS

    _report_path(report)
    if param_draws and params_file is None:
        raise click.UsageError("--param-draws draws from a fit's bootstrap resamples: give --params FIT.json too")
    params, pdraws = DEFAULT, None
    if params_file is not None:
        from pactlab.evidence.cases import param_draws_from_file, params_from_file

        params = params_from_file(params_file)
        pdraws = param_draws_from_file(params_file) if param_draws else None
        if pdraws is not None and set(pdraws.names) <= {"precision", *PRECISIONS}:
            from pactlab.cli import err_console

            err_console.print(f"note: {e(str(params_file))} resamples only logit precisions; a draw's design is "
                              "the modal one, which does not depend on them, so these draws move no design "
                              "(they move the design probabilities of `pactlab run --params`)", highlight=False)
    s, spec = _load(scenario, spec_file, width=width)
    out = out or Path(f"explore-{s.id}-seed{seed}")
    with rich_progress(f"Monte Carlo {s.id}", draws) as adv:
        run = run_mc(s, spec, out, draws=draws, seed=seed, params=params, chunk_size=chunk_size, engine=engine,
                     workers=workers, scheduler=scheduler, resume=resume, fresh=fresh, param_draws=pdraws,
                     progress=adv)
    _, df = load_results(out)
    coded = solve(apply(s, spec.names(), spec.coded()), params).design
    summ = summarise(df, spec, coded, params=pdraws.names if pdraws is not None else ())
    run["seed"] = seed
    if params_file is not None:
        run["parameters"] = {"file": str(params_file), "digest": params.digest(),
                             "bootstrap_resamples": len(pdraws.sets) if pdraws is not None else None}
    if report is not None:
        from pactlab.explore import report as rp

        rp.write(report, rp.montecarlo_html(s, summ, run))
    if fmt == "json":
        _echo_json({"scenario": s.id, "run": run, **summ})
    elif fmt == "csv":
        _echo_csv(summ["shares"])
    else:
        _print_mc(s, summ, run)
    if report is not None:
        click.echo(f"report written to {report}", err=True)


def _print_mc(s, summ, run) -> None:
    from rich.table import Table

    con = _console()
    con.rule(f"[bold]Monte Carlo: {e(s.title)}[/]")
    con.print(f"{summ['draws']} draws ({run['chunks_run']} chunks run, {run['chunks_reused']} reused) on "
              f"{run['engine']}, {run['seconds']:.1f} s; results in {e(str(run['folder']))}")
    if run.get("parameters"):
        pr = run["parameters"]
        con.print(f"Parameters of {e(pr['file'])} (digest {pr['digest']})"
                  + (f", each draw at one of its {pr['bootstrap_resamples']} bootstrap resamples"
                     if pr["bootstrap_resamples"] else ", every draw at the point estimate"))
    con.print(f"Prediction at the coded values: [bold]{summ['coded_design']}[/]; it is the design in "
              f"{summ['robustness']:.1%} of draws (95 % interval {summ['robustness_low']:.1%}-"
              f"{summ['robustness_high']:.1%}). Modal design: [bold]{summ['modal']}[/] ({summ['modal_share']:.1%}).")
    t = Table(title="Outcome shares")
    for c in ("design", "draws", "share", "95 % interval"):
        t.add_column(c)
    for r in summ["shares"]:
        t.add_row(e(str(r["design"])), str(r["draws"]), f"{r['share']:.3f}", f"{r['low']:.3f}-{r['high']:.3f}")
    con.print(t)
    if not any(r["effect"] > 0 for r in summ["movers"]):
        # every draw has the modal design: no input can be said to move it
        con.print("Every draw gives the modal design: no input moves it within its uncertainty.")
        return
    m = Table(title="Inputs that move the modal design (share of draws with it, by the input's value)")
    for c in ("input", "rule", "effect", "by value"):
        m.add_column(c)
    for r in summ["movers"]:
        m.add_row(e(str(r["input"])), e(str(r["rule"])), f"{r['effect']:.3f}",
                  "; ".join(f"{g['value']}: {g['share_modal']:.2f}" for g in r["groups"]))
    con.print(m)


# --------------------------------------------------------------------------- tipping

@explore.command(epilog="""\b
Examples:
  pactlab explore tipping indo-pacific-2025 --target multilateral
  pactlab explore tipping indo-pacific-2025 --target multilateral --vary PRC.capability,PRC.maritime_reach \\
      --curve-draws 40 --report tipping.html
""")
@click.argument("scenario")
@click.option("--target", required=True, help="the design to reach (none, clients-only, bilateral, trilateral, "
                                                "hub-and-spoke, multilateral)")
@click.option("--vary", multiple=True, help="inputs to vary (comma-separated or repeated; default: every input)")
@click.option("--grid", type=click.IntRange(3, 101), default=9, show_default=True, help="grid points per input")
@click.option("--steps", type=click.IntRange(1, 40), default=10, show_default=True, help="bisection steps")
@click.option("--joint", type=click.IntRange(0, 12), default=4, show_default=True,
              help="search joint changes among this many inputs (pairs; 0: none)")
@click.option("--curve-draws", type=click.IntRange(0, 100_000), default=0, show_default=True,
              help="draws of the other inputs at each grid point, for P(target) curves")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@_engine_options
@_common
@_fmt()
def tipping(scenario, target, vary, grid, steps, joint, curve_draws, seed, engine, workers, scheduler, chunk_size,
            spec_file, report, width, fmt):
    """What would it take? For each input, the value at which the prediction becomes the
    target (bisection from a grid over the input's codebook span, the others at their coded
    values), the smallest joint changes of two inputs, and P(target) curves."""
    from pactlab.explore.analysis import check_target, tipping as run_tip
    from pactlab.explore.runner import Executor, rich_progress

    target = check_target(target)
    _report_path(report)
    s, spec = _load(scenario, spec_file, vary, width)
    n = len(spec.inputs)
    est = 1 + n * (grid + 1) + n * 2 * (steps + 1) + (joint * (joint - 1) // 2) * (49 + steps + 1) \
        + n * (grid + 1) * curve_draws
    with Executor(engine, workers, scheduler) as ex, rich_progress(f"tipping {s.id}", est) as adv:
        res = run_tip(s, spec, target, ex, grid=grid, steps=steps, joint=joint, curve_draws=curve_draws, seed=seed,
                      chunk_size=chunk_size, progress=adv)
    if report is not None:
        from pactlab.explore import report as rp

        rp.write(report, rp.tipping_html(s, res))
    if fmt == "json":
        _echo_json(res)
    elif fmt == "csv":
        rows = []
        for r in res["inputs"]:
            t = r["thresholds"][0] if r["thresholds"] else {}
            rows.append({"input": r["input"], "rule": r["rule"], "coded": r["coded"], "threshold": t.get("value"),
                         "direction": t.get("direction"), "normalised": t.get("normalised"),
                         "monotone": r["monotone"], "verified": t.get("verified")})
        _echo_csv(rows)
    else:
        _print_tip(s, res)
    if report is not None:
        click.echo(f"report written to {report}", err=True)


def _print_tip(s, res) -> None:
    from rich.table import Table

    con = _console()
    con.rule(f"[bold]What would it take: {e(s.title)} → {e(str(res['target']))}[/]")
    con.print(f"Prediction at the coded values: [bold]{res['coded_design']}[/].")
    if res["coded_design"] == res["target"]:
        con.print("The target is already the prediction.")
        return
    t = Table(title="One input at a time (the others at their coded values)")
    for c in ("input", "rule", "coded", "threshold", "normalised change", "monotone", "verified"):
        t.add_column(c)
    for r in res["inputs"]:
        th = r["thresholds"][0] if r["thresholds"] else None
        t.add_row(e(str(r["input"])), e(str(r["rule"])), f"{r['coded']:.4g}",
                  "not reached in the span" if th is None else f"{th['value']:.4g} ({th['direction']})",
                  "" if th is None else f"{th['normalised']:.3f}", "yes" if r["monotone"] else "[yellow]no[/]",
                  "" if th is None else ("yes" if th["verified"] else "[red]no[/]"))
    con.print(t)
    j = res.get("joint")
    if j and not j["candidates"]:
        # the pairs are drawn from the inputs that reach the target or change the design alone
        con.print("Joint changes: none searched, because no input reaches the target or changes the design on its "
                  "own within its span.")
    elif j:
        jt = Table(title=f"Smallest joint changes of two inputs (among {', '.join(j['candidates'])})")
        for c in ("inputs", "coded → needed", "normalised", "grid point", "verified"):
            jt.add_column(c)
        for c in j["changes"]:
            jt.add_row(" + ".join(c["inputs"]),
                       "; ".join(f"{p}: {c['coded'][p]:.4g} → {v:.4g}" for p, v in c["values"].items()),
                       f"{c['normalised']:.3f}", f"{c['grid_normalised']:.3f}", "yes" if c["verified"] else "no")
        if not j["changes"]:
            jt.add_row("(no pair reaches the target on the grid)", "", "", "", "")
        con.print(jt)
    for c in res.get("curves", []):
        pts = " ".join(f"{p['value']:.3g}:{p['p_target']:.2f}" for p in c["points"])
        half = "not reached" if c["p_half"] is None else f"{c['p_half']:.4g}"
        con.print(f"P({res['target']}) along {c['input']}: {pts}  (P ≥ 0.5 at {half})")
    con.print("[dim]normalised change: the change divided by the input's codebook span (log span for capabilities)[/]")


# --------------------------------------------------------------------------- sensitivity

@explore.command(epilog="""\b
Examples:
  pactlab explore sensitivity taiwan-1954 --method sobol --target none --n 64
  pactlab explore sensitivity taiwan-1954 --method morris --target none --groups input
  pactlab explore sensitivity europe-1949 --target bilateral --from runs/eu49   # delta and PAWN, no new solves
""")
@click.argument("scenario")
@click.option("--target", required=True)
@click.option("--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True)
@click.option("--n", "n", type=click.IntRange(2, 1_000_000), default=64, show_default=True,
              help="base sample size (Sobol: N x (G + 2) solves; Morris: trajectories)")
@click.option("--groups", type=click.Choice(["rule", "actor", "input"]), default="rule", show_default=True,
              help="indices per codebook rule, per actor, or per input")
@click.option("--from", "from_", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="a Monte Carlo results folder: SALib's given-data methods (delta, PAWN), no new solves")
@click.option("--vary", multiple=True, help="inputs to vary (default: every input)")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@_engine_options
@_common
@_fmt()
def sensitivity(scenario, target, method, n, groups, from_, vary, seed, engine, workers, scheduler, chunk_size,
                spec_file, report, width, fmt):
    """Which inputs matter for P(target): Sobol or Morris indices (SALib) with 95 % intervals,
    or delta and PAWN indices on an existing Monte Carlo table (--from)."""
    from pactlab.explore import analysis as an
    from pactlab.explore.runner import Executor, load_results, rich_progress, spec_of

    target = an.check_target(target)
    _report_path(report)
    s, spec = _load(scenario, spec_file, vary, width)
    if from_ is not None:
        m, df = load_results(from_)
        if (m.get("scenario") or {}).get("id") != s.id:
            raise an.ExploreError(f"--from {from_}: the results are for '{(m.get('scenario') or {}).get('id')}', "
                                  f"not '{s.id}'")
        res = an.given_data(df, spec_of(m), target, seed=seed)
        res["method"] = "delta and PAWN (given data)"
    else:
        from pactlab.explore.spec import Spec

        sz = len(set(an._problem(spec, groups).get("groups") or spec.names()))
        est = n * (sz + 2) if method == "sobol" else n * (sz + 1)
        with Executor(engine, workers, scheduler) as ex, rich_progress(f"{method} {s.id}", est) as adv:
            res = an.sensitivity(s, spec, target, ex, method=method, n=n, groups=groups, seed=seed,
                                 chunk_size=chunk_size, progress=adv)
        _ = Spec
    res["scenario"] = s.id
    if report is not None:
        from pactlab.explore import report as rp

        rp.write(report, rp.sensitivity_html(s, res))
    if fmt == "json":
        _echo_json(res)
    elif fmt == "csv":
        _echo_csv(res["indices"])
    else:
        from rich.table import Table

        con = _console()
        con.rule(f"[bold]Sensitivity of P({e(str(target))}): {e(s.title)}[/] ({res['method']})")
        con.print(f"P({target}) = {res['p_target']:.3f} over {res.get('evaluations', res.get('draws'))} evaluations.")
        if res.get("note"):
            con.print(f"[yellow]note:[/] {e(str(res['note']))}")
        if res["indices"]:
            keys = [k for k in res["indices"][0] if k != "name"]
            t = Table()
            for c in ["name", *keys]:
                t.add_column(c)
            for r in res["indices"]:
                t.add_row(e(str(r["name"])), *("—" if r[k] is None else f"{r[k]:.3f}" for k in keys))
            con.print(t)
    if report is not None:
        click.echo(f"report written to {report}", err=True)


# --------------------------------------------------------------------------- discover

@explore.command(epilog="""\b
Examples:
  pactlab explore discover runs/eu49 --target bilateral
  pactlab explore discover runs/eu49 --target bilateral --threshold 0.7 --format json
""")
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--target", required=True)
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=0.8, show_default=True,
              help="PRIM's density threshold")
@click.option("--depth", type=click.IntRange(1, 8), default=3, show_default=True, help="CART tree depth")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None)
@_fmt()
def discover(results, target, threshold, depth, report, fmt):
    """Scenario discovery on a Monte Carlo table: the PRIM box (ema-workbench) and the CART
    leaves (scikit-learn) where the draws give the target, with coverage and density, in the
    inputs' own units."""
    from pactlab.explore import analysis as an
    from pactlab.explore.runner import load_results, spec_of

    target = an.check_target(target)
    _report_path(report)
    m, df = load_results(results)
    res = an.discover(df, spec_of(m), target, threshold=threshold, depth=depth)
    res["scenario"] = (m.get("scenario") or {}).get("id")
    if report is not None:
        from pactlab.explore import report as rp

        rp.write(report, rp.discover_html(res))
    if fmt == "json":
        _echo_json(res)
    elif fmt == "csv":
        _echo_csv([{"input": b["input"], "low": b["low"], "high": b["high"]} for b in res["prim"]["restricted"]])
    else:
        from rich.table import Table

        con = _console()
        pr = res["prim"]
        con.rule(f"[bold]Scenario discovery: {e(str(res['scenario']))} → {e(str(target))}[/]")
        con.print(f"{res['target_draws']} of {res['draws']} draws give {target} (density {res['base_density']:.3f}).")
        con.print(f"PRIM box: coverage {pr['coverage']:.3f}, density {pr['density']:.3f}"
                  + ("" if pr["met_threshold"] else f" (no box reached the density threshold {threshold})"))
        t = Table(title="PRIM box (restricted inputs)")
        for c in ("input", "low", "high", "range in the draws"):
            t.add_column(c)
        for b in pr["restricted"]:
            t.add_row(e(str(b["input"])), f"{b['low']:.4g}", f"{b['high']:.4g}", f"{b['range'][0]:.4g}-{b['range'][1]:.4g}")
        con.print(t)
        c = Table(title=f"CART leaves with the target (depth {depth}, accuracy {res['cart']['accuracy']:.3f})")
        for col in ("rule", "draws", "density", "coverage"):
            c.add_column(col)
        for lf in res["cart"]["leaves"]:
            c.add_row(e(str(lf["rule"])), str(lf["draws"]), f"{lf['density']:.3f}", f"{lf['coverage']:.3f}")
        con.print(c)
    if report is not None:
        click.echo(f"report written to {report}", err=True)


# --------------------------------------------------------------------------- query

@explore.command(epilog="""\b
Examples:
  pactlab explore query runs/eu49 "SELECT design, count(*) AS n FROM draws GROUP BY design ORDER BY n DESC"
  pactlab explore query runs/eu49 "SELECT avg(USSR_capability) FROM draws WHERE design = 'bilateral'" --format csv
  pactlab explore query runs/eu49 "DESCRIBE draws"
""")
@click.argument("results", type=click.Path(path_type=Path))
@click.argument("sql")
@_fmt()
def query(results, sql, fmt):
    """Query a Monte Carlo results folder with DuckDB SQL; the draws are the table `draws`
    (one row per draw: its inputs, seed, design and treaties)."""
    from pactlab.explore.analysis import query as run_query

    df = run_query(results, sql)
    if fmt == "json":
        click.echo(df.to_json(orient="records", indent=2))
    elif fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    else:
        from rich.table import Table

        t = Table()
        for c in df.columns:
            t.add_column(e(str(c)))
        for row in df.itertuples(index=False):
            t.add_row(*(f"{v:.4g}" if isinstance(v, float) else e(str(v)) for v in row))
        _console().print(t)


# --------------------------------------------------------------------------- path

@explore.command(epilog="""\b
Examples:
  pactlab explore path europe-1947 --years 9 --draws 200                 # no events: the 1947 inputs held
  pactlab explore path indo-pacific-2025 --events rising.yaml --years 11 --draws 500 --plot path.png
  pactlab explore path europe-1947 --years 9 --out path.csv --format csv  # the timeline, tidy
""")
@click.argument("scenario")
@click.option("--events", "events_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a YAML file of dated changes to the inputs, each citing a source (docs/explore.md, "
                   "'The architecture over time')")
@click.option("--years", type=click.IntRange(1, 200), default=10, show_default=True,
              help="years of the path, the scenario's year first")
@click.option("--draws", type=click.IntRange(1, 1_000_000), default=200, show_default=True,
              help="paths drawn (they differ in which treaties end when)")
@click.option("--seed", type=click.IntRange(0, None), default=0, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write one row per draw and year (architecture, treaties in force, formed, ended) as CSV")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="draw the timeline (share of draws per architecture and year) to a PNG, SVG or PDF file")
@click.option("--force", is_flag=True, help="overwrite --out or --plot if it exists")
@_fmt()
def path(scenario, events_file, years, draws, seed, out, plot_file, force, fmt):
    """The architecture over time: solve the theatre year by year along a dated path of changes.

    Each year applies that year's events, solves with the treaties in force, carries the treaties
    formed into the next year, and ends each treaty the path formed with its yearly durability
    hazard. Prints the share of draws with each architecture in force per year.
    """
    from pactlab.explore.path import DESIGNS, NO_EVENTS, load_events, plot, simulate, timeline
    from pactlab.explore.runner import rich_progress
    from pactlab.files import atomic_write_text, output_file
    from pactlab.scenarios import catalog

    if plot_file is not None and plot_file.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise click.BadParameter(f"{plot_file}: give a .png, .svg or .pdf file", param_hint="--plot")
    targets = [output_file(x, force=force, option=o) for x, o in ((out, "--out"), (plot_file, "--plot"))
               if x is not None]
    s = catalog.get(scenario)
    ev = load_events(events_file, s, years) if events_file is not None else NO_EVENTS
    with rich_progress(f"Paths {s.id} {s.year}-{s.year + years - 1}", draws, compiled=False) as adv:
        rows = simulate(s, ev, years=years, draws=draws, seed=seed, progress=adv)
    tl = timeline(rows)
    if out is not None:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        atomic_write_text(targets[0], buf.getvalue())
    if plot_file is not None:
        plot(tl, f"{s.title}: architecture in force, {draws} draws", targets[-1])
    if fmt == "json":
        _echo_json({"scenario": s.id, "years": years, "draws": draws, "seed": seed,
                    "events": [{"year": x.year, "source": x.source, "note": x.note, "set": dict(x.changes)}
                               for x in ev.events], "timeline": tl})
    elif fmt == "csv":
        _echo_csv(tl)
    else:
        from rich.table import Table

        t = Table(title=f"{e(s.title)}: share of {draws} draws with each architecture in force")
        t.add_column("year", justify="right")
        shown = [d for d in DESIGNS if any(r["share"] > 0 for r in tl if r["design"] == d)]
        for d in shown:
            t.add_column(d, justify="right")
        t.add_column("events", justify="left")
        for year in sorted({r["year"] for r in tl}):
            sh = {r["design"]: r["share"] for r in tl if r["year"] == year}
            notes = "; ".join(x.note or x.source for x in ev.in_year(year))
            t.add_row(str(year), *(f"{sh[d]:.2f}" for d in shown), e(notes))
        _console().print(t)
        first = [r for r in rows if r["draw"] == 0 and r["formed"]]
        for r in first[:6]:
            _console().print(f"draw 0, {r['year']}: formed {e(r['formed'])}", highlight=False)
    for x, o in ((out, "--out"), (plot_file, "--plot")):
        if x is not None:
            click.echo(f"{o[2:]} written to {x}", err=True)
