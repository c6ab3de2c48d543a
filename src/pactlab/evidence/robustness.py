"""Robustness and ablation of the case table (docs/cases.md).

    python tools/robustness.py redraw [--draws 300] [--spread 0.25] [--seed 1] [--out FILE.json] [--markdown]
    python tools/robustness.py ablate [--out FILE.json] [--markdown]
    pactlab replicate OUT            # these tables with the rest of the published results

``redraw``: every numeric behavioural parameter is redrawn independently,
log-normally around its default (sigma = log(1 + spread)), clipped to its
declared bounds; per historical case, the share of draws in which the exact
treaty set is reproduced under each reading, and the share with the same
design label as at the defaults. ``ablate``: each model-v2 mechanism switch
turned off in turn; per case, the design and exact-set results, and whether
anything moved. Both print one JSON object on the last line.
"""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console
from rich.progress import track

from pactlab.evidence.cases import exact_score
from pactlab.model.params import DEFAULT, SPECS
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get

# parameters that are not behavioural (durability classification) are kept
KEEP = {"long_years"}


def _cases():
    out = []
    for e in catalog():
        s = get(e.id)
        out.append(s)
    return out


def _row(s, p):
    r = solve(s, p)
    ex = exact_score(s, r)
    return {"design": r.design, "exact_paper": None if ex is None else ex.exact_paper,
            "exact_atop": None if ex is None else ex.exact_atop,
            "treaties": sorted("+".join(t.members) + f":{t.level}" for t in r.treaties if t.origin != "renewal")}


def redraw(draws: int = 300, spread: float = 0.25, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    specs = [sp for sp in SPECS if sp.kind == "float" and sp.name not in KEEP and math.isfinite(sp.default)
             and sp.default != 0]
    cases = _cases()
    base = {s.id: _row(s, DEFAULT) for s in cases}
    tally = {s.id: {"exact_paper": 0, "exact_atop": 0, "same_design": 0, "same_treaties": 0} for s in cases}
    sigma = math.log(1 + spread)
    for _ in track(range(draws), description="redraw", console=Console(stderr=True)):
        upd = {}
        for sp in specs:
            v = sp.default * math.exp(rng.normal(0, sigma))
            if sp.lower is not None:
                v = max(v, sp.lower + (1e-9 if sp.strict_lower else 0.0))
            if sp.upper is not None:
                v = min(v, sp.upper)
            upd[sp.name] = v
        p = DEFAULT.model_copy(update=upd)
        for s in cases:
            row = _row(s, p)
            t = tally[s.id]
            t["exact_paper"] += bool(row["exact_paper"])
            t["exact_atop"] += bool(row["exact_atop"])
            t["same_design"] += row["design"] == base[s.id]["design"]
            t["same_treaties"] += row["treaties"] == base[s.id]["treaties"]
    return {"draws": draws, "spread": spread, "seed": seed, "parameters": [sp.name for sp in specs],
            "defaults": base, "shares": {k: {m: v / draws for m, v in t.items()} for k, t in tally.items()}}


def ablate() -> dict:
    cases = _cases()
    base = {s.id: _row(s, DEFAULT) for s in cases}
    out = {}
    variants = [(sp.name, {sp.name: False}) for sp in SPECS if sp.kind == "bool"]
    # a global choice (the offensive-power measure): every alternative to the default
    variants += [(f"{sp.name}={c}", {sp.name: c}) for sp in SPECS if sp.kind == "choice"
                 for c in sp.choices if c != getattr(DEFAULT, sp.name)]
    for name, upd in track(variants, description="ablation", console=Console(stderr=True)):
        p = DEFAULT.model_copy(update=upd)
        rows = {}
        for s in cases:
            row = _row(s, p)
            b = base[s.id]
            rows[s.id] = {**row, "moved": row["treaties"] != b["treaties"]}
        out[name] = rows
    return {"defaults": base, "off": out}


def _cell(row, b) -> str:
    if not row["moved"]:
        return "·"
    return row["design"] if row["design"] != b["design"] else "treaties"


def markdown(res: dict) -> str:
    """The tables docs/cases.md shows, from a result of ``redraw`` or ``ablate``."""
    if "off" in res:
        ids = list(res["defaults"])
        lines = ["| switch off | " + " | ".join(ids) + " |", "|---" * (len(ids) + 1) + "|"]
        for name, rows in res["off"].items():
            label = f"`{name}`" if "=" not in name else f"`{name}` (instead of the default)"
            lines.append(f"| {label} | " + " | ".join(_cell(rows[i], res["defaults"][i]) for i in ids) + " |")
        return "\n".join(lines)
    lines = ["| case | exact (paper) | exact (ATOP) | same design as at the defaults | same treaties |",
             "|---|---|---|---|---|"]
    for k, t in res["shares"].items():
        lines.append(f"| {k} | {t['exact_paper']:.0%} | {t['exact_atop']:.0%} | {t['same_design']:.0%} | "
                     f"{t['same_treaties']:.0%} |")
    return "\n".join(lines)
