"""Every code block in docs/ (every page, recursively) runs or is checked.

Each page becomes one script, run in a fresh interpreter in an empty folder
(the test's tmp folder, also ``HOME``, so nothing is written elsewhere).
A block's info string says what it is; an info string outside these kinds
fails the test:

``python``
    run in order, in one namespace per page.
``bash``
    each command run, which must exit 0: ``pactlab ...`` (through the CLI's
    entry point, ``pactlab.cli:main``, in the page's process, so that a page's
    twenty commands do not pay twenty interpreters' imports; in a subprocess
    when the line sets ``VAR=value`` or starts worker processes with
    ``--engine``), ``python benchmarks/NAME.py ...`` and ``python
    tools/NAME.py ...`` (those two folders only, resolved in the repository;
    subprocesses). ``export VAR=value`` (kept for the page's later commands),
    ``> FILE``, ``&&`` and ``\\`` continuations are understood. A command
    whose comment starts with "refused" must fail, without a traceback.
``python data`` / ``bash data``
    the same, with the COW and ATOP folder: ``~/data/pactlab`` (the one
    spelling the docs use for it) is that folder (``DATA``); a page with such
    blocks is skipped, saying so, when the folder is absent.
``python small`` / ``bash small``
    commands that take minutes on the whole record (fits, prequential fits,
    ``compare --data``, long backtests, ``replicate --data``, benchmark
    runs on the data): in the suite ``~/data/pactlab`` is the small
    synthetic COW/ATOP world of ``tests/worlds.py`` (its years shifted to
    1920-1955, so that the docs' year options select windows in it) in place
    of the data folder. The command line is the reader's; only the folder
    differs, so the figures printed are not the docs' figures.
``yaml KIND [FILE]``
    a whole file, checked by the loader the software uses for it: ``scenario``
    (``load_scenario``), ``spec`` (an uncertainty file, ``load_spec`` on its
    ``scenario:``), ``events`` (an events file, ``load_events`` on its
    ``scenario:``), ``params`` (a ``compare --params`` file: every theory and
    value through the theory's parameter declaration). With ``FILE`` the
    block is written to that name for the page's later commands.
    ``yaml fragment``: part of a scenario file; each top-level key must be a
    field of a scenario or of an actor and its value must validate as that
    field.
``text``
    output shown to the reader (tables, profiles, diagrams, examples of
    output). Commands are never ``text``.

Paths into the repository that a page names (``docs/examples/...``) are
read from the repository. A page whose commands would rewrite repository
files (``pactlab cases --regenerate``) runs them, and the test then asserts
that docs/ and tests/golden/ are byte-identical to before: regenerating at the
shipped parameters must give what is committed. The README's Python block is
run too, and the README's test command must be the one ``.ci/run`` calls.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
#: the one spelling of the COW/ATOP folder in the docs
DATA_PATH = "~/data/pactlab"
DOCS = sorted((ROOT / "docs").rglob("*.md"))
#: generated from the CLI's help (tools/cli_reference.py): its blocks are the help text
GENERATED = {ROOT / "docs" / "reference" / "cli.md"}
#: a fenced block, at the margin or indented (inside a list item): the closing
#: fence has the opening fence's indentation.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
RUNNABLE = {f"{lang}{where}" for lang in ("python", "bash") for where in ("", " data", " small")}
YAML_KINDS = {"scenario", "spec", "events", "params", "fragment"}
#: the years of the small world (tests/worlds.py, shifted): 1920-1955
SMALL_SHIFT = 40
#: what a page may rewrite in the repository only to the same bytes
GUARDED = ("docs", "tests/golden")

HARNESS = r'''
import os, re, shlex, subprocess, sys, time
from pathlib import Path
ROOT = Path(ROOT)
HOME = Path(os.environ["HOME"])

def _path(a, data):
    """The reader's path as the suite runs it: the data folder, the (test's) home, the repository's files."""
    if a == "~/data/pactlab" or a.startswith("~/data/pactlab/"):
        return data + a[len("~/data/pactlab"):]
    if a.startswith("~/"):
        return str(HOME / a[2:])
    if re.match(r"(docs|tests)/", a) and not Path(a).exists() and (ROOT / a).exists():
        return str(ROOT / a)
    return a

#: the page's ``export``s as the reader wrote them: a path in one is mapped for each block
_EXPORTS = {}

def _env(data):
    """The environment of a block's commands (and, for Python blocks, of the block itself)."""
    for k, v in _EXPORTS.items():
        os.environ[k] = _path(v, data)
    return dict(os.environ)

def _sh(line, data):
    refused = line.startswith("! ")
    line = line[2:] if refused else line
    args = shlex.split(line)
    if args[0] == "export":
        for a in args[1:]:
            k, v = a.split("=", 1)
            _EXPORTS[k] = v
        return
    env = _env(data)
    while args and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", args[0]):
        k, v = args.pop(0).split("=", 1)
        env[k] = _path(v, data)
    out = None
    if ">" in args:
        i = args.index(">")
        assert i == len(args) - 2, f"one '> FILE' at the end of a command: {line}"
        out, args = args[-1], args[:i]
    args = [_path(a, data) for a in args]
    t0 = time.perf_counter()
    if args[0] == "pactlab" and env == dict(os.environ) and "--engine" not in args:
        # the CLI's entry point in this process: the same command as the console script, without a
        # fresh interpreter's imports for every line (a prefix VAR=value, or --engine with worker
        # processes, takes a subprocess)
        from click.testing import CliRunner
        from pactlab.cli import main
        r = CliRunner().invoke(main, args[1:], catch_exceptions=True)
        tb = "" if r.exception is None or isinstance(r.exception, SystemExit) else "".join(
            __import__("traceback").format_exception(r.exception))
        code, stdout, output = r.exit_code, r.stdout, r.output + tb
    else:
        if args[0] == "pactlab":
            cmd = [sys.executable, "-m", "pactlab", *args[1:]]
        elif args[0] == "python" and len(args) > 1 and re.fullmatch(r"(benchmarks|tools)/[\w-]+\.py", args[1]):
            cmd = [sys.executable, str(ROOT / args[1]), *args[2:]]
        else:
            raise AssertionError(f"only pactlab, python benchmarks/... and python tools/... run in docs: {line}")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        code, stdout, output = p.returncode, p.stdout, p.stdout[-2000:] + "\n" + p.stderr[-2000:]
    print(f"{time.perf_counter() - t0:6.1f} s  {line}", flush=True)
    if refused:
        assert code != 0 and "Traceback" not in output, f"{line}: should be refused without a traceback\n{output[-4000:]}"
        return
    assert code == 0, f"{line}\nexit {code}\n{output[-4000:]}"
    if out is not None:
        Path(out).write_text(stdout, encoding="utf-8")

def _yaml(kind, name, text):
    import yaml
    f = Path(name or "doc-block.yaml")
    f.write_text(text, encoding="utf-8")
    if kind == "scenario":
        from pactlab.scenarios.loader import load_scenario
        load_scenario(f)
    elif kind in ("spec", "events"):
        from pactlab.scenarios.catalog import get
        sid = (yaml.safe_load(text) or {}).get("scenario")
        assert sid, f"an {kind} file in the docs names its scenario (scenario: ID)"
        if kind == "spec":
            from pactlab.explore.spec import load_spec
            load_spec(f, get(sid))
        else:
            from pactlab.explore.path import load_events
            s = get(sid)
            ev = yaml.safe_load(text).get("events") or []
            load_events(f, s, max([e["year"] - s.year + 1 for e in ev] + [1]))
    elif kind == "params":
        from pactlab import theories
        from pactlab.evidence.cli_compare import _load_params
        for theory, values in _load_params(f).items():
            theories.get(theory).params(values)
    elif kind == "fragment":
        from pydantic import TypeAdapter
        from pactlab.scenarios.schema import Actor, Scenario
        body = yaml.safe_load(text)
        assert isinstance(body, dict) and body, "a fragment is a mapping of scenario or actor fields"
        for k, v in body.items():
            field = Scenario.model_fields.get(k) or Actor.model_fields.get(k)
            assert field is not None, f"{k}: not a field of a scenario or an actor"
            TypeAdapter(field.annotation).validate_python(v)
        if not name:
            f.unlink()
    else:
        raise AssertionError(kind)
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


def kind_problem(info: str) -> str | None:
    """Why an info string is not one the suite knows (None if it is)."""
    if info in RUNNABLE or info == "text":
        return None
    parts = info.split()
    if parts and parts[0] == "yaml" and len(parts) in (2, 3) and parts[1] in YAML_KINDS:
        return None
    return f"code block of a kind the suite does not run or check: {info!r}"


def commands(code: str) -> list[str]:
    """The commands of a bash block: comments dropped, ``\\`` continuations joined, ``&&`` split.
    A command whose comment starts with "refused" must fail: it comes back prefixed with ``! ``."""
    joined = re.sub(r"\\\n", " ", code)
    out = []
    for raw in joined.splitlines():
        m = re.search(r"(^|\s+)#\s*(.*)$", raw)
        line = (raw[:m.start()] if m else raw).strip()
        if line:
            mark = "! " if m and m.group(2).startswith("refused") else ""
            out.extend(mark + part.strip() for part in line.split("&&"))
    return out


def needs_small(path: Path) -> bool:
    return any(info.endswith(" small") for info, _ in blocks(path))


def script(path: Path) -> str:
    out = [f"DATA = {str(DATA)!r}", f"SMALL = 'small-world'", f"ROOT = {str(ROOT)!r}", HARNESS]
    if needs_small(path):
        out.append(f"sys.path.insert(0, {str(ROOT / 'tests')!r})\nfrom worlds import small_world\n"
                   f"small_world(Path(SMALL), shift={SMALL_SHIFT})\nsys.path.pop(0)\nSMALL = str(Path(SMALL).resolve())")
    for info, code in blocks(path):
        where = "SMALL" if info.endswith(" small") else "DATA"
        if DATA_PATH in code:
            assert info.endswith((" data", " small")), f"{path.name}: a block naming {DATA_PATH} is marked data or small: {code[:200]}"
        if info.startswith("python"):
            out.append(f"_env({where})")
            out.append(code.replace(f'"{DATA_PATH}"', where).replace(f"'{DATA_PATH}'", where))
        elif info.startswith("bash"):
            out.extend(f"_sh({c!r}, {where})" for c in commands(code))
        elif info.startswith("yaml"):
            _, kind, *name = info.split()
            out.append(f"_yaml({kind!r}, {(name or [None])[0]!r}, {code!r})")
    return "\n".join(out)


def _run(code: str, cwd: Path) -> None:
    home = cwd / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "MPLBACKEND": "Agg", "HOME": str(home)}
    env.pop("PACTLAB_DATA", None)
    f = cwd / "doc_example.py"
    f.write_text(code, encoding="utf-8")
    p = subprocess.run([sys.executable, str(f)], cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert p.returncode == 0, f"{p.stdout[-3000:]}\n{p.stderr[-5000:]}"


def _digest(folders=GUARDED) -> dict[str, str]:
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
            for d in folders for p in sorted((ROOT / d).rglob("*")) if p.is_file()}


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT / "docs")) for d in DOCS])
def test_doc_examples_run(doc, tmp_path):
    found = blocks(doc)
    if not found:
        return  # a page of prose: nothing to run
    if doc in GENERATED:
        assert {info for info, _ in found} == {"text"}, f"{doc}: a generated page shows help text only"
        return
    unknown = {p for info, _ in found if (p := kind_problem(info))}
    assert not unknown, f"{doc}: {unknown}"
    if any(info.endswith(" data") for info, _ in found) and not DATA.is_dir():
        pytest.skip(f"{doc.name} needs the COW/ATOP folder {DATA}")
    before = _digest()
    _run(script(doc), tmp_path)
    after = _digest()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"{doc}: running its blocks changed repository files: {changed}"


def test_docs_name_the_data_folder_one_way():
    """In every code block the COW/ATOP folder reads as ~/data/pactlab (the suite maps it)."""
    others = re.compile(r"~/data/cow-atop|path/to/data|\.\./shared/data|--data DATA\b|open_data\(DATA\)")
    bad = [f"{d.relative_to(ROOT)}: {m.group(0)}" for d in DOCS for _info, code in blocks(d) for m in others.finditer(code)]
    assert not bad, bad


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


def test_collector_kinds_and_commands():
    """The kinds the suite knows, and how a bash block splits into commands."""
    assert kind_problem("bash small") is None and kind_problem("yaml spec") is None
    assert kind_problem("yaml params precisions.yaml") is None
    assert kind_problem("sh") and kind_problem("") and kind_problem("yaml") and kind_problem("yaml nonsense")
    code = "pactlab fit --a 1 \\\n    --b 2   # note\n# a comment\npactlab validate x.yaml && pactlab run x.yaml\n"
    assert commands(code) == ["pactlab fit --a 1      --b 2", "pactlab validate x.yaml", "pactlab run x.yaml"]
    assert commands("pactlab run nothing   # refused: no such scenario\n") == ["! pactlab run nothing"]
