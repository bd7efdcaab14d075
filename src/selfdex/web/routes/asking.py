"""Ask a question about yourself; re-rank a platform's candidate list with your records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from ...owner import asking
from ..deps import OWNER, SettingsDep, StoreDep
from ..render import render

router = APIRouter(dependencies=OWNER)


@router.get("/ask", response_class=HTMLResponse)
def ask_page(request: Request, store: StoreDep, settings: SettingsDep, q: str = "") -> HTMLResponse:
    answer = None
    error = None
    if q.strip():
        try:
            # The console uses a model only when one is configured for it (settings or $SELFDEX_MODEL).
            configured = settings.model not in (None, "", "none")
            backend = asking.open_model(settings.model) if configured else None
            answer = asking.ask(store, q.strip(), backend=backend)
        except Exception as exc:  # a misconfigured model is the person's to fix; say what
            error = f"{type(exc).__name__}: {exc}"
    return render(request, "ask.html", page="ask", q=q, answer=answer, error=error)


@router.get("/recommend", response_class=HTMLResponse)
def recommend_page(request: Request) -> HTMLResponse:
    return render(request, "recommend.html", page="recommend", result=None, form={}, error=None)


@router.post("/recommend", response_class=HTMLResponse)
def recommend_post(
    request: Request,
    store: StoreDep,
    candidates: Annotated[str, Form()] = "",
    platform: Annotated[str, Form()] = "",
    trust: Annotated[float, Form(ge=0.0, le=1.0)] = 0.5,
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    text = candidates
    suffix = ".txt"
    if upload is not None and upload.filename:
        text = upload.file.read(10 << 20).decode("utf-8-sig", "replace")
        suffix = Path(upload.filename).suffix.lower() or ".txt"
    form = {"candidates": candidates, "platform": platform, "trust": trust}
    error = None
    result = None
    try:
        cands = asking.parse_candidates(text, suffix=suffix, platform=platform.strip())
        result = asking.recommend(store, cands, platform=platform.strip() or None, trust=trust)
    except (asking.CandidateError, RuntimeError, ImportError) as exc:
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
