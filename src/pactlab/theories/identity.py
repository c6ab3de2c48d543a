"""Collective identity: multilateral inclusion follows the clients' affinity
with the patron and with each other.

Christopher Hemmer and Peter J. Katzenstein, "Why is there no NATO in Asia?
Collective identity, regionalism, and the origins of multilateralism",
*International Organization* 56(3), 2002, 575-607. Cohen quotes their claim
that "a direct line from a certain type of threat (cross-border Soviet attack)
to a particular institutional form (multilateralism) cannot be drawn in
Europe"; in his summary, "common religion, democratic values, trust, and other
affinities led to shared values and commitments and multilateralism in
Europe", while American views of Asians led to bilateralism in Asia.

Only proxies the scenario data support (no coded judgement of race, religion
or democracy enters):

* affinity of two clients ``a(c, d) = same_region + tie - dispute``, where
  ``same_region`` is 1 if their COW state codes fall in the same COW region
  block (Americas, Europe, Africa, Middle East, Asia-Pacific), ``tie`` is 1 if
  a commitment is in force between them (codebook T1 or T2: shared alliance
  history) and ``dispute`` is the D1 intensity (1.0 includes a war against
  each other in the last ten years, the opposite of co-belligerence);
* affinity with the patron ``b(c)`` = same COW region as the patron, plus 1
  if a commitment with the patron is in force;
* ``ally_logit = ally_base + patron_affinity * b(c)``;
* ``join_logit(c, g) = join_base + affinity_weight * mean_{m in g} a(c, m)``;
* ``defend_logit(g) = defend_base + defend_affinity * mean pairwise a`` within
  the group (0 for a single client);
* a group of two or more forms a clients-only treaty with probability
  ``sigmoid(clients_only_base)``.

Co-belligerence in the last war is not in the scenario format, so it is not
used (the D1 war anchor covers the opposite case).
"""

from __future__ import annotations

from itertools import combinations

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories._seating import SeatingTheory


def affinity(f, c: str, d: str) -> float:
    return float(f.same_region(c, d)) + float(f.tied(c, d)) - f.disputed(c, d)


def patron_affinity(f, c: str) -> float:
    if f.patron is None:
        return 0.0
    return float(f.same_region(c, f.patron)) + float(f.patron_tie[c])


@register
class Identity(SeatingTheory):
    name = "identity"
    title = "Collective identity (Hemmer and Katzenstein): clients with affinity to the patron and each other join one multilateral"
    citation = (
        "Christopher Hemmer and Peter J. Katzenstein, 'Why is there no NATO in Asia? Collective identity, "
        "regionalism, and the origins of multilateralism', International Organization 56(3), 2002, 575-607"
    )
    specs = (
        ParamSpec("ally_base", 1.0, "log-odds that a client with no affinity proxy to the patron allies", -20, 20, free=True),
        ParamSpec("patron_affinity", 1.0, "added log-odds per unit of affinity with the patron (same region; a commitment in force)", -20, 20, free=True),
        ParamSpec("join_base", -1.0, "log-odds weight of joining a group of clients with zero mean affinity", -20, 20, free=True),
        ParamSpec("affinity_weight", 3.0, "added log-odds weight per unit of mean affinity with the group's members", 0, 40, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more allies without the patron when there is one", -20, 20, free=True),
        ParamSpec("defend_base", 0.0, "log-odds of a defence pledge for a single client or a group of zero mean affinity", -20, 20, free=True),
        ParamSpec("defend_affinity", 1.0, "added log-odds of a defence pledge per unit of the group's mean pairwise affinity", -20, 20, free=True),
    )

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["patron_affinity"] * patron_affinity(f, c)

    def join_logit(self, f, c, group, p):
        return p["join_base"] + p["affinity_weight"] * sum(affinity(f, c, m) for m in group) / len(group)

    def defend_logit(self, f, group, p):
        pairs = list(combinations(sorted(group), 2))
        mean = sum(affinity(f, a, b) for a, b in pairs) / len(pairs) if pairs else 0.0
        return p["defend_base"] + p["defend_affinity"] * mean
