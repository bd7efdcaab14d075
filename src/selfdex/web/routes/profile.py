"""The profile page and the person's corrections: forget (confirmed first), unforget, pin, note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...owner import profile as owner_profile
from ..deps import OWNER, StoreDep
from ..render import back, render

router = APIRouter(prefix="/profile", dependencies=OWNER)


@router.get("", response_class=HTMLResponse)
def profile(request: Request, store: StoreDep, all: bool = False) -> HTMLResponse:
    view = owner_profile.profile_view(store, owner_profile.SECTION_TITLES, limit=None if all else 12)
    return render(
        request,
        "profile.html",
        page="profile",
        sections=view.sections,
        records=view.records,
        titles=view.titles,
        corrections=view.corrections,
        show_all=all,
    )


@router.get("/forget", response_class=HTMLResponse)
def forget_confirm(request: Request, store: StoreDep, key: str) -> HTMLResponse:
    """Before forgetting: exactly the records it would hide (the same as `profile forget --dry-run`)."""
    preview = owner_profile.preview_forget(store, key)
    groups = owner_profile.group_preview(preview.records)
    return render(request, "forget_confirm.html", page="profile", preview=preview, groups=groups)


@router.post("/forget")
def forget(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
    result = owner_profile.forget(store, key)
    if key in result.unresolved:
        return back(request, "/profile", f"Nothing matches {key} yet; the rule applies to future imports.")
    return back(request, "/profile", f"Forgot {key}: {result.hidden} records hidden.")


@router.post("/unforget")
def unforget(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
    found = owner_profile.unforget(store, key)
    return back(request, "/profile", f"Unforgot {key}." if found else f"No forget rule for {key}.")


@router.post("/pin")
def pin(request: Request, store: StoreDep, text: Annotated[str, Form()]) -> RedirectResponse:
    if not text.strip():
        return back(request, "/profile", "Write the statement to pin first.")
    return back(request, "/profile", f"Pinned ({owner_profile.pin(store, text)}).")


@router.post("/note")
def note(request: Request, store: StoreDep, text: Annotated[str, Form()]) -> RedirectResponse:
    if not text.strip():
        return back(request, "/profile", "Write the note first.")
    return back(request, "/profile", f"Noted ({owner_profile.note(store, text)}).")


@router.post("/unpin")
def unpin(request: Request, store: StoreDep, key: Annotated[str, Form()]) -> RedirectResponse:
    found = owner_profile.remove_statement(store, key)
    return back(request, "/profile", f"Removed {key}." if found else f"No pin or note {key}.")
