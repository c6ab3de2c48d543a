"""The network theory on its canonical case: Brussels 1948 before NATO, and
the hub and spokes of the Asia-Pacific 1951."""

from __future__ import annotations

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories.base import Outcome


def _without_adversary_facts(s):
    """The same theatre with every fact about the adversary changed: no land routes, no footholds."""
    geo = [t.model_copy(update={"contiguity": "remote", "overland": False}) if s.adversary.id in (t.a, t.b) else t
           for t in s.geography]
    return s.model_copy(update={"geography": geo, "footholds": []})


def test_brussels_is_more_likely_than_under_the_null_model():
    s = get("europe-1948")
    rec = Outcome.from_record(s)  # BEL+FRA+LUX+NTH+UK (defend), without the United States
    net, null = theories.get("network"), theories.get("logit")
    assert net.log_prob(s, rec) > null.log_prob(s, rec)
    # the Dunkirk tie holds the UK and France together; without ties the group breaks up more often
    no_ties = s.model_copy(update={"treaties": [t for t in s.treaties if t.id != "dunkirk"]})
    assert net.log_prob(s, rec) > net.log_prob(no_ties, rec)


def test_asia_1951_is_hub_and_spokes_with_anzac_together():
    th = theories.get("network")
    pred = th.predict(get("asia-pacific-1951"))
    assert {"AUS", "NZ"} in [set(t.clients) for t in pred.modal.treaties]
    assert any(t.clients == {"JPN"} for t in pred.modal.treaties)
    assert pred.design_probabilities["multilateral"] < 0.2


def test_the_adversary_plays_no_part():
    th = theories.get("network")
    for case in ("asia-pacific-1951", "europe-1948"):
        s = get(case)
        a, b = th.predict(s), th.predict(_without_adversary_facts(s))
        assert a.modal == b.modal and a.design_probabilities == b.design_probabilities
