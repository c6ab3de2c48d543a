"""Every code block in the tutorial, the how-to guides and the Python reference runs.

Each document becomes one script, run in a fresh interpreter in an empty
folder: ``python`` blocks in order, in one namespace, and each line of a
``bash`` block (``pactlab ...`` commands) as a subprocess, which must exit
0. Blocks marked ``python data`` / ``bash data`` need the COW and ATOP
folder (``DATA``); a document with such blocks is skipped, saying so, when
the folder is absent. ``text`` blocks are shown output or install steps the
README's own commands perform. The README's Python block is run too, and
the README's test command must be the one ``.ci/run`` calls.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DOCS = sorted([ROOT / "docs" / "tutorial.md", ROOT / "docs" / "reference" / "python.md",
               *(p for p in (ROOT / "docs" / "howto").glob("*.md") if p.name != "README.md")])
#: A fenced block, at the margin or indented (inside a list item): the closing
#: fence has the opening fence's indentation.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
RUNNABLE = {"python", "python data", "bash", "bash data"}
HARNESS = '''
import shlex, subprocess, sys
def _sh(line):
    args = shlex.split(line)
    assert args[0] == "pactlab", f"only pactlab commands run in docs: {line}"
    args = [a.replace("DATA", DATA) if a == "DATA" else a for a in args]
    p = subprocess.run([sys.executable, "-m", "pactlab", *args[1:]], capture_output=True, text=True)
    assert p.returncode == 0, f"{line}\\nexit {p.returncode}\\n{p.stdout[-2000:]}\\n{p.stderr[-2000:]}"
'''


def _dedent(body: str, indent: str) -> str:
    """An indented block's code as it would stand at the margin: the fence's
    indentation is taken off every line (a blank line may have less)."""
    out = []
    for line in body.splitlines(keepends=True):
        if line.startswith(indent):
            out.append(line[len(indent):])
        elif not line.strip():
            out.append(line.lstrip(" \t"))
        else:
            raise ValueError(f"a line of an indented code block is indented less than its fence: {line!r}")
    return "".join(out)


def blocks_of(text: str) -> list[tuple[str, str]]:
    return [(m["info"].strip(), _dedent(m["body"], m["indent"])) for m in FENCE.finditer(text)]


def blocks(path: Path) -> list[tuple[str, str]]:
    return blocks_of(path.read_text(encoding="utf-8"))


def script(path: Path) -> str:
    out = [f"DATA = {str(DATA)!r}", HARNESS]
    for info, code in blocks(path):
        if info.startswith("python"):
            out.append(code)
        elif info.startswith("bash"):
            for raw in code.splitlines():
                line = re.sub(r"\s+#.*$", "", raw).strip()
                if line and not line.startswith("#"):
                    for part in line.split("&&"):
                        out.append(f"_sh({part.strip()!r})")
    return "\n".join(out)


def _run(code: str, cwd: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg"}
    f = cwd / "doc_example.py"
    f.write_text(code, encoding="utf-8")
    p = subprocess.run([sys.executable, str(f)], cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert p.returncode == 0, f"{p.stdout[-3000:]}\n{p.stderr[-5000:]}"


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT / "docs")) for d in DOCS])
def test_doc_examples_run(doc, tmp_path):
    found = blocks(doc)
    if not found:
        return  # a page of prose: nothing to run
    unknown = {info for info, _ in found} - RUNNABLE - {"text"}
    assert not unknown, f"{doc}: code blocks of a kind the suite does not run: {unknown}"
    if any(info.endswith("data") for info, _ in found) and not DATA.is_dir():
        pytest.skip(f"{doc.name} needs the COW/ATOP folder {DATA}")
    _run(script(doc), tmp_path)


def test_readme_python_block_runs(tmp_path):
    readme = blocks(ROOT / "README.md")
    code = [c for info, c in readme if info == "python"]
    assert code
    _run("\n".join(code), tmp_path)


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    (_info, block), = blocks_of(quick)
    cmds = [re.sub(r"\s+#.*$", "", ln).strip() for ln in block.splitlines() if ln.strip()]
    assert len(cmds) == 2, "the quickstart is two commands"
    ci = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.strip().startswith("#")]
    assert cmds[1] in ci, f".ci/run must call the README's test command: {cmds[1]}"
    assert "tools/install-browser.sh" in cmds[1]


def test_cli_reference_lists_only_real_commands():
    from pactlab.cli import main

    text = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## pactlab (\S+)$", text, re.M))
    assert documented and documented <= set(main.commands), documented - set(main.commands)
    assert "app" in documented


def test_collector_reads_indented_blocks():
    """A block inside a numbered list item is indented: it is collected, as it
    would stand at the margin, and a shallower closing fence does not close it."""
    text = ("1. Write it:\n\n   ```python\n   def f():\n       return 1\n\n   print(f())\n   ```\n\n"
            "```bash\npactlab --help\n```\n")
    assert blocks_of(text) == [("python", "def f():\n    return 1\n\nprint(f())\n"), ("bash", "pactlab --help\n")]
    assert any(b for b in blocks(ROOT / "docs" / "howto" / "add-a-theory.md"))


def test_cli_reference_is_up_to_date():
    """docs/reference/cli.md is the commands' own help, subcommands included: regenerate it with
    `python tools/cli_reference.py` when a command changes."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import cli_reference
    finally:
        sys.path.remove(str(ROOT / "tools"))
    text = cli_reference.render()
    assert cli_reference.OUT.read_text(encoding="utf-8") == text, "run python tools/cli_reference.py"
    assert "### pactlab explore montecarlo" in text
