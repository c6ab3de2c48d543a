"""The geography theory: its own claims, and its sampler against its exact enumeration."""

from __future__ import annotations

import math

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories.base import Outcome
from pactlab.theories.geography import _Facts

SHARP = {"ally_base": -8.0, "ally_land": 16.0, "cluster_strength": 12.0, "defend_base": -6.0, "defend_land": 12.0,
         "clients_only_base": -8.0}


def test_sharp_parameters_give_the_land_clusters():
    th = theories.get("geography")
    s = get("europe-1948")  # every client is reached over land (Soviet zone of Germany); BEL-FRA-LUX-NTH are joined overland
    f = _Facts(s)
    pred = th.predict(s, SHARP)
    allied = {c for t in pred.modal.treaties for c in t.clients}
    assert allied == {c for c in f.clients if f.land[c]}
    assert pred.design_probabilities[pred.modal.design] > 0.9
    assert all(t.level == "defend" and t.with_patron for t in pred.modal.treaties)


def test_maritime_clients_do_not_ally_under_sharp_parameters():
    th = theories.get("geography")
    s = get("asia-pacific-1951")
    f = _Facts(s)
    pred = th.predict(s, SHARP)
    assert {c for t in pred.modal.treaties for c in t.clients} == {c for c in f.clients if f.land[c]}


def test_sampler_matches_exact_enumeration():
    th = theories.get("geography")
    s = get("europe-1948")
    f = _Facts(s)
    p = th.params()
    exact = th._exact(f, p)
    draws = 20_000
    sampled = th._sampled(f, p, draws=draws, seed=3)
    for d, v in exact.items():
        se = math.sqrt(max(v * (1 - v), 1e-6) / draws)
        assert abs(sampled[d] - v) <= 3 * se + 1e-9, (d, v, sampled[d])


def test_log_prob_sums_to_one_over_small_outcome_space():
    """On a two-client theatre, enumerate every outcome the model can produce
    and check the probabilities add up to one."""
    th = theories.get("geography")
    s = get("europe-1947")
    s2 = s.model_copy(update={"actors": [a for a in s.actors if a.id not in {"BEL", "NTH", "LUX"}]})
    clients = [c.id for c in s2.clients]
    outs = [Outcome()]
    for c in clients:
        for lv in ("consult", "defend"):
            outs.append(Outcome.of([((c,), True, lv)]))
    for l1 in ("consult", "defend"):
        for l2 in ("consult", "defend"):
            outs.append(Outcome.of([((clients[0],), True, l1), ((clients[1],), True, l2)]))
        for wp in (True, False):
            outs.append(Outcome.of([(tuple(clients), wp, l1)]))
    total = sum(math.exp(th.log_prob(s2, o)) for o in outs)
    assert math.isclose(total, 1.0, rel_tol=1e-9)


def test_geography_runs_on_the_shared_seating_model():
    """One enumeration, one sampler, one log-probability for every seating theory:
    the geography theory supplies its log-odds only."""
    from pactlab.theories._seating import SeatingTheory
    from pactlab.theories.geography import Geography

    assert issubclass(Geography, SeatingTheory)
    assert not {"_exact", "_sampled", "_modal", "predict", "log_prob"} & set(Geography.__dict__)

