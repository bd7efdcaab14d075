"""The local web app: import, timeline, profile, ask & recommend, sharing and the audit log.

Server-rendered Jinja2 pages (autoescaped: imported text is untrusted) with htmx for the one live
part, the import progress. Every handler calls the same library functions as the CLI; the
disclosure gate is only ever used through ``Gate.preview`` and the grant functions.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import urlencode

import jinja2
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from .. import __version__
from ..gate import (
    Gate,
)
from ..store import Filters, Store, queries
from ..store.private import owner_secret
from ..timeparse import shown_when
from .auth import OwnerAuth
from .chart import monthly_counts, svg_chart
from .deps import StoreDep
from .jobs import ImportRuns
from .security import CSRF_FIELD, CSRF_HEADER, WebSettings, _login_page, guard, require_owner
from .sharing import add_sharing_routes

__all__ = ["create_web_app"]

HERE = Path(__file__).parent
KIND_TITLES = {
    "pinned": "Your statements",
    "note": "Your notes",
    "theme": "Cross-platform themes",
    "taste": "Tastes",
    "routine": "Routines",
    "dislike": "Dislikes and abandonments",
}
_PROVENANCE = (
    "source_archive",
    "source_member",
    "source_index",
    "source_line",
    "source_offset",
    "importer",
    "job_id",
)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: imported text is untrusted
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["n"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    env.filters["day"] = lambda v: str(v)[:10] if v else ""
    env.filters["when"] = lambda v: str(v)[:19].replace("T", " ") if v else ""
    # a record's time at the precision its source gave: a day is a date, not "00:00:00"
    env.filters["occurred"] = lambda r: shown_when(
        r.get("occurred_at"), r.get("time_precision"), seconds=True
    )
    return env


def _save(upload: UploadFile, target: Path) -> None:
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)


def _safe_parts(path: str) -> list[str]:
    """A browser-sent relative path as safe components: no empty, '.', '..' or absolute parts."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return [re.sub(r"[^\w.\- ]+", "_", p).strip(" ") or "_" for p in parts] or ["upload"]


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", Path(name.replace("\\", "/")).name).strip(" .") or "upload"
    out, i = base, 1
    while out in taken:
        i += 1
        out = f"{i}-{base}"
    taken.add(out)
    return out


def _open_model(name: str | None) -> Any:
    """The web app uses a model only when one is configured for it (settings or $SELFDEX_MODEL)."""
    if not name or name == "none":
        return None
    from ..agent.backends import open_backend
    from ..agent.config import resolve_model

    spec = resolve_model(name)
    return open_backend(spec) if spec is not None else None


def create_web_app(
    store_path: str | Path, *, gate: Gate | None = None, settings: WebSettings | None = None
) -> FastAPI:
    """The web app over the store at ``store_path``. Pass the server's ``gate`` to share it with the
    HTTP API (previews then use the very views the API answers from)."""
    import os

    settings = settings or WebSettings()
    if settings.model is None:
        settings.model = os.environ.get("SELFDEX_MODEL") or None
    store_path = Path(store_path)
    auth = OwnerAuth(
        owner_secret(store_path), password=settings.password, port=settings.port, secure=settings.secure
    )
    # The owner's surface: every route depends on the owner's login (the guard checks it before any
    # body is read; the dependency is the second lock). Recipients never come in through here.
    app = FastAPI(
        title="selfdex web",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(require_owner)],
    )
    app.middleware("http")(guard(settings, auth))
    app.state.auth = auth
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(env=_environment())
    runs = ImportRuns(store_path)
    gate_lock = threading.Lock()
    state: dict[str, Any] = {"gate": gate, "own_store": None}
    app.state.runs = runs
    app.state.store_path = store_path
    app.state.settings = settings

    def the_gate() -> Gate:
        with gate_lock:
            if state["gate"] is None:
                state["own_store"] = Store(store_path)
                state["gate"] = Gate(state["own_store"])
            return cast(Gate, state["gate"])

    def close() -> None:
        """Close what this app opened itself (its own gate, when none was passed in)."""
        with gate_lock:
            if state["own_store"] is not None:
                state["gate"].close()
                state["own_store"].close()
                state["gate"] = state["own_store"] = None

    app.state.close = close

    def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        base = request.scope.get("root_path", "").rstrip("/")
        ctx.setdefault("msg", request.query_params.get("msg"))
        return templates.TemplateResponse(
            request,
            template,
            {
                "base": base,
                "csrf": settings.csrf_secret,
                "csrf_field": CSRF_FIELD,
                "csrf_headers": json.dumps({CSRF_HEADER: settings.csrf_secret}),
                "csrf_query": urlencode({CSRF_FIELD: settings.csrf_secret}),
                "version": __version__,
                **ctx,
            },
            status_code=status_code,
        )

    def back(request: Request, path: str, msg: str | None = None) -> RedirectResponse:
        base = request.scope.get("root_path", "").rstrip("/")
        url = base + path + (("&" if "?" in path else "?") + urlencode({"msg": msg}) if msg else "")
        return RedirectResponse(url, status_code=303)

    # -- overview -------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, name="home")
    def home(request: Request, store: StoreDep) -> HTMLResponse:
        return render(request, "home.html", page="home", sources=queries.sources(store), total=store.count())

    # -- import ---------------------------------------------------------------------------------
    @app.get("/import", response_class=HTMLResponse)
    def import_page(request: Request, store: StoreDep) -> HTMLResponse:
        return render(request, "import.html", page="import", runs=runs.recent(), jobs=queries.jobs(store))

    @app.post("/import", response_model=None)
    def import_upload(
        request: Request,
        archives: Annotated[list[UploadFile] | None, File()] = None,
        folder: Annotated[list[UploadFile] | None, File()] = None,
    ) -> RedirectResponse | HTMLResponse:
        files = [f for f in archives or [] if f.filename]
        folder_files = [f for f in folder or [] if f.filename]
        if not files and not folder_files:
            return render(
                request, "import.html", status_code=400, page="import", runs=runs.recent(), jobs=[],
                error="Choose at least one export archive (a .zip, .tar or .tgz) or an unpacked export folder.",
            )  # fmt: skip
        upload_dir = Path(tempfile.mkdtemp(prefix="selfdex-upload-"))
        names: list[str] = []
        paths: list[Path] = []
        taken: set[str] = set()
        try:
            for f in files:
                name = _safe_name(f.filename or "upload", taken)
                target = upload_dir / name
                _save(f, target)
                names.append(name)
                paths.append(target)
            if folder_files:
                # The browser names each file by its path inside the chosen folder ("Takeout/YouTube/…"):
                # the folder is rebuilt under one safe top directory and imported as a whole, as
                # `selfdex import FOLDER` would.
                parts = [_safe_parts(f.filename or "") for f in folder_files]
                if len({p[0] for p in parts}) == 1 and all(len(p) > 1 for p in parts):
                    top_name, inner = parts[0][0], [p[1:] for p in parts]
                else:
                    top_name, inner = "folder", parts
                top = _safe_name(top_name, taken)
                root = upload_dir / top
                for f, rel in zip(folder_files, inner, strict=True):
                    target = root.joinpath(*rel)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    _save(f, target)
                names.append(top + "/")
                paths.append(root)
        except OSError as exc:
            # A disk too full for a multi-GB export: nothing was imported, say so and how to go on.
            shutil.rmtree(upload_dir, ignore_errors=True)
            free = shutil.disk_usage(upload_dir.parent).free
            return render(
                request, "import.html", status_code=507, page="import", runs=runs.recent(), jobs=[],
                error=f"Could not keep the upload ({exc.strerror or exc}; {free / 2**30:.1f} GB free in "
                f"{upload_dir.parent}). Nothing was imported. Free some space, or import the archive in place "
                "from a terminal: selfdex import PATH",
            )  # fmt: skip
        run = runs.start(upload_dir, names, paths)
        return back(request, f"/import/runs/{run.id}")

    @app.get("/import/runs/{run_id}", response_class=HTMLResponse)
    def import_run(request: Request, run_id: int) -> HTMLResponse:
        run = runs.get(run_id)
        if run is None:
            raise HTTPException(404, "no such import")
        return render(request, "import_run.html", page="import", run=run)

    @app.get("/import/runs/{run_id}/status", response_class=HTMLResponse)
    def import_run_status(request: Request, run_id: int) -> HTMLResponse:
        run = runs.get(run_id)
        if run is None:
            raise HTTPException(404, "no such import")
        return render(request, "_run_status.html", run=run)

    @app.get("/import/jobs/{job_id}", response_class=HTMLResponse)
    def import_job(request: Request, job_id: int, store: StoreDep) -> HTMLResponse:
        job = next((j for j in queries.jobs(store, limit=100_000) if j["id"] == job_id), None)
        if job is None:
            raise HTTPException(404, "no such import job")
        return render(
            request,
            "import_job.html",
            page="import",
            job=job,
            files=queries.job_files(store, job_id),
            errors=queries.import_errors(store, job_id, limit=500),
        )

    # -- timeline -------------------------------------------------------------------------------
    @app.get("/timeline", response_class=HTMLResponse)
    def timeline(
        request: Request,
        store: StoreDep,
        platform: str = "",
        kind: str = "",
        since: str = "",
        until: str = "",
        limit: Annotated[int, Query(ge=1, le=5000)] = 100,
    ) -> HTMLResponse:
        sources = queries.sources(store)
        kinds = sorted({k for s in sources for k in s["kinds"] if k})
        date = re.compile(r"^\d{4}-\d{2}-\d{2}$")
        errors = [
            f"{label}: use a date such as 2024-01-31"
            for label, v in (("From", since), ("Until", until))
            if v and not date.match(v)
        ]
        filters = Filters(
            platforms=(platform,) if platform else (),
            kinds=(kind,) if kind else (),
            since=since if since and date.match(since) else None,
            until=until if until and date.match(until) else None,
        )
        counts = monthly_counts(store, filters)
        rows = queries.timeline(store, filters, limit=limit)
        return render(
            request,
            "timeline.html",
            page="timeline",
            sources=sources,
            kinds=kinds,
            f={"platform": platform, "kind": kind, "since": since, "until": until},
            errors=errors,
            counts=counts,
            chart=Markup(svg_chart(counts)),  # built from escaped strings in chart.py
            rows=rows,
            limit=limit,
            more=urlencode(
                {"platform": platform, "kind": kind, "since": since, "until": until, "limit": limit * 2}
            ),
        )

    @app.get("/records/{record_id}", response_class=HTMLResponse)
    def record(request: Request, record_id: str, store: StoreDep) -> HTMLResponse:
        row = store.get(record_id)
        if row is None:
            raise HTTPException(404, "no such record")
        raw = row.pop("raw", None)
        try:
            raw_text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False) if raw else ""
        except (TypeError, ValueError):
            raw_text = str(raw)
        hidden = store.conn.execute(
            "SELECT reason FROM hidden_records WHERE record_id = ?", (record_id,)
        ).fetchall()
        provenance = {k: row.pop(k, None) for k in _PROVENANCE}
        fields = {k: v for k, v in row.items() if v not in (None, "", [], {})}
        return render(
            request,
            "record.html",
            page="timeline",
            record=fields,
            provenance=provenance,
            raw=raw_text,
            hidden=[h[0] for h in hidden],
        )

    # -- profile --------------------------------------------------------------------------------
    def _titles(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = store.conn.execute(
            f"SELECT id, title, platform, occurred_at FROM records WHERE id IN ({marks})", ids
        ).fetchall()
        return {r["id"]: dict(r) for r in rows}

    @app.get("/profile", response_class=HTMLResponse)
    def profile(request: Request, store: StoreDep, all: bool = False) -> HTMLResponse:
        from ..profile import build_profile, list_corrections

        prof = build_profile(store)
        limit = None if all else 12
        sections = []
        for kind, title in KIND_TITLES.items():
            facts = [f for f in prof.facts if f.kind == kind]
            if facts:
                sections.append((kind, title, facts[:limit], len(facts)))
        cited = [c for _, _, facts, _ in sections for f in facts for c in f.citations[:3]]
        return render(
            request,
            "profile.html",
            page="profile",
            sections=sections,
            records=prof.records,
            titles=_titles(store, cited),
            corrections=list_corrections(store),
            show_all=all,
        )

    @app.get("/profile/forget", response_class=HTMLResponse)
    def profile_forget_confirm(request: Request, store: StoreDep, key: str) -> HTMLResponse:
        """Before forgetting: exactly the records it would hide (the same as `profile forget --dry-run`)."""
        from ..profile.corrections import group_preview, preview_forget

        preview = preview_forget(store, key)
        return render(
            request,
            "forget_confirm.html",
            page="profile",
            preview=preview,
            groups=group_preview(preview.records),
        )

    @app.post("/profile/forget")
    def profile_forget(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
        from ..profile import forget

        result = forget(store, key)
        if key in result.unresolved:
            return back(
                request, "/profile", f"Nothing matches {key} yet; the rule applies to future imports."
            )
        return back(request, "/profile", f"Forgot {key}: {result.hidden} records hidden.")

    @app.post("/profile/unforget")
    def profile_unforget(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
        from ..profile import unforget

        found = unforget(store, key)
        return back(request, "/profile", f"Unforgot {key}." if found else f"No forget rule for {key}.")

    @app.post("/profile/pin")
    def profile_pin(request: Request, store: StoreDep, text: Annotated[str, Form()]) -> RedirectResponse:
        from ..profile import pin

        if not text.strip():
            return back(request, "/profile", "Write the statement to pin first.")
        return back(request, "/profile", f"Pinned ({pin(store, text)}).")

    @app.post("/profile/note")
    def profile_note(request: Request, store: StoreDep, text: Annotated[str, Form()]) -> RedirectResponse:
        from ..profile import note

        if not text.strip():
            return back(request, "/profile", "Write the note first.")
        return back(request, "/profile", f"Noted ({note(store, text)}).")

    @app.post("/profile/unpin")
    def profile_unpin(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
        from ..profile.corrections import remove_statement

        found = remove_statement(store, key)
        return back(request, "/profile", f"Removed {key}." if found else f"No pin or note {key}.")

    # -- ask & recommend ------------------------------------------------------------------------
    @app.get("/ask", response_class=HTMLResponse)
    def ask_page(request: Request, store: StoreDep, q: str = "") -> HTMLResponse:
        answer = None
        error = None
        if q.strip():
            from ..agent import ask

            try:
                answer = ask(store, q.strip(), backend=_open_model(settings.model))
            except Exception as exc:  # a misconfigured model is the person's to fix; say what
                error = f"{type(exc).__name__}: {exc}"
        return render(request, "ask.html", page="ask", q=q, answer=answer, error=error)

    @app.get("/recommend", response_class=HTMLResponse)
    def recommend_page(request: Request) -> HTMLResponse:
        return render(request, "recommend.html", page="recommend", result=None, form={}, error=None)

    @app.post("/recommend", response_class=HTMLResponse)
    def recommend_post(
        request: Request,
        store: StoreDep,
        candidates: Annotated[str, Form()] = "",
        platform: Annotated[str, Form()] = "",
        trust: Annotated[float, Form(ge=0.0, le=1.0)] = 0.5,
        upload: Annotated[UploadFile | None, File()] = None,
    ) -> HTMLResponse:
        from ..agent.recommend import CandidateError, load_candidates, recommend

        text = candidates
        suffix = ".txt"
        if upload is not None and upload.filename:
            text = upload.file.read(10 << 20).decode("utf-8-sig", "replace")
            suffix = Path(upload.filename).suffix.lower() or ".txt"
        form = {"candidates": candidates, "platform": platform, "trust": trust}
        error = None
        result = None
        try:
            stripped = text.strip()
            if not stripped:
                raise CandidateError("paste a candidate list or choose a file")
            first = stripped.splitlines()[0].lower()
            if suffix in (".json", ".csv") or stripped[:1] in "[{" or "title" in first.split(","):
                with tempfile.TemporaryDirectory(prefix="selfdex-candidates-") as tmp:
                    path = Path(tmp) / ("candidates" + (suffix if suffix in (".json", ".csv") else ".csv"))
                    path.write_text(stripped, encoding="utf-8")
                    cands: list[Any] = list(load_candidates(path, platform=platform.strip()))
            else:  # one title per line
                cands = [line.strip() for line in stripped.splitlines() if line.strip()]
            result = recommend(store, cands, platform=platform.strip() or None, trust=trust)
        except (CandidateError, RuntimeError, ImportError) as exc:
            error = str(exc)
        return render(
            request,
            "recommend.html",
            status_code=200 if error is None else 400,
            page="recommend",
            result=result,
            form=form,
            error=error,
        )

    add_sharing_routes(app, render=render, back=back, the_gate=the_gate)

    if settings.api_spec is not None:
        spec = settings.api_spec

        @app.get("/openapi.json", include_in_schema=False)
        def openapi() -> JSONResponse:
            """The recipients' API description, served to the logged-in owner (off loopback)."""
            return JSONResponse(spec())

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401:
            return _login_page(auth)
        return render(request, "error.html", status_code=exc.status_code, page="", detail=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Never the input back (it can be megabytes, or the person's own text): where and what.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        detail = f"{where}: {str(first.get('msg', 'invalid'))[:200]}"
        return render(request, "error.html", status_code=422, page="", detail=f"Invalid request ({detail}).")

    return app
