"""The audit log: every read by every recipient, and whether its hash chain verifies."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...gate import AuditLog, list_grants
from ..deps import OWNER, StoreDep
from ..render import render

router = APIRouter(dependencies=OWNER)


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, store: StoreDep, recipient: str = "") -> HTMLResponse:
    log = AuditLog(store)
    entries = [e.to_dict() for e in log.entries(recipient=recipient or None, limit=200)]
    recipients = [g.name for g in list_grants(store, include_revoked=True)]
    return render(
        request,
        "audit.html",
        page="audit",
        entries=list(reversed(entries)),
        verification=log.verify(),
        recipient=recipient,
        recipients=recipients,
    )
