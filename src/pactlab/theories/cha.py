"""Cha's power play: bilateral alliances as the patron's instrument of control.

Victor D. Cha, *Powerplay: The Origins of the American Alliance System in
Asia* (Princeton University Press, 2016); "Powerplay: origins of the U.S.
alliance system in Asia", *International Security* 34(3), 2009/10. As Cohen
reads it: "bilateralism allows patrons greater control over clients ... such
control was necessary to ensure that Seoul and Taipei didn't drag Eisenhower
into a(nother) war with China."

Formalised on the shared seating model (:mod:`pactlab.theories._seating`)
with provocation (codebook PROV1, ``rho``) as the one input:

* the patron allies with a client likely to provoke:
  ``ally_logit = ally_base + ally_provocation * rho_c``;
* a provocative client is held apart, in a treaty of its own, and none joins
  it: ``join_logit(c, g) = join_base - control * max(rho_c, max_{m in g} rho_m)``;
* the defence treaty is the instrument of control:
  ``defend_logit(g) = defend_base + defend_provocation * max_{m in g} rho_m``;
* a group of two or more forms a clients-only treaty with probability
  ``sigmoid(clients_only_base)``.
"""

from __future__ import annotations

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories._seating import SeatingTheory


@register
class Cha(SeatingTheory):
    name = "cha"
    title = "Cha (power play): the patron binds clients likely to provoke in bilateral defence treaties, to control them"
    citation = (
        "Victor D. Cha, Powerplay: The Origins of the American Alliance System in Asia (Princeton University "
        "Press, 2016); 'Powerplay: origins of the U.S. alliance system in Asia', International Security 34(3), 2009/10"
    )
    specs = (
        ParamSpec("ally_base", 1.0, "log-odds that the patron allies with a status-quo client (provocation 0)", -20, 20, free=True),
        ParamSpec("ally_provocation", 3.0, "added log-odds per unit of provocation (PROV1): the patron allies to restrain", -20, 20, free=True),
        ParamSpec("join_base", 2.0, "log-odds weight of joining an existing group when no one in it provokes", -20, 20, free=True),
        ParamSpec("control", 8.0, "how strongly a provocative client is held apart in a treaty of its own (per unit of the largest provocation involved)", 0, 40, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more allies without the patron when there is one", -20, 20, free=True),
        ParamSpec("defend_base", -1.0, "log-odds of a defence pledge (rather than consultation) for status-quo clients", -20, 20, free=True),
        ParamSpec("defend_provocation", 4.0, "added log-odds of a defence pledge per unit of the group's largest provocation: the treaty as instrument of control", -20, 20, free=True),
    )

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["ally_provocation"] * f.provocation[c]

    def join_logit(self, f, c, group, p):
        rho = max([f.provocation[c]] + [f.provocation[m] for m in group])
        return p["join_base"] - p["control"] * rho

    def defend_logit(self, f, group, p):
        return p["defend_base"] + p["defend_provocation"] * max(f.provocation[m] for m in group)
