"""Social-exchange networks: a multilateral needs a cohesive client network;
the adversary plays no part.

Yasuhiro Izumikawa, "Network connections and the emergence of the
hub-and-spokes alliance system in East Asia", *International Security* 45(2),
2020, 7-50. In Cohen's summary, Izumikawa "used network analysis on US clients
in Asia to explain bilateral alliances there despite the US preference for
multilateralism", and his "model is restricted to the patron and its clients
and allies such that the adversary cannot influence the alliances that
emerge".

Formalised on the shared seating model with the network the scenario
records: commitments in force (codebook T1 pledges and T2 cooperation) and
client-client disputes (D1). Nothing about the adversary is read.

* ``ally_logit = ally_base + ally_tie * [a commitment with the patron is in force]``;
* ``join_logit(c, g) = join_base + tie_weight * [c has a commitment in force
  with a member of g] - rivalry_weight * max_{m in g} rivalry(c, m)``, where
  ``rivalry`` is the D1 intensity of a pair with no commitment in force between
  them, counted from the 0.6 anchor up (a sanctions dispute or a war; the 0.3
  anchor is the absence of a tie, which the tie term already reads);
* a group of two or more forms a clients-only treaty -- the client network
  allying on its own -- with probability ``sigmoid(clients_only_base +
  cohesion * share of the group's client pairs with a commitment in force)``;
* ``defend_logit(g) = defend_base + defend_tie * (share of the group's client
  pairs with a pledge in force)`` (0 for a single client).
"""

from __future__ import annotations

from itertools import combinations

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories._seating import SeatingTheory


def rivalry_of(f, a: str, b: str) -> float:
    d = f.disputed(a, b)
    return d if d >= 0.6 and not f.tied(a, b) else 0.0


def tie_density(f, group, pairs_in) -> float:
    pairs = list(combinations(sorted(group), 2))
    return sum(frozenset(x) in pairs_in for x in pairs) / len(pairs) if pairs else 0.0


@register
class Network(SeatingTheory):
    name = "network"
    title = "Network (Izumikawa): a multilateral grows from prior client-client ties without rivalries; the adversary plays no part"
    citation = (
        "Yasuhiro Izumikawa, 'Network connections and the emergence of the hub-and-spokes alliance system in "
        "East Asia', International Security 45(2), 2020, 7-50"
    )
    specs = (
        ParamSpec("ally_base", 1.0, "log-odds that a client with no commitment in force with the patron allies", -20, 20, free=True),
        ParamSpec("ally_tie", 1.0, "added log-odds when a commitment with the patron is in force", -20, 20, free=True),
        ParamSpec("join_base", -0.5, "log-odds weight of joining a group with no tie and no rivalry to the client (below 0: without a tie, a treaty of its own is likelier)", -20, 20, free=True),
        ParamSpec("tie_weight", 4.0, "added log-odds weight when the client has a commitment in force with a member of the group", 0, 40, free=True),
        ParamSpec("rivalry_weight", 6.0, "log-odds weight removed per unit of the largest dispute intensity (D1) with a member", 0, 40, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more allies without the patron when there is one", -20, 20, free=True),
        ParamSpec("cohesion", 3.0, "added log-odds of a clients-only treaty when every client pair of the group has a commitment in force", -20, 20, free=True),
        ParamSpec("defend_base", 0.0, "log-odds of a defence pledge for a group with no pledges in force among its clients", -20, 20, free=True),
        ParamSpec("defend_tie", 2.0, "added log-odds of a defence pledge when every client pair of the group has a pledge in force", -20, 20, free=True),
    )

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["ally_tie"] * f.patron_tie[c]

    def join_logit(self, f, c, group, p):
        tie = any(f.tied(c, m) for m in group)
        rivalry = max(rivalry_of(f, c, m) for m in group)
        return p["join_base"] + p["tie_weight"] * tie - p["rivalry_weight"] * rivalry

    def clients_only_logit(self, f, group, p):
        return p["clients_only_base"] + p["cohesion"] * tie_density(f, group, f.tie)

    def defend_logit(self, f, group, p):
        return p["defend_base"] + p["defend_tie"] * tie_density(f, group, f.pledge)
