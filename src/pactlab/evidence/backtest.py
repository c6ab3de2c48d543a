"""The time-ordered backtest: the model and its baselines on every great-power-client episode.

``run_backtest(data, y1, y2)`` finds the episodes (:mod:`pactlab.evidence.episodes`), and for each,
in time order:

1. makes a view of the data that holds ATOP only as known at the start of the window
   (:func:`~pactlab.evidence.episodes.data_before`), and picks the adversary from it by rule;
2. builds the theatre from that view (:func:`pactlab.evidence.builder.build_theatre`), parses it and
   solves it with the DEFAULT parameters (nothing is fitted or tuned per case);
3. predicts the grouping with each baseline, the pair logit fitted on earlier windows only;
4. records, for each record treaty, the model's commitment level and hazard.

Each episode's row is appended, complete, to ``episodes.csv`` in ``out`` as soon as it is done, after
``manifest.json`` (:mod:`pactlab.manifest`: data files and checksums, years, parameters, version). With
``resume=True`` a matching earlier run's episodes are read back instead of recomputed, and a run that
does not match is refused; ``fresh=True`` discards it. An episode that cannot
be run (too many clients, no adversary by the rule, a builder or solver failure) is kept with
``status = skipped`` and its reason, and counted in the scoreboard; a missing or broken data file
stops the run with a :class:`~pactlab.errors.DataError`.

:func:`score` turns the rows into the scoreboard (T1-T3);
:mod:`pactlab.evidence.hypotheses` adds T4.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pactlab import __version__, manifest
from pactlab.data import DataDir
from pactlab.data import DataFileInvalid, DataFileMissing
from pactlab.evidence import baselines as B
from pactlab.evidence import metrics as M
from pactlab.evidence.legacy import (
    BacktestError,
    Episode,
    choose_adversary,
    data_before,
    WINDOW,
    find_episodes,
)
from pactlab.files import (
    RowAppender,
    atomic_write_text,
    finite_or_none,
    json_dumps,
    last_complete_row_end,
    output_folder,
    truncate_to_last_row,
)
from pactlab.model.params import DEFAULT, Parameters

EPISODES_CSV = "episodes.csv"
#: every file a run writes to --out (``--fresh`` removes these and the manifest, nothing else)
RESULT_FILES = (EPISODES_CSV, "clients.csv", "treaties.csv", "h2_alliances.csv", "predictions.json",
                "scoreboard.json")
#: T1 methods, model first
METHODS = ("model", "all-bilateral", "all-multilateral", "contiguity", "logit")
#: Jaccard overlap (on clients) at or above which a predicted treaty is "the same" as a record treaty
MATCH_JACCARD = 0.5
#: horizon (years) of the durability calibration and Brier score
HORIZON = 10
#: data sets the backtest itself reads (the builder may need more and says so)
REQUIRED = ("states", "majors", "nmc", "contiguity", "atop_alliances", "atop_members", "td_rivalries")
#: every data set a run may read (the builder's optional ones too): recorded, with checksums, in the manifest
READS = REQUIRED + ("mindist", "capitals", "war", "terrthreat", "ls_threat")

COLUMNS = (
    "key", "patron", "start", "end", "region", "n_clients", "status", "reason", "adversary", "adversary_rule",
    "patron_cinc", "clients", "record", "model_design", "pred_model", "model_treaties", "treaty_preds",
    "pred_contiguity", "pred_logit", "logit_note", "pair_features", "pair_probs", "const_hazard",
    "dropped_clients", "dropped_treaties", "seconds", "pactlab_version", "parameters",
)
_JSON_COLS = ("clients", "record", "pred_model", "model_treaties", "treaty_preds", "pred_contiguity",
              "pred_logit", "pair_features", "pair_probs", "dropped_clients", "dropped_treaties")


def _builder():
    try:
        from pactlab.evidence.builder import build_theatre
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the colleague's module
        if exc.name != "pactlab.evidence.builder":
            raise
        raise BacktestError("the theatre builder (pactlab.evidence.builder.build_theatre) is not installed; "
                            "the backtest needs it to turn COW/ATOP records into scenarios") from None
    return build_theatre


# --------------------------------------------------------------------------- one episode
def _jaccard(a, b) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def gp_client_hazard(view: DataDir, year: int) -> float:
    """Yearly rate at which great-power-client alliances (defence or consultation, at least one
    major and one other member at the start) ended, from ATOP as known at the start of ``year``:
    endings / alliance-years at risk (an alliance ended in the year it began counts half a year).
    The constant-hazard baseline of T3."""
    a = view.atop_alliances()
    a = a.loc[a.commitment.isin(("defend", "consult")).to_numpy()]
    majors = view.major_years()
    mk = set(zip(majors.ccode.tolist(), majors.year.tolist()))
    ev = expo = 0.0
    for r in a.itertuples(index=False):
        mem = r.members
        by = int(r.begyr)
        if not any((m, by) in mk for m in mem) or all((m, by) in mk for m in mem):
            continue
        ended = not bool(r.censored) and not pd.isna(r.endyr)
        expo += max(int(r.endyr) - by, 0.5) if ended else year - by  # an alliance ended in its first year: half a year
        ev += float(ended)
    return ev / expo if expo > 0 else float("nan")


def _treaty_predictions(result, scenario, code, ep: Episode, params: Parameters) -> list[dict]:
    """For each record treaty: the model's level and hazard (from the best-matching predicted patron
    treaty, or, if none overlaps by at least MATCH_JACCARD, from the model's own durability equation
    on the record's clients and the patron pledge the model gives them)."""
    from pactlab.model.durability import durability
    from pactlab.model.theatre import compile_theatre

    with_p = [t for t in result.treaties if t.with_patron]
    pledge = {code[c.id]: c.patron_pledge for c in result.clients}
    th = None
    out = []
    for rt in ep.treaties:
        best, bj = None, 0.0
        for t in with_p:
            j = _jaccard([code[x] for x in t.clients], rt.clients)
            if j > bj:
                best, bj = t, j
        if best is not None and bj >= MATCH_JACCARD:
            out.append({"atopid": rt.atopid, "level": best.level, "hazard": best.hazard, "match": "treaty",
                        "jaccard": bj})
            continue
        if th is None:
            th = compile_theatre(scenario, params)
        idx = [th.ids.index(a.id) for a in scenario.clients if a.ccode in rt.clients]
        if not idx:  # no member of the record treaty is a client of this theatre: nothing to score
            continue
        lcc = int(min((th.prior_cc[i, j] for i in idx for j in idx if i != j), default=0))
        hz, _ = durability(th, idx, lcc, False)
        rank = max((("none", "consult", "defend").index(pledge.get(c, "none")) for c in rt.clients), default=0)
        out.append({"atopid": rt.atopid, "level": ("none", "consult", "defend")[rank], "hazard": hz,
                    "match": "equation", "jaccard": bj})
    return out


def run_episode(data: DataDir, ep: Episode, logit: B.PairLogit | None, builder=None,
                params: Parameters = DEFAULT, view: DataDir | None = None) -> dict:
    """Predict one episode (model and baselines) from data before its window. Returns its row.
    ``view``: ``data_before(data, ep.start)`` if already made (episodes of a window share one)."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {
        "key": ep.key, "patron": ep.patron, "start": ep.start, "end": ep.end, "region": ep.region,
        "n_clients": len(ep.clients), "status": "skipped", "reason": ep.skip or "", "adversary": None,
        "adversary_rule": "", "patron_cinc": float("nan"), "clients": list(ep.clients),
        "record": [asdict(t) for t in ep.treaties], "model_design": "", "pred_model": None, "model_treaties": None,
        "treaty_preds": None, "pred_contiguity": None, "pred_logit": None, "logit_note": "", "pair_features": None,
        "pair_probs": None, "const_hazard": float("nan"), "dropped_clients": [list(x) for x in ep.dropped],
        "dropped_treaties": list(ep.dropped_treaties), "seconds": 0.0, "pactlab_version": __version__,
        "parameters": params.digest(),
    }
    if view is None or getattr(view, "known_before", None) != ep.start:
        view = data_before(data, ep.start)
    row["patron_cinc"] = view.cinc(ep.patron, ep.start - 1)
    row["const_hazard"] = gp_client_hazard(view, ep.start)
    if ep.skip:
        return _done(row, t0)
    adv = choose_adversary(view, ep.patron, ep.start, ep.clients)
    row["adversary_rule"] = adv.rule
    if adv.ccode is None:
        row["reason"] = "no adversary by the rule (no rival, no unallied major power in the year before)"
        return _done(row, t0)
    row["adversary"] = adv.ccode
    build = builder or _builder()
    from pactlab.model.solve import solve
    from pactlab.scenarios.loader import parse_scenario

    sid = f"bt-{ep.patron}-{ep.start}-{ep.end}" + ("" if ep.region == "all" else "-" + "".join(
        ch if ch.isalnum() else "-" for ch in ep.region.lower()))
    try:
        raw = build(view, ep.patron, ep.start, list(ep.clients), adv.ccode, scenario_id=sid)
        scenario = parse_scenario(raw, f"<built theatre {ep.key}>")
    except (DataFileMissing, DataFileInvalid):
        raise
    except Exception as exc:  # noqa: BLE001 - every other failure is recorded, counted and reported
        row["reason"] = f"builder: {type(exc).__name__}: {_short(exc)}"
        return _done(row, t0)
    code = {a.id: a.ccode for a in scenario.actors}
    if sorted(a.ccode for a in scenario.clients) != sorted(ep.clients):
        row["reason"] = "builder: the built theatre's clients differ from the episode's"
        return _done(row, t0)
    try:
        result = solve(scenario, params)
        tpreds = _treaty_predictions(result, scenario, code, ep, params)
    except Exception as exc:  # noqa: BLE001
        row["reason"] = f"solve: {type(exc).__name__}: {_short(exc)}"
        return _done(row, t0)
    row["model_design"] = result.design
    row["pred_model"] = [sorted(code[c] for c in t.clients) for t in result.treaties if t.with_patron]
    row["model_treaties"] = [{"clients": sorted(code[c] for c in t.clients), "with_patron": t.with_patron,
                              "level": t.level, "form": t.form, "origin": t.origin, "hazard": t.hazard,
                              "expected_years": t.expected_years} for t in result.treaties]
    row["treaty_preds"] = tpreds
    facts = B.theatre_facts(scenario)
    row["pred_contiguity"] = [list(g) for g in B.contiguity_clusters(facts)]
    feats = B.pair_features(facts)
    row["pair_features"] = [[a, b, f] for a, b, f in feats]
    lg = logit or B.PairLogit().fit(np.zeros((0, len(B.PAIR_FEATURES))), np.zeros(0))
    groups, probs = lg.grouping(ep.clients, feats)
    row["pred_logit"] = [list(g) for g in groups]
    row["pair_probs"] = probs
    row["logit_note"] = lg.fallback or f"fitted on {lg.n_train} pairs from earlier windows"
    row["status"] = "ok"
    row["reason"] = ""
    return _done(row, t0)


def _short(exc: Exception, limit: int = 300) -> str:
    s = " ".join(str(exc).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _done(row: dict, t0: float) -> dict:
    row["seconds"] = round(time.perf_counter() - t0, 4)
    return row


# --------------------------------------------------------------------------- rows on disk
def _encode(row: dict) -> dict:
    out = {}
    for c in COLUMNS:
        v = row.get(c)
        if c in _JSON_COLS:
            out[c] = "" if v is None else json.dumps(v, separators=(",", ":"), default=_json_default)
        elif v is None or (isinstance(v, float) and math.isnan(v)):
            out[c] = ""
        else:
            out[c] = v
    return out


def _json_default(x):
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (set, tuple)):
        return list(x)
    raise TypeError(type(x).__name__)


def _decode(rec: dict) -> dict:
    row: dict[str, Any] = {}
    for c in COLUMNS:
        v = rec.get(c, "")
        if c in _JSON_COLS:
            row[c] = json.loads(v) if v else None
        elif c in ("patron", "start", "end", "n_clients", "adversary"):
            row[c] = int(v) if v != "" else None
        elif c in ("patron_cinc", "const_hazard", "seconds"):
            row[c] = float(v) if v != "" else float("nan")
        else:
            row[c] = v
    return row


def read_rows(path: Path) -> list[dict]:
    """Rows of an ``episodes.csv``. A partial last line (a run stopped mid-row) is ignored; any other
    malformed or repeated row is an error, since resuming over it would lose or duplicate episodes."""
    if not path.exists():
        return []
    data = path.read_bytes()
    text = data[: last_complete_row_end(data)].decode("utf-8", errors="replace")
    rows = []
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        return []
    if header != list(COLUMNS):
        raise BacktestError(f"{path} is not an episodes file written by this version of pactlab "
                            f"(columns differ); use --fresh to discard it, or choose another --out folder")
    for n, rec in enumerate(reader, start=2):
        if len(rec) != len(COLUMNS):
            raise BacktestError(f"{path}, row {n}: {len(rec)} fields where the header has {len(COLUMNS)}; the "
                                "file was changed outside pactlab. Use --fresh to start the run again")
        try:
            row = _decode(dict(zip(COLUMNS, rec)))
        except (ValueError, json.JSONDecodeError) as exc:
            raise BacktestError(f"{path}, row {n}: cannot be read back ({exc}); use --fresh to start the run "
                                "again") from None
        if row["key"] in seen:
            raise BacktestError(f"{path}: episode {row['key']} appears twice (rows {seen[row['key']]} and {n}); "
                                "use --fresh to start the run again")
        seen[row["key"]] = n
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the run
@dataclass
class BacktestRun:
    y1: int
    y2: int
    rows: list[dict]
    notes: list[str] = field(default_factory=list)
    release_end: int = 0
    last_begyr: int = 0
    resumed: int = 0
    seconds: float = 0.0
    data_path: str = ""
    #: the data sets the run reads, as recorded in its manifest (title, file, version, coverage, sha256)
    data_sets: dict = field(default_factory=dict)


def _training(rows: list[dict], before: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = [], []
    for r in rows:
        if r["status"] != "ok" or r["end"] >= before or not r["pair_features"]:
            continue
        pos = M.co_member_pairs([t["clients"] for t in r["record"]])
        for a, b, f in r["pair_features"]:
            X.append(f)
            y.append(float(frozenset((a, b)) in pos))
    return np.array(X, dtype=float).reshape(-1, len(B.PAIR_FEATURES)), np.array(y, dtype=float)


def run_manifest(data: DataDir, y1: int, y2: int, params: Parameters = DEFAULT,
                 records: dict | None = None) -> dict:
    """The manifest of a backtest run (see :mod:`pactlab.manifest`): the data sets it reads with their
    checksums, the years, the window length and the parameters."""
    return manifest.build("backtest", data=records if records is not None else manifest.data_records(data, READS),
                          years=(y1, y2), windows=WINDOW, parameters=params, info={"data_folder": str(data.path)})


def run_backtest(data: DataDir, y1: int, y2: int, out: Path | None = None, resume: bool = False,
                 fresh: bool = False, on_start: Callable[[int], None] | None = None,
                 on_episode: Callable[[dict], None] | None = None,
                 builder=None, params: Parameters = DEFAULT) -> BacktestRun:
    """Run every episode of [y1, y2] in time order (see the module docstring)."""
    t0 = time.perf_counter()
    if y2 < y1:
        raise BacktestError(f"--to ({y2}) is before --from ({y1})")
    if resume and out is None:
        raise BacktestError("--resume needs --out DIR (the folder holding the earlier run's episodes.csv)")
    data.check(REQUIRED)
    es = find_episodes(data, y1, y2)
    done: dict[str, dict] = {}
    records = manifest.data_records(data, READS)
    writer = None
    if out is not None:
        out = output_folder(out, parents=True)
        m = run_manifest(data, y1, y2, params, records)
        mode = manifest.open_run(out, m, resume=resume, fresh=fresh, results=RESULT_FILES, what="backtest results")
        if mode == "resume":
            truncate_to_last_row(out / EPISODES_CSV)
            done = {r["key"]: r for r in read_rows(out / EPISODES_CSV)}
        writer = RowAppender(out / EPISODES_CSV, COLUMNS, append=mode == "resume")
    if on_start:
        on_start(len(es.episodes))
    rows: list[dict] = []
    logits: dict[int, B.PairLogit] = {}
    views: dict[int, DataDir] = {}
    resumed = 0
    try:
        for ep in sorted(es.episodes, key=lambda e: (e.start, e.patron, e.region)):
            if ep.key in done:
                row = done[ep.key]
                resumed += 1
            else:
                if ep.start not in logits:
                    X, y = _training(rows, ep.start)
                    logits[ep.start] = B.PairLogit().fit(X, y)
                if ep.start not in views:
                    views.clear()  # windows come in order: keep one view at a time
                    views[ep.start] = data_before(data, ep.start)
                row = run_episode(data, ep, logits[ep.start], builder=builder, params=params, view=views[ep.start])
                if writer is not None:
                    writer.write(_encode(row))
            rows.append(row)
            if on_episode:
                on_episode(row)
    finally:
        if writer is not None:
            writer.close()
    return BacktestRun(y1, y2, rows, notes=list(es.notes), release_end=es.release_end, last_begyr=es.last_begyr,
                       resumed=resumed, seconds=time.perf_counter() - t0, data_path=str(data.path),
                       data_sets=records)


# --------------------------------------------------------------------------- scoring
def design_label(groups: list[list[int]] | None) -> str:
    """none / bilateral / trilateral / hub-and-spoke / multilateral (pactlab.designs), from the client
    counts of patron treaties (multilateral: a treaty with three or more clients; hub-and-spoke:
    bilateral and trilateral side by side)."""
    sizes = [len(g) for g in (groups or []) if g]
    if not sizes:
        return "none"
    if max(sizes) >= 3:
        return "multilateral"
    if set(sizes) == {1}:
        return "bilateral"
    if set(sizes) == {2}:
        return "trilateral"
    return "hub-and-spoke"


def method_groups(row: dict) -> dict[str, list[list[int]]]:
    cl = row["clients"]
    return {
        "model": row["pred_model"] or [],
        "all-bilateral": [[c] for c in cl],
        "all-multilateral": [list(cl)],
        "contiguity": row["pred_contiguity"] or [],
        "logit": row["pred_logit"] or [],
    }


def _in_multi(groups, clients) -> dict[int, bool]:
    return {c: any(c in g and len(g) >= 3 for g in groups) for c in clients}


def client_table(rows: list[dict]) -> pd.DataFrame:
    """One row per (scored episode, client): record and predicted multilateral membership and group."""
    out = []
    for r in rows:
        if r["status"] != "ok":
            continue
        cl = r["clients"]
        rec = [t["clients"] for t in r["record"]]
        rec_m = _in_multi(rec, cl)
        rec_p = M.partition_from_groups(cl, rec)
        gs = method_groups(r)
        mm = {m: _in_multi(g, cl) for m, g in gs.items()}
        mp = {m: M.partition_from_groups(cl, g) for m, g in gs.items()}
        for c in cl:
            d = {"episode": r["key"], "start": r["start"], "patron": r["patron"], "client": c,
                 "record_multilateral": rec_m[c], "record_group": _glabel(rec_p[c], rec)}
            for m in METHODS:
                d[f"{m}_multilateral"] = mm[m][c]
                d[f"{m}_group"] = _glabel(mp[m][c], gs[m])
            out.append(d)
    return pd.DataFrame(out)


def _glabel(lbl, groups) -> str:
    if lbl[0] == "alone":
        return "alone"
    return "+".join(str(x) for x in sorted(groups[lbl[1]]))


def treaty_table(rows: list[dict]) -> pd.DataFrame:
    """One row per record treaty, scored once: in the episode of its strongest major member (CINC in
    the year before the window) among the scored episodes. Columns: atopid, episode, patron, begyr,
    n_members, n_clients, record level, duration, ended, model level / hazard / match, constant hazard."""
    cands = []
    for r in rows:
        if r["status"] != "ok":
            continue
        preds = {p["atopid"]: p for p in (r["treaty_preds"] or [])}
        for t in r["record"]:
            p = preds.get(t["atopid"])
            if p is None:
                continue
            cands.append({"atopid": t["atopid"], "episode": r["key"], "patron": r["patron"], "start": r["start"],
                          "patron_cinc": r["patron_cinc"], "begyr": t["begyr"], "n_members": t["n_members"],
                          "n_clients": len(t["clients"]), "record_level": t["commitment"],
                          "duration": t["duration"], "ended": t["ended"], "model_level": p["level"],
                          "model_hazard": p["hazard"], "match": p["match"], "const_hazard": r["const_hazard"]})
    if not cands:
        return pd.DataFrame(columns=["atopid", "episode", "patron", "start", "patron_cinc", "begyr", "n_members",
                                     "n_clients", "record_level", "duration", "ended", "model_level",
                                     "model_hazard", "match", "const_hazard"])
    df = pd.DataFrame(cands)
    df["_c"] = df.patron_cinc.fillna(-1.0)
    df = df.sort_values(["atopid", "_c", "patron"], ascending=[True, False, True]).drop_duplicates("atopid")
    return df.drop(columns="_c").sort_values(["begyr", "atopid"]).reset_index(drop=True)


def score(run: BacktestRun) -> dict:
    """The scoreboard: T1 (design), T2 (commitment), T3 (durability), episode accounting."""
    rows = run.rows
    ok = [r for r in rows if r["status"] == "ok"]
    skipped = [{"episode": r["key"], "n_clients": r["n_clients"], "reason": r["reason"]} for r in rows
               if r["status"] != "ok"]
    sb: dict[str, Any] = {
        "from": run.y1, "to": run.y2,
        "episodes": {"total": len(rows), "scored": len(ok), "skipped": len(skipped), "skipped_list": skipped,
                     "scored_multi_client": sum(1 for r in ok if r["n_clients"] >= 2)},
        "notes": list(run.notes),
    }
    # ---- T1
    t1: dict[str, Any] = {}
    ct = client_table(rows)
    for m in METHODS:
        tp = fp = fn = 0
        f1s, aris = [], []
        for r in ok:
            cl = r["clients"]
            rec = [t["clients"] for t in r["record"]]
            g = method_groups(r)[m]
            c = M.pair_counts(rec, g, cl)
            tp, fp, fn = tp + c["tp"], fp + c["fp"], fn + c["fn"]
            if len(cl) >= 2:
                f1s.append(M.f1_from_counts(c["tp"], c["fp"], c["fn"], empty=1.0))
                aris.append(M.adjusted_rand_index(M.partition_from_groups(cl, rec), M.partition_from_groups(cl, g)))
        ba = M.balanced_accuracy(ct.record_multilateral.tolist(), ct[f"{m}_multilateral"].tolist()) \
            if len(ct) else float("nan")
        t1[m] = {"pair_f1": M.f1_from_counts(tp, fp, fn), "pair_f1_mean": _mean(f1s), "ari_mean": _mean(aris),
                 "ba_multilateral": ba, "tp": tp, "fp": fp, "fn": fn}
    n_pairs = sum(len(r["clients"]) * (len(r["clients"]) - 1) // 2 for r in ok)
    n_pos = sum(len(M.co_member_pairs([t["clients"] for t in r["record"]], r["clients"])) for r in ok)
    sb["T1"] = {"methods": t1, "n_episodes": len(ok), "n_episodes_multi": sb["episodes"]["scored_multi_client"],
                "n_pairs": n_pairs, "n_pairs_shared": n_pos, "n_clients": len(ct),
                "n_clients_multilateral": int(ct.record_multilateral.sum()) if len(ct) else 0,
                "record_designs": _counts(design_label([t["clients"] for t in r["record"]]) for r in ok),
                "model_designs": _counts(design_label(r["pred_model"]) for r in ok),
                "logit_fallback_episodes": sum(1 for r in ok if not str(r["logit_note"]).startswith("fitted"))}
    # ---- T2 / T3
    tt = treaty_table(rows)
    sb["T2"] = _score_t2(tt)
    sb["T3"] = _score_t3(tt)
    return sb


def _counts(it) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in it:
        out[x] = out.get(x, 0) + 1
    return dict(sorted(out.items()))


def _mean(xs) -> float:
    xs = [x for x in xs if x == x]
    return float(np.mean(xs)) if xs else float("nan")


def _score_t2(tt: pd.DataFrame) -> dict:
    if tt.empty:
        return {"n": 0}
    y = ["defend" if x == "defend" else "consult" for x in tt.record_level]
    pm = ["defend" if x == "defend" else "consult" for x in tt.model_level]
    # majority baseline, time-ordered: the majority level among record treaties of earlier windows
    maj = []
    for s in tt.start:
        prev = tt.loc[tt.begyr < s, "record_level"]
        maj.append("defend" if prev.empty or (prev == "defend").mean() >= 0.5 else "consult")
    return {"n": len(tt), "n_defend": y.count("defend"), "n_consult": y.count("consult"),
            "model": {"ba": M.balanced_accuracy(y, pm), "accuracy": float(np.mean(np.array(y) == np.array(pm)))},
            "majority": {"ba": M.balanced_accuracy(y, maj), "accuracy": float(np.mean(np.array(y) == np.array(maj)))},
            "model_none": int((tt.model_level == "none").sum()),
            "matched": int((tt.match == "treaty").sum())}


def _score_t3(tt: pd.DataFrame) -> dict:
    if tt.empty:
        return {"n": 0}
    t = tt.duration.to_numpy(float)
    e = tt.ended.to_numpy(bool)
    out = {"n": len(tt), "events": int(e.sum()), "censored": int((~e).sum()),
           "matched": int((tt.match == "treaty").sum()),
           "model": M.harrell_c(t, e, tt.model_hazard.to_numpy(float)),
           "constant": M.harrell_c(t, e, np.zeros(len(t))),
           "size": M.harrell_c(t, e, tt.n_members.to_numpy(float))}
    known = (e | (t >= HORIZON))
    y = (t[known] >= HORIZON).astype(float)
    pm = np.exp(-HORIZON * tt.model_hazard.to_numpy(float)[known])
    pc = np.exp(-HORIZON * tt.const_hazard.fillna(tt.const_hazard.mean()).to_numpy(float)[known])
    out["brier"] = {"horizon": HORIZON, "n": int(known.sum()), "observed_rate": float(y.mean()) if len(y) else float("nan"),
                    "model": M.brier(pm, y), "constant": M.brier(pc, y),
                    "model_mean_prob": float(pm.mean()) if len(pm) else float("nan"),
                    "constant_mean_prob": float(pc.mean()) if len(pc) else float("nan")}
    return out


# --------------------------------------------------------------------------- everything at once
@dataclass
class Evaluation:
    scoreboard: dict
    clients: pd.DataFrame
    treaties: pd.DataFrame
    h2_table: pd.DataFrame
    run: BacktestRun


def evaluate(run: BacktestRun, data: DataDir, params: Parameters = DEFAULT) -> Evaluation:
    """Scoreboard T1-T4 for a finished run (T4 from the record of the run's years)."""
    from pactlab.evidence.hypotheses import run_hypotheses

    sb = score(run)
    y2 = min(run.y2, run.last_begyr) if run.last_begyr else run.y2
    if y2 < run.y2:
        sb["notes"].append(f"T4 uses {run.y1}-{y2}: the ATOP file has no alliance begun after {run.last_begyr}, so "
                           "later years would count as years without any new alliance")
    hyp = run_hypotheses(data, run.y1, y2)
    hyp["years"] = [run.y1, y2]
    h2_table = hyp.pop("_alliances")
    hyp.pop("_dyads_n", None)
    sb["T4"] = hyp
    sb["episodes"]["dropped_clients"] = sum(len(r.get("dropped_clients") or []) for r in run.rows)
    sb["episodes"]["dropped_client_list"] = [{"episode": r["key"], "client": c, "reason": why}
                                             for r in run.rows for c, why in (r.get("dropped_clients") or [])]
    sb["episodes"]["dropped_treaties"] = sorted({a for r in run.rows for a in (r.get("dropped_treaties") or [])})
    sb["episodes"]["resumed"] = run.resumed
    sb["parameters"] = params.digest()
    sb["pactlab_version"] = __version__
    sb["data"] = run.data_path
    # the data sets and versions the run read, resumed part included (from its manifest)
    sb["data_sets"] = run.data_sets or manifest.data_records(data, READS)
    sb["seconds"] = run.seconds
    return Evaluation(sb, client_table(run.rows), treaty_table(run.rows), h2_table, run)


def scoreboard_json(ev: Evaluation) -> str:
    # a metric over no cases is unknown, written as null on purpose
    return json_dumps(finite_or_none(ev.scoreboard))


def write_outputs(ev: Evaluation, out: Path) -> list[Path]:
    """Per-case predictions and the scoreboard in ``out`` (episodes.csv is written during the run)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    p = out / "clients.csv"
    atomic_write_text(p, ev.clients.to_csv(index=False))
    paths.append(p)
    p = out / "treaties.csv"
    atomic_write_text(p, ev.treaties.to_csv(index=False))
    paths.append(p)
    p = out / "h2_alliances.csv"
    atomic_write_text(p, ev.h2_table.to_csv(index=False))
    paths.append(p)
    p = out / "predictions.json"
    keep = [c for c in COLUMNS if c not in ("pair_features",)]
    atomic_write_text(p, json_dumps(finite_or_none([{c: r.get(c) for c in keep} for r in ev.run.rows]), indent=1))
    paths.append(p)
    p = out / "scoreboard.json"
    atomic_write_text(p, scoreboard_json(ev))
    paths.append(p)
    return paths
