"""Episode rules v2 (docs/evidence.md, "Episode rules") on a hand-built world (tests/worlds.py), where
every answer can be worked out by hand, and the published counts on the shared data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.data import open_data
from pactlab.evidence import episodes as E
from pactlab.evidence.record import window_events
from worlds import ALLIANCES, small_world

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GOLDEN = Path(__file__).resolve().parent / "golden" / "episode_counts_1816_1955.csv"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return open_data(small_world(tmp_path_factory.mktemp("world")))


@pytest.fixture(scope="module")
def eps(world):
    es = E.build_episodes(world, 1901, 1905)
    return {e.key: e for e in es.episodes}


def _ev(ep, atopid):
    return next(e for e in ep.events if e.event.atopid == atopid)


def test_every_major_with_an_adversary_is_an_episode(eps):
    assert set(eps) == {"2@1901-1905", "200@1901-1905", "365@1901-1905"}
    # the UK has no rival: the strongest major it is not allied with (the USA)
    assert eps["200@1901-1905"].adversary.ccode == 2 and eps["200@1901-1905"].adversary.rule == "strongest-major"
    # an episode without any event is kept (a negative case)
    assert not eps["365@1901-1905"].events and eps["365@1901-1905"].candidates
    assert eps["365@1901-1905"].parts and not eps["365@1901-1905"].parts[0].signers


def test_founding_level_comes_from_the_founding_phase(world):
    # ATOP 1040: consultation in phase 1 (1902), defence only from phase 2 (1908)
    al = world.atop_alliances()
    assert al.loc[al.atopid == 1040, "commitment"].item() == "defend"  # the all-phase column
    ev = next(e for e in window_events(world, 1901, 1905) if e.atopid == 1040)
    assert ev.level == "consult" and ev.kind == "founding"


def test_the_view_holds_the_obligations_in_force_the_year_before(world):
    a = E.data_before(world, 1906).atop_alliances()
    assert a.loc[a.atopid == 1040, "commitment"].item() == "consult"
    a = E.data_before(world, 1910).atop_alliances()
    assert a.loc[a.atopid == 1040, "commitment"].item() == "defend"


def test_events_are_scored_as_what_they_are(eps):
    us = eps["2@1901-1905"]
    assert _ev(us, 1020).status == "renewal" and not _ev(us, 1020).new  # USA-CAN pledged since 1895
    acc = _ev(us, 1030)
    assert acc.status == "accession" and acc.clients == (211, 212) and acc.event.entrants == (212,)
    assert acc.event.level == "consult"
    co = _ev(us, 1050)
    assert co.role == "clients-only" and not co.with_patron and co.clients == (210, 211)
    # non-aggression only: no event
    assert all(e.event.atopid != 1110 for e in us.events)
    c = {x.ccode: x for x in us.candidates}
    assert (c[20].y, c[20].status) == (0, "renewal")
    assert (c[212].y, c[212].status) == (1, "accession")
    assert (c[211].y, c[211].status) == (0, "incumbent")
    assert (c[210].y, c[210].status) == (1, "new")


def test_lead_patron_and_other_majors_as_clients(eps):
    us, uk = eps["2@1901-1905"], eps["200@1901-1905"]
    ev = _ev(us, 1060)
    assert ev.event.lead == 2 and ev.clients == (200, 230)  # the UK (lower CINC) is a client
    assert all(e.event.atopid != 1060 for e in uk.events) and 1060 in uk.other_led
    assert {x.ccode: x.status for x in uk.candidates}[230] == "other-patron"


def test_candidates_follow_the_rule_and_never_the_outcome(eps):
    us = eps["2@1901-1905"]
    c = {x.ccode: x for x in us.candidates}
    assert 290 not in c  # pledged to the adversary: its side
    assert set(c[20].why) >= {"contiguous-patron", "allied-patron"}
    assert "near-adversary" in c[210].why and c[230].why == ("region",)
    assert "major" in c[200].why
    out = dict(us.outside_rule)
    assert "none of the candidate criteria" in out[700]
    assert "not yet a COW system member in 1900" in out[731]
    assert "ATOP-only" in out[999] and 999 in dict(us.dropped)
    # the ATOP-only member is left out of its treaty, which stays listed
    assert _ev(us, 1100).clients == () and _ev(us, 1100).left_out[0][0] == 999


def test_removing_the_windows_alliances_changes_only_the_outcome(tmp_path, eps):
    """Candidates, threat ranks and adversaries are computed from data before the window: a world with
    none of the window's alliances gives the same ones (only who signed differs)."""
    quiet = [(i, b, e, w, [m for m in mem if m[1] < 1901]) for i, b, e, w, mem in ALLIANCES if b < 1901]
    other = {e.key: e for e in E.build_episodes(open_data(small_world(tmp_path / "quiet", quiet)), 1901, 1905).episodes}
    assert set(other) == set(eps)
    for k, e in eps.items():
        o = other[k]
        assert o.adversary == e.adversary
        strip = lambda xs: [(x.ccode, x.region, round(x.threat, 12), x.why, x.major) for x in xs]  # noqa: E731
        assert strip(o.candidates) == strip(e.candidates)
        assert not o.events and all(x.y == 0 for x in o.candidates)


def test_scope_flags(eps):
    us = eps["2@1901-1905"]
    assert not _ev(us, 1070).event.in_scope and _ev(us, 1070).event.wartime
    assert _ev(us, 1050).event.in_scope  # a peacetime clients-only pact is in scope
    assert not us.fully_in_scope and eps["365@1901-1905"].fully_in_scope
    # the in-scope subset leaves out the wartime alliance and Portugal, which only it holds
    assert {c.ccode: c.in_scope for c in us.candidates}[235] is False
    assert 235 not in {x[0] for x in us.scope_sample("in-scope")} and 235 in {x[0] for x in us.sample}
    assert all(235 not in p.clients for p in us.parts_in_scope)
    assert 1070 not in {e.event.atopid for e in us.scope_events("in-scope")}


def test_design_parts_hold_the_signers_and_the_highest_threat_non_signers(eps):
    us = eps["2@1901-1905"]
    by = {p.region: p for p in us.parts}
    assert by["Europe"].signers == (200, 210, 211, 212, 230, 235)
    assert by["Asia-Pacific"].later_fallback == (731,)  # born in the window: flagged later-year fallbacks
    ru = eps["365@1901-1905"].parts[0]
    threat = {c.ccode: c.threat for c in eps["365@1901-1905"].candidates}
    assert list(ru.clients) == sorted(ru.clients, key=lambda c: -threat[c])


def test_oversized_regions_are_split_and_the_split_pairs_listed():
    signers = list(range(40, 56))  # 16 signers, all in one subregion (North and Central America)
    parts, split = E._parts(signers, [], [], 12, set())
    assert [len(p.clients) for p in parts] == [8, 8] and {p.split for p in parts} == {"chunk"}
    assert len(split) == 8 * 8
    parts, split = E._parts(list(range(40, 50)) + list(range(100, 105)), [], [], 12, set())
    assert [p.split for p in parts] == ["subregion", "subregion"] and len(split) == 10 * 5
    fill = [E.Candidate(c, "Americas", 0.5, ("region",), False, False, 0, "none") for c in (60, 61, 62)]
    parts, _ = E._parts([40, 41], fill, ["Americas"], 4, set())
    assert parts[0].clients == (40, 41, 60, 61)


def test_case_control_sampling_weights():
    cands = [E.Candidate(c, "Europe", 0.1, ("region",), False, c < 203, int(c < 203), "new" if c < 203 else "none")
             for c in range(200, 300)]
    s = E.participation_sample(2, 1901, cands, controls=10)
    ones = [x for x in s if x[1] == 1]
    zeros = [x for x in s if x[1] == 0]
    assert len(ones) == 3 and all(w == 1.0 for *_, w in ones)
    assert all(w == pytest.approx(97 / 10) for *_, w in zeros) and 3 <= len(zeros) <= 20
    assert sorted(s) == sorted(E.participation_sample(2, 1901, list(reversed(cands)), controls=10))  # order-free
    # the weighted count of non-signers estimates their number
    assert abs(sum(w for *_, w in zeros) - 97) < 3 * 97 ** 0.5 * 3


def test_war_opponent_rule_and_diagnostics(world):
    es = E.build_episodes(world, 1901, 1905, adversary_rule="war")
    us = next(e for e in es.episodes if e.patron == 2)
    assert us.adversary.ccode == 200 and us.adversary.rule == "war-opponent" and us.adversary.is_rival is False
    d = E.adversary_diagnostics(es)
    assert d["adversary_rule"] == "war" and d["not_rival"] >= 1
    assert d["share_not_rival_or_ally"] == d["not_rival_or_ally"] / d["n"]
    with pytest.raises(E.BacktestError, match="adversary-rule"):
        E.build_episodes(world, 1901, 1905, adversary_rule="nearest")


def test_counts_cli_on_the_world(tmp_path):
    p = small_world(tmp_path / "w")
    r = CliRunner().invoke(main, ["episodes", "--data", str(p), "--from", "1901", "--to", "1905", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("window,scope,episodes") and len(lines) == 3
    r = CliRunner().invoke(main, ["episodes", "--data", str(p), "--from", "1901", "--to", "1905",
                                  "--episode", "2@1901-1905"])
    assert r.exit_code == 0 and "renewal" in r.output and "accession" in r.output
    r = CliRunner().invoke(main, ["episodes", "--data", str(p), "--from", "1901", "--to", "1905", "--episode", "9@1"])
    assert r.exit_code == 1 and "Error:" in r.output and "no such episode" in r.output


@pytest.mark.data
@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data folder {DATA} not found (needs ../shared/data)")
def test_published_counts_1816_1955():
    """The counts in docs/evidence.md. Regenerate after a reviewed rule change with
    ``pactlab episodes --data ../shared/data --from 1816 --to 1955 --format csv > tests/golden/episode_counts_1816_1955.csv``."""
    es = E.build_episodes(open_data(DATA), 1816, 1955)
    got = E.counts_table(es)
    want = pd.read_csv(GOLDEN)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)
    by = {e.key: e for e in es.episodes}
    us = by["2@1951-1955"]
    nato = next(e for e in us.events if e.event.atopid == 3180)
    assert nato.status == "accession" and set(nato.event.entrants) >= {350, 640}  # Greece and Turkey
    assert {740: True}.items() <= {c: True for c in us.signers}.items()  # Japan stays in (lapsed: fallback)
    seato = next(e for e in us.events if e.event.atopid == 3260)
    assert {200, 220} <= set(seato.clients)  # the leading patron's co-majors are its clients


def test_later_year_fallbacks_apply_only_to_the_states_named(world):
    from pactlab.evidence.builder import BuildInputError, build_theatre

    with pytest.raises(BuildInputError, match="not a COW system member in 1900"):
        build_theatre(world, 2, 1901, [20, 731], 365)
    d = build_theatre(world, 2, 1901, [20, 731], 365, allow_later=[731])
    caps = {a["ccode"]: a["capability"]["note"] for a in d["actors"]}
    assert "TIME-ORDER EXCEPTION" in caps[731] and "TIME-ORDER EXCEPTION" not in caps[20]
    ties = [t for t in d["geography"] if "TIME-ORDER EXCEPTION" in str(t)]
    assert ties and all("PRK" in (t["a"], t["b"]) for t in ties)


def test_held_level_renewal_option_reads_a_held_pledge_as_carried_on(tmp_path):
    # a new defence treaty of the USA with Canada (defence pledge held since 1895) and Spain (none)
    extra = (1120, 1904, 0, 0, [(2, 1904, 0, 0, 1, 0), (20, 1904, 0, 0, 1, 0), (230, 1904, 0, 0, 1, 0)])
    w = open_data(small_world(tmp_path / "w", alliances=[*ALLIANCES, extra]))

    def us(coding):
        es = E.build_episodes(w, 1901, 1905, coding=coding)
        return next(e for e in es.episodes if e.key == "2@1901-1905")

    off = us(None)
    ev = _ev(off, 1120)
    assert ev.status == "new" and ev.renewing == () and ev.new_clients == (20, 230)
    assert {c.ccode: c.y for c in off.candidates}[20] == 1  # by default a new pledge for Canada
    on = us(E.Coding(held_level_renewal=True))
    ev = _ev(on, 1120)
    assert ev.status == "new" and ev.renewing == (20,) and ev.new_clients == (230,)
    c = {x.ccode: x for x in on.candidates}
    assert (c[20].y, c[20].status) == (0, "renewal") and c[230].y == 1
    # every other event is read as by default
    assert [(e.event.atopid, e.status, e.clients) for e in on.events if e.event.atopid != 1120] == \
        [(e.event.atopid, e.status, e.clients) for e in off.events if e.event.atopid != 1120]


def test_held_level_renewal_option_in_the_training_outcomes(tmp_path):
    from pactlab.evidence.fit import training_cases

    # Canada (defence with the USA since 1895) and Spain (none) in a new defence treaty with the USA
    lone = (1130, 1904, 0, 0, [(2, 1904, 0, 0, 1, 0), (20, 1904, 0, 0, 1, 0), (230, 1904, 0, 0, 1, 0)])
    w = open_data(small_world(tmp_path / "w", alliances=[*ALLIANCES, lone]))

    def treaties(coding):
        cases, _ = training_cases(w, 1901, 1906, coding=coding)
        return {c.key: {(frozenset(t.clients), t.level) for t in c.observed.treaties} for c in cases}

    off, on = treaties(None), treaties(E.Coding(held_level_renewal=True))
    can = [k for k, ts in off.items() if any("CAN" in cl for cl, _ in ts)]
    assert can, off
    for k in can:  # Canada carries on: in no new treaty with the option
        assert not any("CAN" in cl for cl, _ in on[k])
    spain = [k for k, ts in on.items() if any("SPN" in cl for cl, _ in ts)]
    assert spain == [k for k, ts in off.items() if any("SPN" in cl for cl, _ in ts)]  # Spain's pledge is new


@pytest.mark.parametrize("command, years, edge", [
    ("episodes", ("--from", "1700", "--to", "1720"), "begins in 1880"),
    ("episodes", ("--from", "2100", "--to", "2120"), "ends in 1915"),
    ("backtest", ("--from", "1700", "--to", "1720"), "begins in 1880"),
    ("fit", ("--from", "1700", "--train-to", "1720", "--tie-precisions"), "begins in 1880"),
])
def test_years_outside_the_data_are_refused(tmp_path, command, years, edge):
    """Windows holding no year of the data are refused as `pactlab build --year` refuses a year: the file
    and its first or last year named, exit 1 (they ran on and printed empty tables, or a fit error)."""
    p = small_world(tmp_path / "w")
    r = CliRunner().invoke(main, [command, "--data", str(p), *years, *(("--out", str(tmp_path / "p.json"))
                                                                       if command == "fit" else ())])
    out = " ".join(r.output.split())
    assert r.exit_code == 1, r.output
    assert "Error:" in out and "outside the data" in out and "cow_states.csv" in out and edge in out, out
    assert "within 1880-1915" in out and "Traceback" not in out and "nan" not in out


def test_adversary_line_without_episodes_prints_no_percentage(world):
    from pactlab.evidence.cli_episodes import adversary_line

    d = E.adversary_diagnostics(E.EpisodeSet(episodes=[], release_end=1915, last_begyr=1905, y1=1901, y2=1905))
    assert d["n"] == 0 and d["share_not_rival_or_ally"] is None  # JSON null, not NaN
    line = adversary_line("rival", d)
    assert "nan" not in line and "%" not in line and "no episodes" in line
    d = dict(E.adversary_diagnostics(E.build_episodes(world, 1901, 1905)), not_rival_or_ally=0)
    assert "in 0:" in adversary_line("rival", d) and "%" not in adversary_line("rival", d)
