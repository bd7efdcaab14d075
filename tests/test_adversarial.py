"""The attacker on the same machine, against a real ``selfdex serve`` (a subprocess, as a person
starts it, under umask 022): with no credential, with a narrow recipient's token, with a CSRF token
lifted from the owner's page, with other Host and Origin values, with a cross-site form; then the
files on disk, bodies, the MCP channel and the remote mode. Nothing may leak and no grant may be
minted (``selfdex grant list`` says which exist)."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from selfdex.sample import generate

from .gate_support import free_port, wait_until_serving

pytestmark = pytest.mark.slow

SELFDEX = [sys.executable, "-c", "from selfdex.cli.main import main; main()"]
BUNDLES = ("netflix-report.zip", "letterboxd-maralind-2025-07-01-12-00-utc.zip", "goodreads", "dkb")
OWNER_GET = (
    "/",
    "/import",
    "/timeline",
    "/timeline?platform=dkb&limit=5000",
    "/profile?all=1",
    "/ask?q=dune",
    "/recommend",
    "/sharing",
    "/audit",
    "/import/jobs/1",
    "/sharing/grants/netflix/preview?op=profile",
    "/docs",
    "/redoc",
)
OWNER_POST = (
    ("/profile/note", {"text": "pwned-note"}),
    ("/profile/pin", {"text": "pwned-pin"}),
    ("/profile/forget", {"key": "entity:film:arrival|2016"}),
    ("/sharing/grants", {"name": "evil", "level": "raw", "platform": "*", "purpose": "x", "confirm": "yes"}),
    ("/sharing/grants/netflix/revoke", {}),
)


def umask022() -> None:
    os.umask(0o022)


def selfdex(
    store: Path, *args: str, ok: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [*SELFDEX, "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=umask022,
        env={**os.environ, "SELFDEX_MODEL": "none", **(env or {})},
        check=False,
    )
    if ok:
        assert res.returncode == 0, res.stdout + res.stderr
    return res


@dataclass
class Server:
    url: str
    mcp: str
    login: str
    log: Path
    proc: subprocess.Popen[bytes]

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def start(
    store: Path, log: Path, *args: str, env: dict[str, str] | None = None, wait_for: str = "/health"
) -> Server:
    port, mcp_port = free_port(), free_port()
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                *SELFDEX,
                "--store",
                str(store),
                "serve",
                "--port",
                str(port),
                "--mcp-port",
                str(mcp_port),
                *args,
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            preexec_fn=umask022,
            env={**os.environ, "SELFDEX_MODEL": "none", "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url + wait_for, proc, log)
    link = re.search(r"Web app +(\S+)", log.read_text())
    return Server(url, f"http://127.0.0.1:{mcp_port}/mcp", link.group(1) if link else "", log, proc)


def stop(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(15)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@dataclass
class House:
    store: Path
    server: Server
    token: str  # netflix: answers, netflix only
    titles: list[str]  # what the person's records say: none may show up in an attacker's reply


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Iterator[House]:
    tmp = tmp_path_factory.mktemp("adversarial")
    exports = tmp / "exports"
    generate(exports, seed=7)
    store = tmp / "home" / "selfdex" / "store.sqlite"  # neither folder exists yet
    selfdex(store, "import", *(str(exports / b) for b in BUNDLES))
    made = json.loads(
        selfdex(
            store,
            "grant",
            "add",
            "netflix",
            "--level",
            "answers",
            "--platform",
            "netflix",
            "--purpose",
            "films",
            "--json",
        ).stdout
    )
    import sqlite3

    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    titles = [
        r[0] for r in conn.execute("SELECT DISTINCT title FROM records WHERE length(title) > 8 LIMIT 300")
    ]
    conn.close()
    assert len(titles) > 20
    server = start(store, tmp / "serve.log")
    try:
        yield House(store, server, made["token"], titles)
    finally:
        stop(server)


def grants(store: Path) -> list[str]:
    return sorted(g["name"] for g in json.loads(selfdex(store, "grant", "list", "--all", "--json").stdout))


def owner(house: House) -> httpx.Client:
    """The person, logged in through the link serve printed."""
    client = httpx.Client(base_url=house.server.url, timeout=60)
    res = client.get(house.server.login)
    assert res.status_code == 303 and "token=" not in res.headers["location"]
    return client


def leaks(house: House, text: str) -> list[str]:
    return [t for t in house.titles if t in text]


def test_the_printed_login_link_is_the_only_way_in(house: House) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{43}", house.server.login)
    # a local process spraying wrong tokens learns nothing and cannot lock the owner out
    with httpx.Client(base_url=house.server.url, timeout=60) as sprayer:
        for i in range(60):
            res = sprayer.get(f"/?token={i:043x}")
            assert res.status_code == 401 and "set-cookie" not in res.headers
    res = httpx.get(house.server.login)
    assert res.status_code == 303 and res.headers["location"] == "/"
    cookie = res.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    me = owner(house)
    page = me.get("/timeline?platform=netflix")
    assert page.status_code == 200 and leaks(house, page.text)  # the owner sees their data


def test_no_credential_reads_nothing_and_changes_nothing(house: House) -> None:
    before = grants(house.store)
    with httpx.Client(base_url=house.server.url, timeout=60) as anyone:
        for path in OWNER_GET:
            res = anyone.get(path)
            assert res.status_code == 401, (path, res.status_code)
            assert not leaks(house, res.text) and "csrf_token" not in res.text, path
        ids = [r for r in re.findall(r"/records/([0-9a-f]+)", owner(house).get("/timeline").text)]
        assert ids
        raw = anyone.get(f"/records/{ids[0]}")
        assert raw.status_code == 401 and not leaks(house, raw.text)
        for path, data in OWNER_POST:
            assert anyone.post(path, data={**data, "csrf_token": "guess"}).status_code == 401, path
        files = {"archives": ("x.zip", b"PK\x03\x04", "application/zip")}
        assert anyone.post("/import?csrf_token=guess", files=files).status_code == 401
    assert grants(house.store) == before == ["netflix"]
    assert "pwned" not in owner(house).get("/profile?all=1").text


def test_a_recipient_token_opens_no_owner_page(house: House) -> None:
    bearer = {"Authorization": f"Bearer {house.token}"}
    with httpx.Client(base_url=house.server.url, timeout=60, headers=bearer) as netflix:
        assert netflix.get("/v1/grant").json()["access"] == "answers"
        for path in OWNER_GET:
            res = netflix.get(path)
            assert res.status_code == 401 and not leaks(house, res.text), path
        for path, data in OWNER_POST:
            assert netflix.post(path, data={**data, "csrf_token": "guess"}).status_code == 401, path
        # nor does it get more than its grant from its own API
        assert netflix.post("/v1/search", json={"query": "dune"}).status_code == 403
    assert grants(house.store) == ["netflix"]


def test_the_owner_cookie_never_acts_as_a_recipient(house: House) -> None:
    me = owner(house)
    for path in ("/v1/grant", "/v1/profile", "/v1/aggregates"):
        assert me.get(path).status_code == 401, path
    assert me.post("/v1/search", json={"query": "dune"}).status_code == 401


def test_a_lifted_csrf_token_other_hosts_and_origins_and_a_cross_site_form_mint_nothing(house: House) -> None:
    me = owner(house)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', me.get("/sharing").text)
    assert csrf
    mint = {
        "name": "evil",
        "level": "raw",
        "platform": "*",
        "purpose": "x",
        "confirm": "yes",
        "csrf_token": csrf.group(1),
    }
    # the CSRF token alone, without the owner's cookie: the door stays shut
    assert httpx.post(house.server.url + "/sharing/grants", data=mint, timeout=60).status_code == 401
    # DNS rebinding: another name for this address, even with the owner's cookie
    for host in ("evil.example", "127.0.0.1.evil.example", "localhost.evil.example:8765"):
        res = me.get("/sharing", headers={"Host": host})
        assert res.status_code == 403 and not leaks(house, res.text), host
        assert me.post("/sharing/grants", data=mint, headers={"Host": host}).status_code == 403
    port = house.server.url.rsplit(":", 1)[1]
    # a cross-site or cross-origin form, as a page elsewhere would send it through the owner's browser
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": f"http://127.0.0.1:{int(port) + 1}"},
        {"Origin": f"http://localhost:{port}"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},
    ):
        assert me.post("/sharing/grants", data=mint, headers=headers).status_code == 403, headers
    assert (
        me.get(
            "/ask?q=dune", headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
        ).status_code
        == 403
    )
    assert grants(house.store) == ["netflix"]


def test_files_are_private_under_umask_022(house: House) -> None:
    s = house.store
    for path in (s, Path(f"{s}-wal"), Path(f"{s}-shm"), Path(f"{s}.audit-head"), Path(f"{s}.owner-secret")):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
    for folder in (s.parent, s.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    report = json.loads(selfdex(s, "doctor", "--json", ok=False).stdout)
    assert next(c for c in report["checks"] if c["check"] == "private")["ok"]


def test_doctor_and_serve_say_how_to_fix_a_readable_store(tmp_path: Path, house: House) -> None:
    store = tmp_path / "loose.sqlite"
    selfdex(store, "import", str(Path(house.store).parents[2] / "exports" / "netflix-report.zip"))
    os.chmod(store, 0o644)
    report = json.loads(selfdex(store, "doctor", "--json", ok=False).stdout)
    check = next(c for c in report["checks"] if c["check"] == "private")
    assert not check["ok"] and f"chmod 600 {store}" in check["detail"]
    server = start(store, tmp_path / "serve.log", "--no-mcp")
    stop(server)
    assert f"Fix: chmod 600 {store}" in server.text()
    fix = check["detail"].split("fix: ", 1)[1]
    subprocess.run(fix, shell=True, check=True)
    report = json.loads(selfdex(store, "doctor", "--json", ok=False).stdout)
    assert next(c for c in report["checks"] if c["check"] == "private")["ok"]


def test_bodies_are_refused_before_they_are_read_and_never_echoed(house: House) -> None:
    big = b'{"query": "' + b"A" * (8 << 20) + b'"}'
    started = time.monotonic()
    res = httpx.post(
        house.server.url + "/v1/search", content=big, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert res.status_code == 401 and len(res.content) < 500
    bearer = {"Authorization": f"Bearer {house.token}", "Content-Type": "application/json"}
    res = httpx.post(house.server.url + "/v1/search", content=big, headers=bearer, timeout=60)
    assert res.status_code == 413 and len(res.content) < 500
    chunked = (big[i : i + 65536] for i in range(0, len(big), 65536))  # no Content-Length to refuse by
    res = httpx.post(house.server.url + "/v1/search", content=chunked, headers=bearer, timeout=60)
    assert res.status_code == 413
    assert time.monotonic() - started < 20
    marker = "SECRET-INPUT-" * 1000
    res = httpx.post(
        house.server.url + "/v1/search", json={"query": marker, "limit": 100000}, headers=bearer, timeout=60
    )
    assert res.status_code == 422, res.text[:300]
    assert "SECRET-INPUT" not in res.text and len(res.content) < 1000
    assert res.json()["error"] == "invalid_request" and "query" in res.json()["detail"]
    shown = json.loads(selfdex(house.store, "audit", "show", "--recipient", "netflix", "--json").stdout)
    assert any(e["status"] == 422 and e["outcome"] == "refused" for e in shown)


def test_mcp_search_with_a_huge_limit_is_a_clear_audited_error(house: House) -> None:
    async def call() -> str:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {house.token}"})
        async with http, Client(streamable_http_client(house.server.mcp, http_client=http)) as client:
            result = await client.call_tool("search", {"query": "dune", "limit": 100000})
            assert result.is_error
            return str(result.content[0].text)

    message = anyio.run(call)
    assert "422 invalid_request" in message and "limit" in message
    shown = json.loads(selfdex(house.store, "audit", "show", "--recipient", "netflix", "--json").stdout)
    assert any(e["channel"] == "mcp-http" and e["status"] == 422 for e in shown)
    time.sleep(0.5)
    assert "Traceback" not in house.server.text()


def test_each_recipient_counts_its_own_reads_and_a_refused_burst_is_one_entry(house: House) -> None:
    made = json.loads(
        selfdex(
            house.store,
            "grant",
            "add",
            "capped",
            "--level",
            "aggregates",
            "--platform",
            "netflix",
            "--per-day",
            "2",
            "--purpose",
            "t",
            "--json",
        ).stdout
    )
    bearer = {"Authorization": f"Bearer {made['token']}"}
    for _ in range(3):  # the other recipient's activity moves the global counter
        httpx.get(
            house.server.url + "/v1/grant", headers={"Authorization": f"Bearer {house.token}"}, timeout=60
        )
    first = httpx.get(house.server.url + "/v1/grant", headers=bearer, timeout=60)
    assert first.headers.get("X-Selfdex-Audit") == "1", (first.status_code, first.text)

    def hit(_: int) -> int:
        return httpx.get(house.server.url + "/v1/aggregates", headers=bearer, timeout=60).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(hit, range(60)))
    assert codes.count(200) == 1 and codes.count(429) == 59  # the cap was 2, one used by /v1/grant
    shown = json.loads(selfdex(house.store, "audit", "show", "--recipient", "capped", "--json").stdout)
    assert [e["outcome"] for e in shown] == ["disclosed", "disclosed", "refused"], shown


def test_a_grant_expiry_beyond_a_year_needs_asking(house: House) -> None:
    far = selfdex(house.store, "grant", "add", "forever", "--platform", "netflix", "--purpose", "t",
                  "--expires", "99999d", ok=False)  # fmt: skip
    assert far.returncode != 0 and "more than a year away" in far.stdout + far.stderr
    assert "forever" not in grants(house.store)
    selfdex(house.store, "grant", "add", "forever", "--platform", "netflix", "--purpose", "t",
            "--expires", "800d", "--allow-long-expiry")  # fmt: skip
    selfdex(house.store, "grant", "revoke", "forever")


def test_open_hands_the_browser_a_link_that_works_once(house: House, tmp_path: Path) -> None:
    seen = tmp_path / "browser-url"
    browser = f"/bin/sh -c {shlex.quote(f'echo $0 > {seen}')} %s"
    server = start(house.store, tmp_path / "serve.log", "--no-mcp", "--open", env={"BROWSER": browser})
    try:
        deadline = time.monotonic() + 20
        while not (seen.exists() and seen.read_text().strip()):
            assert time.monotonic() < deadline, server.text()
            time.sleep(0.1)
        url = seen.read_text().strip()
        assert "?token=" in url and url != server.login
        assert httpx.get(url, timeout=30).status_code == 303
        assert httpx.get(url, timeout=30).status_code == 401  # used up
    finally:
        stop(server)


def test_remote_mode_needs_a_strong_password_throttles_guesses_and_guards_every_route(
    house: House, tmp_path: Path
) -> None:
    weak = selfdex(
        house.store, "serve", "--host", "0.0.0.0", "--allow-remote", "--web-password", "hunter2", ok=False
    )
    assert weak.returncode == 2 and "at least 12 characters" in weak.stdout + weak.stderr
    server = start(
        house.store, tmp_path / "serve.log", "--host", "0.0.0.0", "--allow-remote", "--no-mcp",
        "--web-password", "generate", wait_for="/health",
    )  # fmt: skip
    try:
        password = re.search(r"password: (\S+)\)", server.text())
        assert password, server.text()
        assert "TLS reverse proxy" in server.text() and "--ssl-certfile" in server.text()
        for path in ("/", "/openapi.json", "/docs", "/sharing"):
            assert httpx.get(server.url + path, timeout=30).status_code == 401, path
        right = ("me", password.group(1))
        spec = httpx.get(server.url + "/openapi.json", auth=right, timeout=30)
        assert spec.status_code == 200 and all(
            p.startswith("/v1/") or p == "/health" for p in spec.json()["paths"]
        )
        codes = [
            httpx.get(server.url + "/", auth=("me", f"guess-{i}"), timeout=30).status_code for i in range(8)
        ]
        assert codes[:5] == [401] * 5 and codes[-1] == 429, codes
        locked = httpx.get(server.url + "/", auth=right, timeout=30)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
        # recipients are not locked out by someone guessing the owner's password
        bearer = {"Authorization": f"Bearer {house.token}"}
        assert httpx.get(server.url + "/v1/grant", headers=bearer, timeout=30).status_code == 200
    finally:
        stop(server)
