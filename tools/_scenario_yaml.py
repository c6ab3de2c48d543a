"""Read and rewrite scenario YAML files in the built-ins' layout.

The built-in files are plain block YAML with a comment header; strings longer than
90 characters are folded (``>-``) at 110 columns. Loading with PyYAML and dumping
with this dumper reproduces that layout, so a tool that adds a field changes only
the lines it adds.
"""

from __future__ import annotations

import yaml


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s: str):
    if len(s) > 90 or "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str)


def load(path: str) -> tuple[list[str], dict]:
    """(comment header lines, document)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    header = []
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        header.append(line)
    return header, yaml.safe_load(text)


def dump(path: str, header: list[str], doc: dict) -> None:
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True,
                     default_flow_style=False)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(header) + ("\n" if header else "") + body)


def insert_after(mapping: dict, after: list[str], key: str, value) -> dict:
    """A copy of ``mapping`` with ``key`` set, placed after the last of ``after`` present
    (or at the end); an existing ``key`` keeps its place."""
    if key in mapping:
        out = dict(mapping)
        out[key] = value
        return out
    anchor = None
    for k in after:
        if k in mapping:
            anchor = k
    out = {}
    for k, v in mapping.items():
        out[k] = v
        if k == anchor:
            out[key] = value
    if anchor is None:
        out[key] = value
    return out
