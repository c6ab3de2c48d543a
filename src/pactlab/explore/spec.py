"""Uncertainty, declared once: which inputs of a scenario may take which values.

Every judgement-coded input gets its uncertainty from its codebook rule
(``docs/codebook.md``): a coded anchor may be read as one of its neighbouring
anchors (DIV1 0 / 0.5 / 1, PROV1, P2, MR1, A1, D1, LEV1, ECON1's ordinal), and a
measured value (CAP1 capability, CAP2 military shares) carries a measurement range. The result is a
typed :class:`Spec`, validated like a scenario; a user overrides any entry, adds
one or removes one in a YAML file (``docs/explore.md``, "The uncertainty file").

An input is named by a path into the scenario:

* ``ACTOR.field`` -- a coded field of an actor (``PRC.capability``, ``JPN.threat_divergence``);
* ``dispute.A-B`` -- the intensity of the dispute between clients A and B (D1);
* ``linking``, ``threat_trend`` -- the scenario-level codings (LINK1, TREND1);
* ``foothold.HOLDER-NEAR.distance_km`` -- the distance of a foothold (FOOT1).

Values are applied with ``model_copy`` (no validation per draw): the spec has
already checked each value against the field's bounds.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pactlab.errors import PactlabError, validation_lines, validation_messages
from pactlab.scenarios.schema import Role, Scenario


class SpecError(PactlabError):
    """An uncertainty file or input path that cannot be used."""


# --------------------------------------------------------------------------- the codebook's anchors

#: rule -> the anchors its table lists (docs/codebook.md). A coded value is read as itself or as a
#: neighbouring anchor: the rule's alternative codings.
ANCHORS: dict[str, tuple[float, ...]] = {
    "MR1": (0.0, 0.1, 0.3, 0.6, 1.0),
    "PROV1": (0.0, 0.3, 0.7, 1.0),
    "DIV1": (0.0, 0.5, 1.0),
    "ECON1": (0.0, 0.1, 0.25, 0.35),  # the fallback ordinal every built-in uses
    "P2": (0.2, 0.5, 1.0),
    "LEV1": (0.0, 0.5, 1.0),
    "A1": (0.3, 0.6, 1.0),
    "D1": (0.0, 0.3, 0.6, 1.0),
    "LINK1": (0.0, 0.5, 1.0),
    "TREND1": (-1.0, 0.0, 1.0),
}

#: the actor field each rule codes
FIELD_RULE: dict[str, str] = {
    "capability": "CAP1", "maritime_reach": "MR1", "provocation": "PROV1", "threat_divergence": "DIV1",
    "econ_dependence": "ECON1", "patron_stake": "P2", "leverage_motive": "LEV1", "alignment": "A1",
    "milex_share": "CAP2", "milper_share": "CAP2",
}

#: The measurement range pactlab assumes for a capability (CAP1): the coded value times
#: [1 - e, 1 + e]. The codebook states no error for CINC or SIPRI figures; this is pactlab's
#: declared default, overridable in the uncertainty file.
CAPABILITY_ERROR = 0.10
#: The range tipping searches over for a capability: the coded value times [1/4, 4] (log scale).
CAPABILITY_SPAN = (0.25, 4.0)
#: Weight of the coded reading among its alternatives: as likely as all the others together.
CODED_WEIGHT = 0.5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Input(_Strict):
    """One uncertain input.

    kind ``choice``: one of ``values`` with ``weights`` (summing to one);
    kind ``range``: uniform on [low, high] (on the log scale when ``scale`` is ``log``).
    ``span`` is the codebook range tipping searches over and normalises changes by.
    """

    path: str
    rule: str
    kind: Literal["choice", "range"]
    coded: float
    values: list[float] | None = None
    weights: list[float] | None = None
    low: float | None = None
    high: float | None = None
    scale: Literal["linear", "log"] = "linear"
    span: tuple[float, float]
    note: str = ""

    @model_validator(mode="after")
    def _shape(self) -> "Input":
        if self.kind == "choice":
            if not self.values:
                raise ValueError("a 'choice' input needs 'values'")
            if self.weights is not None:
                if len(self.weights) != len(self.values):
                    raise ValueError(f"'weights' has {len(self.weights)} entries for {len(self.values)} values")
                if any(w < 0 for w in self.weights) or not math.isclose(sum(self.weights), 1.0, abs_tol=1e-6):
                    raise ValueError(f"'weights' must be non-negative and sum to 1, got {self.weights}")
        else:
            if self.low is None or self.high is None:
                raise ValueError("a 'range' input needs 'low' and 'high'")
            if not self.low <= self.high:
                raise ValueError(f"'low' ({self.low}) must not exceed 'high' ({self.high})")
            if self.scale == "log" and self.low <= 0:
                raise ValueError("a log-scale range needs 'low' > 0")
        if not self.span[0] < self.span[1]:
            raise ValueError(f"'span' must be increasing, got {list(self.span)}")
        return self

    # -- drawing -------------------------------------------------------------------------------
    def probs(self) -> np.ndarray:
        assert self.values is not None
        w = self.weights or [1.0 / len(self.values)] * len(self.values)
        return np.asarray(w, float)

    def from_unit(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1) of this input's distribution."""
        if self.kind == "choice":
            c = np.cumsum(self.probs())
            k = int(np.searchsorted(c, u * c[-1], side="right"))
            return float(self.values[min(k, len(self.values) - 1)])
        if self.scale == "log":
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))))
        return float(self.low + u * (self.high - self.low))

    def normalised(self, x: float) -> float:
        """Signed change from the coded value, in units of the codebook span."""
        lo, hi = self.span
        if self.scale == "log":
            return (math.log(x) - math.log(self.coded)) / (math.log(hi) - math.log(lo))
        return (x - self.coded) / (hi - lo)

    def from_normalised(self, z: float) -> float:
        lo, hi = self.span
        if self.scale == "log":
            return float(math.exp(math.log(self.coded) + z * (math.log(hi) - math.log(lo))))
        return float(self.coded + z * (hi - lo))

    def grid(self, k: int) -> list[float]:
        """``k`` points across the span (the anchors themselves for an anchored choice)."""
        lo, hi = self.span
        if self.scale == "log":
            return [float(v) for v in np.exp(np.linspace(math.log(lo), math.log(hi), k))]
        return [float(v) for v in np.linspace(lo, hi, k)]


class Spec(_Strict):
    """The uncertainty of one scenario's inputs."""

    scenario: str
    inputs: list[Input]

    def names(self) -> list[str]:
        return [i.path for i in self.inputs]

    def get(self, path: str) -> Input:
        for i in self.inputs:
            if i.path == path:
                return i
        raise SpecError(f"no input '{path}' in the uncertainty specification (known: {', '.join(self.names())})")

    def digest(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def coded(self) -> list[float]:
        return [i.coded for i in self.inputs]

    def draw(self, rng: np.random.Generator) -> list[float]:
        """One draw of every input, in spec order, from ``rng``."""
        out = []
        for i in self.inputs:
            if i.kind == "choice":
                out.append(float(i.values[int(rng.choice(len(i.values), p=i.probs()))]))
            elif i.scale == "log":
                out.append(float(math.exp(rng.uniform(math.log(i.low), math.log(i.high)))))
            else:
                out.append(float(rng.uniform(i.low, i.high)))
        return out

    def subset(self, paths: list[str] | None) -> "Spec":
        if not paths:
            return self
        return Spec(scenario=self.scenario, inputs=[self.get(p) for p in paths])


# --------------------------------------------------------------------------- the default spec

def _neighbours(rule: str, v: float) -> list[float]:
    """The coded value and the anchors on either side of it."""
    a = ANCHORS[rule]
    below = [x for x in a if x < v - 1e-12]
    above = [x for x in a if x > v + 1e-12]
    return ([below[-1]] if below else []) + [v] + ([above[0]] if above else [])


def _choice(path: str, rule: str, v: float, note: str = "", wide: bool = False) -> Input:
    if wide:
        a = ANCHORS[rule]
        vals = sorted(set(a) | {v})
        return Input(path=path, rule=rule, kind="choice", coded=v, values=vals, weights=[1 / len(vals)] * len(vals),
                     span=(min(a), max(a)), note=note or f"{rule}: any of the rule's anchors, equally likely")
    vals = _neighbours(rule, v)
    k = vals.index(v)
    alt = len(vals) - 1
    w = [CODED_WEIGHT if j == k else (1 - CODED_WEIGHT) / alt for j in range(len(vals))] if alt else [1.0]
    a = ANCHORS[rule]
    return Input(path=path, rule=rule, kind="choice", coded=v, values=vals, weights=w, span=(min(a), max(a)),
                 note=note or f"{rule}: the coded anchor or a neighbouring one")


def _capability(path: str, v: float, wide: bool = False) -> Input:
    if wide:
        lo, hi = v * CAPABILITY_SPAN[0], v * CAPABILITY_SPAN[1]
        return Input(path=path, rule="CAP1", kind="range", coded=v, low=lo, high=hi, scale="log", span=(lo, hi),
                     note="CAP1: anywhere in the tipping span (the coded value times 1/4 to 4, log-uniform)")
    return Input(path=path, rule="CAP1", kind="range", coded=v, low=v * (1 - CAPABILITY_ERROR),
                 high=v * (1 + CAPABILITY_ERROR), scale="log", span=(v * CAPABILITY_SPAN[0], v * CAPABILITY_SPAN[1]),
                 note=f"CAP1 measured value; pactlab's default measurement range +/-{CAPABILITY_ERROR:.0%}")


def _share(path: str, v: float, wide: bool = False) -> Input:
    """A CAP2 share of military expenditure or personnel: measured like a capability (CAP1), and
    a share, so never above 1. The military power measures (``power_measure``: milex, milper,
    military) read these, not CINC, wherever every actor has them."""
    cap = _capability(path, v, wide)
    lo, hi = cap.span
    return cap.model_copy(update=dict(
        rule="CAP2", high=min(cap.high, 1.0), span=(lo, min(hi, 1.0)),
        note=cap.note.replace("CAP1", "CAP2") + " (at most 1)"))


WIDTHS = ("neighbours", "span")


def default_spec(s: Scenario, width: str = "neighbours") -> Spec:
    """Every coded input of ``s`` with its rule's uncertainty.

    width ``neighbours`` (the default): a coded anchor or a neighbouring one, a capability within its
    measurement range. ``span``: any anchor of the rule with equal weight and a capability anywhere in
    its tipping span -- a stress test of the prediction rather than coding uncertainty."""
    if width not in WIDTHS:
        raise SpecError(f"--width {width}: expected one of {', '.join(WIDTHS)}")
    wide = width == "span"
    out: list[Input] = []
    for a in s.actors:
        if a.role is Role.outside and not a.linked:
            continue
        out.append(_capability(f"{a.id}.capability", float(a.capability.value), wide))
        for f in ("milex_share", "milper_share"):
            v = getattr(a, f, None)
            if v is not None and float(v.value) > 0:
                out.append(_share(f"{a.id}.{f}", float(v.value), wide))
        out.append(_choice(f"{a.id}.maritime_reach", "MR1", float(a.maritime_reach.value), wide=wide))
        for f in ("provocation", "threat_divergence", "econ_dependence", "patron_stake", "leverage_motive",
                  "alignment"):
            v = getattr(a, f)
            if v is not None:
                out.append(_choice(f"{a.id}.{f}", FIELD_RULE[f], float(v.value), wide=wide))
    for d in s.disputes:
        out.append(_choice(f"dispute.{d.a}-{d.b}", "D1", float(d.intensity), wide=wide))
    if s.linking is not None:
        out.append(_choice("linking", "LINK1", float(s.linking.value), wide=wide))
    if s.threat_trend is not None:
        out.append(_choice("threat_trend", "TREND1", float(s.threat_trend.value), wide=wide))
    return Spec(scenario=s.id, inputs=out)


# --------------------------------------------------------------------------- the uncertainty file

class _Override(_Strict):
    path: str
    values: list[float] | None = None
    weights: list[float] | None = None
    low: float | None = None
    high: float | None = None
    scale: Literal["linear", "log"] | None = None
    span: tuple[float, float] | None = None
    fixed: bool = False
    note: str | None = None


class _File(_Strict):
    scenario: str | None = None
    only: list[str] | None = Field(default=None, description="keep only these inputs")
    inputs: list[_Override] = Field(default_factory=list)


def _field_bounds(s: Scenario, path: str) -> tuple[float | None, float | None, str]:
    """(lower, upper, rule) for a path, from the scenario schema; SpecError for an unknown path."""
    coded_value(s, path)  # raises for unknown paths
    if path.startswith("dispute.") or path == "linking":
        return 0.0, 1.0, "D1" if path.startswith("dispute.") else "LINK1"
    if path == "threat_trend":
        return -1.0, 1.0, "TREND1"
    if path.startswith("foothold."):
        return 0.0, None, "FOOT1"
    _, field = path.split(".", 1)
    if field == "capability":
        return 0.0, None, "CAP1"
    if field in ("milex_share", "milper_share"):
        return 0.0, 1.0, "CAP2"
    return 0.0, 1.0, FIELD_RULE.get(field, field)


def load_spec(path: str | Path | None, s: Scenario, width: str = "neighbours") -> Spec:
    """The default spec of ``s`` with a user's uncertainty file applied (if given)."""
    base = default_spec(s, width)
    if path is None:
        return base
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{p}: uncertainty file not found") from None
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{p}: cannot read the uncertainty file ({exc})") from None
    data = data or {}
    if not isinstance(data, dict):
        raise SpecError(f"{p}: expected a mapping (scenario, only, inputs), got {type(data).__name__}")
    raw = data.get("inputs") or []
    if not isinstance(raw, list):
        raise SpecError(f"{p}: inputs: expected a list of entries, got {type(raw).__name__}")
    try:
        f = _File.model_validate({**data, "inputs": []})
    except ValidationError as err:
        lines = validation_lines(err)
        raise SpecError(f"invalid uncertainty file {p}:\n" + "\n".join(lines)) from None
    if f.scenario is not None and f.scenario != s.id:
        raise SpecError(f"{p}: scenario: the file is for '{f.scenario}', the run is for '{s.id}'")
    by_path = {i.path: i for i in base.inputs}
    order = list(by_path)
    problems = []
    # each entry on its own, so that one message lists every problem of the file (entries counted from 1)
    for k, r in enumerate(raw, 1):
        name = r.get("path") if isinstance(r, dict) else None
        where = f"{p}: inputs entry {k}" + (f" ({name})" if isinstance(name, str) else "")
        try:
            o = _Override.model_validate(r)
        except ValidationError as err:
            problems += [f"{where}: {m}" for m in validation_messages(err, show_input=True)]
            continue
        try:
            lo_b, hi_b, rule = _field_bounds(s, o.path)
        except SpecError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if o.fixed:
            by_path.pop(o.path, None)
            continue
        cur = by_path.get(o.path)
        coded = coded_value(s, o.path)
        upd: dict[str, Any] = {}
        if o.values is not None:
            upd.update(kind="choice", values=o.values, weights=o.weights, low=None, high=None)
        elif o.low is not None or o.high is not None:
            upd.update(kind="range", low=o.low, high=o.high, values=None, weights=None)
        elif o.weights is not None:
            upd["weights"] = o.weights
        for key in ("scale", "span", "note"):
            if getattr(o, key) is not None:
                upd[key] = getattr(o, key)
        vals = [v for v in (upd.get("values") or []) + [upd.get("low"), upd.get("high")] if v is not None]
        vals += list(upd.get("span") or [])
        bad = [v for v in vals if (lo_b is not None and v < lo_b) or (hi_b is not None and v > hi_b)
               or not math.isfinite(v)]
        if bad:
            problems.append(f"{where}: value(s) {bad} outside the field's range "
                            f"[{lo_b}, {'inf' if hi_b is None else hi_b}] (codebook {rule})")
            continue
        try:
            if cur is None:
                if "kind" not in upd:
                    problems.append(f"{where}: a new input needs 'values' or 'low' and 'high'")
                    continue
                span = upd.pop("span", None) or (
                    (min(vals), max(vals)) if min(vals) < max(vals) else (lo_b or 0.0, hi_b if hi_b else 2 * coded))
                by_path[o.path] = Input(path=o.path, rule=rule, coded=coded, span=span, **upd)
                order.append(o.path)
            else:
                by_path[o.path] = Input.model_validate({**cur.model_dump(), **upd})
        except ValidationError as err:
            problems.append(f"{where}: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors()))
    if problems:
        raise SpecError(f"invalid uncertainty file {p}:\n" + "\n".join(f"  - {x}" for x in problems))
    keep = [q for q in order if q in by_path]
    if f.only is not None:
        unknown = [q for q in f.only if q not in by_path]
        if unknown:
            raise SpecError(f"{p}: only: unknown input(s) {unknown} (known: {', '.join(keep)})")
        keep = [q for q in keep if q in f.only]
    return Spec(scenario=s.id, inputs=[by_path[q] for q in keep])


# --------------------------------------------------------------------------- reading and applying values

def coded_value(s: Scenario, path: str) -> float:
    """The value ``path`` has in the scenario file."""
    if path == "linking":
        if s.linking is None:
            raise SpecError("linking: not coded in this scenario (LINK1)")
        return float(s.linking.value)
    if path == "threat_trend":
        if s.threat_trend is None:
            raise SpecError("threat_trend: not coded in this scenario (TREND1)")
        return float(s.threat_trend.value)
    if path.startswith("dispute."):
        pair = path.removeprefix("dispute.")
        for d in s.disputes:
            if pair in (f"{d.a}-{d.b}", f"{d.b}-{d.a}"):
                return float(d.intensity)
        raise SpecError(f"{path}: no dispute between {pair.replace('-', ' and ')} in the scenario (D1)")
    if path.startswith("foothold."):
        rest = path.removeprefix("foothold.")
        pair, _, field = rest.partition(".")
        for f in s.footholds:
            if pair == f"{f.holder}-{f.near}" and field == "distance_km":
                return float(f.distance_km)
        raise SpecError(f"{path}: no foothold '{pair}' (expected foothold.HOLDER-NEAR.distance_km)")
    actor, _, field = path.partition(".")
    ids = [a.id for a in s.actors]
    if actor not in ids:
        raise SpecError(f"{path}: unknown actor '{actor}' (actors: {', '.join(ids)})")
    a = s.actor(actor)
    if field not in FIELD_RULE:
        raise SpecError(f"{path}: '{field}' is not an input that can vary (fields: {', '.join(FIELD_RULE)})")
    v = getattr(a, field)
    if v is None:
        raise SpecError(f"{path}: not coded for {actor} in this scenario")
    return float(v.value)


def apply(s: Scenario, paths: list[str], values: list[float]) -> Scenario:
    """A copy of ``s`` with each input at its value (no validation: values come from a checked spec)."""
    actors: dict[str, dict[str, float]] = {}
    disputes: dict[str, float] = {}
    feet: dict[str, float] = {}
    top: dict[str, Any] = {}
    for path, v in zip(paths, values):
        if path in ("linking", "threat_trend"):
            top[path] = getattr(s, path).model_copy(update={"value": float(v)})
        elif path.startswith("dispute."):
            disputes[path.removeprefix("dispute.")] = float(v)
        elif path.startswith("foothold."):
            feet[path.removeprefix("foothold.").partition(".")[0]] = float(v)
        else:
            a, _, f = path.partition(".")
            actors.setdefault(a, {})[f] = float(v)
    if actors:
        new = []
        for a in s.actors:
            upd = actors.get(a.id)
            if upd:  # one copy of the actor with all its fields at their values
                a = a.model_copy(update={f: getattr(a, f).model_copy(update={"value": v}) for f, v in upd.items()})
            new.append(a)
        top["actors"] = new
    if disputes:
        top["disputes"] = [
            d.model_copy(update={"intensity": disputes.get(f"{d.a}-{d.b}", disputes.get(f"{d.b}-{d.a}", d.intensity))})
            for d in s.disputes]
    if feet:
        top["footholds"] = [f.model_copy(update={"distance_km": feet.get(f"{f.holder}-{f.near}", f.distance_km)})
                            for f in s.footholds]
    return s.model_copy(update=top)
