"""Prospect theory: a patron in the domain of losses is risk-seeking and
chooses the riskier multilateral design.

Kai He and Huiyun Feng, "'Why is there no NATO in Asia?' revisited: prospect
theory, balance of threat, and US alliance strategies", *European Journal of
International Relations* 18(2), 2012, 227-250. In Cohen's summary: "high/low
levels of threat are framed in the domain of losses/gains, ... making
multilateral alliances riskier than bilateral ones, and greater threat
perception drives multilateralism while lower threat perception drives
bilateralism." Cohen quotes Levy's objection that prospect theory "is a
reference-dependent theory without a theory of the reference point".

The reference point is fixed before any scoring, by codebook rule TREND1
(already in every scenario): the adversary's capability share five years
before the scenario. The patron is in the domain of losses (``L = +1``) when
the adversary's share rose by more than 20% since then -- the patron's
standing relative to the adversary fell -- in the domain of gains (``L = -1``)
when it fell by more than 20%, and at the reference point (``L = 0``)
otherwise. Formalised on the shared seating model:

* ``ally_logit = ally_base + ally_loss * L``;
* ``join_logit = join_base + risk_seeking * L`` (in losses the patron gambles
  on one multilateral; in gains it keeps the safer spokes);
* ``defend_logit = defend_base + defend_loss * L`` (lower commitments in gains:
  SEATO's consultation against NATO's defence pledge);
* a group of two or more forms a clients-only treaty with probability
  ``sigmoid(clients_only_base)``.
"""

from __future__ import annotations

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories._seating import SeatingTheory


def domain(f) -> float:
    """+1 losses, -1 gains, 0 at the reference point (TREND1)."""
    return 1.0 if f.trend > 0 else (-1.0 if f.trend < 0 else 0.0)


@register
class Prospect(SeatingTheory):
    name = "prospect"
    title = "Prospect theory (He and Feng): a patron in the domain of losses is risk-seeking and goes multilateral"
    citation = (
        "Kai He and Huiyun Feng, \"'Why is there no NATO in Asia?' revisited: prospect theory, balance of threat, "
        "and US alliance strategies\", European Journal of International Relations 18(2), 2012, 227-250"
    )
    specs = (
        ParamSpec("ally_base", 1.0, "log-odds that a client allies with the patron at the reference point", -20, 20, free=True),
        ParamSpec("ally_loss", 1.0, "added log-odds in the domain of losses (subtracted in gains)", -20, 20, free=True),
        ParamSpec("join_base", -1.0, "log-odds weight of joining an existing group at the reference point", -20, 20, free=True),
        ParamSpec("risk_seeking", 4.0, "added log-odds weight of joining a group in losses (subtracted in gains): the risky multilateral", -40, 40, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more allies without the patron when there is one", -20, 20, free=True),
        ParamSpec("defend_base", -0.5, "log-odds of a defence pledge at the reference point", -20, 20, free=True),
        ParamSpec("defend_loss", 2.0, "added log-odds of a defence pledge in losses (subtracted in gains)", -20, 20, free=True),
    )

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["ally_loss"] * domain(f)

    def join_logit(self, f, c, group, p):
        return p["join_base"] + p["risk_seeking"] * domain(f)

    def defend_logit(self, f, group, p):
        return p["defend_base"] + p["defend_loss"] * domain(f)
