"""Running many solves: the engines (serial, processes, Dask) and the Monte Carlo run on disk.

The driver draws every value (from ``numpy.random.SeedSequence(seed).spawn(draws)``, one child
per draw, so a draw's values do not depend on the engine or on how draws are chunked) and sends
chunks of draws to the engine; a worker copies the scenario with each draw's values (no
validation per draw), takes the draw's parameter set (the run's, or one of a fit's bootstrap
resamples: :class:`ParamDraws`, the second, optional source of uncertainty), solves it with
``solve_design`` (``solve``'s own computation of the design and treaties, without the
explanation) and returns the designs. A Monte Carlo run writes one Parquet
file per finished chunk (temporary name, then rename) under a run manifest
(:mod:`pactlab.manifest`), so ``--resume`` runs only the chunks without a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pactlab import manifest as mf
from pactlab.errors import PactlabError
from pactlab.explore.spec import Spec, apply
from pactlab.model.params import DEFAULT, Parameters
from pactlab.scenarios.schema import Scenario

ENGINES = ("serial", "process", "dask")
DEFAULT_CHUNK = 100
CHUNK_RANGE = (50, 200)
KIND = "explore-montecarlo"
#: bookkeeping columns: they say who computed a row and when, and differ between engines
BOOKKEEPING = ("worker", "host", "chunk_seconds")


class EngineError(PactlabError):
    """An engine that cannot be started or reached."""


def column(path: str) -> str:
    """The results column of an input path: ``PRC.capability`` -> ``PRC_capability``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", path)


def param_column(name: str) -> str:
    """The results column of a fitted parameter drawn from a bootstrap: ``precision`` -> ``param_precision``."""
    return "param_" + column(name)


# --------------------------------------------------------------------------- the worker's side

@dataclass(frozen=True)
class Payload:
    scenario: Scenario
    paths: tuple[str, ...]
    params: Parameters
    #: parameter sets a chunk's rows index (a fit's bootstrap resamples); empty: every row at ``params``
    param_sets: tuple[Parameters, ...] = ()


@dataclass(frozen=True)
class ParamDraws:
    """Parameter uncertainty from a fit: the bootstrap resamples of ``pactlab fit --bootstrap B``.

    ``names`` are the fitted parameters, ``values`` one row per resample (their fitted values),
    ``sets`` the model's parameter set at each row. Each Monte Carlo draw takes one row, chosen
    uniformly by its own random stream, so parameter and input uncertainty are drawn together."""
    source: str
    names: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    sets: tuple[Parameters, ...]

    def record(self) -> dict[str, Any]:
        """What the run manifest records (and ``--resume`` compares)."""
        return {"file": self.source, "names": list(self.names), "resamples": len(self.values),
                "values": [list(v) for v in self.values]}


def param_index(draws: int, seed: int, resamples: int) -> np.ndarray:
    """Which resample each draw uses: draw ``i`` takes it from the stream ``SeedSequence(seed,
    spawn_key=(i, 0))`` (the child of its own input stream), so the choice does not depend on the
    engine or on chunking, and the input values are those of a run without parameter draws."""
    return np.array([np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i, 0))).integers(resamples)
                     for i in range(draws)], dtype=np.int64)


def treaty_text(treaties) -> str:
    """The new treaties (a result's ``treaties``) as one line."""
    return "; ".join(f"{'+'.join(t.members)} {t.level} {t.form}" for t in treaties)


def solve_chunk(payload: Payload, chunk: tuple) -> dict[str, list]:
    """Solve one chunk: (chunk id, draw ids, values matrix[, parameter-set index per row]) -> columns."""
    from pactlab.model import kernels
    from pactlab.model.solve import solve_design

    # a sweep solves many theatres: the compiled kernels (the same numbers as numpy's, bit for bit)
    # pay for numba's start in every process that solves a chunk (PACTLAB_JIT=0 keeps numpy)
    kernels.enable()
    cid, ids, values = chunk[:3]
    pidx = chunk[3] if len(chunk) > 3 else None
    t0 = time.perf_counter()
    designs, treaties = [], []
    paths = list(payload.paths)
    for r, row in enumerate(values):
        params = payload.params if pidx is None else payload.param_sets[int(pidx[r])]
        # the design and treaties only: solve()'s own computation of them, without the explanation
        design, new = solve_design(apply(payload.scenario, paths, [float(v) for v in row]), params)
        designs.append(design)
        treaties.append(treaty_text(new))
    dt = time.perf_counter() - t0
    n = len(ids)
    return {"draw": [int(i) for i in ids], "chunk": [cid] * n, "design": designs, "treaties": treaties,
            "worker": [os.getpid()] * n, "host": [socket.gethostname()] * n, "chunk_seconds": [dt] * n}


# --------------------------------------------------------------------------- engines

class Executor:
    """Maps :func:`solve_chunk` over chunks on one engine; yields results as chunks finish."""

    def __init__(self, engine: str, workers: int | None = None, scheduler: str | None = None):
        if engine not in ENGINES:
            raise EngineError(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
        if workers is not None and workers < 1:
            raise EngineError(f"--workers {workers}: expected at least 1")
        if scheduler and engine != "dask":
            raise EngineError("--scheduler needs --engine dask")
        self.engine, self.scheduler = engine, scheduler
        self.workers = workers or (os.cpu_count() or 1)
        self._pool = self._client = self._cluster = None
        self._remote: tuple[Payload, Any] | None = None  # the payload on the Dask workers, and its future
        self._tag = f"{os.getpid()}-{time.time_ns()}"
        self._batch = 0

    def __enter__(self) -> "Executor":
        if self.engine == "process":
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"))
        elif self.engine == "dask":
            import logging

            from distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout="10s")
                except (OSError, TimeoutError) as exc:
                    raise EngineError(f"--scheduler {self.scheduler}: cannot reach a Dask scheduler ({exc})") from None
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._remote is not None:
            self._remote[1].release()
            self._remote = None
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        if self.engine == "serial":
            return "serial (this process)"
        if self.engine == "process":
            return f"{self.workers} processes"
        if self.scheduler:
            return f"Dask scheduler {self.scheduler}"
        return f"Dask LocalCluster, {self.workers} worker processes"

    def map(self, payload: Payload, chunks: Iterable[tuple[int, Sequence[int], np.ndarray]]
            ) -> Iterator[dict[str, list]]:
        chunks = list(chunks)
        if self.engine == "serial":
            for c in chunks:
                yield solve_chunk(payload, c)
            return
        if self.engine == "process":
            from concurrent.futures import as_completed

            futs = [self._pool.submit(solve_chunk, payload, c) for c in chunks]
            for f in as_completed(futs):
                yield f.result()
            return
        from distributed import as_completed

        self._batch += 1
        remote = self._on_workers(payload)
        futs = [self._client.submit(solve_chunk, remote, c, key=f"pactlab-{self._tag}-{self._batch}-chunk-{c[0]}",
                                    pure=False) for c in chunks]
        for f in as_completed(futs):
            yield f.result()

    def _on_workers(self, payload: Payload):
        """The payload's future on the Dask workers: sent once for all the batches that use it.

        It is sent under a key of its own (``hash=False``). Under Dask's default key, a hash of the
        content, a second batch of the same payload scatters the key whose release the first batch's
        end has just sent; the scheduler may process the release after the new scatter, the workers
        drop the data, and the batch's chunks are cancelled ("lost dependencies") or wait for it."""
        if self._remote is not None and self._remote[0] == payload:
            return self._remote[1]
        old, self._remote = self._remote, None
        if old is not None:
            old[1].release()
        fut = self._client.scatter(payload, broadcast=True, hash=False)
        self._remote = (payload, fut)
        return fut


def chunked(values: np.ndarray, size: int, first_id: int = 0) -> list[tuple[int, list[int], np.ndarray]]:
    n = len(values)
    return [(k, list(range(first_id + a, first_id + min(a + size, n))), values[a:a + size])
            for k, a in enumerate(range(0, n, size))]


def evaluate(s: Scenario, paths: Sequence[str], values: np.ndarray, ex: Executor, params: Parameters = DEFAULT,
             chunk_size: int = DEFAULT_CHUNK, progress: Callable[[int], None] | None = None) -> list[str]:
    """The design at each row of ``values`` (inputs ``paths``), in row order."""
    values = np.asarray(values, float).reshape(len(values), len(paths))
    out: list[str | None] = [None] * len(values)
    payload = Payload(s, tuple(paths), params)
    for res in ex.map(payload, chunked(values, max(1, chunk_size))):
        for i, d in zip(res["draw"], res["design"]):
            out[i] = d
        if progress:
            progress(len(res["draw"]))
    return out  # type: ignore[return-value]


# --------------------------------------------------------------------------- the Monte Carlo run on disk

def draw_values(spec: Spec, draws: int, seed: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """(values, spawn keys): one row per draw, each from its own SeedSequence child."""
    children = np.random.SeedSequence(seed).spawn(draws)
    vals = np.array([spec.draw(np.random.default_rng(c)) for c in children], float).reshape(draws, len(spec.inputs))
    return vals, [tuple(c.spawn_key) for c in children]


def chunk_file(k: int) -> str:
    return f"chunk-{k:05d}.parquet"


def run_manifest(s: Scenario, spec: Spec, params: Parameters, draws: int, seed: int, chunk_size: int,
                 param_draws: ParamDraws | None = None) -> dict:
    extra = {"draws": draws, "chunk_size": chunk_size, "spec": spec.model_dump(mode="json"),
             "spec_digest": spec.digest()}
    if param_draws is not None:
        extra["parameter_draws"] = param_draws.record()
    return mf.build(KIND, parameters=params, scenario=s, seed=seed, extra=extra)


def check_chunk_size(chunk_size: int, draws: int) -> None:
    if chunk_size < 1:
        raise PactlabError(f"--chunk-size {chunk_size}: expected a positive number of draws per task")


def montecarlo(s: Scenario, spec: Spec, out: str | Path, *, draws: int, seed: int, params: Parameters = DEFAULT,
               chunk_size: int = DEFAULT_CHUNK, engine: str = "serial", workers: int | None = None,
               scheduler: str | None = None, resume: bool = False, fresh: bool = False,
               param_draws: ParamDraws | None = None, executor: Executor | None = None,
               progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a Monte Carlo of ``draws`` draws into folder ``out``; returns a summary of the run.

    With ``param_draws`` each draw also takes one of a fit's bootstrap parameter sets (columns
    ``param_draw`` and ``param_<name>``); ``params`` is then the fit's point estimate, used for
    nothing but the manifest. ``executor``: an open :class:`Executor` to use (and leave open)
    instead of starting one for ``engine``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if draws < 1:
        raise PactlabError(f"--draws {draws}: expected at least 1")
    check_chunk_size(chunk_size, draws)
    folder = Path(out)
    nchunks = (draws + chunk_size - 1) // chunk_size
    names = [chunk_file(k) for k in range(nchunks)]
    if folder.exists():
        names += sorted({p.name for p in folder.glob("chunk-*.parquet")} - set(names))
        for t in folder.glob(".chunk-*.tmp*"):  # a chunk a killed run was writing
            t.unlink()
    m = run_manifest(s, spec, params, draws, seed, chunk_size, param_draws)
    mode = mf.open_run(folder, m, resume=resume, fresh=fresh, results=names, what="Monte Carlo results")
    done = {k for k in range(nchunks) if (folder / chunk_file(k)).exists()}
    values, keys = draw_values(spec, draws, seed)
    pidx = None if param_draws is None else param_index(draws, seed, len(param_draws.sets))
    todo = []
    for k in range(nchunks):
        if k in done:
            continue
        a, b = k * chunk_size, min((k + 1) * chunk_size, draws)
        todo.append((k, list(range(a, b)), values[a:b]) + (() if pidx is None else (pidx[a:b],)))
    cols = [column(p) for p in spec.names()]
    payload = Payload(s, tuple(spec.names()), params, () if param_draws is None else param_draws.sets)
    t0 = time.perf_counter()
    finished = 0
    if progress:
        progress(sum(min((k + 1) * chunk_size, draws) - k * chunk_size for k in done), draws)
    with (contextlib.nullcontext(executor) if executor is not None else Executor(engine, workers, scheduler)) as ex:
        for res in ex.map(payload, todo):
            k = res["chunk"][0]
            ids = res["draw"]
            table = {"draw": ids, "chunk": res["chunk"], "seed": [seed] * len(ids),
                     "spawn_key": [keys[i][0] for i in ids]}
            for j, c in enumerate(cols):
                table[c] = [float(values[i, j]) for i in ids]
            if param_draws is not None:
                table["param_draw"] = [int(pidx[i]) for i in ids]
                for j, n in enumerate(param_draws.names):
                    table[param_column(n)] = [float(param_draws.values[int(pidx[i])][j]) for i in ids]
            for c in ("design", "treaties", *BOOKKEEPING):
                table[c] = res[c]
            final = folder / chunk_file(k)
            tmp = folder / f".{final.name}.tmp-{os.getpid()}"
            pq.write_table(pa.table(table), tmp)
            os.replace(tmp, final)
            finished += len(ids)
            if progress:
                progress(len(ids), draws)
        desc = ex.describe()
    return {"folder": str(folder), "mode": mode, "draws": draws, "chunks": nchunks, "chunks_run": len(todo),
            "chunks_reused": len(done), "solves": finished, "seconds": time.perf_counter() - t0, "engine": desc}


class ResultsError(PactlabError):
    """A results folder that cannot be read."""


def load_results(folder: str | Path):
    """(manifest, DataFrame sorted by draw) of a Monte Carlo results folder."""
    import pandas as pd
    import pyarrow.parquet as pq

    p = Path(folder)
    if not p.is_dir():
        raise ResultsError(f"{p}: no such results folder (made by `pactlab explore montecarlo --out FOLDER`)")
    m = mf.read(p / mf.MANIFEST)
    if m.get("kind") != KIND:
        raise ResultsError(f"{p}: holds '{m.get('kind')}' results, not a Monte Carlo run")
    files = sorted(p.glob("chunk-*.parquet"))
    if not files:
        raise ResultsError(f"{p}: no finished chunks yet")
    df = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return m, df.sort_values("draw").reset_index(drop=True)


def spec_of(m: dict) -> Spec:
    return Spec.model_validate(m["extra"]["spec"])


@contextlib.contextmanager
def rich_progress(label: str, total: int, enabled: bool = True, compiled: bool = True):
    """A rich progress bar on standard error (shown on a terminal); yields ``advance(n)``.
    ``compiled``: the run solves with the compiled kernels (:func:`solve_chunk`), so the first run
    on a machine, which compiles them, says so first."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    con = Console(stderr=True)
    if enabled and con.is_terminal:
        from pactlab.model import kernels

        if (compiled or kernels.mode() == "1") and kernels.cached() is False:
            # the first run on this machine compiles the solver's kernels
            con.print("[dim]Compiling the solver's kernels for this machine (once; about 10-20 s before the first "
                      "draws are solved)[/]", highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=con, disable=not (enabled and con.is_terminal),
                  transient=False) as prog:
        task = prog.add_task(label, total=total)

        def advance(n: int, *_: Any) -> None:
            prog.advance(task, n)

        yield advance
