"""pactlab's data layer: COW, ATOP, CShapes distances, rivalries and threat, read from a user's folder.

pactlab ships no data. Users download the public releases and point pactlab at the folder
(``--data DIR`` on the command line, or ``PACTLAB_DATA=DIR``). Files are found by name anywhere up
to three folders deep; both the names of the official releases (``states2016.csv``,
``NMC-60-abridged.csv``, ``DirectContiguity320/contdird.csv``, ``atop5_1a.csv``, ...) and the
peacesciencer-style names (``cow/cow_states.csv``, ...) are accepted. See docs/data.md.

Entry point
-----------
>>> from pactlab.data import open_data
>>> d = open_data("~/data/pactlab")          # or open_data() with $PACTLAB_DATA set
>>> d.capability(2, 1950)["cinc"]            # CINC of the USA in 1950
>>> d.contiguity(2, 365, 1960)               # Contiguity(kind='sea', conttype=2)
>>> d.alliances_in_force(1950, members=[2])  # ATOP alliances with the USA active in 1950
>>> print(d.citations())                     # BibTeX for exactly what was loaded

Every problem with the folder or a file raises :class:`pactlab.errors.DataError` (subclasses
:class:`DataFileMissing` and :class:`DataFileInvalid`) whose message names the file(s) expected,
what they must contain and where to download them; the CLI prints it without a traceback.

API (all on :class:`DataDir`; data sets load lazily on first use and are cached per DataDir)
--------------------------------------------------------------------------------------------
open_data(path=None, files=None) -> DataDir      path or $PACTLAB_DATA; files={key: path} overrides
DataDir.used: dict[str, DatasetInfo]              registry of loaded data sets (version, file, coverage)
DataDir.citations() -> str / citations(used)      BibTeX for the loaded data sets and versions
DataDir.info(key) -> DatasetInfo                  version, version_basis, coverage, notes of one data set
DataDir.available() -> {key: Path|None}           which files exist (no reading); check(keys) raises
DataDir.load_all(keys=None, skip_missing=False)   load everything (returns the used registry)

Tidy tables: states(), majors(), nmc(), contiguity_spells(), mindist(), capitals(), trade(), wars(),
atop_alliances(), atop_members(), td_rivalries(), tss_rivalries(), terrthreat(), ls_threat()
Frame helpers: state_years(), major_years(), nmc_frame() [(ccode, year) index], contiguity_years(),
contiguity_frame(year), mindist_frame(year), atop_member_years(), rivalry_years(source),
war_years(), threat_frame(), trade_frame()

Queries (always by (ccode, year); outside a data set's years -> None / NaN, never 0):
is_state(ccode, year) -> bool|None        is_state_many(ccodes, years) -> float array
system_members(year) -> list[int]         is_major(ccode, year) -> bool|None; majors_in(year)
state_name(ccode, year=None) -> str|None  code_for(name, year) -> int|None
capability(ccode, year) -> dict           cinc(ccode, year) -> float; capabilities(ccodes, years) -> DataFrame
contiguity(a, b, year) -> Contiguity(kind, conttype)   contiguity_many(a, b, years) -> DataFrame
min_distance(a, b, year) -> float         min_distances(a, b, years) -> array
alliances_in_force(year, members=None, by='member'|'alliance') -> DataFrame
commitment(atopid, year=None) -> 'defend'|'consult'|'other'|None; alliance_members(atopid, year=None)
rivals(ccode, year, source='td'|'tss', types=None) -> list[int]|None
at_war(a, b, year) -> bool|None; wars_in(year, ccode=None)
threat(ccode, year) -> dict; capital(ccode, year) -> dict|None; trade_totals(ccode, year) -> dict

Module helpers: collapse_conttype(conttype, sea_max=5) -> 'land'|'sea'|'remote'; country_code(name, year),
country_codes(name, year), successor(ccode, year), code_history(name) for Germany 255/260/265,
Vietnam 816/817, Yemen 678/679/680, Czechoslovakia 315/316/317.

Data-set keys: states, majors, nmc, contiguity, mindist, capitals, trade, war, atop_alliances,
atop_members, td_rivalries, tss_rivalries, terrthreat, ls_threat.
"""

from __future__ import annotations

from pactlab.data._files import DataFileInvalid, DataFileMissing
from pactlab.data._loaders import COMMITMENT_LEVELS, DatasetInfo
from pactlab.data._specs import SPECS
from pactlab.data.cite import citations
from pactlab.data.codes import code_history, country_code, country_codes, successor
from pactlab.data.datadir import (
    ENV_VAR,
    Contiguity,
    DataDir,
    collapse_conttype,
    collapse_conttypes,
    open_data,
)
from pactlab.errors import DataError

#: data-set key -> human title
DATASETS: dict[str, str] = {k: s.title for k, s in SPECS.items()}

__all__ = [
    "COMMITMENT_LEVELS", "Contiguity", "DATASETS", "DataDir", "DataError", "DataFileInvalid",
    "DataFileMissing", "DatasetInfo", "ENV_VAR", "citations", "code_history", "collapse_conttype",
    "collapse_conttypes", "country_code", "country_codes", "open_data", "successor",
]
