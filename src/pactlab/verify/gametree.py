"""The two-client game as an explicit extensive-form game (pygambit), for
cross-checking the solver.

``build_game(scenario, params)`` writes the patron--two-clients--adversary
game of ``pactlab.model`` (stages 1-3) as a pygambit game tree with perfect
information. Nothing in the tree is taken from the solver's backward
induction: every leaf's payoffs are computed afresh from
``pactlab.model.payoffs.evaluate`` for the groups at that leaf and the
adversary's probe choice at that leaf. Solving the tree (logit tracing in
pygambit, or the plain ``backward_induction`` below) gives a subgame-perfect
outcome that ``crosscheck`` compares with ``pactlab.model.solve.solve``.

The tree (players ``C1``, ``C2``, ``Patron``, ``Adversary``; ``C1`` is the
scenario's first client, ``C2`` its second):

1. ``C1``: abstain | commit. Abstain leads to the no-pact subtree. After
   commit, ``C2``: abstain | commit; the pact forms iff both commit. (If a
   pledge in force binds the two, the pact is given, keeps its level and
   stage 1 has no move; if a client may not pledge, no pact is possible.)
2. Pact subtree. If both may pledge ``defend``, the pact's level is set by
   the members stating their preferred level and the pact forming at the
   lower one: ``C1``: consult | defend; if ``C1`` said consult the level is
   consult whatever ``C2`` would say (its move is omitted as moot),
   otherwise ``C2``: consult | defend. Then ``Patron``: none | spokes-consult
   | join | spokes-defend (those feasible: spokes need ``patron_max`` >= the
   spoke's level, join is at the pact's own level and needs ``patron_max`` >=
   it). Then the adversary.
3. No-pact subtree. ``Patron`` makes one move over every combination of
   per-client responses (none, spokes-consult, spokes-defend, as feasible),
   written ``C1:x/C2:y``, plus ``propose`` if both clients may pledge and the
   patron may pledge. After ``propose``: ``C1``: accept | refuse; if ``C1``
   accepts, ``C2``: accept | refuse (after a refusal ``C2``'s move is moot
   and omitted). A refusal costs the patron ``failed_proposal_cost`` and a
   refuser the solver's refusal cost (``imposition.refusal_cost``: with
   linkage, ``linkage_cost`` times what its patron pledge in force is worth to
   it; otherwise ``rebuff_cost * leverage`` if it holds one); the patron
   then makes its fallback move over the per-client combinations. If both
   accept, the multilateral's level is stated as for a pact (``C1`` then
   ``C2``, lower level) -- by default *after* acceptance
   (``imposed_level="after"``); ``imposed_level="before"`` puts the level
   statements between the proposal and the acceptance instead.
4. ``Adversary``: probe none | C1 | C2 | both.

Leaf payoffs. For each leaf, the groups are the pact (or the imposed
multilateral) or the two lone clients with their patron responses. Each group
is evaluated with ``evaluate`` with the adversary's probe choice at that leaf
*forced*: ``evaluate`` decides probes as ``theta > params.probe_threshold``,
so the leaf evaluation passes a per-client threshold of -inf (probed) or +inf
(not probed) through a view of the parameters. The probe enters ``evaluate``
through each member's risk ``theta * (1 + probe_escalation * probe)``, which
feeds the clients' payoffs, the patron's threat term *and* the patron's war
probability; forcing the probe inside ``evaluate`` gets every one of these
right for off-path probe choices (re-adding the risk term by hand would miss
the war term). A client's payoff is its own payoff from its group plus the
externalities of the other groups; the patron's is the sum over groups; the
adversary's is ``sum over probed clients of (theta_i - probe_threshold)``.

See docs/crosscheck.md for the encoding choices and the results.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from pactlab.model.imposition import refusal_cost
from pactlab.model.params import DEFAULT, Parameters
from pactlab.model.payoffs import IMPOSED, JOIN, NONE, SPOKES, evaluate
from pactlab.model.theatre import Theatre, compile_theatre, masks_to_matrix
from pactlab.scenarios.schema import Scenario

PLAYERS = ("C1", "C2", "Patron", "Adversary")
PROBES = {"none": (False, False), "C1": (True, False), "C2": (False, True), "both": (True, True)}
LEVEL = {0: "none", 1: "consult", 2: "defend"}
RESPONSE = {(NONE, 0): "none", (SPOKES, 1): "spokes-consult", (SPOKES, 2): "spokes-defend"}
TIE_TOL = 1e-9

# (mask, lcc, lp, kind): one group under one treatment
Treatment = tuple[int, int, int, int]


# ----------------------------------------------------------------------------------
# Leaf descriptions
# ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Leaf:
    """What happened on the way to a leaf (stored, as JSON, in the leaf's outcome label)."""

    pact: bool  # the clients formed a pact (block)
    lcc: int  # the clients' pledge level in the pact or imposed multilateral (0: none)
    imposed: bool  # the patron's multilateral formed
    response: tuple[tuple[int, int], ...]  # patron's (kind, lp): one for the pact/multilateral, else per client
    failed: bool  # a multilateral proposal was refused
    refused: tuple[bool, bool]  # who refused it
    probed: tuple[bool, bool]

    def label(self, k: int) -> str:
        return f"{k}:" + json.dumps(dataclasses.asdict(self), separators=(",", ":"))

    @classmethod
    def parse(cls, label: str) -> Leaf:
        d = json.loads(label.split(":", 1)[1])
        return cls(
            pact=d["pact"], lcc=d["lcc"], imposed=d["imposed"],
            response=tuple(tuple(r) for r in d["response"]), failed=d["failed"],
            refused=tuple(d["refused"]), probed=tuple(d["probed"]),
        )

    def groups(self) -> list[Treatment]:
        if self.pact:
            kind, lp = self.response[0]
            return [(0b11, self.lcc, lp, kind)]
        if self.imposed:
            return [(0b11, self.lcc, self.lcc, IMPOSED)]
        return [(1 << i, 0, lp, kind) for i, (kind, lp) in enumerate(self.response)]


# ----------------------------------------------------------------------------------
# Leaf payoffs, from evaluate() with the probe choice forced
# ----------------------------------------------------------------------------------
class _ForcedProbeParams:
    """A view of ``Parameters`` whose probe threshold is per client: -inf for
    the clients the adversary probes at this leaf, +inf for the others."""

    def __init__(self, params: Parameters, probed: tuple[bool, ...]):
        self._params = params
        self.probe_threshold = np.where(np.array(probed, bool), -np.inf, np.inf)

    def __getattr__(self, name: str):
        return getattr(self._params, name)


@dataclass
class GroupPayoffs:
    """One treatment evaluated under each of the adversary's probe choices."""

    theta: np.ndarray  # (n,) members' occupation threat (does not depend on probes)
    own: dict[tuple[bool, bool], np.ndarray]  # probe choice -> (n,) members' own payoff
    ext: dict[tuple[bool, bool], np.ndarray]  # probe choice -> (n,) externality on non-members
    patron: dict[tuple[bool, bool], float]
    probe: dict[tuple[bool, bool], np.ndarray]  # the probe evaluate() applied (check)


def evaluate_forced(th: Theatre, treatments: list[Treatment]) -> dict[Treatment, GroupPayoffs]:
    """Evaluate every treatment under every probe choice (4 vectorised calls)."""
    arr = np.array(treatments, dtype=np.int64).reshape(-1, 4)
    member = masks_to_matrix(arr[:, 0], th.n)
    out: dict[Treatment, GroupPayoffs] = {}
    for probed in PROBES.values():
        th_f = dataclasses.replace(th, params=_ForcedProbeParams(th.params, probed))
        ev = evaluate(th_f, member, arr[:, 1], arr[:, 2], arr[:, 3])
        for k, t in enumerate(treatments):
            g = out.get(t)
            if g is None:
                g = out[t] = GroupPayoffs(theta=ev.theta[k].copy(), own={}, ext={}, patron={}, probe={})
            elif not np.allclose(g.theta, ev.theta[k], rtol=0, atol=1e-15):
                raise AssertionError("occupation threat depends on the probe choice")
            g.own[probed] = ev.own[k].copy()
            g.ext[probed] = ev.ext[k].copy()
            g.patron[probed] = float(ev.patron[k])
            g.probe[probed] = ev.probe[k].copy()
            expect = np.array(probed) & member[k]
            if not np.array_equal(ev.probe[k], expect):
                raise AssertionError("forcing the probe choice in evaluate() failed")
    return out


def leaf_payoffs(th: Theatre, leaf: Leaf, tab: dict[Treatment, GroupPayoffs]) -> np.ndarray:
    """Payoffs (C1, C2, Patron, Adversary) at a leaf."""
    p = th.params
    n = th.n
    probed = tuple(leaf.probed)
    u = np.zeros(n)
    patron = 0.0
    theta = np.zeros(n)
    for t in leaf.groups():
        g = tab[t]
        members = np.array([(t[0] >> i) & 1 for i in range(n)], bool)
        u += np.where(members, g.own[probed], g.ext[probed])
        patron += g.patron[probed]
        theta = np.where(members, g.theta, theta)
    if leaf.failed:
        patron -= p.failed_proposal_cost
        rb = refusal_cost(th)
        for i in range(n):
            if leaf.refused[i]:
                u[i] -= rb[i]
    adversary = float(sum(theta[i] - p.probe_threshold for i in range(n) if probed[i]))
    return np.array([u[0], u[1], patron, adversary])


# ----------------------------------------------------------------------------------
# The tree
# ----------------------------------------------------------------------------------
def _levels(th: Theatre, cap_by_patron: bool = False) -> list[int]:
    top = min(int(th.pledge_cap[0]), int(th.pledge_cap[1]), 2)
    levels = list(range(1, top + 1))
    if cap_by_patron:
        levels = [l for l in levels if l <= th.patron_max]
    return levels


def _patron_pact_options(th: Theatre, lcc: int) -> list[tuple[int, int]]:
    pm = th.patron_max if th.has_patron else 0
    opts = [(NONE, 0)]
    if pm >= 1:
        opts.append((SPOKES, 1))
    if 1 <= lcc <= pm:
        opts.append((JOIN, lcc))
    if pm >= 2:
        opts.append((SPOKES, 2))
    return opts


def _patron_single_options(th: Theatre) -> list[tuple[int, int]]:
    pm = th.patron_max if th.has_patron else 0
    return [(NONE, 0)] + [(SPOKES, l) for l in (1, 2) if l <= pm]


def _pact_label(kind: int, lp: int) -> str:
    return {NONE: "none", JOIN: "join"}.get(kind) or RESPONSE[(kind, lp)]


class _Builder:
    def __init__(self, th: Theatre, imposed_level: str):
        import pygambit as gbt

        if imposed_level not in ("after", "before"):
            raise ValueError("imposed_level must be 'after' or 'before'")
        self.th = th
        self.imposed_level = imposed_level
        self.game = gbt.Game.new_tree(players=list(PLAYERS), title=f"pactlab cross-check: {th.scenario.id}")
        self.players = {pl.label: pl for pl in self.game.players}
        self.k = 0
        self.leaves: list[Leaf] = []
        self.single_opts = _patron_single_options(th)
        self.can_pledge = [int(c) >= 1 for c in th.pledge_cap]
        self.bound = bool(th.prior_cc[0, 1] > 0 or th.prior_cc[1, 0] > 0)
        self.can_propose = (
            th.has_patron and th.patron_max >= 1 and all(self.can_pledge) and not self.bound
            and bool(_levels(th, cap_by_patron=True))
        )

    # -- helpers ---------------------------------------------------------------------
    def move(self, node, player: str, actions: list[str]):
        """Append a move; return the children in action order."""
        self.game.append_move(node, self.players[player], actions)
        return [node.children[a] for a in actions]

    def leaf(self, node, leaf: Leaf) -> None:
        self.leaves.append(leaf)
        self.game.set_outcome(node, self.game.add_outcome(leaf.label(self.k)))
        self.k += 1

    # -- stages --------------------------------------------------------------------------
    def adversary(self, node, leaf: Leaf) -> None:
        kids = self.move(node, "Adversary", list(PROBES))
        for kid, probed in zip(kids, PROBES.values()):
            self.leaf(kid, dataclasses.replace(leaf, probed=probed))

    def level(self, node, then, levels: list[int]) -> None:
        """Members state their preferred level; the group forms at the lower.
        ``then(node, lcc)`` continues the tree."""
        if len(levels) == 1:
            then(node, levels[0])
            return
        assert levels == [1, 2]
        c1_consult, c1_defend = self.move(node, "C1", ["consult", "defend"])
        then(c1_consult, 1)  # the lower statement decides; C2's is moot
        c2_consult, c2_defend = self.move(c1_defend, "C2", ["consult", "defend"])
        then(c2_consult, 1)
        then(c2_defend, 2)

    def pact(self, node) -> None:
        def patron(n, lcc):
            opts = _patron_pact_options(self.th, lcc)
            kids = self.move(n, "Patron", [_pact_label(*o) for o in opts]) if len(opts) > 1 else [n]
            for kid, (kind, lp) in zip(kids, opts):
                self.adversary(kid, Leaf(True, lcc, False, ((kind, lp),), False, (False, False), (False, False)))

        if self.bound:
            # a pact in force keeps the level it has
            self.level(node, patron, [int(max(self.th.prior_cc[0, 1], self.th.prior_cc[1, 0]))])
        else:
            self.level(node, patron, _levels(self.th))

    def spokes(self, node, failed: bool = False, refused=(False, False)) -> list:
        """The patron's per-client responses; returns the nodes left for more moves."""
        combos = list(product(self.single_opts, repeat=2))
        actions = [f"C1:{RESPONSE[a]}/C2:{RESPONSE[b]}" for a, b in combos]
        extra = ["propose"] if (self.can_propose and not failed) else []
        if len(actions) + len(extra) == 1:
            kids = [node]
        else:
            kids = self.move(node, "Patron", actions + extra)
        for kid, resp in zip(kids, combos):
            self.adversary(kid, Leaf(False, 0, False, resp, failed, tuple(refused), (False, False)))
        return kids[len(combos):]

    def lone(self, node) -> None:
        rest = self.spokes(node)
        if rest:
            self.proposal(rest[0])

    def proposal(self, node) -> None:
        levels = _levels(self.th, cap_by_patron=True)

        def formed(n, lcc):
            self.adversary(n, Leaf(False, lcc, True, ((IMPOSED, lcc),), False, (False, False), (False, False)))

        def acceptance(n, then):
            c1_accept, c1_refuse = self.move(n, "C1", ["accept", "refuse"])
            self.spokes(c1_refuse, failed=True, refused=(True, False))
            c2_accept, c2_refuse = self.move(c1_accept, "C2", ["accept", "refuse"])
            self.spokes(c2_refuse, failed=True, refused=(False, True))
            then(c2_accept)

        if self.imposed_level == "after":
            acceptance(node, lambda n: self.level(n, formed, levels))
        else:
            self.level(node, lambda n, lcc: acceptance(n, lambda m: formed(m, lcc)), levels)

    def build(self):
        if self.bound:
            if not all(self.can_pledge):
                raise ValueError("prior commitment between the clients includes a client that may not pledge")
            self.pact(self.game.root)
        elif all(self.can_pledge):
            c1_abstain, c1_commit = self.move(self.game.root, "C1", ["abstain", "commit"])
            self.lone(c1_abstain)
            c2_abstain, c2_commit = self.move(c1_commit, "C2", ["abstain", "commit"])
            self.lone(c2_abstain)
            self.pact(c2_commit)
        else:
            self.lone(self.game.root)
        # Leaf payoffs, from first principles.
        treatments = sorted({t for leaf in self.leaves for t in leaf.groups()})
        tab = evaluate_forced(self.th, treatments)
        for outcome in self.game.outcomes:
            u = leaf_payoffs(self.th, Leaf.parse(outcome.label), tab)
            for pl, v in zip(self.game.players, u):
                outcome[pl] = float(v)
        return self.game


def build_game(scenario: Scenario, params: Parameters = DEFAULT, *, imposed_level: str = "after"):
    """The two-client game as a pygambit extensive-form game (see the module docstring)."""
    if len(scenario.clients) != 2:
        raise ValueError(f"build_game needs exactly 2 clients; {scenario.id} has {len(scenario.clients)}")
    th = compile_theatre(scenario, params)
    return _Builder(th, imposed_level).build()


# ----------------------------------------------------------------------------------
# Solving the tree
# ----------------------------------------------------------------------------------
@dataclass
class _Node:
    """A plain-Python mirror of a pygambit (sub)tree; a solved subtree is a
    leaf that remembers the actions taken inside it."""

    player: str | None = None
    actions: tuple[str, ...] = ()
    kids: list[_Node] = field(default_factory=list)
    payoffs: np.ndarray | None = None
    leaf: Leaf | None = None
    inside: tuple[str, ...] = ()  # actions inside a solved subtree
    size: int = 1  # leaves


def mirror(game) -> _Node:
    players = list(game.players)

    def rec(node) -> _Node:
        if node.is_terminal:
            return _Node(payoffs=_payoffs(node.outcome, players), leaf=Leaf.parse(node.outcome.label))
        kids = [rec(c) for c in node.children]
        return _Node(
            node.player.label, tuple(a.label for a in node.infoset.actions), kids, size=sum(k.size for k in kids)
        )

    return rec(game.root)


def _payoffs(outcome, players) -> np.ndarray:
    return np.array([float(outcome[pl]) for pl in players])


@dataclass
class Tie:
    """A decision node where the mover's best actions are within ``TIE_TOL``
    but lead to different payoff vectors (non-generic payoffs)."""

    path: tuple[str, ...]
    player: str
    actions: tuple[str, ...]
    gap: float


@dataclass
class Path:
    actions: tuple[str, ...]
    leaf: Leaf
    payoffs: np.ndarray
    ties: list[Tie] = field(default_factory=list)  # backward induction: ties on the path
    off_path_ties: int = 0
    spe: list[tuple[Leaf, np.ndarray]] = field(default_factory=list)  # every subgame-perfect leaf (any tie-break)
    min_prob: float = 1.0  # logit: smallest probability of a chosen action on the path
    logit_calls: int = 0


def backward_induction(game, tol: float = TIE_TOL) -> Path:
    """Plain backward induction on a perfect-information tree: each mover
    picks its best action, ties going to the earlier-listed action.

    Also returns every leaf reachable in *some* subgame-perfect equilibrium
    (``Path.spe``): at a node, a leaf of child c's set survives iff it is at
    least as good for the mover (within ``tol``) as the worst equilibrium
    continuation of every other child. With generic payoffs the set has
    exactly one leaf."""
    index = {pl.label: k for k, pl in enumerate(game.players)}

    def rec(node: _Node, path: tuple[str, ...]):
        if node.leaf is not None:
            return node.payoffs, (), node.leaf, [], 0, {node.leaf: node.payoffs}
        k = index[node.player]
        subs = [rec(child, path + (a,)) for a, child in zip(node.actions, node.kids)]
        best = 0
        for j in range(1, len(subs)):
            if subs[j][0][k] > subs[best][0][k]:
                best = j
        u, tail, leaf, ties, off, _ = subs[best]
        off += sum(s[4] + len(s[3]) for j, s in enumerate(subs) if j != best)
        close = [
            j for j in range(len(subs))
            if j != best and subs[best][0][k] - subs[j][0][k] <= tol and np.max(np.abs(subs[j][0] - u)) > tol
        ]
        if close:
            gap = float(min(subs[best][0][k] - subs[j][0][k] for j in close))
            ties = [Tie(path, node.player, tuple(node.actions[j] for j in [best, *close]), gap)] + ties
        floors = [min(v[k] for v in s[5].values()) for s in subs]
        spe: dict[Leaf, np.ndarray] = {}
        for j, s in enumerate(subs):
            bar = max((f for i, f in enumerate(floors) if i != j), default=-np.inf)
            spe.update({lf: v for lf, v in s[5].items() if v[k] >= bar - tol})
        return u, (node.actions[best],) + tail, leaf, ties, off, spe

    u, acts, leaf, ties, off, spe = rec(mirror(game), ())
    return Path(acts, leaf, u, ties, off, spe=list(spe.items()))


def _logit_solve_node(node: _Node, counter: list[int], **kw) -> _Node:
    """Solve a (reduced) tree with pygambit's logit tracing; return it as a
    solved leaf (the most probable action at each node)."""
    import pygambit as gbt

    game = gbt.Game.new_tree(players=list(PLAYERS))
    players = {pl.label: pl for pl in game.players}
    where: dict[int, _Node] = {}

    def build(gnode, m: _Node) -> None:
        if m.leaf is not None:
            where[len(where)] = m
            game.set_outcome(gnode, game.add_outcome(str(len(where) - 1), [float(x) for x in m.payoffs]))
            return
        game.append_move(gnode, players[m.player], list(m.actions))
        for a, kid in zip(m.actions, m.kids):
            build(gnode.children[a], kid)

    build(game.root, node)
    eq = gbt.nash.logit_solve(game, use_strategic=False, **kw).equilibria[0]
    counter[0] += 1
    g = game.root
    acts: list[str] = []
    min_prob = 1.0
    while not g.is_terminal:
        actions = list(g.infoset.actions)
        probs = [float(eq[a]) for a in actions]
        j = int(np.argmax(probs))
        min_prob = min(min_prob, probs[j])
        acts.append(actions[j].label)
        g = g.children[actions[j].label]
    m = where[int(g.outcome.label)]
    counter[1] = min(counter[1], min_prob)
    return _Node(payoffs=m.payoffs, leaf=m.leaf, inside=tuple(acts) + m.inside)


def logit_path(game, max_leaves: int | None = None, **kw) -> Path:
    """The path of pygambit's limiting logit (agent) equilibrium: at each node
    the most probable action.

    pygambit's agent-form logit tracing costs grow steeply with the tree
    (measured: 0.3 s at 27 leaves, 100+ s at 240), so with ``max_leaves`` the
    tree is solved by subgames: bottom-up, the largest subtrees are solved
    with ``logit_solve`` and replaced by their equilibrium leaf until the
    tree above has at most ``max_leaves`` leaves. Every subtree is a proper
    subgame (perfect information), and a subgame-perfect equilibrium is
    subgame-perfect in each of them, so this finds the same outcome for
    generic payoffs; each ``logit_solve`` call still resolves several
    players' interlocking choices at once. ``max_leaves=None`` solves the
    whole tree in one call."""
    root = mirror(game)
    counter = [0, 1.0]
    if max_leaves is not None:

        def reduce(m: _Node) -> _Node:
            if m.leaf is not None:
                return m
            kids = [reduce(k) for k in m.kids]
            while sum(k.size for k in kids) > max_leaves and any(k.size > 1 for k in kids):
                j = max(range(len(kids)), key=lambda i: kids[i].size)
                kids[j] = _logit_solve_node(kids[j], counter, **kw)
            return _Node(m.player, m.actions, kids, size=sum(k.size for k in kids))

        root = reduce(root)
    solved = root if root.leaf is not None else _logit_solve_node(root, counter, **kw)
    return Path(solved.inside, solved.leaf, solved.payoffs, min_prob=counter[1], logit_calls=counter[0])


# ----------------------------------------------------------------------------------
# Outcomes, comparable between the tree and the solver
# ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EqOutcome:
    pact: bool
    level: str  # the pact's level ("none" without a pact)
    imposed: bool
    treaties: tuple[tuple[tuple[str, ...], bool, str, str], ...]  # (clients, with patron, level, origin), sorted
    probed: tuple[bool, ...]

    def kind(self) -> str:
        """A coarse outcome type, for coverage."""
        if self.imposed:
            return "imposed"
        if self.pact:
            origins = {t[3] for t in self.treaties}
            return "pact+join" if "joined" in origins else "pact+spokes" if "spoke" in origins else "pact alone"
        return "lone+spokes" if self.treaties else "lone, no treaty"


def tree_outcome(th: Theatre, leaf: Leaf) -> EqOutcome:
    """The treaties a leaf stands for (docs/model.md: joined, indigenous, spoke, imposed)."""
    ids = th.ids
    both = (ids[0], ids[1])
    treaties = []
    if leaf.pact:
        kind, lp = leaf.response[0]
        in_force = th.prior_cc[0, 1] > 0 or th.prior_cc[1, 0] > 0  # a pact in force is not a new treaty
        if kind == JOIN:
            if not (in_force and min(th.prior_patron) >= leaf.lcc):
                treaties.append((both, True, LEVEL[leaf.lcc], "joined"))
        else:
            if not in_force:
                treaties.append((both, False, LEVEL[leaf.lcc], "indigenous"))
            if kind == SPOKES:
                treaties += [((ids[i],), True, LEVEL[lp], "spoke") for i in range(2) if th.prior_patron[i] < lp]
    elif leaf.imposed:
        treaties.append((both, True, LEVEL[leaf.lcc], "imposed"))
    else:
        for i, (kind, lp) in enumerate(leaf.response):
            if kind == SPOKES and th.prior_patron[i] < lp:
                treaties.append(((ids[i],), True, LEVEL[lp], "spoke"))
    return EqOutcome(
        pact=leaf.pact, level=LEVEL[leaf.lcc] if leaf.pact else "none", imposed=leaf.imposed,
        treaties=tuple(sorted(treaties)), probed=tuple(bool(x) for x in leaf.probed),
    )


def solver_outcome(result) -> EqOutcome:
    """The same description read from ``solve()``'s ``Result``."""
    imposed = any(t.origin == "imposed" for t in result.treaties)
    pact = any(len(c.group) >= 2 for c in result.clients) and not imposed
    treaties = tuple(sorted((tuple(t.clients), t.with_patron, t.level, t.origin) for t in result.treaties))
    return EqOutcome(
        pact=pact, level=result.clients[0].pledge_to_clients if pact else "none", imposed=imposed,
        treaties=treaties, probed=tuple(c.probed for c in result.clients),
    )


@dataclass
class CrossCheck:
    """One instance: the solver's outcome against the tree's."""

    theatre: Theatre
    n_leaves: int
    solver: EqOutcome
    tree: EqOutcome  # backward induction on the tree (ties to the earlier-listed action)
    spe: frozenset[EqOutcome]  # every subgame-perfect outcome of the tree (any tie-break)
    logit: EqOutcome | None
    bi: Path
    logit_path: Path | None
    solver_payoffs: np.ndarray  # clients' payoffs from solve()
    seconds_build: float  # building the tree and backward induction
    seconds_logit: float

    @property
    def generic(self) -> bool:
        """The tree has a unique subgame-perfect outcome."""
        return len(self.spe) == 1

    @property
    def agree(self) -> bool:
        """The solver's outcome is the tree's unique subgame-perfect outcome
        (or, if exact ties make several outcomes subgame-perfect, one of them)."""
        return self.solver == self.tree if self.generic else self.solver in self.spe

    @property
    def payoff_gap(self) -> float:
        """Largest difference between a client's payoff in ``solve()`` and at
        the tree's subgame-perfect leaf with the solver's outcome."""
        cands = [v for lf, v in self.bi.spe if tree_outcome(self.theatre, lf) == self.solver] or [self.bi.payoffs]
        return float(min(np.max(np.abs(v[:2] - self.solver_payoffs)) for v in cands))

    @property
    def logit_agrees(self) -> bool | None:
        """Logit tracing found the backward-induction outcome (or, with exact
        ties, one of the subgame-perfect outcomes)."""
        if self.logit is None:
            return None
        return self.logit == self.tree if self.generic else self.logit in self.spe


def crosscheck(
    scenario: Scenario,
    params: Parameters = DEFAULT,
    *,
    logit: bool = True,
    max_leaves: int | None = 8,
    imposed_level: str = "after",
    **logit_kw,
) -> CrossCheck:
    """Build the tree, solve it by backward induction (and logit tracing, by
    subgames of at most ``max_leaves`` leaves) and compare the outcome with
    ``solve(scenario)``."""
    from pactlab.model.solve import solve

    th = compile_theatre(scenario, params)
    t0 = time.perf_counter()
    game = build_game(scenario, params, imposed_level=imposed_level)
    bi = backward_induction(game)
    t1 = time.perf_counter()
    lp = logit_path(game, max_leaves=max_leaves, **logit_kw) if logit else None
    t2 = time.perf_counter()
    res = solve(scenario, params)
    return CrossCheck(
        theatre=th, n_leaves=len(game.outcomes), solver=solver_outcome(res),
        tree=tree_outcome(th, bi.leaf), spe=frozenset(tree_outcome(th, lf) for lf, _ in bi.spe),
        logit=tree_outcome(th, lp.leaf) if lp else None, bi=bi, logit_path=lp,
        solver_payoffs=np.array([c.payoff for c in res.clients]), seconds_build=t1 - t0, seconds_logit=t2 - t1,
    )
