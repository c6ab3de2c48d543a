"""``pactlab fit``: fit a registered theory's parameters by maximum likelihood on training windows."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

EPILOG = """\b
Examples:
  pactlab fit --data ~/data/pactlab --train-to 1939 --theory geography --out params.json
  pactlab fit --train-to 1939 --theory geography --free ally_base,ally_land --optimizer cma
  pactlab fit --train-to 1939 --theory geography --scoreboard scores.csv --bootstrap 50
  pactlab fit --train-to 1939 --theory cohen --tie-precisions --set precision=1 --maxiter 6 --starts 1
"""


@click.command(epilog=EPILOG)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="folder with the COW and ATOP files (or $PACTLAB_DATA)")
@click.option("--train-to", "train_to", type=int, required=True,
              help="fit on episodes whose window ends before this year")
@click.option("--from", "y1", type=int, default=1816, show_default=True, help="first year of the first window")
@click.option("--theory", "theory_name", default="cohen", show_default=True, help="a registered theory")
@click.option("--free", "free", default="", help="comma list of parameters to fit (default: every fittable one)")
@click.option("--optimizer", type=click.Choice(["lbfgs", "cma"]), default="lbfgs", show_default=True)
@click.option("--in-scope", is_flag=True, help="only in-scope units (peacetime, asymmetric)")
@click.option("--held-level-renewal", "held_level_renewal", is_flag=True,
              help="coding option (sensitivity analysis; off by default): a new pledge with the patron at a level "
                   "the client already holds with it is read as a renewal for that client")
@click.option("--sovereign-in-window", "sovereign_in_window", is_flag=True,
              help="coding option (sensitivity analysis; off by default): a client is sovereign if it is a COW "
                   "system member in any year of the window, not only in the year before")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("params.json"), show_default=True)
@click.option("--cache", "cache", type=click.Path(path_type=Path), default=None,
              help="folder to keep the built training theatres in (reused while the data files, the options "
                   "and the theatre-building code match)")
@click.option("--prequential", "preq", type=click.Path(path_type=Path), default=None,
              help="also write a prequential table (CSV): each window scored after fitting on all earlier ones")
@click.option("--min-train", type=click.IntRange(1), default=20, show_default=True,
              help="prequential scoring starts once this many training theatres are in")
@click.option("--set", "set_values", default="",
              help="comma list name=value: starting values of the theory's parameters (the rest at their defaults), "
                   "e.g. finite logit precisions for Cohen's model")
@click.option("--tie-precisions", "tie", is_flag=True,
              help="fit one parameter 'precision' for all the theory's logit precisions (Cohen's five), "
                   "started at --set precision=VALUE (default 2)")
@click.option("--scoreboard", "board", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also score the theory and --baselines out of sample, per window, and write the tidy table "
                   "(CSV, or JSON for a .json name)")
@click.option("--baselines", "baseline_names", default="geography,logit,base-rate,always-bilateral,always-multilateral",
              show_default=True, help="comma list of baselines and theories scored beside the theory")
@click.option("--refit", type=click.Choice(["once", "window"]), default="once", show_default=True,
              help="scoreboard: fit once on the windows before --train-to and score every later window (once), "
                   "or refit before each window on all earlier ones (window, prequential)")
@click.option("--to", "y2", type=int, default=None,
              help="scoreboard: last year scored (default: the year the data's last alliance began)")
@click.option("--bootstrap", "boot", type=click.IntRange(0), default=0, show_default=True,
              help="bootstrap resamples (windows drawn with replacement) for the fitted parameters' standard errors")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the bootstrap")
@click.option("--maxiter", type=click.IntRange(1), default=200, show_default=True,
              help="iterations of the optimizer per start (CMA-ES: 20 evaluations each)")
@click.option("--starts", type=click.IntRange(1), default=3, show_default=True,
              help="L-BFGS-B starts: the defaults (or --set) and random perturbations of them")
@click.option("--max-units", "max_units", type=click.IntRange(1), default=None,
              help="leave out (and count) theatres with more than this many units (clients and pacts in force); "
                   "above 8 units the outcome distribution is approximate and slow to build")
def fit(data_dir: Path | None, train_to: int, y1: int, theory_name: str, free: str, optimizer: str,
        in_scope: bool, out: Path, cache: Path | None, preq: Path | None, min_train: int, set_values: str,
        board: Path | None, baseline_names: str, refit: str, y2: int | None, boot: int, seed: int,
        maxiter: int, starts: int, tie: bool, max_units: int | None, held_level_renewal: bool = False,
        sovereign_in_window: bool = False) -> None:
    """Fit a theory's fittable parameters by maximum likelihood on the record before --train-to.

    The likelihood is the sum over training theatres of the theory's log-probability of what
    happened (its new treaties). Writes the fitted set with standard errors, identification
    diagnostics and its provenance (data checksums, training window, digest). See
    docs/evidence.md, "Fitting parameters".
    """
    from pactlab import manifest, theories
    from pactlab.data import open_data
    from pactlab.evidence.episodes import BacktestError, Coding
    from pactlab.evidence.fit import FitError, fit as run_fit, training_cases, write_params

    from pactlab.evidence.fit import has_probability_model

    theory = theories.get(theory_name)
    coding = Coding(held_level_renewal=held_level_renewal, sovereign_in_window=sovereign_in_window)
    start = _parse_set(set_values)
    if tie:
        from pactlab.evidence.fit import Tied

        members = [s.name for s in theory.specs if s.allow_inf]
        if not members:
            raise FitError(f"--tie-precisions: theory {theory_name!r} has no logit precisions")
        theory = Tied(theory, "precision", members, default=2.0)
    theory.params(start)  # names and ranges checked before any data is read
    if not has_probability_model(theory, start):
        raise FitError(f"--theory {theory_name}: this theory has no probability model at these parameters "
                       "(supports_log_prob is false and its logit precisions are not all finite; give them "
                       "with --set)")
    if train_to <= y1:
        raise BacktestError(f"--train-to ({train_to}) must be after --from ({y1})")
    if preq is not None:  # a folder that does not exist fails now, not after the fit
        from pactlab.files import output_file

        output_file(preq, force=True, option="--prequential")
    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries"))
    from pactlab.evidence.builder import check_years
    from pactlab.evidence.episodes import YEAR_DATA

    check_years(data, YEAR_DATA, y1, train_to - 1, option="--from/--train-to")  # the training windows
    console = Console(stderr=True)
    from pactlab.evidence.backtest import READS

    records = manifest.data_records(data, READS)  # every data set a training theatre may read, with checksums
    last = train_to - 1
    if board is not None:
        last = y2 if y2 is not None else int(data.atop_alliances().begyr.max())
        if last < train_to:
            raise BacktestError(f"--to ({last}) must be at or after --train-to ({train_to}) to score any window")
    cases, counts = None, None
    if cache is not None:
        import hashlib
        import json
        import pickle

        key = hashlib.sha256(json.dumps([{k: v.get("sha256") for k, v in sorted(records.items())}, y1, last + 1,
                                         in_scope, _builder_digest()]
                                        + ([coding.flags()] if coding != Coding() else []), sort_keys=True).encode()).hexdigest()[:16]
        cache.mkdir(parents=True, exist_ok=True)
        cfile = cache / f"fit-cases-{key}.pkl"
        if cfile.exists():
            cases, counts = pickle.loads(cfile.read_bytes())
            console.print(f"training theatres read from {cfile}")
    if cases is None:
        cases, counts = training_cases(data, y1, last + 1, in_scope_only=in_scope, coding=coding)
        if cache is not None:
            cfile.write_bytes(pickle.dumps((cases, counts)))
    if max_units is not None:
        from pactlab.evidence.fit import within_units

        kept = within_units(cases, max_units)
        counts = dict(counts, more_than_max_units=len(cases) - len(kept), max_units=max_units)
        console.print(f"--max-units {max_units}: {len(cases) - len(kept)} of {len(cases)} theatres left out "
                      f"(more than {max_units} units), in training and in scoring")
        cases = kept
    all_cases, cases = cases, [c for c in cases if c.end < train_to]
    names = [x.strip() for x in free.split(",") if x.strip()] or None
    res = run_fit(theory, cases, free=names, optimizer=optimizer, start=start, maxiter=maxiter, starts=starts)
    boot_out = None
    if boot:
        from pactlab.evidence.scoreboard import bootstrap_fit
        from pactlab.explore.runner import rich_progress

        with rich_progress(f"bootstrap {theory.name}", boot) as adv:
            boot_out = bootstrap_fit(theory, cases, res.values, res.free, b=boot, seed=seed, optimizer=optimizer,
                                     maxiter=maxiter, progress=adv)
    man = manifest.build("fit", data=records, years=(y1, train_to - 1), windows=5, parameters=res.digest,
                         extra={"theory": theory.name, "train_to": train_to, "optimizer": optimizer,
                                "free": res.free, "in_scope_only": in_scope, "counts": counts,
                                "coding": coding.flags(),
                                "start": start, "bootstrap": {"b": boot, "seed": seed} if boot else None})
    write_params(res, out, man, bootstrap=boot_out)
    t = Table(title=f"{theory.name}: fitted on {res.n_episodes} theatres, windows ending before {train_to}")
    cols = ["parameter", "estimate", "s.e.", "status", "default"]
    if boot_out:
        cols[3:3] = [f"bootstrap s.e. (B={boot})", "95 % interval"]
    for col in cols:
        t.add_column(col)
    defaults = dict(theory.params())
    for n in res.free:
        se = res.se.get(n)
        row = [n, f"{res.values[n]:.4g}", "—" if se is None else f"{se:.3g}", res.status[n], f"{defaults[n]:g}"]
        if boot_out:
            bp = boot_out["parameters"][n]
            row[3:3] = ["—" if bp["se"] is None else f"{bp['se']:.3g}",
                        "—" if bp["lower"] is None else f"[{bp['lower']:.3g}, {bp['upper']:.3g}]"]
        t.add_row(*row)
    console.print(t)
    console.print(f"log-likelihood {res.log_lik:.3f} (at the defaults {res.log_lik_default:.3f}); "
                  f"Hessian condition {res.condition if res.condition is None else f'{res.condition:.3g}'}; "
                  f"optimizer {optimizer}: {res.message}")
    for note in res.notes:
        console.print(f"note: {note}")
    if boot_out and boot_out["failed"]:
        console.print(f"note: {boot_out['failed']} of {boot} bootstrap refits failed and are left out")
    console.print(f"wrote {out} (parameters {res.digest})")
    if board is not None:
        _scoreboard(console, theory, res, all_cases, baseline_names, refit, train_to, min_train, optimizer,
                    start, names, seed, board, man, maxiter)
    if preq is not None:
        import pandas as pd

        from pactlab.evidence.fit import prequential

        from pactlab.files import atomic_write_text

        def write(rows_so_far):  # each finished window is on disk before the next is fitted
            atomic_write_text(preq, pd.DataFrame(rows_so_far).to_csv(index=False))

        rows = prequential(theory, cases, min_train=min_train, free=names, optimizer=optimizer, start=start,
                           maxiter=maxiter, on_row=write)
        sc = [r for r in rows if r["scored"]]
        tot = sum(r["difference"] for r in sc)
        console.print(f"prequential: {len(sc)} of {len(rows)} windows scored (from {min_train} training theatres); "
                      f"log score fit minus defaults {tot:+.3f} over {sum(r['n_scored'] for r in sc)} theatres; "
                      f"wrote {preq}")


def _builder_digest() -> str:
    """SHA-256 of the source of the code that turns data into training theatres (the data
    layer, episodes, the theatre builder, the scenario format), so a cache built by other code
    is not read back."""
    import hashlib

    import pactlab

    root = Path(pactlab.__file__).parent
    files = sorted(root.glob("data/*.py")) + [root / "evidence" / f for f in
                                               ("builder.py", "episodes.py", "record.py", "fit.py")] + [
        root / "scenarios" / f for f in ("schema.py", "loader.py")]
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _parse_set(text: str) -> dict[str, float]:
    from pactlab.evidence.fit import FitError

    out: dict[str, float] = {}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        name, eq, value = item.partition("=")
        try:
            if not eq:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError:
            raise FitError(f"--set: expected name=number, got {item!r}") from None
    return out


def _scoreboard(console, theory, res, cases, baseline_names, refit, train_to, min_train, optimizer, start, names,
                seed, path, man, maxiter) -> None:
    from pactlab.evidence.fit import FitError
    from pactlab.evidence.fit_baselines import get
    from pactlab.evidence.scoreboard import differences, scoreboard, write_table
    from pactlab.explore.runner import rich_progress
    from pactlab.theories.base import TheoryError

    models = {theory.name: theory}
    for n in (x.strip() for x in baseline_names.split(",")):
        if n and n != theory.name:
            try:
                models[n] = get(n)
            except TheoryError as exc:
                raise FitError(f"--baselines: {exc}") from None
    windows = sorted({(c.start, c.end) for c in cases if c.end >= train_to or refit == "window"})
    with rich_progress("scoreboard", len(windows) * len(models)) as adv:
        sb = scoreboard(models, cases, min_train=min_train, optimizer=optimizer, maxiter=maxiter,
                        start={theory.name: start},
                        free={theory.name: names} if names else None, fitted={theory.name: res},
                        train_to=train_to if refit == "once" else None, progress=adv)
    totals = sb.totals(seed=seed)
    diffs = differences(sb, theory.name, seed=seed)
    write_table(sb.rows, path, extra={"totals": totals, "differences": diffs, "refit": refit, "train_to": train_to,
                                      "provenance": man} if path.suffix.lower() == ".json" else None)
    if path.suffix.lower() != ".json":
        write_table(totals, path.with_name(path.stem + "-totals.csv"))
        write_table(diffs, path.with_name(path.stem + "-differences.csv"))
    t = Table(title=f"out of sample ({'one fit before ' + str(train_to) if refit == 'once' else 'refit per window'}): "
                    "mean log score per theatre")
    for col in ("model", "N", "windows", "mean log score", "95 % interval", "zero prob.", f"{theory.name} minus",
                "95 % interval "):
        t.add_column(col)
    d = {x["minus"]: x for x in diffs}
    for r in totals:
        if not r.get("n_cases"):
            t.add_row(r["model"], "0", "", "", "", "", "", "")
            continue
        iv = "—" if r["lower"] is None else f"[{r['lower']:.2f}, {r['upper']:.2f}]"
        x = d.get(r["model"])
        dd = "" if not x or not x.get("n_cases") else f"{x['mean_difference']:+.2f}"
        di = "" if not x or x.get("lower") is None else f"[{x['lower']:+.2f}, {x['upper']:+.2f}]"
        t.add_row(r["model"], str(r["n_cases"]), str(r["n_windows"]), f"{r['mean_log_score']:.2f}", iv,
                  str(r["zero_prob"]), dd, di)
    console.print(t)
    console.print(f"wrote {path}")
