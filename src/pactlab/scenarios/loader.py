"""Reading scenario files, with errors a user can act on."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pactlab.errors import ScenarioError
from pactlab.scenarios.schema import Scenario


def _loc(loc: tuple[Any, ...], data: Any) -> str:
    """Render a pydantic location as a YAML path, naming actors by id."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and 0 <= item < len(node) and isinstance(node[item], dict):
                ident = node[item].get("id")
                if ident is not None:
                    label = f"[{item}] ({ident})"
            parts.append(label)
            node = node[item] if isinstance(node, list) and 0 <= item < len(node) else None
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _problems(err: ValidationError, data: Any) -> list[str]:
    out = []
    for e in err.errors():
        loc = _loc(tuple(x for x in e["loc"] if not (isinstance(x, str) and x.startswith("function-"))), data)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown field (not part of the scenario format; see docs/scenarios.md)"
        elif e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "enum":
            msg = f"{msg}; got {e.get('input')!r}"
        out.append(f"{loc}: {msg}")
    return out


def parse_scenario(data: Any, path: str = "<scenario>") -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(path, ["(top level): expected a mapping of fields (id, title, actors, ...)"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(path, _problems(err, data)) from None


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    if not p.exists():
        raise ScenarioError(str(p), ["file not found"])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(p), [f"cannot read file: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(str(p), [f"{where}not valid YAML ({problem})"]) from None
    return parse_scenario(data, str(p))


#: optional fields added after the first release, dropped from the digest when at their
#: default, so a file that does not use them keeps the digest it had before they existed
_LATER_OPTIONAL = {
    "milex_share": None, "milper_share": None, "anticipated_commitment": None, "reliability": None,
    "rival_of": None, "capital_distance_km": None, "capital_source": None, "council": False,
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


def scenario_hash(s: Scenario) -> str:
    """A stable digest of a scenario's content (record excluded), for results."""
    payload = _drop_later_defaults(s.model_dump(mode="json", exclude={"record"}))
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
