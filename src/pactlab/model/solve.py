"""``solve(scenario)``: the model's prediction for one theatre, with reasons.

The theory's sequence, read top to bottom: the theatre (power, routes and
occupation threat), stage 2 solved for every group the clients could form
(the patron's design and imposed multilaterals), stage 1 over those payoffs
(the stable client structures and the one selected), the treaties it creates
and their durability, stage 3 (the adversary), and the explanation.
"""

from __future__ import annotations

from pactlab import __version__
from pactlab.model.adversary import client_outcomes, client_states
from pactlab.model.clients import ClientGame, select, stable_structures
from pactlab.model.explain import comparisons, preferences
from pactlab.model.imposition import ImpositionTable
from pactlab.model.outcome import outcome_distribution
from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.patron import block_table, single_table
from pactlab.model.result import Result, StableStructure
from pactlab.model.theatre import compile_theatre
from pactlab.model.treaties import design_of, new_treaties
from pactlab.scenarios.loader import scenario_hash
from pactlab.scenarios.schema import Scenario


def solve(scenario: Scenario, params: Parameters = DEFAULT, distribution: bool = False) -> Result:
    """The modal prediction; with ``distribution=True`` also the outcome
    distribution at the parameters' logit precisions (``Result.distribution``,
    :mod:`pactlab.model.outcome`)."""
    th, blocks, game, stable, sel, u, lone, treaties = _modal(scenario, params)
    outcome_of = client_outcomes(th, blocks, sel.blocks, lone)  # stage 3: the adversary
    s = scenario
    return Result(
        scenario_id=s.id, scenario_title=s.title, scenario_hash=scenario_hash(s), parameters_digest=params.digest(),
        pactlab_version=__version__, patron=s.patron.id if s.patron else None, adversary=s.adversary.id,
        design=design_of(treaties), treaties=tuple(treaties), clients=tuple(client_states(th, outcome_of, u)),
        stable=tuple(_stable(th, stable, sel)), selection_reason=sel.reason, preferences=tuple(preferences(th, (game.block_tab, game.single_tab))),
        comparisons=tuple(comparisons(th, game, sel, u, lone, treaties, outcome_of)),
        counter_alignment={k: (th.alignment_unlinked[k], th.alignment[k]) for k in th.alignment},
        notes=tuple(th.notes) + ((sel.reason,) if sel.pick < 0 else ()),
        distribution=outcome_distribution(th, game, treaties) if distribution else None,
    )


def _modal(scenario: Scenario, params: Parameters):
    th = compile_theatre(scenario, params)  # threat and routes (H6, H7)
    blocks, singles = block_table(th), single_table(th)  # stage 2: the patron's design (H1, H4, H5)
    imposition = ImpositionTable(th, singles, blocks)  # stage 2: imposed multilaterals (H3, H4)
    game = ClientGame(th, blocks, singles, imposition)  # stage 1 over the stage 2 payoffs
    stable = stable_structures(game)  # individual stability
    sel = select(game, stable)  # Pareto-efficient, then welfare, then fewest groups
    u = game.payoff(sel.blocks, sel.U)
    lone = game.lone(sel.U, sel.blocks)
    treaties = new_treaties(th, blocks, sel.blocks, lone, singles)  # with their durability (H2, H3)
    return th, blocks, game, stable, sel, u, lone, treaties


def solve_design(scenario: Scenario, params: Parameters = DEFAULT) -> tuple[str, tuple]:
    """(design, new treaties) of the modal prediction: what :func:`solve` returns as
    ``Result.design`` and ``Result.treaties``, by the same computation, without the rest of the
    result (the clients' outcomes, the comparisons and preferences that explain it, the
    scenario's digest). For callers that solve many perturbed copies of one theatre."""
    treaties = _modal(scenario, params)[-1]
    return design_of(treaties), tuple(treaties)


def _stable(th, stable, sel) -> list[StableStructure]:
    return [
        StableStructure(
            blocks=tuple(tuple(th.ids[i] for i in th.members(x)) for x in b),
            lone=tuple(th.ids[i] for i in th.members(Um)),
            client_welfare=sel.welfare[k], pareto_efficient=sel.efficient[k], selected=(k == sel.pick),
        )
        for k, (b, Um) in enumerate(stable)
    ]
