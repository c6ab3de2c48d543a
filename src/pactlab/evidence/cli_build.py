"""``pactlab build``: write a scenario YAML file built from the COW and ATOP records."""

from __future__ import annotations

from pathlib import Path

import click

from pactlab.errors import PactlabError

EPILOG = """\b
Examples:
  pactlab build --data ~/data/pactlab --patron 2 --year 1951 --clients 900,920,840,740 --adversary 365
  pactlab build --patron 2 --year 1949 --clients 20,200,220,211,210,212,385,390,395,325,235 \\
                --adversary 365 --out europe-1949-data.yaml
  pactlab build --patron 2 --year 1951 --clients 900,920,840,740 --adversary 365 --aligned 710
  pactlab validate built-1951-usa-rus.yaml && pactlab run built-1951-usa-rus.yaml

\b
Codes are COW state codes (2 USA, 200 UK, 365 USSR/Russia, 710 China, 740 Japan,
900 Australia, ...): https://correlatesofwar.org/cow-country-codes/
"""


class BuildOptionError(PactlabError):
    """A malformed option value for ``pactlab build``."""


def _code_list(text: str | None, option: str) -> list[int] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    parts = [p for p in parts if p]
    out = []
    for p in parts:
        try:
            out.append(int(p))
        except ValueError:
            raise BuildOptionError(
                f"{option}: {p!r} is not a COW state code; give whole numbers separated by commas, "
                "e.g. 900,920,840") from None
    return out


@click.command(name="build", epilog=EPILOG)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="the folder with the COW/ATOP files (default: $PACTLAB_DATA)")
@click.option("--patron", type=int, default=None, help="COW code of the patron (omit for a theatre without one)")
@click.option("--year", type=int, required=True, help="scenario year Y; only data for Y-1 and earlier are read")
@click.option("--clients", required=True, help="comma-separated COW codes of the clients (1 to 12)")
@click.option("--adversary", type=int, required=True, help="COW code of the adversary")
@click.option("--aligned", default=None,
              help="comma-separated COW codes of aligned adversaries (default: derived by codebook rule A1, "
                   "states with an ATOP defence/consultation pledge with the adversary in force); '' for none")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML file to write (default: <id>.yaml)")
@click.option("--id", "scenario_id", default=None, help="scenario id (default: built-<year>-<patron>-<adversary>)")
@click.option("--allow-later", is_flag=True,
              help="for states without a record in the year before, use the codebook's later-year fallbacks "
                   "(flagged TIME-ORDER EXCEPTION; never for backtests)")
@click.option("--sovereign-through", "sovereign_through", type=int, default=None,
              help="coding option (sensitivity analysis; off by default): last year of the window; a client that "
                   "is a COW system member in any year from YEAR to it is coded sovereign (flagged TIME-ORDER "
                   "EXCEPTION)")
@click.option("--force", is_flag=True, help="overwrite the YAML file if it already exists")
@click.option("--parents", is_flag=True, help="create the folder of --out if it does not exist")
def build(data_dir: Path | None, patron: int | None, year: int, clients: str, adversary: int,
          aligned: str | None, out: Path | None, scenario_id: str | None, allow_later: bool,
          force: bool = False, parents: bool = False, sovereign_through: int | None = None) -> None:
    """Build a theatre (scenario YAML) from the COW and ATOP records alone.

    Facts come from the data for the year before YEAR: capabilities (NMC CINC),
    contiguity and distances, treaties in force (ATOP), aligned adversaries
    (ATOP pledges with the adversary), wars between clients (COW). Judgements
    the data do not record get neutral fallback values marked NOT IN THE DATA
    in their notes and listed in the file's header: edit them by hand, then
    `pactlab validate FILE` and `pactlab run FILE`.
    """
    from pactlab.data import open_data
    from pactlab.evidence.builder import build_theatre, write_yaml

    d = open_data(data_dir)
    client_codes = _code_list(clients, "--clients") or []
    aligned_codes = _code_list(aligned, "--aligned")
    scenario = build_theatre(d, patron, year, client_codes, adversary, aligned=aligned_codes,
                             scenario_id=scenario_id, allow_later=allow_later, sovereign_through=sovereign_through)
    path = out if out is not None else Path(f"{scenario['id']}.yaml")
    from pactlab.files import OutputPathError, output_file

    try:
        output_file(path, force=force, parents=parents, option="--out")
    except OutputPathError as exc:
        raise BuildOptionError(str(exc)) from None
    try:
        write_yaml(scenario, path)
    except OSError as exc:
        raise BuildOptionError(f"cannot write {path}: {exc.strerror or exc}") from None
    n_neutral = sum(1 for a in scenario["actors"] for v in a.values()
                    if isinstance(v, dict) and str(v.get("note", "")).startswith("NOT IN THE DATA"))
    roles = {}
    for a in scenario["actors"]:
        roles.setdefault(a["role"], []).append(a["id"])
    click.echo(f"wrote {path} ({scenario['id']}, year {year})")
    for role in ("patron", "client", "adversary", "aligned_adversary"):
        if role in roles:
            click.echo(f"  {role}: {', '.join(roles[role])}")
    click.echo(f"  treaties in force: {', '.join(t['id'] for t in scenario['treaties']) or 'none'}")
    click.echo(f"  {n_neutral} neutral fallback value(s) to edit by hand (see the file's header)")
