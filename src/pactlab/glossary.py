"""The terms pactlab's output uses, defined once (``pactlab glossary``; docs/glossary.md).

The design labels come from :mod:`pactlab.designs`, so the glossary, ``run``, ``cases`` and the
reports cannot drift apart.
"""

from __future__ import annotations

from pactlab import designs

#: term -> definition, in the order a reader meets them in ``pactlab run``
TERMS: dict[str, str] = {
    "design": "the label of the new commitments a theatre produces: one of "
              + ", ".join(designs.DESIGNS) + " (see the design entries below).",
    **{f"design: {k}": v for k, v in designs.DEFINITIONS.items()},
    "patron": "the great power whose commitments the clients seek; at most one per theatre.",
    "client": "a smaller state facing the adversary; it may pledge to other clients and receive patron pledges.",
    "adversary": "the state whose threat the clients face; exactly one per theatre.",
    "pledge": "a treaty commitment: 'consult' (to consult in a crisis; ATOP consultation) or 'defend' "
              "(to fight; ATOP defence). 'cooperate' is security cooperation without a pledge.",
    "level": "the pledge a treaty makes: consult or defend.",
    "form": "a treaty's size: bilateral (2 members), trilateral (3), multilateral (4 or more), the patron "
            "counted when it is a member.",
    "origin": "how a predicted treaty comes about: indigenous (the clients' own pact), joined (the patron "
              "joins the clients' pact at its level), accession (new members join a pact the patron already "
              "holds), imposed (the patron's multilateral that lone clients, "
              "or pacts in force standing on their own, accept), spoke (a bilateral patron "
              "pledge to one client), upgrade (a spoke above a pledge in force), renewal (a patron pact in "
              "force that the design keeps; not new).",
    "treaties predicted": "the new commitments only (they make the design label); the patron's pacts in "
                          "force that the design keeps are listed apart as kept (origin renewal), and every "
                          "treaty in force is listed under 'In force before'.",
    "in force before": "the commitments the scenario records as in force on its date (its 'treaties').",
    "block": "two or more clients that pledge to each other in the selected structure.",
    "lone": "a client that makes no pledge to another client (it may still receive a patron spoke).",
    "structure": "a partition of the clients into blocks and lone clients; a structure is stable when no "
                 "client or set of clients gains by leaving or merging.",
    "client welfare": "the sum of the clients' payoffs in a structure, in payoff units; among stable, "
                      "Pareto-efficient structures the one with the highest welfare is selected, ties going "
                      "to the fewest groups.",
    "Pareto-dominated": "a stable structure that another stable structure makes every client at least as well "
                        "off in, and one better off.",
    "payoff units": "payoffs are expected losses on the scale of the occupation threat (a probability): -1 is "
                    "a client certain to be occupied and bearing no other cost; the costs of commitment are "
                    "weighted onto the same scale (docs/model.md). They compare one actor's options; they are "
                    "not money.",
    "threat (status quo)": "the probability-scale occupation threat a client faces before any new commitment.",
    "threat (after)": "the same threat under the predicted design.",
    "probed": "the adversary presses the client (a probe) because its threat after the design is above the "
              "probe threshold; a probe raises the risk the client runs.",
    "pledge to clients": "the pledge the client's block makes among its members (none for a lone client).",
    "patron pledge": "the highest patron pledge the client holds after the design, marked '(in force)' when "
                     "it is the pact the client already held and '(new)' when the design adds it; a new pledge "
                     "below one in force adds nothing, so the patron's choice in the comparisons may read 'no "
                     "pledge' for a client that keeps a defence pact in force.",
    "preferred design": "the design each actor ranks first taken alone, whether or not the others let it "
                        "happen; an actor may prefer no alliance yet offer a treaty when the alternative it "
                        "faces is worse.",
    "margin": "how far a decisive comparison is from flipping, in the deciding actor's units: payoff units for "
              "the clients', patron's and imposition stages, probability for threats, years for durability.",
    "fragile": "a payoff comparison whose margin is under 0.01: a small change of inputs or parameters can "
               "flip it.",
    "expected years": "the expected duration of a treaty, 1/hazard.",
    "durability": "long if the expected duration is at least 30 years, else short (codebook DUR).",
}


def text() -> str:
    width = max(len(k) for k in TERMS)
    lines = []
    for k, v in TERMS.items():
        lines.append(f"{k.ljust(width)}  {v}")
    return "\n".join(lines)


def markdown() -> str:
    out = ["# Glossary", "", "The terms `pactlab run`, `pactlab cases` and the HTML reports use "
           "(also `pactlab glossary`).", ""]
    for k, v in TERMS.items():
        out.append(f"- **{k}**: {v}")
    return "\n".join(out) + "\n"
