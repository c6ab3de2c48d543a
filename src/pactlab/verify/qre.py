"""Cross-check of the logit model against pygambit's agent logit QRE.

On the patron--two-clients--adversary tree of :mod:`pactlab.verify.gametree`
the clients' stage-1 moves become a chance node carrying the model's stage-1
probabilities (:mod:`pactlab.model.outcome`); below it every subtree is a
subgame, and the agent logit QRE of a subgame does not depend on anything
above it. Each subgame is solved with ``pygambit.qre.logit_solve_lambda`` at
one lambda, each player's payoffs scaled by its own precision over lambda,
bottom-up: a solved subgame is replaced by a leaf with its QRE expected
payoffs (perfect information, so this is the agent QRE of the whole
subtree), keeping every gambit call to a few dozen leaves. The
probabilities at every decision node are compared with the model's:

* the pact: C1's and C2's level statements, the patron's response at each
  level, the adversary's probes;
* no pact: the patron's choice among every combination of spokes and the
  proposal of a multilateral, C1's and C2's acceptance, the fallback spokes
  after a refusal, the level statements of the formed multilateral, the
  adversary's probes;

and the clients' expected payoffs of each stage-1 branch (the model's
stage-1 inputs) with the QRE values. See docs/crosscheck.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pactlab.model.clients import ClientGame
from pactlab.model.outcome import Distribution
from pactlab.model.params import Parameters
from pactlab.model.payoffs import evaluate
from pactlab.model.theatre import compile_theatre, masks_to_matrix
from pactlab.scenarios.schema import Scenario
from pactlab.verify.gametree import PLAYERS, PROBES, RESPONSE, _Node, _pact_label, build_game, mirror

#: players' precision field in Parameters
PRECISION_OF = {"C1": "precision_clients", "C2": "precision_clients", "Patron": "precision_patron",
                "Adversary": "precision_adversary"}


@dataclass
class QRECheck:
    scenario_id: str
    lam: float
    nodes: int = 0  # decision nodes compared
    max_prob_diff: float = 0.0
    max_value_diff: float = 0.0  # clients' expected payoffs of each stage-1 branch
    gambit_calls: int = 0
    worst: str = ""
    stage1: dict[str, float] = field(default_factory=dict)  # branch -> model probability
    kinds: set = field(default_factory=set)  # kinds of decision node compared

    @property
    def agree(self) -> bool:
        return self.max_prob_diff <= 1e-6 and self.max_value_diff <= 1e-6


# ----------------------------------------------------------------------------------
# Solving subgames with pygambit
# ----------------------------------------------------------------------------------
def _solve_with_gambit(node: _Node, scale: np.ndarray, lam: float, counter: list[int]) -> np.ndarray:
    """Agent logit QRE of the (reduced) subtree at ``node`` by pygambit; stores
    each decision node's action probabilities in ``m.probs``; returns the
    expected (unscaled) payoffs."""
    import pygambit as gbt

    game = gbt.Game.new_tree(players=list(PLAYERS))
    players = {pl.label: pl for pl in game.players}
    pairs = []
    n_out = [0]

    def build(gnode, m: _Node) -> None:
        if not m.kids:
            n_out[0] += 1
            game.set_outcome(gnode, game.add_outcome(f"o{n_out[0]}", [float(x) for x in m.payoffs * scale]))
            return
        game.append_move(gnode, players[m.player], list(m.actions))
        pairs.append((gnode, m))
        for a, kid in zip(m.actions, m.kids):
            build(gnode.children[a], kid)

    build(game.root, node)
    if not pairs:
        return node.payoffs
    res = gbt.qre.logit_solve_lambda(game, lam)[0]
    counter[0] += 1
    # the profile as a flat vector, ordered by player, information set and action
    # (pygambit 16.7's ``.profile`` accessor fails on this result type)
    flat = [float(res[i]) for i in range(len(res))]
    pos: dict = {}
    j = 0
    for pl in game.players:
        for iset in pl.infosets:
            pos[(pl.label, iset.number)] = j
            j += len(iset.actions)
    if j != len(flat):
        raise RuntimeError("unexpected layout of pygambit's behaviour profile")
    for gnode, m in pairs:
        iset = gnode.infoset
        start = pos[(iset.player.label, iset.number)]
        m.probs = np.array(flat[start:start + len(iset.actions)])
        if abs(m.probs.sum() - 1.0) > 1e-9:
            raise RuntimeError("pygambit's behaviour profile does not sum to one at an information set")
    return _value(node)


def _value(m: _Node) -> np.ndarray:
    if not m.kids:
        return m.payoffs
    return sum(p * _value(k) for p, k in zip(m.probs, m.kids))


def solve_subgames(root: _Node, scale: np.ndarray, lam: float, max_leaves: int = 40) -> int:
    """Bottom-up: solve the largest subtrees with gambit until each call has at
    most ``max_leaves`` leaves; every node ends with ``probs``."""
    counter = [0]

    def size(m: _Node) -> int:
        return 1 if not m.kids or getattr(m, "solved", False) else sum(size(k) for k in m.kids)

    def reduce(m: _Node) -> None:
        if not m.kids:
            return
        for k in m.kids:
            reduce(k)
        while size(m) > max_leaves:
            big = max((k for k in m.kids if k.kids and not getattr(k, "solved", False)), key=size)
            _solve_reduced(big, scale, lam, counter)

    reduce(root)
    _solve_reduced(root, scale, lam, counter)
    return counter[0]


def _solve_reduced(m: _Node, scale: np.ndarray, lam: float, counter: list[int]) -> None:
    """Solve m's subtree with its solved descendants as leaves (their QRE values)."""

    def shadow(x: _Node) -> _Node:
        if not x.kids:
            return _Node(payoffs=x.payoffs, leaf=x.leaf)
        if getattr(x, "solved", False):
            return _Node(payoffs=_value(x))
        s = _Node(x.player, x.actions, [shadow(k) for k in x.kids])
        s.orig = x
        return s

    sh = shadow(m)
    _solve_with_gambit(sh, scale, lam, counter)

    def copy_back(s: _Node) -> None:
        if hasattr(s, "orig"):
            s.orig.probs = s.probs
            for k in s.kids:
                copy_back(k)

    copy_back(sh)
    m.solved = True


# ----------------------------------------------------------------------------------
# The model's probabilities at each node
# ----------------------------------------------------------------------------------
def _first_leaf(m: _Node):
    while m.kids:
        m = m.kids[0]
    return m.leaf


def _model_probs(m: _Node, d: Distribution, th, in_proposal: bool, after_refusal: bool) -> np.ndarray:
    acts = list(m.actions)
    leaf = _first_leaf(m)
    p = th.params
    if m.player == "Adversary":
        groups = leaf.groups()
        probe = np.zeros(th.n)
        for mask, lcc, lp, kind in groups:
            ev = evaluate(th, masks_to_matrix(np.array([mask]), th.n), np.array([lcc]), np.array([lp]), np.array([kind]))
            probe = np.where(masks_to_matrix(np.array([mask]), th.n)[0], ev.probe_p[0], probe)
        return np.array([np.prod([probe[i] if pr else 1 - probe[i] for i, pr in enumerate(PROBES[a])]) for a in acts])
    if m.player in ("C1", "C2"):
        i = PLAYERS.index(m.player)
        if acts == ["accept", "refuse"]:
            a = d.il.acc[3, i]
            return np.array([a, 1 - a])
        assert acts == ["consult", "defend"]
        if leaf.imposed:
            lot = d.imp
        else:
            lot = d.blk
        k = lot.tab.index[3]
        s = lot.defend_stmt[k, i]
        return np.array([1 - s, s])
    assert m.player == "Patron"
    if leaf.pact:
        lot = d.blk
        k = lot.tab.index[3]
        li = lot.tab.levels.index(leaf.lcc)
        lab = {}
        for oi, (kind, lp) in enumerate(lot.tab.options):
            lpv = leaf.lcc if lp is None else lp
            lab[_pact_label(kind, lpv)] = lot.q[li, oi, k]
        return np.array([lab.get(a, 0.0) for a in acts])
    lot = d.sgl
    qs = []
    for i in range(2):
        k = lot.tab.index[1 << i]
        qs.append({RESPONSE[o]: lot.q[0, oi, k] for oi, o in enumerate(lot.tab.options)})
    pp = d.il.p_prop[3] if (d.il.k == 2 and "propose" in acts) else 0.0
    out = []
    for a in acts:
        if a == "propose":
            out.append(pp)
        else:
            r1, r2 = a.split("/")
            out.append((1 - pp) * qs[0][r1.split(":", 1)[1]] * qs[1][r2.split(":", 1)[1]])
    return np.array(out)


def crosscheck_qre(scenario: Scenario, params: Parameters, lam: float | None = None, max_leaves: int = 40) -> QRECheck:
    """Compare the model's stage-2/3 probabilities and branch values with
    pygambit's agent logit QRE on the two-client tree."""
    th = compile_theatre(scenario, params)
    game = ClientGame.of(th)
    d = Distribution(th, game, params)
    prec = {pl: float(getattr(params, PRECISION_OF[pl])) for pl in PLAYERS}
    if not all(math.isfinite(v) for v in prec.values()):
        raise ValueError("the QRE cross-check needs finite precisions")
    lam = lam or max(prec.values())
    scale = np.array([prec[pl] / lam for pl in PLAYERS])
    root = mirror(build_game(scenario, params))
    out = QRECheck(scenario.id, lam)
    # the stage-1 branches: the pact subtree and the lone subtree (each a subgame)
    branches: dict[str, _Node] = {}

    def find(m: _Node, path: tuple[str, ...]):
        if m.player in ("C1", "C2") and m.actions == ("abstain", "commit"):
            for a, k in zip(m.actions, m.kids):
                find(k, path + (a,))
            return
        key = "pact" if _first_leaf(m).pact else "lone"
        branches.setdefault(key, m)

    find(root, ())
    sw = d.sw
    for s in range(len(sw.prob)):
        key = "pact" if any(int(g) == 3 for g in sw.groups[s]) else "lone"
        out.stage1[key] = out.stage1.get(key, 0.0) + float(sw.prob[s])
    for key, sub in branches.items():
        out.gambit_calls += solve_subgames(sub, scale, lam, max_leaves)
        # compare at every decision node
        stack = [(sub, False, False)]
        while stack:
            m, in_prop, refused = stack.pop()
            if not m.kids:
                continue
            mine = _model_probs(m, d, th, in_prop, refused)
            diff = float(np.max(np.abs(mine - m.probs)))
            out.nodes += 1
            kind = "propose" if "propose" in m.actions else "/".join(m.actions) if m.player != "Patron" else "patron"
            out.kinds.add(f"{key}:{m.player}:{kind}"[:60])
            if diff > out.max_prob_diff:
                out.max_prob_diff = diff
                out.worst = f"{key}: {m.player} {'/'.join(m.actions)[:60]}"
            for a, k in zip(m.actions, m.kids):
                stack.append((k, in_prop or a == "propose", refused or a == "refuse"))
        # the clients' expected payoffs of the branch: the model's stage-1 inputs
        v = _value(sub)[:2]
        if key == "pact":
            model_v = d.ROW[3]
        else:
            model_v = d.ROW[1] + d.ROW[2] + d.ADJ[3 & d.imposable]
        out.max_value_diff = max(out.max_value_diff, float(np.max(np.abs(model_v[:2] - v))))
    return out
