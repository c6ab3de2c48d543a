"""Logit (quantal-response) choice probabilities, with the deterministic
model as the limit at infinite precision.

Every choice in the model is between options with payoffs; at precision
``lam`` an option is picked with probability proportional to
``exp(lam * payoff)`` (docs/model.md, section 10). ``lam = inf`` is exactly
the deterministic rule, including its tie-breaks, so the modal path is
unchanged.
"""

from __future__ import annotations

import math

import numpy as np


def sigmoid(x):
    """1 / (1 + exp(-x)), without overflow."""
    x = np.asarray(x, float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(x):
    """log(sigmoid(x)) = -log(1 + exp(-x)), without overflow."""
    return -np.logaddexp(0.0, -np.asarray(x, float))


def binary(lam: float, gain, tie: bool = False, eps: float = 0.0):
    """Probability of 'yes' in a two-way choice whose 'yes' pays ``gain`` more.

    At ``lam = inf``: 1 if ``gain > eps`` (``gain >= -eps`` when ``tie`` is
    true, i.e. ties go to 'yes'), else 0 -- the deterministic rule."""
    gain = np.asarray(gain, float)
    if math.isinf(lam):
        return ((gain >= -eps) if tie else (gain > eps)).astype(float)
    return sigmoid(lam * gain)


def softmax(lam: float, values, axis: int = 0):
    """Choice probabilities over ``axis``; ``-inf`` marks an option that is
    not available. At ``lam = inf``: all mass on the first maximum (as
    ``argmax``). A slice with no available option gets probability 0."""
    v = np.asarray(values, float)
    ok = np.isfinite(v)
    any_ok = ok.any(axis=axis, keepdims=True)
    if math.isinf(lam):
        best = np.where(ok, v, -np.inf).argmax(axis=axis)
        out = np.zeros_like(v)
        np.put_along_axis(out, np.expand_dims(best, axis), 1.0, axis=axis)
        return np.where(any_ok, out, 0.0)
    z = np.where(ok, lam * v, -np.inf)
    zmax = np.where(any_ok, z.max(axis=axis, keepdims=True), 0.0)
    e = np.where(ok, np.exp(z - zmax), 0.0)
    s = e.sum(axis=axis, keepdims=True)
    return np.where(any_ok, e / np.where(s > 0, s, 1.0), 0.0)


def logsumexp(lam: float, values, axis: int = 0):
    """log sum exp(lam * v) over ``axis`` (``-inf`` entries ignored)."""
    v = np.asarray(values, float)
    z = np.where(np.isfinite(v), lam * v, -np.inf)
    zmax = z.max(axis=axis, keepdims=True)
    zmax = np.where(np.isfinite(zmax), zmax, 0.0)
    return (zmax + np.log(np.exp(z - zmax).sum(axis=axis, keepdims=True))).squeeze(axis)


def probe_probability(theta, p):
    """Stage 3: the probability that the adversary probes a client with
    occupation threat ``theta`` (deterministic limit: ``theta > probe_threshold``)."""
    lam = p.precision_adversary
    gain = np.asarray(theta, float) - p.probe_threshold
    return binary(lam, gain)
