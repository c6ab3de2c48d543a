"""Hand-built data folders for the evidence tests: a few states, a few alliances, every rule visible.

``small_world(path)`` writes COW- and ATOP-shaped CSV files for 1880-1915 in which each episode rule
of docs/evidence.md has one case whose answer can be worked out by hand (the comments say which).
``atop5_columns`` switches the ATOP files to the column set of the ATOP 5.1 release.

States (COW codes; all system members 1880-1915 unless said otherwise):

* 2 (USA) -- patron, major power throughout; CINC 0.20;
* 365 (RUS) -- major, the patron's only Thompson-Dreyer rival (1880-1915); CINC 0.15;
* 200 (UKG) -- major; CINC 0.10;
* 20 (CAN) -- land border with the patron;
* 210, 211, 212 (NTH, BEL, LUX) -- within 1000 km of the adversary;
* 290 (POL) -- land border with the adversary and a defence pledge with it since 1890: the
  adversary's side, never a candidate;
* 230, 235 (SPN, POR) -- Europe, 1500 km from the adversary (candidates by region only);
* 700 (AFG) -- Asia, 5000 km away: no criterion (a signer there is "outside the rule");
* 731 (PRK) -- a system member only from 1902 (born in the 1901-1905 window);
* 999 -- in ATOP only (no COW code).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

YEARS = range(1880, 1916)

STATES = {  # ccode: (abb, name, start, end)
    2: ("USA", "United States of America", 1880, 1915),
    20: ("CAN", "Canada", 1880, 1915),
    200: ("UKG", "United Kingdom", 1880, 1915),
    210: ("NTH", "Netherlands", 1880, 1915),
    211: ("BEL", "Belgium", 1880, 1915),
    212: ("LUX", "Luxembourg", 1880, 1915),
    230: ("SPN", "Spain", 1880, 1915),
    235: ("POR", "Portugal", 1880, 1915),
    290: ("POL", "Poland", 1880, 1915),
    365: ("RUS", "Russia", 1880, 1915),
    700: ("AFG", "Afghanistan", 1880, 1915),
    731: ("PRK", "North Korea", 1902, 1915),
}
MAJORS = (2, 200, 365)
CINC = {2: 0.20, 365: 0.15, 200: 0.10, 20: 0.02, 210: 0.01, 211: 0.01, 212: 0.001, 230: 0.02, 235: 0.005,
        290: 0.01, 700: 0.002, 731: 0.003}
LAND = [(2, 20), (290, 365), (210, 211), (211, 212)]
SEA = [(200, 210)]
# minimum distances (km); pairs not listed are 5000 km apart
DIST = {(210, 365): 900.0, (211, 365): 950.0, (212, 365): 980.0, (230, 365): 1500.0, (235, 365): 1800.0,
        (200, 365): 1400.0, (20, 365): 3000.0, (2, 365): 3000.0, (210, 211): 0.0, (211, 212): 0.0,
        (200, 210): 150.0, (2, 20): 0.0, (290, 365): 0.0}

# ATOP: (atopid, begyr, endyr (0: in force), wartime, [(member, yrent, yrexit, phase, defense, consul)])
ALLIANCES = [
    # in force with the adversary: Poland is on its side
    (1000, 1890, 0, 0, [(290, 1890, 0, 0, 1, 1), (365, 1890, 0, 0, 1, 1)]),
    # USA-CAN defence pledge in force since 1895 ...
    (1010, 1895, 0, 0, [(2, 1895, 0, 0, 1, 1), (20, 1895, 0, 0, 1, 1)]),
    # ... renewed by a new treaty in 1903: a renewal (no new pledge)
    (1020, 1903, 0, 0, [(2, 1903, 0, 0, 1, 1), (20, 1903, 0, 0, 1, 1)]),
    # USA-BEL consultation pact of 1896; Luxembourg accedes in 1904 (an accession)
    (1030, 1896, 0, 0, [(2, 1896, 0, 0, 0, 1), (211, 1896, 0, 0, 0, 1), (212, 1904, 0, 0, 0, 1)]),
    # founded 1902 with consultation only; a second phase (1908, after the window) adds defence:
    # the founding phase says 'consult' although ATOP's alliance-level columns say defence
    (1040, 1902, 0, 0, [(2, 1902, 1908, 1, 0, 1), (210, 1902, 1908, 1, 0, 1),
                        (2, 1908, 0, 2, 1, 1), (210, 1908, 0, 2, 1, 1)]),
    # clients-only pact among candidates
    (1050, 1903, 1910, 0, [(210, 1903, 1910, 0, 1, 0), (211, 1903, 1910, 0, 1, 0)]),
    # two majors: the USA (higher CINC) leads; the UK is a client there
    (1060, 1904, 1912, 0, [(2, 1904, 1912, 0, 1, 0), (200, 1904, 1912, 0, 1, 0), (230, 1904, 1912, 0, 1, 0)]),
    # a wartime alliance: out of scope
    (1070, 1901, 1905, 1, [(2, 1901, 1905, 0, 1, 0), (235, 1901, 1905, 0, 1, 0)]),
    # a state born in the window, and one far away
    (1080, 1903, 0, 0, [(2, 1903, 0, 0, 1, 0), (731, 1903, 0, 0, 1, 0)]),
    (1090, 1905, 0, 0, [(2, 1905, 0, 0, 0, 1), (700, 1905, 0, 0, 0, 1)]),
    # an ATOP-only member
    (1100, 1904, 0, 0, [(2, 1904, 0, 0, 1, 0), (999, 1904, 0, 0, 1, 0)]),
    # non-aggression only: not a pledge, never an event
    (1110, 1902, 0, 0, [(2, 1902, 0, 0, 0, 0), (230, 1902, 0, 0, 0, 0)]),
]

ATOP5_ALLIANCE_EXTRA = ("cowid", "cow4id", "begmo", "begday", "endmo", "endday", "ineffect", "bilat", "maxphase",
                        "wartime", "estmode", "offense", "neutral", "nonagg", "organ1", "asymm", "version")
ATOP5_MEMBER_EXTRA = ("cowsys", "moent", "dayent", "moexit", "dayexit", "ineffect", "bilat", "maxphase",
                      "wartime", "offense", "neutral", "nonagg", "organ1", "version")


def small_world(path: Path, alliances=ALLIANCES, atop5: bool = False, shift: int = 0) -> Path:
    """Write the world to ``path`` (created) and return it. ``shift`` moves every year by that many
    years (``shift=80`` gives alliances after 1955, as in a full ATOP release)."""
    path = Path(path)
    (path / "cow").mkdir(parents=True, exist_ok=True)
    (path / "atop").mkdir(exist_ok=True)
    (path / "threat").mkdir(exist_ok=True)
    S = shift
    rows = [{"ccode": c, "stateabb": a, "statenme": n, "styear": s + S, "stmonth": 1, "stday": 1,
             "endyear": e + S, "endmonth": 12, "endday": 31, "version": 2016} for c, (a, n, s, e) in STATES.items()]
    pd.DataFrame(rows).to_csv(path / "cow" / "cow_states.csv", index=False)
    pd.DataFrame([{"ccode": c, "styear": 1880 + S, "stmonth": 1, "stday": 1, "endyear": 1915 + S, "endmonth": 12,
                   "endday": 31, "version": 2016} for c in MAJORS]).to_csv(path / "cow" / "cow_majors.csv", index=False)
    nmc = []
    for c, (a, _, s, e) in STATES.items():
        for y in YEARS:
            if s <= y <= e:
                nmc.append({"stateabb": a, "ccode": c, "year": y + S, "milex": 1, "milper": 1, "irst": 1, "pec": 1,
                            "tpop": 1, "upop": 1, "cinc": CINC[c]})
    pd.DataFrame(nmc).to_csv(path / "cow" / "cow_nmc.csv", index=False)
    cont = []
    for kind, pairs in ((1, LAND), (4, SEA)):
        for a, b in pairs:
            for x, y in ((a, b), (b, a)):
                cont.append({"ccode1": x, "ccode2": y, "conttype": kind, "stdate": f"{1880 + S}-01-01",
                             "enddate": f"{1915 + S}-12-31"})
    pd.DataFrame(cont).to_csv(path / "cow" / "cow_contdir.csv", index=False)
    md = []
    codes = sorted(STATES)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            for y in YEARS:
                if max(STATES[a][2], STATES[b][2]) <= y <= min(STATES[a][3], STATES[b][3]):
                    md.append({"ccode1": a, "ccode2": b, "year": y + S, "mindist": DIST.get((a, b), 5000.0)})
    pd.DataFrame(md).to_csv(path / "cow" / "cow_mindist.csv", index=False)
    caps = [{"ccode": c, "statenme": n, "capital": f"{a} capital", "stdate": f"{s + S}-01-01",
             "enddate": f"{e + S}-12-31", "lat": 10.0 + (c % 50), "lng": float(c % 170)}
            for c, (a, n, s, e) in STATES.items()]
    pd.DataFrame(caps).to_csv(path / "cow" / "cow_capitals.csv", index=False)
    war = [{"warnum": 1, "ccode1": 2, "ccode2": 200, "year": 1890 + S, "sidea1": 1, "sidea2": 2},
           {"warnum": 1, "ccode1": 200, "ccode2": 2, "year": 1890 + S, "sidea1": 2, "sidea2": 1}]
    pd.DataFrame(war).to_csv(path / "cow" / "cow_war_inter.csv", index=False)
    pd.DataFrame([{"rivalryno": 1, "rivalryname": "USA-Russia", "ccode1": 2, "ccode2": 365, "styear": 1880 + S,
                   "endyear": 1915 + S, "region": "GP", "type1": "positional", "type2": "", "type3": ""}]
                 ).to_csv(path / "threat" / "td_rivalries.csv", index=False)
    thr = [{"ccode": c, "year": y + S, "lterrthreat": CINC[365] / (1 + DIST.get((min(c, 365), max(c, 365)), 5000) / 1000),
            "sd": 0.1, "lwr": 0, "upr": 1} for c in STATES for y in YEARS if c != 365]
    pd.DataFrame(thr).to_csv(path / "threat" / "terrthreat.csv", index=False)
    pd.DataFrame([{"ccode": r["ccode"], "year": r["year"], "lsthreat": r["lterrthreat"] * 2} for r in thr]
                 ).to_csv(path / "threat" / "leeds_savun_threat.csv", index=False)
    arows, mrows = [], []
    for aid, by, ey, wt, mem in alliances:
        members = sorted({m for m, *_ in mem})
        d = max(r[4] for r in mem)
        c = max(r[5] for r in mem)
        row = {"atopid": aid, "begyr": by + S, "endyr": ey + S if ey else 0, "defense": d, "consul": c,
               "wartime": wt, "ineffect": 0 if ey else 1, "bilat": int(len(members) == 2),
               "maxphase": max(r[3] for r in mem)}
        for k, m in enumerate(members, start=1):
            row[f"mem{k}"] = m
        if atop5:
            for col in ATOP5_ALLIANCE_EXTRA:
                row.setdefault(col, 0)
            row["version"] = 5.1
        arows.append(row)
        for m, ye, yx, ph, dd, cc in mem:
            r = {"atopid": aid, "member": m, "yrent": ye + S, "yrexit": yx + S if yx else 0, "phase": ph,
                 "defense": dd, "consul": cc, "wartime": wt}
            if atop5:
                for col in ATOP5_MEMBER_EXTRA:
                    r.setdefault(col, 0)
                r["version"] = 5.1
            mrows.append(r)
    name = "atop5_1" if atop5 else "atop4_01"
    pd.DataFrame(arows).to_csv(path / "atop" / f"{name}a.csv", index=False)
    pd.DataFrame(mrows).to_csv(path / "atop" / f"{name}m.csv", index=False)
    return path
