"""The grants' views, cached: rebuilt when the store or the grant changes, never served stale when
that could disclose more than the grant allows now.

A view is a redacted in-memory copy of a grant's slice (``view.build_view``), seconds to build on a large
store. An import commits a batch every few seconds, and rebuilding on each would stall every recipient
for the whole import. So when the only change since a view was built is *new* records (nothing forgotten,
the grant unchanged), the cached view is still a subset of what the grant allows: it is served while a
fresh one is built in the background on a connection of its own (a WAL reader: no lock held). Anything
else — a forget or unforget, a new scope, a revocation — rebuilds before answering.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import orjson

from ..store import Store
from ..store.visible import Fingerprint, change_fingerprint, select_records
from .grants import Grant
from .redact import people_from_store_rows
from .view import COMMUNICATION_KINDS, View, build_view

log = logging.getLogger(__name__)


def only_new_records(old: Fingerprint, new: Fingerprint) -> bool:
    """True when ``new`` differs from ``old`` by added records alone (an import's batches)."""
    return old[1] == new[1] and new[0][0] >= old[0][0] and new[0][1] >= old[0][1]


def people_of(store: Store) -> frozenset[str]:
    # The people the person corresponds with; a note's "creators" are whatever its front matter names
    # (the author of the book it is about), not correspondents. Contacts (LinkedIn connections, kind
    # "person") are people the person knows.
    kinds = sorted((COMMUNICATION_KINDS - {"note"}) | {"person"})
    # Forgotten records included: a correspondent forgotten in one message is still redacted in others.
    rows = select_records(
        store,
        "r.creators",
        f"r.creators IS NOT NULL AND r.kind IN ({', '.join('?' for _ in kinds)})",
        kinds,
        include_hidden=True,
    ).fetchall()
    return frozenset(people_from_store_rows(orjson.loads(r[0]) for r in rows))


Key = tuple[Fingerprint, Any, Any]  # (fingerprint, grant scope, revoked_at)


class ViewCache:
    def __init__(
        self,
        store: Store,
        db: threading.RLock,
        live_ids: Callable[[], set[int]],
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.store = store
        self._progress = progress  # hears a view built in the foreground (a background one is silent)
        self._db = db  # guards the shared store connection
        self._live_ids = live_ids
        self._build = threading.Lock()
        self._views: dict[int, tuple[Key, View]] = {}
        self._people: tuple[Fingerprint, frozenset[str]] | None = None
        self._refreshing: set[int] = set()

    def __contains__(self, grant_id: object) -> bool:
        return grant_id in self._views

    def close(self) -> None:
        with self._build:
            for _, view in self._views.values():
                view.close()
            self._views.clear()

    def view(self, grant: Grant) -> View:
        with self._db:
            fp = change_fingerprint(self.store)
        key: Key = (fp, grant.scope, grant.revoked_at)
        with self._build:
            cached = self._views.get(grant.id)
            if cached is not None and cached[0] == key:
                return cached[1]
            if cached is not None and cached[0][1:] == key[1:] and only_new_records(cached[0][0], fp):
                self._refresh_in_background(grant, key)
                return cached[1]
            with self._db:
                if self._progress is not None:
                    self._progress(f"grant {grant.name}: reading its slice of your records", 0, None)
                people = self._people_gazetteer(fp)
                view = build_view(self.store, grant, people, self._progress)
                live = self._live_ids()
            # Views of revoked or expired grants are let go (each is a copy of its slice of the store).
            for gone in [gid for gid in self._views if gid not in live and gid != grant.id]:
                del self._views[gone]
            # The old view is not closed here: a concurrent request may still be answering from it.
            # Its in-memory database goes when the last request holding it lets go.
            self._views[grant.id] = (key, view)
            return view

    def _people_gazetteer(self, fp: Fingerprint) -> frozenset[str]:
        if self._people is not None and self._people[0] == fp:
            return self._people[1]
        people = people_of(self.store)
        self._people = (fp, people)
        return people

    def _refresh_in_background(self, grant: Grant, key: Key) -> None:
        """Called holding ``_build``: one rebuild per grant at a time."""
        if grant.id in self._refreshing or str(self.store.path) == ":memory:":
            return
        self._refreshing.add(grant.id)
        threading.Thread(target=self._refresh, args=(grant, key), daemon=True, name="gate-view").start()

    def _refresh(self, grant: Grant, key: Key) -> None:
        try:
            with Store(self.store.path, create=False) as own:  # its own connection: reads, never waits
                fp = change_fingerprint(own)
                view = build_view(own, grant, people_of(own))
            with self._build:
                current = self._views.get(grant.id)
                # Install it only if the grant and the hidden records are still what it was built for;
                # otherwise the next request rebuilds in the foreground.
                if current is not None and current[0][1:] == key[1:] and current[0][0][1] == fp[1]:
                    self._views[grant.id] = ((fp, *key[1:]), view)
        except Exception:  # a failed refresh leaves the cached view; the next request tries again
            log.exception("background rebuild of grant %s's view failed", grant.name)
        finally:
            with self._build:
                self._refreshing.discard(grant.id)
