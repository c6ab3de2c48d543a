"""Every outcome of the shared outcome space for a small theatre (test helper)."""

from __future__ import annotations

from itertools import product

from pactlab.theories.base import Outcome, OutcomeTreaty


def set_partitions(items):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in set_partitions(rest):
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1:]
        yield [[first]] + part


def all_outcomes(clients: list[str], has_patron: bool):
    """Each subset of allied clients, each partition of it into treaties, each
    partner choice (with the patron or clients-only) and each level."""
    seen = set()
    n = len(clients)
    for mask in range(1 << n):
        allied = [c for k, c in enumerate(clients) if mask >> k & 1]
        for part in set_partitions(allied):
            for partners in product((True, False), repeat=len(part)):
                for levels in product(("consult", "defend"), repeat=len(part)):
                    ts = []
                    for g, wp, lv in zip(part, partners, levels):
                        if wp and not has_patron:
                            break
                        ts.append(OutcomeTreaty(frozenset(g), wp, lv))
                    else:
                        o = Outcome(frozenset(ts))
                        if o not in seen:
                            seen.add(o)
                            yield o
