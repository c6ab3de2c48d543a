"""Kill test for an exploration sweep: SIGKILL `pactlab explore montecarlo` at random points several
times, resume it with --resume each time, and compare with an uninterrupted run (no draw lost, none
duplicated, every row the same). The backtest's counterpart is tests/test_backtest_kill.py.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from pactlab.explore import runner
from pactlab.explore.spec import default_spec
from pactlab.scenarios.catalog import get

SRC = str(Path(__file__).resolve().parents[1] / "src")
DRAWS, CHUNK, SEED = 400, 10, 11  # 40 chunks, a few seconds per uninterrupted run
KILLS = 20  # as the backtest kill test


def _chunks(d: Path) -> int:
    return len(list(d.glob("chunk-*.parquet"))) if d.is_dir() else 0


def _rows(df):
    return df.drop(columns=list(runner.BOOKKEEPING)).sort_values("draw").reset_index(drop=True)


def test_sweep_killed_at_random_points_resumes_without_loss_or_duplicates(tmp_path):
    rng = random.Random(20261203)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "pactlab", "explore", "montecarlo", "korea-1953", "--draws", str(DRAWS),
           "--seed", str(SEED), "--chunk-size", str(CHUNK), "--out", str(out), "--format", "json"]
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    kills = 0
    finished = False
    for i in range(KILLS + 1):
        args = cmd + (["--resume"] if (out / "manifest.json").exists() else [])
        before = _chunks(out)
        p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if i == KILLS:  # the last run goes to the end
            _, err = p.communicate(timeout=300)
            assert p.returncode == 0, err.decode()
            finished = True
            break
        if i % 4 == 3:
            time.sleep(rng.uniform(0.0, 1.5))  # some kills land while the run is starting
        else:  # the others once the run has written a new chunk, at a random point after that
            deadline = time.time() + 120
            while p.poll() is None and _chunks(out) <= before and time.time() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.1))
        if p.poll() is not None:
            err = p.stderr.read().decode()
            p.stderr.close()
            assert p.returncode == 0, err
            finished = True
            break  # the run finished before this kill
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stderr.close()
        kills += 1
    assert finished
    assert kills >= KILLS // 2, f"only {kills} kills landed before the run finished"
    print(f"{kills} kills, {DRAWS} draws")  # shown with pytest -s
    df = runner.load_results(out)[1]
    assert sorted(df["draw"]) == list(range(DRAWS)), "a draw was lost or duplicated"
    ref = tmp_path / "ref"
    s = get("korea-1953")
    runner.montecarlo(s, default_spec(s), ref, draws=DRAWS, seed=SEED, chunk_size=CHUNK)
    assert _rows(df).equals(_rows(runner.load_results(ref)[1]))
