"""The logit baseline: at its declared defaults a null model; its pair features
move the seating when given weight."""

from __future__ import annotations

import math

from pactlab import theories
from pactlab.scenarios.catalog import get
from pactlab.theories._seating import Facts
from pactlab.theories.logit import pair_features


def test_defaults_are_the_null_model():
    th = theories.get("logit")
    s = get("korea-1953")
    pred = th.predict(s)
    assert math.isclose(pred.design_probabilities["bilateral"], 0.5) and math.isclose(pred.design_probabilities["none"], 0.5)


def test_pair_features_from_the_scenario():
    f = Facts(get("europe-1948"))
    land, logd, pact, both = pair_features(f, "UK", "FRA")
    assert land == 0.0 and pact == 1.0  # Dunkirk treaty in force; the Channel is not a land border
    assert pair_features(f, "BEL", "NTH")[0] == 1.0 and pair_features(f, "BEL", "NTH")[1] == 0.0


def test_a_land_weight_groups_land_neighbours():
    th = theories.get("logit")
    s = get("europe-1948")
    p = {"ally_base": 5.0, "intercept": -3.0, "beta_land": 6.0}
    groups = [set(t.clients) for t in th.predict(s, p).modal.treaties]
    assert {"BEL", "NTH", "LUX", "FRA"} in groups and {"UK"} in groups
