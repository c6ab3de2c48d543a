"""Reproduce the published results into one folder.

``pactlab replicate OUT`` writes, with the one global parameter set:

* ``cases.json``, ``cases.csv``, ``cases.md`` -- the case table of docs/cases.md;
* ``indo-pacific-2025.json``, ``indo-pacific-2025.html`` -- the headline question, with its report;
* ``robustness.json``, ``robustness.md`` -- the parameter redraw (``--draws``, default 300);
* ``ablation.json``, ``ablation.md`` -- every mechanism switched off in turn;
* ``manifest.json`` -- what made them: pactlab's version, the parameter digest, every built-in
  scenario's id and content hash, the draws and seed, and the versions of Python and numpy.

Steps run in that order and each writes its files atomically, so an interrupted run leaves whole
files; ``--resume`` checks the folder's manifest and skips the steps whose files are all present.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from pactlab import manifest
from pactlab.files import atomic_write_text, json_dumps
from pactlab.model.params import DEFAULT


@dataclass(frozen=True)
class Step:
    name: str
    files: tuple[str, ...]
    run: Callable[[Path, dict], None]


def _cases(out: Path, opts: dict) -> None:
    import pandas as pd

    from pactlab.evidence.cases import case_table, json_rows, markdown_table

    rows = case_table()
    data = json_rows(rows)
    atomic_write_text(out / "cases.json", json_dumps(data, indent=2) + "\n")
    flat = [{k: v for k, v in d.items() if k != "treaty_scores"} for d in data]
    atomic_write_text(out / "cases.csv", pd.DataFrame(flat).to_csv(index=False))
    atomic_write_text(out / "cases.md", markdown_table(rows) + "\n")


def _headline(out: Path, opts: dict) -> None:
    from pactlab.model.solve import solve
    from pactlab.report.html import render_report
    from pactlab.scenarios.catalog import get

    s = get("indo-pacific-2025")
    r = solve(s)
    atomic_write_text(out / "indo-pacific-2025.json", json_dumps(r.to_dict(), indent=2) + "\n")
    atomic_write_text(out / "indo-pacific-2025.html", render_report(r, s))


def _robustness(out: Path, opts: dict) -> None:
    from pactlab.evidence.robustness import markdown, redraw

    res = redraw(opts["draws"], 0.25, opts["seed"])
    atomic_write_text(out / "robustness.json", json_dumps(res, indent=1) + "\n")
    atomic_write_text(out / "robustness.md", markdown(res) + "\n")


def _ablation(out: Path, opts: dict) -> None:
    from pactlab.evidence.robustness import ablate, markdown

    res = ablate()
    atomic_write_text(out / "ablation.json", json_dumps(res, indent=1) + "\n")
    atomic_write_text(out / "ablation.md", markdown(res) + "\n")


STEPS: tuple[Step, ...] = (
    Step("cases", ("cases.json", "cases.csv", "cases.md"), _cases),
    Step("indo-pacific", ("indo-pacific-2025.json", "indo-pacific-2025.html"), _headline),
    Step("robustness", ("robustness.json", "robustness.md"), _robustness),
    Step("ablation", ("ablation.json", "ablation.md"), _ablation),
)
NAMES = tuple(s.name for s in STEPS)


def run(out: str | Path, *, draws: int = 300, seed: int = 1, only: tuple[str, ...] = NAMES,
        resume: bool = False, fresh: bool = False, progress: Callable[[str, str], None] | None = None) -> dict:
    """Run the steps named in ``only`` into ``out``; returns what was run and what was reused.

    Raises :class:`pactlab.manifest.RunMismatch` if ``out`` holds results of another run (unless
    ``fresh``), and ``ValueError`` for an unknown step or a non-positive number of draws."""
    unknown = [n for n in only if n not in NAMES]
    if unknown:
        raise ValueError(f"--only: unknown step {', '.join(unknown)} (expected some of {', '.join(NAMES)})")
    if draws < 1:
        raise ValueError(f"--draws: expected a positive number of parameter draws, got {draws}")
    from pactlab.scenarios.catalog import catalog, get

    steps = [s for s in STEPS if s.name in only]
    out = Path(out)
    m = manifest.build(
        "replicate", parameters=DEFAULT, scenario=[get(e.id) for e in catalog()], seed=seed,
        extra={"draws": draws, "spread": 0.25, "steps": [s.name for s in steps]},
        info={"python": platform.python_version(), "numpy": np.__version__})
    files = [f for s in STEPS for f in s.files]
    manifest.open_run(out, m, resume=resume, fresh=fresh, results=files, what="replicated results")
    done, reused = [], []
    for s in steps:
        if resume and all((out / f).exists() for f in s.files):
            reused.append(s.name)
            if progress:
                progress(s.name, "reused")
            continue
        if progress:
            progress(s.name, "running")
        s.run(out, {"draws": draws, "seed": seed})
        done.append(s.name)
        if progress:
            progress(s.name, "written")
    return {"folder": str(out), "run": done, "reused": reused,
            "files": [f for s in steps for f in s.files], "manifest": json.loads(json.dumps(m))}
