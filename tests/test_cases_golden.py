"""The case table as golden results.

Every built-in scenario is solved with the default parameters and compared
with ``tests/golden/cases.json``. A difference means the model's prediction
for a case changed: if that is intended, regenerate with
``pactlab cases --regenerate`` and review the diff (docs/cases.md changes too).
"""

from __future__ import annotations

import json

import pytest

from pactlab.evidence.cases import GOLDEN, case_table, golden_payload, scoreboard
from pactlab.model.params import DEFAULT

RTOL = 1e-6


@pytest.fixture(scope="module")
def rows():
    return case_table()


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text())


def test_golden_uses_the_default_parameters(golden):
    assert golden["parameters"] == DEFAULT.digest(), (
        "the default parameters changed since the golden results were written; "
        "run `pactlab cases --regenerate` and review every case's change"
    )


def test_every_builtin_case_is_in_the_golden_file(rows, golden):
    assert {s.id for s, _, _ in rows} == set(golden["cases"])


@pytest.mark.parametrize("field", ["design", "stable_structures", "selected", "probed", "reproduced", "scenario_hash"])
def test_case_predictions_match_golden(rows, golden, field):
    now = golden_payload(rows)["cases"]
    for sid, want in golden["cases"].items():
        assert now[sid][field] == want[field], f"{sid}: {field} changed: {want[field]!r} -> {now[sid][field]!r}"


def test_treaties_match_golden(rows, golden):
    now = golden_payload(rows)["cases"]
    for sid, want in golden["cases"].items():
        got = now[sid]["treaties"]
        assert [(t["members"], t["level"], t["origin"], t["durability"]) for t in got] == [
            (t["members"], t["level"], t["origin"], t["durability"]) for t in want["treaties"]
        ], sid
        for a, b in zip(got, want["treaties"]):
            assert a["expected_years"] == pytest.approx(b["expected_years"], rel=RTOL), sid


def test_threats_match_golden(rows, golden):
    now = golden_payload(rows)["cases"]
    for sid, want in golden["cases"].items():
        for cid, v in want["threat_status_quo"].items():
            assert now[sid]["threat_status_quo"][cid] == pytest.approx(v, abs=1e-6), (sid, cid)


def test_scoreboard_is_what_docs_say(rows):
    """docs/cases.md states the scoreboard; it must be the current one."""
    from pathlib import Path

    ok, n = scoreboard(rows)
    text = (Path(__file__).resolve().parents[1] / "docs" / "cases.md").read_text()
    assert f"**Reproduced: {ok} of {n} historical cases**" in text


# Facts about the record the scoring relies on, checked independently of the
# model, so a scenario edit cannot quietly change what is scored.
def test_records_encode_the_brief():
    from pactlab.scenarios.catalog import get

    nato = get("europe-1949").record
    assert nato.design == "multilateral" and nato.treaties[0].level.value == "defend"
    assert len(nato.treaties[0].members) == 12
    assert get("southeast-asia-1954").record.durability == "short"
    assert get("taiwan-1954").record.durability == "short"
    ap = get("asia-pacific-1951").record
    assert {frozenset(t.members) for t in ap.treaties} == {
        frozenset({"USA", "AUS", "NZ"}), frozenset({"USA", "PHI"}), frozenset({"USA", "JPN"})
    }
