"""Regression tests for two bugs of the first model (docs/model.md, "Bug fixes").

B1, phantom spokes: a patron "spoke" to a client that already holds that pledge or a higher one
created no treaty, yet earned the patron leverage and added linked outside power to the client's
defence. In ``southeast-asia-1954`` the design held such a spoke for AUS+NZ, and in
``indo-pacific-2025`` one decided the headline.

B2: when a member preferred another level than its block's, the explanation compared the level with
itself ("defend pledge within UK+FRA over defend pledge by +0.0000").
"""

from __future__ import annotations

import numpy as np
import pytest

from pactlab.model.params import DEFAULT
from pactlab.model.payoffs import NONE, SPOKES, evaluate
from pactlab.model.solve import solve
from pactlab.model.theatre import compile_theatre
from pactlab.scenarios.catalog import catalog, get

BUILTINS = [e.id for e in catalog()]
RANK = {"consult": 1, "defend": 2}
FIELDS = ("theta", "defence", "probe", "own", "ext", "patron", "entrapment", "burden", "assurance")


def held_pledges(th) -> list[tuple[int, int]]:
    """(client, level held with the patron) for the clients holding a patron pledge in force."""
    return [(i, int(th.prior_patron[i])) for i in range(th.n) if th.prior_patron[i] > 0]


def test_b1_a_spoke_at_or_below_a_pledge_in_force_changes_nothing():
    # a spoke at a level the client already holds (or below it) is the same, in every number the
    # model computes for the client and the patron, as no treaty at all: no leverage for the
    # patron, no linked outside power in the client's defence
    checked = 0
    for sid in BUILTINS:
        th = compile_theatre(get(sid), DEFAULT)
        if not th.has_patron:
            continue
        for i, held in held_pledges(th):
            for lp in range(1, min(held, th.patron_max) + 1):
                member = np.zeros((2, th.n), bool)
                member[:, i] = True
                ev = evaluate(th, member, np.zeros(2, int), np.array([0, lp]), np.array([NONE, SPOKES]))
                for f in FIELDS:
                    a, b = getattr(ev, f)[0], getattr(ev, f)[1]
                    assert np.array_equal(a, b), (sid, th.ids[i], lp, f, a, b)
                checked += 1
    # the built-ins hold pledges in force (the US treaties of 1954 and 2025): the test has cases
    assert checked >= 10, checked


@pytest.mark.parametrize("sid", BUILTINS)
def test_b1_every_predicted_patron_treaty_is_a_new_pledge_for_some_client(sid):
    # a treaty the design predicts (not one kept in force) raises at least one member's pledge
    # from the patron above the one it held
    s = get(sid)
    th = compile_theatre(s, DEFAULT)
    held = {th.ids[i]: int(th.prior_patron[i]) for i in range(th.n)}
    r = solve(s, DEFAULT)
    for t in r.treaties:
        if not t.with_patron or t.origin == "renewal":
            continue
        assert any(held.get(c, 0) < RANK[t.level] for c in t.clients), (sid, t.members, t.level, t.origin, held)


def test_b2_level_explanations_compare_two_different_levels():
    # each member's level preference within its block is stated against the other level, with
    # the preferred level's advantage (never a level against itself)
    seen = 0
    for sid in BUILTINS:
        r = solve(get(sid), DEFAULT)
        for c in r.comparisons:
            if c.stage != "clients" or " pledge within " not in c.chosen:
                continue
            chosen = c.chosen.split(" pledge within ")[0]
            other = c.alternative.removesuffix(" pledge")
            assert chosen in RANK and other in RANK, c.text()
            assert chosen != other, c.text()
            assert c.margin >= 0.0, c.text()
            seen += 1
    # Brussels, NATO 1949 and others state their members' level choices: the test has cases
    assert seen >= 5, seen


def test_a_failing_imposition_is_explained_as_the_failed_proposal_cost():
    # SEATO 1954: every unit refuses the multilateral, so the patron's margin is the failed-proposal
    # cost of a proposal nobody accepts, and the explanation says so (not a payoff difference)
    r = solve(get("southeast-asia-1954"), DEFAULT)
    patron = [c for c in r.comparisons if c.stage == "imposition" and c.actor == "USA"]
    assert len(patron) == 1, patron
    c = patron[0]
    assert c.chosen == "no imposed multilateral" and c.alternative.startswith("proposing one to ")
    assert "failed-proposal cost" in c.mechanism
    assert c.margin == pytest.approx(DEFAULT.failed_proposal_cost)
