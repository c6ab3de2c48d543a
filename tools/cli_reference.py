"""Write docs/reference/cli.md from the command line's own help texts.

    python tools/cli_reference.py          # rewrite the file
    python tools/cli_reference.py --check  # exit 1 if it is out of date (the test suite runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

OUT = Path(__file__).resolve().parents[1] / "docs" / "reference" / "cli.md"


def render() -> str:
    from pactlab.cli import main

    runner = CliRunner()
    parts = ["# Command-line reference", "",
             "Generated from the commands' own help (`python tools/cli_reference.py`); "
             "`pactlab COMMAND --help` prints the same.", ""]
    top = runner.invoke(main, ["--help"], terminal_width=100)
    parts += ["## pactlab", "", "```text", top.output.rstrip(), "```", ""]
    import click

    for name in sorted(main.commands):
        res = runner.invoke(main, [name, "--help"], terminal_width=100)
        parts += [f"## pactlab {name}", "", "```text", res.output.rstrip(), "```", ""]
        cmd = main.commands[name]
        if isinstance(cmd, click.Group):  # a group's subcommands each get their own section
            for sub in sorted(cmd.commands):
                res = runner.invoke(main, [name, sub, "--help"], terminal_width=100)
                parts += [f"### pactlab {name} {sub}", "", "```text", res.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.exists() and OUT.read_text(encoding="utf-8") == text else 1)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
