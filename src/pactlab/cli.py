"""The ``pactlab`` command line.

Every user error (bad scenario, missing data, unknown name) is printed as
``Error: ...`` and exits with status 1, without a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pactlab import __version__
from pactlab.errors import PactlabError

console = Console()
err_console = Console(stderr=True)
if not console.is_terminal:  # piped or captured: do not fold tables at 80 columns
    console.width = 160
if not err_console.is_terminal:
    err_console.width = 160

EPILOG_RUN = """\b
Examples:
  pactlab run                          # Indo-Pacific 2025, with Europe 1949 for contrast
  pactlab run europe-1949              # a built-in scenario (see: pactlab list)
  pactlab run my-theatre.yaml          # your own scenario file (see docs/scenarios.md)
  pactlab run asia-pacific-1951 --format json > out.json
  pactlab run indo-pacific-2025 --report report.html
  pactlab run korea-1953 --params fit-1939.json   # at the parameters a pactlab fit file gives
"""


def print_error(exc: BaseException | str) -> None:
    """``Error: <message>`` on stderr; the message is printed as text, never read as markup."""
    err_console.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PactlabError as exc:
            print_error(exc)
            sys.exit(1)


@click.group(cls=_Group, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pactlab")
@click.pass_context
def main(ctx: click.Context) -> None:
    """pactlab: which alliance architecture emerges when a great power (the
    patron) and smaller states (the clients) face a common adversary, and why.

    Start with `pactlab run`, then `pactlab list` to see the built-in theatres.
    The terms the output uses are defined in `pactlab glossary`.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _scenarios(names: tuple[str, ...]):
    from pactlab.scenarios import catalog

    names = names or catalog.DEFAULT_SCENARIOS
    return [catalog.get(n) for n in names]


@main.command(epilog=EPILOG_RUN)
@click.argument("scenarios", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for scripts")
@click.option("--report", "report", type=click.Path(path_type=Path),
              help="write a self-contained HTML report: a file name for one scenario, a folder for several "
                   "(one <id>.html each)")
@click.option("--force", is_flag=True, help="overwrite report files that already exist")
@click.option("--parents", is_flag=True, help="create the report's folder (and its parents) if missing")
@click.option("--all-comparisons", is_flag=True, help="print every decisive comparison, not only the key ones")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="solve at the parameters of a `pactlab fit --theory cohen` file (with or without "
                   "--tie-precisions) instead of the shipped set; finite logit precisions make the "
                   "outcome distribution spread over the alternatives")
def run(scenarios: tuple[str, ...], fmt: str, report: Path | None, force: bool, parents: bool,
        all_comparisons: bool, params_file: Path | None) -> None:
    """Predict the alliance architecture of one or more theatres.

    SCENARIOS are built-in ids (`pactlab list`) or paths to YAML files. With
    none, runs the headline question, Indo-Pacific 2025, and Europe 1949 for
    contrast. Prints the predicted treaties (members and commitment level),
    each actor's preferred design, durability, and the chain of decisive
    comparisons with their margins (how far each is from flipping).
    """
    from pactlab.files import json_dumps
    from pactlab.model.params import DEFAULT
    from pactlab.model.solve import solve

    params = DEFAULT
    if params_file is not None:
        from pactlab.evidence.cases import params_from_file

        params = params_from_file(params_file)
    items = _scenarios(scenarios)
    targets = _report_targets(report, [s.id for s in items], force=force, parents=parents)
    if params_file is not None and fmt != "json":
        err_console.print(f"at the parameters of {escape(str(params_file))} (digest {params.digest()}), "
                          "not the shipped set", highlight=False)
    results = [(s, solve(s, params, distribution=True)) for s in items]
    if fmt == "json":
        payload = [r.to_dict() for _, r in results]
        click.echo(json_dumps(payload if len(payload) > 1 else payload[0], indent=2))
    else:
        for s, r in results:
            _print_result(s, r, all_comparisons)
    if targets:
        from pactlab.report.html import write_report

        for (s, r), p in zip(results, targets):
            write_report(r, s, p)
            err_console.print(f"report written to {escape(str(p))}", highlight=False)


def _report_targets(report: Path | None, ids: list[str], *, force: bool, parents: bool) -> list[Path]:
    """The report file(s) ``--report`` names, checked before any work: one scenario writes the file
    given (or ``<id>.html`` inside a folder given); several write ``<id>.html`` each into a folder.
    Folders are created only with ``--parents``; files are overwritten only with ``--force``."""
    from pactlab.files import OutputPathError, output_file, output_folder

    if report is None:
        return []
    as_folder = str(report).endswith(("/", "\\")) or report.is_dir() or len(ids) > 1
    if len(ids) > 1 and report.suffix.lower() in (".html", ".htm") and not report.is_dir():
        raise OutputPathError(f"--report {report}: {len(ids)} scenarios write {len(ids)} reports; "
                              "give a folder (they are written as <id>.html inside it)")
    if not as_folder:
        return [output_file(report, force=force, parents=parents, option="--report")]
    folder = output_folder(report, parents=parents, option="--report")
    return [output_file(folder / f"{i}.html", force=force, option="--report") for i in ids]


def _cells(*values) -> list[str]:
    """Table cells from data: escaped, so that text in brackets prints as written."""
    return [escape(str(v)) for v in values]


def _heading(s) -> str:
    """A scenario's title with its region, year and kind, the region said once (a built theatre's
    title already ends in "(built from data)", its region)."""
    title = s.title
    tail = f"({s.region})"
    if title.endswith(tail) and title[:-len(tail)].strip():
        title = title[:-len(tail)].rstrip()
    return f"[bold]{escape(title)}[/] ({escape(s.region)}, {s.year}, {escape(s.kind)})"


def _print_result(s, r, all_comparisons: bool) -> None:
    e = escape
    console.rule(_heading(s))
    console.print(f"Predicted design: [bold]{e(r.design)}[/]", highlight=False)
    if r.distribution is not None:
        d = r.distribution
        probs = ", ".join(f"{k} {v:.3f}" for k, v in sorted(d.design_probabilities.items(), key=lambda x: -x[1]) if v > 0.0005)
        console.print(f"Design probabilities ({d.method}): {probs}")
        if d.has_record:
            lp = f"{d.record_log_prob:.3f}" if d.record_log_prob is not None else "impossible at these precisions"
            console.print(f"Log-probability of the record's new treaties: {lp}")
    from pactlab.model.result import pledge_label
    from pactlab.model.treaties import KEPT

    new = [tr for tr in r.treaties if tr.origin not in KEPT]
    kept = [tr for tr in r.treaties if tr.origin in KEPT]
    t = Table(title="Treaties predicted (new commitments)", show_lines=False)
    for col in ("members", "level", "form", "origin", "expected years", "durability"):
        t.add_column(col)
    for tr in new:
        t.add_row(*_cells(", ".join(tr.members), tr.level, tr.form, tr.origin, f"{tr.expected_years:.0f}",
                          tr.durability))
    if not new:
        t.add_row("(no new treaty)", "", "", "", "", "")
    console.print(t)
    if kept:
        k = Table(title="Patron pacts in force that the design keeps (not new)", show_lines=False)
        for col in ("treaty", "members", "level", "expected years", "durability"):
            k.add_column(col)
        for tr in kept:
            k.add_row(*_cells(tr.id, ", ".join(tr.members), tr.level, f"{tr.expected_years:.0f}", tr.durability))
        console.print(k)
    if s.treaties:
        console.print("In force before (the scenario's treaties): " + e("; ".join(
            f"{x.id} ({', '.join(x.members)}, {x.level.value})" for x in s.treaties)), highlight=False)

    c = Table(title="Clients")
    for col in ("client", "threat (status quo)", "threat (after)", "group", "pledge to clients", "patron pledge", "probed"):
        c.add_column(col)
    for cs in r.clients:
        c.add_row(*_cells(cs.id, f"{cs.threat_status_quo:.3f}", f"{cs.threat:.3f}", ", ".join(cs.group),
                          cs.pledge_to_clients, pledge_label(cs), "yes" if cs.probed else ""))
    console.print(c)

    pt = Table(title="Each actor's preferred design")
    for col in ("actor", "role", "prefers", "margin over 2nd"):
        pt.add_column(col)
    for p in r.preferences:
        pt.add_row(*_cells(p.actor, p.role, p.preferred, f"{p.margin:+.4f}"))
    console.print(pt)

    console.print(f"[bold]Client structures:[/] {e(r.selection_reason)}.", highlight=False)
    for st in r.stable[:8]:
        mark = "→" if st.selected else " "
        parts = [" + ".join(b) for b in st.blocks] + list(st.lone)
        console.print(f"  {mark} {e(' | '.join(parts))}  (client welfare {st.client_welfare:+.4f}"
                      f"{'' if st.pareto_efficient else ', Pareto-dominated'})", highlight=False)
    if len(r.stable) > 8:
        console.print(f"  … and {len(r.stable) - 8} more (see --format json)")

    console.print("[bold]Why[/] (decisive comparisons; margin = how far from flipping):")
    key_stages = ("clients", "patron", "imposition", "durability")
    shown = [x for x in r.comparisons if all_comparisons or x.stage in key_stages]
    for x in shown:
        # payoff-unit comparisons only: durability margins are in years, threats in probability
        fragile = " [yellow](fragile)[/]" if x.stage in ("clients", "patron", "imposition") and abs(x.margin) < 0.01 else ""
        console.print(f"  {escape(f'[{x.stage}]')} {escape(x.text())}{fragile}", highlight=False)
    if not all_comparisons:
        console.print("  (threat and adversary comparisons: --all-comparisons)")
    if r.counter_alignment and any(a != b for a, b in r.counter_alignment.values()):
        for k, (a, b) in r.counter_alignment.items():
            console.print(f"  counter-alignment: {e(str(k))} alignment {a:.2f} → {b:.2f} with cross-theatre linking",
                          highlight=False)
    for note in r.notes:
        console.print(f"[yellow]note:[/] {e(str(note))}", highlight=False)
    console.print("[dim]terms: pactlab glossary[/]")
    console.print(f"[dim]pactlab {e(r.pactlab_version)} · scenario {r.scenario_hash} · parameters {r.parameters_digest}[/]")


@main.command(name="list", epilog="""\b
Examples:
  pactlab list
  pactlab list --format json | jq '.[].id'
""")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_(fmt: str) -> None:
    """List the built-in scenarios (historical, counterfactual, present-day)."""
    from pactlab.scenarios.catalog import catalog

    entries = catalog()
    if fmt == "json":
        click.echo(json.dumps([
            {"id": e.id, "title": e.title, "region": e.region, "year": e.year, "kind": e.kind, "clients": e.n_clients}
            for e in entries
        ], indent=2))
        return
    t = Table(title="Built-in scenarios")
    for col in ("id", "year", "region", "kind", "clients", "title"):
        t.add_column(col)
    for e in entries:
        t.add_row(*_cells(e.id, e.year, e.region, e.kind, e.n_clients, e.title))
    console.print(t)


@main.command(epilog="""\b
Examples:
  pactlab validate my-theatre.yaml
  pactlab validate scenarios/*.yaml
""")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario files (or built-in ids) against the format (docs/scenarios.md).

    Prints every problem with the file, line and field it concerns; exits 1
    if any file is invalid.
    """
    from pactlab.scenarios.catalog import builtin_path
    from pactlab.scenarios.loader import load_scenario

    bad = 0
    for f in files:
        path = f if f.exists() else (builtin_path(str(f)) or f)
        try:
            s = load_scenario(path)
        except PactlabError as exc:
            bad += 1
            print_error(exc)
            continue
        n = len(s.clients)
        console.print(f"{escape(str(f))}: ok ({escape(s.id)}, {n} client{'' if n == 1 else 's'})", highlight=False)
    if bad:
        sys.exit(1)


@main.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="the folder with COW/ATOP files (default: $PACTLAB_DATA)")
def cite(data_dir: Path | None) -> None:
    """Print BibTeX for the data sets (and versions) found in the data folder.

    \b
    Example:
      pactlab cite --data ~/data/pactlab > data.bib
    """
    from pactlab.data import open_data

    d = open_data(data_dir)
    d.load_all(skip_missing=True)
    text = d.citations()
    if not text:
        raise click.ClickException("no data sets found to cite")
    click.echo(text)


@main.command(epilog="""\b
Examples:
  pactlab cases                    # the table in the terminal
  pactlab cases --format csv > cases.csv
  pactlab cases --regenerate       # after a reviewed model change; then git diff
  pactlab cases --params fit-1939.json   # at parameters from pactlab fit (out of sample if fitted before 1939)
  pactlab cases --built --data ~/data/pactlab   # beside each case, the theatre rebuilt from COW/ATOP
""")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a parameter file written by pactlab fit for Cohen's model (--theory cohen); default: the shipped set")
@click.option("--regenerate", is_flag=True,
              help="rewrite tests/golden/cases.json and the table in docs/cases.md from the current model")
@click.option("--built", is_flag=True,
              help="also rebuild each historical case from the COW/ATOP records (pactlab build with the case's "
                   "patron, clients, adversary and year) and score it against the same record, side by side")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="with --built: the folder with the COW/ATOP files (default: $PACTLAB_DATA)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
def cases(params_file: Path | None, regenerate: bool, built: bool, data_dir: Path | None, fmt: str) -> None:
    """Score the model on the built-in historical cases (the case table).

    Each case's predicted design, commitment level and durability class are
    compared with the record, using the one global parameter set. With
    --regenerate, the golden results the tests check are rewritten: review
    the diff before committing it.
    """
    import pandas as pd

    from pactlab.evidence.cases import case_table, exact_scoreboard, json_rows, regenerate as regen, scoreboard

    if regenerate and params_file is not None:
        raise click.UsageError("--regenerate rewrites the golden results at the shipped parameters; leave out --params")
    if regenerate and built:
        raise click.UsageError("--regenerate rewrites the hand-coded cases' golden results; leave out --built")
    if regenerate:
        ok, n = regen()
        console.print(f"golden results rewritten; reproduced {ok} of {n} historical cases (lenient rule)")
        return
    if params_file is not None:
        from pactlab.evidence.cases import params_from_file

        params = params_from_file(params_file)
        title = f"Case table at the parameters of {params_file} (digest {params.digest()})"
        rows = case_table(params)
    else:
        title = "Case table (in-sample: the defaults were set after seeing these cases)"
        rows = case_table()
    if built:
        _built_cases(rows, data_dir, params if params_file is not None else None, title, fmt)
        return
    if fmt == "json":
        click.echo(json.dumps(json_rows(rows), indent=2))
        return
    if fmt == "csv":
        flat = [{k: v for k, v in d.items() if k != "treaty_scores"} for d in json_rows(rows)]
        click.echo(pd.DataFrame(flat).to_csv(index=False), nl=False)
        return
    t = Table(title=escape(title))
    for col in ("case", "exact (paper)", "exact (ATOP)", "record", "predicted", "lenient: design",
                "level (rec/pred)", "durability (rec/pred)", "reproduced"):
        t.add_column(col)

    def mark(x):
        return "—" if x is None else ("[green]yes[/]" if x else "[red]no[/]")

    for d in json_rows(rows):
        t.add_row(d["scenario"], mark(d["exact_paper"]), mark(d["exact_atop"]), d["lenient_record_design"] or "—",
                  d["lenient_predicted_design"], mark(d["lenient_design_ok"]),
                  f"{d['lenient_record_level'] or '—'}/{d['lenient_predicted_level'] or '—'}",
                  f"{d['lenient_record_durability'] or '—'}/{d['lenient_predicted_durability'] or '—'}",
                  mark(d["lenient_reproduced"]))
    console.print(t)
    board = exact_scoreboard(rows)
    ok, n = scoreboard(rows)
    console.print(f"Exact treaty sets (members and level of every new treaty): {board['paper'][0]} of "
                  f"{board['paper'][1]} under the paper's reading of the constitutional-processes clause, "
                  f"{board['atop'][0]} of {board['atop'][1]} under ATOP's.")
    console.print(f"Lenient rule: reproduced {ok} of {n} historical cases (see docs/cases.md for sources "
                  "and the reasons for misses).")


def _built_cases(rows, data_dir, params, title: str, fmt: str) -> None:
    import pandas as pd

    from pactlab.data import open_data
    from pactlab.evidence.cases import built_case_table, built_rows
    from pactlab.model.params import DEFAULT

    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members"))
    with err_console.status("rebuilding the cases from the data"):
        table = built_rows(rows, built_case_table(data, params if params is not None else DEFAULT))
    if fmt == "json":
        click.echo(json.dumps(table, indent=2))
        return
    if fmt == "csv":
        click.echo(pd.DataFrame(table).to_csv(index=False), nl=False)
        return

    def mark(x):
        return "—" if x is None else ("[green]yes[/]" if x else "[red]no[/]")

    t = Table(title=escape(title + "; hand-coded and rebuilt from the data"))
    for col in ("case", "record", "hand: design", "exact (paper/ATOP)", "rebuilt: design", "exact (paper/ATOP)",
                "rebuilt: new treaties"):
        t.add_column(col)
    for d in table:
        t.add_row(d["scenario"], d["record_design"] or "—", d["hand_design"],
                  f"{mark(d['hand_exact_paper'])}/{mark(d['hand_exact_atop'])}", d["built_design"] or "—",
                  f"{mark(d['built_exact_paper'])}/{mark(d['built_exact_atop'])}",
                  escape(d["built_treaties"] or d["note"]))
    console.print(t)
    for k in ("hand", "built"):
        n = [d for d in table if d[f"{k}_exact_paper"] is not None]
        console.print(f"{'Hand-coded' if k == 'hand' else 'Rebuilt from data'}: exact treaty sets "
                      f"{sum(d[f'{k}_exact_paper'] for d in n)} of {len(n)} (paper's reading), "
                      f"{sum(d[f'{k}_exact_atop'] for d in n)} of {len(n)} (ATOP's).", highlight=False)


@main.command(epilog="""\b
Examples:
  pactlab glossary
  pactlab glossary --format markdown > glossary.md
""")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True)
def glossary(fmt: str) -> None:
    """Define every term the output of `run`, `cases` and the reports uses."""
    from pactlab import glossary as g

    click.echo(g.markdown() if fmt == "markdown" else g.text())


@main.command(epilog="""\b
Examples:
  pactlab replicate results/                     # everything without the data: about 6 minutes on 2 cores
  pactlab replicate results/ --only cases,indo-pacific
  pactlab replicate results/ --resume            # after an interruption: finished steps are kept
  pactlab replicate results/ --fresh --draws 50  # replace an earlier run
  pactlab replicate results/ --data ~/data/pactlab   # also every figure that needs the record: hours
  pactlab replicate new/ --against results/      # and say which files and figures changed
""")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--draws", type=int, default=300, show_default=True,
              help="parameter redraws for the robustness table (each redraws every behavioural parameter)")
@click.option("--seed", type=int, default=1, show_default=True, help="seed of the redraws")
@click.option("--only", default=None,
              help="comma-separated steps to run (default: cases, indo-pacific, robustness, ablation, tipping, "
                   "montecarlo; with --data also backtest, threat-validity, cases-built, shipped-defaults, "
                   "fit-train, fit-all, prequential, compare, compare-fit)")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="the COW/ATOP folder: also write the tables that need the record, with the data files' "
                   "checksums in the manifest")
@click.option("--to", "y2", type=int, default=1955, show_default=True,
              help="with --data: the last year of the record used")
@click.option("--split", type=int, default=1939, show_default=True,
              help="with --data: the fits and comparisons are trained on the windows ending before this year "
                   "and scored on the rest")
@click.option("--against", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="an earlier replication's folder: say which files (and how many values) changed")
@click.option("--resume", is_flag=True, help="continue a run in OUT with the same manifest; finished steps are kept")
@click.option("--fresh", is_flag=True, help="discard the results of an earlier run in OUT")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def replicate(out: Path, draws: int, seed: int, only: str | None, data_dir: Path | None, y2: int, split: int,
              against: Path | None, resume: bool, fresh: bool, fmt: str) -> None:
    """Reproduce the published results into the folder OUT.

    Writes the case table (cases.json/csv/md), the Indo-Pacific 2025 answer
    with its report, the robustness redraw and the ablation tables of
    docs/cases.md, the Indo-Pacific tipping points and span Monte Carlo of
    docs/explore.md, and manifest.json recording the pactlab version, the
    parameter digest and every built-in scenario's content hash. With --data,
    also the backtest scoreboard and report, the threat validity table, the
    rebuilt cases, the shipped set's zero-probability count, Cohen's fits
    (before --split with its out-of-sample scoreboard and case table; on all
    the data; prequential) and `pactlab compare` on the record (as declared and
    fitted), each by the command the docs cite. Files are written whole as
    each step finishes; rerun with --resume to finish an interrupted run.
    """
    from pactlab import replicate as rep

    steps = tuple(x.strip() for x in only.split(",") if x.strip()) if only else None
    quiet = fmt == "json"
    data = None
    if data_dir is not None:
        from pactlab.data import open_data

        data = open_data(data_dir)

    def progress(step: str, state: str) -> None:
        if not quiet:
            err_console.print(f"{step}: {state}", highlight=False)

    try:
        res = rep.run(out, draws=draws, seed=seed, only=steps, resume=resume, fresh=fresh, progress=progress,
                      data=data, to=y2, split=split, against=against)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if quiet:
        click.echo(json.dumps({k: v for k, v in res.items() if k != "manifest"}, indent=2))
    else:
        console.print(f"{len(res['files'])} files in {escape(str(out))} "
                      f"(run: {', '.join(res['run']) or 'none'}; kept: {', '.join(res['reused']) or 'none'}); "
                      f"parameters {res['manifest']['parameters']}")
        if "changes" in res:
            ch = [c for c in res["changes"] if c["status"] != "same"]
            console.print(f"Against {escape(str(against))}: {len(res['changes']) - len(ch)} files the same"
                          + (", changed or new:" if ch else "; none changed"), highlight=False)
            for c in ch:
                more = f" ({c['values_changed']} values, e.g. {', '.join(c['first'][:3])})" if c["values_changed"] else ""
                console.print(f"  {c['file']}: {c['status']}{escape(more)}", highlight=False)


#: commands that live with other layers: name -> (module, attribute). They are imported when first
#: looked up (running them, or listing them in the help), so `pactlab run` does not load the
#: evidence layer, the explorer, the landscape theory or the app.
_ELSEWHERE = {
    "build": ("pactlab.evidence.cli_build", "build"),
    "episodes": ("pactlab.evidence.cli_episodes", "episodes"),
    "backtest": ("pactlab.evidence.cli_backtest", "backtest"),
    "fit": ("pactlab.evidence.cli_fit", "fit"),
    "threat-validity": ("pactlab.evidence.cli_validity", "threat_validity"),
    "landscape": ("pactlab.landscape.cli", "landscape"),
    "landscape-build": ("pactlab.landscape.cli", "landscape_build"),
    "compare": ("pactlab.evidence.cli_compare", "compare"),
    "app": ("pactlab.app.cli", "app"),
    "explore": ("pactlab.explore.cli", "explore"),
}
_PENDING = object()


class _Commands(dict):
    """The group's commands by name; those of :data:`_ELSEWHERE` are imported on first lookup
    (a plain dict to click and to everything that reads ``main.commands``)."""

    def __init__(self, commands, elsewhere):
        super().__init__(commands)
        self._where: dict[str, tuple[str, str]] = {}
        for name, (module, attr) in elsewhere.items():
            if _module_exists(module):  # a layer left out of an installation has no command
                self._where[name] = (module, attr)
                dict.__setitem__(self, name, _PENDING)

    def __getitem__(self, name):
        cmd = dict.__getitem__(self, name)
        if cmd is _PENDING:
            import importlib

            module, attr = self._where[name]
            cmd = getattr(importlib.import_module(module), attr)
            dict.__setitem__(self, name, cmd)
        return cmd

    def get(self, name, default=None):
        return self[name] if name in self else default

    def values(self):
        return [self[k] for k in self]

    def items(self):
        return [(k, self[k]) for k in self]


def _module_exists(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is missing
        return False


main.commands = _Commands(main.commands, _ELSEWHERE)


if __name__ == "__main__":  # pragma: no cover
    main()
