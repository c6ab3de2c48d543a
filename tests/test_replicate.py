"""`pactlab replicate`: the published results written into one folder, with a manifest, safe to re-run."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pactlab.cli import main
from pactlab.model.params import DEFAULT
from pactlab.scenarios.catalog import catalog


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="pactlab")


def test_replicate_writes_the_tables_with_a_manifest_and_resumes(tmp_path):
    out = tmp_path / "rep"
    r = _invoke("replicate", out, "--only", "cases,indo-pacific,robustness", "--draws", "2", "--format", "json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["run"] == ["cases", "indo-pacific", "robustness"] and res["reused"] == []
    for f in res["files"]:
        assert (out / f).stat().st_size > 0, f
    cases = json.loads((out / "cases.json").read_text())
    assert {c["scenario"] for c in cases} == {e.id for e in catalog()}
    head = json.loads((out / "indo-pacific-2025.json").read_text())
    assert head["design"] and "<html" in (out / "indo-pacific-2025.html").read_text().lower()
    rob = json.loads((out / "robustness.json").read_text())
    assert rob["draws"] == 2 and set(rob["shares"]) == {e.id for e in catalog()}
    m = json.loads((out / "manifest.json").read_text())
    assert m["kind"] == "replicate" and m["parameters"] == DEFAULT.digest()
    assert m["extra"]["draws"] == 2 and len(m["scenario"]) == len(catalog())

    again = _invoke("replicate", out, "--only", "cases,indo-pacific,robustness", "--draws", "2")
    assert again.exit_code == 1 and "already holds" in again.output and "Traceback" not in again.output
    (out / "robustness.md").unlink()
    r = _invoke("replicate", out, "--only", "cases,indo-pacific,robustness", "--draws", "2", "--resume",
                "--format", "json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["reused"] == ["cases", "indo-pacific"] and res["run"] == ["robustness"]
    assert (out / "robustness.md").exists()
    other = _invoke("replicate", out, "--only", "cases,indo-pacific,robustness", "--draws", "3", "--resume")
    assert other.exit_code == 1 and "draws" in other.output


def test_replicate_refuses_bad_options(tmp_path):
    r = _invoke("replicate", tmp_path / "x", "--only", "cases,nato")
    assert r.exit_code == 2 and "unknown step nato" in r.output
    r = _invoke("replicate", tmp_path / "x", "--draws", "0")
    assert r.exit_code == 2 and "positive number" in r.output
