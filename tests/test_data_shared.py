"""pactlab.data on the real shared data (COW, ATOP 4.01 to 1955, CShapes distances, rivalries, threat).

Facts asserted here were checked in the files themselves.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pactlab.data import DATASETS, Contiguity, open_data

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data directory {SHARED} is absent "
                                                   "(the COW/ATOP reference files are not on this machine)"),
]


@pytest.fixture(scope="module")
def d():
    return open_data(SHARED)


# ---------------------------------------------------------------- loading, versions, speed


def test_all_files_found(d):
    av = d.available()
    assert set(av) == set(DATASETS)
    missing = [k for k, p in av.items() if p is None]
    assert not missing, missing


def test_load_all_is_cached(d):
    # (speed is measured in benchmarks/bench_data.py, not here)
    fresh = open_data(SHARED)
    fresh.load_all()
    assert set(fresh.used) == set(DATASETS)
    first = fresh.nmc()
    fresh.load_all()
    assert fresh.nmc() is first  # cached: the second load reads nothing again


def test_loading_is_lazy():
    fresh = open_data(SHARED)
    assert fresh.used == {}
    fresh.is_state(2, 1900)
    assert set(fresh.used) == {"states"}


def test_versions_detected(d):
    assert d.info("states").version == "2016"
    assert d.info("majors").version == "2016"
    atop_a, atop_m = d.info("atop_alliances"), d.info("atop_members")
    assert atop_a.version == atop_m.version == "4.01"
    assert "version" in atop_a.version_basis
    assert atop_m.coverage == (1815, 2016)
    contig = d.info("contiguity")
    assert contig.version == "3.2" and contig.coverage == (1816, 2016)
    assert d.info("mindist").version == "CShapes 2.0"
    assert d.info("trade").version == "4.0"
    assert d.info("war").version == "4.0" and d.info("war").coverage == (1816, 2007)
    # the shared NMC file runs to 2022, beyond v6.0's 2016: detected from coverage
    nmc = d.info("nmc")
    assert nmc.coverage == (1816, 2022)
    assert nmc.version == "7.0" and "coverage" in nmc.version_basis


def test_tidy_columns_and_dtypes(d):
    assert list(d.states().columns) == ["ccode", "stateabb", "statenme", "stdate", "enddate", "styear", "endyear"]
    nmc = d.nmc()
    assert {"ccode", "year", "milex", "milper", "irst", "pec", "tpop", "upop", "cinc"} <= set(nmc.columns)
    for frame, cols in ((nmc, ["ccode", "year"]), (d.mindist(), ["ccode1", "ccode2", "year"]),
                        (d.contiguity_spells(), ["ccode1", "ccode2", "conttype"]),
                        (d.atop_members(), ["atopid", "member", "yrent"]), (d.ls_threat(), ["ccode", "year"])):
        for c in cols:
            assert frame[c].dtype == np.int64, (c, frame[c].dtype)
    assert (d.mindist().ccode1 < d.mindist().ccode2).all()
    w = d.wars()
    assert list(w.columns)[:4] == ["warnum", "ccode1", "ccode2", "year"]
    assert w.batdeath1.min() >= 0  # -9 became NaN


def test_blank_keys_dropped_with_note(d):
    info = d.info("ls_threat")  # the file ends with 7 rows without a ccode
    assert any("dropped 7 row(s)" in n for n in info.notes)
    assert d.ls_threat().ccode.notna().all()


# ---------------------------------------------------------------- states, majors, code changes


@pytest.mark.parametrize("ccode,year,expected", [
    (255, 1900, True), (255, 1945, True), (255, 1950, False), (255, 1990, True), (255, 2000, True),
    (260, 1954, False), (260, 1955, True), (260, 1990, True), (260, 1991, False),
    (265, 1953, False), (265, 1960, True), (265, 1991, False),
    (816, 1960, True), (817, 1960, True), (817, 1976, False),
    (678, 1980, True), (680, 1980, True), (679, 1980, False), (679, 1991, True), (678, 1991, False),
    (2, 1816, True), (2, 2016, True),
])
def test_is_state_year_aware(d, ccode, year, expected):
    assert d.is_state(ccode, year) is expected


def test_is_state_outside_coverage_is_none(d):
    assert d.is_state(2, 1815) is None
    assert d.is_state(2, 2017) is None
    v = d.is_state_many([2, 2, 255], [1900, 2030, 1950])
    assert v[0] == 1.0 and math.isnan(v[1]) and v[2] == 0.0


def test_system_members(d):
    m1950 = d.system_members(1950)
    assert 2 in m1950 and 255 not in m1950 and 260 not in m1950
    assert {260, 265} <= set(d.system_members(1960))


@pytest.mark.parametrize("ccode,year,expected", [
    (2, 1897, False), (2, 1898, True), (200, 1816, True), (220, 1942, False), (220, 1945, True),
    (255, 1920, False), (255, 1925, True), (255, 1991, True), (365, 1920, False), (365, 1922, True),
    (710, 1949, False), (710, 1950, True), (740, 1950, False), (300, 1919, False),
])
def test_is_major(d, ccode, year, expected):
    assert d.is_major(ccode, year) is expected


def test_majors_in(d):
    assert sorted(d.majors_in(1900)) == [2, 200, 220, 255, 300, 325, 365, 740]
    assert d.is_major(2, 2020) is None


def test_code_for_by_name(d):
    assert d.code_for("Germany", 1960) == 260
    assert d.code_for("Germany", 1930) == 255
    assert d.code_for("Germany", 1950) is None
    assert d.code_for("east germany", 1960) == 265
    assert d.code_for("Yemen", 1985) == 678 and d.code_for("Yemen", 1995) == 679
    assert d.code_for("South Vietnam", 1970) == 817
    assert d.code_for("France", 1950) == 220
    assert d.code_for("USA", 1950) == 2
    assert d.state_name(255, 1995) == "Germany"
    assert d.state_name(260) == "German Federal Republic"


def test_code_lineages_match_states_file(d):
    """The static code-change table agrees with the COW states list."""
    from pactlab.data.codes import LINEAGES

    s = d.states()
    for name, spells in LINEAGES.items():
        for sp in spells:
            rows = s[(s.ccode == sp.ccode) & (s.styear == sp.start[0])]
            assert len(rows) == 1, (name, sp)
            r = rows.iloc[0]
            assert (r.stdate.year, r.stdate.month, r.stdate.day) == sp.start, (name, sp)
            if sp.end is not None:
                assert (r.enddate.year, r.enddate.month, r.enddate.day) == sp.end, (name, sp)
            else:
                assert r.endyear == s.endyear.max()


# ---------------------------------------------------------------- capabilities


def test_capability_values(d):
    cap = d.capability(2, 1816)
    assert cap["milex"] == 3823 and cap["tpop"] == 8659
    assert cap["cinc"] == pytest.approx(0.039697491)
    assert d.cinc(260, 1960) == pytest.approx(0.040735226, rel=1e-6)


def test_capability_gaps_are_nan_not_zero(d):
    for ccode, year in ((2, 1815), (2, 2030), (255, 1950), (999, 1950)):
        cap = d.capability(ccode, year)
        assert set(cap) == {"milex", "milper", "irst", "pec", "tpop", "upop", "cinc"}
        assert all(math.isnan(v) for v in cap.values()), (ccode, year, cap)
    # a real missing component stays missing (no zero filling)
    nmc = d.nmc()
    assert nmc.milex.isna().any() and not (nmc.milex == -9).any()


def test_capabilities_batch_matches_scalar(d):
    c = [2, 255, 260, 365, 2]
    y = [1950, 1950, 1960, 1900, 1800]
    f = d.capabilities(c, y)
    assert len(f) == 5
    for i in range(5):
        s = d.capability(c[i], y[i])["cinc"]
        b = f.cinc.iloc[i]
        assert (math.isnan(s) and math.isnan(b)) or s == b
    nf = d.nmc_frame()
    assert nf.index.names == ["ccode", "year"] and nf.index.is_monotonic_increasing
    assert nf.loc[(2, 1950), "cinc"] == d.cinc(2, 1950)


# ---------------------------------------------------------------- contiguity


def test_us_russia_sea_contiguity_bering(d):
    assert d.contiguity(2, 365, 1958) == Contiguity("remote", 0)
    assert d.contiguity(2, 365, 1959) == Contiguity("sea", 2)  # Alaska statehood: Bering Strait <= 12 miles
    assert d.contiguity(365, 2, 1990) == Contiguity("sea", 2)
    years = [y for y in range(1816, 2017) if d.contiguity(2, 365, y).kind == "sea"]
    assert years[0] == 1959 and years[-1] == 2016


def test_contiguity_land_and_spells(d):
    assert d.contiguity(2, 20, 1950) == Contiguity("land", 1)
    assert d.contiguity(2, 20, 1919).kind == "remote"  # Canada enters the COW system in 1920
    # Germany-France: land until June 1940, no record 1946-1989 (no 255), land again from 1990
    assert d.contiguity(255, 220, 1939).kind == "land"
    assert d.contiguity(255, 220, 1941).kind == "remote"
    assert d.contiguity(255, 220, 1960).kind == "remote"
    assert d.contiguity(260, 220, 1960).kind == "land"
    assert d.contiguity(255, 220, 1995).kind == "land"
    # Netherlands-France: land border until Belgium (Dec 1830), then 400-mile water separation;
    # in 1830 both spells are in force and the closest type wins
    assert d.contiguity(210, 220, 1830) == Contiguity("land", 1)
    assert d.contiguity(210, 220, 1831) == Contiguity("sea", 5)
    # peacesciencer's conttype-0 spells never hide a positive record (Germany-Czechoslovakia 1938-45)
    assert d.contiguity(255, 315, 1939).kind == "land"


def test_contiguity_not_ordinal_collapse(d):
    from pactlab.data import collapse_conttype

    assert [collapse_conttype(c) for c in (0, 1, 2, 3, 4, 5)] == ["remote", "land", "sea", "sea", "sea", "sea"]
    assert collapse_conttype(4, sea_max=3) == "remote"
    assert collapse_conttype(float("nan")) is None
    assert d.contiguity(2, 365, 1990, sea_max=1).kind == "remote"


def test_contiguity_outside_coverage(d):
    assert d.contiguity(2, 20, 1815) == Contiguity(None, None)
    assert d.contiguity(2, 20, 2017) == Contiguity(None, None)


def test_contiguity_batch_and_frame(d):
    f = d.contiguity_many([2, 2, 255, 2], [365, 20, 220, 20], [1960, 1950, 1960, 2020])
    assert f.kind.tolist()[:3] == ["sea", "land", "remote"]
    assert f.conttype.tolist()[:3] == [2, 1, 0]
    assert math.isnan(f.conttype.iloc[3])
    fr = d.contiguity_frame(1960)
    assert set(fr.year) == {1960}
    assert ((fr.ccode1 == 2) & (fr.ccode2 == 365) & (fr.conttype == 2)).any()
    assert fr.conttype.between(1, 5).all()
    # directed: both orders present
    assert ((fr.ccode1 == 365) & (fr.ccode2 == 2)).any()


# ---------------------------------------------------------------- distance


def test_min_distance(d):
    assert d.min_distance(2, 20, 1950) == 0.0
    v = d.min_distance(2, 365, 1960)
    assert 0 < v < 100  # Alaska (a US state in CShapes from 1960) to Chukotka
    assert d.min_distance(365, 2, 1960) == v  # symmetric
    assert d.min_distance(2, 365, 1950) > 3000  # Alaska still a dependency, not US territory
    assert math.isnan(d.min_distance(2, 365, 1885))  # before CShapes 2.0
    assert math.isnan(d.min_distance(2, 365, 2030))
    assert math.isnan(d.min_distance(255, 220, 1950))  # no Germany in 1950
    arr = d.min_distances([2, 365, 2], [365, 2, 20], [1960, 1960, 1800])
    assert arr[0] == arr[1] == v and math.isnan(arr[2])
    assert set(d.mindist_frame(1900).year) == {1900}


# ---------------------------------------------------------------- ATOP


def test_nato(d):
    a = d.atop_alliances().set_index("atopid")
    nato = a.loc[3180]
    assert nato.begyr == 1949 and nato.censored and pd.isna(nato.endyr)
    assert {2, 20, 200, 220} <= set(nato.members)
    assert nato.commitment == "defend"
    m1950 = d.alliance_members(3180, 1950)
    assert {2, 20, 200, 220} <= set(m1950)
    assert 255 not in m1950 and 260 not in m1950
    m1960 = d.alliance_members(3180, 1960)
    assert 260 in m1960 and 255 not in m1960 and 640 in m1960 and 350 in m1960
    m1995 = d.alliance_members(3180, 1995)
    assert 255 in m1995 and 260 not in m1995 and 230 in m1995
    assert 290 not in m1995 and 290 in d.alliance_members(3180, 2000)


def test_dunkirk_bilateral_defense(d):
    a = d.atop_alliances().set_index("atopid").loc[3055]
    assert a.bilat == 1 and a.defense == 1
    assert tuple(sorted(a.members)) == (200, 220)
    assert d.commitment(3055) == "defend"
    assert d.commitment(3055, 1950) == "defend"
    assert d.alliance_members(3055, 1950) == [200, 220]
    assert d.commitment(3055, 1960) is None  # ended 1954


def test_anzac_consult_only(d):
    a = d.atop_alliances().set_index("atopid").loc[2565]
    assert a.defense == 0 and a.consul == 1 and tuple(sorted(a.members)) == (900, 920)
    assert d.commitment(2565) == "consult"
    assert d.commitment(2565, 1950) == "consult"


def test_alliances_in_force(d):
    rows = d.alliances_in_force(1950)
    assert set(rows.year) == {1950}
    assert not rows.duplicated(["atopid", "member"]).any()
    assert {3180, 3055, 2565} <= set(rows.atopid)
    us = d.alliances_in_force(1950, members=[2], by="alliance")
    assert 3180 in set(us.atopid)
    assert all(2 in m for m in us.members)
    uk_fr = d.alliances_in_force(1950, members=[200, 220], by="alliance")
    assert {3055, 3180} <= set(uk_fr.atopid)
    assert (uk_fr.set_index("atopid").loc[3055, "commitment"]) == "defend"
    both = d.alliances_in_force(1950, members=[2, 900], by="alliance")
    assert all({2, 900} <= set(m) for m in both.members)
    assert 2565 not in set(both.atopid)  # ANZAC is Australia-New Zealand only


def test_alliances_right_censored(d):
    """endyr == 0 / yrexit == 0 means in force at the end of the data; after the release's end
    (2016 for 4.01) the censored memberships are still reported."""
    a = d.atop_alliances()
    assert (a.censored == ((a.ineffect == 1) | a.endyr.isna())).all()
    late = d.alliances_in_force(2030, by="alliance")
    assert 3180 in set(late.atopid) and late.censored.all()
    assert 3055 not in set(late.atopid)
    assert d.alliances_in_force(1700).empty
    # alliance-years: NATO is right-censored in every year (even in phase 1), Dunkirk never
    f = d.alliances_in_force(1950, members=[200, 220], by="alliance").set_index("atopid")
    assert bool(f.loc[3180, "censored"]) and not bool(f.loc[3055, "censored"])
    my = d.alliances_in_force(1950)
    us_nato = my[(my.atopid == 3180) & (my.member == 2)]
    assert us_nato.censored.tolist() == [True]  # still a member at the end of the data


def test_alliance_years_batch_matches(d):
    ay = d.atop_alliance_years()
    for y in (1914, 1939, 1950):
        one = d.alliances_in_force(y, by="alliance")
        b = ay[ay.year == y].reset_index(drop=True)
        assert one.atopid.tolist() == b.atopid.tolist()
        assert one.commitment.tolist() == b.commitment.tolist()
    assert set(ay.commitment) <= {"defend", "consult", "other"}


def test_member_years_phase_aware(d):
    my = d.atop_member_years()
    assert my.year.is_monotonic_increasing
    assert not my.duplicated(["year", "atopid", "member"]).any()
    # NATO changes phase in 1951: members active in both phases appear once that year
    n51 = my[(my.year == 1951) & (my.atopid == 3180)]
    assert not n51.member.duplicated().any() and 2 in set(n51.member)


# ---------------------------------------------------------------- rivalries, war, threat, capitals, trade


def test_rivals(d):
    assert d.rivals(2, 1950) == [365, 710]
    assert d.rivals(2, 1960, types=["ideological"]) == [40, 365, 710]
    assert d.rivals(260, 1960) == [265] and d.rivals(265, 1960) == [260]
    assert d.rivals(2, 2011) is None  # TD ends 2010
    assert 365 in d.rivals(2, 2015, source="tss")
    ry = d.rivalry_years("td")
    assert ((ry.ccode1 == 2) & (ry.ccode2 == 365) & (ry.year == 1950)).any()
    assert ((ry.ccode1 == 365) & (ry.ccode2 == 2) & (ry.year == 1950)).any()


def test_wars(d):
    assert d.at_war(2, 255, 1942) is True and d.at_war(255, 2, 1942) is True
    assert d.at_war(2, 255, 1950) is False
    assert d.at_war(2, 255, 2010) is None
    w = d.wars_in(1942, ccode=2)
    assert 255 in set(w.ccode2) and 740 in set(w.ccode2)


def test_threat_capital_trade(d):
    t = d.threat(2, 1950)
    assert t["lterrthreat"] == pytest.approx(0.393557669, rel=1e-6)
    assert t["lsthreat"] == pytest.approx(0.524432, rel=1e-6)
    assert all(math.isnan(v) for v in d.threat(2, 2030).values())
    tf = d.threat_frame()
    assert tf.loc[(2, 1950), "lsthreat"] == pytest.approx(0.524432, rel=1e-6)
    assert d.capital(365, 1917)["capital"] == "Saint Petersburg"
    assert d.capital(365, 1918)["capital"] == "Moscow"  # moved March 1918: latest spell in the year
    assert d.capital(260, 1960)["capital"] == "Bonn"
    assert d.capital(2, 1700) is None
    tr = d.trade_totals(2, 1950)
    assert tr["imports"] > 0 and tr["exports"] > 0
    assert all(math.isnan(v) for v in d.trade_totals(2, 1860).values())  # trade starts 1870


def test_citations_follow_used(d):
    fresh = open_data(SHARED)
    assert fresh.citations() == ""
    fresh.nmc()
    fresh.alliances_in_force(1950)
    bib = fresh.citations()
    assert "singer1972capability" in bib and "singer1987reconstructing" in bib
    assert "leeds2002atop" in bib and "Version 4.01" in bib
    assert "National Material Capabilities Data Set, Version 7.0" in bib
    assert "stinnett2002contiguity" not in bib and "schvitz2022cshapes" not in bib
    fresh.min_distance(2, 20, 1950)
    assert "schvitz2022cshapes" in fresh.citations()
