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


def test_replicate_with_data_records_checksums_and_says_what_changed(tmp_path):
    """--data adds the tables that need the record (here the cases rebuilt from the shared data),
    the manifest records the data files' checksums, and --against names the files and values that
    changed."""
    import pytest

    from pactlab.replicate import changes

    shared = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip(f"shared data folder {shared} not found")
    a, b = tmp_path / "a", tmp_path / "b"
    r = _invoke("replicate", a, "--data", shared, "--only", "cases,cases-built", "--format", "json")
    assert r.exit_code == 0, r.output
    m = json.loads((a / "manifest.json").read_text())
    assert {"atop_alliances", "nmc", "terrthreat"} <= set(m["data"]) and m["years"] == [1816, 1955]
    rows = json.loads((a / "cases-built.json").read_text())
    assert {x["scenario"] for x in rows} == {c["scenario"] for c in json.loads((a / "cases.json").read_text())
                                              if c["kind"] == "historical"}
    r = _invoke("replicate", b, "--data", shared, "--only", "cases,cases-built", "--against", a)
    assert r.exit_code == 0 and "none changed" in r.output
    # a changed value is named, as a path into the JSON
    body = json.loads((b / "cases.json").read_text())
    body[0]["exact_paper"] = not body[0]["exact_paper"]
    (b / "cases.json").write_text(json.dumps(body))
    ch = {c["file"]: c for c in changes(b, a, ["cases.json", "cases.csv"])}
    assert ch["cases.json"]["status"] == "changed" and ch["cases.json"]["values_changed"] == 1
    assert ch["cases.json"]["first"] == ["[0].exact_paper"] and ch["cases.csv"]["status"] == "same"


def test_replicate_data_steps_need_data(tmp_path):
    r = _invoke("replicate", tmp_path / "x", "--only", "backtest")
    assert r.exit_code == 2 and "--data" in r.output and "Traceback" not in r.output
    r = _invoke("replicate", tmp_path / "x", "--only", "cases", "--against", tmp_path / "nowhere")
    assert r.exit_code == 2 and "--against" in r.output


def test_replicate_fits_and_comparisons_on_a_small_world(tmp_path):
    """The data steps that run `pactlab fit` and `pactlab compare` as the docs cite them, on the
    suite's small synthetic COW/ATOP world (windows to 1915, split 1901): each writes its files,
    the fitted file is a Cohen parameter file, and the case table at it is the one `cases --params`
    gives."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from worlds import small_world

    from pactlab.evidence.cases import case_table, json_rows, params_from_file

    small_world(tmp_path / "w")
    out = tmp_path / "rep"
    r = _invoke("replicate", out, "--data", tmp_path / "w", "--to", 1915, "--split", 1901,
                "--only", "fit-train,fit-all,compare", "--format", "json")
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert res["run"] == ["fit-train", "fit-all", "compare"]
    for f in res["files"]:
        assert (out / f).stat().st_size > 0, f
    fit = json.loads((out / "cohen-train.json").read_text())
    assert fit["theory"] == "cohen[precision]" and fit["fitted"] == ["precision"]
    assert fit["provenance"]["years"][1] == 1900
    p = params_from_file(out / "cohen-train.json")
    want = json.loads(json.dumps(json_rows(case_table(p))))
    assert json.loads((out / "cases-cohen-train.json").read_text()) == want
    cmp = json.loads((out / "compare.json").read_text())
    assert cmp["record"]["split"] == 1901 and cmp["record"]["status"] == "run"
    assert json.loads((out / "manifest.json").read_text())["extra"]["split"] == 1901


def test_replicate_tipping_and_montecarlo_steps(tmp_path, monkeypatch):
    """The explore steps write the docs' commands' JSON and the tipping report (the figures)."""
    import pactlab.replicate as rep

    calls = []
    real = rep._command

    def small(args, stdout=None):  # the same commands at a size a test can afford
        args = [str(a) for a in args]
        calls.append(args[:3])
        if args[1] == "tipping":
            if "--vary" in args:
                args[args.index("--vary") + 1] = "PRC.maritime_reach"
                args[args.index("--curve-draws") + 1] = "2"
            else:
                args += ["--vary", "PRC.maritime_reach"]
            args += ["--grid", "3", "--steps", "2", "--joint", "0"]
        else:
            args[args.index("--draws") + 1] = "8"
        real(args, stdout)

    monkeypatch.setattr(rep, "_command", small)
    out = tmp_path / "rep"
    r = _invoke("replicate", out, "--only", "tipping,montecarlo", "--format", "json")
    assert r.exit_code == 0, r.output
    assert calls == [["explore", "tipping", "indo-pacific-2025"]] * 2 + [["explore", "montecarlo", "indo-pacific-2025"]]
    tip = json.loads((out / "tipping-indo-pacific-2025.json").read_text())
    curves = json.loads((out / "tipping-curves-indo-pacific-2025.json").read_text())
    assert tip["target"] == curves["target"] == "multilateral" and curves["curves"]
    html = (out / "tipping-curves-indo-pacific-2025.html").read_text()
    assert "<svg" in html or "<img" in html  # the curves' figure
    mc = json.loads((out / "montecarlo-indo-pacific-2025.json").read_text())
    assert mc["draws"] == 8 and (out / "montecarlo-indo-pacific-2025" / "manifest.json").exists()
