"""Kill tests for the backtest: SIGKILL at random points 20 times, resume each time, and compare with an
uninterrupted run (no episode lost, none duplicated, every prediction the same).

Runs on a short year range of the shared COW/ATOP data; skipped (with a message) when ``../shared/data``
is absent. Not marked slow: CI runs it with the data tests.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pactlab.data import open_data
from pactlab.evidence import backtest as BT

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SRC = str(Path(__file__).resolve().parents[1] / "src")
pytestmark = [
    pytest.mark.data,
    pytest.mark.skipif(not DATA.is_dir(), reason=f"shared data folder {DATA} not found (needs ../shared/data)"),
]

Y1, Y2 = 1880, 1939  # 34 episodes, a few seconds per uninterrupted run
KILLS = 20
SCRIPT = """
import sys
from pactlab.data import open_data
from pactlab.evidence import backtest as BT
out = sys.argv[1]
resume = sys.argv[2] == "resume"
BT.run_backtest(open_data(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), out=out, resume=resume,
                fresh=not resume)
"""
# fields that depend on the machine or the clock, not on the data and the model
VOLATILE = {"seconds"}


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except FileNotFoundError:
        return -1


def test_sigkill_at_random_points_then_resume_loses_and_duplicates_nothing(tmp_path):
    rng = random.Random(20261203)
    ref = BT.run_backtest(open_data(DATA), Y1, Y2, out=tmp_path / "ref")
    ref_rows = BT.read_rows(tmp_path / "ref" / BT.EPISODES_CSV)
    assert len(ref_rows) >= KILLS and len(ref_rows) == len(ref.rows)

    out = tmp_path / "killed"
    csv_path = out / BT.EPISODES_CSV
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    kills = mid_row = 0
    for i in range(KILLS):
        mode = "resume" if (out / "manifest.json").exists() else "new"
        before = _size(csv_path)
        p = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out), mode, str(DATA), str(Y1), str(Y2)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if i % 5 == 4:
            time.sleep(rng.uniform(0.0, 1.0))  # some kills land while the run is starting
        else:  # the others once the run has written something new, at a random point after that
            deadline = time.time() + 60
            while p.poll() is None and _size(csv_path) <= before and time.time() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.06))
        if p.poll() is not None:
            err = p.stderr.read().decode()
            assert p.returncode == 0, err
            break  # the run finished before this kill
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stderr.close()
        kills += 1
        if csv_path.exists() and not csv_path.read_bytes().endswith(b"\n"):
            mid_row += 1
    done_before_last = len(BT.read_rows(csv_path))
    last = BT.run_backtest(open_data(DATA), Y1, Y2, out=out, resume=True)
    assert last.resumed == done_before_last
    rows = BT.read_rows(csv_path)
    keys = [r["key"] for r in rows]
    ref_keys = [r["key"] for r in ref_rows]
    lost = set(ref_keys) - set(keys)
    duplicated = len(keys) - len(set(keys))
    print(f"kills {kills}, of which mid-row {mid_row}; rows {len(keys)} of {len(ref_keys)}; "
          f"lost {len(lost)}; duplicated {duplicated}")
    assert kills == KILLS, f"only {kills} kills landed before the run finished"
    assert not lost and duplicated == 0
    assert keys == ref_keys  # time order kept
    strip = lambda r: {k: v for k, v in r.items() if k not in VOLATILE}  # noqa: E731
    assert [strip(r) for r in rows] == [strip(r) for r in ref_rows]
