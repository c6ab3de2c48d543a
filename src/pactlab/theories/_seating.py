"""The probability model the rival theories share: clients ally, are seated
into treaty groups one by one, and each group picks a partner and a level.

A rival theory supplies four log-odds from the scenario (its claim) and
inherits the rest:

* client ``c`` allies with probability ``sigmoid(ally_logit(c))``,
  independently of every other client;
* the allied clients, in the scenario's order, are seated one by one: ``c``
  joins an existing group ``g`` with weight ``exp(join_logit(c, g))`` or starts
  a new group with weight 1;
* each group forms one treaty with the patron; a group of two or more forms a
  clients-only treaty instead with probability
  ``sigmoid(clients_only_logit(g))`` (always, when there is no patron); a
  single client without a patron forms none;
* the treaty is a defence pledge with probability ``sigmoid(defend_logit(g))``,
  else consultation.

This is the structure of the geography theory (:mod:`pactlab.theories.geography`),
so all rivals share one outcome space with it and their log-probabilities can
be compared case by case. Design probabilities are enumerated exactly for up
to :data:`EXACT_MAX` clients and estimated from :data:`DRAWS` seeded draws
above that (the prediction says which).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pactlab.designs import DESIGNS, design_label
from pactlab.evidence.episodes import region_of
from pactlab.scenarios.schema import Role, Scenario
from pactlab.theories.base import Outcome, OutcomeTreaty, Prediction, Theory, TheoryError

EXACT_MAX = 8
DRAWS = 10_000


def log_sig(x: float) -> float:
    """log(sigmoid(x)), stable for large |x|."""
    return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))


def sig(x: float) -> float:
    return math.exp(log_sig(x))


class Facts:
    """What the rival theories read from a scenario, computed once.

    Every field is a fact or a codebook-coded value already in the scenario:
    land routes from the adversary side (GEO1, GEO2, FOOT1), commitments in
    force (T1 pledges, T2 cooperation), client-client disputes (D1),
    provocation (PROV1), the threat trend (TREND1), COW regions from the
    state codes, capabilities (CAP1).
    """

    def __init__(self, s: Scenario):
        self.scenario_id = s.id
        self.clients: list[str] = [a.id for a in s.by_role(Role.client)]
        self.patron: str | None = s.patron.id if s.patron else None
        cl = set(self.clients)
        adv = {s.adversary.id} | {a.id for a in s.by_role(Role.aligned_adversary)}
        self.land = {c: False for c in self.clients}
        self.contiguous: set[frozenset] = set()
        self.distance: dict[frozenset, float] = {}
        for t in s.geography:
            self.distance[frozenset((t.a, t.b))] = float(t.distance_km)
            if not t.by_land:
                continue
            if t.a in cl and t.b in cl:
                self.contiguous.add(frozenset((t.a, t.b)))
            elif (t.a in adv and t.b in cl) or (t.b in adv and t.a in cl):
                self.land[t.b if t.a in adv else t.a] = True
        for f in s.footholds:
            if f.holder in adv and f.near in cl and f.by_land:
                self.land[f.near] = True
        # commitments in force: pledges (T1) and cooperation without a pledge (T2)
        self.tie: set[frozenset] = set()  # client pairs with any commitment in force
        self.pledge: set[frozenset] = set()  # client pairs with a pledge in force
        self.patron_tie = {c: False for c in self.clients}
        for t in s.treaties:
            mem = [m for m in t.members if m in cl]
            for i, a in enumerate(mem):
                for b in mem[i + 1:]:
                    self.tie.add(frozenset((a, b)))
                    if t.level.is_pledge:
                        self.pledge.add(frozenset((a, b)))
            if self.patron is not None and self.patron in t.members:
                for m in mem:
                    self.patron_tie[m] = True
        self.dispute: dict[frozenset, float] = {}
        for d in s.disputes:
            k = frozenset((d.a, d.b))
            self.dispute[k] = max(self.dispute.get(k, 0.0), float(d.intensity))
        self.provocation = {a.id: float(a.provocation.value) if a.provocation else 0.0 for a in s.clients}
        self.region = {a.id: region_of(a.ccode) if a.ccode is not None else None for a in s.actors}
        self.trend = float(s.threat_trend.value) if s.threat_trend is not None else 0.0
        self.capability = {a.id: float(a.capability.value) for a in s.actors}

    def same_region(self, a: str, b: str) -> bool:
        ra, rb = self.region.get(a), self.region.get(b)
        return ra is not None and ra == rb

    def tied(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.tie

    def disputed(self, a: str, b: str) -> float:
        return self.dispute.get(frozenset((a, b)), 0.0)


class SeatingTheory(Theory):
    """Base class of the rivals built on the shared seating model; a subclass
    sets ``name``, ``title``, ``citation``, ``specs`` and the four logits."""

    supports_log_prob = True

    # the theory's claim ------------------------------------------------------
    def ally_logit(self, f: Facts, c: str, p: Mapping[str, Any]) -> float:
        raise NotImplementedError

    def join_logit(self, f: Facts, c: str, group: Sequence[str], p: Mapping[str, Any]) -> float:
        raise NotImplementedError

    def clients_only_logit(self, f: Facts, group: Sequence[str], p: Mapping[str, Any]) -> float:
        return p["clients_only_base"]

    def defend_logit(self, f: Facts, group: Sequence[str], p: Mapping[str, Any]) -> float:
        raise NotImplementedError

    # the shared machinery ----------------------------------------------------
    def _seat(self, f: Facts, c: str, groups, p) -> list[float]:
        return [self.join_logit(f, c, g, p) for g in groups] + [0.0]

    def _designs(self, f: Facts, groups, p) -> list[tuple[float, str]]:
        if f.patron is None:
            return [(1.0, design_label((len(g), False) for g in groups if len(g) >= 2))]
        multi = [g for g in groups if len(g) >= 2]
        qs = [sig(self.clients_only_logit(f, g, p)) for g in multi]
        single = [(1, True) for g in groups if len(g) == 1]
        out = []
        for mask in range(1 << len(multi)):
            pr = 1.0
            forms = list(single)
            for i, g in enumerate(multi):
                own = bool(mask >> i & 1)
                pr *= qs[i] if own else 1.0 - qs[i]
                forms.append((len(g), not own))
            out.append((pr, design_label(forms)))
        return out

    def _exact(self, f: Facts, p) -> dict[str, float]:
        probs = {d: 0.0 for d in DESIGNS}

        def rec(k: int, lp: float, groups: list[list[str]]):
            if k == len(f.clients):
                for pr, d in self._designs(f, groups, p):
                    probs[d] += math.exp(lp) * pr
                return
            c = f.clients[k]
            a = self.ally_logit(f, c, p)
            rec(k + 1, lp + log_sig(-a), groups)
            logits = self._seat(f, c, groups, p)
            m = max(logits)
            lz = m + math.log(sum(math.exp(x - m) for x in logits))
            for j, x in enumerate(logits):
                new = [g + [c] if i == j else g for i, g in enumerate(groups)] if j < len(groups) else groups + [[c]]
                rec(k + 1, lp + log_sig(a) + x - lz, new)

        rec(0, 0.0, [])
        return probs

    def _sampled(self, f: Facts, p, draws: int = DRAWS, seed: int = 0) -> dict[str, float]:
        rng = np.random.default_rng(seed)
        n = len(f.clients)
        u = rng.random((draws, 2 * n))
        w = rng.random((draws, n))
        pa = [sig(self.ally_logit(f, c, p)) for c in f.clients]
        counts = {d: 0 for d in DESIGNS}
        cache: dict[tuple, list[float]] = {}  # cumulative seat weights by (client, groups so far)
        for r in range(draws):
            groups: list[list[str]] = []
            for k, c in enumerate(f.clients):
                if u[r, k] >= pa[k]:
                    continue
                key = (k, tuple(tuple(g) for g in groups))
                cum = cache.get(key)
                if cum is None:
                    acc, cum = 0.0, []
                    for x in self._seat(f, c, groups, p):
                        acc += math.exp(x)
                        cum.append(acc)
                    cache[key] = cum
                t = u[r, n + k] * cum[-1]
                j = next((i for i, v in enumerate(cum) if t < v), len(cum) - 1)
                if j < len(groups):
                    groups[j].append(c)
                else:
                    groups.append([c])
            forms = []
            for i, g in enumerate(groups):
                if f.patron is None:
                    if len(g) >= 2:
                        forms.append((len(g), False))
                elif len(g) == 1:
                    forms.append((1, True))
                else:
                    forms.append((len(g), w[r, i] >= sig(self.clients_only_logit(f, g, p))))
            counts[design_label(forms)] += 1
        return {d: v / draws for d, v in counts.items()}

    def _modal(self, f: Facts, p) -> Outcome:
        """Each choice at its most likely option, in order."""
        groups: list[list[str]] = []
        for c in f.clients:
            if self.ally_logit(f, c, p) <= 0:
                continue
            logits = self._seat(f, c, groups, p)
            j = int(np.argmax(logits))
            if j < len(groups):
                groups[j].append(c)
            else:
                groups.append([c])
        ts = []
        for g in groups:
            if f.patron is None and len(g) < 2:
                continue
            level = "defend" if self.defend_logit(f, g, p) > 0 else "consult"
            with_patron = f.patron is not None and (len(g) == 1 or self.clients_only_logit(f, g, p) <= 0)
            ts.append(OutcomeTreaty(frozenset(g), with_patron, level))
        return Outcome(frozenset(ts))

    def predict(self, scenario: Scenario, params: Mapping[str, Any] | None = None) -> Prediction:
        p = self.params(params)
        f = Facts(scenario)
        exact = len(f.clients) <= EXACT_MAX
        probs = self._exact(f, p) if exact else self._sampled(f, p)
        total = sum(probs.values())
        probs = {d: v / total for d, v in probs.items()}
        return Prediction(
            theory=self.name, scenario_id=scenario.id, parameters_digest=p.digest(), modal=self._modal(f, p),
            design_probabilities=probs, method="exact" if exact else "approximate",
            note="" if exact else f"design probabilities from {DRAWS:,} draws of the model (seed 0; standard error at most 0.005)",
        )

    def log_prob(self, scenario: Scenario, observed: Outcome, params: Mapping[str, Any] | None = None) -> float:
        p = self.params(params)
        f = Facts(scenario)
        groups = observed.groups()
        group_of = {c: g for g in groups for c in g}
        unknown = set(group_of) - set(f.clients)
        if unknown:
            raise TheoryError(f"observed treaty members are not clients of {scenario.id}: {sorted(unknown)}")
        lp = self._treaty_choices(scenario, f, observed, groups, p)
        return lp + hidden_singletons(f, group_of, lambda hidden: self._seating_path(f, group_of, hidden, p))

    def _seating_path(self, f: Facts, group_of, hidden: frozenset, p) -> float:
        """Log-probability of the allying and seating choices that give the observed
        groups, with the clients in ``hidden`` allied but alone (no patron: no treaty)."""
        lp = 0.0
        seated: list[frozenset] = []
        partial: dict[frozenset, list[str]] = {}
        for c in f.clients:
            a = self.ally_logit(f, c, p)
            g = group_of.get(c) or (frozenset((c,)) if c in hidden else None)
            if g is None:
                lp += log_sig(-a)
                continue
            lp += log_sig(a)
            logits = self._seat(f, c, [partial[x] for x in seated], p)
            m = max(logits)
            lz = m + math.log(sum(math.exp(x - m) for x in logits))
            if g in partial:
                lp += logits[seated.index(g)] - lz
                partial[g].append(c)
            else:
                lp += logits[-1] - lz
                seated.append(g)
                partial[g] = [c]
        return lp

    def _treaty_choices(self, scenario: Scenario, f: Facts, observed: Outcome, groups, p) -> float:
        lp = 0.0
        order = {c: k for k, c in enumerate(f.clients)}
        for g in groups:
            members = sorted(g, key=order.__getitem__)
            # a group observed as several treaties (an accession in two steps) is scored on its largest treaty
            t = max((t for t in observed.treaties if t.clients <= g), key=lambda t: (len(t.clients), t.level))
            if f.patron is None and len(g) == 1:
                raise TheoryError(f"{scenario.id} has no patron, and a single client without a patron forms no treaty "
                                  f"(observed: {t.text()})")
            if f.patron is None or len(g) == 1:
                if t.with_patron != (f.patron is not None):
                    raise TheoryError(
                        f"the {self.name} theory has no outcome {t.text(f.patron)} in {scenario.id}: "
                        + ("a single client allies with the patron" if f.patron else "there is no patron")
                    )
            else:
                q = self.clients_only_logit(f, members, p)
                lp += log_sig(-q) if t.with_patron else log_sig(q)
            x = self.defend_logit(f, members, p)
            lp += log_sig(x) if t.level == "defend" else log_sig(-x)
        return lp


def hidden_singletons(f, group_of, path) -> float:
    """Sum over the latent paths of an observed outcome. With a patron every
    allied client is in a visible treaty, so there is one path. Without one, a
    client in no treaty either did not ally or allied and stayed alone (a lone
    client without a patron forms none): sum over every such subset."""
    if f.patron is not None:
        return path(frozenset())
    free = [c for c in f.clients if c not in group_of]
    lps = []
    for mask in range(1 << len(free)):
        lps.append(path(frozenset(c for k, c in enumerate(free) if mask >> k & 1)))
    m = max(lps)
    return m + math.log(sum(math.exp(x - m) for x in lps))
