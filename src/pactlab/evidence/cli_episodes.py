"""``pactlab episodes``: the backtest's units (rules v2) and their counts, before any scoring."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

EPILOG = """\b
Examples:
  pactlab episodes --data ~/data/pactlab --from 1816 --to 1955
  pactlab episodes --from 1816 --to 1955 --format csv > counts.csv
  pactlab episodes --from 1946 --to 1955 --episode 2@1946-1950     # one episode in full
  pactlab episodes --from 1816 --to 1955 --adversary-rule war      # the alternative adversary rule
"""

COLUMNS = (("window", "window"), ("episodes", "episodes"), ("with_new_pledge", "with new pledge"),
           ("negative", "no new treaty"), ("candidates", "candidates"), ("new_pledges", "new pledges"),
           ("sampled_controls", "sampled controls"), ("signers", "signers"), ("design_parts", "design parts"),
           ("design_clients", "design clients"), ("events_new", "new"), ("events_upgrade", "upgrade"),
           ("events_accession", "accession"), ("events_renewal", "renewal"),
           ("events_clients_only", "clients-only"), ("events_out_of_scope", "out of scope"),
           ("outside_rule", "outside rule"),
           ("not_buildable", "not buildable"), ("split_pairs", "split pairs"))


@click.command(epilog=EPILOG)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), envvar="PACTLAB_DATA",
              help="the folder with the COW/ATOP files (default: $PACTLAB_DATA)")
@click.option("--from", "y1", type=int, default=1816, show_default=True, help="first year of the first window")
@click.option("--to", "y2", type=int, default=2018, show_default=True, help="last year (windows are 5 years)")
@click.option("--adversary-rule", "rule", type=click.Choice(["rival", "war"]), default="rival", show_default=True,
              help="rival: the strongest strategic rival (else the strongest unallied major); war: the most "
                   "recent war opponent (else as rival)")
@click.option("--held-level-renewal", "held_level_renewal", is_flag=True,
              help="coding option (sensitivity analysis; off by default): a new pledge with the patron at a level "
                   "the client already holds with it is read as a renewal for that client")
@click.option("--controls", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="expected non-signing candidates sampled per episode (participation model)")
@click.option("--episode", "key", default=None, help="print one episode in full (key PATRON@START-END)")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
def episodes(data_dir: Path | None, y1: int, y2: int, rule: str, controls: int, key: str | None, fmt: str,
             held_level_renewal: bool = False) -> None:
    """Count the backtest's episodes, candidates, signers and events per window (rules v2).

    Every COW major power with an adversary by rule is an episode in every 5-year window, whether or
    not an alliance formed. Printed for all units and for the in-scope subset (wartime and symmetric
    alliances, and the states only they hold, left out). See docs/evidence.md, "Episode rules".
    """
    from pactlab.data import open_data
    from pactlab.evidence.builder import check_years
    from pactlab.evidence.episodes import (YEAR_DATA, BacktestError, Coding, adversary_diagnostics, build_episodes,
                                           counts_table)

    data = open_data(data_dir)
    data.check(("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries"))
    if y2 < y1:
        raise BacktestError(f"--to ({y2}) is before --from ({y1})")
    check_years(data, YEAR_DATA, y1, y2)
    es = build_episodes(data, y1, y2, adversary_rule=rule, controls=controls,
                        coding=Coding(held_level_renewal=held_level_renewal))
    console = Console()
    if not console.is_terminal:  # piped or captured: do not fold tables at 80 columns
        console.width = 200
    if key is not None:
        ep = next((e for e in es.episodes if e.key == key), None)
        if ep is None:
            keys = ", ".join(e.key for e in es.episodes[:6])
            raise BacktestError(f"--episode {key}: no such episode in {y1}-{y2} (keys look like {keys}, ...)")
        _print_episode(console, data, ep, fmt)
        return
    ct = counts_table(es)
    diag = adversary_diagnostics(es)
    if fmt == "csv":
        click.echo(ct.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps({"counts": ct.to_dict(orient="records"), "adversary": diag, "notes": es.notes},
                              indent=1))
        return
    for scope in ("all", "in-scope"):
        sub = ct[ct.scope == scope]
        t = Table(title=f"Episodes per window ({scope})")
        for _, head in COLUMNS:
            t.add_column(head, justify="left" if head == "window" else "right")
        for r in sub.itertuples(index=False):
            t.add_row(*[str(getattr(r, c)) for c, _ in COLUMNS])
        tot = sub.sum(numeric_only=True)
        t.add_row("total", *[str(int(tot[c])) for c, _ in COLUMNS[1:]], style="bold")
        console.print(t)
    console.print(adversary_line(rule, diag), highlight=False)
    for n in es.notes:
        console.print(f"[yellow]note:[/] {escape(str(n))}", highlight=False)


def adversary_line(rule: str, diag: dict) -> str:
    """The summary line of :func:`adversary_diagnostics` (no percentage of nothing)."""
    if not diag["n"]:
        return f"Adversary rule '{rule}': no episodes, so no adversary to check."
    share = f" ({diag['share_not_rival_or_ally']:.1%})" if diag["not_rival_or_ally"] else ""
    return (f"Adversary rule '{rule}': {diag['n']} episodes; adversary not a rival of the patron or its ally "
            f"in {diag['not_rival_or_ally']}{share}: not a rival {diag['not_rival']} of {diag['n_rivalry_known']}, "
            f"an ally {diag['ally']}; rules used " + ", ".join(f"{k} {v}" for k, v in diag["rules"].items()))


def _print_episode(console: Console, data, ep, fmt: str) -> None:
    from dataclasses import asdict

    if fmt == "json":
        click.echo(json.dumps(asdict(ep), indent=1, default=str))
        return
    name = lambda c: escape(f"{data.state_name(c, ep.start - 1) or c} ({c})")  # noqa: E731
    a = ep.adversary
    console.rule(f"[bold]{ep.key}[/]: {name(ep.patron)}")
    console.print(f"adversary: {name(a.ccode) if a.ccode else 'none'} (rule {a.rule}"
                  + (f"; {a.diagnostic()}" if a.diagnostic() else "") + ")", highlight=False)
    if ep.skip:
        console.print(f"skipped: {escape(str(ep.skip))}")
        return
    t = Table(title="events")
    for col in ("ATOP", "kind", "year", "role", "status", "level", "scope", "clients"):
        t.add_column(col)
    for e in ep.events:
        ev = e.event
        scope = "in" if ev.in_scope else ("wartime" if ev.wartime else "symmetric")
        t.add_row(str(ev.atopid), ev.kind, str(ev.year), e.role, e.status, ev.level, scope,
                  ", ".join(map(str, e.clients)) + (f" (left out: {', '.join(str(c) for c, _ in e.left_out)})"
                                                    if e.left_out else ""))
    console.print(t)
    t = Table(title="candidates (participation model)")
    for col in ("state", "region", "threat", "criteria", "outcome", "status", "sampled (weight)"):
        t.add_column(col)
    w = {c: wt for c, _, wt in ep.sample}
    for c in sorted(ep.candidates, key=lambda c: -(c.threat if c.threat == c.threat else -1)):
        t.add_row(name(c.ccode), c.region, f"{c.threat:.3f}", ", ".join(c.why), str(c.y), c.status,
                  f"{w[c.ccode]:.2f}" if c.ccode in w else "")
    console.print(t)
    for p in ep.parts:
        console.print(f"design part {p.label()}: signers {', '.join(map(str, p.signers)) or 'none'}; non-signers "
                      f"{', '.join(map(str, p.clients[len(p.signers):])) or 'none'}"
                      + (f"; later-year fallbacks for {', '.join(map(str, p.later_fallback))}" if p.later_fallback
                         else ""), highlight=False)
    for c, why in ep.outside_rule:
        console.print(f"signer outside the candidate rule: {name(c)}: {escape(str(why))}", highlight=False)
    if ep.split_pairs:
        console.print(f"{len(ep.split_pairs)} signer pairs fall in different design parts (scored as such)")
    if ep.other_led:
        console.print(f"led by another major (not in this episode): ATOP {', '.join(map(str, ep.other_led))}")
