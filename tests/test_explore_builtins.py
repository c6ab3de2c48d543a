"""The four exploration commands' computations (Monte Carlo, tipping points, sensitivity, discovery)
run on every built-in theatre on all three engines -- this process, two worker processes and a Dask
LocalCluster of two worker processes -- with identical results. Small draws: this is the contract
that every engine computes the same thing, not a study."""

from __future__ import annotations

import pytest

from pactlab.explore import analysis as an
from pactlab.explore import runner
from pactlab.explore.spec import default_spec
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import catalog, get

IDS = [e.id for e in catalog()]
ENGINES = ("serial", "process", "dask")


def _small_spec(spec, s):
    """Two inputs for the tipping and sensitivity searches: the adversary's capability and the
    first anchored coding (the same choice on every engine)."""
    adv = next(a.id for a in s.actors if a.role.value == "adversary")
    first = [f"{adv}.capability"] + [i.path for i in spec.inputs if i.kind == "choice"][:1]
    return spec.subset(first)


def _compute(ex, tmp, engine):
    out = {}
    for sid in IDS:
        s = get(sid)
        full = default_spec(s, width="span")  # the stress test: every input over its whole span
        spec = _small_spec(full, s)
        target = "multilateral" if solve(s).design != "multilateral" else "bilateral"
        mc = tmp / f"{engine}-{sid}"
        runner.montecarlo(s, full, mc, draws=16, seed=2, chunk_size=8, executor=ex)
        _, df = runner.load_results(mc)
        rows = df.drop(columns=["chunk", *runner.BOOKKEEPING]).reset_index(drop=True)
        tip = an.tipping(s, spec, target, ex, grid=3, steps=2, joint=0, chunk_size=4)
        sens = an.sensitivity(s, spec, target, ex, method="morris", n=2, groups="input", chunk_size=4)
        try:
            disc = an.discover(df, full, df["design"].mode()[0], threshold=0.5, depth=2)
        except an.ExploreError as exc:  # every draw gave one design: the command's own refusal
            disc = ("refused", str(exc))
        out[sid] = (rows, tip, sens, disc)
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("engines")
    res = {}
    for engine in ENGINES:
        with runner.Executor(engine, workers=2) as ex:
            res[engine] = _compute(ex, tmp, engine)
    return res


@pytest.mark.parametrize("engine", ENGINES[1:])
def test_every_builtin_gives_identical_results_on_each_engine(results, engine):
    for sid in IDS:
        rows, tip, sens, disc = results[engine][sid]
        rows0, tip0, sens0, disc0 = results["serial"][sid]
        assert rows.equals(rows0), (engine, sid)
        assert tip == tip0, (engine, sid)
        assert sens == sens0, (engine, sid)
        assert disc == disc0, (engine, sid)


def test_every_builtin_was_explored(results):
    for sid in IDS:
        rows, tip, sens, disc = results["serial"][sid]
        assert len(rows) == 16 and rows["design"].notna().all(), sid
        assert tip and sens and disc is not None, sid
    discovered = [sid for sid in IDS if not isinstance(results["serial"][sid][3], tuple)]
    assert len(discovered) >= 3, discovered
