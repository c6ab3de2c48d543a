"""Cha's power play on its own canonical cases: Korea 1953 and Taiwan 1954."""

from __future__ import annotations

import math

import pytest

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories.base import Outcome


def _with_provocation(s, cid, value):
    actors = [a.model_copy(update={"provocation": a.provocation.model_copy(update={"value": value})}) if a.id == cid else a
              for a in s.actors]
    return s.model_copy(update={"actors": actors})


@pytest.mark.parametrize("case, client", [("korea-1953", "ROK"), ("taiwan-1954", "ROC")])
def test_canonical_cases_are_bilateral_defence_treaties(case, client):
    th = theories.get("cha")
    s = get(case)
    pred = th.predict(s)
    assert pred.modal == Outcome.from_record(s)  # USA+client (defend), the record
    assert pred.design_probabilities["bilateral"] > 0.9
    # control is the mechanism: the same client without provocation is less likely bound, and not by a defence pledge
    calm = _with_provocation(s, client, 0.0)
    assert th.predict(calm).design_probabilities["bilateral"] < pred.design_probabilities["bilateral"]
    assert th.predict(calm).modal.treaties and all(t.level == "consult" for t in th.predict(calm).modal.treaties)
    assert th.log_prob(s, Outcome.from_record(s)) > th.log_prob(calm, Outcome.from_record(s))


def test_a_provocative_client_is_held_in_a_spoke_of_its_own():
    th = theories.get("cha")
    s = get("southeast-asia-1954")
    assert any(t.clients == frozenset(c.id for c in s.clients) for t in th.predict(s).modal.treaties)
    hot = _with_provocation(s, "THA", 0.7)
    modal = th.predict(hot).modal
    assert any(t.clients == {"THA"} and t.with_patron and t.level == "defend" for t in modal.treaties)
    assert not any("THA" in t.clients and len(t.clients) > 1 for t in modal.treaties)


def test_sampler_matches_exact_enumeration():
    from pactlab.theories._seating import Facts
    th = theories.get("cha")
    s = get("asia-pacific-1951")
    f, p = Facts(s), th.params()
    exact, draws = th._exact(f, p), 20_000
    sampled = th._sampled(f, p, draws=draws, seed=5)
    for d, v in exact.items():
        assert abs(sampled[d] - v) <= 3 * math.sqrt(max(v * (1 - v), 1e-6) / draws) + 1e-9, (d, v, sampled[d])
