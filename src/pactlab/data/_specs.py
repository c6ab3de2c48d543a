"""The data sets pactlab reads: accepted file names, layouts and where to get them."""

from __future__ import annotations

from pactlab.data._files import DatasetSpec, Format

COW = "the Correlates of War Project data sets page, https://correlatesofwar.org/data-sets/"
PEACESCIENCER = ("the R package peacesciencer (Miller 2022; https://svmiller.com/peacesciencer/, on CRAN); "
                 "export the table with write.csv()")

STATES = DatasetSpec(
    key="states",
    title="COW State System Membership list",
    names=("cow/cow_states.csv", "cow_states.csv", "states2016.csv", "states2011.csv"),
    patterns=(r"states\d{4}\.csv", r"statelist\d{4}\.csv"),
    contents=("one row per membership spell: ccode, stateabb, statenme, styear, stmonth, stday, "
              "endyear, endmonth, endday (and version)"),
    obtain=f"{COW} (\"State System Membership\", v2016: states2016.csv)",
    formats=(Format("COW states list", ("ccode", "styear", "endyear"), keys=("ccode", "styear", "endyear"),
                    optional=("stateabb", "statenme", "stmonth", "stday", "endmonth", "endday", "version")),),
)

MAJORS = DatasetSpec(
    key="majors",
    title="COW major powers list",
    names=("cow/cow_majors.csv", "cow_majors.csv", "majors2016.csv", "majors2011.csv"),
    patterns=(r"majors\d{4}\.csv",),
    contents="one row per major-power spell: ccode, styear, stmonth, stday, endyear, endmonth, endday",
    obtain=f"{COW} (\"State System Membership\", v2016: majors2016.csv)",
    formats=(Format("COW majors list", ("ccode", "styear", "endyear"), keys=("ccode", "styear", "endyear")),),
)

NMC = DatasetSpec(
    key="nmc",
    title="COW National Material Capabilities (NMC)",
    names=("cow/cow_nmc.csv", "cow_nmc.csv", "NMC-60-abridged.csv", "NMC_5_0.csv", "NMC-70-abridged.csv",
           "NMC_v4_0.csv", "NMC-60-wsupplementary.csv", "NMC_5_0-wsupplementary.csv"),
    patterns=(r"nmc[-_ ]?v?\d.*abridged.*\.csv", r"nmc[-_ ]?v?\d[\w.-]*\.csv"),
    contents="one row per state-year: ccode, year, milex, milper, irst, pec, tpop, upop, cinc",
    obtain=f"{COW} (\"National Material Capabilities\", v7.0: NMC-70-abridged.csv)",
    formats=(Format("COW NMC", ("ccode", "year", "cinc"), keys=("ccode", "year"),
                    optional=("stateabb", "milex", "milper", "irst", "pec", "tpop", "upop", "version")),),
)

CONTIGUITY = DatasetSpec(
    key="contiguity",
    title="COW Direct Contiguity",
    names=("cow/cow_contdir.csv", "cow_contdir.csv", "DirectContiguity320/contdird.csv", "contdird.csv",
           "DirectContiguity320/contdir.csv", "contdir.csv"),
    patterns=(r"contdird?\.csv",),
    contents=("direct-contiguity records with conttype 1 = land, 2/3/4/5 = separated by <=12/24/150/400 "
              "miles of water: either spells (ccode1, ccode2, conttype, stdate, enddate), the COW "
              "dyad-year file contdird.csv (state1no, state2no, year, conttype) or the COW master file "
              "contdir.csv (statelno, statehno, conttype, begin, end as YYYYMM)"),
    obtain=f"{COW} (\"Direct Contiguity\", v3.2: DirectContiguity320/contdird.csv); spells also in {PEACESCIENCER} (cow_contdir)",
    formats=(
        Format("spells (peacesciencer cow_contdir)", ("ccode1", "ccode2", "conttype", "stdate", "enddate"),
               keys=("ccode1", "ccode2", "conttype")),
        Format("COW directed dyad-year (contdird.csv)", ("state1no", "state2no", "year", "conttype"),
               keys=("state1no", "state2no", "year", "conttype")),
        Format("COW master spells (contdir.csv)", ("statelno", "statehno", "conttype", "begin", "end"),
               keys=("statelno", "statehno", "conttype", "begin", "end")),
    ),
)

MINDIST = DatasetSpec(
    key="mindist",
    title="minimum distance between states (CShapes 2.0)",
    names=("cow/cow_mindist.csv.gz", "cow_mindist.csv.gz", "cow_mindist.csv", "mindist.csv.gz", "mindist.csv"),
    patterns=(r"(cow_)?mindist.*\.csv(\.gz)?",),
    contents="one row per undirected dyad-year: ccode1, ccode2, year, mindist (km between the closest points "
             "of the two territories)",
    obtain=("the cow_mindist table of " + PEACESCIENCER + ", or compute it from CShapes 2.0 "
            "(https://icr.ethz.ch/data/cshapes/, R: cshapes::distlist with COW codes)"),
    formats=(Format("dyad-year distances", ("ccode1", "ccode2", "year", "mindist"),
                    keys=("ccode1", "ccode2", "year"), restrict=True, dtype="float32"),),
)

CAPITALS = DatasetSpec(
    key="capitals",
    title="capitals (peacesciencer)",
    names=("cow/cow_capitals.csv", "cow_capitals.csv", "capitals.csv"),
    patterns=(),
    contents="one row per capital spell: ccode, statenme, capital, stdate, enddate, lat, lng",
    obtain="the capitals table of " + PEACESCIENCER,
    formats=(Format("peacesciencer capitals", ("ccode", "capital", "stdate", "enddate", "lat", "lng"),
                    keys=("ccode",)),),
)

TRADE = DatasetSpec(
    key="trade",
    title="COW Trade (national totals)",
    names=("cow/cow_trade_sy.csv", "cow_trade_sy.csv", "COW_Trade_4.0/National_COW_4.0.csv",
           "National_COW_4.0.csv", "National_COW_3.0.csv"),
    patterns=(r"national_cow_[\d.]+\.csv",),
    contents="one row per state-year: ccode, year, imports, exports (current million US$)",
    obtain=f"{COW} (\"Trade\", v4.0: COW_Trade_4.0/National_COW_4.0.csv)",
    formats=(Format("state-year trade", ("ccode", "year", "imports", "exports"), keys=("ccode", "year")),),
)

WAR = DatasetSpec(
    key="war",
    title="COW Inter-State War",
    names=("cow/cow_war_inter.csv", "cow_war_inter.csv", "Inter-StateWarData_v4.0.csv"),
    patterns=(r"inter-?statewardata_v[\d.]+\.csv",),
    contents=("either dyad-years (warnum, ccode1, ccode2, year, sidea1, sidea2, ...; peacesciencer "
              "cow_war_inter) or the COW participant file (WarNum, ccode, Side, StartYear1, EndYear1, "
              "StartYear2, EndYear2, Initiator, Outcome, BatDeath)"),
    obtain=f"{COW} (\"COW War Data, 1816-2007 (v4.0)\": Inter-StateWarData_v4.0.csv); dyad-years also in {PEACESCIENCER}",
    formats=(
        Format("dyad-year (peacesciencer cow_war_inter)", ("warnum", "ccode1", "ccode2", "year"),
               keys=("warnum", "ccode1", "ccode2", "year")),
        Format("COW participants (Inter-StateWarData)",
               ("warnum", "ccode", "side", "startyear1", "endyear1"), keys=("warnum", "ccode", "side", "startyear1")),
    ),
)

ATOP_A = DatasetSpec(
    key="atop_alliances",
    title="ATOP alliance-level",
    names=("atop/atop5_1a.csv", "atop5_1a.csv", "atop5_0a.csv", "atop4_01a.csv", "atop/atop4_01a_to1955.csv",
           "atop4_01a_to1955.csv"),
    patterns=(r"atop\d_\d+a(_[\w-]*)?\.csv",),
    contents=("one row per alliance: atopid, begyr, endyr (0 = still in force), ineffect, defense, offense, "
              "neutral, nonagg, consul, bilat, mem1..memN"),
    obtain=("the ATOP project, http://www.atopdata.org/ (ATOP 5.1 CSV release: atop5_1a.csv; "
            "4.01: atop4_01a.csv)"),
    formats=(Format("ATOP alliance-level", ("atopid", "begyr", "endyr", "defense", "consul"),
                    keys=("atopid", "begyr")),),
)

ATOP_M = DatasetSpec(
    key="atop_members",
    title="ATOP member-level",
    names=("atop/atop5_1m.csv", "atop5_1m.csv", "atop5_0m.csv", "atop4_01m.csv", "atop/atop4_01m_to1955.csv",
           "atop4_01m_to1955.csv"),
    patterns=(r"atop\d_\d+m(_[\w-]*)?\.csv",),
    contents=("one row per alliance member and phase: atopid, member, yrent, yrexit (0 = still a member), "
              "phase, defense, offense, neutral, nonagg, consul"),
    obtain=("the ATOP project, http://www.atopdata.org/ (ATOP 5.1 CSV release: atop5_1m.csv; "
            "4.01: atop4_01m.csv)"),
    formats=(Format("ATOP member-level", ("atopid", "member", "yrent", "yrexit", "defense", "consul"),
                    keys=("atopid", "member", "yrent")),),
)

TD = DatasetSpec(
    key="td_rivalries",
    title="Thompson & Dreyer strategic rivalries",
    names=("threat/td_rivalries.csv", "td_rivalries.csv"),
    patterns=(r"td_rivalries.*\.csv",),
    contents="one row per rivalry: rivalryno, rivalryname, ccode1, ccode2, styear, endyear, region, type1..type3",
    obtain=("Thompson & Dreyer (2012), Handbook of International Rivalries, 1494-2010 (CQ Press); "
            "machine-readable as the td_rivalries table of " + PEACESCIENCER),
    formats=(Format("Thompson-Dreyer rivalries", ("ccode1", "ccode2", "styear", "endyear"),
                    keys=("ccode1", "ccode2", "styear", "endyear")),),
)

TSS = DatasetSpec(
    key="tss_rivalries",
    title="Thompson, Sakuwa & Suhas rivalries",
    names=("threat/tss_rivalries.csv", "tss_rivalries.csv"),
    patterns=(r"tss_rivalries.*\.csv",),
    contents=("one row per rivalry: tssr_id, rivalry, ccode1, ccode2, start, end, positional, spatial, "
              "ideological, interventionary"),
    obtain="the tss_rivalries table of " + PEACESCIENCER,
    formats=(Format("TSS rivalries", ("ccode1", "ccode2", "start", "end"), keys=("ccode1", "ccode2", "start", "end")),),
)

TERRTHREAT = DatasetSpec(
    key="terrthreat",
    title="latent territorial threat (peacesciencer terrthreat)",
    names=("threat/terrthreat.csv", "terrthreat.csv"),
    patterns=(r"terrthreat.*\.csv",),
    contents="one row per state-year: ccode, year, lterrthreat, sd, lwr, upr (m_* columns optional)",
    obtain="the terrthreat table distributed with " + PEACESCIENCER,
    formats=(Format("state-year threat", ("ccode", "year", "lterrthreat"), keys=("ccode", "year")),),
)

LS_THREAT = DatasetSpec(
    key="ls_threat",
    title="Leeds & Savun external threat",
    names=("threat/leeds_savun_threat.csv", "leeds_savun_threat.csv", "lsthreat.csv", "ls_threat.csv"),
    patterns=(r"leeds_?savun.*\.csv",),
    contents="one row per state-year: ccode, year, lsthreat",
    obtain=("the replication data of Leeds & Savun (2007), \"Terminating Alliances\", Journal of Politics 69(4) "
            "(Brett Ashley Leeds's data page / http://www.atopdata.org/)"),
    formats=(Format("state-year threat", ("ccode", "year", "lsthreat"), keys=("ccode", "year")),),
)

SPECS: dict[str, DatasetSpec] = {s.key: s for s in (
    STATES, MAJORS, NMC, CONTIGUITY, MINDIST, CAPITALS, TRADE, WAR, ATOP_A, ATOP_M, TD, TSS, TERRTHREAT, LS_THREAT)}
