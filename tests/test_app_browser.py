"""The explorer in a real browser: Debian's chromium driven by Playwright.

Each test starts `pactlab app` on a free localhost port, loads the page,
fails on any failed network request and on any request that leaves this
machine, moves a widget, and checks that what the page shows is what
``solve()`` gives for the edited scenario. These tests fail, never skip,
when chromium is missing: `tools/install-browser.sh` (part of the README's
test command) installs it from Debian's packages.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pactlab.app import logic
from pactlab.model.solve import solve
from pactlab.scenarios.catalog import get
from pactlab.scenarios.loader import scenario_hash

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
#: Chromium as root in a container; Playwright gives every launch a fresh
#: temporary profile (its own --user-data-dir).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: run tools/install-browser.sh (installs Debian's chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS, "headless": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pactlab", "app", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"pactlab app did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def watched(page, app_url):
    """The page with every request recorded; fails the test on a failed or non-local request."""
    failed, outside = [], []
    page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.on("request", lambda r: outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith("data:") else None)
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url)
    page.wait_for_selector(".pl-design", timeout=90_000)
    yield page
    assert not failed, f"failed requests: {failed}"
    assert not outside, f"requests that left this machine: {outside}"


def _shown(page) -> dict:
    return page.evaluate("""() => ({
        design: document.querySelector('.pl-design').dataset.design,
        scenario: document.querySelector('.pl-design').dataset.scenario,
        probs: JSON.parse(document.querySelector('.pl-probs').dataset.probs),
        edges: [...document.querySelectorAll('.pl-net [id^="net-spoke:"], .pl-net [id^="net-hull:"]')]
                 .map(e => e.id.slice(4)).sort(),
    })""")


def _expected(s) -> dict:
    r = solve(s)
    probs, _ = logic.design_probabilities(s)
    return {"design": r.design, "probs": probs, "edges": logic.edges(r), "scenario": scenario_hash(s)}


def test_page_shows_the_solve_and_follows_an_edit(watched, tmp_path):
    page = watched
    s = get("indo-pacific-2025")
    before = _shown(page)
    assert before == _expected(s)

    slider = page.get_by_role("slider", name="TWN patron's stake")
    slider.focus()
    slider.press("Home")  # the slider's minimum, 0
    edited = s.with_changes({"actors.TWN.patron_stake": 0.0})
    want = _expected(edited)
    assert want["edges"] != before["edges"]  # with no US stake in Taiwan the Taiwan spoke goes
    page.wait_for_function(
        """want => JSON.stringify([...document.querySelectorAll('.pl-net [id^="net-spoke:"], .pl-net [id^="net-hull:"]')]
                 .map(e => e.id.slice(4)).sort()) === JSON.stringify(want)""",
        arg=want["edges"], timeout=60_000)
    after = _shown(page)
    assert after == want
    shot = tmp_path / "app.png"
    page.locator(".pl-design").scroll_into_view_if_needed()  # the prediction and its diagram, after the edit
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    keep = os.environ.get("PACTLAB_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "app.png")


def test_bad_value_is_refused_with_the_schema_message(watched):
    page = watched
    before = _shown(page)
    field = page.get_by_label("JPN capability")
    field.fill("-5")
    field.press("Enter")
    page.wait_for_selector(".pl-error", timeout=60_000)
    msg = page.inner_text(".pl-error")
    assert "capability.value: must be greater than 0, got -5" in msg
    assert _shown(page) == before  # the prediction stays that of the last valid scenario


def test_other_pages_render(watched):
    page = watched
    page.get_by_role("tab", name="Cases").click()
    page.wait_for_selector(".pl-cases", timeout=60_000)
    assert "europe-1949" in page.inner_text(".pl-cases")
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector(".pl-compare", timeout=60_000)
    assert "design" in page.inner_text(".pl-compare")


def test_adding_a_foothold_changes_the_diagram(watched):
    """Chinese forces on Philippine territory (a foothold added with the
    Footholds card's controls) make the theatre hub-and-spoke: the page
    shows solve() of the edited scenario and the diagram's edges change."""
    page = watched
    s = get("indo-pacific-2025")
    before = _shown(page)
    for label, option in (("foothold: holder", "PRC"), ("foothold: near client", "PHI")):
        page.get_by_label(label).click(force=True)
        page.locator(".v-menu__content.menuable__content__active").get_by_text(option, exact=True).click()
    # contiguity left at its default, land, and distance 0: on the client's own territory (FOOT1)
    page.get_by_label("foothold: distance (km)").fill("0")
    page.locator(".pl-add-foothold").click()
    want = _expected(logic.add_foothold(s, "PRC", "PHI", "land", 0.0))
    assert want["edges"] != before["edges"]
    page.wait_for_function("want => document.querySelector('.pl-design').dataset.scenario === want",
                           arg=want["scenario"], timeout=60_000)
    assert _shown(page) == want
