"""Reading scenario files, with errors a user can act on."""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pactlab.errors import ScenarioError
from pactlab.scenarios.schema import PROBLEM_SEP, Scenario


#: The largest scenario file pactlab reads (bytes). The biggest built-in is under 200 kB; a
#: file a hundred times larger is not a hand-coded theatre, and parsing it would take a while
#: before any check could say so.
MAX_BYTES = 5_000_000

#: pydantic class names, as users should read them
_EXPECTED = {
    "Sourced": "a mapping with 'value' and 'source' (e.g. {value: 0.5, source: nmc})",
    "SourcedUnit": "a mapping with 'value' (between 0 and 1) and 'source'",
    "SourcedPositive": "a mapping with 'value' (a number above 0) and 'source'",
    "SourcedTrend": "a mapping with 'value' (-1, 0 or 1) and 'source'",
    "SourcedSovereignty": "a mapping with 'value' (full, constrained, occupied or unrecognised) and 'source'",
    "SourcedLevel": "a mapping with 'value' (none, consult or defend) and 'source'",
    "Reliability": "a mapping with 'low', 'high' (between 0 and 1) and 'source'",
    "Source": "a mapping with 'cite' (and optionally 'url', 'accessed')",
    "Actor": "a mapping describing one actor (id, name, role, capability, ...)",
    "Tie": "a mapping with 'a', 'b', 'contiguity', 'distance_km' and 'source'",
    "Foothold": "a mapping with 'holder', 'near', 'contiguity', 'distance_km' and 'source'",
    "Treaty": "a mapping with 'id', 'members', 'level' and 'source'",
    "Dispute": "a mapping with 'a', 'b', 'intensity' and 'source'",
    "Event": "a mapping with 'date', 'text' and 'source'",
    "Record": "a mapping with 'design' (and optionally 'treaties', 'durability')",
}


class _LineMixin:
    """Refuses duplicate keys (YAML says keys are unique; PyYAML would keep the last silently)
    and remembers the line of every mapping and of each of its keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.lines: dict[int, tuple[int, dict]] = {}  # id(mapping) -> (line, {key: line})
        self.keep: list[Any] = []  # keeps ids stable while the lines are used

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue  # the base class reports an unhashable key
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first on line {seen[key]}; YAML keys must be unique, "
                    "and a second one would silently replace the first)", key_node.start_mark)
            seen[key] = line
        self._seen = seen
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_map(self, node):
        data: dict = {}
        yield data
        data.update(self.construct_mapping(node))
        self.lines[id(data)] = (node.start_mark.line + 1, self._seen)
        self.keep.append(data)


class _Lines(_LineMixin, yaml.SafeLoader):
    """The safe YAML loader in pure Python: the reference, and the one whose error messages
    users see."""


#: libyaml's parser with the same constructor and resolver (the same data and lines, about ten
#: times faster); None where PyYAML was built without libyaml
_CLines = type("_CLines", (_LineMixin, yaml.CSafeLoader), {"__doc__": _Lines.__doc__}) \
    if getattr(yaml, "__with_libyaml__", False) else None

# YAML 1.2 numbers that YAML 1.1 (PyYAML) reads as text: exponents without a dot (1e-6, 2E5).
_EXPONENT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
for _cls in (_Lines, _CLines):
    if _cls is not None:
        _cls.add_constructor("tag:yaml.org,2002:map", _cls.construct_yaml_map)
        _cls.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT, list("-+0123456789"))


def _load_with(cls, text: str) -> tuple[Any, dict[int, tuple[int, dict]]]:
    loader = cls(text)
    try:
        return loader.get_single_data(), loader.lines
    finally:
        loader.dispose()


def _yaml_load(text: str) -> tuple[Any, dict[int, tuple[int, dict]]]:
    """The data of a YAML text and the lines of its mappings. Parsed with libyaml when it is
    there; text libyaml refuses is parsed again in pure Python, so that a syntax error reads
    the same either way, and text with characters the pure-Python reader refuses goes to it
    directly."""
    if _CLines is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _load_with(_CLines, text)
        except yaml.YAMLError:
            pass  # the pure-Python loader reports it (or, if it reads the text, its reading stands)
    return _load_with(_Lines, text)


def _walk(loc: tuple[Any, ...], data: Any, lines: dict | None) -> tuple[str, int | None]:
    """Render a pydantic location as a YAML path, naming actors by id; and the line it is on."""
    parts: list[str] = []
    node = data
    line = None
    for item in loc:
        if isinstance(node, dict) and lines is not None and id(node) in lines:
            line = lines[id(node)][1].get(item, line)
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and 0 <= item < len(node) and isinstance(node[item], dict):
                ident = node[item].get("id")
                if ident is not None:
                    label = f"[{item}] ({ident})"
                if lines is not None and id(node[item]) in lines:
                    line = lines[id(node[item])][0]
            parts.append(label)
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)", line


def _loc(loc: tuple[Any, ...], data: Any) -> str:
    return _walk(loc, data, None)[0]


_HEAD = re.compile(r"^([A-Za-z_\[\]0-9. ()]+?):")
_STEP = re.compile(r"([a-z_]+)|\[(\d+)\]")


def _line_of_message(msg: str, data: Any, lines: dict | None) -> int | None:
    """The line of the place a cross-field message starts with (``geography[3]: ...``,
    ``actors[0] (USA).capability.value: ...``)."""
    m = _HEAD.match(msg)
    if not m or not isinstance(data, dict):
        return None
    head = re.sub(r"\s*\([^)]*\)", "", m.group(1))
    loc = tuple(int(i) if i else name for name, i in _STEP.findall(head))
    return _walk(loc, data, lines)[1] if loc else None


def _with_line(text: str, line: int | None) -> str:
    return f"line {line}: {text}" if line is not None else text


def _problems(err: ValidationError, data: Any, lines: dict | None = None) -> list[str]:
    out = []
    for e in err.errors():
        raw_loc = tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        loc, line = _walk(raw_loc, data, lines)
        msg = e["msg"].removeprefix("Value error, ")
        inp = e.get("input")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (not part of the scenario format; see docs/scenarios.md)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "enum":
            msg = f"{msg}; got {inp!r}"
        elif e["type"] in ("model_type", "model_attributes_type", "dict_type"):
            cls = (e.get("ctx") or {}).get("class_name", "")
            msg = f"expected {_EXPECTED.get(cls, 'a mapping of fields')}, got {inp!r}"
        elif e["type"] == "finite_number":
            msg = f"must be a finite number, got {inp!r}"
        elif isinstance(inp, bool) and e["type"] in ("float_type", "int_type"):
            msg = f"expected a number, got the boolean {str(inp).lower()}"
        elif e["type"] in ("float_type", "float_parsing"):
            msg = f"expected a number, got {inp!r}"
        elif e["type"] in ("int_type", "int_parsing", "int_from_float"):
            msg = f"expected a whole number, got {inp!r}"
        elif e["type"] == "string_pattern_mismatch":
            msg = f"{msg}; got {inp!r}"
        if loc == "(top level)" and PROBLEM_SEP in msg or (loc == "(top level)" and e["type"] == "value_error"):
            # a cross-field check: each problem names its own place
            for part in msg.split(PROBLEM_SEP):
                out.append(_with_line(part, _line_of_message(part, data, lines)))
            continue
        out.append(_with_line(f"{loc}: {msg}", line))
    return out


def parse_scenario(data: Any, path: str = "<scenario>", lines: dict | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(path, ["(top level): expected a mapping of fields (id, title, actors, ...)"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(path, _problems(err, data, lines)) from None


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    if not p.exists():
        raise ScenarioError(str(p), ["file not found"])
    if p.is_dir():
        raise ScenarioError(str(p), ["is a folder; give a scenario file (.yaml)"])
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ScenarioError(str(p), [f"cannot read file: {exc.strerror or exc}"]) from None
    if size > MAX_BYTES:
        raise ScenarioError(str(p), [f"the file is {size / 1e6:.1f} MB; a scenario file is at most "
                                     f"{MAX_BYTES / 1e6:.0f} MB (is this the right file?)"])
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError(str(p), [f"cannot read file: {exc.strerror or exc}"]) from None
    if b"\x00" in raw[:8192]:
        raise ScenarioError(str(p), ["is a binary file, not a YAML text file (is this the right file?)"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(p), [f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    try:
        data, lines = _yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(p), [f"{where}not valid YAML ({problem})"]) from None
    return parse_scenario(data, str(p), lines)


#: optional fields added after the first release, dropped from the digest when at their
#: default, so a file that does not use them keeps the digest it had before they existed
_LATER_OPTIONAL = {
    "milex_share": None, "milper_share": None, "anticipated_commitment": None, "reliability": None,
    "rival_of": None, "capital_distance_km": None, "capital_source": None, "council": False,
    "capability_unit": None,
}


def _drop_later_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _drop_later_defaults(v) for k, v in node.items()
            if not (k in _LATER_OPTIONAL and v == _LATER_OPTIONAL[k])
        }
    if isinstance(node, list):
        return [_drop_later_defaults(v) for v in node]
    return node


#: id(scenario) -> (weak reference to it, its digest): each scenario object is digested once
_DIGESTS: dict[int, tuple[weakref.ref, str]] = {}


def scenario_hash(s: Scenario) -> str:
    """A stable digest of a scenario's content (record excluded), for results.

    A scenario is frozen (its fields cannot be reassigned, and a changed copy is a new object),
    so the digest is computed once per object and remembered while the object lives (solving
    one scenario under many parameter sets pays for it once)."""
    key = id(s)
    hit = _DIGESTS.get(key)
    if hit is not None and hit[0]() is s:
        return hit[1]
    digest = _scenario_digest(s)
    try:
        ref = weakref.ref(s, lambda _r, key=key: _DIGESTS.pop(key, None))
    except TypeError:  # not weakly referenceable: nothing remembered
        return digest
    _DIGESTS[key] = (ref, digest)
    return digest


def _scenario_digest(s: Scenario) -> str:
    payload = _drop_later_defaults(s.model_dump(mode="json", exclude={"record"}))
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
