"""The data measures behind codebook CAP1, CAP2 and GEO3 (pactlab.data.measures) and the
two scenario tools that write them, on the shared COW data (skipped without it)."""

from __future__ import annotations

import importlib.util
import math
import shutil
from pathlib import Path

import pytest
import yaml

from pactlab.data import open_data
from pactlab.data.measures import (
    EARTH_RADIUS_KM,
    capital_distance,
    haversine_km,
    nmc_measures,
    nmc_reference_year,
)
from pactlab.scenarios.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
BUILTIN = ROOT / "src" / "pactlab" / "scenarios" / "builtin"


def test_haversine_known_values():
    # a quarter of a great circle, and one degree of latitude
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)
    assert haversine_km(10, 20, 11, 20) == pytest.approx(math.pi / 180 * EARTH_RADIUS_KM, rel=1e-12)
    assert haversine_km(35, 139, 35, 139) == 0.0
    assert haversine_km(51.5, -0.1, 48.9, 2.35) == pytest.approx(haversine_km(48.9, 2.35, 51.5, -0.1))


needs_data = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared data directory {SHARED} is absent")


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def d():
    return open_data(SHARED)


@needs_data
def test_shares_are_of_the_system_total(d):
    n = d.nmc()
    y = n[n.year == 1948]
    m = nmc_measures(d, 365, 1948)
    assert m.year == 1948 and m.cinc == pytest.approx(0.16399956)
    assert m.milex_share == pytest.approx(float(y.loc[y.ccode == 365, "milex"].iloc[0]) / y.milex.sum())
    assert m.milper_share == pytest.approx(float(y.loc[y.ccode == 365, "milper"].iloc[0]) / y.milper.sum())
    assert m.milex_states + m.milex_missing == len(y)
    # shares over all states sum to one
    tot = sum(nmc_measures(d, int(c), 1948).milper_share for c in y.ccode[y.milper.notna()])
    assert tot == pytest.approx(1.0)


@needs_data
def test_reference_year_and_time_order_exception(d):
    assert nmc_reference_year(d, 1949) == 1948
    assert nmc_reference_year(d, 2025) == 2022  # the last NMC year
    assert nmc_measures(d, 740, 1950).year == 1952  # occupied Japan: first later row
    assert nmc_measures(d, 740, 1950, allow_later=False) is None
    m = nmc_measures(d, 731, 2022)  # North Korea: milex missing, milper present
    assert math.isnan(m.milex_share) and m.milper_share > 0


@needs_data
def test_capital_distance(d):
    r = capital_distance(d, 200, 220, 1948)
    assert (r.capital_a, r.capital_b) == ("London", "Paris") and 330 < r.km < 350
    assert capital_distance(d, 220, 200, 1948).km == r.km
    r = capital_distance(d, 816, 2, 1953)  # the DRV has no capital spell before 1954
    assert r.fallback and r.year_a == 1954 and "FALLBACK" in r.note()
    assert capital_distance(d, 816, 2, 1953, allow_later=False) is None


@needs_data
def test_tools_write_valid_files_and_builtins_match_the_data(tmp_path, d):
    """Both tools write fields the loader accepts, and re-running them on a built-in
    changes nothing (the built-ins hold the tools' values)."""
    nmc, cap = _tool("nmc_measures"), _tool("capital_distance")
    for name in ("korea-1953", "europe-1949", "southeast-asia-1954"):
        p = tmp_path / f"{name}.yaml"
        shutil.copy(BUILTIN / f"{name}.yaml", p)
        before = p.read_text()
        assert nmc.main([str(SHARED), str(p), "--write", "--check"]) == 0
        cap.main([str(SHARED), str(p), "--write"])
        s = load_scenario(p)
        for a in s.actors:
            if a.ccode is not None and a.id not in ("PRK", "DRV"):
                assert a.milex_share is not None and a.milex_share.rule == "CAP2", (name, a.id)
        assert all(t.capital_distance_km is not None and t.capital_source == "capitals" for t in s.geography)
        after = p.read_text()
        if "capital_distance_km" in before:
            assert after == before, f"{name}: the built-in differs from the tools' values"
        else:
            assert yaml.safe_load(after)["actors"][0]["milex_share"]["source"] == "nmc"
