"""Compiled forms of the solver's hot arithmetic (numba), with the numpy code as reference.

The numpy functions in :mod:`pactlab.model.threat` and :mod:`pactlab.model.payoffs` are the
definitions; the kernels here compute the same numbers (the same operations on the same
operands in the same order, so bit for bit; ``tests/test_jit_equivalence.py`` checks it on
random theatres). numba is imported only when a kernel is first needed, and only where it pays:
importing it costs about half a second, more than a whole solve of a small theatre, so a single
solve of a small theatre stays on numpy. The compiled machine code is cached on disk
(``cache=True``), so only the first run on a machine pays for the compilation.

``PACTLAB_JIT`` chooses: ``auto`` (the default: compiled where the work is large enough, or once
:func:`enable` has been called, as the exploration commands do for their many solves), ``1``
(always compiled), ``0`` (never; the numpy reference).
"""

from __future__ import annotations

import os

import numpy as np

from pactlab.errors import PactlabError

#: below this many route-contest cells (profiles x clients x clients) an evaluation stays on numpy
#: unless compiled code has been enabled: at n = 12 a table has 4,083 x 8 rows (about 4.7 million
#: cells), a solve of europe-1948 a few thousand.
AUTO_CELLS = 200_000

_enabled = False
_kernels = None
_fast = 0  # numpy's power shortcuts (pactlab.model._jit.numpy_power_shortcuts)


def mode() -> str:
    m = os.environ.get("PACTLAB_JIT", "auto").strip().lower()
    if m not in ("auto", "0", "1"):
        raise PactlabError(f"environment variable PACTLAB_JIT: expected auto, 0 or 1, got {m!r}")
    return m


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def enable(on: bool = True) -> None:
    """Use the compiled kernels for every evaluation from now on (in ``auto`` mode): for callers
    that solve many theatres, where numba's import and the cached code's loading are paid once."""
    global _enabled
    _enabled = bool(on)


def wanted(cells: int) -> bool:
    """Whether an evaluation of this many route-contest cells should use the compiled kernels."""
    m = mode()
    if m == "0":
        return False
    if m == "1" or _enabled or cells >= AUTO_CELLS:
        return _load() is not None
    return False


def _load():
    global _kernels, _fast
    if _kernels is None:
        try:
            from pactlab.model import _jit
        except ImportError:
            if mode() == "1":
                raise
            _kernels = False
        else:
            _fast = _jit.numpy_power_shortcuts()
            _kernels = _jit
    return _kernels or None


def kernels():
    """The compiled module (:mod:`pactlab.model._jit`), imported on first use."""
    k = _load()
    if k is None:
        raise PactlabError("the compiled kernels need numba, which is not installed (pip install numba)")
    return k


def conquest_probability(adv_power, step_power, node_defence, p):
    """The compiled :func:`pactlab.model.threat.conquest_probability` (same numbers)."""
    d = np.ascontiguousarray(node_defence, dtype=float)
    rounds = d.shape[1] - 1 if p.m_k_leg_routes else 1
    return kernels().conquest_probability(
        np.ascontiguousarray(adv_power, dtype=float), np.ascontiguousarray(step_power, dtype=float), d,
        float(p.contest_exponent), float(p.defence_advantage), rounds, _fast,
    )
