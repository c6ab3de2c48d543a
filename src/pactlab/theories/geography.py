"""Geography: alliances follow land contiguity to the adversary, and design
follows land-contiguity clusters.

The claim Cohen sets his theory against: "balancing alliances are much more
likely to form in land theatres than in maritime theatres" (the stopping power
of water; Mearsheimer; Levy and Thompson), read here as a full prediction of
design. Formalised as a probability model with six declared parameters:

* a client allies with probability ``sigmoid(ally_base + ally_land * land_i)``,
  where ``land_i`` = 1 if the adversary side reaches it over land (an overland
  tie or a foothold on land), independently of every other client;
* the allied clients, in the scenario's order, are seated one by one: a client
  joins an existing group with weight ``exp(cluster_strength * (2 c - 1))``,
  where ``c`` = 1 if it is joined overland to a member of that group, or starts
  a new group with weight 1 -- so at large ``cluster_strength`` the groups are
  the land-contiguity clusters (a client touching two groups joins one of them;
  it does not merge them);
* each group forms one treaty with the patron; a group of two or more clients
  forms a clients-only treaty instead with probability
  ``sigmoid(clients_only_base)`` (always, when there is no patron); a single
  client without a patron forms none. The treaty is at the defend level with probability
  ``sigmoid(defend_base + defend_land * any member has land_i)``.

This is the seating model the rival theories share
(:mod:`pactlab.theories._seating`): the geography theory supplies its
log-odds, and the enumeration, sampler and log-probability are the shared
ones. Design probabilities are enumerated exactly for up to eight clients and
estimated from 10,000 seeded draws of the same model above that (the
prediction says which).
"""

from __future__ import annotations

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories.base import KeyTerm
from pactlab.theories._seating import DRAWS, EXACT_MAX, Facts, SeatingTheory

__all__ = ["DRAWS", "EXACT_MAX", "Geography", "_Facts"]

#: the facts the theory reads (land routes from the adversary side, overland ties between clients)
_Facts = Facts


@register
class Geography(SeatingTheory):
    name = "geography"
    title = "Geography: land contiguity to the adversary decides who allies, land clusters decide the design"
    citation = (
        "The stopping power of water: J. J. Mearsheimer, The Tragedy of Great Power Politics (2001); "
        "J. S. Levy and W. R. Thompson, 'Balancing on land and at sea', International Security 35(1), 2010"
    )
    specs = (
        ParamSpec("ally_base", -2.0, "log-odds that a client with no land route from the adversary allies", -20, 20, free=True),
        ParamSpec("ally_land", 4.0, "added log-odds when the adversary side reaches the client over land", -20, 20, free=True),
        ParamSpec("cluster_strength", 2.0, "how strongly allied clients group by land contiguity (0: joining any group or none is equally likely)", 0, 20, free=True),
        ParamSpec("defend_base", 0.0, "log-odds of a defence pledge for a group with no land route from the adversary", -20, 20, free=True),
        ParamSpec("defend_land", 2.0, "added log-odds of a defence pledge when a member is reached over land", -20, 20, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more clients allies without the patron when there is one", -20, 20, free=True),
    )

    key_term = KeyTerm(
        ParamSpec("key_geography", 0.0, "encompassing term: added utility of any new treaty per unit of the share of clients the adversary side reaches over land", -20, 20, free=True),
        "the share of clients the adversary side reaches over land (GEO1, GEO2, FOOT1)",
        frozenset({"clients-only", "bilateral", "trilateral", "hub-and-spoke", "multilateral"}))

    def key_value(self, scenario):
        f = Facts(scenario)
        return sum(f.land.values()) / len(f.clients) if f.clients else 0.0

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["ally_land"] * f.land[c]

    def join_logit(self, f, c, group, p):
        touches = any(frozenset((c, m)) in f.contiguous for m in group)
        return p["cluster_strength"] * (2.0 * touches - 1.0)

    def defend_logit(self, f, group, p):
        return p["defend_base"] + p["defend_land"] * any(f.land[c] for c in group)
