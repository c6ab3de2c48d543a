"""Codebook rule GEO2: fill in ``overland`` for a scenario's geography.

Two states are joined overland in year Y if a path of COW direct land
contiguity (conttype 1) links them among the states in the system in Y
(any third states may lie on the path). Footholds take the value of the
territory they stand on (stated per foothold in the scenario's note).

Usage: python tools/overland.py DATA_DIR scenario.yaml [...]
Prints the pairs and their value; with --write, rewrites the files' ties.
"""

from __future__ import annotations

import sys

import networkx as nx
import yaml

from pactlab.data import open_data


def land_graph(data, year: int) -> nx.Graph:
    cs = data.contiguity_spells()
    sel = cs[(cs.conttype == 1) & (cs.styear <= year) & (cs.endyear >= year)]
    g = nx.Graph()
    g.add_edges_from(zip(sel.ccode1.astype(int), sel.ccode2.astype(int)))
    return g


def main(argv: list[str]) -> int:
    write = "--write" in argv
    argv = [a for a in argv if a != "--write"]
    data = open_data(argv[0])
    for path in argv[1:]:
        doc = yaml.safe_load(open(path))
        year = int(doc["year"]) - 1
        g = land_graph(data, min(year, 2016))
        code = {a["id"]: a.get("ccode") for a in doc["actors"]}
        for t in doc["geography"]:
            a, b = code.get(t["a"]), code.get(t["b"])
            if a is None or b is None:
                continue
            joined = a in g and b in g and nx.has_path(g, a, b)
            if t["contiguity"] == "land":
                joined = True
            print(f"{path}: {t['a']}-{t['b']} overland={joined}")
            if write:
                t["overland"] = bool(joined)
        if write:
            _write_in_place(path, doc)
    return 0


def _write_in_place(path: str, doc: dict) -> None:
    """Insert or update ``overland:`` after each tie's ``distance_km:`` line,
    keeping the file's comments and layout."""
    lines = open(path).read().split("\n")
    values = {(t["a"], t["b"]): t.get("overland") for t in doc["geography"]}
    out, section, a, b = [], None, None, None
    for line in lines:
        if line and not line.startswith((" ", "-")):
            section = line.split(":")[0]
        if section == "geography":
            if line.startswith("- a: "):
                a, b = line[5:].strip(), None
            elif line.startswith("  b: "):
                b = line[5:].strip()
            elif line.startswith("  overland:"):
                continue
            elif line.startswith("  distance_km:") and (a, b) in values and values[(a, b)] is not None:
                out.append(line)
                out.append(f"  overland: {'true' if values[(a, b)] else 'false'}")
                continue
        out.append(line)
    open(path, "w").write("\n".join(out))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
