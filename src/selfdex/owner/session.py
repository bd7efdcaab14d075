"""The owner's own login to the web console: a secret kept beside the store, readable only by the
person's account, from which login links and session cookies are derived."""

from __future__ import annotations

from ..store.private import OwnerSecret, owner_secret

__all__ = ["OwnerSecret", "owner_secret"]
