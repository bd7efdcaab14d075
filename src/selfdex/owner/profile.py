"""The profile and the person's corrections to it (forget, pin, note and their undoing)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..profile import DOMAINS, Fact, build_profile, forget, list_corrections, note, pin, unforget
from ..profile.corrections import Correction, group_preview, preview_forget, remove_statement
from ..profile.facts import KINDS
from ..store import Store
from .records import titles_of

__all__ = [
    "DOMAINS",
    "KINDS",
    "SECTION_TITLES",
    "ProfileView",
    "build_profile",
    "forget",
    "group_preview",
    "list_corrections",
    "note",
    "pin",
    "preview_forget",
    "profile_view",
    "remove_statement",
    "unforget",
]

# The profile's sections as the person reads them, in the CLI and on the web page.
SECTION_TITLES: dict[str, str] = {
    "pinned": "Your statements",
    "note": "Your notes",
    "theme": "Cross-platform themes",
    "taste": "Tastes",
    "routine": "Routines",
    "dislike": "Dislikes and abandonments",
}


@dataclass(slots=True)
class ProfileView:
    sections: list[tuple[str, str, list[Fact], int]]  # (kind, title, facts shown, facts in all)
    records: int  # how many records the profile was computed from
    titles: dict[str, dict[str, Any]]  # the cited records' titles, by id
    corrections: list[Correction]


def profile_view(store: Store, titles: Mapping[str, str], *, limit: int | None) -> ProfileView:
    """The profile by fact kind (``titles``: kind -> heading, in the order shown), at most ``limit``
    facts per kind, with the titles of the first three records each shown fact cites."""
    prof = build_profile(store)
    sections = []
    for kind, title in titles.items():
        facts = [f for f in prof.facts if f.kind == kind]
        if facts:
            sections.append((kind, title, facts[:limit], len(facts)))
    cited: Iterable[str] = (c for _, _, facts, _ in sections for f in facts for c in f.citations[:3])
    return ProfileView(sections, prof.records, titles_of(store, list(cited)), list_corrections(store))
