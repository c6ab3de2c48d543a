"""Baselines with a probability model, fitted and scored like any theory.

Each is a model on the shared seating structure (:mod:`pactlab.theories._seating`),
so its log-probability of what happened in a theatre is comparable, case by
case, with every theory's. They read nothing from a scenario but its list of
clients and whether there is a patron; their parameters are rates fitted on
the training windows (``pactlab fit --scoreboard``).

* ``base-rate`` -- each client allies with probability ``sigmoid(ally_base)``;
  an allied client joins each existing group with weight ``exp(join_base)`` or
  starts a new one with weight 1; a group of two or more allies without the
  patron with probability ``sigmoid(clients_only_base)``; a treaty is a defence
  pledge with probability ``sigmoid(defend_base)``.
* ``always-bilateral`` -- the same rates of allying and of defence pledges, but
  every allied client has its own treaty with the patron (a hub of spokes):
  an outcome in which two clients share a treaty has probability zero.
* ``always-multilateral`` -- the same rates, but all allied clients form one
  treaty (with the patron, or without it with probability
  ``sigmoid(clients_only_base)``): two separate treaties have probability zero.

An outcome a baseline gives probability zero scores ``-inf``; the scoreboard
floors it at log(1e-12) and counts it. The land-contiguity rule is the
registered ``geography`` theory, scored beside these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pactlab.parameters import ParamSpec
from pactlab.theories._seating import SeatingTheory


def _rates(clients_only: bool = True) -> tuple[ParamSpec, ...]:
    return (
        ParamSpec("ally_base", -2.0, "log-odds that a client makes a new pledge with the patron", -20, 20, free=True),
        ParamSpec("clients_only_base", -2.0, "log-odds that a group of two or more allies without the patron",
                  -20, 20, free=clients_only),
        ParamSpec("defend_base", 0.0, "log-odds that a treaty is a defence pledge", -20, 20, free=True),
    )


class _Baseline(SeatingTheory):
    citation = "Baseline, not a theory: rates fitted on the training windows"

    def ally_logit(self, f, c, p):
        return p["ally_base"]

    def defend_logit(self, f, group, p):
        return p["defend_base"]

    def log_prob(self, scenario, observed, params: Mapping[str, Any] | None = None) -> float:
        lp = super().log_prob(scenario, observed, params)
        return lp if not math.isnan(lp) else -math.inf  # every latent path impossible


class BaseRate(_Baseline):
    name = "base-rate"
    title = "Base rate: clients ally, group and pledge defence at constant rates"
    specs = _rates() + (
        ParamSpec("join_base", 0.0, "log-weight of joining each existing group (a new group has weight 1)",
                  -20, 20, free=True),
    )

    def join_logit(self, f, c, group, p):
        return p["join_base"]


class AlwaysBilateral(_Baseline):
    name = "always-bilateral"
    title = "Always bilateral: every allied client has its own treaty with the patron"
    specs = _rates(clients_only=False)

    def join_logit(self, f, c, group, p):
        return -math.inf


class AlwaysMultilateral(_Baseline):
    name = "always-multilateral"
    title = "Always multilateral: all allied clients form one treaty"
    specs = _rates()

    def join_logit(self, f, c, group, p):
        return 0.0

    def _seat(self, f, c, groups, p):
        return [0.0] * len(groups) + [-math.inf] if groups else [0.0]


BASELINES = {cls.name: cls for cls in (BaseRate, AlwaysBilateral, AlwaysMultilateral)}


def get(name: str):
    """A baseline by name, or a registered theory of that name (``geography``, ``logit``)."""
    if name in BASELINES:
        return BASELINES[name]()
    from pactlab import theories

    return theories.get(name)
