"""Collective identity on Hemmer and Katzenstein's own comparison: NATO in
Europe 1949, bilateral treaties in the Asia-Pacific 1951."""

from __future__ import annotations

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories._seating import Facts
from pactlab.theories.identity import affinity, patron_affinity


def test_affinity_proxies_come_from_the_scenario():
    f = Facts(get("asia-pacific-1951"))
    assert affinity(f, "AUS", "NZ") == 2.0  # same COW region, ANZAC agreement in force, no dispute
    assert affinity(f, "AUS", "JPN") == 0.0  # same region, war within ten years (D1 1.0)
    assert patron_affinity(f, "AUS") == 0.0  # the US is in another COW region and no commitment is in force
    g = Facts(get("europe-1949"))
    assert patron_affinity(g, "CAN") == 1.0 and patron_affinity(g, "UK") == 0.0
    assert affinity(g, "BEL", "NTH") > affinity(g, "UK", "ITA")  # Brussels partners vs wartime enemies


def test_europe_is_more_multilateral_than_asia():
    th = theories.get("identity")
    eu = th.predict(get("europe-1949"))
    ap = th.predict(get("asia-pacific-1951"))
    assert eu.design_probabilities["multilateral"] > 0.8
    assert ap.design_probabilities["multilateral"] < eu.design_probabilities["multilateral"] - 0.3
    # Japan, the former enemy, stays out of the Asian group
    assert any(t.clients == {"JPN"} for t in ap.modal.treaties)


def test_without_affinity_weight_the_difference_goes():
    th = theories.get("identity")
    flat = {"affinity_weight": 0.0, "patron_affinity": 0.0}
    eu = th.predict(get("southeast-asia-1954"), flat).design_probabilities["multilateral"]
    ap = th.predict(get("europe-1947"), flat).design_probabilities["multilateral"]
    assert abs(eu - ap) < 1e-9  # same client count, same patron: no proxy left tells them apart
