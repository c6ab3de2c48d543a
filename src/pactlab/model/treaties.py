"""The new treaties a chosen structure creates, with their durability, and
the design they make."""

from __future__ import annotations

from pactlab.model.durability import durability
from pactlab.model.imposition import LoneOutcome
from pactlab.model.patron import GroupTable
from pactlab.model.payoffs import JOIN, LEVEL, SPOKES
from pactlab.model.result import TreatyPrediction
from pactlab.model.theatre import Theatre


def _form(n_clients: int, with_patron: bool) -> str:
    size = n_clients + (1 if with_patron else 0)
    return "bilateral" if size == 2 else "trilateral" if size == 3 else "multilateral"


def new_treaties(th: Theatre, block_tab: GroupTable, blocks: tuple[int, ...], lone: LoneOutcome) -> list[TreatyPrediction]:
    """Every treaty the structure creates that is not already in force."""
    s, params = th.scenario, th.params
    treaties: list[TreatyPrediction] = []
    pid = s.patron.id if s.patron else None

    def add(clients_idx: list[int], with_patron: bool, lcc: int, level: int, origin: str, imposed: bool):
        cl = tuple(th.ids[i] for i in clients_idx)
        members = ((pid,) if with_patron else ()) + cl
        hz, terms = durability(th, clients_idx, lcc, imposed)
        years = 1.0 / hz
        treaties.append(
            TreatyPrediction(
                id="-".join(members), members=members, clients=cl, with_patron=with_patron, level=LEVEL[level],
                form=_form(len(cl), with_patron), origin=origin, hazard=hz, expected_years=years,
                durability="long" if years >= params.long_years else "short", hazard_terms=terms,
            )
        )

    for b in blocks:
        g = block_tab[b]
        mem = th.members(b)
        # a block that is exactly a pact (or chain of pacts) in force is not a new treaty
        existing = b in th.atoms
        if g.kind == JOIN:
            if existing and all(th.prior_patron[i] >= g.lcc for i in mem):
                continue  # the patron's pact with this block is already in force
            add(mem, True, g.lcc, g.lcc, "joined", False)
        else:
            if not existing:
                add(mem, False, g.lcc, g.lcc, "indigenous", False)
            if g.kind == SPOKES:
                for i in mem:
                    if th.prior_patron[i] < g.lp:
                        add([i], True, 0, g.lp, "spoke", False)
    if lone.group is not None:
        g = lone.group
        add(th.members(g.mask), True, g.lcc, g.lcc, "imposed", True)
    for i, g in lone.singles.items():
        if lone.group is not None and lone.group.mask >> i & 1:
            continue
        if g.kind == SPOKES and th.prior_patron[i] < g.lp:
            add([i], True, 0, g.lp, "spoke", False)
    return treaties


def design_of(treaties: list[TreatyPrediction]) -> str:
    """The design label of a set of new treaties."""
    with_p = [t for t in treaties if t.with_patron]
    if any(len(t.clients) >= 3 for t in with_p):
        return "multilateral"
    if with_p:
        forms = {t.form for t in with_p}
        return forms.pop() if len(forms) == 1 else "hub-and-spoke"
    if treaties:
        return "clients-only"
    return "none"
