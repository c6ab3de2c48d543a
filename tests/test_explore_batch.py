"""The exploration's designs-only path gives, draw for draw, the design and treaties of ``solve()``.

A worker solves each perturbed copy with ``solve_design`` (the modal computation of ``solve``
without the explanation); here every draw of a chunk is also solved with the public ``solve``
on the same copy and the two compared. Throughput is measured by ``benchmarks/bench_explore.py``.
"""

from __future__ import annotations

import pytest

from pactlab.explore.runner import Payload, draw_values, solve_chunk, treaty_text
from pactlab.explore.spec import apply, default_spec
from pactlab.model.params import DEFAULT
from pactlab.model.solve import solve, solve_design
from pactlab.scenarios.catalog import get


@pytest.mark.parametrize("sid,draws", [("europe-1948", 40), ("indo-pacific-2025", 15), ("southeast-asia-1954", 15)])
def test_designs_only_chunk_equals_solve_on_the_same_draws(sid, draws):
    s = get(sid)
    spec = default_spec(s)
    values, _ = draw_values(spec, draws, 7)
    paths = spec.names()
    got = solve_chunk(Payload(s, tuple(paths), DEFAULT), (0, list(range(draws)), values))
    designs, texts = [], []
    for row in values:
        r = solve(apply(s, list(paths), [float(v) for v in row]))
        designs.append(r.design)
        texts.append(treaty_text(r.treaties))
    assert got["design"] == designs
    assert got["treaties"] == texts
    assert got["draw"] == list(range(draws))


def test_solve_design_is_the_results_design():
    for sid in ("europe-1949", "nordic-2022", "korea-1953"):
        s = get(sid)
        r = solve(s)
        design, treaties = solve_design(s)
        assert design == r.design and treaties == r.treaties
