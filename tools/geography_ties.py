"""Codebook rule GEO1: add the geography ties a scenario file lacks, from the data.

For every pair of actors with COW codes that has no tie, computes ``contiguity`` from COW
Direct Contiguity in force on 1 July of the reference year and ``distance_km`` from the
CShapes minimum-distance file for the reference year. The reference year is the year
before the scenario, or each file's last year when that is earlier (2016 for contiguity,
2019 for distances in the shared files; codebook GEO1). A pair with no polygon distance
in that year is reported and left out (code it by hand with its GEO1 fallback).

    python tools/geography_ties.py DATA_DIR FILE.yaml [...] [--write]

Then run ``tools/overland.py`` (GEO2) and ``tools/capital_distance.py`` (GEO3) on the
file to fill ``overland`` and the capital distances of the new ties.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scenario_yaml as Y

from pactlab.data import open_data


def conttype_on_1_july(data, a: int, b: int, year: int) -> int:
    """Closest COW direct-contiguity type in force on 1 July of ``year`` (0: none)."""
    cs = data.contiguity_spells()
    d = np.datetime64(f"{year:04d}-07-01")
    lo, hi = min(a, b), max(a, b)
    sel = cs[(((cs.ccode1 == lo) & (cs.ccode2 == hi)) | ((cs.ccode1 == hi) & (cs.ccode2 == lo)))
             & (cs.stdate.to_numpy().astype("datetime64[D]") <= d)
             & (cs.enddate.to_numpy().astype("datetime64[D]") >= d)]
    types = [int(t) for t in sel.conttype if int(t) > 0]
    return min(types) if types else 0


def kind(ct: int) -> str:
    return "land" if ct == 1 else ("sea" if 2 <= ct <= 5 else "remote")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    data = open_data(args.data_dir)
    rc = 0
    for path in args.files:
        header, doc = Y.load(path)
        ref = int(doc["year"]) - 1
        rc_year = min(ref, data.info("contiguity").coverage[1])
        rd_year = min(ref, data.info("mindist").coverage[1])
        have = {frozenset((t["a"], t["b"])) for t in doc["geography"]}
        code = {a["id"]: a.get("ccode") for a in doc["actors"]}
        added = []
        for x, y in itertools.combinations([a["id"] for a in doc["actors"]], 2):
            if frozenset((x, y)) in have:
                continue
            a, b = code[x], code[y]
            if a is None or b is None:
                print(f"{path}: {x}-{y}: no COW code; code this tie by hand (GEO1)")
                rc = 1
                continue
            ct = conttype_on_1_july(data, a, b, rc_year)
            km = data.min_distance(a, b, rd_year)
            if km is None or not math.isfinite(km):
                print(f"{path}: {x}-{y}: no minimum distance for {rd_year}; code by hand (GEO1 fallback)")
                rc = 1
                continue
            tie = {"a": x, "b": y, "contiguity": kind(ct), "distance_km": round(float(km), 1),
                   "source": "contdir_mindist"}
            notes = []
            if rc_year != ref:
                notes.append(f"Contiguity on 1 July {rc_year}, the last year of the contiguity file (GEO1).")
            if rd_year != ref:
                notes.append(f"Distance for {rd_year}, the last year of the distance file (GEO1).")
            if notes:
                tie["note"] = " ".join(notes)
            print(f"{path}: {x}-{y}: conttype {ct} ({tie['contiguity']}), {tie['distance_km']} km")
            added.append(tie)
        if args.write and added:
            doc["geography"] = list(doc["geography"]) + added
            Y.dump(path, header, doc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
