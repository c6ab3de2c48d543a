"""One vocabulary for alliance designs, used by every output.

A *design* labels the new commitments a theatre produces:

``none``
    no new treaty;
``clients-only``
    new treaties among clients, none with the patron (Dunkirk 1947, Brussels 1948);
``bilateral``
    new patron treaties, each with one client (hub and spoke in its pure form);
``trilateral``
    new patron treaties, each with two clients (ANZUS);
``hub-and-spoke``
    new patron treaties, bilateral and trilateral side by side (the San Francisco system of 1951);
``multilateral``
    a new patron treaty with three or more clients, whatever else forms beside it (NATO; SEATO).

An accession (new members joining a patron pact in force) is a new patron
treaty whose members are the enlarged pact.
"""

from __future__ import annotations

from collections.abc import Iterable

DESIGNS: tuple[str, ...] = ("none", "clients-only", "bilateral", "trilateral", "hub-and-spoke", "multilateral")

#: one line per label, for the glossary and the reports
DEFINITIONS: dict[str, str] = {
    "none": "no new treaty.",
    "clients-only": "new treaties among clients, none with the patron (Dunkirk 1947, Brussels 1948).",
    "bilateral": "new patron treaties, each with one client (hub and spoke in its pure form).",
    "trilateral": "new patron treaties, each with two clients (ANZUS).",
    "hub-and-spoke": "new patron treaties, bilateral and trilateral side by side (the San Francisco system of 1951).",
    "multilateral": "a new patron treaty with three or more clients, whatever else forms beside it (NATO; SEATO).",
}

#: older labels still found in saved results and scenario files
ALIASES = {"mixed": "hub-and-spoke"}


def normalise(label: str) -> str:
    """The vocabulary's label for ``label`` (accepting the older ``mixed``)."""
    label = ALIASES.get(label, label)
    if label not in DESIGNS:
        raise ValueError(f"unknown design {label!r}; expected one of {', '.join(DESIGNS)}")
    return label


def design_label(treaties: Iterable[tuple[int, bool]]) -> str:
    """The design of a set of new treaties, each given as (number of client
    members, whether the patron is a member)."""
    patron_sizes = []
    clients_only = False
    for n_clients, with_patron in treaties:
        if with_patron:
            patron_sizes.append(n_clients)
        else:
            clients_only = True
    if any(k >= 3 for k in patron_sizes):
        return "multilateral"
    if patron_sizes:
        forms = {("bilateral" if k == 1 else "trilateral") for k in patron_sizes}
        return forms.pop() if len(forms) == 1 else "hub-and-spoke"
    return "clients-only" if clients_only else "none"
