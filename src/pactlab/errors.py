"""Errors that are the user's to fix.

Everything raised from here is caught by the CLI and printed as
``Error: ...`` with a non-zero exit and no traceback. Messages name the file,
the field and what was expected, because the user has to find and mend it.
"""

from __future__ import annotations


class PactlabError(Exception):
    """Base class for errors pactlab reports to users without a traceback."""


class ScenarioError(PactlabError):
    """A scenario file is missing, malformed or inconsistent."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid scenario {path}:\n{lines}")


class DataError(PactlabError):
    """A data file is missing, truncated or of the wrong kind."""


class UnknownScenarioError(PactlabError):
    """A scenario name that is neither a built-in nor a readable file."""


def validation_messages(err, show_input: bool = False) -> list[str]:
    """A pydantic ``ValidationError`` on a user's file as ``field.path: message``, one per problem:
    "unknown field" for a key the format does not have; with ``show_input``, the value given
    (``(got 'abc')``) where there is one."""
    out = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = "unknown field" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
        got = f" (got {e['input']!r})" if show_input and e["type"] not in ("extra_forbidden", "missing") else ""
        out.append(f"{loc}: {msg}{got}")
    return out


def validation_lines(err) -> list[str]:
    """The lines of a pydantic ``ValidationError`` on a user's file: ``  - field.path: message``."""
    return [f"  - {m}" for m in validation_messages(err)]
