"""Benchmark: the full 1816-1955 backtest on the shared reference data.

Times what ``pactlab backtest --from 1816 --to 1955 --out DIR --report FILE`` does, in process:
open the data folder (nothing cached between repeats), find the episodes, build and solve every
theatre, fit the baselines, score T1-T3, run the T4 hypothesis tests, write the per-case files and
the HTML report. Reports the median of the repeats (and each stage's median), and writes the
figures into ``docs/performance.md`` between the markers for this benchmark (appending the block
at the end of the file the first time).

    python benchmarks/bench_backtest.py                 # 3 repeats, rewrites the block in docs/performance.md
    python benchmarks/bench_backtest.py --repeats 1 --no-write
    python benchmarks/bench_backtest.py --data ~/data/pactlab --from 1816 --to 2018 --no-write

Target (issue 3): under 60 s for 1816-1955 on the project's machine (2 shared cores).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pactlab import __version__

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
BEGIN = "<!-- BEGIN bench_backtest -->"
END = "<!-- END bench_backtest -->"
TARGET_S = 60.0


def once(data_dir: Path, y1: int, y2: int) -> dict:
    from pactlab.data import open_data
    from pactlab.evidence.backtest import evaluate, run_backtest, write_outputs
    from pactlab.evidence.backtest_report import write_backtest_report

    t = {}
    t0 = time.perf_counter()
    data = open_data(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        run = run_backtest(data, y1, y2, out=Path(tmp) / "res")
        t["episodes"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        ev = evaluate(run, data)
        t["scoring + T4"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        write_outputs(ev, Path(tmp) / "res")
        write_backtest_report(Path(tmp) / "report.html", ev.scoreboard, run.rows, ev.clients, ev.treaties,
                              ev.h2_table)
        t["files + report"] = time.perf_counter() - t2
    t["total"] = time.perf_counter() - t0
    sb = ev.scoreboard
    t["n_episodes"] = sb["episodes"]["total"]
    t["n_scored"] = sb["episodes"]["scored"]
    return t


def render(results: list[dict], y1: int, y2: int, data_dir: Path) -> str:
    med = {k: statistics.median(r[k] for r in results) for k in ("episodes", "scoring + T4", "files + report", "total")}
    lo = min(r["total"] for r in results)
    hi = max(r["total"] for r in results)
    ok = "within" if med["total"] < TARGET_S else "OVER"
    where = ("the shared reference copy (`../shared/data`)" if data_dir.resolve() == DEFAULT_DATA.resolve()
             else f"`{data_dir}`")
    lines = [
        BEGIN,
        f"## Backtest, {y1}–{y2} (`python benchmarks/bench_backtest.py`)",
        "",
        f"Full backtest on {where}, median of {len(results)} runs, "
        f"everything included (loading the data, {results[0]['n_episodes']} episodes of which "
        f"{results[0]['n_scored']} scored, baselines, T1–T4, per-case files and the HTML report). "
        f"Target: under {TARGET_S:.0f} s — **{ok}** target.",
        "",
        "| stage | median (s) |",
        "|---|---:|",
    ]
    for k in ("episodes", "scoring + T4", "files + report", "total"):
        lines.append(f"| {k} | {med[k]:.2f} |")
    lines += [
        "",
        f"Spread of the total: {lo:.2f}–{hi:.2f} s. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pactlab {__version__}.",
        END,
    ]
    return "\n".join(lines)


def write_doc(block: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if BEGIN in text and END in text:
        a = text.index(BEGIN)
        b = text.index(END) + len(END)
        text = text[:a] + block + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("PACTLAB_DATA") or DEFAULT_DATA))
    ap.add_argument("--from", dest="y1", type=int, default=1816)
    ap.add_argument("--to", dest="y2", type=int, default=1955)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    a = ap.parse_args(argv)
    if not a.data.is_dir():
        print(f"data folder {a.data} not found (pass --data DIR)", file=sys.stderr)
        return 1
    results = []
    for k in range(a.repeats):
        r = once(a.data, a.y1, a.y2)
        results.append(r)
        print(f"run {k + 1}: total {r['total']:.2f} s (episodes {r['episodes']:.2f}, scoring + T4 "
              f"{r['scoring + T4']:.2f}, files + report {r['files + report']:.2f})", flush=True)
    block = render(results, a.y1, a.y2, a.data)
    print(block)
    if not a.no_write:
        write_doc(block)
        print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
