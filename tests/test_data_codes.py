"""COW code changes (Germany, Vietnam, Yemen, Czechoslovakia) and BibTeX citations; no data needed."""

from __future__ import annotations

import re

import pytest

from pactlab.data import citations, code_history, country_code, country_codes, successor
from pactlab.data.cite import ENTRIES, entries_for


@pytest.mark.parametrize("name,year,code", [
    ("Germany", 1816, 255), ("Germany", 1870, 255), ("Germany", 1945, None), ("Germany", 1950, None),
    ("Germany", 1955, 260), ("Germany", 1989, 260), ("Germany", 1990, 255), ("Germany", 2010, 255),
    ("West Germany", 1960, 260), ("West Germany", 1991, None),
    ("East Germany", 1954, 265), ("East Germany", 1990, None), ("East Germany", 1989, 265),
    ("Vietnam", 1960, 816), ("Vietnam", 2000, 816), ("North Vietnam", 1970, 816),
    ("South Vietnam", 1960, 817), ("South Vietnam", 1975, None), ("South Vietnam", 1974, 817),
    ("Yemen", 1930, 678), ("Yemen", 1989, 678), ("Yemen", 1990, 679), ("Yemen", 2000, 679),
    ("South Yemen", 1970, 680), ("South Yemen", 1990, None), ("North Yemen", 1980, 678),
    ("Czechoslovakia", 1950, 315), ("Czechoslovakia", 1940, None), ("Czech Republic", 1993, 316),
])
def test_country_code_end_of_year(name, year, code):
    assert country_code(name, year) == code


def test_transition_years():
    assert country_codes("Germany", 1990) == [260, 255]
    assert country_codes("Germany", 1945) == [255]
    assert country_codes("Germany", 1950) == []
    assert country_codes("Yemen", 1990) == [678, 679]
    assert country_codes("South Vietnam", 1975) == [817]
    assert country_code("Germany", 1990, on="start") == 260
    assert country_code("Germany", 1945, on="start") == 255
    assert country_code("Germany", 1945, on="any") == 255
    assert country_code("Yemen", 1990, on="any") == 679


def test_successor():
    assert successor(260, 1989) == 260 and successor(260, 1990) == 255 and successor(260, 2000) == 255
    assert successor(265, 1995) == 255
    assert successor(817, 1976) == 816 and successor(817, 1970) == 817
    assert successor(678, 1991) == 679 and successor(680, 1991) == 679
    assert successor(315, 1993) == 316
    assert successor(2, 2000) == 2


def test_code_history_and_unknown_names():
    h = code_history("germany")
    assert [s.ccode for s in h] == [255, 260, 255]
    assert h[0].end == (1945, 5, 8) and h[2].start == (1990, 10, 3)
    assert country_code("  WEST   germany ", 1970) == 260  # case and spaces do not matter
    with pytest.raises(KeyError, match="code_for"):
        country_code("Atlantis", 1900)


# ---------------------------------------------------------------- citations


def _balanced(entry: str) -> bool:
    depth = 0
    for ch in entry:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0


def test_bibtex_entries_well_formed():
    for key, e in ENTRIES.items():
        assert e.startswith("@") and re.match(r"@\w+\{" + re.escape(key) + ",", e), key
        assert _balanced(e), key
        assert "year" in e, key


def test_required_works_present():
    text = "\n".join(ENTRIES.values())
    for needle in ("State System Membership List, v2016", "Singer, J. David and Bremer, Stuart and Stuckey, John",
                   "Reconstructing the {Correlates of War} Dataset", "Stinnett, Douglas M.",
                   "The {CShapes} 2.0 Dataset", "{peacesciencer}: An {R} Package",
                   "Barbieri, Katherine and Keshk, Omar M. G. and Pollins, Brian M.", "Resort to War",
                   "Leeds, Brett Ashley and Ritter, Jeffrey M. and Mitchell, Sara McLaughlin and Long, Andrew G.",
                   "Handbook of International Rivalries, 1494--2010", "Terminating Alliances",
                   "The Journal of Politics"):
        assert needle in text, needle


def test_entries_for_versions():
    keys = [k for k, _ in entries_for("nmc", "6.0")]
    assert keys == ["singer1972capability", "singer1987reconstructing", "cownmc6_0"]
    assert "Version 6.0" in dict(entries_for("nmc", "6.0"))["cownmc6_0"]
    assert "1816--2016. Version 3.2" in dict(entries_for("contiguity", "3.2"))["cowcontiguity3_2"]
    assert [k for k, _ in entries_for("states", "2016")] == ["cow2017states"]
    assert "v2024" in entries_for("states", "2024")[0][1]
    assert [k for k, _ in entries_for("mindist")] == ["schvitz2022cshapes", "miller2022peacesciencer"]
    assert [k for k, _ in entries_for("atop_members", "4.01")][0] == "leeds2002atop"
    assert "barbieri2016trade" not in dict(entries_for("trade", "3.0"))
    for k in ("capitals", "terrthreat", "tss_rivalries"):
        assert [x for x, _ in entries_for(k)] == ["miller2022peacesciencer"]
    with pytest.raises(KeyError):
        entries_for("polity")


def test_citations_dedupes_and_accepts_keys():
    assert citations(None) == "" and citations([]) == ""
    bib = citations(["states", "majors", "atop_alliances", "atop_members", "capitals", "terrthreat"])
    assert bib.count("@misc{cow2017states,") == 1
    assert bib.count("@article{leeds2002atop,") == 1
    assert bib.count("@article{miller2022peacesciencer,") == 1
    assert bib.startswith("%")
    assert _balanced(bib.split("\n\n", 1)[1])
    one = citations("ls_threat")
    assert "leeds2007terminating" in one and "10.1111/j.1468-2508.2007.00612.x" in one
