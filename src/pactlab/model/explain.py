"""Why the model predicts what it does: the decisive comparisons with their
margins, and each actor's ranking of the whole-theatre designs
(docs/model.md §6)."""

from __future__ import annotations

import numpy as np

from pactlab.model.clients import ClientGame, Selection
from pactlab.model.imposition import LoneOutcome
from pactlab.model.patron import GroupOutcome, GroupTable
from pactlab.model.payoffs import (
    EPS,
    IMPOSED,
    JOIN,
    LEVEL,
    NONE,
    SPOKES,
    evaluate,
    externality,
)
from pactlab.model.result import Comparison, Preference, TreatyPrediction
from pactlab.model.theatre import Theatre, masks_to_matrix, popcount

KIND = {NONE: "no pledge", JOIN: "join as one multilateral", SPOKES: "bilateral spokes", IMPOSED: "imposed multilateral"}


def comparisons(
    th: Theatre, game: ClientGame, sel: Selection, u: np.ndarray, lone: LoneOutcome,
    treaties: list[TreatyPrediction], outcome_of: dict[int, GroupOutcome],
) -> list[Comparison]:
    """The decisive comparisons, stage by stage: threats, the clients'
    structure, the patron's design, imposition, durability, the adversary."""
    out: list[Comparison] = []
    _threats(th, out)
    _structure(th, game, sel, u, out)
    _stage2(th, game, sel.blocks, lone, out)
    _durability(th, treaties, out)
    _adversary(th, outcome_of, out)
    return out


def _threats(th: Theatre, out: list[Comparison]) -> None:
    params = th.params
    for i in range(th.n):
        out.append(
            Comparison(
                "threat", th.ids[i], f"occupation threat {th.theta_sq[i]:.3f}", "probe threshold",
                float(th.theta_sq[i] - params.probe_threshold),
                f"adversary power at {th.ids[i]} {th.adv_power[i]:.4g} vs defence {th.base_defence[i]:.4g}",
                "H6/H7",
            )
        )


def _structure(th: Theatre, game: ClientGame, sel: Selection, u: np.ndarray, out: list[Comparison]) -> None:
    """The closest profitable move from the chosen structure."""
    blocks, U = sel.blocks, sel.U

    def label_struct(b, Um):
        parts = [th.label(x) for x in b] + [th.label(1 << i) for i in th.members(Um)]
        return " | ".join(parts) if parts else "(none)"

    best_dev = None
    for atom, _src, dst, new, mover, consent in game.deviations(blocks, U, u):
        if consent.size and consent.min() < -EPS:
            continue
        g = float(mover.min())
        if best_dev is None or g > best_dev[0]:
            best_dev = (g, atom, dst, new)
    if best_dev is not None:
        g, atom, dst, new = best_dev
        where = "alone" if dst is None else f"join {th.label(dst)}"
        out.append(
            Comparison(
                "clients", th.label(atom), f"stay ({label_struct(blocks, U)})", f"{where} ({label_struct(*new)})",
                -g, "individual stability: the closest profitable move", "H6",
            )
        )


def _stage2(th: Theatre, game: ClientGame, blocks: tuple[int, ...], lone: LoneOutcome, out: list[Comparison]) -> None:
    """Each block's level, the patron's choice for each group, and imposition."""
    s = th.scenario
    imposed_mask = lone.group.mask if lone.group is not None else 0
    for b in blocks:
        if b & imposed_mask:
            continue
        g = game.block_tab[b]
        # level choice: each member's preferred level against the other one
        for i, pref in g.level_pref.items():
            vals = g.level_values[i]
            if len(vals) > 1:
                other = [l for l in vals if l != pref]
                out.append(
                    Comparison(
                        "clients", th.ids[i], f"{LEVEL[pref]} pledge within {th.label(b)}",
                        f"{LEVEL[other[0]]} pledge", vals[pref] - vals[other[0]],
                        "block level is the lowest any member prefers", "H5",
                    )
                )
        _patron(th, g, out, f"block {th.label(b)}")
    for i, g in lone.singles.items():
        if lone.group is None or not (lone.group.mask >> i & 1):
            _patron(th, g, out, f"lone {th.ids[i]}")
    imp = lone.imposition
    if imp is not None:
        for r, margins in enumerate(imp.rounds):
            for i, mgn in margins.items():
                out.append(
                    Comparison(
                        "imposition", th.ids[i], "accept the patron's multilateral" if mgn >= -EPS else "refuse it",
                        "the alternative", abs(mgn), f"round {r + 1}: payoff with the multilateral minus without",
                        "H3/H4",
                    )
                )
        if imp.fails:
            # nothing would form: the margin is the cost of a refused proposal, not a payoff difference
            chosen, alt = "no imposed multilateral", f"proposing one to {th.label(imp.proposed)}"
            why = "fewer than two units would accept: a proposal fails and costs the patron its failed-proposal cost"
        else:
            chosen = "impose a multilateral" if imp.imposed else "no imposed multilateral"
            alt, why = "the alternative", "patron's payoff from imposing on the clients who accept minus its fallback"
        out.append(Comparison("imposition", s.patron.id if s.patron else "patron", chosen, alt, abs(imp.patron_margin),
                              why, "H1/H3/H4"))


def _patron(th: Theatre, g: GroupOutcome, out: list[Comparison], what: str) -> None:
    if not th.has_patron or len(g.options) < 2:
        return
    chosen = next(o for o in g.options if o.kind == g.kind and o.lp == g.lp)
    rest = [o for o in g.options if o is not chosen]
    alt = max(rest, key=lambda o: o.patron)
    out.append(
        Comparison(
            "patron", th.scenario.patron.id, f"{KIND[chosen.kind]} ({LEVEL[chosen.lp]}) for {what}",
            f"{KIND[alt.kind]} ({LEVEL[alt.lp]})", chosen.patron - alt.patron,
            "entrapment and burden against deterrence, access and leverage", "H1/H4/H5",
        )
    )


def _durability(th: Theatre, treaties: list[TreatyPrediction], out: list[Comparison]) -> None:
    params = th.params
    for t in treaties:
        out.append(
            Comparison(
                "durability", t.id, f"{t.durability} (expected {t.expected_years:.1f} years)",
                f"{'short' if t.durability == 'long' else 'long'} (the {params.long_years:.0f}-year line)",
                abs(t.expected_years - params.long_years),
                "hazard: " + ", ".join(f"{k} {v:+.2f}" for k, v in t.hazard_terms.items() if k != "base" and abs(v) > 1e-9),
                "H2/H3",
            )
        )


def _adversary(th: Theatre, outcome_of: dict[int, GroupOutcome], out: list[Comparison]) -> None:
    params = th.params
    for i in range(th.n):
        g = outcome_of[i]
        probed = bool(g.probe[i])
        out.append(
            Comparison(
                "adversary", th.scenario.adversary.id, f"{'probe' if probed else 'leave'} {th.ids[i]}",
                "the other", abs(float(g.theta[i]) - params.probe_threshold),
                f"threat after the design {float(g.theta[i]):.3f} vs threshold {params.probe_threshold}",
                "adversary response",
            )
        )


def _known(tables, mask: int, lcc: int, lp: int, kind: int):
    """(evaluation, row) of the first table that evaluated this row, or None."""
    for t in tables:
        hit = t.evaluated(mask, lcc, kind, lp)
        if hit is not None:
            return hit
    return None


def preferences(th: Theatre, tables: tuple[GroupTable, ...] = ()) -> list[Preference]:
    """Each actor's ranking of the whole-theatre designs open to it (docs/model.md §6). Rows
    that one of the stage 2 ``tables`` has evaluated already are read from it."""
    n = th.n
    full = (1 << n) - 1
    can = sum(1 << i for i in range(n) if th.pledge_cap[i] >= 1)
    designs = {"no alliance": [], "bilateral spokes": [], "clients' own collective security": [], "one multilateral": []}
    rows = []  # (design, mask, lcc, lp, kind)
    for i in range(n):
        rows.append(("no alliance", 1 << i, 0, 0, NONE))
        rows.append(("bilateral spokes", 1 << i, 0, min(2, th.patron_max), SPOKES if th.patron_max else NONE))
    if popcount(can) >= 2:
        lcc = 2 if th.pledge_cap[th.members(can)].min() >= 2 else 1
        rows.append(("clients' own collective security", can, lcc, 0, NONE))
        if th.patron_max >= lcc:  # H5: the patron joins at the clients' own level or not at all
            rows.append(("one multilateral", can, lcc, lcc, JOIN))
        else:
            designs.pop("one multilateral")
        for i in th.members(full & ~can):
            for d in ("clients' own collective security", "one multilateral"):
                if d in designs:
                    rows.append((d, 1 << i, 0, 0, NONE))
    else:
        # with fewer than two clients able to pledge, there is no multi-client design to rank
        designs.pop("clients' own collective security")
        designs.pop("one multilateral")
    if not th.has_patron or th.patron_max == 0:
        designs.pop("bilateral spokes", None)
        designs.pop("one multilateral", None)
        rows = [r for r in rows if r[0] in designs]
    arr = np.array([r[1:] for r in rows], dtype=np.int64)
    member = masks_to_matrix(arr[:, 0], n)
    # each row's own terms from the tables where they hold it (the same numbers: each row is
    # computed on its own), the others in one evaluation; the externality, whose matrix product
    # may round with the number of rows, for all the rows together as one evaluation of them would
    got = [_known(tables, *map(int, a)) for a in arr]
    missing = [k for k, g in enumerate(got) if g is None]
    if missing:
        ev = evaluate(th, member[missing], arr[missing, 1], arr[missing, 2], arr[missing, 3])
        for j, k in enumerate(missing):
            got[k] = (ev, j)
    own = [g[0].own[g[1]] for g in got]
    patron = [float(g[0].patron[g[1]]) for g in got]
    probe = [g[0].probe[g[1]] for g in got]
    theta = np.stack([g[0].theta[g[1]] for g in got])
    ext = externality(th, member, theta)
    client_val = {d: np.zeros(n) for d in designs}
    patron_val = {d: 0.0 for d in designs}
    adv_val = {d: 0.0 for d in designs}
    for k, r in enumerate(rows):
        client_val[r[0]] += own[k] + ext[k]
        patron_val[r[0]] += patron[k]
        # the adversary's payoff as in stage 3: theta minus the threshold over the clients it probes
        adv_val[r[0]] += float(((theta[k] - th.params.probe_threshold) * probe[k]).sum())
    out = []

    def pref(actor, role, vals):
        order = sorted(vals, key=lambda d: -vals[d])
        margin = vals[order[0]] - vals[order[1]] if len(order) > 1 else 0.0
        out.append(Preference(actor, role, order[0], margin, dict(vals)))

    for i in range(n):
        pref(th.ids[i], "client", {d: float(client_val[d][i]) for d in designs})
    if th.has_patron:
        pref(th.scenario.patron.id, "patron", patron_val)
    pref(th.scenario.adversary.id, "adversary", {d: adv_val[d] for d in designs})
    return out

