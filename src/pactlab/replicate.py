"""Reproduce the published results into one folder.

``pactlab replicate OUT`` writes, with the one global parameter set:

* ``cases.json``, ``cases.csv``, ``cases.md`` -- the case table of docs/cases.md;
* ``indo-pacific-2025.json``, ``indo-pacific-2025.html`` -- the headline question, with its report;
* ``robustness.json``, ``robustness.md`` -- the parameter redraw (``--draws``, default 300);
* ``ablation.json``, ``ablation.md`` -- every mechanism switched off in turn;
* ``tipping-indo-pacific-2025.json`` -- docs/explore.md's "what would it take" answer (`explore
  tipping indo-pacific-2025 --target multilateral`), and ``tipping-curves-indo-pacific-2025.json``
  and ``.html`` -- its tipping curves for Chinese capability and reach, with their figures;
* ``montecarlo-indo-pacific-2025.json`` -- the 600 draws over every input's span it quotes
  (`explore montecarlo indo-pacific-2025 --draws 600 --seed 1 --width span`), with the draws in
  ``montecarlo-indo-pacific-2025/``;
* with ``--data DIR`` (the COW/ATOP folder), also the tables that need the record:
  ``backtest.json`` (the backtest scoreboard, 1816 to ``--to``), ``threat-validity.json`` and
  ``.csv`` (the threat measure against the published ones), ``cases-built.json`` (the cases
  rebuilt from the data), ``shipped-defaults.json`` (the shipped set's zero-probability count),
  ``backtest.html`` (the backtest report and its figures), and the fits docs/evidence.md and
  docs/compare.md quote, each by the command they cite: ``cohen-train.json`` (Cohen's tied
  precision fitted on the windows ending before ``--split``, 1939 in the docs) with
  ``cohen-train-scoreboard.csv`` (scored out of sample) and ``cases-cohen-train.json`` (the case
  table at it); ``cohen-fit-1816-1955.json`` (fitted on all
  the data); ``prequential.csv`` (each window scored after a fit on the earlier ones);
  ``compare.json`` and ``compare-theatres.csv`` (every theory on the record at precisions 5) and
  ``compare-fit.json`` (the rivals fitted first); these take from minutes to about an hour each;
* ``manifest.json`` -- what made them: pactlab's version, the parameter digest, every built-in
  scenario's id and content hash, the data files' checksums (with ``--data``), the draws and
  seed, and the versions of Python and numpy.

``--against DIR`` compares every file written with the same file in an earlier replication and
says which changed (for JSON files, how many values).

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


def _backtest(out: Path, opts: dict) -> None:
    _command(["backtest", "--data", opts["data"].path, "--from", 1816, "--to", opts["to"], "--format", "json",
              "--report", out / "backtest.html"], stdout=out / "backtest.json")


def _command(args: list[str], stdout: Path | None = None) -> None:
    """One pactlab command, run in this process exactly as the docs cite it (its standard output
    written to ``stdout`` when given); a failure is raised, not printed and passed over."""
    import contextlib
    import io

    from pactlab.cli import main

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main.main(args=[str(a) for a in args], prog_name="pactlab", standalone_mode=False)
    if stdout is not None:
        atomic_write_text(stdout, buf.getvalue())


def _tipping(out: Path, opts: dict) -> None:
    _command(["explore", "tipping", "indo-pacific-2025", "--target", "multilateral", "--format", "json"],
             stdout=out / "tipping-indo-pacific-2025.json")
    f = out / "tipping-curves-indo-pacific-2025.html"
    f.unlink(missing_ok=True)  # a re-run writes it again
    _command(["explore", "tipping", "indo-pacific-2025", "--target", "multilateral", "--vary",
              "PRC.capability,PRC.maritime_reach", "--curve-draws", 40, "--format", "json", "--report", f],
             stdout=out / "tipping-curves-indo-pacific-2025.json")


def _montecarlo(out: Path, opts: dict) -> None:
    _command(["explore", "montecarlo", "indo-pacific-2025", "--draws", 600, "--seed", 1, "--width", "span",
              "--out", out / "montecarlo-indo-pacific-2025", "--fresh", "--format", "json"],
             stdout=out / "montecarlo-indo-pacific-2025.json")


PRECISIONS5 = ("cohen: {precision_patron: 5, precision_clients: 5, precision_adversary: 5, "
               "precision_welfare: 5, precision_stability: 5}\n")


def _fit_args(opts: dict, train_to: int, maxiter: int = 40) -> list:
    return ["fit", "--data", opts["data"].path, "--train-to", train_to, "--theory", "cohen", "--tie-precisions",
            "--set", "precision=2", "--starts", 1, "--maxiter", maxiter, "--max-units", 8]


def _fit_train(out: Path, opts: dict) -> None:
    (out / "cohen-train-scoreboard.csv").unlink(missing_ok=True)
    _command(_fit_args(opts, opts["split"]) + ["--out", out / "cohen-train.json", "--to", opts["to"],
                                               "--scoreboard", out / "cohen-train-scoreboard.csv"])
    _command(["cases", "--params", out / "cohen-train.json", "--format", "json"],
             stdout=out / "cases-cohen-train.json")


def _fit_all(out: Path, opts: dict) -> None:
    _command(_fit_args(opts, opts["to"] + 1) + ["--out", out / "cohen-fit-1816-1955.json"])


def _prequential(out: Path, opts: dict) -> None:
    (out / "prequential.csv").unlink(missing_ok=True)
    _command(_fit_args(opts, opts["to"] + 1, maxiter=6) + ["--out", out / "prequential-fit.json",
                                                           "--prequential", out / "prequential.csv",
                                                           "--min-train", 20])


def _compare(out: Path, opts: dict, fit: bool = False) -> None:
    prec = out / "precisions.yaml"
    atomic_write_text(prec, PRECISIONS5)
    name = "compare-fit" if fit else "compare"
    extra = ["--fit"] if fit else ["--scores", out / "compare-theatres.csv"]
    _command(["compare", "--data", opts["data"].path, "--params", prec, "--split", opts["split"],
              "--to", opts["to"] + 1, "--force",
              "--out", out / f"{name}.json", *extra])


def _validity(out: Path, opts: dict) -> None:
    from pactlab.evidence.fit import training_cases
    from pactlab.evidence.validity import threat_table, validity

    data = opts["data"]
    cases, _ = training_cases(data, 1816, opts["to"] + 1)
    table = threat_table(cases, data)
    res = validity(table, boot=2000, seed=opts["seed"])
    atomic_write_text(out / "threat-validity.json", json_dumps(res.to_dict(orient="records"), indent=1) + "\n")
    atomic_write_text(out / "threat-validity.csv", table.to_csv(index=False))


def _built(out: Path, opts: dict) -> None:
    from pactlab.evidence.cases import built_case_table, built_rows, case_table

    rows = built_rows(case_table(), built_case_table(opts["data"]))
    atomic_write_text(out / "cases-built.json", json_dumps(rows, indent=1) + "\n")


def _shipped(out: Path, opts: dict) -> None:
    from pactlab.evidence.fit import LOG_EPS, shipped_scores, training_cases, within_units

    cases, _ = training_cases(opts["data"], 1816, opts["to"] + 1)
    by = shipped_scores(within_units(cases, 8))
    tot = {k: sum(w[k] for w in by.values()) for k in ("theatres", "zero", "outside", "log_score")}
    atomic_write_text(out / "shipped-defaults.json", json_dumps(
        {"theatres": tot["theatres"], "zero_probability": tot["zero"], "outside": tot["outside"],
         "log_score_floored": tot["log_score"], "floor": LOG_EPS, "max_units": 8, "windows": by}, indent=1) + "\n")


STEPS: tuple[Step, ...] = (
    Step("cases", ("cases.json", "cases.csv", "cases.md"), _cases),
    Step("indo-pacific", ("indo-pacific-2025.json", "indo-pacific-2025.html"), _headline),
    Step("robustness", ("robustness.json", "robustness.md"), _robustness),
    Step("ablation", ("ablation.json", "ablation.md"), _ablation),
    Step("tipping", ("tipping-indo-pacific-2025.json", "tipping-curves-indo-pacific-2025.json",
                     "tipping-curves-indo-pacific-2025.html"), _tipping),
    Step("montecarlo", ("montecarlo-indo-pacific-2025.json",), _montecarlo),
)
#: the steps that need the COW/ATOP folder (``--data``)
DATA_STEPS: tuple[Step, ...] = (
    Step("backtest", ("backtest.json", "backtest.html"), _backtest),
    Step("threat-validity", ("threat-validity.json", "threat-validity.csv"), _validity),
    Step("cases-built", ("cases-built.json",), _built),
    Step("shipped-defaults", ("shipped-defaults.json",), _shipped),
    Step("fit-train", ("cohen-train.json", "cohen-train-scoreboard.csv", "cases-cohen-train.json"), _fit_train),
    Step("fit-all", ("cohen-fit-1816-1955.json",), _fit_all),
    Step("prequential", ("prequential-fit.json", "prequential.csv"), _prequential),
    Step("compare", ("compare.json", "compare-theatres.csv"), lambda out, opts: _compare(out, opts)),
    Step("compare-fit", ("compare-fit.json",), lambda out, opts: _compare(out, opts, fit=True)),
)
NAMES = tuple(s.name for s in STEPS)
DATA_NAMES = tuple(s.name for s in DATA_STEPS)
DATA_FILES = ("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries",
              "terrthreat", "ls_threat")


def _leaves(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, x


def changes(out: Path, against: Path, files: list[str]) -> list[dict]:
    """Each file against the same file in an earlier replication ``against``: ``same``, ``changed``
    (for JSON, how many values differ and the first few of their paths) or ``new``."""
    rows = []
    for f in files:
        a, b = against / f, out / f
        if not a.exists():
            rows.append({"file": f, "status": "new", "values_changed": None, "first": []})
            continue
        if a.read_bytes() == b.read_bytes():
            rows.append({"file": f, "status": "same", "values_changed": 0, "first": []})
            continue
        row = {"file": f, "status": "changed", "values_changed": None, "first": []}
        if f.endswith(".json"):
            try:
                old, new = dict(_leaves(json.loads(a.read_text()))), dict(_leaves(json.loads(b.read_text())))
                diff = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
                row.update(values_changed=len(diff), first=diff[:5])
            except (OSError, ValueError):
                pass
        rows.append(row)
    return rows


def run(out: str | Path, *, draws: int = 300, seed: int = 1, only: tuple[str, ...] | None = None,
        resume: bool = False, fresh: bool = False, progress: Callable[[str, str], None] | None = None,
        data=None, to: int = 1955, split: int = 1939, against: str | Path | None = None) -> dict:
    """Run the steps named in ``only`` into ``out``; returns what was run and what was reused.

    Raises :class:`pactlab.manifest.RunMismatch` if ``out`` holds results of another run (unless
    ``fresh``), and ``ValueError`` for an unknown step or a non-positive number of draws."""
    known = NAMES + DATA_NAMES
    if only is None:
        only = known if data is not None else NAMES
    unknown = [n for n in only if n not in known]
    if unknown:
        raise ValueError(f"--only: unknown step {', '.join(unknown)} (expected some of {', '.join(known)})")
    needs = [n for n in only if n in DATA_NAMES]
    if needs and data is None:
        raise ValueError(f"--only: {', '.join(needs)} need the COW/ATOP folder: give --data DIR")
    if against is not None and not Path(against).is_dir():
        raise ValueError(f"--against {against}: not a folder of an earlier replication")
    if draws < 1:
        raise ValueError(f"--draws: expected a positive number of parameter draws, got {draws}")
    from pactlab.scenarios.catalog import catalog, get

    steps = [s for s in STEPS + DATA_STEPS if s.name in only]
    out = Path(out)
    if data is not None:
        from pactlab.evidence.backtest import READS

        data.check(DATA_FILES)
    m = manifest.build(
        "replicate", parameters=DEFAULT, scenario=[get(e.id) for e in catalog()], seed=seed,
        data=data, data_keys=tuple(dict.fromkeys(DATA_FILES + READS)) if data is not None else None,
        years=(1816, to) if data is not None else None,
        extra={"draws": draws, "spread": 0.25, "steps": [s.name for s in steps],
               **({"split": split} if data is not None else {})},
        info={"python": platform.python_version(), "numpy": np.__version__})
    files = [f for s in STEPS + DATA_STEPS for f in s.files]
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
        s.run(out, {"draws": draws, "seed": seed, "data": data, "to": to, "split": split})
        done.append(s.name)
        if progress:
            progress(s.name, "written")
    written = [f for s in steps for f in s.files]
    res = {"folder": str(out), "run": done, "reused": reused, "files": written,
           "manifest": json.loads(json.dumps(m))}
    if against is not None:
        res["changes"] = changes(out, Path(against), written)
    return res
