"""``pactlab backtest``: the time-ordered backtest on the COW and ATOP records."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


#: printed under the scoreboard when an episode is skipped
V1_NOTE = ("backtest episodes follow the first (v1) rules, with theatres of at most 12 clients; "
           "pactlab episodes and pactlab fit use the v2 rules, so their counts differ")

SHORT = {"all-bilateral": "all-bilat", "all-multilateral": "all-multi", "contiguity": "contig"}

EPILOG = """\b
Examples:
  pactlab backtest --data ~/data/pactlab --from 1816 --to 1955
  pactlab backtest --from 1816 --to 2018 --out results/ --report backtest.html
  pactlab backtest --from 1816 --to 2018 --out results/ --resume     # continue an interrupted run
  pactlab backtest --from 1816 --to 2018 --out results/ --fresh      # discard it and start again
  pactlab backtest --from 1900 --to 1955 --format json > scoreboard.json
  pactlab backtest --from 1816 --to 1955 --params cohen-1939.json      # at parameters from pactlab fit
"""


@click.command(epilog=EPILOG)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="the folder with the COW/ATOP files (default: $PACTLAB_DATA)")
@click.option("--from", "y1", type=int, default=1816, show_default=True, help="first year of the first window")
@click.option("--to", "y2", type=int, default=2018, show_default=True, help="last year (windows are 5 years)")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="folder for per-case predictions (CSV/JSON), written as the run goes")
@click.option("--report", "report", type=click.Path(dir_okay=False, path_type=Path),
              help="write a self-contained HTML report with the figures")
@click.option("--resume", is_flag=True,
              help="continue the run in --out: episodes already in episodes.csv are read back, not redone; "
                   "refused unless the earlier run used the same data files, years, parameters and pactlab version")
@click.option("--fresh", is_flag=True, help="discard the earlier results in --out and start again")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the scoreboard as tables; json: the scoreboard as JSON on stdout")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="predict at the parameters of a `pactlab fit --theory cohen` file (with or without "
                   "--tie-precisions) instead of the shipped set; --resume refuses a run made at other values")
def backtest(data_dir: Path | None, y1: int, y2: int, out: Path | None, report: Path | None, resume: bool,
             fresh: bool, fmt: str, params_file: Path | None) -> None:
    """Score the model against the alliance record, time-ordered, with baselines.

    For every COW major power and 5-year window from --from, the non-major states that entered a new
    ATOP defence or consultation alliance with it form an episode. The theatre is built from data
    before the window, the adversary chosen by rule, and the model (the shipped parameters, or those of
    --params) predicts how
    the clients are grouped (T1), each treaty's commitment (T2) and its durability (T3). T4 tests
    hypotheses H2/H3, H6 and H7 on the record. See docs/evidence.md, "Backtests".

    The backtest scores episodes by the first (v1) rules: only patron-windows with a new alliance, in
    theatres of at most 12 clients (a larger episode is split by region and a part still above 12 is
    skipped). `pactlab episodes` and `pactlab fit` use the v2 rules (every major power's window with an
    adversary, alliance or not), so their episode counts differ.
    """
    from pactlab.data import open_data
    from pactlab.evidence.backtest import evaluate, run_backtest, scoreboard_json, write_outputs
    from pactlab.evidence.episodes import BacktestError
    from pactlab.model.params import DEFAULT

    from pactlab.cli import console, err_console as err  # one width rule for every command's output

    params = DEFAULT
    if params_file is not None:
        from pactlab.evidence.cases import params_from_file

        params = params_from_file(params_file)
    data = open_data(data_dir)
    if y1 <= y2:  # (--to before --from: run_backtest says so)
        from pactlab.evidence.backtest import REQUIRED
        from pactlab.evidence.builder import check_years
        from pactlab.evidence.episodes import YEAR_DATA

        data.check(REQUIRED)  # a missing file is named before its years are read
        check_years(data, YEAR_DATA, y1, y2)
    if report is not None and report.exists() and report.is_dir():
        raise BacktestError(f"--report {report} is a folder; give a file name ending in .html")
    progress = Progress(TextColumn("[bold]backtest[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)
    task = None

    def on_start(n: int) -> None:
        nonlocal task
        task = progress.add_task("", total=n)

    def on_episode(row: dict) -> None:
        progress.update(task, advance=1, description=f"{row['key']} ({row['status']})")

    with progress:
        run = run_backtest(data, y1, y2, out=out, resume=resume, fresh=fresh, on_start=on_start, on_episode=on_episode,
                           params=params)
        ev = evaluate(run, data, params)
    if out is not None:
        write_outputs(ev, out)
    if report is not None:
        from pactlab.evidence.backtest_report import report_codes, write_backtest_report

        names = {c: data.state_name(c, y) or data.state_name(c) for c, y in report_codes(run.rows).items()}
        write_backtest_report(report, ev.scoreboard, run.rows, ev.clients, ev.treaties, ev.h2_table,
                              names={c: n for c, n in names.items() if n})
    if fmt == "json":
        click.echo(scoreboard_json(ev))
    else:
        print_scoreboard(console, ev.scoreboard)
    if out is not None:
        err.print(f"per-case predictions in {out}/ (episodes.csv, clients.csv, treaties.csv, predictions.json, "
                  f"scoreboard.json)" + (f"; {run.resumed} episode(s) read back from the earlier run" if resume else ""))
    if report is not None:
        err.print(f"report written to {report}")


def print_scoreboard(console: Console, sb: dict) -> None:
    from pactlab.evidence.backtest_report import scoreboard_rows

    tabs = scoreboard_rows(sb)
    ep = sb["episodes"]
    console.rule(f"[bold]pactlab backtest {sb['from']}–{sb['to']}[/]")
    console.print(f"Episodes: {ep['total']} ({ep['scored']} scored, {ep['skipped']} skipped); clients dropped "
                  f"(not yet COW states before the window): {ep.get('dropped_clients', 0)}; "
                  f"run time {sb.get('seconds', 0):.1f} s")
    from pactlab.evidence.backtest import METHODS  # imported here so `pactlab --help` stays light

    t = Table(title="T1 design: grouping of the clients into treaties with the patron",
              caption="all-bilat / all-multi: every client alone / all in one treaty; contig: land-border "
                      "clusters; logit: fitted on earlier windows")
    for c in ("metric", *METHODS, "N"):
        t.add_column(SHORT.get(c, c), justify="right" if c in METHODS else "left", no_wrap=c in METHODS)
    for r in tabs["T1"]:
        t.add_row(*r)
    console.print(t)
    if "T2" in tabs:
        t = Table(title="T2 commitment: defence vs consultation only (one row per treaty)")
        for c in ("metric", "model", "majority", "N"):
            t.add_column(c, justify="right" if c in ("model", "majority") else "left", no_wrap=c != "N")
        for r in tabs["T2"]:
            t.add_row(*r)
        console.print(t)
    if "T3" in tabs:
        t = Table(title="T3 durability: model hazard against observed durations (right-censored)")
        for c in ("metric", "model", "constant", "size", "N"):
            t.add_column(c, justify="right" if c in ("model", "constant", "size") else "left",
                         no_wrap=c in ("model", "constant", "size"))
        for r in tabs["T3"]:
            t.add_row(*r)
        console.print(t)
    if tabs["T4"]:
        t = Table(title="T4 hypotheses on the record (95% CIs)")
        for c in ("hypothesis", "effect", "estimate", "95% CI", "N"):
            t.add_column(c)
        for r in tabs["T4"]:
            t.add_row(*r)
        console.print(t)
    for s in ep.get("skipped_list", []):
        console.print(f"[yellow]skipped[/] {escape(str(s['episode']))} ({s['n_clients']} clients): "
                      f"{escape(str(s['reason']))}", highlight=False)
    if ep.get("skipped"):
        console.print(f"[yellow]note:[/] {V1_NOTE}", highlight=False)
    for n in sb.get("notes", []):
        console.print(f"[yellow]note:[/] {escape(str(n))}", highlight=False)
