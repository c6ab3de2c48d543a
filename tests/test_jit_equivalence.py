"""The compiled kernels (numba, ``pactlab.model.kernels``) give the numpy code's numbers, bit for bit.

The numpy functions are the reference (``PACTLAB_JIT=0``, or ``jit=False``); the kernels are
checked against them on the random theatres of ``tests/test_search_speed_equivalence.py``
(2-8 clients with and without patron and pacts in force, and 9-12 clients), with random
defence profiles and group treatments, at the default parameters and at others that change
the contest's exponent (numpy computes some exponents without the C library's ``pow``), the
routes and the optional mechanisms. Arrays are compared as bytes, and whole solves as their
full results; the one exception is a general contest exponent on a CPU where numpy's power is
not the C library's pow (numpy's AVX-512 power function), where the arrays must agree within a
few units in the last place. Speed is measured by ``benchmarks/bench_solve.py``, not here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

pytest.importorskip("numba")

from conftest import scenario  # noqa: E402
from pactlab.errors import PactlabError  # noqa: E402
from pactlab.model import kernels, threat  # noqa: E402
from pactlab.model.params import DEFAULT  # noqa: E402
from pactlab.model.payoffs import evaluate  # noqa: E402
from pactlab.model.solve import solve  # noqa: E402
from pactlab.model.theatre import compile_theatre  # noqa: E402
from test_search_speed_equivalence import LARGE, N_SMALL, large_instance, small_instance  # noqa: E402

SMALL = range(1, N_SMALL, 5)
#: parameters the kernels must follow: the contest exponent takes numpy's shortcuts at 2 and 0.5
VARIANTS = [
    {},
    {"contest_exponent": 1.3, "defence_advantage": 2.0},
    {"contest_exponent": 0.5},
    {"contest_exponent": 1.0, "m_k_leg_routes": False},
]


def same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _numpy_pow_is_the_c_librarys() -> bool:
    """Whether numpy's array power (a general exponent) gives the C library's pow bit for bit on
    this machine. Where numpy has a SIMD power function for the CPU (AVX-512: measured 1 ulp
    apart in 59 of 1,000 values), the kernels, which call pow, cannot match it bit for bit."""
    import math

    x = np.random.default_rng(0).uniform(0.001, 1.0, 1000)
    return (x ** 1.3).tobytes() == np.array([math.pow(float(v), 1.3) for v in x]).tobytes()


NUMPY_POW_IS_LIBM = _numpy_pow_is_the_c_librarys()
#: the largest difference, in units in the last place, allowed where numpy's power is not the C
#: library's (measured: 3 ulp in the conquest probabilities at contest exponent 1.3)
MAX_ULP = 16


def close(a, b, upd) -> bool:
    """Bit for bit; or, for a general contest exponent on a machine whose numpy power is not the C
    library's, the same shape and dtype within MAX_ULP units in the last place."""
    if same(a, b):
        return True
    general = upd.get("contest_exponent", DEFAULT.contest_exponent) not in (0.5, 1.0, 2.0, -1.0)  # numpy's shortcuts, and x ** 1
    if NUMPY_POW_IS_LIBM or not general:
        return False
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape or not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return False
    try:
        np.testing.assert_array_max_ulp(a, b, maxulp=MAX_ULP)
    except AssertionError:
        return False
    return True


@lru_cache(maxsize=None)
def theatre(k: int, big: bool = False):
    s = scenario(large_instance(k) if big else small_instance(k))
    try:
        return compile_theatre(s, DEFAULT)
    except ValueError:
        return None


def _profiles(th, rng, m=60):
    d = th.base_defence[None, :] * rng.uniform(0.0, 3.0, (m, th.n))
    d[::7] = th.base_defence  # profiles that are final at once among ones that are not
    d[1::9, 0] = 0.0  # a defenceless client
    return d


@pytest.mark.parametrize("big", [False, True])
def test_conquest_probability_kernel_equals_numpy(big):
    cases = range(len(LARGE)) if big else SMALL
    checked = 0
    for k in cases:
        th = theatre(k, big)
        if th is None:
            continue
        rng = np.random.default_rng(k)
        for upd in VARIANTS:
            p = th.params.model_copy(update=upd)
            d = _profiles(th, rng)
            ref = threat.conquest_probability(th.adv_power, th.step_power, d, p, jit=False)
            assert close(threat.conquest_probability(th.adv_power, th.step_power, d, p, jit=True), ref, upd), (k, upd)
            assert same(threat.conquest_probability(th.adv_power, th.step_power, d, p, reference=True), ref)
            checked += 1
    assert checked >= 4 * len(cases) // 2


FIELDS = ("theta", "defence", "probe", "own", "ext", "patron", "entrapment", "burden", "assurance", "probe_p")


def _rows(th, rng, m=50):
    member = rng.random((m, th.n)) < 0.5
    member[0] = True
    member[1] = False
    member[2] = False
    member[2, 0] = True  # a lone client
    lcc = rng.integers(0, 3, m)
    lp = rng.integers(0, th.patron_max + 1, m) if th.has_patron else np.zeros(m, int)
    kind = rng.integers(0, 4, m) if th.has_patron else np.zeros(m, int)
    return member, lcc, lp, kind


@pytest.mark.parametrize("big", [False, True])
def test_evaluate_with_kernels_equals_numpy(big):
    cases = range(len(LARGE)) if big else SMALL
    checked = 0
    for k in cases:
        th0 = theatre(k, big)
        if th0 is None:
            continue
        rng = np.random.default_rng(1000 + k)
        for upd in VARIANTS + [{"m_obligation_under_pact": not DEFAULT.m_obligation_under_pact,
                                "m_council": not DEFAULT.m_council, "m_cooperation": not DEFAULT.m_cooperation}]:
            th = compile_theatre(th0.scenario, DEFAULT.model_copy(update=upd))
            rows = _rows(th, rng)
            ref = evaluate(th, *rows, jit=False)
            got = evaluate(th, *rows, jit=True)
            for f in FIELDS:
                assert close(getattr(got, f), getattr(ref, f), upd), (k, upd, f)
            checked += 1
    assert checked >= 5 * len(cases) // 2


def test_numpy_power_shortcuts_are_detected():
    # the kernels must know which exponents numpy computes without pow, or they drift by an ulp
    from pactlab.model import _jit

    fast = _jit.numpy_power_shortcuts()
    x = np.linspace(0.01, 2.0, 1001)
    k = _jit.csf(x, x[::-1].copy(), 3.0, 2.0, fast)
    assert same(k, threat.csf(x, x[::-1], DEFAULT))


def _solve_with(s, jit: str, monkeypatch, **kw):
    with monkeypatch.context() as m:
        m.setenv("PACTLAB_JIT", jit)
        return solve(s, **kw).to_dict()


@pytest.mark.parametrize("k", range(0, N_SMALL, 13))
def test_whole_solve_with_kernels_equals_numpy(k, monkeypatch):
    if theatre(k) is None:
        pytest.skip("pacts with a client that may not pledge")
    s = scenario(small_instance(k))
    assert _solve_with(s, "1", monkeypatch) == _solve_with(s, "0", monkeypatch)


@pytest.mark.parametrize("j", [0, 3, len(LARGE) - 1])
def test_whole_solve_with_kernels_equals_numpy_on_larger_theatres(j, monkeypatch):
    s = scenario(large_instance(j))
    assert _solve_with(s, "1", monkeypatch) == _solve_with(s, "0", monkeypatch)


def test_builtin_solves_with_kernels_equal_numpy(monkeypatch):
    from pactlab.scenarios.catalog import catalog, get

    for e in catalog():
        s = get(e.id)
        assert _solve_with(s, "1", monkeypatch, distribution=True) == _solve_with(
            s, "0", monkeypatch, distribution=True), e.id


def test_the_policy_uses_the_kernels_only_when_asked(monkeypatch):
    monkeypatch.setenv("PACTLAB_JIT", "auto")
    monkeypatch.setattr(kernels, "_enabled", False)
    assert not kernels.wanted() and not kernels.warm_up()
    kernels.enable()
    assert kernels.wanted() and kernels.warm_up()
    monkeypatch.setenv("PACTLAB_JIT", "0")
    assert not kernels.wanted()
    monkeypatch.setenv("PACTLAB_JIT", "1")
    monkeypatch.setattr(kernels, "_enabled", False)
    assert kernels.wanted()
    monkeypatch.setenv("PACTLAB_JIT", "sometimes")
    with pytest.raises(PactlabError, match="PACTLAB_JIT"):
        kernels.mode()


def test_a_single_solve_does_not_import_numba():
    # importing numba and loading its cached code cost more than a solve saves: by default a
    # solve of a built-in stays on numpy, and `pactlab run` never imports numba
    import subprocess
    import sys

    code = ("import sys; from pactlab.scenarios.catalog import get; from pactlab.model.solve import solve; "
            "solve(get('europe-1949'), distribution=True); print('numba' in sys.modules)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "PACTLAB_JIT"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("k", range(N_SMALL))
def test_compiled_search_equals_the_scalar_search(k):
    """The compiled depth-first search returns the scalar search's list (same structures, same
    order) and brute force's set, on every small instance (imposition, pacts in force, no patron)."""
    from test_search_speed_equivalence import small_solver

    from pactlab.model.search import CompiledSearch, ReferenceSearch

    s = small_solver(k)
    if s is None:
        pytest.skip("pacts with a client that may not pledge")
    got = CompiledSearch(s).run()
    assert got == ReferenceSearch(s).run()
    brute = [st for st in s.structures() if s.is_stable(*st)]
    assert sorted(got) == sorted(brute)


@pytest.mark.parametrize("j", range(len(LARGE)))
def test_compiled_search_equals_the_numpy_search_on_larger_theatres(j, monkeypatch):
    from pactlab.model.clients import ClientGame, stable_structures
    from pactlab.model.search import CompiledSearch

    game = ClientGame.of(compile_theatre(scenario(large_instance(j)), DEFAULT))
    monkeypatch.setenv("PACTLAB_JIT", "0")
    ref = stable_structures(game)
    assert ref, "an instance with no stable structure checks little"
    assert CompiledSearch(game).run() == ref


def test_kernels_know_whether_their_machine_code_is_on_disk(tmp_path, monkeypatch):
    # the exploration commands warn before the first run on a machine, which compiles the kernels:
    # cached() reads numba's cache files beside the module (or under NUMBA_CACHE_DIR) without
    # importing numba, and says None when the kernels will not be used
    pytest.importorskip("numba")
    from pactlab.model import kernels as kmod

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("PACTLAB_JIT", "auto")
    monkeypatch.setattr(kmod, "__file__", str(tmp_path / "kernels.py"))
    assert kmod.cached() is False
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "_jit.stable_search-385.py311.nbi").write_bytes(b"")
    assert kmod.cached() is True
    other = tmp_path / "elsewhere"
    monkeypatch.setattr(kmod, "__file__", str(other / "kernels.py"))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # numba's user-wide cache
    assert kmod.cached() is True
    monkeypatch.setenv("PACTLAB_JIT", "0")
    assert kmod.cached() is None
