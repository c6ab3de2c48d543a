"""The run manifest (pactlab.manifest) and the safe-writing helpers (pactlab.files)."""

from __future__ import annotations

import csv
import io
import json
import math
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactlab import files as F
from pactlab import manifest as M
from pactlab.model.params import DEFAULT, Parameters


def _rec(sha="a" * 64, file="cow_nmc.csv", version="7.0"):
    return {"title": "COW National Material Capabilities (NMC)", "file": file, "version": version,
            "version_basis": "coverage", "coverage": [1816, 2022], "rows": 10, "sha256": sha, "bytes": 5}


def _m(**kw):
    base = dict(data={"nmc": _rec()}, years=(1816, 1955), windows=5, parameters=DEFAULT)
    base.update(kw)
    return M.build("backtest", **base)


# --------------------------------------------------------------------------- manifests
def test_a_manifest_matches_itself_and_ignores_info():
    a, b = _m(), _m(info={"note": "another time"})
    assert a["format"] == M.FORMAT and a["parameters"] == DEFAULT.digest() and a["info"]["created"]
    assert M.check_matches(a, b) == []


def test_differences_are_listed_one_per_line_in_words():
    a = _m(seed=1, extra={"grid": [1, 2]})
    b = _m(data={"nmc": _rec(sha="b" * 64, file="NMC-60-abridged.csv", version="6.0"), "states": _rec()},
           years=(1900, 1955), parameters=Parameters(base_hazard=0.05), seed=2, extra={"grid": [1, 3]})
    d = M.check_matches(a, b)
    assert "years: 1816-1955 in the earlier run, 1900-1955 now" in d
    assert any(x.startswith("model parameters (digest): ") for x in d)
    assert "seed: 1 in the earlier run, 2 now" in d
    assert "grid: [1, 2] in the earlier run, [1, 3] now" in d
    nmc = next(x for x in d if x.startswith("data set nmc"))
    assert "cow_nmc.csv v7.0, sha256 aaaaaaaaaaaa in the earlier run" in nmc and "NMC-60-abridged.csv v6.0" in nmc
    assert any(x.startswith("data set states") and "not read by the earlier run" in x for x in d)
    assert len(d) == 6


def test_scenarios_are_recorded_by_id_and_hash():
    from pactlab.scenarios.catalog import get

    s = get("europe-1949")
    m = M.build("sweep", scenario=s, seed=7)
    assert m["scenario"]["id"] == "europe-1949" and len(m["scenario"]["hash"]) == 16
    assert M.build("sweep", scenario=[s, s])["scenario"][1] == m["scenario"]


def test_write_is_atomic_and_read_checks_the_format(tmp_path):
    p = tmp_path / "manifest.json"
    M.write(p, _m())
    assert M.read(p)["kind"] == "backtest"
    assert [x.name for x in tmp_path.iterdir()] == ["manifest.json"]  # no temporary file left
    p.write_text("{not json")
    with pytest.raises(M.ManifestError, match="not a readable run manifest"):
        M.read(p)
    p.write_text('{"format": "something else"}')
    with pytest.raises(M.ManifestError, match="not a pactlab run manifest"):
        M.read(p)


def test_open_run_follows_the_resume_fresh_convention(tmp_path):
    out = tmp_path / "run"
    res = ("rows.csv",)
    assert M.open_run(out, _m(), resume=False, fresh=False, results=res) == "new"
    (out / "rows.csv").write_text("a\n1\n")
    # neither flag: refused, nothing overwritten
    with pytest.raises(M.RunMismatch, match="--resume to continue it, --fresh"):
        M.open_run(out, _m(), resume=False, fresh=False, results=res)
    assert (out / "rows.csv").read_text() == "a\n1\n"
    assert M.open_run(out, _m(), resume=True, fresh=False, results=res) == "resume"
    with pytest.raises(M.RunMismatch, match="years: 1816-1955 in the earlier run, 1900-1955 now"):
        M.open_run(out, _m(years=(1900, 1955)), resume=True, fresh=False, results=res)
    with pytest.raises(M.RunMismatch, match="contradict"):
        M.open_run(out, _m(), resume=True, fresh=True, results=res)
    (out / "mine.txt").write_text("keep me")
    assert M.open_run(out, _m(years=(1900, 1955)), resume=False, fresh=True, results=res) == "new"
    assert not (out / "rows.csv").exists() and (out / "mine.txt").exists()  # only the command's own files go
    assert M.read(out / M.MANIFEST)["years"] == [1900, 1955]
    # results with no manifest cannot be checked: refused
    (out / M.MANIFEST).unlink()
    (out / "rows.csv").write_text("a\n")
    with pytest.raises(M.RunMismatch, match="no manifest.json"):
        M.open_run(out, _m(), resume=True, fresh=False, results=res)


def test_data_records_carry_checksums(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"abc")
    assert M.sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    class Info:
        key, title, path, version, version_basis, coverage, rows = "k", "T", p, "1", "file name", (1, 2), 1

    r = M.dataset_record(Info)
    assert r["sha256"].startswith("ba7816bf") and r["bytes"] == 3 and r["file"] == "x.csv"


# --------------------------------------------------------------------------- JSON
def test_json_refuses_non_finite_numbers_and_says_where():
    import numpy as np

    assert json.loads(F.json_dumps({"a": [1.5, np.float64(2.0), np.int64(3)]})) == {"a": [1.5, 2.0, 3]}
    for bad in (float("nan"), float("inf"), -math.inf, np.float64("nan")):
        with pytest.raises(F.NonFiniteError, match=r"at x\.y\[1\]"):
            F.json_dumps({"x": {"y": [0.0, bad]}})
    assert F.json_dumps(F.finite_or_none({"m": float("nan")})) == '{\n  "m": null\n}'


# --------------------------------------------------------------------------- CSV rows
rows_st = st.lists(st.lists(st.text(alphabet=st.sampled_from('ab,"\n\r x'), max_size=6), min_size=3, max_size=3),
                   max_size=6)


@given(rows_st, st.integers(0, 10_000))
def test_truncation_keeps_exactly_the_complete_rows(rows, cut):
    text = "".join(F.csv_line(r) for r in [["h1", "h2", "h3"], *rows])
    data = text.encode()
    cut = cut % (len(data) + 1)
    part = data[:cut]
    end = F.last_complete_row_end(part)
    kept = list(csv.reader(io.StringIO(part[:end].decode(), newline="")))
    full = list(csv.reader(io.StringIO(text, newline="")))
    assert kept == full[: len(kept)]  # a prefix of whole rows, never a torn one
    # every row whose last byte is within the cut is kept
    ends = [len("".join(F.csv_line(r) for r in full[: i + 1]).encode()) for i in range(len(full))]
    assert len(kept) == sum(1 for e in ends if e <= cut)


def test_row_appender_cuts_a_torn_row_and_appends_whole_rows(tmp_path):
    p = tmp_path / "rows.csv"
    with F.RowAppender(p, ["a", "b"], append=True) as w:
        w.write(["1", "x\ny"])
        w.write({"a": "2", "b": None})
    with p.open("ab") as fh:
        fh.write(b'3,"torn')
    w = F.RowAppender(p, ["a", "b"], append=True)
    assert w.cut == len(b'3,"torn')
    w.write(["3", "z"])
    w.close()
    assert list(csv.reader(p.open(newline=""))) == [["a", "b"], ["1", "x\ny"], ["2", ""], ["3", "z"]]
    with F.RowAppender(p, ["a", "b"], append=False) as w:  # not appending: a new file
        pass
    assert p.read_bytes() == b"a,b\r\n"
    with pytest.raises(ValueError, match="row has 1 fields"):
        with F.RowAppender(p, ["a", "b"]) as w:
            w.write(["only one"])


# --------------------------------------------------------------------------- output paths
def test_output_paths_need_force_and_parents(tmp_path):
    f = tmp_path / "r.html"
    assert F.output_file(f) == f
    f.write_text("x")
    with pytest.raises(F.OutputPathError, match="already exists; add --force"):
        F.output_file(f)
    assert F.output_file(f, force=True) == f
    with pytest.raises(F.OutputPathError, match="is a folder"):
        F.output_file(tmp_path)
    deep = tmp_path / "no" / "such" / "r.html"
    with pytest.raises(F.OutputPathError, match="does not exist; create it first, or add --parents"):
        F.output_file(deep)
    assert not (tmp_path / "no").exists()
    F.output_file(deep, parents=True)
    assert deep.parent.is_dir()
    with pytest.raises(F.OutputPathError, match="is a file"):
        F.output_folder(f)
    assert F.output_folder(tmp_path / "new").is_dir()
    with pytest.raises(F.OutputPathError, match="does not exist"):
        F.output_folder(tmp_path / "a" / "b")
    assert os.path.isdir(F.output_folder(tmp_path / "a" / "b", parents=True))
