"""Official release layouts and file names (COW originals, ATOP 5.x), written as small fixtures.

Users download the full public releases; these tests check pactlab reads them unchanged:
file discovery by the official names, COW's -9 missing codes, upper-case headers, the COW
contiguity and war layouts, and version detection from columns / names / coverage.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from pactlab.data import Contiguity, open_data


def _w(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


STATES2016 = """stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth,endday,version
USA,2,United States of America,1816,1,1,2016,12,31,2016
GMY,255,Germany,1816,1,1,1945,5,8,2016
GMY,255,Germany,1990,10,3,2016,12,31,2016
GFR,260,German Federal Republic,1955,5,5,1990,10,2,2016
RUS,365,Russia,1816,1,1,2016,12,31,2016
"""

MAJORS2016 = """stateabb,ccode,styear,stmonth,stday,endyear,endmonth,endday,version
USA,2,1898,8,13,2016,12,31,2016
GMY,255,1816,1,1,1918,11,11,2016
GMY,255,1925,1,1,1945,5,7,2016
GMY,255,1991,12,11,2016,12,31,2016
"""


@pytest.fixture
def cow_release(tmp_path):
    """A folder laid out like the unzipped official COW downloads."""
    _w(tmp_path, "states2016.csv", STATES2016)
    _w(tmp_path, "majors2016.csv", MAJORS2016)
    _w(tmp_path, "NMC_v6/NMC-60-abridged.csv",
       "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\n"
       "USA,2,1816,3823,17,80,254,8659,101,.039697491,2021\n"
       "USA,2,1817,-9,15,80,277,8899,106,.03581661,2021\n"
       "USA,2,2016,604452000,1381,78475,3320843,322180,197817,.133254,2021\n")
    _w(tmp_path, "DirectContiguity320/contdird.csv",
       "dyad,state1no,state1ab,state2no,state2ab,year,conttype,version\n"
       "2020,2,USA,20,CAN,1920,1,2016\n2020,2,USA,20,CAN,1921,1,2016\n"
       "20002,20,CAN,2,USA,1920,1,2016\n"
       "2365,2,USA,365,RUS,1959,2,2016\n2365,2,USA,365,RUS,1960,2,2016\n2365,2,USA,365,RUS,2016,2,2016\n"
       "365002,365,RUS,2,USA,1959,2,2016\n")
    _w(tmp_path, "COW_Trade_4.0/National_COW_4.0.csv",
       "ccode,statename,stateabb,year,imports,exports,alt_imports,alt_exports,source1,source2,version\n"
       "2,United States of America,USA,1870,450,418,-9,-9,1,1,4\n"
       "2,United States of America,USA,2014,-9,1620532,-9,-9,1,1,4\n")
    _w(tmp_path, "Inter-StateWarData_v4.0.csv",
       "WarNum,WarName,WarType,ccode,StateName,Side,StartMonth1,StartDay1,StartYear1,EndMonth1,EndDay1,EndYear1,"
       "StartMonth2,StartDay2,StartYear2,EndMonth2,EndDay2,EndYear2,TransFrom,Initiator,Outcome,WhereFought,"
       "BatDeath,Version\n"
       "139,World War II,1,2,United States of America,1,12,8,1941,8,14,1945,-8,-8,-8,-8,-8,-8,-8,2,1,4,405400,4\n"
       "139,World War II,1,200,United Kingdom,1,9,3,1939,8,14,1945,-8,-8,-8,-8,-8,-8,-8,2,1,4,270000,4\n"
       "139,World War II,1,255,Germany,2,9,1,1939,5,7,1945,-8,-8,-8,-8,-8,-8,-8,1,2,4,3500000,4\n"
       "139,World War II,1,740,Japan,2,12,8,1941,8,14,1945,-8,-8,-8,-8,-8,-8,-8,1,2,4,-9,4\n"
       "7,Test War,1,100,Colombia,1,1,1,1900,1,1,1901,1,1,1903,1,1,1903,-8,1,1,1,100,4\n"
       "7,Test War,1,101,Venezuela,2,1,1,1900,1,1,1901,1,1,1903,1,1,1903,-8,2,2,1,200,4\n")
    _w(tmp_path, "mindist.csv", "ccode1,ccode2,year,mindist\n365,2,1960,80.5\n2,20,1950,0\n")
    return tmp_path


def test_official_cow_names_found(cow_release):
    d = open_data(cow_release)
    av = d.available()
    assert av["states"].name == "states2016.csv"
    assert av["majors"].name == "majors2016.csv"
    assert av["nmc"].relative_to(cow_release).as_posix() == "NMC_v6/NMC-60-abridged.csv"
    assert av["contiguity"].relative_to(cow_release).as_posix() == "DirectContiguity320/contdird.csv"
    assert av["trade"].name == "National_COW_4.0.csv"
    assert av["war"].name == "Inter-StateWarData_v4.0.csv"
    assert av["mindist"].name == "mindist.csv"


def test_states_and_majors_release(cow_release):
    d = open_data(cow_release)
    assert d.is_state(255, 1950) is False and d.is_state(260, 1960) is True and d.is_state(255, 1991) is True
    assert d.is_major(2, 1898) is True and d.is_major(255, 1950) is False
    assert d.info("states").version == "2016"


def test_nmc_release_minus_nine_and_version(cow_release):
    d = open_data(cow_release)
    cap = d.capability(2, 1817)
    assert math.isnan(cap["milex"]) and cap["milper"] == 15  # -9 -> NaN, never a number
    assert d.info("nmc").version == "6.0"
    assert d.info("nmc").version_basis == "file name"
    assert list(d.nmc().columns)[:3] == ["ccode", "stateabb", "year"]


def test_nmc_version_from_coverage_and_column(tmp_path):
    _w(tmp_path, "a/cow_nmc.csv", "ccode,year,cinc\n2,1816,0.1\n2,2012,0.1\n")
    assert open_data(tmp_path / "a").info("nmc").version == "5.0"
    _w(tmp_path, "b/cow_nmc.csv", "ccode,year,cinc\n2,1816,0.1\n2,2016,0.1\n")
    assert open_data(tmp_path / "b").info("nmc").version == "6.0"
    _w(tmp_path, "c/NMC_5_0.csv", "stateabb,ccode,year,cinc,version\nUSA,2,1816,0.1,5\n")
    info = open_data(tmp_path / "c").info("nmc")
    assert (info.version, info.version_basis) == ("5.0", "'version' column")


def test_contdird_dyad_years(cow_release):
    d = open_data(cow_release)
    assert d.contiguity(2, 20, 1920) == Contiguity("land", 1)
    assert d.contiguity(2, 365, 1960) == Contiguity("sea", 2)
    assert d.contiguity(2, 365, 1961) == Contiguity("remote", 0)  # absent from the (toy) file
    assert d.contiguity(2, 365, 1815) == Contiguity(None, None)
    sp = d.contiguity_spells()
    us_ru = sp[(sp.ccode1 == 2) & (sp.ccode2 == 365)]
    assert list(zip(us_ru.styear, us_ru.endyear)) == [(1959, 1960), (2016, 2016)]
    info = d.info("contiguity")
    assert info.version == "3.2" and info.format.startswith("COW directed dyad-year")


def test_contdir_master_spells(tmp_path):
    _w(tmp_path, "contdir.csv",
       "dyad,statelno,statelab,statehno,statehab,conttype,begin,end,version\n"
       "2365,2,USA,365,RUS,2,195901,201612,3.2\n"
       "2020,2,USA,20,CAN,1,192001,201612,3.2\n")
    d = open_data(tmp_path)
    assert d.contiguity(365, 2, 1959) == Contiguity("sea", 2)  # master file is undirected: mirrored
    assert d.contiguity(2, 365, 1958).kind == "remote"
    assert d.contiguity(20, 2, 2000).kind == "land"
    assert d.info("contiguity").version == "3.2"


def test_trade_release(cow_release):
    d = open_data(cow_release)
    assert d.trade_totals(2, 1870) == {"imports": 450.0, "exports": 418.0}
    t = d.trade_totals(2, 2014)
    assert math.isnan(t["imports"]) and t["exports"] == 1620532
    assert d.info("trade").version == "4.0"


def test_war_participant_file(cow_release):
    d = open_data(cow_release)
    assert d.at_war(2, 255, 1941) and d.at_war(255, 2, 1945)
    assert d.at_war(2, 255, 1940) is False  # the US entered in December 1941
    assert d.at_war(2, 200, 1942) is False  # same side
    assert d.at_war(200, 255, 1939) is True
    w = d.wars()
    first = w[(w.ccode1 == 2) & (w.ccode2 == 255)].sort_values("year")
    assert first.onset.tolist() == [1, 0, 0, 0, 0]
    assert first.initiator1.tolist() == [0] * 5 and first.initiator2.tolist() == [1] * 5
    assert math.isnan(w[(w.ccode1 == 740)].batdeath1.iloc[0])  # -9
    # second spell of the test war (resumed 1903), nothing in 1902
    assert d.at_war(100, 101, 1901) and not d.at_war(100, 101, 1902) and d.at_war(100, 101, 1903)
    assert w[(w.ccode1 == 100) & (w.year == 1903)].resume.tolist() == [1]
    assert d.info("war").version == "4.0"


def test_plain_csv_mindist(cow_release):
    d = open_data(cow_release)
    assert d.min_distance(2, 365, 1960) == 80.5  # stored as (365, 2): order does not matter
    assert math.isnan(d.min_distance(2, 365, 1961))


ATOP51_A = """atopid,begyr,begmo,begday,endyr,endmo,endday,ineffect,bilat,defense,offense,neutral,nonagg,consul,mem1,mem2,mem3
3180,1949,4,4,0,0,0,1,0,1,0,0,1,1,2,20,200
9001,2000,1,1,2010,6,1,0,1,0,0,0,0,1,900,920,
9002,2001,1,1,0,0,0,1,1,0,0,0,1,0,700,710,
"""
ATOP51_M = """atopid,member,yrent,moent,dayent,yrexit,moexit,dayexit,phase,defense,offense,neutral,nonagg,consul
3180,2,1949,4,4,0,0,0,1,1,0,0,1,1
3180,20,1949,4,4,0,0,0,1,1,0,0,1,1
3180,200,1949,4,4,0,0,0,1,1,0,0,1,1
3180,341,2017,6,5,0,0,0,1,1,0,0,1,1
9001,900,2000,1,1,2010,6,1,0,0,0,0,0,1
9001,920,2000,1,1,2010,6,1,0,0,0,0,0,1
9002,700,2001,1,1,0,0,0,0,0,0,0,1,0
9002,710,2001,1,1,0,0,0,0,0,0,0,1,0
"""


@pytest.fixture
def atop51(tmp_path):
    _w(tmp_path, "ATOP 5.1 (.csv)/atop5_1a.csv", ATOP51_A)
    _w(tmp_path, "ATOP 5.1 (.csv)/atop5_1m.csv", ATOP51_M)
    _w(tmp_path, "ATOP 5.1 (.csv)/atop5_1ddyr.csv", "statea,stateb,year\n2,20,1950\n")
    _w(tmp_path, "__MACOSX/ATOP 5.1 (.csv)/._atop5_1a.csv", "junk")
    _w(tmp_path, "old/atop4_01a.csv", "atopid,begyr,endyr,defense,consul,version\n1,1815,1815,1,0,4.01\n")
    return tmp_path


def test_atop51_found_and_versioned(atop51):
    d = open_data(atop51)
    av = d.available()
    assert av["atop_alliances"].relative_to(atop51).as_posix() == "ATOP 5.1 (.csv)/atop5_1a.csv"
    assert av["atop_members"].name == "atop5_1m.csv"
    ia, im = d.info("atop_alliances"), d.info("atop_members")
    assert (ia.version, ia.version_basis) == ("5.1", "file name")
    assert im.version == "5.1" and im.coverage == (1949, 2018)


def test_atop51_in_force_and_censoring(atop51):
    d = open_data(atop51)
    assert d.alliance_members(3180, 2016) == [2, 20, 200]
    assert d.alliance_members(3180, 2018) == [2, 20, 200, 341]  # yrexit 0: still members in 2018
    assert 341 in d.alliance_members(3180, 2025)  # right-censored after the release's end
    assert d.alliance_members(9001, 2010) == [900, 920] and d.alliance_members(9001, 2011) == []
    assert d.commitment(3180) == "defend" and d.commitment(9001) == "consult" and d.commitment(9002) == "other"
    a = d.atop_alliances().set_index("atopid")
    assert a.loc[9001, "endyr"] == 2010 and a.loc[9001, "censored"] == False  # noqa: E712
    assert a.loc[3180, "members"] == (2, 20, 200)
    f = d.alliances_in_force(2005, members=[700, 710], by="alliance")
    assert f.atopid.tolist() == [9002] and f.commitment.tolist() == ["other"]
    bib = d.citations()
    assert "Version 5.1" in bib and "leeds2002atop" in bib


def test_uppercase_headers_and_latin1(tmp_path):
    p = tmp_path / "states2016.csv"
    p.write_bytes("StateAbb,CCode,StateNme,StYear,StMonth,StDay,EndYear,EndMonth,EndDay,Version\n"
                  "CDI,437,C\xf4te d'Ivoire,1960,8,7,2016,12,31,2016\n".encode("latin-1"))
    d = open_data(tmp_path)
    assert d.is_state(437, 1970) is True
    assert d.state_name(437) == "C\xf4te d'Ivoire"


def test_minimal_states_file(tmp_path):
    _w(tmp_path, "cow_states.csv", "ccode,styear,endyear\n2,1816,2016\n255,1816,1945\n")
    d = open_data(tmp_path)
    assert d.is_state(255, 1945) and not d.is_state(255, 1946)
    assert d.code_for("Mars", 1950) is None and d.state_name(2) is None
    assert d.info("states").version == "2016"  # last year covered
