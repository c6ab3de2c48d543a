"""Changing a scenario and re-validating it: ``with_changes``.

A :class:`~pactlab.scenarios.schema.Scenario` is frozen. ``model_copy(update=...)``
would give a changed copy without validating it; :func:`with_changes` goes
through the same validation as a scenario file, so a value out of bounds is
an error naming the field, exactly as ``pactlab validate`` reports it.

Changes are keyed by dotted paths. Actors are named by id, the other lists
by index::

    s2 = with_changes(s, {
        "actors.PRC.maritime_reach": 0.9,     # a sourced value: sets its .value
        "actors.JPN.sovereignty": "full",
        "linking": 0.3,                       # a scenario-level sourced value
        "disputes.0.intensity": 0.2,          # a plain field of a list item
    })

Setting a sourced value (one that carries ``value`` and ``source``) records
where the new number came from: its ``source`` becomes the ``edit`` key,
declared in ``sources`` as an edit made by hand, its codebook ``rule`` is
dropped and its ``note`` says what it was before. A result computed from an
edited scenario therefore never passes an edited value off as a coded one.
Whole lists (``treaties``, ``disputes``, ``footholds``) can be replaced with
plain mappings, validated in the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pactlab.errors import ScenarioError

#: The source key that edited values cite, and its declaration.
EDIT_SOURCE = "edit"
EDIT_CITE = "Changed by hand from the coded value (pactlab edit); not a coded value, no codebook rule applies."

_LISTS_BY_ID = ("actors",)


def _item(node: list, key: str, sid: str, where: str, by_id: bool) -> dict:
    if by_id:
        for x in node:
            if isinstance(x, dict) and x.get("id") == key:
                return x
        ids = ", ".join(str(x.get("id")) for x in node if isinstance(x, dict))
        raise ScenarioError(sid, [f"{where}: no actor with id '{key}' (known: {ids})"])
    try:
        return node[int(key)]
    except (ValueError, IndexError):
        raise ScenarioError(sid, [f"{where}: no item [{key}] (the list has {len(node)} items)"]) from None


def _set(data: dict, path: str, value: Any, sid: str) -> None:
    parts = path.split(".")
    node: Any = data
    where = "scenario"
    for k, part in enumerate(parts[:-1]):
        where = ".".join(parts[: k + 1])
        if isinstance(node, list):
            node = _item(node, part, sid, where, by_id=k > 0 and parts[k - 1] in _LISTS_BY_ID)
        elif isinstance(node, dict):
            if part not in node or node[part] is None:
                if part in _LISTS_BY_ID:
                    raise ScenarioError(sid, [f"{where}: not in the scenario"])
                node[part] = {}
            node = node[part]
        else:
            raise ScenarioError(sid, [f"{where}: cannot go inside a {type(node).__name__}"])
    last = parts[-1]
    if not isinstance(node, dict):
        raise ScenarioError(sid, [f"{path}: the parent is not a mapping"])
    old = node.get(last)
    if isinstance(value, Mapping):
        node[last] = dict(value)
    elif last not in ("value",) and (isinstance(old, dict) and "value" in old or _sourced_field(parts, last)):
        before = old.get("value") if isinstance(old, dict) else None
        node[last] = {
            "value": value.value if isinstance(value, Enum) else value,
            "source": EDIT_SOURCE,
            "note": f"edited by hand (was {before!r})" if before is not None else "added by hand",
        }
    else:
        node[last] = value.value if isinstance(value, Enum) else value


# Sourced fields that may be absent from a file (defaults) and so have no old
# mapping to recognise them by.
_SOURCED = {
    "capability", "maritime_reach", "milex_share", "milper_share", "provocation", "threat_divergence",
    "econ_dependence", "sovereignty", "patron_stake", "leverage_motive", "max_commitment",
    "anticipated_commitment", "alignment", "linking", "threat_trend",
}


def _sourced_field(parts: list[str], last: str) -> bool:
    return last in _SOURCED and (len(parts) == 1 or parts[0] == "actors")


def with_changes(scenario, changes: Mapping[str, Any] | None = None, **fields: Any):
    """A validated copy of ``scenario`` with ``changes`` applied.

    ``changes`` maps dotted paths to new values (see the module docstring);
    keyword arguments replace top-level fields (``title=...``,
    ``treaties=[...]``). Raises :class:`~pactlab.errors.ScenarioError`, with
    one line per problem naming the field, when the result is not a valid
    scenario; the original is never changed.

    >>> from pactlab.scenarios.catalog import get
    >>> s = get("indo-pacific-2025")
    >>> s.with_changes({"actors.PRC.maritime_reach": 0.5}).actor("PRC").maritime_reach.value
    0.5
    """
    from pactlab.scenarios.loader import parse_scenario

    data = scenario.model_dump(mode="json", exclude_none=True)
    data = copy.deepcopy(data)
    for path, value in (changes or {}).items():
        _set(data, path, value, scenario.id)
    for name, value in fields.items():
        data[name] = value
    if _cites_edit(data):
        data.setdefault("sources", {})[EDIT_SOURCE] = {"cite": EDIT_CITE}
    return parse_scenario(data, f"{scenario.id} (edited)")


def _cites_edit(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("source") == EDIT_SOURCE or any(_cites_edit(v) for v in node.values())
    if isinstance(node, list):
        return any(_cites_edit(v) for v in node)
    return False


def to_yaml(scenario) -> str:
    """The scenario as YAML text that ``pactlab validate`` accepts and that
    loads back to an equal scenario."""
    import yaml

    data = scenario.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
