"""Results: frozen, self-describing, and convertible to tidy tables."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the tidy views only: a solve does not pay for it
    import pandas as pd


@dataclass(frozen=True)
class Comparison:
    """One decisive comparison: what was chosen over what, and by how much.

    ``margin`` is the chosen option's payoff minus the alternative's, in the
    deciding actor's payoff units; a small margin is a fragile call.
    """

    stage: str  # threat | clients | patron | imposition | adversary | durability
    actor: str
    chosen: str
    alternative: str
    margin: float
    mechanism: str
    hypothesis: str = ""

    def text(self) -> str:
        h = f" [{self.hypothesis}]" if self.hypothesis else ""
        return f"{self.actor}: {self.chosen} over {self.alternative} by {self.margin:+.4f} ({self.mechanism}){h}"


@dataclass(frozen=True)
class TreatyPrediction:
    id: str
    members: tuple[str, ...]  # patron first when it is a member
    clients: tuple[str, ...]
    with_patron: bool
    level: str  # consult | defend
    form: str  # bilateral | trilateral | multilateral
    origin: str  # indigenous | joined | accession | imposed | spoke | upgrade | renewal (docs/model.md §5)
    hazard: float
    expected_years: float
    durability: str  # long | short
    hazard_terms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class StableStructure:
    blocks: tuple[tuple[str, ...], ...]
    lone: tuple[str, ...]
    client_welfare: float
    pareto_efficient: bool
    selected: bool


@dataclass(frozen=True)
class ClientState:
    id: str
    name: str
    capability: float
    adversary_power: float
    threat_status_quo: float
    threat: float
    defence: float
    probed: bool
    group: tuple[str, ...]
    pledge_to_clients: str
    patron_pledge: str
    payoff: float
    #: the patron pledge the client held before the design (its pact in force); ``patron_pledge``
    #: above it is new
    patron_pledge_in_force: str = "none"


def pledge_label(c: "ClientState") -> str:
    """The client's patron pledge, saying whether it is the pact in force or new: "defend (in force)",
    "defend (new)", "defend (new; consult in force)", "none"."""
    p, f = c.patron_pledge, c.patron_pledge_in_force
    if p == "none":
        return p
    if p == f:
        return f"{p} (in force)"
    return f"{p} (new)" if f == "none" else f"{p} (new; {f} in force)"


@dataclass(frozen=True)
class Preference:
    actor: str
    role: str
    preferred: str
    margin: float  # over its second choice
    values: dict[str, float]


@dataclass(frozen=True)
class OutcomeDistribution:
    """The model's outcome as a probability distribution (quantal response,
    docs/model.md section 10), beside the modal prediction.

    ``method`` is ``exact`` (every client structure enumerated, or the
    deterministic selection at infinite stage-1 precisions) or
    ``approximate`` (``note`` says how). Per-client entries are ``None`` where
    they are undefined (no treaty has positive probability); a log-probability
    is ``None`` where the outcome is impossible at these precisions."""

    method: str
    note: str
    precisions: dict[str, float | None]  # None: +inf (the deterministic limit)
    design_probabilities: dict[str, float]  # label -> probability, summing to 1
    p_patron_treaty: dict[str, float]  # client -> P(a new treaty with the patron)
    p_defend_given_treaty: dict[str, float | None]  # client -> P(defend | a new patron treaty)
    p_multilateral: dict[str, float]  # client -> P(in a new patron treaty with three or more clients)
    p_share_patron_treaty: dict[str, float]  # "A|B" -> P(A and B in one new treaty with the patron)
    expected_hazard: dict[str, float | None]  # client -> E[yearly hazard of its new patron treaty | one forms]
    modal_log_prob: float | None  # log P(the modal prediction's treaties)
    record_log_prob: float | None = None  # log P(the record's new treaties), where the scenario has a record
    has_record: bool = False

    def log_prob(self, treaties) -> float:
        """log P(the new treaties are exactly ``treaties``), each (client ids,
        with_patron, level); ``-inf`` if impossible."""
        d = getattr(self, "_dist", None)
        if d is None:
            raise ValueError("this distribution was read back from a file; solve the scenario again for log_prob")
        return d.log_prob(treaties)


@dataclass(frozen=True)
class Result:
    scenario_id: str
    scenario_title: str
    scenario_hash: str
    parameters_digest: str
    pactlab_version: str
    patron: str | None
    adversary: str
    design: str
    treaties: tuple[TreatyPrediction, ...]
    clients: tuple[ClientState, ...]
    stable: tuple[StableStructure, ...]
    selection_reason: str
    preferences: tuple[Preference, ...]
    comparisons: tuple[Comparison, ...]
    counter_alignment: dict[str, tuple[float, float]]
    notes: tuple[str, ...] = ()
    distribution: OutcomeDistribution | None = None  # solve(..., distribution=True)

    # -- tidy views ------------------------------------------------------------
    def treaties_frame(self) -> pd.DataFrame:
        rows = []
        for t in self.treaties:
            d = asdict(t)
            d["members"] = ",".join(t.members)
            d["clients"] = ",".join(t.clients)
            d.pop("hazard_terms")
            rows.append(d)
        cols = [f for f in TreatyPrediction.__dataclass_fields__ if f != "hazard_terms"]
        import pandas as pd

        return pd.DataFrame(rows, columns=cols).assign(scenario=self.scenario_id)

    def clients_frame(self) -> pd.DataFrame:
        rows = []
        for c in self.clients:
            d = asdict(c)
            d["group"] = ",".join(c.group)
            rows.append(d)
        import pandas as pd

        return pd.DataFrame(rows).assign(scenario=self.scenario_id)

    def comparisons_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(c) for c in self.comparisons]).assign(scenario=self.scenario_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per client: the tidy summary most analyses start from."""
        df = self.clients_frame()
        df["design"] = self.design
        df["parameters"] = self.parameters_digest
        return df

    def to_dict(self) -> dict:
        d = asdict(self)
        d["counter_alignment"] = {k: {"before_linking": v[0], "after_linking": v[1]} for k, v in self.counter_alignment.items()}
        if self.distribution is not None:
            d["design_probabilities"] = dict(self.distribution.design_probabilities)
            if self.distribution.has_record:
                d["record_log_prob"] = self.distribution.record_log_prob
                # said outright, not left to a null: the record is impossible at these precisions
                d["record_possible"] = self.distribution.record_log_prob is not None
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), indent=2, default=float, **kw)

    # -- display (pactlab.notebook holds the code) -------------------------------
    def __repr__(self) -> str:
        from pactlab.notebook import short_repr

        return short_repr(self)

    def _repr_html_(self) -> str:
        from pactlab.notebook import result_html

        return result_html(self)
