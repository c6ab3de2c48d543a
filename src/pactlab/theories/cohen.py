"""Cohen's theory of alliance design, as formalised in :mod:`pactlab.model`.

Michael D. Cohen, "'We need allies and collective security': how the end of
the Second World War caused multilateralism in Europe and bilateralism in
Asia", *European Journal of International Security*. ``docs/model.md`` states
the formal model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pactlab.model.params import DEFAULT, PRECISIONS, SPECS, Parameters
from pactlab.model.solve import solve
from pactlab.scenarios.schema import Scenario
from pactlab.theories import register
from pactlab.theories.base import Outcome, OutcomeTreaty, Prediction, Theory, TheoryError, one_hot


def outcome_of(result) -> Outcome:
    """The new treaties of a :class:`~pactlab.model.result.Result` as an outcome."""
    return Outcome(frozenset(
        OutcomeTreaty(frozenset(t.clients), t.with_patron, t.level)
        for t in result.treaties if t.origin != "renewal"
    ))


@register
class Cohen(Theory):
    name = "cohen"
    title = "Cohen: client collective security assures the patron; credible occupation threats drive it"
    citation = (
        "Michael D. Cohen, \"'We need allies and collective security': how the end of the Second World War "
        "caused multilateralism in Europe and bilateralism in Asia\", European Journal of International Security"
    )
    specs = SPECS
    # A log-probability with support on every outcome needs finite logit
    # precisions; at +inf (the deterministic model) every outcome but the
    # modal one has probability zero.
    supports_log_prob = all(math.isfinite(getattr(DEFAULT, k)) for k in PRECISIONS)

    def model_parameters(self, params: Mapping[str, Any] | None = None) -> Parameters:
        return Parameters(**dict(self.params(params)))

    def predict(self, scenario: Scenario, params: Mapping[str, Any] | None = None) -> Prediction:
        p = self.model_parameters(params)
        finite = any(math.isfinite(getattr(p, k)) for k in PRECISIONS)
        r = solve(scenario, p, distribution=finite)
        modal = outcome_of(r)
        if not finite:
            return Prediction(
                theory=self.name, scenario_id=scenario.id, parameters_digest=p.digest(), modal=modal,
                design_probabilities=one_hot(modal.design), method="deterministic",
                note="the modal prediction of the exact solver", detail=r,
            )
        d = r.distribution
        return Prediction(
            theory=self.name, scenario_id=scenario.id, parameters_digest=p.digest(), modal=modal,
            design_probabilities=dict(d.design_probabilities), method=d.method, note=d.note, detail=r,
        )

    def log_prob(self, scenario: Scenario, observed: Outcome, params: Mapping[str, Any] | None = None) -> float:
        """log P(observed new treaties) under the logit model at the parameters' precisions
        (``-inf`` where the outcome is impossible, e.g. at infinite precisions)."""
        from pactlab.model.clients import ClientGame
        from pactlab.model.outcome import Distribution
        from pactlab.model.theatre import compile_theatre

        p = self.model_parameters(params)
        th = compile_theatre(scenario, p)
        try:
            game = ClientGame.of(th)
        except ValueError as exc:  # a theatre the client game cannot represent
            raise TheoryError(f"scenario {scenario.id!r}: outside Cohen's model: {exc}") from None
        d = Distribution(th, game, p)
        return d.log_prob([(tuple(t.clients), t.with_patron, t.level) for t in observed.treaties])
