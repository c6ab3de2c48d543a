"""``solve(scenario)``: the model's prediction for one theatre, with reasons."""

from __future__ import annotations

import numpy as np

from pactlab import __version__
from pactlab.model.game import EPS, GroupOutcome, Solver, popcount
from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, evaluate
from pactlab.model.result import (
    ClientState,
    Comparison,
    Preference,
    Result,
    StableStructure,
    TreatyPrediction,
)
from pactlab.model.theatre import Theatre, compile_theatre, level_weight, masks_to_matrix
from pactlab.scenarios.loader import scenario_hash
from pactlab.scenarios.schema import Scenario

LEVEL = {0: "none", 1: "consult", 2: "defend"}
KIND = {NONE: "no pledge", JOIN: "join as one multilateral", SPOKES: "bilateral spokes", IMPOSED: "imposed multilateral"}


def _form(n_clients: int, with_patron: bool) -> str:
    size = n_clients + (1 if with_patron else 0)
    return "bilateral" if size == 2 else "trilateral" if size == 3 else "multilateral"


def durability(th: Theatre, clients: list[int], lcc: int, imposed: bool) -> tuple[float, dict[str, float]]:
    """Yearly hazard of a treaty ending and its log-hazard terms (docs/model.md §5)."""
    p = th.params
    idx = np.array(clients)
    pairs = [(a, b) for k, a in enumerate(clients) for b in clients[k + 1 :]]
    disp = float(np.mean([th.dispute[a, b] for a, b in pairs])) if pairs else 0.0
    indigenous = 0.0 if imposed else float(level_weight(lcc, p))
    terms = {
        "base": float(np.log(p.base_hazard)),
        "imposed": p.hazard_imposed * float(imposed),
        "indigenous commitment": -p.hazard_indigenous * indigenous,
        "occupation threat": -p.hazard_threat * float(th.theta_sq[idx].mean()),
        "provocation": p.hazard_provocation * float(th.provocation[idx].mean()),
        "threat divergence": p.hazard_divergence * float(th.divergence[idx].mean()),
        "disputes": p.hazard_dispute * disp,
        "trade dependence": p.hazard_econ * float(th.econ[idx].mean()),
        "threat trend": -p.hazard_trend * th.trend,
    }
    return float(np.exp(sum(terms.values()))), terms


def _select(solver: Solver, stable, welfare):
    """Pareto-efficient (for the clients) first, then the largest total client
    payoff, then the fewest groups."""
    k = len(stable)
    us = [solver.payoff(*s) for s in stable]
    efficient = []
    for a in range(k):
        dominated = any(
            np.all(us[b] >= us[a] - EPS) and np.any(us[b] > us[a] + EPS) for b in range(k) if b != a
        )
        efficient.append(not dominated)
    # welfare compared to 9 decimals so that rounding noise cannot override the next rule
    order = sorted(
        range(k), key=lambda a: (not efficient[a], -round(welfare[a], 9), len(stable[a][0]) + popcount(stable[a][1]))
    )
    return order[0], efficient


def solve(scenario: Scenario, params: Parameters = DEFAULT) -> Result:
    th = compile_theatre(scenario, params)
    solver = Solver(th)
    s = scenario
    n = th.n
    comparisons: list[Comparison] = []
    notes: list[str] = []

    stable = solver.stable_structures()
    if stable:
        welfare = [float(solver.payoff(*st).sum()) for st in stable]
        pick, efficient = _select(solver, stable, welfare)
        chosen = stable[pick]
        if len(stable) == 1:
            reason = "the only individually stable structure"
        else:
            reason = (
                f"{len(stable)} structures are individually stable; "
                f"{sum(efficient)} are Pareto-efficient for the clients; the selected one gives the clients the largest total payoff"
            )
    else:
        # No stable structure: keep the commitments in force (the status quo).
        chosen = (tuple(a for a in th.atoms if popcount(a) >= 2), sum(a for a in th.atoms if popcount(a) == 1))
        welfare, efficient, pick = [], [], -1
        reason = "no structure is individually stable (the coalition dynamics cycle); the commitments in force are kept"
        notes.append(reason)
    blocks, U = chosen
    u = solver.payoff(blocks, U)
    lone = solver.lone(U)

    # ---------------- threats (H6, H7) ----------------
    for i in range(n):
        comparisons.append(
            Comparison(
                "threat", th.ids[i], f"occupation threat {th.theta_sq[i]:.3f}", "probe threshold",
                float(th.theta_sq[i] - params.probe_threshold),
                f"adversary power at {th.ids[i]} {th.adv_power[i]:.4g} vs defence {th.base_defence[i]:.4g}",
                "H6/H7",
            )
        )

    # ---------------- clients' structure ----------------
    def label_struct(b, Um):
        parts = [th.label(x) for x in b] + [th.label(1 << i) for i in th.members(Um)]
        return " | ".join(parts) if parts else "(none)"

    best_dev = None
    for atom, _src, dst, new, mover, consent in solver.deviations(blocks, U, u):
        if consent.size and consent.min() < -EPS:
            continue
        g = float(mover.min())
        if best_dev is None or g > best_dev[0]:
            best_dev = (g, atom, dst, new)
    if best_dev is not None:
        g, atom, dst, new = best_dev
        where = "alone" if dst is None else f"join {th.label(dst)}"
        comparisons.append(
            Comparison(
                "clients", th.label(atom), f"stay ({label_struct(blocks, U)})", f"{where} ({label_struct(*new)})",
                -g, "individual stability: the closest profitable move", "H6",
            )
        )

    # ---------------- stage 2 outcomes ----------------
    outcome_of: dict[int, GroupOutcome] = {}
    for b in blocks:
        g = solver.block_tab[b]
        for i in th.members(b):
            outcome_of[i] = g
        # level choice
        for i, pref in g.level_pref.items():
            vals = g.level_values[i]
            if len(vals) > 1:
                other = [l for l in vals if l != g.lcc]
                comparisons.append(
                    Comparison(
                        "clients", th.ids[i], f"{LEVEL[pref]} pledge within {th.label(b)}",
                        f"{LEVEL[other[0]]} pledge", vals[pref] - vals[other[0]],
                        "block level is the lowest any member prefers", "H5",
                    )
                )
        _patron_comparisons(th, g, comparisons, f"block {th.label(b)}")
    for i, g in lone.singles.items():
        outcome_of.setdefault(i, g)
        if lone.group is None or not (lone.group.mask >> i & 1):
            _patron_comparisons(th, g, comparisons, f"lone {th.ids[i]}")
    if lone.group is not None:
        for i in th.members(lone.group.mask):
            outcome_of[i] = lone.group
    imp = lone.imposition
    if imp is not None:
        for r, margins in enumerate(imp.rounds):
            for i, mgn in margins.items():
                comparisons.append(
                    Comparison(
                        "imposition", th.ids[i], "accept the patron's multilateral" if mgn >= -EPS else "refuse it",
                        "the alternative", abs(mgn), f"round {r + 1}: payoff with the multilateral minus without",
                        "H3/H4",
                    )
                )
        comparisons.append(
            Comparison(
                "imposition", s.patron.id if s.patron else "patron",
                "impose a multilateral" if imp.imposed else "no imposed multilateral",
                "the alternative", abs(imp.patron_margin),
                "patron's payoff from imposing on the clients who accept minus its fallback", "H1/H3/H4",
            )
        )

    # ---------------- treaties ----------------
    treaties: list[TreatyPrediction] = []
    pid = s.patron.id if s.patron else None

    def add(clients_idx: list[int], with_patron: bool, lcc: int, level: int, origin: str, imposed: bool):
        cl = tuple(th.ids[i] for i in clients_idx)
        members = ((pid,) if with_patron else ()) + cl
        hz, terms = durability(th, clients_idx, lcc, imposed)
        years = 1.0 / hz
        treaties.append(
            TreatyPrediction(
                id="-".join(members), members=members, clients=cl, with_patron=with_patron, level=LEVEL[level],
                form=_form(len(cl), with_patron), origin=origin, hazard=hz, expected_years=years,
                durability="long" if years >= params.long_years else "short", hazard_terms=terms,
            )
        )

    for b in blocks:
        g = solver.block_tab[b]
        mem = th.members(b)
        # a block that is exactly a pact (or chain of pacts) in force is not a new treaty
        existing = b in th.atoms
        if g.kind == JOIN:
            if existing and all(th.prior_patron[i] >= g.lcc for i in mem):
                continue  # the patron's pact with this block is already in force
            add(mem, True, g.lcc, g.lcc, "joined", False)
        else:
            if not existing:
                add(mem, False, g.lcc, g.lcc, "indigenous", False)
            if g.kind == SPOKES:
                for i in mem:
                    if th.prior_patron[i] < g.lp:
                        add([i], True, 0, g.lp, "spoke", False)
    if lone.group is not None:
        g = lone.group
        add(th.members(g.mask), True, g.lcc, g.lcc, "imposed", True)
    for i, g in lone.singles.items():
        if lone.group is not None and lone.group.mask >> i & 1:
            continue
        if g.kind == SPOKES and th.prior_patron[i] < g.lp:
            add([i], True, 0, g.lp, "spoke", False)

    with_p = [t for t in treaties if t.with_patron]
    if any(len(t.clients) >= 3 for t in with_p):
        design = "multilateral"
    elif with_p:
        forms = {t.form for t in with_p}
        design = forms.pop() if len(forms) == 1 else "hub-and-spoke"
    elif treaties:
        design = "clients-only"
    else:
        design = "none"

    for t in treaties:
        comparisons.append(
            Comparison(
                "durability", t.id, f"{t.durability} (expected {t.expected_years:.1f} years)",
                f"{'short' if t.durability == 'long' else 'long'} (the {params.long_years:.0f}-year line)",
                abs(t.expected_years - params.long_years),
                "hazard: " + ", ".join(f"{k} {v:+.2f}" for k, v in t.hazard_terms.items() if k != "base" and abs(v) > 1e-9),
                "H2/H3",
            )
        )

    # ---------------- adversary (stage 3) ----------------
    client_states = []
    for i in range(n):
        g = outcome_of[i]
        probed = bool(g.probe[i])
        comparisons.append(
            Comparison(
                "adversary", s.adversary.id, f"{'probe' if probed else 'leave'} {th.ids[i]}",
                "the other", abs(float(g.theta[i]) - params.probe_threshold),
                f"threat after the design {float(g.theta[i]):.3f} vs threshold {params.probe_threshold}",
                "adversary response",
            )
        )
        group_mask = g.mask if popcount(g.mask) >= 2 else 1 << i
        client_states.append(
            ClientState(
                id=th.ids[i], name=th.names[i], capability=float(th.cap[i]), adversary_power=float(th.adv_power[i]),
                threat_status_quo=float(th.theta_sq[i]), threat=float(g.theta[i]),
                defence=float(g.defence[i]), probed=probed,
                group=tuple(th.ids[j] for j in th.members(group_mask)),
                pledge_to_clients=LEVEL[int(g.lcc)] if popcount(g.mask) >= 2 else "none",
                patron_pledge=LEVEL[max(int(g.lp), int(th.prior_patron[i]))], payoff=float(u[i]),
            )
        )

    stable_out = []
    for k, (b, Um) in enumerate(stable):
        stable_out.append(
            StableStructure(
                blocks=tuple(tuple(th.ids[i] for i in th.members(x)) for x in b),
                lone=tuple(th.ids[i] for i in th.members(Um)),
                client_welfare=welfare[k], pareto_efficient=efficient[k], selected=(k == pick),
            )
        )

    return Result(
        scenario_id=s.id, scenario_title=s.title, scenario_hash=scenario_hash(s), parameters_digest=params.digest(),
        pactlab_version=__version__, patron=pid, adversary=s.adversary.id, design=design, treaties=tuple(treaties),
        clients=tuple(client_states), stable=tuple(stable_out), selection_reason=reason,
        preferences=tuple(preferences(th)), comparisons=tuple(comparisons),
        counter_alignment={k: (th.alignment_unlinked[k], th.alignment[k]) for k in th.alignment},
        notes=tuple(notes),
    )


def _patron_comparisons(th: Theatre, g: GroupOutcome, out: list[Comparison], what: str) -> None:
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


def preferences(th: Theatre) -> list[Preference]:
    """Each actor's ranking of the whole-theatre designs open to it (docs/model.md §6)."""
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
    ev = evaluate(th, masks_to_matrix(arr[:, 0], n), arr[:, 1], arr[:, 2], arr[:, 3])
    client_val = {d: np.zeros(n) for d in designs}
    patron_val = {d: 0.0 for d in designs}
    adv_val = {d: 0.0 for d in designs}
    for k, r in enumerate(rows):
        client_val[r[0]] += ev.own[k] + ev.ext[k]
        patron_val[r[0]] += float(ev.patron[k])
        # the adversary's payoff as in stage 3: theta minus the threshold over the clients it probes
        adv_val[r[0]] += float(((ev.theta[k] - th.params.probe_threshold) * ev.probe[k]).sum())
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

