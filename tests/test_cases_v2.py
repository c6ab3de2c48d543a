"""Case-table scoring v2: exact treaty sets under both readings of the
constitutional-processes clause, US-Japan 1951 on its own line, the lenient
rule as a secondary column.

The predictions here are hand-built (a stand-in Result with only the treaties
the scorer reads), so each test states what a prediction must be to score.
"""

from __future__ import annotations

import csv
from pathlib import Path
from types import SimpleNamespace

import pytest

from pactlab.evidence.cases import (
    ATOP_DEFENSE, CLAUSE_TREATIES, OWN_LINE, case_table, exact_score, exact_scoreboard, json_rows,
    markdown_table, record_level, score,
)
from pactlab.scenarios.catalog import get


def _result(*treaties):
    """A stand-in Result: each treaty as (members, level)."""
    return SimpleNamespace(
        treaties=tuple(SimpleNamespace(members=tuple(m), level=lv, durability="long") for m, lv in treaties),
        design="bilateral",
    )


def test_the_clause_treaties_are_the_five_the_record_holds():
    ids = {t.id for sid in ("asia-pacific-1951", "korea-1953", "southeast-asia-1954", "taiwan-1954")
           for t in get(sid).record.treaties}
    assert set(CLAUSE_TREATIES) <= ids and set(OWN_LINE) <= ids
    assert set(CLAUSE_TREATIES) == {"anzus", "us-philippines-mdt", "us-rok-mdt", "us-roc-mdt", "seato"}


@pytest.mark.parametrize("level,paper,atop", [("consult", True, False), ("defend", False, True)])
def test_korea_level_is_scored_under_both_readings(level, paper, atop):
    s = get("korea-1953")
    e = exact_score(s, _result((("USA", "ROK"), level)))
    assert (e.exact_paper, e.exact_atop, e.members_ok) == (paper, atop, True)


def test_seato_level_is_not_right_from_a_thailand_spoke():
    """The lenient rule credits SEATO's level from a USA-Thailand consult spoke; the exact rule does not."""
    s = get("southeast-asia-1954")
    r = _result((("USA", "THA"), "consult"), (("USA", "PAK"), "consult"))
    assert score(s, r).commitment_ok is True
    e = exact_score(s, r)
    assert not e.exact_paper and not e.exact_atop and not e.members_ok
    assert e.missing == ("AUS+NZ+PAK+PHI+THA+USA (consult)",)


def test_seato_exact_leaves_outside_co_guarantors_out():
    s = get("southeast-asia-1954")
    e = exact_score(s, _result((("USA", "AUS", "NZ", "PHI", "THA", "PAK"), "defend")))
    assert e.exact_atop and not e.exact_paper


@pytest.mark.parametrize("level,paper,atop", [("consult", True, False), ("defend", False, True)])
def test_asia_pacific_1951_exact_needs_every_treaty(level, paper, atop):
    s = get("asia-pacific-1951")
    full = _result((("USA", "AUS", "NZ"), level), (("USA", "PHI"), level), (("USA", "JPN"), level))
    e = exact_score(s, full)
    assert (e.exact_paper, e.exact_atop) == (paper, atop)
    rows = {t.treaty: t for t in e.treaties}
    assert rows["us-japan-security-1951"].clause == "own-line"
    assert rows["anzus"].clause == "constitutional-processes"
    # spokes to Australia and New Zealand instead of the trilateral: not exact under any reading
    spokes = _result((("USA", "AUS"), level), (("USA", "NZ"), level), (("USA", "PHI"), level), (("USA", "JPN"), level))
    e2 = exact_score(s, spokes)
    assert not e2.exact_paper and not e2.exact_atop and not e2.members_ok
    assert set(e2.extra) == {f"AUS+USA ({level})", f"NZ+USA ({level})"}


def test_japan_on_its_own_line_moves_only_its_row():
    s = get("asia-pacific-1951")
    e = exact_score(s, _result((("USA", "AUS", "NZ"), "consult"), (("USA", "PHI"), "consult"), (("USA", "JPN"), "defend")))
    assert not e.exact_paper and not e.exact_atop
    rows = {t.treaty: t for t in e.treaties}
    assert rows["anzus"].exact_paper and rows["us-philippines-mdt"].exact_paper
    assert rows["us-japan-security-1951"].exact_atop and not rows["us-japan-security-1951"].exact_paper


def test_other_treaties_keep_their_coded_level_under_both_readings():
    assert record_level("north-atlantic-treaty", "defend", "paper") == "defend"
    assert record_level("north-atlantic-treaty", "defend", "atop") == "defend"
    with pytest.raises(ValueError, match="unknown reading"):
        record_level("anzus", "consult", "lenient")


def test_cases_without_a_record_are_not_scored():
    assert exact_score(get("indo-pacific-2025"), _result()) is None


def test_table_is_labelled_in_sample_and_headlines_exact_sets():
    rows = case_table()
    text = markdown_table(rows)
    assert text.startswith("**In-sample.**")
    board = exact_scoreboard(rows)
    assert f"**Exact treaty sets: {board['paper'][0]} of {board['paper'][1]} (paper's reading)" in text
    assert text.index("Exact treaty sets") < text.index("Lenient rule")
    js = json_rows(rows)
    assert all(d["in_sample"] for d in js)
    assert {d["scenario"] for d in js if d["exact_paper"] is not None} == {
        s.id for s, _, _ in rows if s.kind == "historical"}


def test_docs_carry_the_current_exact_scoreboard():
    board = exact_scoreboard(case_table())
    text = (Path(__file__).resolve().parents[1] / "docs" / "cases.md").read_text()
    assert (f"**Exact treaty sets: {board['paper'][0]} of {board['paper'][1]} (paper's reading), "
            f"{board['atop'][0]} of {board['atop'][1]} (ATOP's reading).**") in text


# the shared data sit beside the clone (or beside the folder of work trees)
SHARED = next((d for d in (Path(__file__).resolve().parents[k] / "shared" / "data" for k in (2, 3)) if d.is_dir()),
              Path(__file__).resolve().parents[2] / "shared" / "data")


@pytest.mark.data
@pytest.mark.skipif(not (SHARED / "atop" / "atop4_01a_to1955.csv").exists(), reason="shared ATOP data absent")
def test_atop_defense_codes_match_the_data():
    with open(SHARED / "atop" / "atop4_01a_to1955.csv", newline="") as fh:
        got = {int(r["atopid"]): int(r["defense"]) for r in csv.DictReader(fh) if int(r["atopid"]) in ATOP_DEFENSE}
    assert got == ATOP_DEFENSE
