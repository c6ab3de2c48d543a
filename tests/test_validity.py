"""The threat-measure validity table: hand-worked rank correlations, no NaN, intervals that
resample windows, and the command on the small test world."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from pactlab.evidence.validity import validity


def _table(rows):
    return pd.DataFrame(rows, columns=["theatre", "window", "year", "ccode", "client", "n_clients", "theta_sq",
                                       "theta_route", "th_rank", "lterrthreat", "lsthreat"])


def _row(theatre, window, client, sq, route, tt, ls):
    return (theatre, window, 1900, 0, client, 3, sq, route, sq, tt, ls)


def test_hand_worked_correlations():
    # theatre a: theta_sq agrees with terrthreat in rank (rho 1), reverses Leeds-Savun (rho -1);
    # theatre b: terrthreat agrees (rho 1), Leeds-Savun undefined there (constant) -> not in the mean.
    rows = [_row("a", "1900-1904", "x", 0.1, 0.1, 1.0, 3.0), _row("a", "1900-1904", "y", 0.2, 0.2, 2.0, 2.0),
            _row("a", "1900-1904", "z", 0.3, 0.3, 3.0, 1.0),
            _row("b", "1905-1909", "x", 0.5, 0.5, 10.0, 5.0), _row("b", "1905-1909", "y", 0.6, 0.6, 20.0, 5.0),
            _row("b", "1905-1909", "z", 0.7, 0.7, 30.0, 5.0)]
    res = validity(_table(rows), boot=50, seed=1).set_index(["measure", "external_measure"])
    tt = res.loc[("theta_sq", "lterrthreat")]
    assert tt.spearman_pooled == pytest.approx(1.0)
    assert tt.spearman_within == pytest.approx(1.0) and tt.n_theatres_within == 2
    assert (tt.n_pairs, tt.n_theatres, tt.n_windows) == (6, 2, 2)
    ls = res.loc[("theta_sq", "lsthreat")]
    assert ls.spearman_within == pytest.approx(-1.0) and ls.n_theatres_within == 1
    # pooled over both theatres: ranks of sq 1..6, of ls (3,2,1,5,5,5) -> rho by hand
    from scipy.stats import spearmanr
    assert ls.spearman_pooled == pytest.approx(spearmanr([1, 2, 3, 4, 5, 6], [3, 2, 1, 5, 5, 5]).statistic)
    ext = res.loc[("lterrthreat", "lsthreat")]  # the two external measures side by side
    assert ext.spearman_within == pytest.approx(-1.0) and ext.n_theatres_within == 1
    # every resample of the 2 windows keeps terrthreat's within-theatre rho at 1, so the interval is [1, 1]
    assert tt.within_lo == pytest.approx(1.0) and tt.within_hi == pytest.approx(1.0)


def test_undefined_figures_are_none_not_nan():
    rows = [_row("a", "1900-1904", "x", 0.2, 0.2, 1.0, None), _row("a", "1900-1904", "y", 0.2, 0.2, 2.0, None)]
    res = validity(_table(rows), boot=100, seed=0)
    for rec in res.to_dict(orient="records"):
        for k, v in rec.items():
            assert not (isinstance(v, float) and math.isnan(v)), (k, rec)
    ls = res[(res.measure == "theta_sq") & (res.external_measure == "lsthreat")].iloc[0]
    assert ls.n_pairs == 0 and ls.spearman_pooled is None and ls.pooled_lo is None
    tt = res[(res.measure == "theta_sq") & (res.external_measure == "lterrthreat")].iloc[0]
    assert tt.spearman_pooled is None  # two pairs, and theta_sq constant: no correlation
    assert tt.within_lo is None  # one window: nothing to resample


def test_the_bootstrap_resamples_windows_and_is_seeded():
    rows = []
    for w in range(8):
        for i in range(4):
            rows.append(_row(f"t{w}", f"{1900 + 5 * w}-{1904 + 5 * w}", f"c{i}", 0.1 * i, 0.1 * i,
                             float((i * (w + 1)) % 4), float(i)))
    t = _table(rows)
    a, b = validity(t, boot=200, seed=3), validity(t, boot=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    r = a[(a.measure == "theta_sq") & (a.external_measure == "lterrthreat")].iloc[0]
    assert r.within_lo <= r.spearman_within <= r.within_hi and r.within_lo < r.within_hi
    s = a[(a.measure == "theta_sq") & (a.external_measure == "lsthreat")].iloc[0]
    assert s.spearman_within == pytest.approx(1.0) and s.within_lo == pytest.approx(1.0)


def test_command_on_the_small_world(tmp_path):
    from click.testing import CliRunner
    from worlds import small_world

    from pactlab.cli import main

    data = small_world(tmp_path / "w")
    out = tmp_path / "threat.csv"
    r = CliRunner().invoke(main, ["threat-validity", "--data", str(data), "--from", "1880", "--to", "1914",
                                  "--boot", "50", "--table", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.output[r.output.index("{"):])
    assert body["theatres"] >= 1 and body["client_rows"] >= 1
    assert len(body["validity"]) == 8
    table = pd.read_csv(out)
    assert len(table) == body["client_rows"]
    assert table.theta_sq.between(0, 1).all()
    # the world's external measures are both a function of distance to the adversary: where they
    # are defined the two agree in rank exactly
    ext = {(v["measure"], v["external_measure"]): v for v in body["validity"]}
    assert ext[("theta_sq", "lterrthreat")]["n_pairs"] == ext[("theta_sq", "lsthreat")]["n_pairs"]
    assert ext[("lterrthreat", "lsthreat")]["spearman_pooled"] == pytest.approx(1.0)
    # an existing table is not overwritten without --force
    r2 = CliRunner().invoke(main, ["threat-validity", "--data", str(data), "--from", "1880", "--to", "1914",
                                   "--table", str(out)])
    assert r2.exit_code != 0 and "--force" in r2.output and "Traceback" not in r2.output


def test_command_names_a_missing_threat_file(tmp_path):
    from click.testing import CliRunner
    from worlds import small_world

    from pactlab.cli import main

    data = small_world(tmp_path / "w")
    (data / "threat" / "leeds_savun_threat.csv").unlink()
    r = CliRunner().invoke(main, ["threat-validity", "--data", str(data), "--from", "1880", "--to", "1914"])
    assert r.exit_code != 0 and "Traceback" not in r.output
    assert "leeds_savun_threat" in r.output or "Leeds" in r.output
