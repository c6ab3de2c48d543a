"""Compiled forms of the solver's hot arithmetic (numba), with the numpy code as reference.

The numpy functions in :mod:`pactlab.model.threat` and :mod:`pactlab.model.payoffs` are the
definitions; the kernels compute the same numbers (the same operations on the same operands in
the same order, so bit for bit; ``tests/test_jit_equivalence.py`` checks it on random
theatres). They pay only in a process that solves many theatres or large ones: a fresh process
pays about half a second to import numba and as much again or more to load the compiled machine
code from its on-disk cache (``cache=True``; the first run on a machine also compiles it, some
seconds), more than a whole solve of a 12-client theatre saves. So numba is imported only when
a kernel is first wanted, and by default only after :func:`enable` has been called.

``PACTLAB_JIT`` chooses: ``auto`` (the default: compiled once :func:`enable` has been called,
numpy otherwise), ``1`` (always compiled), ``0`` (never; the numpy reference).
"""

from __future__ import annotations

import os

import numpy as np

from pactlab.errors import PactlabError

_enabled = False
_kernels = None
_fast = 0  # numpy's power shortcuts (pactlab.model._jit.numpy_power_shortcuts)


def mode() -> str:
    m = os.environ.get("PACTLAB_JIT", "auto").strip().lower()
    if m not in ("auto", "0", "1"):
        raise PactlabError(f"environment variable PACTLAB_JIT: expected auto, 0 or 1, got {m!r}")
    return m


def enable(on: bool = True) -> None:
    """Use the compiled kernels from now on (in ``auto`` mode): for callers that solve many
    theatres or large ones, where numba's import and the cached code's loading are paid once."""
    global _enabled
    _enabled = bool(on)


def wanted() -> bool:
    """Whether evaluations should use the compiled kernels now (``auto``: numpy when numba is
    not installed; ``1``: an error then)."""
    m = mode()
    if m == "0" or (m == "auto" and not _enabled):
        return False
    if m == "1":
        kernels()
        return True
    return _load() is not None


def _load():
    global _kernels, _fast
    if _kernels is None:
        try:
            from pactlab.model import _jit
        except ImportError:
            _kernels = False
        else:
            _fast = _jit.numpy_power_shortcuts()
            _kernels = _jit
    return _kernels or None


def cached() -> bool | None:
    """Whether the compiled machine code is already on disk (numba's cache beside the module, or
    under ``NUMBA_CACHE_DIR``), without importing numba; None when the kernels will not be used
    (``PACTLAB_JIT=0``, or numba not installed). The first run on a machine compiles them, some
    seconds, which the exploration commands say before they start."""
    import importlib.util
    from pathlib import Path

    if mode() == "0" or importlib.util.find_spec("numba") is None:
        return None
    here = Path(__file__).resolve().parent
    places = [here / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        places.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    return any(next(d.rglob("_jit.*.nbi"), None) is not None for d in places if d.is_dir())


def kernels():
    """The compiled module (:mod:`pactlab.model._jit`), imported on first use."""
    k = _load()
    if k is None:
        raise PactlabError("PACTLAB_JIT=1: the compiled kernels need numba, which is not installed "
                           "(pip install numba)")
    return k


def warm_up() -> bool:
    """Load numba and every compiled kernel now (not inside the first timed call); False if the
    kernels are not wanted or not available."""
    if not wanted():
        return False
    k = kernels()
    n, m = 3, 2
    f1, f2, f3 = np.ones(n), np.ones((n, n)), np.ones((m, n))
    member, pairs = np.ones((m, n), bool), np.zeros((n, n), bool)
    k.conquest_probability(f1, f2, f3, 2.0, 3.0, 2, _fast)
    w = k.pair_terms(member, np.ones(m, np.int64), np.zeros((n, n), np.int64), np.ones(3), False, pairs, 0.5,
                     f1, f2, f2, pairs, np.zeros(m, bool), True, 0.5, 1.0)[-1]
    k.mate_terms(member, w, f2, f3, f3, 1.0)
    size = 1 << n
    k.stable_search(np.zeros((size, n)), np.ones(size, bool), np.zeros((size, n)), True, np.zeros(size, bool),
                    np.array([1, 2, 4], np.int64), 0, np.zeros(1, np.int64), np.zeros(1, np.int64), 1e-9)
    return True


def conquest_probability(adv_power, step_power, node_defence, p):
    """The compiled :func:`pactlab.model.threat.conquest_probability` (same numbers)."""
    d = np.ascontiguousarray(node_defence, dtype=float)
    rounds = d.shape[1] - 1 if p.m_k_leg_routes else 1
    return kernels().conquest_probability(
        np.ascontiguousarray(adv_power, dtype=float), np.ascontiguousarray(step_power, dtype=float), d,
        float(p.contest_exponent), float(p.defence_advantage), rounds, _fast,
    )
