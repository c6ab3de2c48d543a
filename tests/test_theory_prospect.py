"""Prospect theory on He and Feng's own comparison: NATO 1949 (losses) against
SEATO 1954 (no loss) -- multilateral with a defence pledge against the
weaker commitment."""

from __future__ import annotations

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories._seating import Facts
from pactlab.theories.prospect import domain


def test_the_reference_point_is_the_trend1_coding():
    assert domain(Facts(get("europe-1949"))) == 1.0  # USSR share 1943->1948 +59%
    assert domain(Facts(get("southeast-asia-1954"))) == 0.0
    assert domain(Facts(get("korea-1953"))) == 0.0  # PRC 1947->1952 -19%


def test_losses_make_nato_gains_make_spokes():
    th = theories.get("prospect")
    nato = th.predict(get("europe-1949"))
    seato = th.predict(get("southeast-asia-1954"))
    assert nato.modal.design == "multilateral" and all(t.level == "defend" for t in nato.modal.treaties)
    assert nato.design_probabilities["multilateral"] > 0.8
    assert seato.design_probabilities["multilateral"] < 0.3
    assert all(t.level == "consult" for t in seato.modal.treaties)  # SEATO's lower commitment


def test_risk_seeking_is_the_mechanism():
    th = theories.get("prospect")
    s = get("europe-1949")
    base = th.predict(s).design_probabilities["multilateral"]
    assert th.predict(s, {"risk_seeking": 0.0}).design_probabilities["multilateral"] < base - 0.1
    # the same theatre in the domain of gains: spokes, not NATO
    gains = s.model_copy(update={"threat_trend": s.threat_trend.model_copy(update={"value": -1.0})})
    assert th.predict(gains).design_probabilities["multilateral"] < 0.2
