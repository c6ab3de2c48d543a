"""Contract tests run over every registered theory (the scikit-learn
``parametrize_with_checks`` idea): same outcome contract, probabilities that
sum to one, determinism, parameters within their declared bounds."""

from __future__ import annotations

import math

import pytest

from pactlab import theories
from pactlab.designs import DESIGNS
from pactlab.parameters import ParameterError
from pactlab.scenarios.catalog import catalog, get
from pactlab.theories.base import Outcome

# the small built-ins keep the suite fast; every theory runs on all of them
SMALL = [e.id for e in catalog() if len(get(e.id).clients) <= 5]
NAMES = theories.names()


@pytest.mark.parametrize("name", NAMES)
def test_declares_parameters_within_their_bounds(name):
    th = theories.get(name)
    assert th.name == name and th.title and th.citation
    ps = th.params()
    for spec in th.specs:
        assert spec.doc, f"{name}.{spec.name} has no description"
        spec.check(ps[spec.name])  # the default is inside its own bounds
    assert len({s.name for s in th.specs}) == len(th.specs)


@pytest.mark.parametrize("name", NAMES)
def test_rejects_unknown_and_out_of_range_parameters(name):
    th = theories.get(name)
    with pytest.raises(ParameterError):
        th.params({"no_such_parameter": 1.0})
    bounded = [s for s in th.specs if s.kind == "float" and s.upper is not None]
    if bounded:
        with pytest.raises(ParameterError, match=bounded[0].name):
            th.params({bounded[0].name: bounded[0].upper + 1.0})
    floats = [s for s in th.specs if s.kind == "float"]
    if floats:
        with pytest.raises(ParameterError):
            th.params({floats[0].name: float("nan")})


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scenario", SMALL)
def test_prediction_contract(name, scenario):
    th = theories.get(name)
    s = get(scenario)
    a = th.predict(s)
    assert set(a.design_probabilities) == set(DESIGNS)
    assert all(0.0 <= v <= 1.0 for v in a.design_probabilities.values())
    assert math.isclose(sum(a.design_probabilities.values()), 1.0, abs_tol=1e-9)
    assert a.method in {"deterministic", "exact", "approximate"}
    assert a.modal.design in DESIGNS
    clients = {c.id for c in s.clients}
    assert all(t.clients <= clients and t.level in {"consult", "defend"} for t in a.modal.treaties)
    if s.patron is None:
        assert not any(t.with_patron for t in a.modal.treaties)
    # determinism under the same parameters
    b = th.predict(s)
    assert a.modal == b.modal and a.design_probabilities == b.design_probabilities
    assert a.parameters_digest == th.params().digest()


@pytest.mark.parametrize("name", [n for n in NAMES if theories.get(n).supports_log_prob])
@pytest.mark.parametrize("scenario", SMALL)
def test_log_prob_is_finite_on_the_record_and_the_prediction(name, scenario):
    th = theories.get(name)
    s = get(scenario)
    rec = Outcome.from_record(s)
    for o in [th.predict(s).modal] + ([rec] if rec is not None and rec.treaties else []):
        lp = th.log_prob(s, o)
        assert math.isfinite(lp) and lp <= 1e-12


def _small_theatre(scenario_id: str, keep: int, patron: bool):
    """A built-in theatre cut to its first ``keep`` clients (and, if asked, without its patron)."""
    s = get(scenario_id)
    drop = {c.id for c in s.clients[keep:]}
    if not patron and s.patron is not None:
        drop.add(s.patron.id)
    actors = [a for a in s.actors if a.id not in drop]
    keepids = {a.id for a in actors}
    return s.model_copy(update={
        "actors": actors,
        "geography": [t for t in s.geography if t.a in keepids and t.b in keepids],
        "footholds": [f for f in s.footholds if f.holder in keepids and f.near in keepids],
        "treaties": [t for t in s.treaties if sum(m in keepids for m in t.members) >= 2],
        "disputes": [d for d in s.disputes if d.a in keepids and d.b in keepids],
        "record": None,
    })


SMALL_THEATRES = [("europe-1948", 3, True), ("asia-pacific-1951", 3, True), ("europe-1947", 3, False)]


@pytest.mark.parametrize("name", [n for n in NAMES if theories.get(n).supports_log_prob])
@pytest.mark.parametrize("case, keep, patron", SMALL_THEATRES)
def test_log_prob_sums_to_one_and_matches_the_design_probabilities(name, case, keep, patron):
    """Over every outcome of the shared outcome space on a three-client theatre
    (outcomes a theory rules out raise TheoryError), the probabilities add up
    to one, and grouped by design they are the prediction's design probabilities."""
    from outcome_space import all_outcomes

    from pactlab.theories.base import TheoryError

    th = theories.get(name)
    s = _small_theatre(case, keep, patron)
    pred = th.predict(s)
    assert pred.method == "exact"
    by_design = {d: 0.0 for d in DESIGNS}
    for o in all_outcomes([c.id for c in s.clients], s.patron is not None):
        try:
            lp = th.log_prob(s, o)
        except TheoryError:
            continue
        assert math.isfinite(lp) or lp == -math.inf
        by_design[o.design] += math.exp(lp)
    assert math.isclose(sum(by_design.values()), 1.0, rel_tol=1e-9)
    for d in DESIGNS:
        assert math.isclose(by_design[d], pred.design_probabilities[d], abs_tol=1e-9), d


@pytest.mark.parametrize("name", [n for n in NAMES if theories.get(n).supports_log_prob])
def test_approximate_predictions_are_deterministic_under_their_seed(name):
    th = theories.get(name)
    s = get("europe-1949")  # eleven clients: the sampled branch for the seating theories
    a, b = th.predict(s), th.predict(s)
    assert a.design_probabilities == b.design_probabilities and a.modal == b.modal
    if a.method == "approximate":
        assert "seed" in a.note
