"""``pactlab landscape`` and ``pactlab landscape-build``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

EPILOG = """\b
Examples:
  pactlab landscape europe-1936                    # minima, basins, placement score, sensitivity
  pactlab landscape europe-1936 --format json > europe-1936.json
  pactlab landscape europe-1936 --report landscape.html --figure landscape.svg
  pactlab landscape my-system.yaml --basins random
  pactlab landscape-build europe-1936 --data ~/data/pactlab --out europe-1936.yaml
"""


def analyse(name: str, basins: str = "steepest", with_sensitivity: bool = True):
    """(analysis dict, landscape, system) for a built-in system name or a system file."""
    from pactlab import __version__
    from pactlab.landscape.system import load, score, sensitivity
    from pactlab.theories.landscape import enumerate_landscape

    system = load(name)
    land = enumerate_landscape(system.landscape_system(), anchor=system.score_anchor if _has_sides(system) else None,
                               basins=basins)
    out: dict[str, Any] = {
        "system": system.id, "title": system.file.title, "rule": system.file.rule,
        "size_measure": system.file.size_measure, "actors": system.landscape_system().n,
        "configurations": land.n_configurations, "basins": basins,
        "basins_text": ("steepest descent: each configuration follows the single move that lowers the energy most"
                        if basins == "steepest" else
                        "random descent: any move that lowers the energy, with equal probability (expected counts)"),
        "minima": [m.as_dict() for m in land.minima],
        "pactlab_version": __version__,
    }
    if _has_sides(system):
        sc = score(system, land)
        out["score"] = sc.as_dict()
        out["actual_sides"] = system.sides()
        if system.file.published is not None:
            out["published"] = system.file.published.model_dump()
        if with_sensitivity and system.file.rule is not None:
            out["sensitivity"] = sensitivity(system, basins=basins)
    return out, land, system


def _has_sides(system) -> bool:
    return any(a.side is not None for a in system.file.actors)


@click.command(name="landscape", epilog=EPILOG)
@click.argument("system")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--basins", type=click.Choice(["steepest", "random"]), default="steepest", show_default=True,
              help="how a configuration descends to a minimum: the steepest move, or any improving move at random")
@click.option("--no-sensitivity", is_flag=True, help="skip the table of scores under the pre-set coding alternatives")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="write a self-contained HTML report")
@click.option("--figure", "figure_path", type=click.Path(dir_okay=False, path_type=Path),
              help="write the report figure (.svg or .png)")
def landscape(system: str, fmt: str, basins: str, no_sensitivity: bool, report: Path | None,
              figure_path: Path | None) -> None:
    """Axelrod and Bennett's landscape theory on a system of states: every two-bloc
    configuration, its local minima and their basins of attraction, and -- where the
    system records the sides the states took -- the placement score.

    SYSTEM is a built-in system (europe-1936) or a landscape system file (docs/theories/landscape.md).
    """
    from pactlab.files import json_dumps, output_file
    from pactlab.landscape.system import SystemError_

    if figure_path is not None and figure_path.suffix.lower() not in (".svg", ".png"):
        raise SystemError_(f"--figure {figure_path}: expected a file name ending in .svg or .png")
    for opt, p in (("--report", report), ("--figure", figure_path)):
        if p is not None:
            output_file(p, force=True, option=opt)
    a, land, sy = analyse(system, basins, with_sensitivity=not no_sensitivity)
    if fmt == "json":
        click.echo(json_dumps(a))
    else:
        _print(a, sy)
    if report is not None or figure_path is not None:
        from pactlab.landscape import report as rep
        from pactlab.report import plots

        if report is not None:
            rep.write(a, land, sy, report)
        if figure_path is not None:
            fig = rep.figure(a, land, sy) if "score" in a else None
            if fig is None:
                raise SystemError_(f"--figure: {sy.id} records no sides, so there is no placement to draw")
            if figure_path.suffix.lower() == ".svg":
                from pactlab.files import atomic_write_text

                atomic_write_text(figure_path, plots.figure_svg(fig))
            else:
                plots.figure_png(fig, figure_path)
        if fmt == "text":
            for p in (report, figure_path):
                if p is not None:
                    click.echo(f"Wrote {p}")


def _print(a: dict[str, Any], sy) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(width=160) if not Console().is_terminal else Console()
    names = dict(zip(sy.ids, sy.names))

    def nm(ids):
        return ", ".join(names.get(x, x) for x in ids) or "none"

    con.print(f"[bold]{a['title']}[/] ({a['system']}; propensities: "
              f"{'rule ' + a['rule'] if a['rule'] else 'as given'}; sizes: {a['size_measure']})", highlight=False)
    con.print(f"{a['actors']} actors, {a['configurations']:,} two-bloc configurations; basins by {a['basins_text']}.",
              highlight=False)
    anchor = names.get(sy.score_anchor, sy.score_anchor) if "score" in a else "the anchor"
    t = Table(title="Local minima (no single actor can lower the energy by switching)", title_justify="left")
    for h, j in (("#", "right"), ("energy", "right"), ("basin", "right"), ("share", "right"),
                 (f"bloc with {anchor}", "left"), ("other bloc", "left")):
        t.add_column(h, justify=j, overflow="fold")
    for k, m in enumerate(a["minima"]):
        basin = f"{m['basin']:,.1f}" if a["basins"] == "random" else f"{int(m['basin']):,}"
        t.add_row(str(k + 1), f"{m['energy']:.6g}", basin,
                  f"{100 * m['basin_share']:.1f}%" + (" global" if m["global"] else ""),
                  nm(m["bloc_with_anchor"]), nm(m["other_bloc"]))
    con.print(t)
    if "score" in a:
        sc = a["score"]
        line = (f"Placement of the global minimum: [bold]{sc['correct']} of {sc['scored']}[/] on the side they took; "
                f"misplaced: {nm(sc['misplaced'])}")
        if sc["undetermined"]:
            line += f"; either bloc (tied global minima): {nm(sc['undetermined'])}"
        con.print(line + ".", highlight=False)
        if "published" in a:
            p = a["published"]
            con.print(f"Published figure: {p['correct']} of {p['scored']} (misplaced: {nm(p['misplaced'])}).",
                      highlight=False)
    if a.get("sensitivity"):
        t = Table(title="Sensitivity: each pre-set alternative alone", title_justify="left")
        for h in ("coding", "placed correctly", "misplaced", "either bloc", "minima"):
            t.add_column(h, overflow="fold")
        for r in a["sensitivity"]:
            t.add_row(r["label"], f"{r['correct']} of {r['scored']}", nm(r["misplaced"]), nm(r["undetermined"]),
                      str(r["minima"]))
        con.print(t)


@click.command(name="landscape-build", epilog=EPILOG)
@click.argument("system")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="folder with the COW, ATOP and Thompson-Dreyer files (or set PACTLAB_DATA); see docs/data.md")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write the file here (default: stdout)")
@click.option("--force", is_flag=True, help="overwrite --out if it exists")
def landscape_build(system: str, data_dir: Path | None, out: Path | None, force: bool) -> None:
    """Build a landscape system file (sizes, propensity evidence, actual sides) from a data folder.

    SYSTEM names a build recipe (europe-1936).
    """
    from pactlab.data import open_data
    from pactlab.files import atomic_write_text, output_file
    from pactlab.landscape.build import build, recipe, to_yaml

    recipe(system)
    if out is not None:
        output_file(out, force=force)
    text = to_yaml(build(system, open_data(data_dir)))
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
        click.echo(f"Wrote {out}")
