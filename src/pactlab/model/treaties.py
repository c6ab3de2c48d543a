"""The treaties a chosen structure creates, with their durability, and the
design they make.

A treaty's ``origin`` says how it comes about: ``indigenous`` (clients only),
``joined`` (the patron joins the clients' own collective commitment, H5),
``accession`` (new members join a pact the patron already holds), ``spoke``
(a bilateral patron pledge), ``upgrade`` (a spoke above a pledge in force),
``imposed`` (a multilateral the patron proposed, H3) and ``renewal`` (a pact
with the patron in force that the design keeps; not a new treaty and not part
of the design label).
"""

from __future__ import annotations

import numpy as np

from pactlab.model.durability import durability
from pactlab.model.imposition import LoneOutcome
from pactlab.model.patron import GroupTable
from pactlab.model.payoffs import JOIN, LEVEL, NONE, SPOKES, evaluate
from pactlab.model.result import TreatyPrediction
from pactlab.model.theatre import Theatre, popcount
from pactlab.model.threat import level_weight


#: origins of a pact in force that the design keeps: listed apart from the new commitments
KEPT = ("renewal",)


def _form(n_clients: int, with_patron: bool) -> str:
    size = n_clients + (1 if with_patron else 0)
    return "bilateral" if size == 2 else "trilateral" if size == 3 else "multilateral"


def indigenous_share(th: Theatre, b: int, lcc: int, tables: tuple[GroupTable, ...] = ()) -> float:
    """H2: the clients' commitment 'absent the patron'. A pact in force counts
    at its level; a block formed now counts only if each member would rather
    be in it at its level without any patron pledge than in its own unit
    without one (``m_indigenous_absent_patron``; otherwise every block counts).
    Rows that one of the stage 2 ``tables`` has evaluated already (a group at a
    level, no patron pledge) are read from it, not evaluated again."""
    p = th.params
    mem = th.members(b)
    if not p.m_indigenous_absent_patron:
        return float(level_weight(lcc, p))
    if b in th.atoms:
        return float(level_weight(lcc, p))
    n = th.n
    # the block at its level, then each of its atoms at its level in force, with no patron pledge
    # (each row is computed on its own: one evaluation for those no table holds)
    parts = [a for a in th.atoms if a & b]
    groups = [(b, lcc)] + [
        (a, int(th.prior_cc[np.ix_(th.members(a), th.members(a))].max()) if popcount(a) >= 2 else 0) for a in parts
    ]
    own: list[np.ndarray | None] = []
    for mask, level in groups:
        hit = next((h for t in tables if (h := t.evaluated(mask, level, NONE, 0)) is not None), None)
        own.append(None if hit is None else hit[0].own[hit[1]])
    missing = [r for r, o in enumerate(own) if o is None]
    if missing:
        k = len(missing)
        member = np.zeros((k, n), bool)
        for r, g in enumerate(missing):
            member[r, th.members(groups[g][0])] = True
        ev = evaluate(th, member, np.array([groups[g][1] for g in missing]), np.zeros(k, int), np.full(k, NONE),
                      segments=[(r, r + 1) for r in range(k)]).own
        for r, g in enumerate(missing):
            own[g] = ev[r]
    with_block = own[0]
    alone = np.zeros(n)
    for r in range(1, len(groups)):
        alone += own[r]
    if all(with_block[i] >= alone[i] - 1e-12 for i in mem):
        return float(level_weight(lcc, p))
    return 0.0


def new_treaties(th: Theatre, block_tab: GroupTable, blocks: tuple[int, ...], lone: LoneOutcome,
                 single_tab: GroupTable | None = None) -> list[TreatyPrediction]:
    """Every treaty the structure creates, and (``m_renewal``) the pacts with
    the patron in force that it keeps. The stage 2 tables (``block_tab``, and
    ``single_tab`` if given) supply the rows they hold to :func:`indigenous_share`."""
    s, params = th.scenario, th.params
    treaties: list[TreatyPrediction] = []
    pid = s.patron.id if s.patron else None
    # pledge rank each client ends with from the patron
    final_patron = th.prior_patron.copy()

    def add(clients_idx: list[int], with_patron: bool, lcc: int, level: int, origin: str, imposed: bool,
            indigenous: float | None = None):
        cl = tuple(th.ids[i] for i in clients_idx)
        members = ((pid,) if with_patron else ()) + cl
        hz, terms = durability(th, clients_idx, lcc, imposed, indigenous)
        years = 1.0 / hz
        treaties.append(
            TreatyPrediction(
                id="-".join(members), members=members, clients=cl, with_patron=with_patron, level=LEVEL[level],
                form=_form(len(cl), with_patron), origin=origin, hazard=hz, expected_years=years,
                durability="long" if years >= params.long_years else "short", hazard_terms=terms,
            )
        )
        if with_patron:
            for i in clients_idx:
                final_patron[i] = max(final_patron[i], level)

    tables = (block_tab,) if single_tab is None else (block_tab, single_tab)
    imposed_mask = lone.group.mask if lone.group is not None else 0
    for b in blocks:
        if b & imposed_mask:
            continue  # a pact in force brought into the imposed multilateral
        g = block_tab[b]
        mem = th.members(b)
        # a block that is exactly a pact (or chain of pacts) in force is not a new treaty
        existing = b in th.atoms
        ind = indigenous_share(th, b, g.lcc, tables)
        if g.kind == JOIN:
            held = [i for i in mem if th.prior_patron[i] >= g.lcc]
            if existing and len(held) == len(mem):
                continue  # the patron's pact with this block is already in force
            accession = params.m_renewal and pid is not None and any(
                pid in t.members and t.level.rank >= g.lcc
                and len(set(t.members) & set(th.ids[i] for i in mem)) >= 2
                and set(t.members) - {pid} <= {th.ids[i] for i in mem}
                for t in s.treaties
            )
            add(mem, True, g.lcc, g.lcc, "accession" if accession else "joined", False, ind)
        else:
            if not existing:
                add(mem, False, g.lcc, g.lcc, "indigenous", False, ind)
            if g.kind == SPOKES:
                for i in mem:
                    if th.prior_patron[i] < g.lp:
                        add([i], True, 0, g.lp, "upgrade" if th.prior_patron[i] > 0 else "spoke", False)
    if lone.group is not None:
        g = lone.group
        add(th.members(g.mask), True, g.lcc, g.lcc, "imposed", True)
    for i, g in lone.singles.items():
        if imposed_mask >> i & 1:
            continue
        if g.kind == SPOKES and th.prior_patron[i] < g.lp:
            add([i], True, 0, g.lp, "upgrade" if th.prior_patron[i] > 0 else "spoke", False)
    if params.m_renewal and pid is not None:
        treaties.extend(_renewals(th, treaties, pid))
    return treaties


def _renewals(th: Theatre, new: list[TreatyPrediction], pid: str) -> list[TreatyPrediction]:
    """Pacts with the patron in force whose clients get no new treaty with the
    patron that covers them all: the design keeps them."""
    s, params = th.scenario, th.params
    idx = {c: i for i, c in enumerate(th.ids)}
    out = []
    for t in s.treaties:
        if pid not in t.members or t.level.rank == 0:
            continue
        cl = [idx[m] for m in t.members if m in idx]
        if not cl:
            continue
        ids = {th.ids[i] for i in cl}
        if any(n.with_patron and ids <= set(n.clients) for n in new):
            continue
        hz, terms = durability(th, cl, t.level.rank if len(cl) >= 2 else 0, False, None)
        years = 1.0 / hz
        members = (pid,) + tuple(th.ids[i] for i in cl)
        out.append(
            TreatyPrediction(
                id=t.id, members=members, clients=tuple(th.ids[i] for i in cl), with_patron=True,
                level=LEVEL[t.level.rank], form=_form(len(cl), True), origin="renewal", hazard=hz,
                expected_years=years, durability="long" if years >= params.long_years else "short",
                hazard_terms=terms,
            )
        )
    return out


def design_of(treaties: list[TreatyPrediction]) -> str:
    """The design label of a set of new treaties (renewals are not new)."""
    treaties = [t for t in treaties if t.origin != "renewal"]
    with_p = [t for t in treaties if t.with_patron]
    if any(len(t.clients) >= 3 for t in with_p):
        return "multilateral"
    if with_p:
        forms = {t.form for t in with_p}
        return forms.pop() if len(forms) == 1 else "hub-and-spoke"
    if treaties:
        return "clients-only"
    return "none"
