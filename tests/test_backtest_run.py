"""The backtest end to end on the shared COW/ATOP data: episodes, time order, resume, CLI, report.

Skipped (with a message) when ``../shared/data`` is absent.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pactlab.cli import main
from pactlab.data import open_data
from pactlab.evidence import backtest as BT
from pactlab.evidence.legacy import choose_adversary, data_before, find_episodes, truncate_atop

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data folder {DATA} not found (needs ../shared/data)"),
]

PREDICTION_FIELDS = ("status", "reason", "adversary", "adversary_rule", "model_design", "pred_model",
                     "model_treaties", "treaty_preds", "pred_contiguity", "pred_logit", "logit_note", "pair_features",
                     "pair_probs", "const_hazard", "patron_cinc")


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="pactlab")


@pytest.fixture(scope="module")
def data():
    return open_data(DATA)


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """`pactlab backtest --from 1816 --to 1955` once, with --out and --report."""
    out = tmp_path_factory.mktemp("bt")
    rep = out / "report.html"
    r = _cli("backtest", "--data", DATA, "--from", 1816, "--to", 1955, "--out", out / "res", "--report", rep,
             "--format", "json")
    return r, out / "res", rep


# --------------------------------------------------------------------------- episodes and rules
def test_episodes_follow_the_rule(data):
    es = find_episodes(data, 1946, 1955)
    by = {e.key: e for e in es.episodes}
    us51 = by["2@1951-1955"]
    assert {t.atopid for t in us51.treaties} == {3210, 3215, 3240, 3260, 3270}
    seato = next(t for t in us51.treaties if t.atopid == 3260)
    assert seato.clients == (770, 800, 840, 900, 920)  # the UK and France are co-guarantors, not clients
    assert seato.majors == (2, 200, 220) and not seato.ended  # ATOP codes SEATO as still in force
    # Japan was not a COW state in 1950 (occupation): dropped, listed, and its treaty (3220) with it
    assert (740, "not a COW system member in 1950, the year before the window") in us51.dropped
    assert 3220 in us51.dropped_treaties
    # the US 1946-50 episode has 29 clients: split by region; the Americas part is over the limit
    assert by["2@1946-1950:Americas"].skip and "at most 12" in by["2@1946-1950:Americas"].skip
    assert by["2@1946-1950:Europe"].clients == (210, 211, 212, 235, 325, 385, 390, 395)
    # NATO's accessions after the window (Greece, Turkey 1952) are not founding clients
    assert 350 not in by["2@1946-1950:Europe"].clients


def test_adversary_rule_uses_the_year_before(data):
    v = data_before(data, 1951)
    a = choose_adversary(v, 2, 1951, (713, 732))
    assert (a.ccode, a.rule, a.reference_year) == (365, "td-rival", 1950)
    # France 1946: its only Thompson-Dreyer rival (Prussia/Germany, 255) is not a state at the end of
    # 1945, and the USSR is an ally (1944 treaty): the strongest unallied major is the United States
    a = choose_adversary(data_before(data, 1946), 220, 1946, (210, 211))
    assert (a.ccode, a.rule) == (2, "strongest-major")


def test_data_before_hides_the_future(data):
    v = data_before(data, 1949)
    a, m = v.atop_alliances(), v.atop_members()
    assert a.begyr.max() == 1948 and 3180 not in set(a.atopid)  # no NATO before 1949
    br = a[a.atopid == 3130].iloc[0]  # Brussels (1948) is known, its end (2011) is not
    assert bool(br.censored) and pd.isna(br.endyr)
    assert m.yrent.max() < 1949 and (m.yrexit.dropna() < 1949).all()
    assert v.alliances_in_force(1948, members=[200, 220], by="alliance").atopid.tolist()[-1] == 3130
    # the parent is untouched, and other data sets are shared (loaded once)
    assert 3180 in set(data.atop_alliances().atopid)
    assert v.cinc(2, 1948) == data.cinc(2, 1948)
    a2, m2 = truncate_atop(data.atop_alliances(), data.atop_members(), 1816)
    assert a2.begyr.max() < 1816


# --------------------------------------------------------------------------- time order
def _spy_builder(calls):
    from pactlab.evidence.builder import build_theatre

    def spy(view, patron, year, clients, adversary, **kw):
        a, m = view.atop_alliances(), view.atop_members()
        calls.append({
            "year": year, "known_before": getattr(view, "known_before", None),
            "max_begyr": int(a.begyr.max()), "max_yrent": int(m.yrent.max()),
            "max_end": max(int(a.endyr.dropna().max()), int(m.yrexit.dropna().max())),
            "id": kw.get("scenario_id"), "call": (patron, year, tuple(sorted(clients))),
        })
        return build_theatre(view, patron, year, clients, adversary, **kw)
    return spy


def test_predictions_never_see_alliances_begun_in_or_after_the_window(data):
    calls: list[dict] = []
    run = BT.run_backtest(data, 1926, 1955, builder=_spy_builder(calls))
    assert len(calls) >= 10
    for c in calls:
        assert c["known_before"] == c["year"]
        assert c["max_begyr"] < c["year"] and c["max_yrent"] < c["year"] and c["max_end"] < c["year"], c
    assert any(r["status"] == "ok" for r in run.rows)


def _atop_as_of(src: Path, dst: Path, year: int) -> None:
    """A copy of the data folder whose ATOP files hold only what was known at the start of ``year``."""
    dst.mkdir()
    for sub in ("cow", "threat"):
        (dst / sub).mkdir()
        for f in (src / sub).iterdir():
            (dst / sub / f.name).symlink_to(f)
    (dst / "atop").mkdir()
    a = pd.read_csv(src / "atop" / "atop4_01a_to1955.csv", low_memory=False)
    a = a[a.begyr < year].copy()
    late = a.endyr >= year
    a.loc[late, ["endyr", "endmo", "endday"]] = 0
    a.loc[late, "ineffect"] = 1
    a.to_csv(dst / "atop" / "atop4_01a_to1955.csv", index=False)
    m = pd.read_csv(src / "atop" / "atop4_01m_to1955.csv", low_memory=False)
    m = m[(m.yrent < year) & m.atopid.isin(a.atopid)].copy()
    m.loc[m.yrexit >= year, ["yrexit", "moexit", "dayexit"]] = 0
    m.to_csv(dst / "atop" / "atop4_01m_to1955.csv", index=False)


def test_predictions_unchanged_when_later_alliances_are_removed(data, tmp_path):
    """The strong form: rewrite ATOP as it stood at the start of 1946 (nothing begun later, no later
    ends or exits); every prediction for the windows 1931-1945 must be identical."""
    _atop_as_of(DATA, tmp_path / "as1946", 1946)
    past = open_data(tmp_path / "as1946")
    assert past.atop_alliances().begyr.max() < 1946
    full = {r["key"]: r for r in BT.run_backtest(data, 1931, 1945).rows}
    cut = {r["key"]: r for r in BT.run_backtest(past, 1931, 1945).rows}
    assert set(full) == set(cut) and len(full) >= 15
    for k in full:
        for f in PREDICTION_FIELDS:
            assert json.dumps(full[k][f], default=str) == json.dumps(cut[k][f], default=str), (k, f)


# --------------------------------------------------------------------------- resume
def test_resume_skips_done_episodes_and_gives_the_same_scoreboard(data, tmp_path):
    out = tmp_path / "res"
    first = BT.run_backtest(data, 1936, 1955, out=out)
    path = out / BT.EPISODES_CSV
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    keep = rows[:4]  # header + 3 episodes
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(keep)
        fh.write('"2@1951-1955",2,19')  # an interrupted, partial last line
    done_rows = BT.read_rows(path)
    assert len(done_rows) == 3  # the partial line is ignored
    calls: list[dict] = []
    second = BT.run_backtest(data, 1936, 1955, out=out, resume=True, builder=_spy_builder(calls))
    assert second.resumed == 3
    made = {c["call"] for c in calls}
    for r in done_rows:  # no theatre was rebuilt for an episode already in the file
        assert (r["patron"], r["start"], tuple(sorted(r["clients"]))) not in made
    assert len(calls) == sum(1 for r in first.rows if r["adversary"] is not None) - sum(
        1 for r in done_rows if r["adversary"] is not None)
    first_keys = {r["key"] for r in first.rows}
    keys = [r["key"] for r in BT.read_rows(path)]
    assert sorted(keys) == sorted(first_keys) and len(keys) == len(set(keys))
    a, b = BT.score(first), BT.score(second)
    assert json.dumps(a, default=str, sort_keys=True) == json.dumps(b, default=str, sort_keys=True)


def test_resume_refuses_other_parameters(data, tmp_path):
    from pactlab.manifest import RunMismatch
    from pactlab.model.params import Parameters

    out = tmp_path / "res"
    BT.run_backtest(data, 1951, 1955, out=out)
    with pytest.raises(RunMismatch, match=r"model parameters \(digest\)"):
        BT.run_backtest(data, 1951, 1955, out=out, resume=True, params=Parameters(base_hazard=0.05))


def test_cli_params_file_predicts_at_its_values_and_resume_refuses_the_shipped_run(tmp_path):
    """backtest --params runs at a pactlab fit file's values (the scoreboard records their digest);
    resuming a run made at the shipped set with --params is refused, naming the parameters."""
    from pactlab.evidence.fit import FORMAT
    from pactlab.model.params import DEFAULT, Parameters

    f = tmp_path / "fit.json"
    f.write_text(json.dumps({"format": FORMAT, "theory": "cohen", "parameters": {"base_hazard": 0.05}}))
    r = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--params", f, "--format", "json")
    assert r.exit_code == 0, r.output
    sb = json.loads(r.output[r.output.index("{"):])
    assert sb["parameters"] == Parameters(base_hazard=0.05).digest() != DEFAULT.digest()
    out = tmp_path / "res"
    assert _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", out).exit_code == 0
    again = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", out, "--resume", "--params", f)
    assert again.exit_code != 0 and "parameters" in again.output and "Traceback" not in again.output


def _linked_copy(src: Path, dst: Path, change: dict[str, str] | None = None) -> Path:
    """A data folder of symlinks to ``src``'s files; ``change`` maps a relative path to new content."""
    for f in src.rglob("*"):
        if f.is_file():
            t = dst / f.relative_to(src)
            t.parent.mkdir(parents=True, exist_ok=True)
            rel = str(f.relative_to(src))
            if change and rel in change:
                t.write_text(change[rel], encoding="utf-8")
            else:
                t.symlink_to(f)
    return dst


def test_resume_after_a_partial_last_row_keeps_every_row_once(data, tmp_path):
    """Issue 10 item 4: a run stopped mid-row, resumed twice, reads back as the uninterrupted run."""
    ref = BT.run_backtest(data, 1951, 1955, out=tmp_path / "ref")
    out = tmp_path / "res"
    BT.run_backtest(data, 1951, 1955, out=out)
    path = out / BT.EPISODES_CSV
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    path.write_bytes(b"\n".join(lines[:3]) + b"\n" + lines[3][: len(lines[3]) // 2])  # 2 rows + half a row
    for _ in range(2):
        run = BT.run_backtest(data, 1951, 1955, out=out, resume=True)
        df = pd.read_csv(path)
        assert len(df) == len(ref.rows) and df.key.is_unique and df.shape[1] == len(BT.COLUMNS)
    assert run.resumed == len(ref.rows)
    assert [r["key"] for r in BT.read_rows(path)] == [r["key"] for r in BT.read_rows(tmp_path / "ref" / BT.EPISODES_CSV)]


def test_resume_refuses_other_data_or_years_and_fresh_starts_again(data, tmp_path):
    """Issue 10 item 5: the manifest ties --resume to the same data files and years."""
    from pactlab.manifest import RunMismatch

    out = tmp_path / "res"
    BT.run_backtest(data, 1951, 1955, out=out)
    # the same files in another folder: the same run
    same = open_data(_linked_copy(DATA, tmp_path / "same"))
    assert BT.run_backtest(same, 1951, 1955, out=out, resume=True).resumed == 4
    # one changed file: refused, naming the data set
    nmc = (DATA / "cow" / "cow_nmc.csv").read_text(encoding="utf-8").replace("0.039697491", "0.039697492", 1)
    other = open_data(_linked_copy(DATA, tmp_path / "other", {"cow/cow_nmc.csv": nmc}))
    with pytest.raises(RunMismatch, match=r"data set nmc .*cow_nmc.csv"):
        BT.run_backtest(other, 1951, 1955, out=out, resume=True)
    with pytest.raises(RunMismatch, match=r"years: 1951-1955 in the earlier run, 1946-1955 now"):
        BT.run_backtest(data, 1946, 1955, out=out, resume=True)
    # neither flag: the earlier results are not overwritten
    with pytest.raises(RunMismatch, match="--resume to continue it, --fresh"):
        BT.run_backtest(data, 1946, 1955, out=out)
    run = BT.run_backtest(data, 1946, 1955, out=out, fresh=True)
    assert run.resumed == 0 and len(BT.read_rows(out / BT.EPISODES_CSV)) == len(run.rows)
    r = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", out, "--resume")
    assert r.exit_code == 1 and "Error:" in r.output and "Traceback" not in r.output
    assert "years: 1946-1955 in the earlier run, 1951-1955 now" in r.output


def test_scoreboard_lists_every_data_set_after_a_resume(data, tmp_path):
    """Issue 10 item 7: a resumed run records the same data sets (with checksums) as a whole run."""
    out = tmp_path / "res"
    r1 = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", out, "--format", "json")
    assert r1.exit_code == 0, r1.output
    r2 = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--out", out, "--format", "json", "--resume")
    assert r2.exit_code == 0, r2.output
    a, b = json.loads(r1.stdout), json.loads(r2.stdout)
    assert b["episodes"]["resumed"] == a["episodes"]["total"]
    assert set(b["data_sets"]) == set(a["data_sets"]) == {k for k in BT.READS if open_data(DATA).available()[k]}
    assert all(len(v["sha256"]) == 64 for v in b["data_sets"].values())
    assert json.loads((out / "scoreboard.json").read_text())["data_sets"] == a["data_sets"]


# --------------------------------------------------------------------------- the command
def test_cli_end_to_end_1816_1955(full_run):
    r, out, rep = full_run
    assert r.exit_code == 0, r.output
    sb = json.loads(r.stdout if hasattr(r, "stdout") else r.output)
    ep = sb["episodes"]
    assert ep["total"] == ep["scored"] + ep["skipped"] and ep["scored"] >= 50
    assert all(s["reason"] for s in ep["skipped_list"])  # nothing dropped silently
    t1 = sb["T1"]["methods"]
    assert set(t1) == set(BT.METHODS)
    assert t1["all-bilateral"]["ba_multilateral"] == 0.5 and t1["all-bilateral"]["pair_f1"] == 0.0
    assert sb["T2"]["majority"]["ba"] == 0.5 and sb["T2"]["n"] > 20
    assert sb["T3"]["constant"]["c"] == 0.5 and 0 <= sb["T3"]["model"]["c"] <= 1
    assert sb["T3"]["n"] == sb["T3"]["events"] + sb["T3"]["censored"]
    h2 = sb["T4"]["H2_H3"]
    assert h2["n"] >= 20 and "prior_cc" in h2["cox"]
    assert h2["cox"]["prior_cc"]["lower"] < h2["cox"]["prior_cc"]["hr"] < h2["cox"]["prior_cc"]["upper"]
    h6 = sb["T4"]["H6_H7"]["new_defence_no_major"]
    assert h6["H6"]["events"] > 10 and "land_minus_sea" in h6["H7"]
    # per-case files: one episodes.csv row per episode, written during the run
    eps = pd.read_csv(out / "episodes.csv")
    assert len(eps) == ep["total"] and set(eps.status) <= {"ok", "skipped"}
    cl = pd.read_csv(out / "clients.csv")
    assert len(cl) == sb["T1"]["n_clients"]
    assert len(pd.read_csv(out / "treaties.csv")) == sb["T2"]["n"]
    assert len(json.loads((out / "predictions.json").read_text())) == ep["total"]
    # the run records the data sets and versions it read
    assert sb["data_sets"]["atop_alliances"]["version"] == "4.01"
    assert sb["data_sets"]["nmc"]["file"] == "cow_nmc.csv" and sb["data_sets"]["nmc"]["version"]


def test_report_is_self_contained(full_run):
    r, out, rep = full_run
    html = rep.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") >= 5  # confusion x2, calibration, survival, forest
    for fig in ("fig-cm", "fig-dcm", "fig-cal", "fig-km", "fig-forest"):
        assert f'id="{fig}"' in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "Skipped episodes" in html


def test_report_names_the_states_its_codes_stand_for(full_run):
    """The episode table shows COW codes; the report names each of them (France for 220, the
    patron of 220@1871-1875)."""
    import re

    r, out, rep = full_run
    html = rep.read_text(encoding="utf-8")
    assert 'id="states"' in html
    states = html.split('id="states"')[1]
    assert re.search(r">220</td><td[^>]*>France<", states), states[:600]
    shown = set(re.findall(r">(\d+)@\d{4}-\d{4}", html))
    named = set(re.findall(r"<tr><td[^>]*>(\d+)</td>", states))
    assert shown and shown <= named


def test_cli_text_scoreboard(data):
    r = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955)
    assert r.exit_code == 0, r.output
    assert "T1 design" in r.output and "T4 hypotheses" in r.output and "all-multi" in r.output
    assert "0 skipped" in r.output and "v1" not in r.output  # no skip, no note


def test_cli_text_scoreboard_notes_the_v1_rules_when_it_skips():
    """1946-1955: 9 backtest units (one skipped, 21 clients) against 11 episodes of `pactlab episodes`."""
    r = _cli("backtest", "--data", DATA, "--from", 1946, "--to", 1955)
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "1 skipped" in text and "skipped 2@1946-1950:Americas (21 clients)" in text
    assert ("note: backtest episodes follow the first (v1) rules, with theatres of at most 12 clients; "
            "pactlab episodes and pactlab fit use the v2 rules, so their counts differ") in text


@pytest.mark.parametrize("args, msg", [
    (("--data", "/nonexistent/pactlab-data"), "does not exist"),
    (("--data", DATA, "--from", 1950, "--to", 1940), "before --from"),
    (("--data", DATA, "--resume"), "--resume needs --out"),
])
def test_cli_user_errors(args, msg):
    r = _cli("backtest", *args)
    assert r.exit_code == 1
    assert "Error:" in r.output and msg in r.output.replace("\n", " ")
    assert "Traceback" not in r.output


def test_cli_empty_data_folder_names_the_missing_files(tmp_path):
    r = _cli("backtest", "--data", tmp_path, "--from", 1946, "--to", 1955)
    assert r.exit_code == 1 and "Error:" in r.output
    assert "ATOP" in r.output or "atop" in r.output


def test_cli_bad_file_in_data_folder(tmp_path):
    d = tmp_path / "d"
    shutil.copytree(DATA, d, symlinks=True)
    p = d / "atop" / "atop4_01a_to1955.csv"
    p.chmod(0o644)
    p.write_text("nothing,useful\n1,2\n")
    r = _cli("backtest", "--data", d, "--from", 1946, "--to", 1955)
    assert r.exit_code == 1 and "Error:" in r.output and "Traceback" not in r.output


_ = np


def test_scoreboard_text_prints_data_derived_brackets_verbatim(data, tmp_path):
    """Issue 10 item 1: skip reasons and notes come from the data files; rich markup must not eat them."""
    import io

    from rich.console import Console

    from pactlab.evidence.cli_backtest import print_scoreboard

    r = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955, "--format", "json")
    assert r.exit_code == 0, r.output
    sb = json.loads(r.output)
    sb["episodes"]["skipped_list"] = [{"episode": "2@1951-1955[/bold]", "n_clients": 3, "reason": "name [draft]"}]
    sb["notes"] = ["[/bold] in a state name [draft]"]
    buf = io.StringIO()
    print_scoreboard(Console(file=buf, width=200), sb)
    out = buf.getvalue()
    assert "2@1951-1955[/bold] (3 clients): name [draft]" in out
    assert "[/bold] in a state name [draft]" in out


def test_build_out_is_not_overwritten_without_force(tmp_path):
    """Issue 10 item 14: `build --out` refuses an existing file unless --force, and a missing folder
    unless --parents."""
    args = ["build", "--data", DATA, "--patron", 2, "--clients", "200,220", "--year", 1949, "--adversary", 365]
    out = tmp_path / "t.yaml"
    out.write_text("kept\n", encoding="utf-8")
    r = _cli(*args, "--out", out)
    assert r.exit_code == 1 and "already exists; add --force" in r.output and "Traceback" not in r.output
    assert out.read_text(encoding="utf-8") == "kept\n"
    r = _cli(*args, "--out", out, "--force")
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("# Scenario built from data")
    deep = tmp_path / "a" / "b" / "t.yaml"
    r = _cli(*args, "--out", deep)
    assert r.exit_code == 1 and "--parents" in r.output and not deep.parent.exists()
    assert _cli(*args, "--out", deep, "--parents").exit_code == 0 and deep.exists()


def test_piped_backtest_tables_use_the_same_width_as_run():
    """Issue 10 item 15: piped output folded at 80 columns in backtest, 160 in run."""
    r = _cli("backtest", "--data", DATA, "--from", 1951, "--to", 1955)
    assert r.exit_code == 0, r.output
    widest = max(len(line) for line in r.output.splitlines())
    assert 80 < widest <= 160, widest
