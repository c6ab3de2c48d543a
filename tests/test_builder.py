"""The theatre builder on the shared COW/ATOP data: it reproduces the hand-coded
1949 and 1951 theatres' facts, never reads the scenario year or later, and its
CLI writes files that `pactlab validate` and `pactlab run` accept.

Comparisons with the hand-coded built-ins skip exactly the values the
hand-coded file marks FALLBACK (Japan 1950: no NMC row, no polygon, no
contiguity spell -- the hand coder used 1952-53 values); for those the test
asserts that the builder flags a fallback too, and, with ``allow_later``, that
it reproduces the hand-coded values.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.data import DataError, open_data
from pactlab.errors import PactlabError
from pactlab.evidence.builder import (
    NOT_IN_DATA,
    BuildDataError,
    BuildInputError,
    TimeOrderError,
    _Past,
    build_theatre,
    write_yaml,
)
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import get
from pactlab.scenarios.loader import load_scenario, parse_scenario
from pactlab.scenarios.schema import Role

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data directory {SHARED} is absent"),
]

EUROPE = dict(patron=2, year=1949, clients=[20, 200, 220, 211, 210, 212, 385, 390, 395, 325, 235], adversary=365)
ASIA = dict(patron=2, year=1951, clients=[900, 920, 840, 740], adversary=365)
CASES = {"europe-1949": EUROPE, "asia-pacific-1951": ASIA}


@pytest.fixture(scope="module")
def d():
    return open_data(SHARED)


@pytest.fixture(scope="module")
def built(d):
    return {k: build_theatre(d, **v) for k, v in CASES.items()}


def _by_code(s):
    return {a.ccode: a for a in s.actors}


def _ties(s):
    code = {a.id: a.ccode for a in s.actors}
    return {frozenset((code[t.a], code[t.b])): t for t in s.geography}


def _flagged(note) -> bool:
    return note is not None and "FALLBACK" in note


# ----------------------------------------------------------------------------------------- facts


@pytest.mark.parametrize("sid", CASES)
def test_same_actors_and_roles(sid, built):
    hand, b = get(sid), parse_scenario(built[sid])
    assert sorted(a.ccode for a in hand.clients) == sorted(a.ccode for a in b.clients)
    assert [a.ccode for a in b.clients] == CASES[sid]["clients"]  # the user's order is kept
    assert b.patron.ccode == hand.patron.ccode == 2
    assert b.adversary.ccode == hand.adversary.ccode == 365
    assert b.year == hand.year
    # ids are COW state abbreviations for the year
    abb = {a.ccode: a.id for a in b.actors}
    assert abb[2] == "USA" and abb[365] == "RUS"
    if sid == "europe-1949":
        assert abb[200] == "UKG" and abb[220] == "FRN"
    assert b.record is None and b.events == []


@pytest.mark.parametrize("sid", CASES)
def test_capabilities_equal_where_hand_coded_from_nmc_for_the_same_year(sid, built):
    hand, b = get(sid), parse_scenario(built[sid])
    bc = _by_code(b)
    checked = 0
    for a in hand.actors:
        if a.ccode not in bc:
            continue
        x = bc[a.ccode].capability
        if _flagged(a.capability.note):
            assert _flagged(x.note), f"{a.id}: the hand-coded value is a fallback; the builder must flag one too"
            continue
        assert a.capability.note and f"CINC {hand.year - 1}" in a.capability.note
        assert x.value == pytest.approx(a.capability.value, abs=1e-6), a.id
        assert x.rule == "CAP1" and x.source == "nmc"
        checked += 1
    assert checked >= (14 if sid == "europe-1949" else 6)


@pytest.mark.parametrize("sid", CASES)
def test_geography_equal_where_hand_coded_from_the_year_before(sid, built):
    hand, b = get(sid), parse_scenario(built[sid])
    bt = _ties(b)
    hc = {a.id: a.ccode for a in hand.actors}
    checked = 0
    for t in hand.geography:
        k = frozenset((hc[t.a], hc[t.b]))
        if k not in bt:
            continue  # an actor the builder does not derive (North Korea 1951: no treaty with the USSR)
        x = bt[k]
        if _flagged(t.note):
            assert _flagged(x.note), f"{t.a}-{t.b}: the hand-coded value is a fallback; the builder must flag one"
            continue
        assert x.contiguity == t.contiguity, (t.a, t.b)
        assert abs(x.distance_km - t.distance_km) <= 1.0, (t.a, t.b, x.distance_km, t.distance_km)
        assert x.by_land == t.by_land, (t.a, t.b)
        checked += 1
    assert checked >= (91 if sid == "europe-1949" else 15)


def test_the_builder_gives_every_pair_a_tie(built):
    for sid, dd in built.items():
        s = parse_scenario(dd)
        n = len(s.actors)
        assert len(s.geography) == n * (n - 1) // 2


def test_treaties_in_force_with_their_levels(built):
    hand51, b51 = get("asia-pacific-1951"), parse_scenario(built["asia-pacific-1951"])
    hand49, b49 = get("europe-1949"), parse_scenario(built["europe-1949"])
    for hand, b in ((hand51, b51), (hand49, b49)):
        code_b = {a.id: a.ccode for a in b.actors}
        code_h = {a.id: a.ccode for a in hand.actors}
        bt = {t.atop: t for t in b.treaties}
        for t in hand.treaties:
            assert t.atop in bt, f"{hand.id}: ATOP {t.atop} ({t.id}) missing from the build"
            x = bt[t.atop]
            assert x.level == t.level, t.id
            assert sorted(code_b[m] for m in x.members) == sorted(code_h[m] for m in t.members), t.id
            assert x.since == t.since, t.id
    anzac = {t.atop: t for t in b51.treaties}[2565]
    assert anzac.level.value == "consult" and sorted(anzac.members) == ["AUL", "NEW"]
    t49 = {t.atop: t for t in b49.treaties}
    assert t49[3055].level.value == "defend" and sorted(t49[3055].members) == ["FRN", "UKG"]
    assert t49[3130].level.value == "defend" and sorted(t49[3130].members) == ["BEL", "FRN", "LUX", "NTH", "UKG"]
    assert 3180 not in t49  # NATO itself (April 1949) is the outcome, not an input


def test_aligned_adversaries_rule_a1(built):
    b51 = parse_scenario(built["asia-pacific-1951"])
    al = {a.ccode: a.alignment for a in b51.by_role(Role.aligned_adversary)}
    assert al[710].value == 1.0 and "3200" in al[710].note  # Sino-Soviet treaty, Feb 1950
    assert 731 not in al  # North Korea: no ATOP pledge with the USSR (the hand coder's 0.6 is a judgement)
    assert 200 not in al and 220 not in al  # pledged to the USSR (1942, 1944) but also to the patron (NATO)
    b49 = parse_scenario(built["europe-1949"])
    al49 = {a.ccode: a.alignment.value for a in b49.actors if a.alignment is not None}
    assert al49[315] == 1.0  # Czechoslovakia, as hand-coded (ATOP 2563)
    assert al49[375] == 1.0  # Finland: the April 1948 treaty (ATOP 3140, defense=1)


def test_disputes_from_war_data(built):
    hand, b = get("europe-1949"), parse_scenario(built["europe-1949"])
    code_b = {a.id: a.ccode for a in b.actors}
    code_h = {a.id: a.ccode for a in hand.actors}
    war_h = {frozenset((code_h[x.a], code_h[x.b])) for x in hand.disputes if x.intensity == 1.0}
    war_b = {frozenset((code_b[x.a], code_b[x.b])) for x in b.disputes if x.intensity == 1.0}
    assert war_b == war_h  # UK-FRA, CAN-FRA (Vichy), UK-ITA, CAN-ITA, FRA-ITA
    b51 = parse_scenario(built["asia-pacific-1951"])
    dd = {frozenset((x.a, x.b)): x.intensity for x in b51.disputes}
    assert dd[frozenset(("AUL", "JPN"))] == 1.0 and dd[frozenset(("NEW", "JPN"))] == 1.0
    assert frozenset(("AUL", "NEW")) not in dd  # ANZAC agreement: a security agreement, no trust deficit


def test_threat_trend_and_judgements(built):
    for sid in CASES:
        hand, b = get(sid), parse_scenario(built[sid])
        assert b.threat_trend.value == hand.threat_trend.value == 1.0
    b51 = parse_scenario(built["asia-pacific-1951"])
    jpn = _by_code(b51)[740]
    assert jpn.sovereignty.value.value == "occupied" and jpn.sovereignty.rule == "S1-proxy"
    aus = _by_code(b51)[900]
    assert aus.sovereignty.value.value == "full" and aus.sovereignty.note.startswith(NOT_IN_DATA)
    for f in ("provocation", "threat_divergence", "econ_dependence"):
        assert getattr(aus, f).note.startswith(NOT_IN_DATA)
    assert _by_code(b51)[2].maritime_reach.value == 1.0  # codebook MR1 anchor (US from 1945)
    assert _by_code(b51)[365].maritime_reach.value == 0.3  # codebook MR1 anchor (USSR 1945-60)
    assert aus.maritime_reach.rule == "MR1-proxy"


@pytest.mark.parametrize("sid", CASES)
def test_built_scenario_loads_and_solves(sid, built):
    s = parse_scenario(built[sid])
    r = solve(s)
    assert r.design in {"none", "bilateral", "trilateral", "multilateral", "hub-and-spoke", "clients-only", "mixed"}


def test_every_value_cites_a_declared_source_with_a_version(built):
    for dd in built.values():
        s = parse_scenario(dd)
        for key in s.sources:
            assert key in {"nmc", "states", "majors", "contdir_mindist", "atop", "cowwar", "td_rivalries",
                           "codebook", "builder", "capitals"}
        for key in ("nmc", "contdir_mindist", "atop", "capitals"):
            assert "version" in s.sources[key].cite


# ----------------------------------------------------------------------------------------- time order


def test_brussels_absent_from_1948_and_dunkirk_from_1947(d):
    wu = [200, 220, 211, 210, 212]
    b48 = parse_scenario(build_theatre(d, 2, 1948, wu, 365))
    ids48 = {t.atop for t in b48.treaties}
    assert 3055 in ids48 and 3130 not in ids48  # Dunkirk (Mar 1947) in force; Brussels (17 Mar 1948) not yet
    b47 = parse_scenario(build_theatre(d, 2, 1947, wu, 365))
    assert 3055 not in {t.atop for t in b47.treaties}


def test_the_guard_refuses_the_scenario_year(d):
    P = _Past(d, 1951, allow_later=False, window=10)
    assert P.check(1950, "x") == 1950
    with pytest.raises(TimeOrderError):
        P.check(1951, "x")
    with pytest.raises(TimeOrderError):
        P.cinc(740, 1952)
    with pytest.raises(TimeOrderError):
        P.cinc(740, 1952, later=True)  # only with allow_later
    assert np.isfinite(_Past(d, 1951, allow_later=True, window=10).cinc(740, 1952, later=True))


@pytest.mark.parametrize("sid", CASES)
def test_no_year_query_reaches_the_scenario_year(sid, monkeypatch):
    dd = open_data(SHARED)
    asked: list[tuple[str, int]] = []
    for name, pos in (("cinc", 1), ("capability", 1), ("contiguity", 2), ("min_distance", 2), ("is_state", 1),
                      ("is_major", 1), ("at_war", 2), ("rivals", 1), ("threat", 1), ("capital", 1),
                      ("alliances_in_force", 0)):
        orig = getattr(dd, name)

        def spy(*a, _orig=orig, _pos=pos, _name=name, **k):
            asked.append((_name, int(a[_pos] if len(a) > _pos else k.get("year"))))
            return _orig(*a, **k)
        monkeypatch.setattr(dd, name, spy)
    build_theatre(dd, **CASES[sid])
    assert asked, "the spy saw no query"
    late = [(n, y) for n, y in asked if y >= CASES[sid]["year"]]
    assert not late, late


def _redact(src: Path, dst: Path, Y: int) -> None:
    """Copy the shared data with everything from year Y on removed (spells cut at the end of Y-1)."""
    end = pd.Timestamp(f"{Y - 1}-12-31")

    def out(rel: str) -> Path:
        p = dst / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    s = pd.read_csv(src / "cow/cow_states.csv")
    s = s[s.styear < Y].copy()
    late = s.endyear >= Y
    s.loc[late, ["endyear", "endmonth", "endday"]] = [Y - 1, 12, 31]
    s.to_csv(out("cow/cow_states.csv"), index=False)
    m = pd.read_csv(src / "cow/cow_majors.csv")
    m = m[m.styear < Y].copy()
    m.loc[m.endyear >= Y, ["endyear", "endmonth", "endday"]] = [Y - 1, 12, 31]
    m.to_csv(out("cow/cow_majors.csv"), index=False)
    c = pd.read_csv(src / "cow/cow_contdir.csv", parse_dates=["stdate", "enddate"])
    c = c[c.stdate <= end].copy()
    c.loc[c.enddate > end, "enddate"] = end
    c.to_csv(out("cow/cow_contdir.csv"), index=False, date_format="%Y-%m-%d")
    for rel in ("cow/cow_nmc.csv", "cow/cow_war_inter.csv", "threat/terrthreat.csv",
                "threat/leeds_savun_threat.csv"):
        t = pd.read_csv(src / rel)
        t[t.year < Y].to_csv(out(rel), index=False)
    with gzip.open(src / "cow/cow_mindist.csv.gz", "rt") as fh:
        md = pd.read_csv(fh)
    md[md.year < Y].to_csv(out("cow/cow_mindist.csv.gz"), index=False, compression="gzip")
    cap = pd.read_csv(src / "cow/cow_capitals.csv", parse_dates=["stdate", "enddate"])
    cap = cap[cap.stdate <= end].copy()
    cap.loc[cap.enddate > end, "enddate"] = end
    cap.to_csv(out("cow/cow_capitals.csv"), index=False, date_format="%Y-%m-%d")
    td = pd.read_csv(src / "threat/td_rivalries.csv")
    td = td[td.styear < Y].copy()
    td.loc[td.endyear >= Y, "endyear"] = Y - 1
    td.to_csv(out("threat/td_rivalries.csv"), index=False)
    am = pd.read_csv(src / "atop/atop4_01m_to1955.csv")
    am = am[am.yrent < Y].copy()
    am.loc[am.yrexit >= Y, ["yrexit", "moexit", "dayexit"]] = 0  # in force at the end of the redacted data
    am.to_csv(out("atop/atop4_01m_to1955.csv"), index=False)
    aa = pd.read_csv(src / "atop/atop4_01a_to1955.csv")
    aa = aa[aa.begyr < Y].copy()
    aa.loc[aa.endyr >= Y, ["endyr", "endmo", "endday"]] = 0
    aa.to_csv(out("atop/atop4_01a_to1955.csv"), index=False)


def _facts(dd: dict) -> dict:
    """The values of a built scenario (notes, sources and versions left out)."""
    def val(v):
        return v["value"] if isinstance(v, dict) else v
    actors = {a["ccode"]: {k: val(v) for k, v in a.items() if k not in ("name",)} for a in dd["actors"]}
    geo = {(t["a"], t["b"]): (t["contiguity"], t["distance_km"], t["overland"]) for t in dd["geography"]}
    tr = {t["atop"]: (tuple(t["members"]), t["level"], t.get("since")) for t in dd["treaties"]}
    ds = {(x["a"], x["b"]): x["intensity"] for x in dd["disputes"]}
    return {"actors": actors, "geo": geo, "treaties": tr, "disputes": ds, "trend": dd["threat_trend"]["value"]}


@pytest.mark.parametrize("sid", CASES)
def test_same_build_from_data_with_the_future_removed(sid, tmp_path, built):
    Y = CASES[sid]["year"]
    _redact(SHARED, tmp_path, Y)
    past = build_theatre(open_data(tmp_path), **CASES[sid])
    assert _facts(past) == _facts(built[sid])


def test_allow_later_reproduces_the_hand_coded_japan_fallbacks(d):
    hand = get("asia-pacific-1951")
    b = parse_scenario(build_theatre(d, **ASIA, allow_later=True))
    jpn = _by_code(b)[740]
    assert jpn.capability.value == pytest.approx(hand.actor("JPN").capability.value, abs=1e-6)  # CINC 1952
    assert "TIME-ORDER EXCEPTION" in jpn.capability.note
    bt, hc = _ties(b), {a.id: a.ccode for a in hand.actors}
    n = 0
    for t in hand.geography:
        k = frozenset((hc[t.a], hc[t.b]))
        if 740 in k and k in bt:
            assert bt[k].contiguity == t.contiguity and abs(bt[k].distance_km - t.distance_km) <= 1.0, (t.a, t.b)
            n += 1
    assert n >= 5
    # strict (the default): Japan's values are time-ordered fallbacks, never from 1951 or later
    strict = _by_code(parse_scenario(build_theatre(d, **ASIA)))[740]
    assert "CINC 1945" in strict.capability.note and "TIME-ORDER" not in strict.capability.note


# ----------------------------------------------------------------------------------------- errors


def test_bad_input_errors(d):
    with pytest.raises(BuildInputError, match="unknown COW state code 999"):
        build_theatre(d, 2, 1951, [900, 999], 365)
    with pytest.raises(BuildInputError, match="Australia .900. is not a COW system member in 1899"):
        build_theatre(d, 2, 1900, [900], 365)
    with pytest.raises(BuildInputError, match="260"):
        build_theatre(d, 2, 1960, [200, 255], 365)  # Germany 1959 is 260
    with pytest.raises(BuildInputError, match="twice"):
        build_theatre(d, 2, 1951, [900, 365], 365)
    with pytest.raises(BuildDataError, match="outside the data"):
        build_theatre(d, 2, 1800, [200], 365)
    with pytest.raises(DataError, match="outside the data"):
        build_theatre(d, 2, 2100, [200], 365)
    assert issubclass(BuildInputError, PactlabError) and issubclass(BuildDataError, DataError)


def test_user_named_aligned_and_no_patron(d):
    b = parse_scenario(build_theatre(d, 2, 1951, [900, 920, 840, 740], 365, aligned=[710, 731]))
    al = {a.ccode: a.alignment for a in b.actors if a.alignment is not None}
    assert set(al) == {710, 731} and al[731].value == 0.3 and al[731].note.startswith(NOT_IN_DATA)
    n = parse_scenario(build_theatre(d, None, 1948, [200, 220, 211, 210, 212], 365, aligned=[]))
    assert n.patron is None and not n.by_role(Role.aligned_adversary)
    solve(n)


def test_no_patron_aligned_rule_leaves_out_states_pledged_to_the_clients(d):
    """Without a patron the clients are the side the adversary faces: the UK and France, pledged to
    Belgium, the Netherlands and Luxembourg (Brussels 1948) as well as to the USSR (1942, 1944), do not
    follow the adversary's line and are not aligned adversaries; Soviet allies with no pledge to the
    clients still are."""
    raw = build_theatre(d, None, 1949, [211, 210, 212], 365)
    al = {a.ccode for a in parse_scenario(raw).by_role(Role.aligned_adversary)}
    assert not al & {200, 220}
    assert {290, 315} <= al  # Poland, Czechoslovakia
    text = " ".join(yaml.safe_dump(raw, width=10**6).split())
    assert "also to the clients, so not counted as aligned adversaries" in text and "United Kingdom (200)" in text


def test_repeated_builds_are_identical(d, built):
    """A build reuses the data folder's caches and gives the same theatre every time (its speed is
    measured in benchmarks/bench_build.py, not here)."""
    assert build_theatre(d, **EUROPE) == build_theatre(d, **EUROPE) == built["europe-1949"]


# ----------------------------------------------------------------------------------------- v2 inputs


@pytest.mark.parametrize("sid", CASES)
def test_shares_and_capital_distances_equal_the_hand_coded_files(sid, built):
    """CAP2 and GEO3: the builder and the scenario tools call the same measures, so a data-built theatre
    carries the built-in's values for the same state, pair and year (both use the year before)."""
    hand, b = get(sid), parse_scenario(built[sid])
    bc = _by_code(b)
    checked = 0
    for a in hand.actors:
        x = bc.get(a.ccode)
        if x is None or _flagged(a.capability.note) or "Time-order" in (a.capability.note or ""):
            continue
        for f in ("milex_share", "milper_share"):
            h, v = getattr(a, f), getattr(x, f)
            assert (h is None) == (v is None), (sid, a.id, f)
            if h is not None:
                assert v.value == h.value and v.rule == "CAP2" and v.source == "nmc", (sid, a.id, f)
                checked += 1
    assert checked >= (28 if sid == "europe-1949" else 10)
    bt, hc = _ties(b), {a.id: a.ccode for a in hand.actors}
    same = 0
    for t in hand.geography:
        x = bt.get(frozenset((hc[t.a], hc[t.b])))
        if x is None or "FALLBACK" in (t.note or "").split("GEO3")[-1]:
            continue
        assert x.capital_distance_km == t.capital_distance_km, (sid, t.a, t.b)
        assert x.capital_source == "capitals" and "capitals" in b.sources
        same += 1
    assert same >= 15


def test_capital_distance_uses_the_year_before_and_names_a_missing_table(tmp_path, d):
    """GEO3 in a build: London-Paris as the tool gives it; without the capitals table the build still
    succeeds, writes no capital distance and says why in the description."""
    b = parse_scenario(build_theatre(d, 2, 1948, [200, 220], 365))
    code = {a.id: a.ccode for a in b.actors}
    t = next(t for t in b.geography if {code[t.a], code[t.b]} == {200, 220})
    assert t.capital_distance_km == 342.2
    # a data folder without the capitals table
    for sub in ("cow", "atop", "threat"):
        (tmp_path / sub).mkdir()
        for f in (SHARED / sub).iterdir():
            if f.name != "cow_capitals.csv":
                (tmp_path / sub / f.name).symlink_to(f)
    bare = build_theatre(open_data(tmp_path), 2, 1948, [200, 220], 365)
    s = parse_scenario(bare)
    assert all(t.capital_distance_km is None for t in s.geography)
    assert "GEO3: the capitals table (cow_capitals.csv) is not in the data folder" in bare["description"]
    assert "capitals" not in bare["sources"]


def test_rivals_by_the_data_rule(d):
    """OTH1 (data rule): Pakistan's most recent war before 1954 is the 1947-49 Kashmir war with India, so
    India is Pakistan's rival, as the hand coder reads Pakistan's statements (southeast-asia-1954). A rival
    is never on the adversary side, the patron or a client, and has ties to every actor."""
    dd = build_theatre(d, 2, 1954, [900, 920, 840, 800, 770], 710)
    s = parse_scenario(dd)
    rivals = {a.ccode: a for a in s.actors if a.role is Role.rival}
    ids = {a.ccode: a.id for a in s.actors}
    assert ids[770] in rivals[750].rival_of
    assert rivals[750].capability.value == pytest.approx(d.cinc(750, 1953), abs=1e-6)
    assert rivals[750].milex_share.rule == "CAP2"
    taken = {a.ccode for a in s.actors if a.role is not Role.rival}
    assert not set(rivals) & taken
    assert "OTH1 (data rule): India (IND) is coded as the rival of Pakistan" in dd["description"]
    hand = get("southeast-asia-1954")
    assert {a.ccode for a in hand.actors if a.role is Role.rival} == {750}
    n = len(s.actors)
    assert len(s.geography) == n * (n - 1) // 2
    # Korea 1953: the ROK's war opponents are the PRC and North Korea. With no ATOP pledge between them
    # (1961) the builder does not put North Korea on the adversary side, so it is the ROK's rival; named
    # as an aligned adversary (as the hand coder does), no rival is left.
    k = parse_scenario(build_theatre(d, 2, 1953, [732], 710))
    assert [(a.ccode, a.rival_of) for a in k.actors if a.role is Role.rival] == [(731, ["ROK"])]
    k = parse_scenario(build_theatre(d, 2, 1953, [732], 710, aligned=[731, 365]))
    assert not [a for a in k.actors if a.role is Role.rival]


# ----------------------------------------------------------------------------------------- YAML and CLI


def test_write_yaml_header_and_round_trip(tmp_path, built):
    p = write_yaml(built["asia-pacific-1951"], tmp_path / "a.yaml")
    text = p.read_text()
    head = [ln for ln in text.splitlines() if ln.startswith("#")]
    assert head and "built from data" in head[0]
    joined = "\n".join(head)
    assert "version 7.0" in joined and "version 4.01" in joined and "NOT IN THE DATA" in joined
    assert "provocation (PROV1 = 0.0): AUL, NEW, PHI, JPN" in joined
    assert yaml.safe_load(text) == yaml.safe_load(yaml.safe_dump(built["asia-pacific-1951"]))
    s = load_scenario(p)
    assert s.id == "built-1951-usa-rus"


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="pactlab")


def test_cli_build_validate_run(tmp_path):
    out = tmp_path / "asia.yaml"
    r = _invoke("build", "--data", SHARED, "--patron", 2, "--year", 1951, "--clients", "900,920,840,740",
                "--adversary", 365, "--out", out)
    assert r.exit_code == 0, r.output
    assert out.exists() and "wrote" in r.output
    r = _invoke("validate", out)
    assert r.exit_code == 0, r.output
    r = _invoke("run", out)
    assert r.exit_code == 0, r.output
    assert "Predicted design" in r.output


def test_cli_default_out_and_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACTLAB_DATA", str(SHARED))
    r = _invoke("build", "--patron", 2, "--year", 1949, "--clients", "200,220", "--adversary", 365,
                "--aligned", "315", "--id", "wu-1949")
    assert r.exit_code == 0, r.output
    s = load_scenario(tmp_path / "wu-1949.yaml")
    assert [a.ccode for a in s.actors if a.alignment is not None] == [315]


@pytest.mark.parametrize("args, msg", [
    (["--clients", "900,999", "--year", 1951], "unknown COW state code 999"),
    (["--clients", "900", "--year", 1800], "outside the data"),
    (["--clients", "900", "--year", 1900], "not a COW system member"),
    (["--clients", "900,x", "--year", 1951], "not a COW state code"),
])
def test_cli_errors(tmp_path, args, msg):
    r = _invoke("build", "--data", SHARED, "--patron", 2, "--adversary", 365, "--out", tmp_path / "x.yaml", *args)
    assert r.exit_code == 1, r.output
    assert "Error:" in r.output and msg in r.output.replace("\n", " ")
    assert "Traceback" not in r.output
    assert not (tmp_path / "x.yaml").exists()


def test_cases_rebuilt_from_data_side_by_side(d):
    """pactlab cases --built: each historical case rebuilt from the records with its patron, clients,
    adversary and year, its record mapped onto the built actors by COW code, scored beside the
    hand-coded file. The rebuilt 1949 and 1951 theatres are the ones the tests above check."""
    from click.testing import CliRunner

    from pactlab.cli import main
    from pactlab.evidence.cases import built_case_table, case_table, exact_score, json_rows

    built = {b.scenario: b for b in built_case_table(d)}
    hist = [r for r in json_rows(case_table()) if r["kind"] == "historical"]
    assert set(built) == {r["scenario"] for r in hist}
    for sid in CASES:
        b = built[sid]
        assert b.built is not None, b.note
        assert sorted(a.ccode for a in b.built.clients) == sorted(CASES[sid]["clients"])
        # the record is the hand-coded one, on the built actors' ids
        assert [t.id for t in b.built.record.treaties] == [t.id for t in get(sid).record.treaties]
        assert exact_score(b.built, b.result) is not None
    r = CliRunner().invoke(main, ["cases", "--built", "--data", str(SHARED), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = {x["scenario"]: x for x in json.loads(r.output[r.output.index("["):])}
    for h in hist:  # the hand-coded columns are the case table's
        assert rows[h["scenario"]]["hand_exact_paper"] == h["exact_paper"]
        assert rows[h["scenario"]]["hand_exact_atop"] == h["exact_atop"]
    k = rows["korea-1953"]
    assert k["built_design"] == "bilateral" and k["built_treaties"].startswith("USA+ROK")
    bad = CliRunner().invoke(main, ["cases", "--built", "--regenerate"])
    assert bad.exit_code != 0 and "--built" in bad.output


def test_sovereign_in_window_option_codes_a_state_sovereign_in_the_window(d):
    # Japan is not a COW system member in 1950 (it re-enters in 1952): occupied by default
    strict = _by_code(parse_scenario(build_theatre(d, **ASIA)))[740]
    assert strict.sovereignty.value.value == "occupied"
    wide = _by_code(parse_scenario(build_theatre(d, **ASIA, sovereign_through=1955)))
    jpn = wide[740]
    assert jpn.sovereignty.value.value == "full" and jpn.sovereignty.rule == "S1-window"
    assert "1952" in jpn.sovereignty.note and "TIME-ORDER EXCEPTION" in jpn.sovereignty.note
    # the same rule for every client: a member in the year before keeps the default coding
    assert wide[900].sovereignty.rule == "S1"
    # a window that ends before the state re-enters leaves it occupied
    short = _by_code(parse_scenario(build_theatre(d, **ASIA, sovereign_through=1951)))[740]
    assert short.sovereignty.value.value == "occupied"
    with pytest.raises(BuildInputError, match="sovereign_through"):
        build_theatre(d, **ASIA, sovereign_through=1949)
