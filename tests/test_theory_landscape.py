"""Landscape theory: the vectorised engine against a scalar reference, the paper's own
properties, the registered theory's probability model, the 1936 system file and its CLI."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pactlab import theories
from pactlab.cli import main
from pactlab.designs import DESIGNS
from pactlab.errors import PactlabError
from pactlab.landscape import system as lsys
from pactlab.scenarios.catalog import get
from pactlab.scenarios.schema import Role
from pactlab.theories.base import Outcome, TheoryError
from pactlab.theories.landscape import (
    LandscapeSystem,
    _null_designs,
    _null_log_prob,
    boltzmann,
    energy,
    enumerate_landscape,
    frustration,
    scenario_system,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GOLDEN = ROOT / "tests" / "golden" / "landscape-europe-1936.json"


# ---------------------------------------------------------------------------------------------- reference

def reference(system: LandscapeSystem):
    """Scalar reference: energies by the definition, minima by trying every move, both basin readings
    by following moves one configuration at a time (anchor = last actor)."""
    n = system.n
    w = system.weights

    def e(x):
        return sum(w[i, j] for i in range(n) for j in range(i + 1, n) if x[i] != x[j])

    def code(x):
        x = list(x)
        if x[-1]:
            x = [1 - v for v in x]
        return sum(v << k for k, v in enumerate(x[:-1]))

    def sides(c):
        return [(c >> k) & 1 for k in range(n - 1)] + [0]

    N = 1 << (n - 1)
    E = [e(sides(c)) for c in range(N)]
    tol = 1e-10 * np.abs(np.triu(w, 1)).sum()
    down = {}
    for c in range(N):
        x = sides(c)
        moves = []
        for i in range(n):
            y = list(x)
            y[i] ^= 1
            moves.append((E[code(y)] - E[c], i, code(y)))
        down[c] = moves
    mins = [c for c in range(N) if all(d >= -tol for d, _, _ in down[c])]
    steep = {m: 0 for m in mins}
    for c in range(N):
        x = c
        while True:
            d, _, t = min(down[x], key=lambda m: (m[0], m[1]))
            if d >= -tol:
                break
            x = t
        steep[x] += 1
    # random descent: absorption probabilities, in order of increasing energy
    prob = {}
    for c in sorted(range(N), key=lambda c: E[c]):
        imp = [t for d, _, t in down[c] if d < -tol]
        prob[c] = {c: 1.0} if not imp else {}
        for t in imp:
            for m, p in prob[t].items():
                prob[c][m] = prob[c].get(m, 0.0) + p / len(imp)
    rnd = {m: sum(prob[c].get(m, 0.0) for c in range(N)) for m in mins}
    return np.array(E), steep, rnd


@st.composite
def systems(draw, lo=2, hi=8):
    n = draw(st.integers(lo, hi))
    vals = draw(st.lists(st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]), min_size=n * n, max_size=n * n))
    p = np.triu(np.array(vals).reshape(n, n), 1)
    sizes = draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n))
    return LandscapeSystem(tuple(f"s{i}" for i in range(n)), np.array(sizes), p + p.T)


@settings(max_examples=60, deadline=None)
@given(systems())
def test_engine_matches_the_scalar_reference(sy):
    E, steep, rnd = reference(sy)
    land = enumerate_landscape(sy)
    np.testing.assert_allclose(land.energies, E, rtol=1e-12, atol=1e-12)
    assert {m.code: m.basin for m in land.minima} == steep
    rl = enumerate_landscape(sy, basins="random")
    assert {m.code for m in rl.minima} == set(rnd)
    for m in rl.minima:
        assert m.basin == pytest.approx(rnd[m.code], rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(systems(lo=3, hi=9))
def test_basins_partition_the_configurations_and_minima_are_sorted(sy):
    for basins in ("steepest", "random"):
        land = enumerate_landscape(sy, basins=basins)
        assert sum(m.basin for m in land.minima) == pytest.approx(land.n_configurations)
        es = [m.energy for m in land.minima]
        assert es == sorted(es)
        assert land.minima[0].is_global and land.minima[0].energy == pytest.approx(land.energies.min())
        for m in land.minima:  # a minimum: no single move lowers the energy
            x = land.sides(m.code)
            for i in range(sy.n):
                y = x.copy()
                y[i] ^= 1
                assert energy(sy, y) >= m.energy - 1e-9


@settings(max_examples=40, deadline=None)
@given(systems(lo=3, hi=8), st.data())
def test_a_move_that_lowers_an_actors_frustration_lowers_the_energy(sy, data):
    """The paper's footnote 2: with symmetric propensities, the energy changes by s_i times the
    change in the mover's frustration."""
    x = np.array(data.draw(st.lists(st.integers(0, 1), min_size=sy.n, max_size=sy.n)), dtype=np.int8)
    i = data.draw(st.integers(0, sy.n - 1))
    y = x.copy()
    y[i] ^= 1
    dF = frustration(sy, y, i) - frustration(sy, x, i)
    dE = energy(sy, y) - energy(sy, x)
    assert dE == pytest.approx(sy.sizes[i] * dF, abs=1e-12)
    assert energy(sy, 1 - x) == pytest.approx(energy(sy, x))  # mirror images are one configuration


@settings(max_examples=25, deadline=None)
@given(systems(lo=3, hi=7), st.data())
def test_the_anchor_does_not_change_the_minima(sy, data):
    a = data.draw(st.integers(0, sy.n - 1))
    base = enumerate_landscape(sy)
    other = enumerate_landscape(sy, anchor=a)

    norm = lambda land: sorted((min(sorted(m.blocs[0]), sorted(m.blocs[1])), round(m.energy, 12)) for m in land.minima)
    assert norm(base) == norm(other)
    assert len(base.minima) == len(other.minima)


def test_a_two_bloc_world_of_friends_and_enemies():
    """Two camps with +1 inside and -1 across: the camps are the only minimum and it takes every start."""
    p = np.array([[0, 1, -1, -1], [1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]], dtype=float)
    sy = LandscapeSystem(("a", "b", "c", "d"), np.ones(4), p)
    land = enumerate_landscape(sy, anchor="a")
    assert len(land.minima) == 1
    m = land.global_minimum
    assert set(m.blocs[0]) == {"a", "b"} and set(m.blocs[1]) == {"c", "d"}
    assert m.basin == 8 and m.energy == -4.0


def test_an_actor_with_no_propensity_gives_tied_minima():
    p = np.zeros((3, 3))
    p[0, 1] = p[1, 0] = -1.0
    sy = LandscapeSystem(("a", "b", "loner"), np.ones(3), p)
    land = enumerate_landscape(sy)
    assert len(land.minima) == 2 and all(m.is_global for m in land.minima)


@pytest.mark.parametrize("bad, match", [
    (dict(propensity=np.array([[0, 1], [0, 0]])), "symmetric"),
    (dict(sizes=np.array([1.0, -1.0])), "sizes"),
    (dict(sizes=np.array([1.0, np.nan])), "sizes"),
    (dict(propensity=np.array([[0, np.inf], [np.inf, 0]])), "finite"),
])
def test_bad_systems_are_refused(bad, match):
    kw = dict(names=("a", "b"), sizes=np.ones(2), propensity=np.array([[0.0, 1.0], [1.0, 0.0]]))
    kw.update(bad)
    with pytest.raises(TheoryError, match=match):
        LandscapeSystem(**kw)
    with pytest.raises(TheoryError, match="basins"):
        enumerate_landscape(LandscapeSystem(("a", "b"), np.ones(2), np.zeros((2, 2))), basins="any")


def test_boltzmann_is_a_distribution_that_cools_onto_the_global_minima():
    sy = LandscapeSystem(tuple("abcde"), np.arange(1.0, 6.0),
                         np.array([[0, 1, -1, 0, 2], [1, 0, -2, 1, 0], [-1, -2, 0, 1, -1], [0, 1, 1, 0, -1],
                                   [2, 0, -1, -1, 0]], dtype=float))
    land = enumerate_landscape(sy)
    hot, cold = boltzmann(land, 10.0), boltzmann(land, 1e-4)
    assert hot.sum() == pytest.approx(1.0) and cold.sum() == pytest.approx(1.0)
    g = [m.code for m in land.minima if m.is_global]
    assert cold[g].sum() == pytest.approx(1.0)
    assert hot.max() - hot.min() < 0.2
    with pytest.raises(TheoryError):
        boltzmann(land, 0.0)


# ---------------------------------------------------------------------------------------------- the theory

def test_rule_lsp1_on_korea_1953():
    s = get("korea-1953")
    sl = scenario_system(s)
    sy = sl.system
    i = {k: n for n, k in enumerate(sy.names)}
    p = sy.propensity
    assert sl.anchor == "USA" and sl.clients == ("ROK",)
    assert p[i["USA"], i["PRC"]] == -1.0
    rok = s.actor("ROK")
    div = rok.threat_divergence.value if rok.threat_divergence else 0.0
    assert p[i["ROK"], i["PRC"]] == pytest.approx(-(1 - div))
    for a in s.by_role(Role.aligned_adversary):
        treaty = max((t.level.rank / 2 for t in s.treaties if {a.id, "PRC"} <= set(t.members)), default=0.0)
        assert p[i["PRC"], i[a.id]] == pytest.approx(a.alignment.value + treaty)
    np.testing.assert_allclose(sy.sizes, [s.actor(k).capability.value for k in sy.names])


def _two_client_outcomes(clients):
    a, b = clients
    outs = [Outcome()]
    for c in clients:
        for lv in ("consult", "defend"):
            outs.append(Outcome.of([((c,), True, lv)]))
    for l1 in ("consult", "defend"):
        for l2 in ("consult", "defend"):
            outs.append(Outcome.of([((a,), True, l1), ((b,), True, l2)]))
        for wp in (True, False):
            outs.append(Outcome.of([((a, b), wp, l1)]))
    return outs


@pytest.mark.parametrize("params", [{}, {"temperature": 0.5, "slip": 0.3, "defend_logit": -1.0}])
def test_log_prob_sums_to_one_and_matches_the_design_probabilities(params):
    th = theories.get("landscape")
    s = get("europe-1947")
    s2 = s.model_copy(update={"actors": [a for a in s.actors if a.id not in {"BEL", "NTH", "LUX"}],
                              "disputes": [d for d in s.disputes if {d.a, d.b} <= {"UK", "FRA"}]})
    clients = [c.id for c in s2.clients]
    outs = _two_client_outcomes(clients)
    probs = [math.exp(th.log_prob(s2, o, params)) for o in outs]
    assert sum(probs) == pytest.approx(1.0, rel=1e-9)
    by_design = {d: 0.0 for d in DESIGNS}
    for o, pr in zip(outs, probs):
        by_design[o.design] += pr
    pred = th.predict(s2, params).design_probabilities
    for d in DESIGNS:
        assert pred[d] == pytest.approx(by_design[d], abs=1e-12)


@pytest.mark.parametrize("n, patron", [(k, p) for k in range(6) for p in (True, False)])
def test_the_slip_process_is_a_distribution(n, patron):
    d = _null_designs(n, patron)
    assert sum(d.values()) == pytest.approx(1.0)
    if n <= 3:  # enumerate its outcomes: set partitions of every allied set, patron or not per group
        clients = [f"c{i}" for i in range(n)]
        total = 0.0
        seen = set()
        for k in range(n + 1):
            for allied in itertools.combinations(clients, k):
                for part in _set_partitions(list(allied)):
                    for flags in itertools.product([True, False], repeat=len(part)):
                        struct = []
                        for g, f in zip(part, flags):
                            if patron and len(g) == 1 and not f:
                                break
                            if not patron and (f or len(g) == 1):
                                continue
                            struct.append((frozenset(g), f))
                        else:
                            key = frozenset(struct)
                            if key not in seen:
                                seen.add(key)
                                total += math.exp(_null_log_prob(key, n, clients, patron))
        assert total == pytest.approx(1.0)


def _set_partitions(xs):
    if not xs:
        yield []
        return
    first, rest = xs[0], xs[1:]
    for p in _set_partitions(rest):
        for i in range(len(p)):
            yield p[:i] + [[first] + p[i]] + p[i + 1:]
        yield [[first]] + p


def test_cold_landscape_puts_allied_clients_of_the_global_minimum_with_the_patron():
    th = theories.get("landscape")
    s = get("nordic-2022")
    pred = th.predict(s, {"temperature": 1e-4, "slip": 1e-9})
    land = pred.detail["landscape"]
    bloc = set(land.global_minimum.blocs[0])
    assert "USA" in bloc
    allied = {c for t in pred.modal.treaties for c in t.clients}
    assert allied == {c.id for c in s.clients if c.id in bloc}
    assert pred.design_probabilities[pred.modal.design] > 0.99


def test_outcomes_the_theory_cannot_name_are_errors():
    th = theories.get("landscape")
    s = get("korea-1953")
    with pytest.raises(TheoryError, match="not clients"):
        th.log_prob(s, Outcome.of([(("XYZ",), True, "defend")]))
    with pytest.raises(TheoryError, match="single client"):
        th.log_prob(s, Outcome.of([(("ROK",), False, "defend")]))


# ---------------------------------------------------------------------------------------------- the 1936 system

def test_the_1936_file_recomputes_every_propensity_by_rule_ls36():
    sy = lsys.load("europe-1936")
    assert len(sy.ids) == 17 and sy.file.rule == "LS36" and sy.score_anchor == "GER"
    for p in sy.file.pairs:
        t = lsys.LS36.terms(p.evidence, 1936)
        assert p.propensity.value == sum(t.values())
        assert all(v in (-1.0, 0.0, 1.0) for v in t.values())
    judged = {a.id for a in sy.file.actors if a.side.judgement}
    assert judged == {"POR", "EST", "LAT", "LIT", "CZE", "DEN"}


def test_a_hand_edited_propensity_is_refused(tmp_path):
    text = (lsys.builtin_dir() / "europe-1936.yaml").read_text()
    i = text.index("- a: GBR\n  b: FRN\n  propensity:\n    value: 2.0")
    bad = text[:i] + text[i:].replace("value: 2.0", "value: 1.0", 1)
    f = tmp_path / "edited.yaml"
    f.write_text(bad)
    with pytest.raises(lsys.SystemError_, match="GBR-FRN: stored 1, rule LS36 gives 2"):
        lsys.load(f)


def test_a_file_without_a_rule_needs_every_pair(tmp_path):
    f = tmp_path / "tiny.yaml"
    f.write_text("""
id: tiny
title: three states
year: 2000
size_measure: made up
sources: {x: {cite: an example}}
actors:
- {id: A, name: A, size: {value: 1, source: x}}
- {id: B, name: B, size: {value: 2, source: x}}
- {id: C, name: C, size: {value: 1, source: x}}
pairs:
- {a: A, b: B, propensity: {value: -1, source: x}}
- {a: A, b: C, propensity: {value: 1, source: x}}
""")
    with pytest.raises(lsys.SystemError_, match="missing: B-C"):
        lsys.load(f)
    f.write_text(f.read_text() + "- {a: B, b: C, propensity: {value: -1, source: y}}\n")
    with pytest.raises(lsys.SystemError_, match="source 'y'"):
        lsys.load(f)


def test_the_1936_result_matches_its_golden_file():
    """Regenerate with: pactlab landscape europe-1936 --format json > tests/golden/landscape-europe-1936.json"""
    got = json.loads(CliRunner().invoke(main, ["landscape", "europe-1936", "--format", "json"]).output)
    want = json.loads(GOLDEN.read_text())
    got.pop("pactlab_version"), want.pop("pactlab_version")
    _assert_close(got, want)


def _assert_close(got, want, where="$"):
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for k in want:
            _assert_close(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for k, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, f"{where}[{k}]")
    elif isinstance(want, float) and not isinstance(want, bool):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), where
    else:
        assert got == want, where


def test_placement_labels_blocs_by_the_anchor():
    pl = lsys.placement(["GER", "A", "B"], (("A",), ("GER", "B")), {"GER": "axis", "A": "allied", "B": "allied"},
                        "GER")
    assert pl.correct == 2 and pl.misplaced == ("B",)


@pytest.mark.data
def test_the_builder_reproduces_the_1936_file_from_the_data():
    if not DATA.is_dir():
        pytest.skip(f"reference data folder {DATA} is absent")
    from pactlab.data import open_data
    from pactlab.landscape.build import build, to_yaml

    assert to_yaml(build("europe-1936", open_data(DATA))) == (lsys.builtin_dir() / "europe-1936.yaml").read_text()


# ---------------------------------------------------------------------------------------------- CLI

def test_cli_text_report_and_figure_are_deterministic(tmp_path):
    r = CliRunner()
    out1, out2 = tmp_path / "a.html", tmp_path / "b.html"
    res = r.invoke(main, ["landscape", "europe-1936", "--report", str(out1), "--figure", str(tmp_path / "a.svg"),
                          "--no-sensitivity"])
    assert res.exit_code == 0, res.output
    assert "Local minima" in res.output and "Placement of the global minimum" in res.output
    r.invoke(main, ["landscape", "europe-1936", "--report", str(out2), "--figure", str(tmp_path / "b.svg"),
                    "--no-sensitivity"])
    assert out1.read_bytes() == out2.read_bytes()
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    html = out1.read_text()
    assert "<svg" in html and "http" not in html.split("<footer>")[0].split("<h2>Sources</h2>")[0]
    assert 'id="landscape-actor:GER"' in html or "actor:GER" in html


@pytest.mark.parametrize("args, match", [
    (["landscape", "no-such-system"], "unknown landscape system"),
    (["landscape", "europe-1936", "--figure", "x.pdf"], "ending in .svg or .png"),
    (["landscape-build", "no-such-recipe", "--data", "."], "no build recipe"),
])
def test_cli_errors_are_clear(args, match):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 1
    assert "Error:" in res.output and match in res.output and "Traceback" not in res.output


def test_cli_rejects_a_malformed_file(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("id: Bad Id\n")
    res = CliRunner().invoke(main, ["landscape", str(f)])
    assert res.exit_code == 1 and "invalid landscape system file" in res.output


def test_errors_are_pactlab_errors():
    assert issubclass(lsys.SystemError_, PactlabError)
