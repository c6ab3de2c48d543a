"""Malformed scenario files give a ``ScenarioError`` that a user can act on:
the message names the file, the field (as a YAML path, actors by id) and what
was expected. ``pactlab validate`` prints the same with exit status 1 and no
traceback."""

from __future__ import annotations

import copy

import pytest
import yaml
from click.testing import CliRunner

from conftest import valid_dict
from pactlab.cli import main
from pactlab.errors import PactlabError, ScenarioError
from pactlab.scenarios.loader import load_scenario, parse_scenario


def _squash(text: str) -> str:
    """Whitespace-insensitive form (the CLI wraps long lines)."""
    return "".join(text.split())


def _mut(f):
    def build():
        d = valid_dict()
        f(d)
        return d

    return build


def _actor(d, ident):
    return next(a for a in d["actors"] if a["id"] == ident)


def _typo(d):
    a = _actor(d, "AAA")
    a["capabilty"] = a.pop("capability")


def _two_adversaries(d):
    d["actors"].append({"id": "ADV2", "name": "Second", "role": "adversary", "capability": {"value": 0.1, "source": "coder"},
                        "maritime_reach": {"value": 0.1, "source": "coder"}})


def _thirteen_clients(d):
    for k in range(11):
        ident = f"X{k}"
        d["actors"].append({"id": ident, "name": ident, "role": "client",
                            "capability": {"value": 0.01, "source": "coder"},
                            "maritime_reach": {"value": 0.1, "source": "coder"},
                            "patron_stake": {"value": 0.5, "source": "coder"}})


def _no_adversary(d):
    d["actors"] = [a for a in d["actors"] if a["role"] != "adversary"]
    d["geography"] = [t for t in d["geography"] if "ADV" not in (t["a"], t["b"])]
    d["actors"].append({"id": "OUT", "name": "Outside", "role": "outside", "capability": {"value": 0.1, "source": "coder"},
                        "maritime_reach": {"value": 0.1, "source": "coder"}})


# name -> (builder of the dict, or raw YAML text; fragments the message must contain)
CASES = {
    "unknown top-level key": (_mut(lambda d: d.update(colour="red")), ["colour", "unknown field"]),
    "actor key typo": (_mut(_typo), ["actors[2] (AAA).capabilty", "unknown field",
                                     "actors[2] (AAA).capability", "required field is missing"]),
    "unknown actor in geography": (_mut(lambda d: d["geography"][0].update(a="ZZZ")),
                                   ["geography[0]", "unknown actor 'ZZZ'", "known: PAT, ADV, AAA, BBB"]),
    "unknown actor in footholds": (
        _mut(lambda d: d.update(footholds=[{"holder": "ZZZ", "near": "AAA", "contiguity": "land", "distance_km": 0,
                                           "source": "coder"}])),
        ["footholds[0]", "unknown actor 'ZZZ'"]),
    "unknown actor in treaties": (
        _mut(lambda d: d.update(treaties=[{"id": "pact", "members": ["AAA", "ZZZ"], "level": "defend",
                                           "source": "coder"}])),
        ["treaties[0] (pact)", "unknown member 'ZZZ'"]),
    "unknown actor in disputes": (
        _mut(lambda d: d.update(disputes=[{"a": "AAA", "b": "ZZZ", "intensity": 0.5, "source": "coder"}])),
        ["disputes[0]", "unknown actor 'ZZZ'"]),
    "maritime reach 1.5": (_mut(lambda d: _actor(d, "AAA")["maritime_reach"].update(value=1.5)),
                           ["actors[2] (AAA).maritime_reach.value", "between 0 and 1", "1.5"]),
    "negative distance": (_mut(lambda d: d["geography"][1].update(distance_km=-5.0)),
                          ["geography[1].distance_km", "greater than or equal to 0"]),
    "capability 0": (_mut(lambda d: _actor(d, "BBB")["capability"].update(value=0)),
                     ["actors[3] (BBB).capability.value", "greater than 0"]),
    "dispute intensity 2": (
        _mut(lambda d: d.update(disputes=[{"a": "AAA", "b": "BBB", "intensity": 2, "source": "coder"}])),
        ["disputes[0].intensity", "less than or equal to 1"]),
    "no adversary": (_mut(_no_adversary), ["actors", "exactly one 'adversary', found 0"]),
    "actor without capability": (_mut(lambda d: _actor(d, "BBB").pop("capability")),
                                 ["actors[3] (BBB).capability", "required field is missing"]),
    "client without patron_stake": (_mut(lambda d: _actor(d, "BBB").pop("patron_stake")),
                                    ["actors[3] (BBB)", "patron_stake"]),
    "two adversaries": (_mut(_two_adversaries), ["actors", "exactly one 'adversary', found 2"]),
    "13 clients": (_mut(_thirteen_clients), ["actors", "1 to 12 clients, found 13"]),
    "missing geography pair": (_mut(lambda d: d["geography"].pop(2)), ["geography", "no entry for the pair AAA-BBB"]),
    "undeclared source": (_mut(lambda d: _actor(d, "AAA")["capability"].update(source="nosuch")),
                          ["actors[2] (AAA).capability", "source 'nosuch' is not declared under 'sources'"]),
    "contiguity air": (_mut(lambda d: d["geography"][0].update(contiguity="air")),
                       ["geography[0].contiguity", "'land', 'sea' or 'remote'", "'air'"]),
    "treaty level none": (
        _mut(lambda d: d.update(treaties=[{"id": "pact", "members": ["AAA", "BBB"], "level": "none",
                                           "source": "coder"}])),
        ["treaties[0] (pact).level", "'consult' or 'defend'"]),
    "client field on adversary": (_mut(lambda d: _actor(d, "ADV").update(patron_stake={"value": 1, "source": "coder"})),
                                  ["actors[1] (ADV)", "patron_stake", "do not apply to role 'adversary'"]),
    "empty file": ("", ["(top level)", "expected a mapping"]),
    "top-level list": ("- id: x\n- title: y\n", ["(top level)", "expected a mapping"]),
}

YAML_ERROR_LINE = 3


def _syntax_error_text() -> str:
    lines = yaml.safe_dump(valid_dict(), sort_keys=False).splitlines()
    lines[YAML_ERROR_LINE - 1] = "region: Nowhere: [unclosed"
    return "\n".join(lines) + "\n"


def _write(tmp_path, name, content):
    p = tmp_path / (name.replace(" ", "_").replace("-", "_") + ".yaml")
    p.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return p


def test_fixture_is_valid(tmp_path):
    s = load_scenario(_write(tmp_path, "good", valid_dict()))
    assert s.id == "tiny-theatre" and len(s.clients) == 2


@pytest.mark.parametrize("name", list(CASES))
def test_error_names_file_field_and_expectation(tmp_path, name):
    build, fragments = CASES[name]
    path = _write(tmp_path, name, build() if callable(build) else build)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    msg = str(err)
    assert err.path == str(path)
    assert str(path) in msg
    assert err.problems and all(isinstance(p, str) and p for p in err.problems)
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in:\n{msg}"
    assert isinstance(err, PactlabError)


@pytest.mark.parametrize("name", [n for n, (b, _) in CASES.items() if callable(b)])
def test_parse_scenario_gives_the_same_problems(name):
    """parse_scenario (a dict from anywhere) reports the same, under the name
    it is given."""
    build, fragments = CASES[name]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(build(), "my-source")
    assert info.value.path == "my-source"
    for frag in fragments:
        assert frag in str(info.value)


def test_yaml_syntax_error_gives_line(tmp_path):
    path = _write(tmp_path, "syntax", _syntax_error_text())
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg
    assert f"line {YAML_ERROR_LINE}" in msg
    assert "not valid YAML" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value) and "file not found" in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path):
    """Several independent mistakes are listed together, not one per run."""
    d = valid_dict()
    _actor(d, "AAA")["maritime_reach"]["value"] = 1.5
    d["geography"][1]["distance_km"] = -1
    d["colour"] = "red"
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, "many", d))
    assert len(info.value.problems) >= 3


# --- the CLI shows the same ---------------------------------------------------------


def _cli_validate(*paths):
    return CliRunner().invoke(main, ["validate", *map(str, paths)])


@pytest.mark.parametrize("name", list(CASES) + ["yaml syntax error"])
def test_cli_validate_shows_the_same(tmp_path, name):
    if name == "yaml syntax error":
        path, fragments = _write(tmp_path, name, _syntax_error_text()), [f"line {YAML_ERROR_LINE}", "not valid YAML"]
    else:
        build, fragments = CASES[name]
        path = _write(tmp_path, name, build() if callable(build) else build)
    r = _cli_validate(path)
    assert r.exit_code == 1, r.output
    assert isinstance(r.exception, SystemExit)
    out = r.output
    assert "Error:" in out
    assert "Traceback" not in out
    squashed = _squash(out)
    assert _squash(str(path)) in squashed
    for frag in fragments:
        assert _squash(frag) in squashed, f"{frag!r} not in:\n{out}"


def test_cli_validate_mixed_files(tmp_path):
    good = _write(tmp_path, "good", valid_dict())
    bad = _write(tmp_path, "bad", CASES["contiguity air"][0]())
    r = _cli_validate(good, bad)
    assert r.exit_code == 1
    assert _squash("ok (tiny-theatre, 2 clients)") in _squash(r.output)
    assert _squash(str(bad)) in _squash(r.output)
    r = _cli_validate(good)
    assert r.exit_code == 0 and "ok" in r.output


def test_valid_dict_is_not_mutated_by_cases():
    before = copy.deepcopy(valid_dict())
    for build, _ in CASES.values():
        if callable(build):
            build()
    assert valid_dict() == before
