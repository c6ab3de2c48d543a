"""BibTeX for the data sets (and versions) a run actually loaded.

``citations(used)`` takes a :class:`~pactlab.data.DataDir` (its ``used`` registry), a mapping
``{key: DatasetInfo}``, or an iterable of data-set keys / ``DatasetInfo`` objects, and returns a
BibTeX string (``""`` when nothing was loaded). Only bibliographic details that were checked
against the publications are given; no DOIs are included unless verified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    pass

COW_URL = "https://correlatesofwar.org/data-sets/"

ENTRIES: dict[str, str] = {
    "cow2017states": """@misc{cow2017states,
  author       = {{Correlates of War Project}},
  title        = {State System Membership List, v2016},
  year         = {2017},
  howpublished = {\\url{https://correlatesofwar.org/data-sets/}},
}""",
    "singer1972capability": """@incollection{singer1972capability,
  author    = {Singer, J. David and Bremer, Stuart and Stuckey, John},
  title     = {Capability Distribution, Uncertainty, and Major Power War, 1820--1965},
  booktitle = {Peace, War, and Numbers},
  editor    = {Russett, Bruce},
  publisher = {Sage},
  address   = {Beverly Hills},
  year      = {1972},
  pages     = {19--48},
}""",
    "singer1987reconstructing": """@article{singer1987reconstructing,
  author  = {Singer, J. David},
  title   = {Reconstructing the {Correlates of War} Dataset on Material Capabilities of States, 1816--1985},
  journal = {International Interactions},
  volume  = {14},
  pages   = {115--132},
  year    = {1987},
}""",
    "stinnett2002contiguity": """@article{stinnett2002contiguity,
  author  = {Stinnett, Douglas M. and Tir, Jaroslav and Schafer, Philip and Diehl, Paul F. and Gochman, Charles},
  title   = {The {Correlates of War} Project Direct Contiguity Data, Version 3},
  journal = {Conflict Management and Peace Science},
  volume  = {19},
  number  = {2},
  pages   = {58--66},
  year    = {2002},
}""",
    "schvitz2022cshapes": """@article{schvitz2022cshapes,
  author  = {Schvitz, Guy and Girardin, Luc and R{\\"u}egger, Seraina and Weidmann, Nils B. and Cederman, Lars-Erik and Gleditsch, Kristian Skrede},
  title   = {Mapping the International System, 1886--2019: The {CShapes} 2.0 Dataset},
  journal = {Journal of Conflict Resolution},
  volume  = {66},
  number  = {1},
  pages   = {144--161},
  year    = {2022},
  doi     = {10.1177/00220027211013563},
}""",
    "miller2022peacesciencer": """@article{miller2022peacesciencer,
  author  = {Miller, Steven V.},
  title   = {{peacesciencer}: An {R} Package for Quantitative Peace Science Research},
  journal = {Conflict Management and Peace Science},
  volume  = {39},
  number  = {6},
  pages   = {755--779},
  year    = {2022},
  doi     = {10.1177/07388942221077926},
}""",
    "barbieri2009trading": """@article{barbieri2009trading,
  author  = {Barbieri, Katherine and Keshk, Omar M. G. and Pollins, Brian M.},
  title   = {Trading Data: Evaluating Our Assumptions and Coding Rules},
  journal = {Conflict Management and Peace Science},
  volume  = {26},
  number  = {5},
  pages   = {471--491},
  year    = {2009},
}""",
    "barbieri2016trade": """@misc{barbieri2016trade,
  author       = {Barbieri, Katherine and Keshk, Omar M. G.},
  title        = {Correlates of War Project Trade Data Set Codebook, Version 4.0},
  year         = {2016},
  howpublished = {\\url{https://correlatesofwar.org/data-sets/}},
}""",
    "sarkees2010resort": """@book{sarkees2010resort,
  author    = {Sarkees, Meredith Reid and Wayman, Frank Whelon},
  title     = {Resort to War: A Data Guide to Inter-State, Extra-State, Intra-State, and Non-State Wars, 1816--2007},
  publisher = {CQ Press},
  address   = {Washington, DC},
  year      = {2010},
}""",
    "leeds2002atop": """@article{leeds2002atop,
  author  = {Leeds, Brett Ashley and Ritter, Jeffrey M. and Mitchell, Sara McLaughlin and Long, Andrew G.},
  title   = {Alliance Treaty Obligations and Provisions, 1815--1944},
  journal = {International Interactions},
  volume  = {28},
  number  = {3},
  pages   = {237--260},
  year    = {2002},
  doi     = {10.1080/03050620213653},
}""",
    "thompson2012handbook": """@book{thompson2012handbook,
  author    = {Thompson, William R. and Dreyer, David R.},
  title     = {Handbook of International Rivalries, 1494--2010},
  publisher = {CQ Press},
  address   = {Washington, DC},
  year      = {2012},
}""",
    "leeds2007terminating": """@article{leeds2007terminating,
  author  = {Leeds, Brett Ashley and Savun, Burcu},
  title   = {Terminating Alliances: Why Do States Abrogate Agreements?},
  journal = {The Journal of Politics},
  volume  = {69},
  number  = {4},
  pages   = {1118--1132},
  year    = {2007},
  doi     = {10.1111/j.1468-2508.2007.00612.x},
}""",
}


def _slug(v: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", v).strip("_") or "unknown"


def _data_misc(key: str, title: str, url: str, author: str | None = "{Correlates of War Project}",
               year: str | None = None) -> str:
    lines = [f"@misc{{{key},"]
    if author:
        lines.append(f"  author       = {{{author}}},")
    lines.append(f"  title        = {{{title}}},")
    if year:
        lines.append(f"  year         = {{{year}}},")
    lines.append(f"  howpublished = {{\\url{{{url}}}}},")
    lines.append("}")
    return "\n".join(lines)


def entries_for(key: str, version: str | None = None) -> list[tuple[str, str]]:
    """(bibkey, bibtex) pairs to cite for data set ``key`` at ``version`` (None = default release)."""
    E = ENTRIES
    if key in ("states", "majors"):
        if version in (None, "2016"):
            return [("cow2017states", E["cow2017states"])]
        k = f"cowstates{_slug(version)}"
        return [(k, _data_misc(k, f"State System Membership List, v{version}", COW_URL))]
    if key == "nmc":
        v = version or "7.0"
        k = f"cownmc{_slug(v)}"
        return [("singer1972capability", E["singer1972capability"]),
                ("singer1987reconstructing", E["singer1987reconstructing"]),
                (k, _data_misc(k, f"National Material Capabilities Data Set, Version {v}", COW_URL))]
    if key == "contiguity":
        v = version or "3.2"
        k = f"cowcontiguity{_slug(v)}"
        title = ("Direct Contiguity Data, 1816--2016. Version 3.2" if v == "3.2"
                 else f"Direct Contiguity Data, Version {v}")
        return [("stinnett2002contiguity", E["stinnett2002contiguity"]), (k, _data_misc(k, title, COW_URL))]
    if key == "mindist":
        return [("schvitz2022cshapes", E["schvitz2022cshapes"]),
                ("miller2022peacesciencer", E["miller2022peacesciencer"])]
    if key in ("capitals", "terrthreat", "tss_rivalries"):
        return [("miller2022peacesciencer", E["miller2022peacesciencer"])]
    if key == "trade":
        out = [("barbieri2009trading", E["barbieri2009trading"])]
        if version in (None, "4.0", "4"):
            out.append(("barbieri2016trade", E["barbieri2016trade"]))
        return out
    if key == "war":
        return [("sarkees2010resort", E["sarkees2010resort"])]
    if key in ("atop_alliances", "atop_members"):
        v = version or "5.1"
        k = f"atopdata{_slug(v)}"
        return [("leeds2002atop", E["leeds2002atop"]),
                (k, _data_misc(k, f"Alliance Treaty Obligations and Provisions ({{ATOP}}) Data, Version {v}",
                               "http://www.atopdata.org/", author=None))]
    if key == "td_rivalries":
        return [("thompson2012handbook", E["thompson2012handbook"])]
    if key == "ls_threat":
        return [("leeds2007terminating", E["leeds2007terminating"])]
    raise KeyError(f"unknown data set {key!r}")


_NOTES = {
    "tss_rivalries": "rivalry typology by Thompson, Sakuwa & Suhas, as distributed with peacesciencer; "
                     "cite their publication as well",
    "terrthreat": "latent territorial threat estimates as distributed with peacesciencer",
    "capitals": "capitals table of peacesciencer",
    "mindist": "minimum distances computed from CShapes 2.0 (as in peacesciencer's cow_mindist)",
}


def _normalise(used: Any) -> list[tuple[str, str | None, str]]:
    """-> [(key, version, comment)]"""
    if hasattr(used, "used") and isinstance(getattr(used, "used"), Mapping):
        used = used.used
    items: list[tuple[str, str | None, str]] = []
    if isinstance(used, Mapping):
        vals: Iterable[Any] = used.values()
    elif isinstance(used, str):
        vals = [used]
    else:
        vals = used or []
    for u in vals:
        if isinstance(u, str):
            items.append((u, None, u))
        else:
            items.append((u.key, u.version, f"{u.title}: version {u.version} ({u.version_basis}), {u.path.name}"))
    return items


def citations(used: Any = None) -> str:
    """BibTeX for the data sets in ``used`` (DataDir, {key: DatasetInfo}, or keys); "" if none."""
    items = _normalise(used)
    if not items:
        return ""
    seen: dict[str, str] = {}
    comments = []
    for key, version, comment in items:
        pairs = entries_for(key, version)
        note = f" [{_NOTES[key]}]" if key in _NOTES else ""
        comments.append(f"% {key}: {comment}{note} -> {', '.join(k for k, _ in pairs)}")
        for k, e in pairs:
            seen.setdefault(k, e)
    head = "% Data sets loaded by pactlab and the works to cite for them\n" + "\n".join(comments)
    return head + "\n\n" + "\n\n".join(seen.values()) + "\n"
