"""Understanding the person: entity linking across platforms, the profile, and the person's corrections.

``build_profile(store)`` gives the facts (each citing record ids); ``refresh(store)`` is the hook to run
after an import (recompute entities when records changed, re-apply forget rules).
"""

from __future__ import annotations

from .corrections import apply_corrections, forget, list_corrections, note, pin, refresh, unforget
from .entities import link_records
from .facts import DOMAINS, Fact, Profile, build_profile
from .linking import update_entities

__all__ = [
    "DOMAINS",
    "Fact",
    "Profile",
    "apply_corrections",
    "build_profile",
    "forget",
    "link_records",
    "list_corrections",
    "note",
    "pin",
    "refresh",
    "unforget",
    "update_entities",
]
