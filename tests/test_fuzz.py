"""Property-based fuzzing of the scenario format (hypothesis): every generated file either fails
validation with a clean message or solves to finite outputs. "Rejected" means a ScenarioError and
nothing else; any later exception is a crash and fails the test (no blanket ``except``).

Strategies draw inf, nan, ±1e308, subnormals, booleans, range bounds and typical values into
actor, tie and scenario fields of synthetic theatres with 1 to 12 clients. Under CI (the ``CI``
environment variable) the test runs 10,000 examples; locally 150 (``FUZZ_EXAMPLES`` overrides).
``benchmarks/fuzz.py --examples 100000`` is the long run.
"""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from pactlab.scenarios.generate import synthetic_dict
from pactlab.verify.fuzz import ACTOR_FIELDS, EXTREMES, TIE_FIELDS, TOP_FIELDS, check, mutate

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 10_000 if os.environ.get("CI") else 150))

numbers = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
    st.floats(min_value=1e-7, max_value=1.5),
)
change = st.one_of(
    st.tuples(st.just("actor"), st.integers(0, 63), st.sampled_from(ACTOR_FIELDS), numbers),
    st.tuples(st.just("tie"), st.integers(0, 199), st.sampled_from(TIE_FIELDS), numbers),
    st.tuples(st.just("top"), st.just(0), st.sampled_from(TOP_FIELDS), numbers),
)
clients = st.one_of(st.integers(1, 3), st.integers(1, 12))


@settings(max_examples=EXAMPLES, deadline=None)
@given(n=clients, seed=st.integers(0, 2**31 - 1), patron=st.booleans(), changes=st.lists(change, max_size=3))
def test_every_scenario_is_rejected_cleanly_or_solves_finitely(n, seed, patron, changes):
    d = mutate(synthetic_dict(n, seed, with_patron=patron or n > 6), changes)
    assert check(d) in ("solved", "rejected")


def test_extremes_are_rejected():
    """The four input kinds that crashed or gave NaN before the bounds rule."""
    for field, value in (("capability", 1e155), ("capability", float("inf")), ("capability", 1e-200),
                         ("threat_trend", 0.5), ("threat_trend", float("nan"))):
        kind = "top" if field == "threat_trend" else "actor"
        d = mutate(synthetic_dict(3, 1), [(kind, 0, field, value)])
        assert check(d) == "rejected", (field, value)


def test_extreme_but_valid_capabilities_solve():
    """The ends of the 'relative' range together: a client at 1e-6 facing an adversary at 1e3."""
    d = synthetic_dict(4, 2)
    adv = next(k for k, a in enumerate(d["actors"]) if a["role"] == "adversary")
    d = mutate(d, [("actor", 0, "capability", 1e-6), ("actor", 1, "capability", 1e-6),
                   ("actor", adv, "capability", 1e3)])
    assert check(d) == "solved"
