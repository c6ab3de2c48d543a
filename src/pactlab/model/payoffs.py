"""Payoffs of a group of clients under a treatment, vectorised over groups.

A *group* is a set of clients that act together in the design: a client
collective-security block, a lone client, or the set a patron brings into an
imposed multilateral. Its *treatment* is

* ``lcc``  -- the rank of the clients' pledge to each other (0 none, 1 consult, 2 defend),
* ``lp``   -- the rank of the patron's new pledge to each member (0 none),
* ``kind`` -- how the patron pledges: NONE, JOIN (one multilateral treaty with the
  block, H5), SPOKES (a bilateral treaty with each member) or IMPOSED (a
  multilateral the patron proposed to clients that had not committed, H3).

Every equation here is written out in ``docs/model.md`` (section 3); the
names match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pactlab.model import kernels
from pactlab.model.logit import probe_probability
from pactlab.model.theatre import Theatre
from pactlab.model.threat import csf, level_weight, occupation_threat

NONE, JOIN, SPOKES, IMPOSED = 0, 1, 2, 3
#: payoffs closer than this are equal (every comparison in the stages uses it)
EPS = 1e-12
KIND_NAMES = {NONE: "none", JOIN: "join", SPOKES: "spokes", IMPOSED: "imposed"}
#: names of the pledge ranks (lcc, lp)
LEVEL = {0: "none", 1: "consult", 2: "defend"}


@dataclass
class GroupEval:
    """Per-group, per-client results; client columns outside a group are 0
    except ``ext`` which is the group's effect on non-members."""

    theta: np.ndarray  # (m, n) occupation threat of members under the treatment
    defence: np.ndarray  # (m, n)
    probe: np.ndarray  # (m, n) bool: the adversary probes this member
    own: np.ndarray  # (m, n) members' payoff from their own group
    ext: np.ndarray  # (m, n) the group's externality on non-members
    patron: np.ndarray  # (m,) patron's payoff from this group
    entrapment: np.ndarray  # (m, n) entrapment risk the patron bears
    burden: np.ndarray  # (m, n) patron's share of the fighting
    assurance: np.ndarray  # (m, n)
    probe_p: np.ndarray | None = None  # (m, n) probability the adversary probes (logit; = probe at infinite precision)


@dataclass
class PairTerms:
    """The (group, partner, client) terms of :func:`evaluate` that depend only on the rows' groups
    and their pledge level (not on the patron's option), for rows of ``member`` at levels ``lcc``:
    computed once, they serve every option at that level (:meth:`rows` takes a range of rows).
    The dispute term also depends on whether a standing council relieves the row's disputes (a
    multilateral with the patron sets one up): ``disputes`` holds it for each case asked for."""

    d_clients: np.ndarray  # (m, n) the members' own defence: capability plus partners' pledged power
    has_mates: np.ndarray  # (m, n) bool: the client has a partner in its group
    in_force: np.ndarray  # (m, n) the strongest pledge in force among its partners
    w_mates: np.ndarray  # (m, j, i) the pledge weight partner j brings to i
    mates: np.ndarray | None  # (m, j, i) 1.0 where j is i's partner (numpy only)
    disputes: dict  # relieved or not (or "any", or "row": as given per row) -> (m, n) the dispute term

    def rows(self, sl: slice | np.ndarray) -> PairTerms:
        return PairTerms(self.d_clients[sl], self.has_mates[sl], self.in_force[sl], self.w_mates[sl],
                         None if self.mates is None else self.mates[sl], {k: v[sl] for k, v in self.disputes.items()})

    def dispute(self, relief_row: np.ndarray) -> np.ndarray:
        d = self.disputes
        if len(d) == 1:  # the same either way (no councils), or only one case asked for
            (k, v), = d.items()
            if k in ("any", "row") or bool(relief_row.all() if k else not relief_row.any()):
                return v
            raise ValueError("pair terms computed without the council case these rows need")
        return np.where(relief_row[:, None], d[True], d[False])


def pair_terms(th: Theatre, member: np.ndarray, lcc: np.ndarray, reliefs: tuple[bool, ...] = (False, True),
               jit: bool | None = None, relief_row: np.ndarray | None = None) -> PairTerms:
    """:class:`PairTerms` for these rows (each row computed on its own, as :func:`evaluate` does);
    ``reliefs``: the council cases to compute the dispute term for. With the compiled kernel,
    ``relief_row`` (each row's case) computes the dispute term for exactly those cases in one pass
    (``PairTerms.dispute`` then expects those rows)."""
    p = th.params
    ctx = th.ctx
    member = np.asarray(member, bool)
    m, n = member.shape
    lcc = np.asarray(lcc, int)
    jit = kernels.wanted() if jit is None else jit
    if jit:
        # the (group, partner, client) terms in compiled code where it pays (kernels.py: the same numbers)
        disputes = {}
        cases = [("row", relief_row)] if relief_row is not None else [
            (relief if p.m_council else "any", np.full(m, relief)) for relief in (reliefs if p.m_council else reliefs[:1])]
        for key, relief in cases:
            d_clients, has_mates, in_force, disp, w_mates = kernels.kernels().pair_terms(
                member, lcc, np.ascontiguousarray(th.prior_cc, dtype=np.int64), level_weight(np.arange(3), p),
                bool(p.m_cooperation and ctx.coop.any()), ctx.coop, float(p.cooperate_weight), th.cap, th.proj,
                th.dispute, ctx.council, relief, bool(p.m_council), float(p.council_relief),
                float(p.dispute_cost),
            )
            disputes[key] = disp
        return PairTerms(d_clients, has_mates, in_force, w_mates, None, disputes)
    offdiag = ~np.eye(n, dtype=bool)

    def weights(rank):
        # the share of j's power a pledge of this rank brings to i, by the pair's rank
        w = level_weight(rank, p)
        if p.m_cooperation and ctx.coop.any():
            # security cooperation without a pledge brings a share of the partner's power (T2)
            w = np.where((rank == 0) & ctx.coop, p.cooperate_weight, w)
        return w * offdiag  # none from i to itself

    # A pair of members pledges at the stronger of the group's level and the pledge in force, any
    # other pair at the pledge in force: the weights of both cases over (j, i), by level, looked up
    # per row (the same lookups as rank by rank, so the same numbers).
    by_level = weights(np.maximum(np.arange(3)[:, None, None], th.prior_cc[None]))  # (level, j, i)
    both = member[:, :, None] & member[:, None, :]  # (m, j, i)
    at_level = by_level[lcc]
    w_pair = np.where(both, at_level, weights(th.prior_cc)[None])  # (m, j, i)
    d_clients = th.cap[None, :] + np.einsum("bji,ji->bi", w_pair, th.proj)
    mates = both & offdiag  # (m, j, i)
    has_mates = member & (member.sum(axis=1) >= 2)[:, None]
    w_mates = np.where(both, at_level, 0.0)  # 0 from i to itself: by_level is
    disputes = {}
    if p.m_council:
        for relief in reliefs:
            # a standing council (in force, or the one a multilateral with the patron sets up) resolves disputes
            w_disp = w_mates * np.where(ctx.council[None] | relief, 1.0 - p.council_relief, 1.0)
            disputes[relief] = p.dispute_cost * np.einsum("bji,ji->bi", w_disp, th.dispute)
    else:
        disputes["any"] = p.dispute_cost * np.einsum("bji,ji->bi", w_mates, th.dispute)
    # the strongest pledge in force between a member and its partners: rank r or more wherever some
    # partner holds one (counts of such partners, a product of 0/1 matrices, exact)
    in_force = np.zeros((m, n), dtype=th.prior_cc.dtype)  # (m, i)
    on = member.astype(float)
    for r in range(1, int(th.prior_cc.max(initial=0)) + 1):
        in_force[member & (on @ ((th.prior_cc >= r) & offdiag).astype(float) > 0)] = r
    return PairTerms(d_clients, has_mates, in_force, w_mates, mates.astype(float), disputes)


def externality(th: Theatre, member: np.ndarray, theta: np.ndarray,
                segments: list[tuple[int, int]] | None = None) -> np.ndarray:
    """(m, n): each group's effect on everyone else (``GroupEval.ext``), from its members'
    occupation threat ``theta`` (0 off-group): their neighbours are more or less likely to be
    occupied (contagion). ``segments`` as in :func:`evaluate`."""
    weight = 1.0 - th.divergence[None, :]
    if segments is None:
        spill = theta @ th.prox  # theta is 0 off-group
    else:
        # one product per segment, each on its own copy: a matrix product's rounding may depend on
        # how many rows it is given, so each segment gets the numbers of an evaluation of it alone
        spill = np.concatenate([theta[a:b].copy() @ th.prox for a, b in segments])
    ext = -weight * th.params.neighbour_weight * spill
    return np.where(member, 0.0, ext)


def evaluate(th: Theatre, member: np.ndarray, lcc: np.ndarray, lp: np.ndarray, kind: np.ndarray,
             segments: list[tuple[int, int]] | None = None, jit: bool | None = None,
             pairs: PairTerms | None = None) -> GroupEval:
    """Every row's payoffs and everything behind them. Each row is computed on its own, except
    that the rounding of the one matrix product may depend on how many rows it is given:
    ``segments`` (row ranges covering every row, in order) gives the rows of each segment the
    numbers of an evaluation of that segment alone, so one call can stand for several. ``jit``
    chooses the compiled kernels (:mod:`pactlab.model.kernels`, the same numbers) or numpy only;
    ``None`` leaves it to the kernels' policy. ``pairs``: the rows' :class:`PairTerms`, computed
    once for several calls (:func:`pair_terms` with the same ``member``, ``lcc`` and ``jit``)."""
    p = th.params
    ctx = th.ctx
    member = np.asarray(member, bool)
    m, n = member.shape
    lcc = np.asarray(lcc, int)
    lp = np.asarray(lp, int)
    kind = np.asarray(kind, int)
    multi = (kind == JOIN) | (kind == IMPOSED)
    jit = kernels.wanted() if jit is None else jit
    relief_row = multi & (lp > 0)
    if pairs is None:
        pairs = pair_terms(th, member, lcc, (bool(relief_row.any()),) if relief_row.all() or not relief_row.any()
                           else (False, True), jit, relief_row if jit else None)
    d_clients, has_mates, in_force, w_mates = pairs.d_clients, pairs.has_mates, pairs.in_force, pairs.w_mates
    dispute = pairs.dispute(relief_row)

    lp_eff = np.where(member, np.maximum(lp[:, None], th.prior_patron[None, :]), th.prior_patron[None, :])
    w_p = level_weight(lp_eff, p)
    if p.m_cooperation and ctx.patron_coop.any():
        w_p = np.where((lp_eff == 0) & ctx.patron_coop[None, :], p.cooperate_weight, w_p)
    # A pledge is new only where it is above the pledge in force (a "spoke" to a
    # client that already holds it creates nothing, earns no leverage and brings
    # no linked outside power).
    new_pledge = member & (lp[:, None] > th.prior_patron[None, :])
    # H5: a patron pledge below the level the block pledged itself signals
    # disinterest to the adversary.
    cover = np.ones((m, n))
    if p.m_coverage_signal:
        under = member & (kind == SPOKES)[:, None] & (lp[:, None] > 0) & (lp[:, None] < lcc[:, None])
        cover = np.where(under, 1.0 - p.coverage_signal, 1.0)
    patron_part = w_p * th.patron_proj[None, :] * cover + np.where(
        new_pledge, level_weight(lp[:, None] * new_pledge, p) * th.outside_proj[None, :], 0.0
    )
    real_defence = d_clients + patron_part

    # The adversary side's reaction: aligned adversaries close part of the gap
    # to full alignment as the design creates new defence pledges (Park and DerSimonian).
    react = np.ones((m, n))
    if p.m_counter_alignment and p.counter_reaction > 0 and ctx.gap_power.any():
        new_defend = member & (((lp[:, None] == 2) & new_pledge) | ((lcc[:, None] == 2) & has_mates & (th.prior_cc.max(axis=0)[None, :] < 2)))
        share = new_defend.sum(axis=1) / n
        react = 1.0 + p.counter_reaction * share[:, None] * ctx.gap_power[None, :]
    # (the contest is homogeneous of degree zero, so more attacking power at a
    # client is the same as its defence divided by the same factor)
    defence = real_defence / react

    # Occupation threat along the most credible route (threat.py, docs/model.md 2.7).
    theta = occupation_threat(th, member, defence, jit)

    probe = member & (theta > p.probe_threshold)
    # the adversary's probe is a logit choice (docs/model.md, section 10); at
    # infinite precision probe_p is 0/1 and equals probe exactly
    probe_p = np.where(member, probe_probability(theta, p), 0.0)
    risk = theta * (1.0 + p.probe_escalation * probe_p)

    # The clients' own view: a pledge the patron has said will follow once
    # they organise (ANT1), and the patron honouring its pledges only with the
    # coded fulfilment rate (REL1).
    theta_cl = theta
    if ctx.anticipated > 0:
        ant = np.where(member & has_mates & (lcc[:, None] >= 1), p.anticipation * level_weight(ctx.anticipated, p), 0.0)
        theta_cl = occupation_threat(th, member, (real_defence + ant * th.patron_proj[None, :]) / react, jit)
    if ctx.reliability < 1.0:
        theta_np = occupation_threat(th, member, d_clients / react, jit)
        theta_cl = ctx.reliability * theta_cl + (1.0 - ctx.reliability) * theta_np
    trend = 1.0
    if p.m_trend_formation and th.trend != 0:
        trend = max(0.0, 1.0 + p.trend_formation * th.trend)
    risk_cl = trend * theta_cl * (1.0 + p.probe_escalation * probe_p)

    # Clients' payoff from their own group.
    weight = 1.0 - th.divergence[None, :]
    partner_threat = theta if p.m_obligation_under_pact else np.broadcast_to(th.theta_sq[None, :], (m, n))
    if jit:
        neighbour, obligation = kernels.kernels().mate_terms(
            member, w_mates, th.prox, np.ascontiguousarray(theta_cl), np.ascontiguousarray(partner_threat),
            float(p.obligation_cost))
    else:
        neighbour = np.einsum("bji,ji,bj->bi", pairs.mates, th.prox, theta_cl)
        obligation = p.obligation_cost * np.einsum("bji,bj->bi", w_mates, partner_threat)
    top_rank = np.maximum(np.maximum(np.where(member, lcc[:, None], 0), lp_eff), th.prior_cc.max(axis=1)[None, :])
    econ = p.econ_cost * th.econ[None, :] * level_weight(top_rank, p)
    formation = p.pledge_cost * level_weight(np.where(has_mates, lcc[:, None], 0), p)
    own = -weight * (risk_cl + p.neighbour_weight * neighbour) - obligation - dispute - econ - formation
    if ctx.rival_power.any():
        # a patron pledge also protects the client against its other principal threat (OTH1)
        rp = ctx.rival_power[None, :]
        shield = ctx.reliability * w_p * th.patron_proj[None, :]
        own = own + p.rival_value * (csf(rp, th.cap[None, :], p) - csf(rp, th.cap[None, :] + shield, p))
    own = np.where(member, own, 0.0)

    ext = externality(th, member, theta, segments)

    # Patron.
    allied = member & (lp_eff > 0)
    control = np.where(
        allied, np.where(multi[:, None] & (lp[:, None] > 0), p.control_multilateral, p.control_bilateral), 0.0
    )
    a_rank = np.array([0.0, p.assurance_consult, p.assurance_defend])
    assurance = np.where(member & (lcc[:, None] > 0), a_rank[np.minimum(lcc, 2)][:, None], 0.0)
    lost = p.imposed_discount * (1.0 - (p.lure if p.m_lure else 0.0))
    assurance = np.where((kind == IMPOSED)[:, None], assurance * (1.0 - lost), assurance)
    # a commitment in force among the members is indigenous, whatever the patron adds
    assurance = np.where(member, np.maximum(assurance, a_rank[in_force]), 0.0)
    # H1: the patron cannot tell a status-quo client from one that would drag
    # it into war; its suspicion is lowered by the clients' own commitment.
    provocation = th.provocation[None, :] + (p.suspicion if p.m_suspicion else 0.0)
    diverge = p.divergence_entrapment * th.divergence[None, :]
    if p.m_control_provocation_only:
        entrap = (provocation * (1 - control) + diverge) * (1 - assurance)
    else:
        entrap = (provocation + diverge) * (1 - control) * (1 - assurance)
    # expected war probability over the probe (each client's term depends on its own probe only)
    p_war = probe_p * np.minimum(1.0, theta * (1.0 + p.probe_escalation) + entrap) + (1.0 - probe_p) * np.minimum(
        1.0, theta * 1.0 + entrap
    )
    # Who fights beside the patron: in one multilateral treaty, every member
    # pledged to the client; under a spoke, the client alone.
    patron_only = w_p * th.patron_proj[None, :]
    beside = np.where(multi[:, None] & (lp[:, None] > 0), d_clients, th.cap[None, :])
    burden = np.where(allied, patron_only / np.maximum(patron_only + beside, 1e-300), 0.0)
    up_i = th.stake[None, :] * (p.access_value * allied - p.patron_threat_weight * risk) - allied * (
        p.war_cost * w_p * p_war * burden
    )
    up = np.where(member, up_i, 0.0).sum(axis=1)
    n_spokes = np.where(kind == SPOKES, new_pledge.sum(axis=1), 0)
    up = up + th.leverage * p.leverage_value * n_spokes
    return GroupEval(
        theta=theta, defence=np.where(member, real_defence, 0.0), probe=probe, own=own, ext=ext, patron=up,
        entrapment=np.where(allied, entrap, 0.0), burden=burden, assurance=assurance, probe_p=probe_p,
    )
