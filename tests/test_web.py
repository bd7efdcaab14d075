"""The local web app through FastAPI's TestClient: pages, CSRF and cross-site guards, corrections,
grants, escaping of imported text, and the refusal to bind off loopback without a password."""

from __future__ import annotations

import base64
import errno
import re
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from selfdex.channels.api import create_app
from selfdex.gate import Gate
from selfdex.store import Store
from selfdex.web import BindRefused, WebSettings, check_bind, create_web_app

from .gate_support import cli
from .sample_store import fresh_store

BASE = "http://127.0.0.1"


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


@pytest.fixture
def settings() -> WebSettings:
    return WebSettings(csrf_secret="test-secret", model="none")


def login(client: TestClient, app: Any) -> TestClient:
    """What the owner does: open the link ``selfdex serve`` printed (…/?token=…)."""
    res = client.get("/?token=" + app.state.auth.login_token)
    assert res.status_code == 303 and res.headers["location"] == "/", res.text[:300]
    assert "token=" not in res.headers["location"]
    return client


@pytest.fixture
def client(store: Store, settings: WebSettings) -> Iterator[TestClient]:
    app = create_web_app(store.path, settings=settings)
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        yield login(c, app)
    app.state.close()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def post(client: TestClient, path: str, data: dict[str, object], **kw: object) -> httpx.Response:
    return client.post(path, data={"csrf_token": "test-secret", **data}, **kw)  # type: ignore[arg-type]


def test_every_page_renders(client: TestClient, store: Store) -> None:
    for path, heading in [
        ("/", "Your data, in one place"),
        ("/import", "Import your exports"),
        ("/timeline", "Timeline"),
        ("/timeline?platform=netflix&kind=episode&since=2020-01-01&until=2030-01-01", "Timeline"),
        ("/profile", "What your records say about you"),
        ("/ask", "Ask about yourself"),
        ("/ask?q=what+did+I+read+about+dune", "Ask about yourself"),
        ("/recommend", "Re-rank"),
        ("/sharing", "Who may see what about you"),
        ("/audit", "Who saw what about you"),
        ("/import/jobs/1", "Import job 1"),
    ]:
        res = client.get(path)
        assert res.status_code == 200, (path, res.text[:500])
        assert res.headers["content-type"].startswith("text/html")
        assert heading in res.text, path
        assert 'class="skip" href="#main"' in res.text and 'id="main"' in res.text
        assert "frame-ancestors 'none'" in res.headers["content-security-policy"]
        # offline: nothing is loaded from another origin
        assert not re.search(r'(src|href)="(https?:)?//', res.text), path
    assert client.get("/static/htmx.min.js").status_code == 200
    assert client.get("/records/nope").status_code == 404
    assert client.get("/import/runs/99").status_code == 404


def test_timeline_filters_chart_and_record_provenance(client: TestClient) -> None:
    page = client.get("/timeline?platform=letterboxd").text
    assert "<svg" in page and "Records per month" in page
    rows = re.findall(r"<td>(\w+)</td>\s*<td>\w+ \w+</td>", page)
    assert rows and set(rows) == {"letterboxd"}
    record_id = re.search(r'href="/records/([0-9a-f]+)"', page)
    assert record_id
    detail = client.get(f"/records/{record_id.group(1)}").text
    assert "Where it came from" in detail and "letterboxd" in detail
    assert re.search(r"<dt>File</dt><dd[^>]*>[^<—]+\.csv", detail), "the source file is shown"
    assert "The original record" in detail
    bad = client.get("/timeline?since=yesterday")
    assert bad.status_code == 200 and "use a date such as" in bad.text


def test_post_needs_the_csrf_token(client: TestClient) -> None:
    key = {"key": "entity:film:arrival|2016"}
    assert client.post("/profile/forget", data=key).status_code == 403
    assert client.post("/profile/forget", data={**key, "csrf_token": "wrong"}).status_code == 403
    assert client.post("/profile/forget", data=key, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    # multipart without the token in the action URL
    files = {"archives": ("x.zip", b"PK", "application/zip")}
    assert client.post("/import", files=files).status_code == 403
    assert client.post("/sharing/grants/netflix/revoke").status_code == 403
    # the page's own token works, in the form or as htmx's header
    token = csrf_of(client.get("/profile").text)
    assert token == "test-secret"
    assert client.post("/profile/forget", data={**key, "csrf_token": token}).status_code == 303
    res = client.post("/profile/unforget", data=key, headers={"X-CSRF-Token": token})
    assert res.status_code == 303


def test_cross_site_requests_are_refused(client: TestClient) -> None:
    data = {"key": "entity:film:arrival|2016"}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        res = post(client, "/profile/forget", data, headers=headers)
        assert res.status_code == 403, headers
    ok = post(client, "/profile/unforget", data, headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 303
    # a DNS-rebinding page reaches us under its own name: refused, even for GET
    assert client.get("/profile", headers={"Host": "evil.example"}).status_code == 403
    assert client.get("/", headers={"Host": "localhost:8765"}).status_code == 200
    # another site's <img src=".../ask?q=…"> may not run anything; following a link to the app may
    img = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}
    assert client.get("/ask?q=what+did+I+read", headers=img).status_code == 403
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}
    assert client.get("/", headers=link).status_code == 200


def test_forget_removes_a_fact_and_notes_pins(client: TestClient) -> None:
    key = "entity:film:arrival|2016"
    assert f'data-key="{key}"' in client.get("/profile?all=1").text
    res = post(client, "/profile/forget", {"key": key})
    assert res.status_code == 303 and res.headers["location"].startswith("/profile?msg=Forgot")
    page = client.get("/profile?all=1").text
    assert f'data-key="{key}"' not in page
    assert f"<code>{key}</code>" in page  # listed under the corrections, with an undo
    res = post(client, "/profile/unforget", {"key": key})
    assert f'data-key="{key}"' in client.get("/profile?all=1").text
    post(client, "/profile/note", {"text": "I gave up coffee"})
    post(client, "/profile/pin", {"text": "I love slow science fiction"})
    page = client.get("/profile").text
    assert "I gave up coffee" in page and "I love slow science fiction" in page
    post(client, "/profile/unpin", {"key": "note:i-gave-up-coffee"})
    assert "I gave up coffee" not in client.get("/profile").text


def test_ask_and_recommend(client: TestClient) -> None:
    page = client.get("/ask", params={"q": "What did I read about Dune?"}).text
    assert "Dune" in page and re.search(r'<ol class="citations">\s*<li><a href="/records/[0-9a-f]+"', page)
    assert "your records (no model)" in page
    res = client.post(
        "/recommend?csrf_token=test-secret",
        data={"candidates": "Dune: Part Two\nPaddington 2\nArrival", "platform": "netflix"},
    )
    assert res.status_code == 200
    titles = re.findall(r'data-title="([^"]+)"', res.text)
    assert sorted(titles) == ["Arrival", "Dune: Part Two", "Paddington 2"]
    assert 'class="reason"' in res.text
    as_json = client.post(
        "/recommend?csrf_token=test-secret",
        data={"platform": "netflix"},
        files={"upload": ("c.json", b'[{"title": "Arrival"}, {"title": "Dune"}]', "application/json")},
    )
    assert as_json.status_code == 200 and 'data-title="Arrival"' in as_json.text
    empty = client.post("/recommend?csrf_token=test-secret", data={"candidates": " "})
    assert empty.status_code == 400 and "paste a candidate list" in empty.text


def test_grant_create_preview_revoke(client: TestClient) -> None:
    res = post(
        client,
        "/sharing/grants",
        {"name": "netflix", "purpose": "films", "level": "facts", "platform": ["netflix", "letterboxd"]},
    )
    assert res.status_code == 200, res.text[:1000]
    token = re.search(r'id="new-token" value="([^"]+)"', res.text)
    assert token and len(token.group(1)) > 20
    assert token.group(1) not in client.get("/sharing").text  # shown once, never again
    preview = client.get("/sharing/grants/netflix/preview")
    assert preview.status_code == 200 and "preview-body" in preview.text and "&#34;facts&#34;" in preview.text
    assert "amazon" not in preview.text.split('id="preview-body"')[1]
    refused = client.get("/sharing/grants/netflix/preview?op=search&query=dune")
    assert "would receive nothing: 403" in refused.text
    assert "Nobody has read anything about you." in client.get("/audit").text  # previews are not reads
    dup = post(
        client, "/sharing/grants", {"name": "netflix", "purpose": "x", "platform": ["*"], "confirm": "yes"}
    )
    assert dup.status_code == 400 and "already has a grant" in dup.text
    bad = post(client, "/sharing/grants", {"name": "spotify", "purpose": "x"})
    assert bad.status_code == 400 and "choose at least one platform" in bad.text
    res = post(client, "/sharing/grants/netflix/revoke", {})
    assert res.status_code == 303 and "Revoked" in client.get(res.headers["location"]).text
    assert 'class="state-revoked">revoked' in client.get("/sharing").text
    assert "would receive nothing: 401" in client.get("/sharing/grants/netflix/preview").text


def test_imported_text_is_escaped(client: TestClient, store: Store) -> None:
    evil = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    record_id = store.conn.execute(
        "SELECT id FROM records WHERE platform = 'letterboxd' AND occurred_at IS NOT NULL LIMIT 1"
    ).fetchone()[0]
    store.conn.execute(
        "UPDATE records SET title = ?, text = ?, creators = ?, raw = ? WHERE id = ?",
        (f"Dune {evil}", f"Loved it {evil}", '["' + evil.replace('"', '\\"') + '"]', '{"x": "' + evil.replace('"', '\\"') + '"}', record_id),
    )  # fmt: skip
    pages = [
        client.get(f"/records/{record_id}").text,
        client.get("/timeline?platform=letterboxd&limit=5000").text,
        client.get("/ask", params={"q": "dune"}).text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in pages[0]
    assert "&lt;script&gt;" in pages[1]


def _wait_done(client: TestClient, run_url: str) -> str:
    deadline = time.monotonic() + 60
    while 'data-state="done"' not in (status := client.get(run_url + "/status").text):
        assert time.monotonic() < deadline and 'data-state="failed"' not in status
        time.sleep(0.2)
    return status


def test_import_upload_runs_in_the_background(
    sample_exports: Path, tmp_path: Path, settings: WebSettings
) -> None:
    path = tmp_path / "fresh.sqlite"
    Store(path).close()
    app = create_web_app(path, settings=settings)
    client = login(TestClient(app, base_url=BASE, follow_redirects=False), app)
    zips = sorted(
        p for p in sample_exports.iterdir() if p.name in ("netflix-report.zip", "my_spotify_data.zip")
    )
    files = [("archives", (p.name, p.read_bytes(), "application/zip")) for p in zips]
    files.append(("archives", ("notes.txt", b"not an export", "text/plain")))
    res = client.post("/import?csrf_token=test-secret", files=files)
    assert res.status_code == 303
    run_url = res.headers["location"]
    page = client.get(run_url).text
    assert "Import 1" in page and "netflix-report.zip" in page
    deadline = time.monotonic() + 60
    while True:
        status = client.get(run_url + "/status").text
        if 'data-state="done"' in status or 'data-state="failed"' in status:
            break
        assert 'hx-trigger="every 1s"' in status  # the page keeps polling while it runs
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert 'data-state="done"' in status and "hx-trigger" not in status
    assert "new records" in status and "imported" in status
    assert re.search(r"notes\.txt</td>.*?<td>(skipped|unsupported)</td>", status, re.S)
    with Store(path) as s:
        assert s.count() > 0
    # re-importing adds nothing
    res = client.post("/import?csrf_token=test-secret", files=files[:1])
    status = _wait_done(client, res.headers["location"])
    assert "<strong>0</strong> new records" in status
    assert "Import history" in client.get("/import").text
    nothing = client.post(
        "/import?csrf_token=test-secret", files=[("archives", ("", b"", "application/zip"))]
    )
    assert nothing.status_code in (400, 422)


def test_non_loopback_needs_the_flag_and_a_password(store: Store) -> None:
    for kwargs in ({}, {"allow_remote": True}, {"password": "pw"}, {"allow_remote": True, "password": ""}):
        with pytest.raises(BindRefused):
            WebSettings(host="0.0.0.0", **kwargs)  # type: ignore[arg-type]
        with pytest.raises(BindRefused):
            check_bind("192.168.1.20", **{"allow_remote": False, "password": None, **kwargs})  # type: ignore[arg-type]
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        WebSettings(host=host)
    runner = CliRunner()
    res = runner.invoke(cli, ["--store", str(store.path), "serve", "--host", "0.0.0.0", "--no-mcp"])
    assert res.exit_code == 2 and "refusing to serve the web app on 0.0.0.0" in res.output
    res = runner.invoke(
        cli, ["--store", str(store.path), "serve", "--host", "0.0.0.0", "--allow-remote", "--no-mcp"]
    )
    assert res.exit_code == 2 and "password" in res.output
    # a weak password is refused off loopback
    for weak in ("pw", "x" * 40, "short-pw1"):
        with pytest.raises(BindRefused, match="password"):
            WebSettings(host="0.0.0.0", allow_remote=True, password=weak)
    # with both, every page asks for the password (HTTP basic auth)
    strong = "correct horse battery staple"
    app = create_web_app(store.path, settings=WebSettings(host="0.0.0.0", allow_remote=True, password=strong))
    client = TestClient(app, base_url="http://192.168.1.20:8765")
    denied = client.get("/")
    assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Basic")
    wrong = base64.b64encode(b"me:nope").decode()
    assert client.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(f"me:{strong}".encode()).decode()
    assert client.get("/", headers={"Authorization": f"Basic {right}"}).status_code == 200
    app.state.close()


def test_mounted_beside_the_api(store: Store, settings: WebSettings) -> None:
    """As ``selfdex serve`` runs it: the web app at /, the API's routes untouched."""
    gate = Gate(store)
    api = create_app(gate)
    web = create_web_app(store.path, gate=gate, settings=settings)
    api.mount("/", web)
    client = TestClient(api, base_url=BASE, follow_redirects=False)
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/v1/grant").status_code == 401
    spec = client.get("/openapi.json")
    assert spec.status_code == 200 and all(
        p.startswith("/v1/") or p == "/health" for p in spec.json()["paths"]
    )
    assert client.get("/").status_code == 401  # the owner logs in first
    login(client, web)
    assert "Your data, in one place" in client.get("/").text
    res = post(
        client,
        "/sharing/grants",
        {"name": "films", "purpose": "t", "level": "facts", "platform": ["*"], "confirm": "yes"},
    )
    token = re.search(r'id="new-token" value="([^"]+)"', res.text)
    assert token
    got = client.get("/v1/profile", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert got.status_code == 200 and got.json()["facts"]
    audit = client.get("/audit").text
    assert re.search(r"<td>films</td><td>http</td><td>profile</td>\s*<td>disclosed", audit)
    assert "The audit log is intact: 1 entry" in audit
    gate.close()


def test_preview_of_an_overlong_query_is_an_error_on_the_page(client: TestClient) -> None:
    res = post(
        client,
        "/sharing/grants",
        {"name": "r", "purpose": "p", "level": "raw", "platform": ["*"], "confirm": "yes"},
    )
    assert res.status_code == 200
    for op, param in (("search", "query"), ("ask", "question")):
        page = client.get(f"/sharing/grants/r/preview?op={op}&{param}=" + "x" * 5000)
        assert page.status_code == 400, page.text[:300]
        assert "at most" in page.text


def test_a_password_on_loopback_does_not_turn_off_the_host_check(store: Store) -> None:
    """$SELFDEX_WEB_PASSWORD set while serving on 127.0.0.1: a DNS-rebinding page (Host: its own
    name) is still refused outright, not merely asked for the password."""
    app = create_web_app(store.path, settings=WebSettings(password="pw", model="none"))
    right = base64.b64encode(b"me:pw").decode()
    auth = {"Authorization": f"Basic {right}"}
    assert TestClient(app, base_url=BASE).get("/", headers=auth).status_code == 200
    rebound = TestClient(app, base_url="http://attacker.example:8765")
    assert rebound.get("/").status_code in (401, 403)
    assert rebound.get("/", headers=auth).status_code == 403
    app.state.close()


def test_recommend_works_whichever_thread_embedded_first(client: TestClient, store: Store) -> None:
    """The server's request threads take turns: the thread that first embedded history titles (and
    opened the process-wide embedding cache) is rarely the one serving the next /recommend."""
    import threading

    from selfdex.agent import recommend

    done, leave = threading.Event(), threading.Event()

    def earlier_request() -> None:
        recommend(store, ["Arrival"], platform="netflix")
        done.set()
        leave.wait(120)  # still alive, so the next request cannot run on a reused thread id

    first = threading.Thread(target=earlier_request)
    first.start()
    try:
        assert done.wait(120)
        res = client.post(
            "/recommend?csrf_token=test-secret",
            data={"candidates": "A Title Nobody Embedded Yet\nArrival", "platform": "netflix"},
        )
        assert res.status_code == 200
    finally:
        leave.set()
        first.join(10)


def test_a_full_disk_during_upload_is_a_clear_error_and_leaves_nothing(
    client: TestClient, store: Store, sample_exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    def full_disk(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "selfdex-upload-" in str(self) and "w" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(self, mode, *args, **kwargs)

    before_dirs = set(Path(tempfile.gettempdir()).glob("selfdex-upload-*"))
    before = store.count()
    monkeypatch.setattr(Path, "open", full_disk)
    archive = sample_exports / "netflix-report.zip"
    res = client.post(
        "/import?csrf_token=test-secret",
        files=[("archives", (archive.name, archive.read_bytes(), "application/zip"))],
    )
    monkeypatch.undo()
    assert res.status_code == 507
    assert "No space left on device" in res.text and "Nothing was imported" in res.text
    assert "selfdex import PATH" in res.text
    assert set(Path(tempfile.gettempdir()).glob("selfdex-upload-*")) == before_dirs
    assert store.count() == before


def test_an_unpacked_export_folder_imports_like_its_archive(
    sample_exports: Path, tmp_path: Path, settings: WebSettings
) -> None:
    path = tmp_path / "fresh.sqlite"
    Store(path).close()
    app = create_web_app(path, settings=settings)
    client = login(TestClient(app, base_url=BASE, follow_redirects=False), app)
    archive = sample_exports / "netflix-report.zip"
    with zipfile.ZipFile(archive) as z:
        # What a browser sends for <input webkitdirectory>: each file named by its path in the folder.
        folder = [
            ("folder", (f"netflix-report/{m.filename}", z.read(m), "application/octet-stream"))
            for m in z.infolist()
            if not m.is_dir()
        ]
    escape = Path(tempfile.gettempdir()) / "selfdex-escape-test.txt"
    folder.append(("folder", ("netflix-report/../../../selfdex-escape-test.txt", b"x", "text/plain")))
    res = client.post("/import?csrf_token=test-secret", files=folder)
    assert res.status_code == 303
    status = _wait_done(client, res.headers["location"])
    assert "netflix-report/" in client.get(res.headers["location"]).text
    assert not escape.exists()
    with Store(path) as s:
        imported = s.count()
    assert imported > 0 and "new records" in status
    # The archive the folder came from adds nothing: the same records, found the same way.
    res = client.post(
        "/import?csrf_token=test-secret",
        files=[("archives", (archive.name, archive.read_bytes(), "application/zip"))],
    )
    assert "<strong>0</strong> new records" in _wait_done(client, res.headers["location"])
    page = client.get("/import").text
    assert 'name="folder"' in page and "webkitdirectory" in page


OWNER_PAGES = (
    "/",
    "/import",
    "/timeline",
    "/profile",
    "/ask?q=dune",
    "/recommend",
    "/sharing",
    "/audit",
    "/import/jobs/1",
    "/sharing/grants/films/preview",
)


def test_without_the_login_every_owner_page_is_401_and_shows_nothing(
    store: Store, settings: WebSettings
) -> None:
    app = create_web_app(store.path, settings=settings)
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    record_id = store.conn.execute("SELECT id FROM records LIMIT 1").fetchone()[0]
    titles = [r[0] for r in store.conn.execute("SELECT title FROM records WHERE title IS NOT NULL LIMIT 50")]
    recipient = cli_grant(store)
    for path in (*OWNER_PAGES, f"/records/{record_id}"):
        for headers in ({}, {"Authorization": f"Bearer {recipient}"}, {"Cookie": "selfdex-owner=forged.1.x"}):
            res = client.get(path, headers=headers)
            assert res.status_code == 401, (path, headers)
            assert "selfdex serve --open" in res.text and "?token=" in res.text
            assert "csrf_token" not in res.text and "test-secret" not in res.text
            assert not [t for t in titles if t in res.text], path
    # forms: refused before the CSRF check, before the body is read, and nothing happens
    for path, data in (
        ("/profile/note", {"text": "pwned"}),
        ("/sharing/grants", {"name": "x", "platform": "*"}),
    ):
        assert post(client, path, data).status_code == 401
    files = {"archives": ("x.zip", b"PK", "application/zip")}
    assert client.post("/import?csrf_token=test-secret", files=files).status_code == 401
    assert [g[0] for g in store.conn.execute("SELECT name FROM gate_grants")] == ["films"]
    assert client.get("/static/selfdex.css").status_code == 200  # public files only
    app.state.close()


def cli_grant(store: Store) -> str:
    from .gate_support import grant

    return grant(store, "films", level="answers", platforms=("netflix",))


def test_login_link_sets_a_strict_httponly_cookie_and_a_one_time_token_works_once(
    store: Store, settings: WebSettings
) -> None:
    settings.port = 8765
    app = create_web_app(store.path, settings=settings)
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    res = client.get("/timeline?platform=netflix&token=" + app.state.auth.login_token)
    assert res.status_code == 303 and res.headers["location"] == "/timeline?platform=netflix"
    cookie = res.headers["set-cookie"]
    assert cookie.startswith("selfdex-owner-8765=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/timeline").status_code == 200
    fresh = TestClient(app, base_url=BASE, follow_redirects=False)
    once = app.state.auth.one_time_token()
    assert fresh.get(f"/?token={once}").status_code == 303
    assert TestClient(app, base_url=BASE).get(f"/?token={once}").status_code == 401  # used up
    assert fresh.get("/").status_code == 200
    app.state.close()


def test_a_wide_grant_asks_for_a_confirmation_that_names_what_it_exposes(
    client: TestClient, store: Store
) -> None:
    form = {
        "name": "everything",
        "purpose": "p",
        "level": "raw",
        "platform": ["*"],
        "field": ["title", "text"],
    }
    res = post(client, "/sharing/grants", form)
    assert res.status_code == 200 and 'id="new-token"' not in res.text
    what = re.search(r'id="confirm-what"[^>]*>([^<]+)<', res.text)
    assert what, res.text[:2000]
    total = store.count()
    assert (
        "raw records" in what.group(1)
        and "title, text" in what.group(1)
        and "every platform" in what.group(1)
    )
    assert f"{total:,} records" in what.group(1)
    assert not store.conn.execute("SELECT 1 FROM gate_grants").fetchone()
    done = post(client, "/sharing/grants", {**form, "confirm": "yes"})
    assert 'id="new-token"' in done.text
    narrow = post(
        client, "/sharing/grants", {"name": "n", "purpose": "p", "level": "facts", "platform": ["netflix"]}
    )
    assert 'id="new-token"' in narrow.text  # a narrow grant is made at once
    far = post(
        client,
        "/sharing/grants",
        {"name": "far", "purpose": "p", "platform": ["netflix"], "expires": "99999d"},
    )
    assert far.status_code == 400 and "more than a year away" in far.text


def test_a_new_login_link_logs_every_browser_out_and_keeps_the_audit_key(
    store: Store, settings: WebSettings
) -> None:
    from selfdex.store.private import owner_secret

    app = create_web_app(store.path, settings=settings)
    client = login(TestClient(app, base_url=BASE, follow_redirects=False), app)
    old_link, audit_key = app.state.auth.login_token, owner_secret(store.path).key("audit")
    app.state.close()
    owner_secret(store.path).new_login()  # what `selfdex serve --new-login` does first
    assert owner_secret(store.path).key("audit") == audit_key
    again = create_web_app(store.path, settings=settings)
    # the same browser, its old cookie, against the restarted server
    client = TestClient(again, base_url=BASE, follow_redirects=False, cookies=dict(client.cookies))
    assert client.cookies
    assert client.get("/").status_code == 401
    assert client.get(f"/?token={old_link}").status_code == 401
    assert again.state.auth.login_token != old_link
    assert client.get(f"/?token={again.state.auth.login_token}").status_code == 303
    again.state.close()
