"""The logit model against pygambit's agent logit QRE (src/pactlab/verify/qre.py,
docs/crosscheck.md): on the two-client tree, with stage 1 as a chance node,
every decision node's probabilities and each stage-1 branch's expected client
payoffs must equal the model's to 1e-6."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gambit
pytest.importorskip("pygambit")

from pactlab.model.params import DEFAULT  # noqa: E402
from pactlab.scenarios.generate import synthetic  # noqa: E402
from pactlab.verify.qre import crosscheck_qre  # noqa: E402

P = DEFAULT.model_copy(update=dict(precision_patron=20.0, precision_clients=15.0, precision_adversary=10.0,
                                   precision_welfare=20.0, precision_stability=200.0))


SEEDS = [0, 2, 36, 65]
KINDS: set = set()


@pytest.mark.parametrize("seed", SEEDS)
def test_model_equals_agent_qre(seed):
    c = crosscheck_qre(synthetic(2, seed), P)
    assert c.nodes >= 10 and c.gambit_calls >= 1
    assert c.max_prob_diff <= 1e-6, (c.max_prob_diff, c.worst)
    assert c.max_value_diff <= 1e-6
    assert abs(sum(c.stage1.values()) - 1.0) < 1e-9
    KINDS.update(c.kinds)


def test_the_instances_cover_every_kind_of_decision():
    if not KINDS:
        pytest.skip("runs after test_model_equals_agent_qre")
    need = {"pact:C1:consult/defend", "pact:C2:consult/defend", "pact:Patron:patron", "pact:Adversary:none/C1/C2/both",
            "lone:Patron:propose", "lone:C1:accept/refuse", "lone:C2:accept/refuse", "lone:C1:consult/defend",
            "lone:Patron:patron", "lone:Adversary:none/C1/C2/both"}
    assert need <= KINDS, need - KINDS
