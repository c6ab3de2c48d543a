"""Corrupt data files: each loader says which file is wrong and how, instead of accepting the
values silently (a negative CINC read as 'negligible'; capital latitudes as text turning into
fallback distances; an NMC file cut in half scored as if complete). Truncated, negative,
wrong-typed, missing-column and empty files, per loader; the files are made in tmp_path from the
shared reference files where a full-size file matters."""

from __future__ import annotations

from pathlib import Path

import pytest

from pactlab.data import DataFileInvalid, open_data

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cow"
NMC_HEAD = "ccode,year,milex,milper,irst,pec,tpop,upop,cinc\n"
CAP_HEAD = "ccode,statenme,capital,stdate,enddate,lat,lng\n"


def _load(tmp_path, name, text, attr):
    (tmp_path / name).write_text(text)
    return getattr(open_data(tmp_path), attr)()


def _fails(tmp_path, name, text, attr, *fragments):
    with pytest.raises(DataFileInvalid) as e:
        _load(tmp_path, name, text, attr)
    msg = str(e.value)
    assert name in msg
    for f in fragments:
        assert f in msg, f"{f!r} not in {msg}"


@pytest.mark.parametrize("text, fragments", [
    (NMC_HEAD + "2,1950,10,1,1,1,100,10,-1\n", ["column 'cinc'", "0 to 1", "'-1' at ccode 2, year 1950"]),
    (NMC_HEAD + "2,1950,10,-5,1,1,100,10,0.2\n", ["column 'milper'", "'-5'"]),
    (NMC_HEAD + "2,1950,10,1,1,1,100,10,1.5\n", ["column 'cinc'", "0 to 1"]),
    (NMC_HEAD + "2,1950,10,1,1,1,100,10,high\n", ["column 'cinc' must hold numbers", "'high'"]),
    ("ccode,year,milex\n2,1950,10\n", ["missing required column"]),
    ("", ["empty"]),
    (NMC_HEAD, ["no data rows"]),
])
def test_nmc_corrupt(tmp_path, text, fragments):
    _fails(tmp_path, "cow_nmc.csv", text, "nmc", *fragments)


def test_nmc_missing_code_is_not_negative(tmp_path):
    df = _load(tmp_path, "cow_nmc.csv", NMC_HEAD + "2,1950,-9,1,1,1,100,10,0.2\n", "nmc")
    assert df.milex.isna().all() and df.cinc.iloc[0] == 0.2


@pytest.mark.skipif(not (SHARED / "cow_nmc.csv").is_file(), reason="shared NMC file not found")
def test_nmc_cut_in_half_is_reported(tmp_path):
    lines = (SHARED / "cow_nmc.csv").read_text().splitlines(keepends=True)
    _fails(tmp_path, "cow_nmc.csv", "".join(lines[: len(lines) // 2]), "nmc", "looks truncated or filtered",
           "CINC sums to")


@pytest.mark.skipif(not (SHARED / "cow_nmc.csv").is_file(), reason="shared NMC file not found")
def test_complete_nmc_passes(tmp_path):
    df = _load(tmp_path, "cow_nmc.csv", (SHARED / "cow_nmc.csv").read_text(), "nmc")
    assert len(df) > 10_000


@pytest.mark.parametrize("text, fragments", [
    (CAP_HEAD + "2,USA,Washington,1816-01-01,2024-12-31,north,-77.0\n",
     ["column 'lat' must hold numbers", "'north' at ccode 2"]),
    (CAP_HEAD + "2,USA,Washington,1816-01-01,2024-12-31,38.9,-277.0\n", ["column 'lng'", "-180 to 180"]),
    (CAP_HEAD + "2,USA,Washington,1816-01-01,2024-12-31,98.9,-77.0\n", ["column 'lat'", "-90 to 90"]),
    ("ccode,capital\n2,Washington\n", ["missing required column"]),
    ("", ["empty"]),
])
def test_capitals_corrupt(tmp_path, text, fragments):
    _fails(tmp_path, "cow_capitals.csv", text, "capitals", *fragments)


def test_nmc_advice_names_the_reference_release(tmp_path):
    """A bad NMC file is answered with where to get the release the reference data uses (v7.0
    abridged, 1816-2022), and a citation without a detected version is of that release."""
    from pactlab.data.cite import entries_for

    _fails(tmp_path, "cow_nmc.csv", NMC_HEAD + "2,1950,10,1,1,1,100,10,-1\n", "nmc",
           "v7.0: NMC-70-abridged.csv")
    assert "Version 7.0" in dict(entries_for("nmc"))["cownmc7_0"]
