"""What the explorer computes, without any widgets: testable on its own.

Every function here works through the model's public interface
(:func:`pactlab.model.solve.solve`, the result's frames, the scenario
catalog and loader, the report module) and is what the Solara pages in
:mod:`pactlab.app.main` call.
"""

from __future__ import annotations

import ctypes
import io
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import yaml

from pactlab.errors import PactlabError, ScenarioError
from pactlab.model.result import Result
from pactlab.scenarios.edit import to_yaml, with_changes
from pactlab.scenarios.loader import parse_scenario
from pactlab.scenarios.schema import (CAPABILITY_UNITS, MAX_DISTANCE_KM, Contiguity, Level, Role, Scenario,
                                     Sovereignty)

#: Seconds one solve (and, apart, the design probabilities' computation) may
#: take before the explorer gives up on it. The exact solve of the largest
#: theatre the schema allows (12 clients) has a median of about 0.3 s
#: (docs/performance.md); 10 s leaves room on a busy machine.
SOLVE_SECONDS = 10.0
#: Largest number of solves one "what would it take" request may run; a
#: bigger sweep is refused with a pointer to the Python API.
MAX_SWEEP_SOLVES = 400
#: Upload size limit: scenario files are text of a few tens of kB.
from pactlab.scenarios.loader import MAX_BYTES as MAX_UPLOAD_BYTES  # noqa: E402  (the file limit)
#: A comparison whose margin is below this in absolute value is flagged fragile
#: (the same line the HTML report draws).
from pactlab.report.html import FRAGILE_MARGIN  # noqa: E402

class AppError(PactlabError):
    """A request the explorer refuses or cannot complete, with the reason."""


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Input:
    """One editable input: the dotted path :func:`with_changes` takes, a label,
    the kind of widget (``unit`` in [0, 1], ``positive`` > 0, ``choice``,
    ``flag``) and, for choices, the allowed values."""

    path: str
    label: str
    kind: str
    value: Any
    choices: tuple[str, ...] = ()
    group: str = ""
    limits: tuple[float, float] | None = None  # the schema's range for a positive or nonnegative input

    @property
    def bounds(self) -> tuple[float, float] | None:
        return (0.0, 1.0) if self.kind == "unit" else self.limits


_CLIENT_UNIT = (("maritime_reach", "maritime reach"), ("provocation", "provocation"),
                ("threat_divergence", "threat divergence"), ("econ_dependence", "economic dependence on the adversary"),
                ("patron_stake", "patron's stake"))


def inputs(s: Scenario) -> list[Input]:
    """Every input the explorer edits, bounded as the scenario schema bounds it."""
    out: list[Input] = []
    for a in s.actors:
        g = f"{a.name} ({a.id}, {a.role.value.replace('_', ' ')})"
        out.append(Input(f"actors.{a.id}.capability", f"{a.id} capability", "positive", a.capability.value, group=g,
                         limits=CAPABILITY_UNITS[s.unit][:2]))
        # CAP2: what the military power measures read (docs/model.md 2.9)
        for f, lab in (("milex_share", "military expenditure share"), ("milper_share", "military personnel share")):
            v = getattr(a, f, None)
            if v is not None:
                out.append(Input(f"actors.{a.id}.{f}", f"{a.id} {lab}", "unit", v.value, group=g))
        out.append(Input(f"actors.{a.id}.maritime_reach", f"{a.id} maritime reach", "unit", a.maritime_reach.value, group=g))
        if a.role is Role.client:
            for f, lab in _CLIENT_UNIT[1:]:
                v = getattr(a, f)
                out.append(Input(f"actors.{a.id}.{f}", f"{a.id} {lab}", "unit", v.value if v else 0.0, group=g))
            sov = a.sovereignty.value.value if a.sovereignty else Sovereignty.full.value
            out.append(Input(f"actors.{a.id}.sovereignty", f"{a.id} sovereignty", "choice", sov,
                             tuple(x.value for x in Sovereignty), group=g))
        if a.role is Role.patron:
            lm = a.leverage_motive.value if a.leverage_motive else 0.0
            out.append(Input(f"actors.{a.id}.leverage_motive", f"{a.id} leverage motive", "unit", lm, group=g))
            mc = a.max_commitment.value.value if a.max_commitment else Level.defend.value
            out.append(Input(f"actors.{a.id}.max_commitment", f"{a.id} most it may commit", "choice", mc,
                             ("none", "consult", "defend"), group=g))
        if a.role is Role.aligned_adversary:
            out.append(Input(f"actors.{a.id}.alignment", f"{a.id} alignment with the adversary", "unit",
                             a.alignment.value, group=g))
        if a.role is Role.outside:
            out.append(Input(f"actors.{a.id}.linked", f"{a.id} takes part (cross-theatre linking)", "flag",
                             a.linked, group=g))
    out.append(Input("linking", "cross-theatre linking", "unit", s.linking.value if s.linking else 0.0,
                     group="Theatre"))
    for k, d in enumerate(s.disputes):
        out.append(Input(f"disputes.{k}.intensity", f"dispute {d.a}-{d.b}", "unit", d.intensity, group="Disputes"))
    for k, f in enumerate(s.footholds):
        out.append(Input(f"footholds.{k}.distance_km", f"foothold {f.holder} near {f.near}: distance (km)",
                         "nonnegative", f.distance_km, group="Footholds", limits=(0.0, MAX_DISTANCE_KM)))
        out.append(Input(f"footholds.{k}.contiguity", f"foothold {f.holder} near {f.near}: contiguity", "choice",
                         f.contiguity.value, tuple(x.value for x in Contiguity), group="Footholds"))
        out.append(Input(f"footholds.{k}.overland", f"foothold {f.holder} near {f.near}: a land route (GEO2)",
                         "flag", f.by_land, group="Footholds"))
    return out


#: The step of the explorer's sliders (the unit inputs over [0, 1]).
SLIDER_STEP = 0.01


def is_slider_rounding(moved_to: float, value: float, step: float = SLIDER_STEP) -> bool:
    """Whether a slider's report of ``moved_to`` is only the slider showing
    ``value`` on its grid, not a move. A slider holds multiples of its step:
    given a value off that grid (a military expenditure share of 0.0232679)
    it reports the nearest multiple (0.02) as soon as it is drawn, without
    anyone touching it. Taken as an edit, that report would change the input
    (0.000433 becomes 0) and mark it edited, and re-solve the theatre once per
    such slider; a move by hand lands at least half a step from the value."""
    return abs(float(moved_to) - float(value)) < step / 2


def apply(s: Scenario, path: str, value: Any) -> Scenario:
    """``s`` with one input changed, validated (raises ScenarioError)."""
    if path == "linking" and s.linking is None:
        return with_changes(s, {"linking": {"value": float(value), "source": "edit", "note": "added by hand"}})
    return with_changes(s, {path: value})


def _treaties(s: Scenario) -> list[dict]:
    return [t.model_dump(mode="json", exclude_none=True) for t in s.treaties]


def treaty_members(s: Scenario) -> list[str]:
    """Who may be a member of a treaty the explorer adds: the patron and the
    clients (the model reads the pledges in force among them)."""
    return [a.id for a in s.actors if a.role in (Role.patron, Role.client)]


def add_treaty(s: Scenario, members: list[str], level: str, council: bool = False) -> Scenario:
    """``s`` with a treaty in force among ``members`` at ``level`` (an edit);
    ``council``: it sets up a standing council or organ (codebook COUNCIL1)."""
    members = list(dict.fromkeys(members))
    if len(members) < 2:
        raise ScenarioError(s.id, ["treaties: a treaty needs at least two different members"])
    tid = "edit-" + "-".join(m.lower() for m in members)
    ids = {t.id for t in s.treaties}
    while tid in ids:
        tid += "x"
    t = {"id": tid, "members": members, "level": level, "council": bool(council), "source": "edit",
         "note": "added by hand"}
    return with_changes(s, treaties=_treaties(s) + [t], sources=_with_edit_source(s))


def remove_treaty(s: Scenario, treaty_id: str) -> Scenario:
    return with_changes(s, treaties=[t for t in _treaties(s) if t["id"] != treaty_id])


def _treaty_index(s: Scenario, treaty_id: str) -> int:
    ids = [t.id for t in s.treaties]
    if treaty_id not in ids:
        raise ScenarioError(s.id, [f"treaties: no treaty '{treaty_id}' (in force: {', '.join(ids) or 'none'})"])
    return ids.index(treaty_id)


def set_treaty_level(s: Scenario, treaty_id: str, level: str) -> Scenario:
    return with_changes(s, {f"treaties.{_treaty_index(s, treaty_id)}.level": level})


def set_treaty_council(s: Scenario, treaty_id: str, council: bool) -> Scenario:
    """``s`` with the treaty's standing council (codebook COUNCIL1) set or cleared."""
    return with_changes(s, {f"treaties.{_treaty_index(s, treaty_id)}.council": bool(council)})


def clients(s: Scenario) -> list[str]:
    """The clients' ids: the two ends a dispute may have, and where a foothold may be near."""
    return [a.id for a in s.clients]


def foothold_holders(s: Scenario) -> list[str]:
    """The actors that may hold a foothold: any but a client (codebook FOOT1)."""
    return [a.id for a in s.actors if a.role is not Role.client]


def _disputes(s: Scenario) -> list[dict]:
    return [d.model_dump(mode="json", exclude_none=True) for d in s.disputes]


def add_dispute(s: Scenario, a: str, b: str, intensity: float) -> Scenario:
    """``s`` with a dispute between clients ``a`` and ``b`` of ``intensity``
    (an edit). The scenario schema checks both ends are clients and the
    intensity is in [0, 1]; a pair that already has a dispute is refused
    (the model reads one intensity per pair: move that dispute's slider)."""
    if a == b:
        raise ScenarioError(s.id, [f"disputes: a dispute is between two different clients, but both are '{a}'"])
    for d in s.disputes:
        if {d.a, d.b} == {a, b}:
            raise ScenarioError(s.id, [f"disputes: {a} and {b} already have a dispute (intensity {d.intensity:g}); "
                                       f"move the slider 'dispute {d.a}-{d.b}' instead"])
    ds = _disputes(s) + [{"a": a, "b": b, "intensity": float(intensity), "source": "edit", "note": "added by hand"}]
    return with_changes(s, disputes=ds, sources=_with_edit_source(s))


def remove_dispute(s: Scenario, k: int) -> Scenario:
    """``s`` without its ``k``-th dispute (an index of ``s.disputes``)."""
    if not 0 <= k < len(s.disputes):
        raise ScenarioError(s.id, [f"disputes: no item [{k}] (the list has {len(s.disputes)} items)"])
    return with_changes(s, disputes=[d for i, d in enumerate(_disputes(s)) if i != k])


def add_foothold(s: Scenario, holder: str, near: str, contiguity: str, distance_km: float) -> Scenario:
    """``s`` with forces of ``holder`` stationed ``distance_km`` from client
    ``near`` (codebook FOOT1; an edit). The scenario schema checks the holder
    is not a client, ``near`` is one, the contiguity is land, sea or remote and
    the distance is within [0, MAX_DISTANCE_KM]. Distance 0 over land is a
    foothold on the client's own territory."""
    f = {"holder": holder, "near": near, "contiguity": contiguity, "distance_km": float(distance_km),
         "source": "edit", "note": "added by hand"}
    fs = [x.model_dump(mode="json", exclude_none=True) for x in s.footholds] + [f]
    return with_changes(s, footholds=fs, sources=_with_edit_source(s))


def remove_foothold(s: Scenario, k: int) -> Scenario:
    """``s`` without its ``k``-th foothold (an index of ``s.footholds``)."""
    if not 0 <= k < len(s.footholds):
        raise ScenarioError(s.id, [f"footholds: no item [{k}] (the list has {len(s.footholds)} items)"])
    fs = [f.model_dump(mode="json", exclude_none=True) for i, f in enumerate(s.footholds) if i != k]
    return with_changes(s, footholds=fs)


def _with_edit_source(s: Scenario) -> dict:
    from pactlab.scenarios.edit import EDIT_CITE, EDIT_SOURCE

    src = {k: v.model_dump(mode="json", exclude_none=True) for k, v in s.sources.items()}
    src[EDIT_SOURCE] = {"cite": EDIT_CITE}
    return src


def parse_upload(data: bytes, name: str) -> Scenario:
    """A scenario from an uploaded file's bytes, parsed in memory (no path is
    opened) and checked step by step as :func:`pactlab.scenarios.loader.load_scenario`
    checks a file, so the messages are those of ``pactlab validate``."""
    from pactlab.scenarios import loader

    if len(data) > MAX_UPLOAD_BYTES:
        raise ScenarioError(name, [f"the file is {len(data) / 1e6:.1f} MB; a scenario file is at most "
                                   f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB (is this the right file?)"])
    if b"\x00" in data[:8192]:
        raise ScenarioError(name, ["is a binary file, not a YAML text file (is this the right file?)"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, [f"is not UTF-8 text (byte {exc.start}); save it as UTF-8"]) from None
    try:
        parsed, lines = loader._yaml_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(name, [f"{where}not valid YAML ({problem})"]) from None
    return parse_scenario(parsed, name, lines)


# ---------------------------------------------------------------------------
# solving, bounded
# ---------------------------------------------------------------------------
class _Stopped(BaseException):
    """Raised inside a computation the explorer stopped at its time limit."""


def _stop(thread: threading.Thread) -> None:
    """Raise :class:`_Stopped` in ``thread`` at its next Python instruction
    (a computation inside one compiled call stops when that call returns)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Stopped))


def _bounded(what: str, fn, *args, seconds: float | None = None):
    """``fn(*args)`` with the explorer's time limit (:data:`SOLVE_SECONDS`,
    read at call time). Past it the computation is stopped, so it does not
    go on using the processor behind the page, and AppError names ``what``.

    Each call runs in a thread of its own: a stop lands in that thread only
    and ends it (a shared pool's thread would take the stop into the next
    computation, or die and shrink the pool)."""
    seconds = SOLVE_SECONDS if seconds is None else seconds
    out: dict[str, Any] = {}
    lock = threading.Lock()  # held while the outcome is stored, so a stop never lands after it

    def run():
        try:
            try:
                value = fn(*args)
                with lock:
                    out["value"] = value
            except BaseException as exc:  # noqa: BLE001  (handed to the caller)
                if not isinstance(exc, _Stopped):
                    with lock:
                        out["error"] = exc
        except _Stopped:  # a stop that landed while the error was stored
            pass

    worker = threading.Thread(target=run, name="pactlab-solve", daemon=True)
    worker.start()
    worker.join(seconds)
    with lock:
        if "error" in out:
            raise out["error"]
        if "value" in out:
            return out["value"]
        if worker.is_alive():
            _stop(worker)
    raise AppError(f"stopped {what} after {seconds:g} s (the explorer's time limit)")


def bounded_solve(s: Scenario, seconds: float | None = None) -> Result:
    """``solve(s)`` with a time limit; raises AppError past it."""
    from pactlab.model.solve import solve

    try:
        return _bounded("the solve", solve, s, seconds=seconds)
    except AppError as exc:
        raise AppError(f"{exc}. Run it from the command line: download the scenario (YAML) and run "
                       f"pactlab run {scenario_file(s)}") from None


def scenario_file(s: Scenario) -> str:
    """The name the explorer's scenario download gives the theatre's file."""
    return f"{s.id}.yaml"


def probabilities_command(s: Scenario) -> str:
    """The command that computes ``s``'s design probabilities without the
    explorer's time limit (its JSON's ``design_probabilities``)."""
    return f"pactlab run {scenario_file(s)} --format json"


def design_probabilities(s: Scenario) -> tuple[dict[str, float], str]:
    """The design distribution of Cohen's theory as registered, and how it was
    obtained (the registered theory's own method and note)."""
    from pactlab.theories import get as theory

    p = theory("cohen").predict(s)
    return dict(p.design_probabilities), f"{p.method}: {p.note}"


def bounded_design_probabilities(s: Scenario, seconds: float | None = None) -> tuple[dict[str, float], str]:
    """:func:`design_probabilities` with the solve's time limit; raises AppError
    past it, saying how to compute them from the command line."""
    try:
        return _bounded("the design probabilities", design_probabilities, s, seconds=seconds)
    except AppError as exc:
        raise AppError(f"{exc}. Compute them from the command line: download the scenario (YAML) and run "
                       f"{probabilities_command(s)} (the design_probabilities field)") from None


@dataclass
class View:
    """Everything the explorer shows for one solve."""

    design: str
    probabilities: dict[str, float]
    probability_method: str
    preferences: list[dict]
    comparisons: list[dict]
    treaties: list[dict]
    edges: list[str]
    seconds: float
    notes: list[str] = field(default_factory=list)
    #: why the design probabilities are missing (their computation was stopped), else ""
    probabilities_stopped: str = ""


def edges(r: Result) -> list[str]:
    """The predicted treaties as the diagram draws them: ``kind:treaty id``
    (the ``gid`` of the diagram's artists, see :func:`pactlab.report.plots.treaty_artists`)."""
    out = []
    for t in r.treaties:
        if len(t.members) >= 2:
            out.append(f"{'spoke' if t.with_patron and len(t.members) == 2 else 'hull'}:{t.id}")
    return sorted(out)


def view(s: Scenario, r: Result, seconds: float = 0.0) -> View:
    try:
        probs, method, stopped = *bounded_design_probabilities(s), ""
    except AppError as exc:
        probs, method, stopped = {}, "", str(exc)
    prefs = [{"actor": p.actor, "role": p.role, "preferred": p.preferred, "margin over second": round(p.margin, 4)}
             for p in r.preferences]
    comps = [{"stage": c.stage, "actor": c.actor, "chosen": c.chosen, "over": c.alternative,
              "margin": round(c.margin, 4), "fragile": abs(c.margin) < FRAGILE_MARGIN and c.stage not in ("durability", "threat"),
              "mechanism": c.mechanism, "hypothesis": c.hypothesis} for c in r.comparisons]
    treaties = [{"treaty": t.id, "members": ", ".join(t.members), "level": t.level, "form": t.form,
                 "origin": t.origin, "expected years": round(t.expected_years, 1), "durability": t.durability}
                for t in r.treaties]
    return View(r.design, probs, method, prefs, comps, treaties, edges(r), seconds, list(r.notes), stopped)


def network_svg(r: Result, s: Scenario) -> str:
    """The alliance network exactly as the HTML report draws it, as inline SVG."""
    from pactlab.report import plots
    from pactlab.report.html import inline_svg

    ax = plots.alliance_network(r, s)
    return inline_svg(plots.figure_svg(ax.figure), "net", f"Alliance network: {r.design}")


def solve_view(s: Scenario) -> tuple[Result, View]:
    t0 = time.perf_counter()
    r = bounded_solve(s)
    return r, view(s, r, time.perf_counter() - t0)


# ---------------------------------------------------------------------------
# what would it take
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Tip:
    path: str
    label: str
    base: float
    value: float
    design: str

    @property
    def change(self) -> float:
        return self.value - self.base


def curve(s: Scenario, inp: Input, n: int = 21, target: str = "multilateral") -> list[tuple[float, str, int]]:
    """The design along one input's range: (value, design, number of treaties)
    at ``n`` evenly spaced values (unit inputs over [0, 1]; capabilities and
    distances from a tenth to ten times the coded value, within the range
    the scenario schema allows: a CINC share stays at most 1).

    Refused when ``n`` solves are more than one request may run
    (:data:`MAX_SWEEP_SOLVES`), and stopped when one solve reaches the time
    limit; both messages name the ``pactlab explore tipping`` command that
    searches this input for ``target`` (the page's target design) without
    those limits."""
    if n > MAX_SWEEP_SOLVES:
        raise AppError(f"this curve needs {n} solves; one request may run {MAX_SWEEP_SOLVES}. "
                       f"Run it from the command line: {_curve_command(s, inp, n, target)}")
    lo, hi = _range(inp)
    out = []
    for k in range(n):
        v = lo + (hi - lo) * k / (n - 1)
        try:
            r = bounded_solve(apply(s, inp.path, v))
        except AppError as exc:
            raise AppError(f"{exc}. For the whole curve: {_curve_command(s, inp, n, target)}") from None
        out.append((v, r.design, len(r.treaties)))
    return out


def _curve_command(s: Scenario, inp: Input, n: int, target: str) -> str:
    """Where to run a curve the explorer refuses or stops: ``pactlab explore
    tipping`` on the downloaded scenario, varying this input on a grid of
    ``n`` points (at most the 101 the command allows). An input the
    command's default uncertainty does not cover (one coded 0 or absent, a
    foothold distance) needs an uncertainty file giving it a span."""
    from pactlab.explore.spec import default_spec

    name = explore_name(s, inp)
    grid = f" --grid {min(max(n, 3), 101)}"
    if name in default_spec(s).names():
        return f"download the scenario (YAML) and run {tipping_command(s, target, [inp])}{grid}"
    return (f"download the scenario (YAML) and run {tipping_command(s, target)} --vary {name}{grid} "
            f"--uncertainty SPAN.yaml, with SPAN.yaml an uncertainty file that gives {name} a low and a high "
            "(docs/explore.md): the command's default uncertainty does not cover this input")


def _range(inp: Input) -> tuple[float, float]:
    if inp.kind == "unit":
        return 0.0, 1.0
    if inp.kind in ("positive", "nonnegative"):
        v = float(inp.value) or 1.0
        lo, hi = v / 10, v * 10
        if inp.limits is not None:  # within the schema's range (a CINC share stays at most 1)
            lo, hi = max(lo, inp.limits[0]), min(hi, inp.limits[1])
        return lo, hi
    raise AppError(f"{inp.label}: not a numeric input")


def explore_name(s: Scenario, inp: Input) -> str:
    """The name ``pactlab explore`` gives an explorer input (docs/explore.md):
    ``ACTOR.field``, ``dispute.A-B``, ``linking``, ``foothold.HOLDER-NEAR.distance_km``."""
    parts = inp.path.split(".")
    if parts[0] == "actors":
        return f"{parts[1]}.{parts[2]}"
    if parts[0] == "disputes":
        d = s.disputes[int(parts[1])]
        return f"dispute.{d.a}-{d.b}"
    if parts[0] == "footholds":
        f = s.footholds[int(parts[1])]
        return f"foothold.{f.holder}-{f.near}.{parts[2]}"
    return inp.path


def tipping_command(s: Scenario, target: str, among: list[Input] | None = None) -> str:
    """The ``pactlab explore tipping`` command that searches, on the scenario
    as downloaded, for the values of ``among`` (default: every input) that
    reach ``target``. ``--vary`` names only the inputs the command's default
    uncertainty covers (an input coded 0 or absent, or a foothold distance,
    needs an uncertainty file: docs/explore.md); with none of them, or all,
    it is left out and the command varies every input it covers."""
    from pactlab.explore.spec import default_spec

    known = default_spec(s).names()
    cmd = f"pactlab explore tipping {scenario_file(s)} --target {target}"
    if among is not None:
        names = [x for x in dict.fromkeys(explore_name(s, i) for i in among) if x in known]
        if names and len(names) < len(known):
            cmd += f" --vary {','.join(names)}"
    return cmd


def smallest_changes(s: Scenario, target: str, n: int = 5, budget: int = MAX_SWEEP_SOLVES,
                     only: str | None = None) -> list[Tip]:
    """For each numeric input, the value nearest the coded one (on a grid of
    ``n`` values over its range) at which the predicted design becomes
    ``target``; inputs that never reach it are left out. Sorted by the size
    of the change relative to the input's range. Refused when it would need
    more than ``budget`` solves. ``only`` keeps the inputs of one group
    (an actor, ``Theatre``, ``Disputes`` or ``Footholds``)."""
    numeric = [i for i in inputs(s) if i.kind in ("unit", "positive", "nonnegative") and only in (None, i.group)]
    need = len(numeric) * n
    if need > budget:
        raise AppError(
            f"this search needs {need} solves ({len(numeric)} inputs x {n} values); one request may run {budget}. "
            "Narrow it to one group of inputs, or run it from the command line: download the scenario (YAML) and "
            f"run {tipping_command(s, target, numeric if only else None)} (or from Python: "
            "pactlab.app.logic.smallest_changes "
            "with a larger budget)"
        )
    tips = []
    for inp in numeric:
        lo, hi = _range(inp)
        grid = sorted((lo + (hi - lo) * k / (n - 1) for k in range(n)), key=lambda v: abs(v - float(inp.value)))
        for v in grid:
            r = bounded_solve(apply(s, inp.path, v))
            if r.design == target:
                tips.append((abs(v - float(inp.value)) / (hi - lo), Tip(inp.path, inp.label, float(inp.value), v, target)))
                break
    return [t for _, t in sorted(tips, key=lambda x: x[0])]


# ---------------------------------------------------------------------------
# downloads and other pages
# ---------------------------------------------------------------------------
def scenario_yaml(s: Scenario) -> str:
    return to_yaml(s)


def result_json(r: Result) -> str:
    return r.to_json()


def report_html(r: Result, s: Scenario) -> str:
    from pactlab.report.html import render_report

    return render_report(r, s)


def case_rows() -> list[dict]:
    """The case table: each historical theatre's prediction against the record."""
    from dataclasses import asdict

    from pactlab.evidence.cases import case_table

    rows = []
    for _s, _r, score in case_table():
        d = asdict(score)
        rows.append({k: (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v) for k, v in d.items()
                     if not isinstance(v, dict)})
    return rows


def compare(a: Scenario, ra: Result, b: Scenario, rb: Result) -> list[dict]:
    """Side by side: design, treaties and each client's group, pledge and threat."""
    rows = [{"": "design", "today": ra.design, "edited": rb.design}]
    ta = {t.id: f"{t.level} {t.form}" for t in ra.treaties}
    tb = {t.id: f"{t.level} {t.form}" for t in rb.treaties}
    for k in sorted(set(ta) | set(tb)):
        rows.append({"": f"treaty {k}", "today": ta.get(k, "-"), "edited": tb.get(k, "-")})
    ca = {c.id: c for c in ra.clients}
    for c in rb.clients:
        o = ca.get(c.id)
        rows.append({"": f"{c.id} patron pledge", "today": o.patron_pledge if o else "-", "edited": c.patron_pledge})
        rows.append({"": f"{c.id} threat after design", "today": f"{o.threat:.3f}" if o else "-",
                     "edited": f"{c.threat:.3f}"})
    return rows


def dumps(obj: Any) -> str:
    buf = io.StringIO()
    json.dump(obj, buf, indent=2, default=str)
    return buf.getvalue()
