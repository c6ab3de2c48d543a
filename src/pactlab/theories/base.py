"""The plug-in point for theories of alliance design.

A theory declares its parameters (:class:`~pactlab.parameters.ParamSpec`),
predicts from a scenario, and -- where it defines a probability model --
gives the log-probability of an observed outcome. Cohen's model is one
registered theory; the geography rule and the rivals are others. Contract
tests (``tests/test_theories_contract.py``) run over every registered theory,
so adding a theory is one module, one test file and one registry entry
(``docs/howto/add-a-theory.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pactlab.designs import DESIGNS, design_label
from pactlab.errors import PactlabError
from pactlab.parameters import ParameterSet, ParamSpec
from pactlab.scenarios.schema import Role, Scenario


@dataclass(frozen=True, order=True)
class OutcomeTreaty:
    """One new treaty: its client members, whether the patron is a member, and its level."""

    clients: frozenset[str]
    with_patron: bool
    level: str  # consult | defend

    def text(self, patron: str | None = None) -> str:
        head = [patron] if self.with_patron and patron else (["patron"] if self.with_patron else [])
        return "+".join(head + sorted(self.clients)) + f" ({self.level})"


@dataclass(frozen=True)
class Outcome:
    """What a theatre produces: the set of new treaties (pledges in force that
    are carried on are not part of it)."""

    treaties: frozenset[OutcomeTreaty] = frozenset()

    @property
    def design(self) -> str:
        return design_label((len(t.clients), t.with_patron) for t in self.treaties)

    def groups(self) -> list[frozenset[str]]:
        """Clients that share a treaty, directly or through a chain of treaties."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for t in self.treaties:
            mem = sorted(t.clients)
            for m in mem:
                find(m)
            for m in mem[1:]:
                parent[find(m)] = find(mem[0])
        out: dict[str, set[str]] = {}
        for x in parent:
            out.setdefault(find(x), set()).add(x)
        return sorted((frozenset(v) for v in out.values()), key=lambda g: sorted(g))

    def text(self, patron: str | None = None) -> str:
        return ", ".join(sorted(t.text(patron) for t in self.treaties)) or "no new treaty"

    @classmethod
    def of(cls, treaties: Iterable[tuple[Iterable[str], bool, str]]) -> "Outcome":
        return cls(frozenset(OutcomeTreaty(frozenset(c), bool(p), str(lv)) for c, p, lv in treaties))

    @classmethod
    def from_record(cls, scenario: Scenario) -> "Outcome | None":
        """The record's new treaties as an outcome, with outside co-guarantors
        (the UK and France in SEATO) left out; ``None`` without a record."""
        rec = scenario.record
        if rec is None:
            return None
        patron = scenario.patron.id if scenario.patron else None
        clients = {a.id for a in scenario.clients}
        out = []
        for t in rec.treaties:
            cl = frozenset(m for m in t.members if m in clients)
            if cl:
                out.append(OutcomeTreaty(cl, patron in t.members, t.level.value))
        return cls(frozenset(out))


@dataclass(frozen=True)
class Prediction:
    """A theory's prediction for one scenario.

    ``design_probabilities`` covers every label of :data:`pactlab.designs.DESIGNS`
    and sums to one. ``method`` says how it was computed: ``deterministic``
    (a point prediction, probability one on the modal design), ``exact``
    (full enumeration) or ``approximate`` (the note says how).
    """

    theory: str
    scenario_id: str
    parameters_digest: str
    modal: Outcome
    design_probabilities: Mapping[str, float]
    method: str
    note: str = ""
    detail: Any = field(default=None, compare=False, repr=False)

    @property
    def design(self) -> str:
        return self.modal.design


class TheoryError(PactlabError):
    """A theory cannot be used as asked (unknown name, unsupported question)."""


@dataclass(frozen=True)
class KeyTerm:
    """A rival theory's key variable as one extra utility term on the designs,
    for encompassing tests (:mod:`pactlab.evidence.encompassing`): the outcome
    ``o`` gains ``theta * z(scenario) * [design(o) in designs]``, with ``theta``
    the declared parameter ``spec`` (0 leaves the model it is added to unchanged)."""

    spec: ParamSpec
    variable: str  # what z measures, in words
    designs: frozenset[str]  # the designs the rival says z favours


class Theory:
    """Base class of registered theories. Subclasses set the class attributes
    and implement :meth:`predict`; a theory with a probability model sets
    ``supports_log_prob`` and implements :meth:`log_prob`. A rival whose key
    variable can be added to another theory's likelihood sets ``key_term`` and
    implements :meth:`key_value`."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    specs: ClassVar[tuple[ParamSpec, ...]] = ()
    supports_log_prob: ClassVar[bool] = False
    key_term: ClassVar[KeyTerm | None] = None

    def params(self, values: Mapping[str, Any] | ParameterSet | None = None) -> ParameterSet:
        if isinstance(values, ParameterSet):
            values = dict(values)
        return ParameterSet(self.specs, dict(values or {}))

    def predict(self, scenario: Scenario, params: Mapping[str, Any] | None = None) -> Prediction:
        raise NotImplementedError

    def log_prob(self, scenario: Scenario, observed: Outcome, params: Mapping[str, Any] | None = None) -> float:
        raise TheoryError(f"theory {self.name!r} has no probability model, so it gives no log-probability")

    def key_value(self, scenario: Scenario) -> float:
        """The key variable ``z`` of :attr:`key_term` in a scenario (finite)."""
        raise TheoryError(f"theory {self.name!r} declares no key variable for an encompassing test")


def one_hot(design: str) -> dict[str, float]:
    return {d: float(d == design) for d in DESIGNS}


def patron_id(scenario: Scenario) -> str | None:
    return scenario.patron.id if scenario.patron else None


def client_ids(scenario: Scenario) -> list[str]:
    return [a.id for a in scenario.by_role(Role.client)]
