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
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("params.json"), show_default=True)
@click.option("--cache", "cache", type=click.Path(path_type=Path), default=None,
              help="folder to keep the built training theatres in (reused while the data files and options match)")
@click.option("--prequential", "preq", type=click.Path(path_type=Path), default=None,
              help="also write a prequential table (CSV): each window scored after fitting on all earlier ones")
@click.option("--min-train", type=click.IntRange(1), default=20, show_default=True,
              help="prequential scoring starts once this many training theatres are in")
def fit(data_dir: Path | None, train_to: int, y1: int, theory_name: str, free: str, optimizer: str,
        in_scope: bool, out: Path, cache: Path | None, preq: Path | None, min_train: int) -> None:
    """Fit a theory's fittable parameters by maximum likelihood on the record before --train-to.

    The likelihood is the sum over training theatres of the theory's log-probability of what
    happened (its new treaties). Writes the fitted set with standard errors, identification
    diagnostics and its provenance (data checksums, training window, digest). See
    docs/evidence.md, "Fitting parameters".
    """
    from pactlab import manifest, theories
    from pactlab.data import open_data
    from pactlab.evidence.episodes import BacktestError
    from pactlab.evidence.fit import FitError, fit as run_fit, training_cases, write_params

    theory = theories.get(theory_name)
    if not getattr(theory, "supports_log_prob", False):
        raise FitError(f"--theory {theory_name}: this theory has no probability model yet "
                       "(supports_log_prob is false), so it cannot be fitted by likelihood")
    if train_to <= y1:
        raise BacktestError(f"--train-to ({train_to}) must be after --from ({y1})")
    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries"))
    console = Console(stderr=True)
    from pactlab.evidence.backtest import READS

    records = manifest.data_records(data, READS)  # every data set a training theatre may read, with checksums
    cases, counts = None, None
    if cache is not None:
        import hashlib
        import json
        import pickle

        key = hashlib.sha256(json.dumps([{k: v.get("sha256") for k, v in sorted(records.items())}, y1, train_to,
                                         in_scope], sort_keys=True).encode()).hexdigest()[:16]
        cache.mkdir(parents=True, exist_ok=True)
        cfile = cache / f"fit-cases-{key}.pkl"
        if cfile.exists():
            cases, counts = pickle.loads(cfile.read_bytes())
            console.print(f"training theatres read from {cfile}")
    if cases is None:
        cases, counts = training_cases(data, y1, train_to, in_scope_only=in_scope)
        if cache is not None:
            cfile.write_bytes(pickle.dumps((cases, counts)))
    names = [x.strip() for x in free.split(",") if x.strip()] or None
    res = run_fit(theory, cases, free=names, optimizer=optimizer)
    man = manifest.build("fit", data=records, years=(y1, train_to - 1), windows=5, parameters=res.digest,
                         extra={"theory": theory.name, "train_to": train_to, "optimizer": optimizer,
                                "free": res.free, "in_scope_only": in_scope, "counts": counts})
    write_params(res, out, man)
    t = Table(title=f"{theory.name}: fitted on {res.n_episodes} theatres, windows ending before {train_to}")
    for col in ("parameter", "estimate", "s.e.", "status", "default"):
        t.add_column(col)
    defaults = dict(theory.params())
    for n in res.free:
        se = res.se.get(n)
        t.add_row(n, f"{res.values[n]:.4g}", "—" if se is None else f"{se:.3g}", res.status[n], f"{defaults[n]:g}")
    console.print(t)
    console.print(f"log-likelihood {res.log_lik:.3f} (at the defaults {res.log_lik_default:.3f}); "
                  f"Hessian condition {res.condition if res.condition is None else f'{res.condition:.3g}'}; "
                  f"optimizer {optimizer}: {res.message}")
    for note in res.notes:
        console.print(f"note: {note}")
    console.print(f"wrote {out} (parameters {res.digest})")
    if preq is not None:
        import pandas as pd

        from pactlab.evidence.fit import prequential

        rows = prequential(theory, cases, min_train=min_train, free=names, optimizer=optimizer)
        pd.DataFrame(rows).to_csv(preq, index=False)
        sc = [r for r in rows if r["scored"]]
        tot = sum(r["difference"] for r in sc)
        console.print(f"prequential: {len(sc)} of {len(rows)} windows scored (from {min_train} training theatres); "
                      f"log score fit minus defaults {tot:+.3f} over {sum(r['n_scored'] for r in sc)} theatres; "
                      f"wrote {preq}")
