"""Regression tests for the hardening items: bad input gets a clear message naming file, line,
field and what was expected, with exit 1 and no traceback; nothing non-finite reaches a result;
text in brackets prints as written; output paths are never created or overwritten silently.

Each test goes through the command line (click's CliRunner) as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.scenarios.catalog import get

BUILTIN = Path(__file__).resolve().parents[1] / "src" / "pactlab" / "scenarios" / "builtin"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    from pactlab import cli

    for con in (cli.console, cli.err_console):
        monkeypatch.setattr(con, "width", 200)


def invoke(*args):
    return CliRunner().invoke(main, list(map(str, args)), prog_name="pactlab")


def _squash(text: str) -> str:
    return "".join(text.split())


def _clean_error(r, *fragments):
    """exit 1, a printed ``Error:``, no traceback, and every fragment in the output."""
    assert r.exit_code == 1, f"exit {r.exit_code}\n{r.output}\n{r.exception!r}"
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    assert "Error:" in r.output
    for f in fragments:
        assert _squash(f) in _squash(r.output), f"{f!r} not in\n{r.output}"


def _text(name: str) -> str:
    return (BUILTIN / f"{name}.yaml").read_text(encoding="utf-8")


def _write(tmp_path, name: str, text: str) -> Path:
    p = tmp_path / f"{name}.yaml"
    p.write_text(text, encoding="utf-8")
    return p


TREND = "value: 1.0\n  source: nmc\n  rule: TREND1"  # europe-1949's threat_trend block
USA_CAP = "value: 0.29466"  # europe-1949's patron capability


# ---------------------------------------------------------------- 1. square brackets in user text

def test_unknown_key_with_markup_is_printed_as_written(tmp_path):
    p = _write(tmp_path, "markup", _text("europe-1949").replace("year: 1949", 'year: 1949\n"[/bold]": 3', 1))
    for cmd in ("validate", "run"):
        _clean_error(invoke(cmd, p), "[/bold]: unknown field")


def test_title_with_brackets_prints_verbatim(tmp_path):
    title = "Korea 1953 [draft] [see notes] [/nonexistent]"
    text = _text("korea-1953").replace("title: ", f'title: "{title}"\nx_old_title: ', 1)
    text = "\n".join(line for line in text.splitlines() if not line.startswith("x_old_title")) + "\n"
    p = _write(tmp_path, "k", text)
    r = invoke("run", p)
    assert r.exit_code == 0, r.output
    assert title in r.output


def test_id_pattern_shown_in_full(tmp_path):
    p = _write(tmp_path, "badid", _text("korea-1953").replace("id: korea-1953", "id: Korea_1953", 1))
    _clean_error(invoke("validate", p), "^[a-z0-9][a-z0-9-]*$", "'Korea_1953'")


# ---------------------------------------------------------------- 2, 3. bounds and finiteness

@pytest.mark.parametrize("value, fragments", [
    (".inf", ["threat_trend.value", "finite number", "inf"]),
    (".nan", ["threat_trend.value", "finite number", "nan"]),
    ("1e6", ["threat_trend.value", "-1, 0 or 1", "1000000.0"]),
    ("0.5", ["threat_trend.value", "-1, 0 or 1", "0.5"]),
])
def test_threat_trend_bounds(tmp_path, value, fragments):
    p = _write(tmp_path, "trend", _text("europe-1949").replace(TREND, TREND.replace("1.0", value)))
    _clean_error(invoke("validate", p), str(p), *fragments)
    _clean_error(invoke("run", p), *fragments)


@pytest.mark.parametrize("value", ["1e300", "1e-320", "2.0", "1e-7"])
def test_capability_outside_the_unit_range(tmp_path, value):
    p = _write(tmp_path, "cap", _text("europe-1949").replace(USA_CAP, f"value: {value}"))
    _clean_error(invoke("validate", p), "actors[0] (USA).capability.value", "outside the range for cinc-share",
                 "1e-06 to 1")


def test_capability_range_follows_the_declared_unit(tmp_path):
    # a US$-billion file: indo-pacific-2025 (CINC since the CAP1 recode) with its capabilities restated in
    # US$ billion under a SIPRI measure (the US at SIPRI 2024's 997.0)
    d = yaml.safe_load(_text("indo-pacific-2025"))
    d["capability_measure"] = "Military expenditure 2024, current US$ billion (SIPRI)."
    for a in d["actors"]:
        a["capability"]["value"] = 997.0 if a["id"] == "USA" else round(a["capability"]["value"] * 8000, 1)
    text = yaml.safe_dump(d, sort_keys=False)
    assert "value: 997.0" in text
    ok = _write(tmp_path, "usd", text)
    assert invoke("validate", ok).exit_code == 0
    as_cinc = _write(tmp_path, "cinc", text.replace("capability_measure:", "capability_unit: cinc-share\n"
                                                                            "capability_measure:", 1))
    _clean_error(invoke("validate", as_cinc), "(USA).capability.value: 997.0 is outside the range for cinc-share")
    huge = _write(tmp_path, "huge", text.replace("value: 997.0", "value: 1e155"))
    _clean_error(invoke("validate", huge), "outside the range for usd-billion", "0.001 to 100000")


def test_distance_beyond_half_the_earth(tmp_path):
    d = yaml.safe_load(_text("korea-1953"))
    d["geography"][0]["distance_km"] = 20015.0 * 2
    p = _write(tmp_path, "far", yaml.safe_dump(d, sort_keys=False))
    _clean_error(invoke("validate", p), "geography[0].distance_km", "20100")


def test_json_output_is_rfc8259():
    r = invoke("run", "europe-1949", "--format", "json")
    assert r.exit_code == 0
    json.loads(r.output, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_json_writer_refuses_non_finite():
    from pactlab.errors import PactlabError
    from pactlab.files import json_dumps

    with pytest.raises(PactlabError, match=r"margins\[1\]"):
        json_dumps({"margins": [0.1, float("nan")]})


# ---------------------------------------------------------------- 12. error messages

def test_bare_number_names_what_is_expected(tmp_path):
    p = _write(tmp_path, "bare", _text("europe-1949").replace("capability:\n    value: 0.29466",
                                                               "capability: 0.29466\n  x_capability:\n    value: 0.29466"))
    r = invoke("validate", p)
    _clean_error(r, "(USA).capability: expected a mapping with 'value' (a number above 0) and 'source', got 0.29466")
    assert "SourcedPositive" not in r.output


def test_errors_carry_line_numbers(tmp_path):
    text = _text("europe-1949")
    lines = text.splitlines()
    line = next(i for i, x in enumerate(lines, 1) if x.strip() == USA_CAP)
    p = _write(tmp_path, "line", text.replace(USA_CAP, "value: true"))
    _clean_error(invoke("validate", p), f"line {line}: actors[0] (USA).capability.value: expected a number, "
                                        "got the boolean true")


def test_cross_field_problems_one_per_line(tmp_path):
    d = yaml.safe_load(_text("korea-1953"))
    d["geography"][0]["a"] = "ZZZ"
    d["geography"][1]["b"] = "YYY"
    p = _write(tmp_path, "cross", yaml.safe_dump(d, sort_keys=False))
    r = invoke("validate", p)
    _clean_error(r)
    bad = [x for x in r.output.splitlines() if "unknown actor" in x]
    assert len(bad) == 2, r.output
    assert all(x.strip().startswith("- line ") and "geography[" in x for x in bad), r.output
    assert "(top level)" not in r.output


def test_binary_file_is_not_echoed(tmp_path):
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    r = invoke("validate", p)
    _clean_error(r, "binary file")
    assert "PK" not in r.output


# ---------------------------------------------------------------- 13. rules the format states

def test_duplicate_yaml_key(tmp_path):
    text = _text("europe-1949").replace("year: 1949", "year: 1949\nyear: 1890", 1)
    line = text.splitlines().index("year: 1890") + 1
    _clean_error(invoke("validate", _write(tmp_path, "dup", text)), f"line {line}", "duplicate key 'year'")


def _mutated(tmp_path, name, change):
    d = yaml.safe_load(_text("europe-1949"))
    change(d)
    return _write(tmp_path, name, yaml.safe_dump(d, sort_keys=False))


def _actor(d, ident):
    return next(a for a in d["actors"] if a["id"] == ident)


@pytest.mark.parametrize("name, change, fragments", [
    ("bool-capability", lambda d: _actor(d, "USA")["capability"].update(value=True),
     ["(USA).capability.value", "expected a number, got the boolean true"]),
    ("event-after-date", lambda d: d["events"][0].update(date="1950-01-01"),
     ["events[0].date: 1950-01-01 is after the scenario date (1949-04-04)"]),
    ("treaty-after-date", lambda d: d["treaties"][0].update(since="1950-06-01"),
     ["treaties[0]", "since: 1950-06-01 is after the scenario date"]),
    ("date-contradicts-year", lambda d: d.update(date="1950-04-04"),
     ["date: 1950-04-04 is not in the scenario year 1949"]),
    ("dispute-non-clients", lambda d: d.update(disputes=[{"a": "USA", "b": "UK", "intensity": 0.2,
                                                          "source": "nmc"}]),
     ["disputes[0]: 'USA' is a patron; a dispute is between two clients"]),
    ("self-tie", lambda d: d["geography"][0].update(b=d["geography"][0]["a"]),
     ["geography[0]", "a tie joins two different actors"]),
    ("member-twice", lambda d: d["treaties"][0]["members"].append(d["treaties"][0]["members"][0]),
     ["treaties[0]", "members", "more than once"]),
])
def test_format_rules(tmp_path, name, change, fragments):
    _clean_error(invoke("validate", _mutated(tmp_path, name, change)), *fragments)


# ---------------------------------------------------------------- 14. output paths

def test_several_reports_need_a_folder(tmp_path):
    target = tmp_path / "multi.html"
    _clean_error(invoke("run", "europe-1949", "korea-1953", "--report", target), "give a folder")
    assert not target.exists()


def test_report_parent_created_only_with_flag(tmp_path):
    target = tmp_path / "no" / "such" / "x.html"
    _clean_error(invoke("run", "korea-1953", "--report", target), "does not exist", "--parents")
    assert not (tmp_path / "no").exists()
    r = invoke("run", "korea-1953", "--report", target, "--parents")
    assert r.exit_code == 0, r.output
    assert target.read_text().startswith("<!DOCTYPE html>") or "<html" in target.read_text()


def test_report_not_overwritten_without_force(tmp_path):
    target = tmp_path / "x.html"
    target.write_text("mine")
    _clean_error(invoke("run", "korea-1953", "--report", target), "already exists", "--force")
    assert target.read_text() == "mine"
    assert invoke("run", "korea-1953", "--report", target, "--force").exit_code == 0
    assert target.read_text() != "mine"


def test_reports_into_a_folder(tmp_path):
    r = invoke("run", "europe-1949", "korea-1953", "--report", tmp_path / "out")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["europe-1949.html", "korea-1953.html"]


# ---------------------------------------------------------------- 15. small CLI quirks

def test_validate_accepts_builtin_ids():
    r = invoke("validate", "europe-1949")
    assert r.exit_code == 0, r.output
    assert "ok (europe-1949" in r.output


def test_no_arguments_prints_help_and_exits_0():
    r = invoke()
    assert r.exit_code == 0
    assert "Commands:" in r.output


def test_oversized_scenario_refused_before_reading(tmp_path, monkeypatch):
    from pactlab.scenarios import loader

    monkeypatch.setattr(loader, "MAX_BYTES", 1000)
    p = _write(tmp_path, "big", _text("korea-1953"))
    _clean_error(invoke("validate", p), "a scenario file is at most")


# ---------------------------------------------------------------- 8. terms defined

def test_glossary_defines_every_term_run_prints():
    from pactlab import designs, glossary

    r = invoke("glossary")
    assert r.exit_code == 0
    for term in ("probed", "client welfare", "block", "lone", "payoff units", "patron pledge", "margin",
                 "treaties predicted", *designs.DESIGNS):
        assert term in r.output, term
    out = invoke("run", "europe-1949").output
    assert "pactlab glossary" in out
    assert set(designs.DEFINITIONS) == set(designs.DESIGNS)
    assert glossary.markdown().startswith("# Glossary")


def test_glossary_doc_in_step():
    from pactlab import glossary

    doc = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"
    assert doc.read_text(encoding="utf-8").strip() == glossary.markdown().strip(), "regenerate: pactlab glossary --format markdown > docs/glossary.md"


# ---------------------------------------------------------------- 9. one design vocabulary

def test_one_design_vocabulary():
    from pactlab import designs
    from pactlab.evidence.backtest import design_label as backtest_label
    from pactlab.evidence.cases import case_table

    for s, r, c in case_table():
        assert r.design in designs.DESIGNS
        assert c.predicted_design == r.design, (s.id, c.predicted_design, r.design)
        if s.record is not None:
            assert s.record.design in designs.DESIGNS
    assert get("europe-1948").record.design == "clients-only"
    assert backtest_label([[1], [2, 3]]) == designs.design_label([(1, True), (2, True)]) == "hub-and-spoke"
    out = invoke("cases").output
    assert "mixed" not in out


def _bracket_scenario(tmp_path) -> Path:
    """korea-1953 with "[/bold]" and "[draft]" in its title, a client's name and a source note."""
    text = _text("korea-1953")
    old = "title: US-Republic of Korea Mutual Defense Treaty, 1 October 1953\n"
    assert old in text
    text = text.replace(old, 'title: "Korea [/bold] [draft] treaty"\n', 1)
    text = text.replace("name: South Korea (Republic of Korea)", 'name: "South Korea [/bold] [draft]"', 1)
    text = text.replace("note: After the Vandenberg Resolution.", 'note: "After [draft] the [/bold] resolution."', 1)
    return _write(tmp_path, "brackets", text)


def test_brackets_print_verbatim_in_run_validate_and_explore(tmp_path):
    """Item 1: user text with markup-like brackets prints as written in every command that shows it."""
    p = _bracket_scenario(tmp_path)
    title = "Korea [/bold] [draft] treaty"
    r = invoke("validate", p)
    assert r.exit_code == 0 and "ok (korea-1953" in r.output, r.output
    r = invoke("run", p)
    assert r.exit_code == 0, r.output
    assert title in r.output
    r = invoke("explore", "montecarlo", p, "--draws", 12, "--seed", 1, "--chunk-size", 6, "--out", tmp_path / "mc")
    assert r.exit_code == 0, r.output
    assert f"Monte Carlo: {title}" in r.output
    r = invoke("explore", "query", tmp_path / "mc", "SELECT '[/bold] [draft]' AS label, count(*) AS n FROM draws")
    assert r.exit_code == 0, r.output
    assert "[/bold] [draft]" in r.output


def test_case_table_prints_without_markup_errors():
    r = invoke("cases")
    assert r.exit_code == 0, r.output
    assert "Case table" in r.output


# ---------------------------------------------------------------- 8. pledges in force vs new

def test_pacts_in_force_are_not_listed_as_new_commitments():
    """indo-pacific-2025: the US pacts in force with Japan, Korea, the Philippines and Australia are
    kept, not new; the new-commitments table must not hold them, and the clients table must say that
    Japan's defence pledge is the one in force (the patron's comparison for Japan reads 'no pledge')."""
    r = invoke("run", "indo-pacific-2025")
    assert r.exit_code == 0, r.output
    out = r.output
    new_part = out.split("Treaties predicted (new commitments)")[1].split("Patron pacts in force that the design keeps")[0]
    assert "renewal" not in new_part and "JPN" not in new_part
    kept_part = out.split("Patron pacts in force that the design keeps")[1].split("In force before")[0]
    assert "us-japan-1960" in kept_part
    assert "not repeated above" not in out
    jpn = next(line for line in out.splitlines() if line.startswith("│ JPN "))
    assert "defend (in force)" in jpn
    twn = next(line for line in out.splitlines() if line.startswith("│ TWN "))
    assert "defend (new)" in twn


def test_glossary_defines_every_origin_the_model_produces():
    from pactlab import glossary
    from pactlab.model.solve import solve
    from pactlab.scenarios.catalog import catalog, get

    origins = {t.origin for e in catalog() for t in solve(get(e.id)).treaties}
    assert "renewal" in origins
    for o in origins:
        assert f"{o} (" in glossary.TERMS["origin"], o


# ---------------------------------------------------------------- output file modes

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def umask_022():
    import os

    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(p: Path) -> int:
    return p.stat().st_mode & 0o777


def test_writers_give_files_the_umask_mode(tmp_path, umask_022):
    """Files pactlab writes are 0666 less the umask, like any other program's: an atomic write
    (temporary file then rename) used to leave them 0600."""
    from pactlab.files import RowAppender, atomic_write_json, atomic_write_text

    atomic_write_text(tmp_path / "a.txt", "x\n")
    atomic_write_json(tmp_path / "b.json", {"x": 1})
    with RowAppender(tmp_path / "c.csv", ["x"]) as w:
        w.write([1])
    atomic_write_text(tmp_path / "a.txt", "again\n")  # overwriting keeps the normal mode too
    assert {p.name: _mode(p) for p in tmp_path.iterdir()} == {"a.txt": 0o644, "b.json": 0o644, "c.csv": 0o644}


def test_atomic_write_follows_a_private_umask(tmp_path):
    import os

    from pactlab.files import atomic_write_text

    old = os.umask(0o077)
    try:
        atomic_write_text(tmp_path / "a.txt", "x\n")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.txt") == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left behind


def test_replicate_files_get_the_umask_mode(tmp_path, umask_022):
    r = invoke("replicate", tmp_path / "rep", "--only", "cases")
    assert r.exit_code == 0, r.output
    modes = {p.name: _mode(p) for p in (tmp_path / "rep").iterdir() if p.is_file()}
    assert modes and set(modes.values()) == {0o644}, modes


@pytest.mark.data
@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data folder {DATA} not found (needs ../shared/data)")
def test_backtest_out_files_get_the_umask_mode(tmp_path, umask_022):
    r = invoke("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", tmp_path / "bt")
    assert r.exit_code == 0, r.output
    modes = {p.name: _mode(p) for p in (tmp_path / "bt").iterdir() if p.is_file()}
    assert {"episodes.csv", "clients.csv", "manifest.json", "scoreboard.json"} <= set(modes), modes
    assert set(modes.values()) == {0o644}, modes


# ---------------------------------------------------------------- the missing --data hint

@pytest.mark.parametrize("command", ["backtest", "episodes", "cite"])
def test_missing_data_hint_names_the_command_run(monkeypatch, command):
    monkeypatch.delenv("PACTLAB_DATA", raising=False)
    r = invoke(command)
    out = " ".join(r.output.split())
    assert r.exit_code == 1 and "Error: no data directory given" in out and "Traceback" not in out
    assert f"(e.g. pactlab {command} --data DIR)" in out, out
    if command != "cite":
        assert "pactlab cite" not in out


# ---------------------------------------------------------------- plural and heading

def test_validate_counts_one_client_in_the_singular(write_yaml):
    from conftest import valid_dict

    d = valid_dict()
    d["actors"] = [a for a in d["actors"] if a["id"] != "BBB"]
    d["geography"] = [g for g in d["geography"] if "BBB" not in (g["a"], g["b"])]
    r = invoke("validate", write_yaml(d))
    assert r.exit_code == 0, r.output
    assert "(tiny-theatre, 1 client)" in r.output
    r = invoke("validate", write_yaml(valid_dict(), "two.yaml"))
    assert "(tiny-theatre, 2 clients)" in r.output


def test_run_heading_says_built_from_data_once(tmp_path):
    from worlds import small_world

    p = small_world(tmp_path / "w")
    out = tmp_path / "b.yaml"
    r = invoke("build", "--data", p, "--patron", 2, "--year", 1902, "--clients", "20,230", "--adversary", 365,
               "--out", out)
    assert r.exit_code == 0, r.output
    r = invoke("run", out)
    assert r.exit_code == 0, r.output
    head = next(ln for ln in r.output.splitlines() if "Russia" in ln and "1902" in ln)
    assert head.count("built from data") == 1, head
    assert "(built from data, 1902, historical)" in head, head
