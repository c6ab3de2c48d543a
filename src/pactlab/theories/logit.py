"""The logit baseline as a registered theory: pair features, no theory.

The backtest's baseline (:class:`pactlab.evidence.baselines.PairLogit`) is a
logistic regression of "two clients share a treaty" on pair features. Here
the same idea is a probability model on the shared seating model
(:mod:`pactlab.theories._seating`), so that it is scored on the same outcome
space as every theory:

* ``ally_logit = ally_base + ally_adv_land * [the adversary side reaches the
  client over land]``;
* ``join_logit(c, g) = intercept + sum_k beta_k * mean_{m in g} x_k(c, m)``
  over four pair features of the backtest's logit: ``land`` (a land border
  between the two), ``log_distance`` (log(1 + minimum distance / 100 km)),
  ``prior_pact`` (a pledge in force between them) and ``adv_land_both`` (both
  reached over land by the adversary side);
* a group of two or more forms a clients-only treaty with probability
  ``sigmoid(clients_only_base)``; every treaty is a defence pledge with
  probability ``sigmoid(defend_base)``.

Its coefficients are there to be estimated. At the declared defaults every
coefficient is zero: each client allies with probability 1/2 and joins each
existing group or a new one with equal weight -- a null model, the reference
a theory has to beat.
"""

from __future__ import annotations

import math

from pactlab.parameters import ParamSpec
from pactlab.theories import register
from pactlab.theories._seating import SeatingTheory

FEATURES = ("land", "log_distance", "prior_pact", "adv_land_both")


def pair_features(f, a: str, b: str) -> tuple[float, ...]:
    k = frozenset((a, b))
    d = f.distance.get(k, 0.0)
    return (float(k in f.contiguous), math.log1p(d / 100.0), float(k in f.pledge), float(f.land[a] and f.land[b]))


@register
class Logit(SeatingTheory):
    name = "logit"
    title = "Logit baseline: client pairs group by land borders, distance, pacts in force and a shared land threat"
    citation = (
        "Baseline, not a theory: a logistic model on client-pair features, as in the pair logit of the design "
        "backtest (pactlab.evidence.baselines)"
    )
    specs = (
        ParamSpec("ally_base", 0.0, "log-odds that a client not reached over land by the adversary side allies", -20, 20, free=True),
        ParamSpec("ally_adv_land", 0.0, "added log-odds when the adversary side reaches the client over land", -20, 20, free=True),
        ParamSpec("intercept", 0.0, "log-odds weight of joining an existing group, all pair features zero", -20, 20, free=True),
        ParamSpec("beta_land", 0.0, "join weight per unit of mean 'land border' with the group", -20, 20, free=True),
        ParamSpec("beta_log_distance", 0.0, "join weight per unit of mean log(1 + distance / 100 km) to the group", -20, 20, free=True),
        ParamSpec("beta_prior_pact", 0.0, "join weight per unit of mean 'pledge in force' with the group", -20, 20, free=True),
        ParamSpec("beta_adv_land_both", 0.0, "join weight per unit of mean 'both reached over land by the adversary side'", -20, 20, free=True),
        ParamSpec("clients_only_base", 0.0, "log-odds that a group of two or more allies without the patron when there is one", -20, 20, free=True),
        ParamSpec("defend_base", 0.0, "log-odds that a treaty is a defence pledge", -20, 20, free=True),
    )

    def ally_logit(self, f, c, p):
        return p["ally_base"] + p["ally_adv_land"] * f.land[c]

    def join_logit(self, f, c, group, p):
        beta = [p["beta_" + k] for k in FEATURES]
        xs = [pair_features(f, c, m) for m in group]
        return p["intercept"] + sum(b * sum(x[i] for x in xs) / len(xs) for i, b in enumerate(beta))

    def defend_logit(self, f, group, p):
        return p["defend_base"]
