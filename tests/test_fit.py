"""`pactlab fit`: maximum likelihood over the Theory protocol.

Checked on a tiny synthetic theory defined here (its MLE and standard error are
known in closed form), on the geography theory (a real registered theory with
a probability model), and for the refusals (no probability model, bad files)."""

from __future__ import annotations

import json
import math

import pytest

from pactlab import theories
from pactlab.evidence.fit import FitCase, FitError, fit, read_params, write_params
from pactlab.parameters import ParamSpec
from pactlab.scenarios.catalog import get as scenario
from pactlab.theories.base import Outcome, Prediction, Theory, client_ids, one_hot


def _log_sig(x: float) -> float:
    return -math.log1p(math.exp(-x)) if x >= 0 else x - math.log1p(math.exp(x))


class Coin(Theory):
    """Each client signs a bilateral consult pledge with the patron with probability sigmoid(theta),
    independently. ``unused`` enters nothing: it is not identified by any data."""

    name = "coin-test"
    specs = (ParamSpec("theta", 0.0, "log-odds that a client signs", -10, 10, free=True),
             ParamSpec("unused", 1.0, "moves nothing", -5, 5, free=True),
             ParamSpec("fixed", 2.0, "not fittable", 0, 5))
    supports_log_prob = True

    def predict(self, s, params=None):
        p = self.params(params)
        d = "bilateral" if p["theta"] > 0 else "none"
        return Prediction(self.name, s.id, p.digest(), Outcome(), one_hot(d), "deterministic")

    def log_prob(self, s, observed, params=None):
        p = self.params(params)
        signed = {c for t in observed.treaties for c in t.clients}
        return sum(_log_sig(p["theta"]) if c in signed else _log_sig(-p["theta"]) for c in client_ids(s))


class NoModel(Coin):
    name = "nomodel-test"
    supports_log_prob = False


def _coin_cases():
    """Six built-in theatres; in each, the first k clients sign. Totals give the MLE in closed form."""
    out, signed, total = [], 0, 0
    for k, sid in enumerate(["europe-1949", "asia-pacific-1951", "korea-1953", "southeast-asia-1954",
                             "taiwan-1954", "europe-1948"]):
        s = scenario(sid)
        cl = client_ids(s)
        m = min(len(cl), k % 3)
        out.append(FitCase(sid, 1900 + 5 * k, 1904 + 5 * k, s, Outcome.of([({c}, True, "consult") for c in cl[:m]])))
        signed += m
        total += len(cl)
    return out, signed, total


@pytest.mark.parametrize("optimizer", ["lbfgs", "cma"])
def test_fit_recovers_the_closed_form_mle(optimizer):
    cases, k, n = _coin_cases()
    r = fit(Coin(), cases, optimizer=optimizer)
    p = k / n
    assert r.values["theta"] == pytest.approx(math.log(p / (1 - p)), abs=2e-3)
    assert r.values["fixed"] == 2.0 and r.free == ["theta", "unused"]
    assert r.log_lik >= r.log_lik_default
    assert r.log_lik == pytest.approx(k * math.log(p) + (n - k) * math.log(1 - p), abs=1e-5)
    assert r.n_episodes == 6 and len(r.windows) == 6
    if optimizer == "lbfgs":
        # Fisher information n p (1 - p) for the log-odds
        assert r.se["theta"] == pytest.approx(1 / math.sqrt(n * p * (1 - p)), rel=0.02)
        assert r.status["theta"] == "estimated"
    assert r.status["unused"] == "not-identified" and r.se["unused"] is None


def test_fit_of_a_named_subset_keeps_the_rest_at_defaults():
    cases, _, _ = _coin_cases()
    r = fit(Coin(), cases, free=["theta"], start={"unused": 0.5})
    assert r.free == ["theta"] and r.values["unused"] == 0.5
    assert r.status == {"theta": "estimated"} and not r.notes
    with pytest.raises(FitError, match="not a fittable parameter"):
        fit(Coin(), cases, free=["fixed"])


def test_fit_refuses_a_theory_without_a_probability_model_and_empty_training():
    cases, _, _ = _coin_cases()
    with pytest.raises(FitError, match="no probability model"):
        fit(NoModel(), cases)
    with pytest.raises(FitError, match="no training episode"):
        fit(Coin(), [])


def test_cohen_plugs_in_once_it_has_a_probability_model():
    cohen = theories.get("cohen")
    cases, _, _ = _coin_cases()
    if not cohen.supports_log_prob:
        with pytest.raises(FitError, match="no probability model"):
            fit(cohen, cases)
    else:  # the model's outcome distribution has landed: fit must run on it unchanged
        r = fit(cohen, cases[:2], starts=1, maxiter=5)
        assert math.isfinite(r.log_lik) and r.log_lik >= r.log_lik_default - 1e-9


def test_geography_fit_improves_the_likelihood_to_a_local_maximum():
    geo = theories.get("geography")
    cases = []
    for k, sid in enumerate(["europe-1948", "europe-1949", "asia-pacific-1951", "korea-1953",
                             "southeast-asia-1954", "taiwan-1954"]):
        s = scenario(sid)
        cases.append(FitCase(sid, 1940 + k, 1944 + k, s, Outcome.from_record(s)))
    free = ["ally_base", "ally_land", "defend_base", "defend_land"]
    r = fit(geo, cases, free=free, starts=2)
    assert r.log_lik > r.log_lik_default + 1.0

    def ll(v):
        return sum(geo.log_prob(c.scenario, c.observed, v) for c in cases)

    assert ll(r.values) == pytest.approx(r.log_lik, abs=1e-9)
    for n in free:
        for step in (-0.05, 0.05):
            v = dict(r.values)
            v[n] = min(20, max(-20, v[n] + step))
            assert ll(v) <= r.log_lik + 1e-6, n
    assert set(r.status) == set(free)


def test_parameter_file_round_trip_and_errors(tmp_path):
    cases, _, _ = _coin_cases()
    r = fit(Coin(), cases, free=["theta"])
    path = write_params(r, tmp_path / "params.json", {"format": "pactlab-manifest/1", "kind": "fit"})
    body = read_params(path)
    assert body["parameters"]["theta"] == r.values["theta"] and body["digest"] == r.digest
    assert body["provenance"]["kind"] == "fit" and body["estimates"]["theta"]["se"] > 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "other"}))
    with pytest.raises(FitError, match="field 'format'"):
        read_params(bad)
    bad.write_text("{not json")
    with pytest.raises(FitError, match="not a JSON parameter file"):
        read_params(bad)
    with pytest.raises(FitError, match="field 'theory'"):
        read_params(path, theories.get("geography"))


def test_cli_fit_reports_a_theory_without_a_model_cleanly(tmp_path):
    from click.testing import CliRunner

    from pactlab.cli import main

    r = CliRunner().invoke(main, ["fit", "--train-to", "1939", "--theory", "no-such-theory", "--data", str(tmp_path)])
    assert r.exit_code != 0 and "Traceback" not in r.output and "unknown theory" in r.output


def test_prequential_trains_only_on_earlier_windows():
    from pactlab.evidence.fit import prequential

    cases, _, _ = _coin_cases()
    rows = prequential(Coin(), cases, min_train=2, free=["theta"])
    assert [r["window"] for r in rows] == [f"{1900 + 5 * k}-{1904 + 5 * k}" for k in range(6)]
    assert [r["n_train"] for r in rows] == [0, 1, 2, 3, 4, 5]
    assert [r["scored"] for r in rows] == [False, False, True, True, True, True]
    for r, c in zip(rows, cases):
        if r["scored"]:
            # the window's own case is not in its training set: refit on earlier cases by hand
            earlier = [x for x in cases if x.end < c.start]
            want = fit(Coin(), earlier, free=["theta"]).values
            assert r["log_score_fit"] == pytest.approx(Coin().log_prob(c.scenario, c.observed, want), abs=1e-3)
            assert r["difference"] == pytest.approx(r["log_score_fit"] - r["log_score_defaults"])


def test_within_units_keeps_the_theatres_up_to_the_limit():
    from pactlab.evidence.fit import units_of, within_units

    cases = [FitCase(sid, 1900, 1904, scenario(sid), Outcome()) for sid in ("europe-1949", "korea-1953")]
    big, small = (units_of(c.scenario) for c in cases)
    assert small < big
    assert within_units(cases, big) == cases
    assert within_units(cases, big - 1) == [cases[1]]
    assert within_units(cases, small - 1) == []


def test_cohen_log_prob_of_a_theatre_its_game_cannot_hold_is_a_theory_error(monkeypatch):
    """A theatre the client game refuses (e.g. a pact in force with a client that may not
    pledge) is outside the model: a TheoryError (left out of a fit, counted as 'outside' in
    a scoreboard), not a traceback."""
    from pactlab.model import clients
    from pactlab.model.params import PRECISIONS
    from pactlab.theories.base import TheoryError

    def refuse(cls, th):
        raise ValueError("prior commitment among A+B includes a client that may not pledge")

    monkeypatch.setattr(clients.ClientGame, "of", classmethod(refuse))
    th = theories.get("cohen")
    with pytest.raises(TheoryError, match="outside Cohen's model: prior commitment"):
        th.log_prob(scenario("korea-1953"), Outcome(), {k: 2.0 for k in PRECISIONS})


def test_prequential_hands_each_window_over_as_it_is_done():
    """on_row sees the rows after every window, so the command writes them as the run goes (a run
    stopped part-way keeps its finished windows)."""
    from pactlab.evidence.fit import prequential

    cases, _, _ = _coin_cases()
    seen = []
    rows = prequential(Coin(), cases, min_train=2, free=["theta"], on_row=lambda r: seen.append(len(r)))
    assert seen == list(range(1, len(rows) + 1))


def test_prequential_runs_cohen_from_finite_starting_precisions():
    """Cohen's model has a probability model only at finite precisions: prequential scoring
    takes them as its starting point (``--set``) and scores against them, and refuses the
    shipped infinite ones with a clear error."""
    from pactlab.evidence.fit import prequential
    from pactlab.model.params import PRECISIONS

    cohen = theories.get("cohen")
    cases, _, _ = _coin_cases()
    cases = cases[:4]
    with pytest.raises(FitError, match="no probability model at these parameters"):
        prequential(cohen, cases, min_train=2, free=["precision_patron"])
    start = {k: 2.0 for k in PRECISIONS}
    rows = prequential(cohen, cases, min_train=2, free=["precision_patron"], maxiter=3, start=start)
    scored = [r for r in rows if r["scored"]]
    assert scored and all(math.isfinite(r["log_score_defaults"]) for r in scored)
    want = sum(cohen.log_prob(c.scenario, c.observed, start) for c in cases if f"{c.start}-{c.end}" == scored[0]["window"])
    assert scored[0]["log_score_defaults"] == pytest.approx(want)


def test_fit_cache_is_not_read_back_by_other_theatre_building_code(tmp_path, monkeypatch):
    """--cache keys the training theatres by the data's checksums, the options and the source of
    the code that builds them: a cache written by other code is rebuilt, not read back."""
    from click.testing import CliRunner
    from worlds import small_world

    from pactlab.cli import main
    from pactlab.evidence import cli_fit

    data = small_world(tmp_path / "w")
    args = ["fit", "--data", str(data), "--from", "1880", "--train-to", "1911", "--theory", "geography",
            "--free", "ally_base", "--starts", "1", "--maxiter", "3", "--cache", str(tmp_path / "c")]

    def run(name):
        r = CliRunner().invoke(main, args + ["--out", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        return r.output

    assert "read from" not in run("a.json")
    assert "read from" in run("b.json")
    monkeypatch.setattr(cli_fit, "_builder_digest", lambda: "other code")
    assert "read from" not in run("c.json")
    assert len(list((tmp_path / "c").glob("fit-cases-*.pkl"))) == 2


def test_cli_prequential_to_a_missing_folder_fails_before_the_fit(tmp_path):
    from click.testing import CliRunner
    from worlds import small_world

    from pactlab.cli import main

    data = small_world(tmp_path / "w")
    r = CliRunner().invoke(main, ["fit", "--data", str(data), "--from", "1880", "--train-to", "1911", "--theory",
                                  "geography", "--out", str(tmp_path / "f.json"),
                                  "--prequential", str(tmp_path / "no" / "p.csv")])
    assert r.exit_code != 0 and "Traceback" not in r.output and "--prequential" in r.output
    assert not (tmp_path / "f.json").exists()  # nothing was fitted


def test_shipped_scores_counts_every_case_once_and_floors_zeros(tmp_path):
    import math

    from worlds import small_world

    from pactlab import theories
    from pactlab.data import open_data
    from pactlab.evidence.fit import LOG_EPS, shipped_scores, training_cases

    cases, _ = training_cases(open_data(small_world(tmp_path / "w")), 1880, 1916)
    by = shipped_scores(cases)
    assert sum(w["theatres"] + w["outside"] for w in by.values()) == len(cases)
    cohen = theories.get("cohen")
    for w, v in by.items():
        lps = [cohen.log_prob(c.scenario, c.observed, None) for c in cases if f"{c.start}-{c.end}" == w]
        assert v["zero"] == sum(not math.isfinite(x) for x in lps)
        assert v["log_score"] == pytest.approx(sum(x if math.isfinite(x) else LOG_EPS for x in lps))
