"""The overview: what is in the store, per platform."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...owner import records
from ..deps import OWNER, StoreDep
from ..render import render

router = APIRouter(dependencies=OWNER)


@router.get("/", response_class=HTMLResponse, name="home")
def home(request: Request, store: StoreDep) -> HTMLResponse:
    return render(request, "home.html", page="home", sources=records.sources(store), total=store.count())
