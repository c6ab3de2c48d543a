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
def compare(names: str | None, params_file: Path | None, fmt: str, out: Path | None, force: bool) -> None:
    """Score every registered theory side by side on the built-in historical cases.

    Design and treaties (with and without levels) on each theory's modal
    prediction, the Brier score of its design probabilities, and the log score
    of the record's exact treaties where the theory has a probability model,
    with bootstrap intervals; Vuong tests between those theories.
    """
    from rich.console import Console
    from rich.table import Table

    from pactlab.evidence.compare import compare as run, render_html, summary_table
    from pactlab.files import atomic_write_text, json_dumps, output_file

    target = output_file(out, force=force) if out is not None else None
    chosen = [n.strip() for n in names.split(",") if n.strip()] if names else None
    cmp = run(chosen, _load_params(params_file))
    if fmt in ("json", "html"):
        text = (json_dumps(_finite(cmp.as_dict())) + "\n") if fmt == "json" else render_html(cmp)
        if target is not None:
            atomic_write_text(target, text)
            click.echo(f"wrote {target}")
        else:
            click.echo(text, nl=False)
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
    console.print(f"Encompassing tests not run: {cmp.encompassing['reason']}.", highlight=False)
    if target is not None:
        atomic_write_text(target, json_dumps(_finite(cmp.as_dict())) + "\n")
        console.print(f"wrote {target}")


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
