"""Data errors a user can act on: missing folder/file, empty, truncated and wrong files."""

from __future__ import annotations

import gzip

import pytest

from pactlab.data import DATASETS, DataDir, DataFileInvalid, DataFileMissing, open_data
from pactlab.errors import DataError, PactlabError

NMC_OK = "ccode,year,milex,milper,irst,pec,tpop,upop,cinc\n2,1900,10,1,1,1,100,10,0.1\n"


def _nmc_dir(tmp_path, text: str | bytes, name: str = "cow_nmc.csv"):
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return open_data(tmp_path)


def test_errors_are_pactlab_errors():
    assert issubclass(DataFileMissing, DataError) and issubclass(DataFileInvalid, DataError)
    assert issubclass(DataError, PactlabError)


def test_no_directory_given(monkeypatch):
    monkeypatch.delenv("PACTLAB_DATA", raising=False)
    with pytest.raises(DataError, match="PACTLAB_DATA") as e:
        open_data()
    assert "--data" in str(e.value)


def test_env_var_is_used(monkeypatch, tmp_path):
    (tmp_path / "cow_nmc.csv").write_text(NMC_OK)
    monkeypatch.setenv("PACTLAB_DATA", str(tmp_path))
    d = open_data()
    assert d.path == tmp_path
    assert d.cinc(2, 1900) == 0.1


def test_directory_does_not_exist(tmp_path):
    with pytest.raises(DataError, match="does not exist") as e:
        open_data(tmp_path / "nope")
    assert str(tmp_path / "nope") in str(e.value)


def test_directory_is_a_file(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a\n1\n")
    with pytest.raises(DataError, match="not a directory"):
        DataDir(f)


SOURCES = {
    "states": ["correlatesofwar.org", "states2016.csv", "cow_states.csv"],
    "majors": ["correlatesofwar.org", "majors2016.csv"],
    "nmc": ["correlatesofwar.org", "NMC-60-abridged.csv", "NMC_5_0.csv", "cow/cow_nmc.csv"],
    "contiguity": ["correlatesofwar.org", "DirectContiguity320/contdird.csv", "contdird.csv", "cow_contdir.csv",
                   "conttype"],
    "mindist": ["icr.ethz.ch", "peacesciencer", "cow_mindist.csv.gz"],
    "capitals": ["peacesciencer", "capitals.csv"],
    "trade": ["correlatesofwar.org", "National_COW_4.0.csv", "cow_trade_sy.csv"],
    "war": ["correlatesofwar.org", "Inter-StateWarData_v4.0.csv", "cow_war_inter.csv"],
    "atop_alliances": ["atopdata.org", "atop5_1a.csv", "atop4_01a.csv"],
    "atop_members": ["atopdata.org", "atop5_1m.csv", "yrexit"],
    "td_rivalries": ["Thompson & Dreyer", "Handbook of International Rivalries", "td_rivalries.csv"],
    "tss_rivalries": ["peacesciencer", "tss_rivalries.csv"],
    "terrthreat": ["peacesciencer", "terrthreat.csv"],
    "ls_threat": ["Leeds & Savun", "leeds_savun_threat.csv", "lsthreat"],
}


def test_every_dataset_has_source_text():
    assert set(SOURCES) == set(DATASETS)


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_missing_file_message(tmp_path, key):
    d = open_data(tmp_path)
    with pytest.raises(DataFileMissing) as e:
        d.locate(key)
    msg = str(e.value)
    assert str(tmp_path) in msg
    assert "expected one of" in msg and "it should contain" in msg and "get it from" in msg
    for s in SOURCES[key]:
        assert s in msg, (key, s, msg)
    assert e.value.dataset == key
    assert key not in d.used


def test_missing_file_via_query(tmp_path):
    d = open_data(tmp_path)
    with pytest.raises(DataFileMissing, match="Direct Contiguity"):
        d.contiguity(2, 20, 1950)
    with pytest.raises(DataFileMissing, match="ATOP member-level"):
        d.alliances_in_force(1950)


def test_check_lists_all_missing(tmp_path):
    (tmp_path / "cow_nmc.csv").write_text(NMC_OK)
    d = open_data(tmp_path)
    d.check(["nmc"])
    with pytest.raises(DataFileMissing) as e:
        d.check()
    msg = str(e.value)
    assert "National Material Capabilities" not in msg  # present, so not listed
    assert "State System" in msg and "ATOP alliance-level" in msg and "minimum distance" in msg
    assert d.available()["nmc"] is not None and d.available()["states"] is None


def test_missing_required_column(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,milex\n2,1900,5\n")
    with pytest.raises(DataFileInvalid) as e:
        d.nmc()
    msg = str(e.value)
    assert "cow_nmc.csv" in msg and "missing required column(s) cinc" in msg
    assert "found: ccode, milex, year" in msg
    assert e.value.missing_columns == ("cinc",)


def test_empty_file(tmp_path):
    d = _nmc_dir(tmp_path, "")
    with pytest.raises(DataFileInvalid, match="empty") as e:
        d.nmc()
    assert "cow_nmc.csv" in str(e.value) and "correlatesofwar.org" in str(e.value)


def test_header_only_file(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,milex,milper,irst,pec,tpop,upop,cinc\n")
    with pytest.raises(DataFileInvalid, match="no data rows"):
        d.nmc()


def test_non_numeric_keys(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,cinc\n2,1900,0.1\nUSA,1901,0.2\n")
    with pytest.raises(DataFileInvalid) as e:
        d.nmc()
    msg = str(e.value)
    assert "cow_nmc.csv" in msg and "'ccode' must hold numbers" in msg and "'USA' (line 3)" in msg


def test_fractional_keys(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,cinc\n2.5,1900,0.1\n")
    with pytest.raises(DataFileInvalid, match="whole numbers"):
        d.nmc()


def test_blank_keys_are_dropped_not_fatal(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,cinc\n2,1900,0.1\n,1901,0.2\n")
    assert len(d.nmc()) == 1
    assert any("blank" in n for n in d.info("nmc").notes)


def test_all_keys_blank(tmp_path):
    d = _nmc_dir(tmp_path, "ccode,year,cinc\n,1900,0.1\n,1901,0.2\n")
    with pytest.raises(DataFileInvalid, match="no row has a value"):
        d.nmc()


def test_wrong_file(tmp_path):
    """An ATOP member file saved under the NMC name: the error names the missing NMC columns."""
    d = _nmc_dir(tmp_path, "atopid,member,yrent,yrexit,defense,consul\n1005,200,1815,1815,1,1\n")
    with pytest.raises(DataFileInvalid) as e:
        d.nmc()
    msg = str(e.value)
    assert "missing required column(s) ccode, year, cinc" in msg
    assert "National Material Capabilities" in msg


def test_not_a_csv(tmp_path):
    d = _nmc_dir(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(DataError) as e:
        d.nmc()
    assert "cow_nmc.csv" in str(e.value)


def test_truncated_gzip(tmp_path):
    rows = "".join(f"2,{20 + i},{1900 + i % 100},{i}.5\n" for i in range(20000))
    blob = gzip.compress(("ccode1,ccode2,year,mindist\n" + rows).encode())
    (tmp_path / "cow_mindist.csv.gz").write_bytes(blob[: len(blob) // 2])
    d = open_data(tmp_path)
    with pytest.raises(DataFileInvalid) as e:
        d.min_distance(2, 20, 1900)
    assert "cow_mindist.csv.gz" in str(e.value) and "truncated or corrupt" in str(e.value)


def test_mindist_non_numeric_key(tmp_path):
    (tmp_path / "mindist.csv").write_text("ccode1,ccode2,year,mindist\n2,20,1900,0\nUSA,20,1901,0\n")
    d = open_data(tmp_path)
    with pytest.raises(DataFileInvalid, match="'ccode1' must hold numbers"):
        d.mindist()


def test_single_column_file(tmp_path):
    d = _nmc_dir(tmp_path, "ccode;year;cinc\n2;1900;0.1\n")  # semicolon-separated export
    with pytest.raises(DataFileInvalid, match="only 1 column"):
        d.nmc()


def test_contiguity_wrong_layout_lists_accepted_layouts(tmp_path):
    (tmp_path / "contdird.csv").write_text("dyad,year\n2020,1950\n")
    d = open_data(tmp_path)
    with pytest.raises(DataFileInvalid) as e:
        d.contiguity_spells()
    msg = str(e.value)
    assert "accepted layouts" in msg and "state1no" in msg and "stdate" in msg


def test_contiguity_bad_dates(tmp_path):
    (tmp_path / "cow_contdir.csv").write_text("ccode1,ccode2,conttype,stdate,enddate\n2,20,1,soon,later\n")
    d = open_data(tmp_path)
    with pytest.raises(DataFileInvalid, match="not dates"):
        d.contiguity_spells()


def test_file_override(tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "my_nmc.csv").write_text(NMC_OK)
    d = open_data(tmp_path, files={"nmc": other / "my_nmc.csv"})
    assert d.cinc(2, 1900) == 0.1
    d2 = open_data(tmp_path, files={"nmc": other / "missing.csv"})
    with pytest.raises(DataFileMissing, match="does not exist"):
        d2.nmc()
    with pytest.raises(KeyError):
        open_data(tmp_path, files={"cinc": other / "my_nmc.csv"})


def test_error_leaves_registry_clean(tmp_path):
    d = _nmc_dir(tmp_path, "")
    with pytest.raises(DataError):
        d.nmc()
    assert d.used == {} and d.citations() == ""
