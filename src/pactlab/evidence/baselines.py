"""Baselines for the design backtest (T1), from the same inputs the model gets.

Every baseline returns a *grouping*: a list of client groups, each a treaty with the patron. A client
in no group is predicted to get a bilateral treaty of its own (for scoring, "alone").

* :func:`all_bilateral` -- every client alone (hub and spoke).
* :func:`all_multilateral` -- all clients in one treaty.
* :func:`contiguity_clusters` -- clients joined by a chain of land borders (COW conttype 1, in the
  theatre's geography) share a treaty.
* :class:`PairLogit` -- a logistic regression on client pairs (:data:`PAIR_FEATURES`), fitted with
  statsmodels on the episodes of earlier windows only (expanding window); pairs with a fitted
  probability of at least 0.5 share a treaty, and treaties are the connected components.

Pair features come from the built scenario (:func:`pair_features`), i.e. from data before the
window, never from the alliance being predicted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pactlab.scenarios.schema import Contiguity, Role, Scenario

#: pair features of the logit baseline (order matters: it is the design-matrix order)
PAIR_FEATURES = (
    "land",  # the two clients share a land border
    "sea",  # they are separated by up to 400 miles of water
    "log_distance",  # log(1 + distance in 100 km)
    "prior_pact",  # a client-client pact between them is in force (consult or defend)
    "adv_land_both",  # both are land-contiguous to the adversary (or it has a foothold by land)
    "log_cap_min",  # log of the weaker one's capability
    "log_n_clients",  # log of the number of clients in the episode
)
#: ridge penalty of the logit, fixed a priori (features are standardised on the training set)
RIDGE_ALPHA = 0.01
MIN_TRAIN_PAIRS = 20


def components(items: Sequence[int], edges) -> list[tuple[int, ...]]:
    """Connected components (as sorted tuples, in order of their first item) of a graph."""
    parent = {x: x for x in items}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a in parent and b in parent:
            parent[find(a)] = find(b)
    comp: dict[int, list[int]] = {}
    for x in items:
        comp.setdefault(find(x), []).append(x)
    return sorted((tuple(sorted(v)) for v in comp.values()), key=lambda g: g[0])


def all_bilateral(clients: Sequence[int]) -> list[tuple[int, ...]]:
    return [(c,) for c in clients]


def all_multilateral(clients: Sequence[int]) -> list[tuple[int, ...]]:
    return [tuple(clients)]


@dataclass(frozen=True)
class TheatreFacts:
    """What the baselines read from a built scenario, keyed by COW code."""

    clients: tuple[int, ...]
    contiguity: dict[frozenset, str]  # client pair / (client, adversary) -> land|sea|remote
    distance: dict[frozenset, float]
    prior_cc: set[frozenset]  # client pairs with a pact in force
    adv_land: dict[int, bool]  # client -> adversary side reaches it by land (border or foothold)
    capability: dict[int, float]


def theatre_facts(s: Scenario) -> TheatreFacts:
    code = {a.id: a.ccode for a in s.actors}
    clients = tuple(a.ccode for a in s.clients)
    adv_ids = {s.adversary.id} | {a.id for a in s.by_role(Role.aligned_adversary)}
    cont: dict[frozenset, str] = {}
    dist: dict[frozenset, float] = {}
    adv_land = {c: False for c in clients}
    for t in s.geography:
        k = frozenset((code[t.a], code[t.b]))
        cont[k] = t.contiguity.value
        dist[k] = float(t.distance_km)
        if (t.a in adv_ids) != (t.b in adv_ids):
            other = code[t.b] if t.a in adv_ids else code[t.a]
            if other in adv_land and t.contiguity is Contiguity.land:
                adv_land[other] = True
    for f in s.footholds:
        if f.holder in adv_ids and code.get(f.near) in adv_land and f.by_land:
            adv_land[code[f.near]] = True
    prior = set()
    cl = set(clients)
    for t in s.treaties:
        if not t.level.is_pledge:  # security cooperation without a pledge (T2) is not a pact
            continue
        mem = [code[m] for m in t.members if code.get(m) in cl]
        for i, a in enumerate(mem):
            for b in mem[i + 1:]:
                prior.add(frozenset((a, b)))
    cap = {a.ccode: float(a.capability.value) for a in s.clients}
    return TheatreFacts(clients, cont, dist, prior, adv_land, cap)


def contiguity_clusters(f: TheatreFacts) -> list[tuple[int, ...]]:
    edges = [tuple(k) for k, v in f.contiguity.items() if v == "land" and all(x in f.clients for x in k)
             and len(k) == 2]
    return components(list(f.clients), edges)


def pair_features(f: TheatreFacts) -> list[tuple[int, int, list[float]]]:
    """(a, b, features) for every client pair a < b, in :data:`PAIR_FEATURES` order."""
    out = []
    cs = sorted(f.clients)
    ln = math.log(len(cs))
    for i, a in enumerate(cs):
        for b in cs[i + 1:]:
            k = frozenset((a, b))
            kind = f.contiguity.get(k, "remote")
            d = f.distance.get(k, float("nan"))
            out.append((a, b, [
                float(kind == "land"), float(kind == "sea"),
                math.log1p((d if d == d else 0.0) / 100.0),
                float(k in f.prior_cc), float(f.adv_land[a] and f.adv_land[b]),
                math.log(max(min(f.capability[a], f.capability[b]), 1e-9)), ln,
            ]))
    return out


class PairLogit:
    """Logistic regression of "the two clients share a treaty with the patron" on pair features.

    ``fit`` standardises the features on the training rows and fits a ridge-penalised binomial
    GLM (statsmodels, fixed penalty :data:`RIDGE_ALPHA`). With fewer than :data:`MIN_TRAIN_PAIRS`
    rows or only one outcome class, it falls back to the training majority (``fallback`` says so).
    """

    def __init__(self):
        self.params: np.ndarray | None = None
        self.mean = self.std = None
        self.constant: float | None = None
        self.fallback: str | None = None
        self.n_train = 0

    def fit(self, X: np.ndarray, y: np.ndarray) -> "PairLogit":
        X = np.asarray(X, dtype=float).reshape(-1, len(PAIR_FEATURES))
        y = np.asarray(y, dtype=float)
        self.n_train = len(y)
        if len(y) < MIN_TRAIN_PAIRS or len(set(y.tolist())) < 2:
            self.constant = float(y.mean() >= 0.5) if len(y) else 0.0
            self.fallback = (f"{len(y)} training pairs" if len(y) < MIN_TRAIN_PAIRS else "one outcome class") + \
                f": predicts the majority ({'shared' if self.constant else 'not shared'})"
            return self
        import statsmodels.api as sm

        self.mean = X.mean(axis=0)
        sd = X.std(axis=0)
        self.std = np.where(sd > 0, sd, 1.0)
        Z = sm.add_constant((X - self.mean) / self.std, has_constant="add")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y, Z, family=sm.families.Binomial()).fit_regularized(
                alpha=RIDGE_ALPHA, L1_wt=0.0, maxiter=200)
        self.params = np.asarray(res.params, dtype=float)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float).reshape(-1, len(PAIR_FEATURES))
        if self.params is None:
            return np.full(len(X), self.constant if self.constant is not None else 0.0)
        Z = np.column_stack([np.ones(len(X)), (X - self.mean) / self.std])
        return 1.0 / (1.0 + np.exp(-(Z @ self.params)))

    def grouping(self, clients: Sequence[int], feats: list[tuple[int, int, list[float]]]
                 ) -> tuple[list[tuple[int, ...]], dict[str, float]]:
        """Predicted grouping (components of pairs with p >= 0.5) and each pair's probability."""
        if not feats:
            return [(c,) for c in clients], {}
        p = self.predict_proba(np.array([f for _, _, f in feats]))
        probs = {f"{a}-{b}": float(q) for (a, b, _), q in zip(feats, p)}
        edges = [(a, b) for (a, b, _), q in zip(feats, p) if q >= 0.5]
        return components(list(clients), edges), probs
