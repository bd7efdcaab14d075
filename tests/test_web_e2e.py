"""The web app for real: ``selfdex serve`` in a subprocess, driven by headless Debian Chromium through
Playwright (no browser download: ``/usr/bin/chromium``), with axe-core checking every page.

Needs (installed by CI; missing pieces fail the test, they never skip it):
  apt-get install -y chromium
  pip install playwright==1.65.2                      (never ``playwright install``)
  npm install --prefix .cache/axe axe-core@4.14.1    (axe.min.js, run in each page)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from selfdex.sample import generate

from .gate_support import free_port, wait_until_serving

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("SELFDEX_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "test-artifacts" / "screenshots"
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CANDIDATES = "Dune: Part Two\nPaddington 2\nArrival"
FORGET = "entity:film:arrival|2016"
LOGIN: dict[str, str] = {}  # server URL -> the login link it printed


def _require() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    if not AXE.exists():
        missing.append(f"{AXE} (npm install --prefix .cache/axe axe-core@4.14.1)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright==1.65.2)")
    if missing:
        pytest.fail("the browser tests need: " + "; ".join(missing), pytrace=False)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``selfdex serve`` on a free loopback port over an empty store, as a person would start it."""
    _require()
    tmp = tmp_path_factory.mktemp("web-e2e")
    port = free_port()
    env = {**os.environ, "SELFDEX_MODEL": "none", "PYTHONUNBUFFERED": "1"}
    log = (tmp / "serve.log").open("wb")
    cmd = [
        sys.executable,
        "-c",
        "from selfdex.cli.main import main; main()",
        "--store",
        str(tmp / "store.sqlite"),
    ]
    cmd += ["serve", "--port", str(port), "--no-mcp"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + "/health", proc, tmp / "serve.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    # The owner's login link, as a person copies it from the terminal.
    link = re.search(r"Web app +(http://\S+/\?token=\S+)", (tmp / "serve.log").read_text())
    assert link, (tmp / "serve.log").read_text()
    LOGIN[url] = link.group(1)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The sample person's export archives (the zips: a browser uploads files, not folders)."""
    out = tmp_path_factory.mktemp("web-e2e-exports")
    return sorted(p for p in generate(out, seed=7) if p.suffix == ".zip")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp: only so that the test can inject axe-core; the app's own pages run under the CSP.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def check(page: Any, name: str) -> None:
    """Screenshot the page, then run axe-core in it: no serious or critical violations."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: accessibility violations:\n{json.dumps(bad, indent=2)}"


def reasons_for(page: Any, title: str) -> str:
    return str(page.locator(f'li.ranked-item[data-title="{title}"] .reason').inner_text())


def recommend(page: Any, server: str) -> None:
    page.goto(server + "/recommend")
    page.get_by_label("Candidates, in the platform's order").fill(CANDIDATES)
    page.get_by_label("Platform they come from").fill("netflix")
    page.get_by_role("button", name="Re-rank").click()
    page.wait_for_selector("li.ranked-item")


def test_the_whole_journey(server: str, exports: list[Path], page: Any) -> None:
    # -- without the login link the console shows nothing; the link logs in and leaves the bar --
    page.goto(server + "/")
    assert "selfdex serve --open" in page.content() and "Import" not in page.title()
    page.goto(LOGIN[server])
    assert page.url == server + "/"  # the token is gone from the address bar
    cookie = next(c for c in page.context.cookies() if c["name"].startswith("selfdex-owner"))
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # -- import the sample person through the upload form; the job page polls until done -------
    page.goto(server + "/")
    check(page, "01-overview-empty")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Export archives").set_input_files([str(p) for p in exports])
    check(page, "02-import")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/import/runs/\d+$"))
    page.wait_for_selector('#run-status[data-state="done"]', timeout=180_000)
    summary = page.locator("#run-status").inner_text()
    assert "new records" in summary and "imported" in summary
    assert page.locator("#run-status tbody tr").count() >= len(exports)
    check(page, "03-import-done")

    # -- the timeline: chart, a filter, a record and its provenance ----------------------------
    page.get_by_role("link", name="Timeline", exact=True).click()
    assert page.locator("svg.chart rect").count() > 10
    check(page, "04-timeline")
    page.get_by_label("Platform", exact=True).select_option("letterboxd")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"platform=letterboxd"))
    platforms = page.locator("table.timeline tbody tr td:nth-child(2)").all_inner_texts()
    assert platforms and set(platforms) == {"letterboxd"}
    check(page, "05-timeline-letterboxd")
    page.locator("table.timeline tbody tr a").first.click()
    page.wait_for_url(re.compile(r"/records/[0-9a-f]+$"))
    assert page.get_by_role("heading", name="Where it came from").is_visible()
    assert "letterboxd" in page.locator("dl.facts").nth(1).inner_text()
    check(page, "06-record")

    # -- forget a fact, and see it vanish from a recommendation's reasons ---------------------
    recommend(page, server)
    assert "letterboxd" in reasons_for(page, "Arrival")
    check(page, "07-recommend-before")
    page.goto(server + "/profile?all=1")
    fact = page.locator(f'li.fact[data-key="{FORGET}"]')
    assert fact.count() == 1
    check(page, "08-profile")
    fact.get_by_role("button", name=re.compile("^Forget")).click()
    page.wait_for_selector("#forget-summary")  # it asks first, listing what it would hide
    check(page, "08b-forget-confirm")
    page.get_by_role("button", name=re.compile(r"^Forget \d+ records")).click()
    page.wait_for_selector(".flash")
    assert page.locator(f'li.fact[data-key="{FORGET}"]').count() == 0
    assert "Forgot" in page.locator(".flash").inner_text()
    check(page, "09-profile-after-forget")
    recommend(page, server)
    assert "letterboxd" not in reasons_for(page, "Arrival")
    check(page, "10-recommend-after")

    # -- keyboard only: skip link, then ask a question and open a cited record ----------------
    page.goto(server + "/ask")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("What did I watch about Dune?")
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.citations a")
    assert "Dune" in page.locator("#answer").inner_text()
    check(page, "11-ask")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('ol.citations') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('ol.citations') !== null"), "no citation by Tab"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/records/[0-9a-f]+$"))

    # -- sharing: create a grant, preview it, let the recipient read, see the read audited -----
    page.goto(server + "/sharing")
    check(page, "12-sharing")
    page.get_by_label("Recipient name").fill("netflix")
    page.get_by_label("Purpose").fill("better film suggestions")
    page.get_by_label("Level").select_option("facts")
    page.get_by_label("netflix", exact=True).check()
    page.get_by_label("letterboxd", exact=True).check()
    page.get_by_role("button", name="Create grant").click()
    token = page.get_by_label("Token").input_value()
    assert token
    check(page, "13-grant-created")
    page.get_by_role("link", name="Preview exactly what netflix would see").click()
    body = json.loads(page.locator("#preview-body").inner_text())
    assert body["facts"] and all(set(f["platforms"]) <= {"netflix", "letterboxd"} for f in body["facts"])
    assert FORGET not in {f.get("key") for f in body["facts"]}
    check(page, "14-preview")

    res = httpx.get(server + "/v1/profile", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert res.status_code == 200
    assert res.json() == body  # the preview was exactly what netflix received
    assert res.headers["X-Selfdex-Audit"] == "1"  # netflix's own first read, not a global counter

    page.goto(server + "/audit")
    row = page.locator("tr.entry").first
    assert "netflix" in row.inner_text() and "profile" in row.inner_text() and "disclosed" in row.inner_text()
    assert "audit log is intact" in page.locator("#verify").inner_text()
    check(page, "15-audit")

    # -- revoke: the token stops working at once ------------------------------------------------
    page.goto(server + "/sharing")
    page.locator('tr.grant[data-name="netflix"]').get_by_role("button", name=re.compile("^Revoke")).click()
    page.wait_for_selector(".flash")
    assert "revoked" in page.locator('tr.grant[data-name="netflix"]').inner_text()
    check(page, "16-revoked")
    again = httpx.get(server + "/v1/profile", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert again.status_code == 401


def test_a_cross_site_form_cannot_act(server: str, page: Any) -> None:
    """A page on another origin posting to the app (a classic CSRF) is refused, even while the
    owner is logged in: the SameSite=Strict cookie stays home, and the CSRF check stands."""
    page.goto(LOGIN[server])
    page.set_content(
        f"""<form id=f method=post action="{server}/profile/note">
        <input name=text value="pwned"><input name=csrf_token value="guess"></form>"""
    )
    with page.expect_navigation() as nav:
        page.evaluate("document.getElementById('f').submit()")
    assert nav.value.status in (401, 403)  # no cookie sent cross-site (401); or no CSRF token (403)
    page.goto(server + "/profile")
    assert "pwned" not in page.content()
