"""Codebook rule GEO3: great-circle distance between two states' capitals.

The capital is the spell of the capitals table in force latest in the reference year
(the year before the scenario, or the table's last year when that is later); a state
with no spell that year takes the first later one, flagged. Distance by the haversine
formula on a sphere of radius 6371.0088 km (the IUGG mean Earth radius), rounded to
0.1 km.

    python tools/capital_distance.py DATA_DIR --year 1948 2 365 [A B ...]     # pairs
    python tools/capital_distance.py DATA_DIR FILE.yaml [...] [--write]

For scenario files, computes ``capital_distance_km`` for every geography tie between
two actors with COW codes and, with --write, stores it with ``capital_source:
capitals`` (declaring that source in the file) and appends a fallback flag to the
tie's note where one was needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scenario_yaml as Y

from pactlab.data import open_data
from pactlab.data.measures import (
    EARTH_RADIUS_KM,
    capital_distance,
    capitals_reference_year,
)

CAPITALS_SOURCE = ("Capitals and their coordinates: the capitals table distributed with peacesciencer (Miller, S. V. "
                   "2022, peacesciencer: an R package for quantitative peace science research), by COW state code "
                   f"and date. Great-circle distance by the haversine formula, R = {EARTH_RADIUS_KM} km "
                   "(codebook GEO3).")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("items", nargs="+", help="scenario files, or pairs of COW codes with --year")
    ap.add_argument("--year", type=int)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    data = open_data(args.data_dir)
    if args.year is not None:
        codes = [int(x) for x in args.items]
        if len(codes) % 2:
            ap.error("give COW codes in pairs")
        for a, b in zip(codes[::2], codes[1::2]):
            r = capital_distance(data, a, b, args.year)
            print(f"{a}-{b} {args.year}: " + (r.note() if r else "no capital for one of the two"))
        return 0
    rc = 0
    for path in args.items:
        header, doc = Y.load(path)
        ref = capitals_reference_year(data, int(doc["year"]))
        code = {a["id"]: a.get("ccode") for a in doc["actors"]}
        ties = []
        for t in doc["geography"]:
            a, b = code.get(t["a"]), code.get(t["b"])
            r = capital_distance(data, a, b, ref) if a is not None and b is not None else None
            if r is None:
                print(f"{path}: {t['a']}-{t['b']}: no capital distance (no COW code or no capital)")
                rc = 1
                ties.append(t)
                continue
            print(f"{path}: {t['a']}-{t['b']}: {r.note()}")
            t = Y.insert_after(t, ["distance_km", "overland", "source"], "capital_distance_km", r.km)
            t = Y.insert_after(t, ["capital_distance_km"], "capital_source", "capitals")
            if r.fallback:
                flag = r.note()
                note = t.get("note") or ""
                if flag not in note:
                    t = Y.insert_after(t, ["capital_source"], "note", (note + " " + flag).strip())
            ties.append(t)
        if args.write:
            doc["geography"] = ties
            src = dict(doc["sources"])
            src["capitals"] = {"cite": CAPITALS_SOURCE}
            doc["sources"] = dict(sorted(src.items()))
            Y.dump(path, header, doc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
