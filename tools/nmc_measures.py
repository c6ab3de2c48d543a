"""Codebook rules CAP1 and CAP2: CINC and shares of military expenditure and personnel.

For a year and COW codes, prints each state's CINC, milex and milper and its share of
the state-system totals (the sum over all states with a value that year; the count of
states with no value is printed too):

    python tools/nmc_measures.py DATA_DIR --year 1948 2 200 365

For scenario files, computes the values for every actor with a COW code at the file's
reference year (the year before the scenario, or the last NMC year when that is later;
a state with no NMC row that year takes the first later year, flagged as a time-order
exception) and, with --write, stores ``milex_share`` and ``milper_share`` (rule CAP2,
source key ``nmc``) in the file. With --cinc it also rewrites ``capability`` as the
CINC (rule CAP1) and ``capability_measure``. --check compares the file's CINC-coded
capabilities with the data and exits 1 on a difference.

    python tools/nmc_measures.py DATA_DIR FILE.yaml [...] [--write] [--cinc] [--check]

DATA_DIR is a folder holding the COW NMC file (see docs/data.md).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _scenario_yaml as Y

from pactlab.data import open_data
from pactlab.data.measures import nmc_measures, nmc_reference_year, share_note, sig

NMC_SOURCE = ("Singer, J. D., Bremer, S. & Stuckey, J. (1972); Singer, J. D. (1987). Correlates of War National "
              "Material Capabilities data, v{version} (CINC; milex, milper).")


def _table(data, year: int, codes: list[int]) -> int:
    print(f"{'ccode':>6} {'year':>5} {'cinc':>10} {'milex':>14} {'milex_share':>12} {'milper':>9} {'milper_share':>12}")
    for c in codes:
        m = nmc_measures(data, c, year, allow_later=False)
        if m is None:
            print(f"{c:>6} {year:>5}  no NMC row")
            continue
        print(f"{c:>6} {m.year:>5} {m.cinc:>10.6f} {m.milex:>14,.0f} {m.milex_share:>12.6g} "
              f"{m.milper:>9,.0f} {m.milper_share:>12.6g}")
    m = nmc_measures(data, codes[0], year, allow_later=False) if codes else None
    if m is not None:
        print(f"totals {year}: milex {m.milex_total:,.0f} ({m.milex_states} states, {m.milex_missing} missing); "
              f"milper {m.milper_total:,.0f} ({m.milper_states} states, {m.milper_missing} missing)")
    return 0


def _file(data, path: str, write: bool, cinc: bool, check: bool) -> int:
    header, doc = Y.load(path)
    ref = nmc_reference_year(data, int(doc["year"]))
    version = data.info("nmc").version
    bad = 0
    actors = []
    for a in doc["actors"]:
        c = a.get("ccode")
        m = nmc_measures(data, c, ref) if c is not None else None
        if m is None:
            print(f"{path}: {a['id']}: no NMC row for ccode {c} from {ref} on; nothing coded")
            actors.append(a)
            continue
        late = "" if m.year == ref else (f" Time-order exception (CAP1 fallback 1): no NMC row for ccode {c} "
                                         f"in {ref}; value for {m.year}, the first later year.")
        print(f"{path}: {a['id']} ({c}) {m.year}: cinc {m.cinc:.6f} milex_share {m.milex_share:.6g} "
              f"milper_share {m.milper_share:.6g}{' [' + late.strip() + ']' if late else ''}")
        if (check and not cinc and "CINC" in doc.get("capability_measure", "")
                and abs(float(a["capability"]["value"]) - m.cinc) > 5e-7):
            print(f"  DIFFERENCE: file capability {a['capability']['value']} vs CINC {m.cinc:.6f}")
            bad += 1
        if cinc:
            a = dict(a)
            a["capability"] = {"value": round(m.cinc, 6) if m.cinc >= 1e-4 else sig(m.cinc), "source": "nmc",
                               "rule": "CAP1", "note": f"COW NMC CINC {m.year} (ccode {c}).{late}"}
        for which in ("milex", "milper"):
            share = m.milex_share if which == "milex" else m.milper_share
            if math.isnan(share):
                print(f"  {which}: missing in NMC {m.year}; {which}_share not coded")
                continue
            entry = {"value": sig(share), "source": "nmc", "rule": "CAP2", "note": share_note(m, which) + late}
            a = Y.insert_after(a, ["maritime_reach", "milex_share"], f"{which}_share", entry)
        actors.append(a)
    if write or cinc:
        doc["actors"] = actors
        src = dict(doc["sources"])
        src["nmc"] = {"cite": NMC_SOURCE.format(version=version)}
        doc["sources"] = dict(sorted(src.items()))
        if cinc:
            doc["capability_measure"] = (f"COW NMC v{version} CINC for {ref}, the year before the scenario or, when "
                                         f"that is later than the data, the last NMC year (codebook CAP1).")
        Y.dump(path, header, doc)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir")
    ap.add_argument("items", nargs="+", help="scenario files, or COW codes with --year")
    ap.add_argument("--year", type=int, help="print the measures of these COW codes in this year")
    ap.add_argument("--write", action="store_true", help="store milex_share and milper_share in the files")
    ap.add_argument("--cinc", action="store_true", help="also rewrite capability as CINC (CAP1)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a CINC-coded capability differs from the data")
    args = ap.parse_args(argv)
    data = open_data(args.data_dir)
    if args.year is not None:
        return _table(data, args.year, [int(x) for x in args.items])
    rc = 0
    for path in args.items:
        rc |= _file(data, path, args.write, args.cinc, args.check)
    return rc


if __name__ == "__main__":
    sys.exit(main())
