"""``pactlab compare``: every registered theory on the case table."""

from __future__ import annotations

from pathlib import Path

import click

EPILOG = """\b
Examples:
  pactlab compare                                  # every registered theory, one table
  pactlab compare --theories cohen,cha,prospect
  pactlab compare --params my-params.yaml          # e.g.  cha: {control: 4.0}
  pactlab compare --format json > compare.json
  pactlab compare --format html --out compare.html
  pactlab compare --data ~/data/pactlab --params precisions.yaml   # + the record's theatres
  pactlab compare --data ~/data/pactlab --params precisions.yaml --scores theatres.csv
                  # precisions.yaml:  cohen: {precision_patron: 5, precision_clients: 5,
                  #   precision_adversary: 5, precision_welfare: 5, precision_stability: 5}
"""


def _load_params(path: Path | None) -> dict:
    from pactlab.evidence.compare import CompareError

    if path is None:
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CompareError(f"--params {path}: no such file") from None
    except yaml.YAMLError as exc:
        raise CompareError(f"--params {path}: not valid YAML ({exc})") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CompareError(f"--params {path}: expected a mapping of theory name to a mapping of parameter values, "
                           "e.g. 'cha: {control: 4.0}'")
    return data


@click.command(epilog=EPILOG)
@click.option("--theories", "names", default=None, help="comma-separated theory names (default: every registered theory)")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML file: theory name -> {parameter: value}; the rest stay at their declared defaults")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="write the JSON or HTML to this file instead of standard output")
@click.option("--force", is_flag=True, help="overwrite --out if it exists")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="folder with the COW and ATOP files: also run the encompassing tests on the record's theatres")
@click.option("--split", type=int, default=1939, show_default=True,
              help="with --data: fit the encompassing tests on theatres whose window ends before this year, "
                   "score the rest; the record's figures are given for both parts")
@click.option("--to", "y2", type=int, default=1956, show_default=True,
              help="with --data: the theatres whose window ends before this year")
@click.option("--scores", "scores", type=click.Path(path_type=Path), default=None,
              help="with --data: write every theory's score on every theatre to this CSV file "
                   "(--force overwrites it)")
@click.option("--fit", "fit_rivals", is_flag=True,
              help="with --data: fit each rival's declared free parameters by maximum likelihood on the "
                   "record's theatres ending before --split (Cohen's training theatres) before scoring them; "
                   "--params gives the starting values")
@click.option("--maxiter", type=click.IntRange(1, 10_000), default=60, show_default=True,
              help="with --fit: optimiser iterations per theory")
@click.option("--max-free", type=click.IntRange(1, 50), default=1, show_default=True,
              help="with --fit: at most this many free parameters per rival, chosen by forward selection on "
                   "the training likelihood (default 1: Cohen's model is fitted with one, its tied logit "
                   "precision, so no rival gets more)")
def compare(names: str | None, params_file: Path | None, fmt: str, out: Path | None, force: bool,
            data_dir: Path | None, split: int, y2: int, scores: Path | None, fit_rivals: bool, maxiter: int,
            max_free: int) -> None:
    """Score every registered theory side by side on the built-in historical cases.

    Design and treaties (with and without levels) on each theory's modal
    prediction, the Brier score of its design probabilities, and the log score
    of the record's exact treaties where the theory has a probability model,
    with bootstrap intervals; Vuong tests between those theories. With --data,
    the encompassing tests: each rival's key variable added to Cohen's
    likelihood (finite logit precisions from --params), fitted before --split,
    a likelihood-ratio test and the out-of-sample change in log score; and
    every theory on the same theatres, before and from --split: balanced
    accuracy of the design, ARI of the grouping of clients and the log score,
    with bootstrap intervals (--scores writes the per-theatre table). With
    --fit, each rival is first fitted on the theatres ending before --split,
    freeing at most --max-free of its parameters (chosen on those theatres).
    """
    from rich.console import Console
    from rich.table import Table

    from pactlab.evidence.compare import CompareError, render_html, summary_table, theatre_csv
    from pactlab.evidence.compare import compare as run
    from pactlab.files import atomic_write_text, json_dumps, output_file

    target = output_file(out, force=force) if out is not None else None
    if scores is not None and data_dir is None:
        raise CompareError("--scores writes the scores on the record's theatres: give --data too")
    if fit_rivals and data_dir is None:
        raise CompareError("--fit fits the rivals on the record's theatres: give --data too")
    scores_target = output_file(scores, force=force, option="--scores") if scores is not None else None
    if scores_target is not None and target is not None and scores_target.resolve() == target.resolve():
        raise CompareError(f"--scores and --out name the same file {target}")
    chosen = [n.strip() for n in names.split(",") if n.strip()] if names else None
    params = _load_params(params_file)
    cmp = run(chosen, params)
    if data_dir is not None:
        cmp.encompassing, cmp.record, cmp.theatres = _on_the_record(data_dir, split, y2, params, chosen,
                                                                    fit_rivals=fit_rivals, maxiter=maxiter,
                                                                    max_free=max_free)
        if scores_target is not None:
            atomic_write_text(scores_target, theatre_csv(cmp.theatres))
    if fmt in ("json", "html"):
        text = (json_dumps(_finite(cmp.as_dict())) + "\n") if fmt == "json" else render_html(cmp)
        if target is not None:
            atomic_write_text(target, text)
            click.echo(f"wrote {target}")
        else:
            click.echo(text, nl=False)
        if scores_target is not None:
            click.echo(f"wrote {scores_target}", err=target is None)
        return
    console = Console()
    if not console.is_terminal:
        console.width = 160
    head, body = summary_table(cmp)
    t = Table(title=f"Theories on the case table ({len(cmp.cases)} historical cases, declared parameters)")
    for h in head:
        t.add_column(h)
    for row in body:
        t.add_row(*row)
    console.print(t)
    if cmp.vuong:
        v = Table(title="Vuong tests (z > 0 favours the first)")
        for h in ("first", "second", "mean log-ratio", "z", "p"):
            v.add_column(h)
        for r in cmp.vuong:
            v.add_row(r["a"], r["b"], f"{r['mean_difference']:.2f}", f"{r['z']:.2f}", f"{r['p']:.3f}")
        console.print(v)
    for n in cmp.notes:
        console.print(f"Note: {n}", highlight=False)
    enc = cmp.encompassing
    if enc.get("status") == "run":
        e = Table(title=f"Encompassing tests: the rival's key variable added to Cohen's likelihood "
                        f"(fitted on {enc['n_train']} theatres ending before {enc['split']}, scored on {enc['n_test']})")
        for h in ("rival", "key variable", "theta", "LR (train)", "p", "change in test log score (95% CI)"):
            e.add_column(h)
        for r in enc["tests"]:
            ci = r["test_change_ci"]
            th = (f"{r['theta']:.2f}" + (" (bound)" if r["theta_on_bound"] else "")) if r["identified"] else "not identified"
            e.add_row(r["rival"], r["variable"], th,
                      f"{r['lr']:.2f}", f"{r['p']:.3g}",
                      f"{r['test_change']:+.2f}" + (f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci else ""))
        console.print(e)
        console.print(f"Cohen's log score on the test theatres: {enc['cohen_test_log_score']:.2f}. Left out: "
                      f"{enc['left_out_too_many_units']} theatres with more than 8 units (approximate distribution), "
                      f"{enc['failed']} that could not be compiled, and those the record is impossible under Cohen's "
                      f"model (train {enc['tests'][0]['left_out_train'] if enc['tests'] else 0}, "
                      f"test {enc['tests'][0]['left_out_test'] if enc['tests'] else 0}).", highlight=False)
        b = Table(title=f"Every theory on the record's theatres (log-probability of the new treaties; declared "
                        f"parameters, Cohen at the given precisions; means over the theatres all of them score, 95% CI)")
        for h in ("theory", f"before {enc['split']}: mean (CI)", "impossible", f"from {enc['split']}: mean (CI)", "impossible"):
            b.add_column(h)
        for r in enc["record_scores"]:
            cells = []
            for part in ("train", "test"):
                x = r[part]
                ci = x["mean_common_ci"]
                cells += ["—" if x["mean_common"] is None else f"{x['mean_common']:.2f} [{ci[0]:.2f}, {ci[1]:.2f}] (n={x['n_common']})",
                          f"{x['outside']}/{x['n']}"]
            b.add_row(r["theory"], *cells)
        console.print(b)
    else:
        console.print(f"Encompassing tests not run: {enc['reason']}.", highlight=False)
    rec = cmp.record
    if rec.get("fitted"):
        ft = Table(title=f"Rivals fitted on the {rec['n_train']} record theatres ending before {rec['split']} "
                         "(maximum likelihood; scored above and below at these values)")
        for h in ("theory", "free parameters (of fittable)", "log-likelihood (train)", "at the declared values",
                  "converged", "estimates"):
            ft.add_column(h)
        for name, f in rec["fitted"].items():
            if "error" in f:
                ft.add_row(name, "", "", "", "", f"not fitted: {f['error']}")
                continue
            est = ", ".join(f"{k} {v:.3g}" for k, v in f["estimates"].items())
            ft.add_row(name, f"{len(f['estimates'])} of {len(f.get('candidates') or f['estimates'])}",
                       f"{f['log_lik']:.2f}", f"{f['log_lik_default']:.2f}",
                       "yes" if f["converged"] else "no", est)
        console.print(ft)
    if rec.get("status") == "run":
        from pactlab.evidence.compare import record_table

        head, body = record_table(rec)
        r = Table(title=f"Every theory on the record's {rec['n_theatres']} theatres (windows ending before "
                        f"{rec['to']}): balanced accuracy of the modal design, mean ARI of the grouping of clients "
                        "(theatres with 2 or more clients), mean log score over the theatres every theory scores; "
                        "95% CI")
        for h in head:
            r.add_column(h)
        for row in body:
            r.add_row(*row)
        console.print(r)
    elif data_dir is not None:
        console.print(f"The record's theatres: {rec['reason']}.", highlight=False)
    if scores_target is not None:
        console.print(f"wrote {scores_target}", highlight=False)
    if target is not None:
        atomic_write_text(target, json_dumps(_finite(cmp.as_dict())) + "\n")
        console.print(f"wrote {target}")


def _on_the_record(data_dir: Path, split: int, y2: int, params: dict, chosen, *, fit_rivals: bool = False,
                   maxiter: int = 60, max_free: int = 1) -> tuple[dict, dict, list]:
    """The encompassing tests, and every chosen theory scored on the same theatres:
    (the tests, the record section's summary, its per-theatre rows). With ``fit_rivals``, every
    chosen theory but Cohen's with a probability model and declared free parameters is first
    fitted on the theatres ending before ``split``, and scored at the fitted values."""
    from pactlab import theories
    from pactlab.data import open_data
    from pactlab.evidence import encompassing
    from pactlab.evidence.compare import theatre_scores
    from pactlab.evidence.episodes import BacktestError
    from pactlab.evidence.fit import training_cases

    if not 1816 < split < y2:
        raise BacktestError(f"--split ({split}) must lie between 1816 and --to ({y2})")
    cohen_params = params.get("cohen")
    p = encompassing.check_precisions(cohen_params)  # before the slow build
    rivals = [n for n in (chosen or theories.names()) if theories.get(n).key_term is not None]
    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries"))
    cases, _ = training_cases(data, 1816, y2)
    prebuilt = encompassing.build(cases, p)
    built = prebuilt[0]
    names = list(chosen or theories.names())
    fitted = _fit_rivals(built, split, params, names, maxiter, max_free) if fit_rivals else {}
    params = {**params, **{n: f["values"] for n, f in fitted.items() if "values" in f}}
    lp = encompassing.log_probs(built, params, names)
    rows, summary = theatre_scores(built, split, params, names, lp)
    record = {"status": "run", "split": split, "to": y2, "n_theatres": len(built),
              "n_train": sum(c.end < split for c, _ in built), "n_test": sum(c.end >= split for c, _ in built),
              "failed": prebuilt[1], "left_out_too_many_units": prebuilt[2],
              "cohen_parameters": p.digest(), "theories": summary,
              "fitted": {n: {k: v for k, v in f.items() if k != "values"} for n, f in fitted.items()}}
    if not rivals:
        enc = {"status": "not run", "reason": "none of the chosen theories declares a key variable"}
    else:
        enc = {"status": "run", **encompassing.run(cases, split, cohen_params, rivals, others=chosen,
                                                   other_params=params, prebuilt=prebuilt, log_probs=lp)}
    return enc, record, rows


def _fit_rivals(built, split: int, params: dict, names, maxiter: int, max_free: int = 1) -> dict[str, dict]:
    """Each rival in ``names`` fitted on the built theatres ending before ``split``, freeing at
    most ``max_free`` parameters (:func:`pactlab.evidence.fit.fit_at_most`): name ->
    {values, estimates, log_lik, log_lik_default, converged, n, candidates} or {error}."""
    from rich.console import Console

    from pactlab import theories
    from pactlab.evidence.fit import FitCase, FitError, fit_at_most, free_specs, has_probability_model

    train = [FitCase(c.id, c.start if c.start is not None else c.end - 4, c.end, sc, c.observed)
             for c, sc in built if c.end < split and c.observed is not None]
    err = Console(stderr=True)
    out: dict[str, dict] = {}
    for n in names:
        th = theories.get(n)
        if n == "cohen" or not has_probability_model(th, params.get(n)):
            continue
        try:
            candidates = [s.name for s in free_specs(th)]
        except FitError:
            continue
        with err.status(f"fitting {n} on {len(train)} theatres ending before {split} "
                        f"(at most {max_free} of {len(candidates)} parameters free)"):
            try:
                r = fit_at_most(th, train, max_free, start=params.get(n), starts=1, maxiter=maxiter)
            except FitError as exc:
                out[n] = {"error": str(exc)}
                continue
        out[n] = {"values": {k: r.values[k] for k in r.free}, "estimates": {k: r.values[k] for k in r.free},
                  "se": r.se, "status": r.status, "log_lik": r.log_lik, "log_lik_default": r.log_lik_default,
                  "converged": r.converged, "n": r.n_episodes, "candidates": candidates}
    return out


def _finite(d):
    """-inf log scores (a record outside a theory's outcomes) as the string '-inf' in JSON."""
    import math

    if isinstance(d, dict):
        return {k: _finite(v) for k, v in d.items()}
    if isinstance(d, list):
        return [_finite(v) for v in d]
    if isinstance(d, float) and not math.isfinite(d):
        return None if math.isnan(d) else ("-inf" if d < 0 else "inf")
    return d
