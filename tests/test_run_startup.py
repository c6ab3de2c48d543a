"""What keeps `pactlab run SCENARIO` quick, checked for correctness (the timing itself is
``benchmarks/bench_run.py``, not a test):

* scenario files are parsed with libyaml when PyYAML has it, and that gives exactly the data
  and line numbers of the pure-Python loader, and the same error messages;
* a built-in is looked up by its file name, so one file is read, not the catalog;
* the command does not import pandas or the commands of the other layers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pactlab.errors import ScenarioError, UnknownScenarioError
from pactlab.scenarios import catalog, loader

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = sorted((ROOT / "src" / "pactlab" / "scenarios" / "builtin").glob("*.yaml"))
needs_libyaml = pytest.mark.skipif(loader._CLines is None, reason="PyYAML built without libyaml")


def _shape(data, lines):
    """Every mapping's path with its recorded lines, and the data itself."""
    out = []

    def walk(x, path):
        if isinstance(x, dict):
            out.append((path, lines.get(id(x))))
            for k, v in x.items():
                walk(v, path + (k,))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, path + (i,))

    walk(data, ())
    return data, out


@needs_libyaml
@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_libyaml_reads_every_builtin_as_the_pure_python_loader_does(path):
    text = path.read_text(encoding="utf-8")
    assert _shape(*loader._load_with(loader._CLines, text)) == _shape(*loader._load_with(loader._Lines, text))


TRICKY = [
    "a: 1e-6\nb: 2E5\nc: -3.5e+2\nd: 1_000\ne: 0x1F\nf: 012\ng: .inf\nh: ~\ni: yes\nj: '1e3'\n",
    "x:\n  - {id: A, v: [1, 2, {w: null}]}\n  - id: B\n    when: 2001-02-03\n    t: 2001-02-03T04:05:06Z\n",
    "s: |\n  line one\n  line two\nt: >\n  folded\n  text\nu: \"esc\\u00e9\\n\"\nv: plain text é\n",
    "anchors:\n  base: &b {k: 1}\n  copy: *b\n  merged:\n    <<: *b\n    j: 2\n",
    "# only a comment\n",
    "",
    "- 1\n- [a, b]\n- {c: d}\n",
]


def _outcome(cls, text):
    try:
        return _shape(*loader._load_with(cls, text))
    except yaml.YAMLError:  # (merge keys, for one, are refused by both; the message is tested below)
        return "error"


@needs_libyaml
@pytest.mark.parametrize("text", TRICKY)
def test_libyaml_and_pure_python_agree_on_scalars_and_structure(text):
    assert _outcome(loader._CLines, text) == _outcome(loader._Lines, text)


BAD = [
    "a: 1\nb: [2, 3\nc: 4\n",  # unclosed flow sequence
    "a: 1\n  b: 2\n",  # bad indentation
    "a: 1\na: 2\n",  # duplicate key
    "top:\n  k: 1\n  k: 1\n",  # duplicate key, nested
    "a: \x07bell\n",  # a control character
    "a: 'open\n",  # unclosed quote
    "- a\nb: c\n",  # a sequence then a mapping
    "base: &b {k: 1}\nmerged:\n  <<: *b\n",  # a merge key (refused: no constructor for it)
]


@pytest.mark.parametrize("text", BAD)
def test_invalid_yaml_reads_as_the_pure_python_loader_reports_it(tmp_path, text):
    with pytest.raises(yaml.YAMLError) as ref:
        loader._load_with(loader._Lines, text)
    with pytest.raises(yaml.YAMLError) as got:
        loader._yaml_load(text)
    assert str(got.value) == str(ref.value)
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        loader.load_scenario(f)
    assert "not valid YAML" in str(err.value)


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_builtin_is_stored_under_its_id_and_found_without_the_catalog(path):
    catalog._load_builtin.cache_clear()
    s = catalog.get(path.stem)
    assert s.id == path.stem  # the file name is the id: the lookup reads this file only
    assert catalog._load_builtin.cache_info().currsize == 1
    assert catalog.builtin_path(path.stem) == path


def test_lookup_of_files_and_unknown_names_is_unchanged(tmp_path):
    src = BUILTIN[0]
    f = tmp_path / "copy.yaml"
    f.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    assert catalog.get(str(f)) == catalog.get(src.stem)
    assert catalog.builtin_path(str(f)) is None
    with pytest.raises(UnknownScenarioError) as err:
        catalog.get("no-such-theatre")
    for e in catalog.catalog():
        assert e.id in str(err.value)


def test_every_command_of_another_layer_resolves_to_its_name():
    from pactlab.cli import _ELSEWHERE, main

    assert set(_ELSEWHERE) <= set(main.commands)
    for name in _ELSEWHERE:
        assert main.commands[name].name == name
        assert main.get_command(None, name) is main.commands[name]


def test_run_imports_neither_pandas_nor_the_other_layers():
    code = (
        "import sys\n"
        "from pactlab.cli import main\n"
        "try:\n"
        "    main(['run', 'europe-1948', '--format', 'json'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'matplotlib', 'pyarrow')\n"
        "                   or m.startswith(('pactlab.evidence', 'pactlab.explore', 'pactlab.landscape', 'pactlab.app')))\n"
        "    print('HEAVY', heavy, file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert p.returncode == 0, p.stderr[-2000:]
    heavy = p.stderr.strip().splitlines()[-1]
    # the packages of the other layers (their __init__ only) are looked up, not their commands
    assert heavy == "HEAVY ['pactlab.app', 'pactlab.evidence', 'pactlab.explore', 'pactlab.landscape']", heavy


def test_optional_list_fields_default_to_fresh_lists_from_a_python_factory():
    # pydantic inspects a default factory's signature when it builds the model; for a builtin
    # such as ``list`` that means parsing its text signature (tokenize's regexes, ~13 ms at import)
    import types

    from pactlab.scenarios import schema

    factories = [(m.__name__, n, f.default_factory) for m in (schema.Scenario, schema.Record)
                 for n, f in m.model_fields.items() if f.default_factory is not None]
    assert {(m, n) for m, n, _ in factories} >= {("Scenario", "footholds"), ("Scenario", "treaties"),
                                                 ("Scenario", "disputes"), ("Scenario", "events"),
                                                 ("Record", "treaties")}
    for _, _, f in factories:
        assert isinstance(f, types.FunctionType), f
        a, b = f(), f()
        assert a == [] and a is not b
