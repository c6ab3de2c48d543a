"""``pactlab threat-validity``: the model's threat measure against Miller's territorial threat and
Leeds and Savun's external threat, on every theatre the record's episodes build."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

EPILOG = """\b
Examples:
  pactlab threat-validity --data ~/data/pactlab --from 1816 --to 1955
  pactlab threat-validity --from 1816 --to 1955 --table threat.csv      # one row per theatre and client
  pactlab threat-validity --from 1816 --to 1955 --format csv > validity.csv
"""

LABELS = {"theta_sq": "status-quo threat", "theta_route": "threat along the most credible route",
          "th_rank": "candidate ranking score (TH-rank)",
          "lterrthreat": "territorial threat (Miller)", "lsthreat": "external threat (Leeds-Savun)"}


def _fmt(x, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


@click.command(epilog=EPILOG)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="the folder with the COW/ATOP files and threat/terrthreat.csv, "
                   "threat/leeds_savun_threat.csv (default: $PACTLAB_DATA)")
@click.option("--from", "y1", type=int, default=1816, show_default=True, help="first year of the first window")
@click.option("--to", "y2", type=int, default=2018, show_default=True,
              help="last year: windows ending by this year are used")
@click.option("--boot", type=click.IntRange(0, 100_000), default=2000, show_default=True,
              help="bootstrap resamples of windows for the 95%% intervals (0: none)")
@click.option("--seed", type=int, default=0, show_default=True, help="seed of the bootstrap")
@click.option("--table", "table_out", type=click.Path(path_type=Path), default=None,
              help="also write the per-client table (theatre, window, client, the model's and the external "
                   "measures) as CSV")
@click.option("--force", is_flag=True, help="overwrite --table if it exists")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
def threat_validity(data_dir: Path | None, y1: int, y2: int, boot: int, seed: int, table_out: Path | None,
                    force: bool, fmt: str) -> None:
    """Does the model's threat measure rank states as other threat measures do?

    Builds the theatre of every episode part in the windows (as `pactlab fit` does, from the data
    before each window), computes each client's status-quo threat (the probability the adversary
    side occupies it if nothing new is signed) and sets it beside Miller's latent territorial
    threat and Leeds and Savun's external threat in the year before the window. Prints Spearman's
    rank correlation pooled over theatres and the mean within-theatre correlation, with 95%
    intervals from resampling windows, and N. The measures are not the same concept, so partial
    agreement is expected; see docs/evidence.md, "Validity of the threat measure".
    """
    from pactlab.data import open_data
    from pactlab.errors import PactlabError
    from pactlab.evidence.episodes import BacktestError
    from pactlab.evidence.fit import training_cases
    from pactlab.evidence.validity import threat_table, validity
    from pactlab.files import atomic_write_text, json_dumps, output_file

    if y2 < y1:
        raise BacktestError(f"--to ({y2}) is before --from ({y1})")
    target = output_file(table_out, force=force, option="--table") if table_out is not None else None
    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries",
                "terrthreat", "ls_threat"))
    err = Console(stderr=True)
    with err.status("building the theatres of every episode part"):
        cases, counts = training_cases(data, y1, y2 + 1)
    if not cases:
        raise PactlabError(f"no theatre could be built from the episodes of {y1}-{y2} "
                           f"(episodes {counts['episodes']}, build failures {counts['build_failed']})")
    with err.status(f"threat of every client in {len(cases)} theatres"):
        table = threat_table(cases, data)
    with err.status(f"rank correlations ({boot} resamples of windows)"):
        res = validity(table, boot=boot, seed=seed)
    if target is not None:
        atomic_write_text(target, table.to_csv(index=False))
    missing = {m: int(table[m].isna().sum()) for m in ("th_rank", "lterrthreat", "lsthreat")}
    if fmt == "csv":
        click.echo(res.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        click.echo(json_dumps({"from": y1, "to": y2, "theatres": int(table.theatre.nunique()),
                               "client_rows": len(table), "missing": missing, "boot": boot, "seed": seed,
                               "validity": res.to_dict(orient="records")}))
        return
    console = Console()
    if not console.is_terminal:
        console.width = 160
    t = Table(title=f"Threat measure validity, {y1}-{y2}: {table.theatre.nunique()} theatres, "
                    f"{len(table)} clients (Spearman; 95% intervals resample windows)")
    for head in ("measure", "external", "pairs", "pooled", "95% interval", "within theatre", "theatres",
                 "95% interval"):
        t.add_column(head, justify="left" if head in ("measure", "external") else "right")
    for r in res.itertuples():
        t.add_row(LABELS[r.measure], LABELS[r.external_measure], str(r.n_pairs), _fmt(r.spearman_pooled),
                  f"[{_fmt(r.pooled_lo)}, {_fmt(r.pooled_hi)}]", _fmt(r.spearman_within),
                  str(r.n_theatres_within), f"[{_fmt(r.within_lo)}, {_fmt(r.within_hi)}]")
    console.print(t)
    console.print("The last row sets the two external measures beside each other: the agreement two "
                  "established measures of threat reach with each other. The TH-rank score is the "
                  "episodes' ranking of non-signing candidates (docs/evidence.md).", highlight=False)
    console.print(f"Clients without a value: territorial threat {missing['lterrthreat']}, "
                  f"Leeds-Savun {missing['lsthreat']}, TH-rank {missing['th_rank']} (left out of that "
                  "measure's rows). 'Within theatre' "
                  "averages the correlations of theatres with at least 3 clients and varying measures.",
                  highlight=False)
    if target is not None:
        console.print(f"Per-client table written to {target}", highlight=False)
