"""Google Takeout Chrome history: ``Takeout/Chrome/BrowserHistory.json`` (≤2023) and ``History.json``
(2024+; ``Verlauf.json`` in German accounts).

Quirks: ``time_usec`` is microseconds since the Unix epoch (UTC); ≤2023 entries carry
``page_transition``, 2024+ entries ``page_transition_qualifier``. The 2024+ file adds two sections
that are not new visits: ``Typed Url`` lists URLs typed into the address bar with their visits, all
already in ``Browser History``; ``Session`` holds the synced open tabs, whose navigations are usually
in ``Browser History`` too. A navigation is imported only when no history visit to the same URL lies
within two seconds of it, so a tab never double counts a visit; the rest are reported as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import ijson

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ._util import clean, prov
from .base import Importer, ParseResult, iter_json_items

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAMES = ("browserhistory.json", "history.json", "verlauf.json")
_TAIL_KEYS = (b'"Typed Url"', b'"Session"')
_NAV_PREFIX = "Session.item.tab.navigation.item"
_MAX_USEC = 253_402_300_800_000_000  # year 10000: beyond it a datetime cannot hold the time
_MATCH_MS = 2000  # a history visit this close to a tab navigation of the same URL is the same visit


def _title(obj: dict[str, Any]) -> str | None:
    title = obj.get("title")
    return clean(title) if isinstance(title, str) else None


class _TailReader:
    """A JSON object made of the top-level keys from ``Typed Url``/``Session`` on: ``{`` + the rest."""

    def __init__(self, first: bytes, rest: BinaryIO) -> None:
        self._first = b"{" + first
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes the type with read(0)
            return b""
        if self._first:
            out, self._first = self._first, b""
            return out
        return self._rest.read(size)


def _find_tail_key(buf: bytes, start: int) -> int:
    """Where the first top-level ``"Typed Url":``/``"Session":`` key begins, or -1. A string value
    cannot match: a quote inside a JSON string is escaped, and a value is not followed by a colon."""
    best = -1
    for key in _TAIL_KEYS:
        pos = buf.find(key, start)
        while pos >= 0:
            after = buf[pos + len(key) : pos + len(key) + 16].lstrip()
            if after.startswith(b":"):
                break
            pos = buf.find(key, pos + 1)
        if pos >= 0 and (best < 0 or pos < best):
            best = pos
    return best


class ChromeHistoryImporter(Importer):
    name = "chrome_history"
    platform = "chrome"
    version = "1"
    description = "Google Takeout Chrome browsing history"
    handles = (
        "Chrome/BrowserHistory.json (≤2023)",
        "Chrome/History.json (2024+, incl. Typed Url and Session)",
        "Chrome/Verlauf.json (German)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.text_head(4096)
        if '"Browser History"' in head:
            return 0.95
        if entry.name.lower() in _NAMES and "Chrome" in entry.parts and head.lstrip().startswith("{"):
            return 0.5
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        # Open tabs first (small, found by a cheap byte scan), so the history pass can spot their visits.
        navigations: list[tuple[int, int, dict[str, Any]]] = []  # (position in Session, ms, navigation)
        tail_problems: list[ImportProblem] = []
        typed = 0
        for found in self._tail(entry):
            if isinstance(found, ImportProblem):
                tail_problems.append(found)
            elif isinstance(found, int):
                typed += 1
            else:
                navigations.append(found)
        by_url: dict[str, list[int]] = {}
        for i, (_, _, nav) in enumerate(navigations):
            url = nav.get("virtual_url") or nav.get("url")
            if isinstance(url, str):
                by_url.setdefault(url, []).append(i)
        matched: set[int] = set()
        history = 0
        for item in iter_json_items(entry, "Browser History.item"):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, obj = item
            history = index + 1
            visit = self._visit(entry, index, obj)
            if by_url and isinstance(visit, Record) and visit.item.url in by_url:
                ms = obj["time_usec"] // 1000
                matched.update(i for i in by_url[visit.item.url] if abs(navigations[i][1] - ms) <= _MATCH_MS)
            yield visit

        # Session entries are numbered after the history and typed entries, in file order.
        for problem in tail_problems:
            if problem.index is not None:
                problem.index += history + typed
            yield problem
        for i, (position, ms, nav) in enumerate(navigations):
            if i not in matched:
                yield self._navigation(entry, history + typed + position, ms, nav)
        if matched:
            yield ImportProblem(
                f"{len(matched)} open-tab navigations (Session) are visits already in Browser History",
                entry.path,
                severity="skipped",
            )
        if typed:
            yield ImportProblem(
                f"{typed} Typed Url entries not imported: they list address-bar URLs whose visits "
                "are already in Browser History",
                entry.path,
                severity="skipped",
            )

    def _visit(self, entry: Entry, index: int, obj: Any) -> Record | ImportProblem:
        if not isinstance(obj, dict):
            return ImportProblem("history entry is not a JSON object", entry.path, index=index)
        url = obj.get("url")
        usec = obj.get("time_usec")
        if not isinstance(url, str) or not url or not isinstance(usec, int) or not 0 < usec < _MAX_USEC:
            return ImportProblem(
                "history entry has no url or no valid time_usec",
                entry.path,
                index=index,
                excerpt=str(obj)[:200],
            )
        extra: dict[str, Any] = {}
        transition = obj.get("page_transition") or obj.get("page_transition_qualifier")
        if transition:
            extra["transition"] = transition
        if obj.get("client_id"):
            extra["client_id"] = obj["client_id"]
        return Record(
            platform=self.platform,
            action="visited",
            item=Item(kind="web_page", title=_title(obj), url=url),
            when=_EPOCH + timedelta(microseconds=usec),
            original_tz="UTC",
            precision="us",
            extra=extra,
            raw=obj,
            provenance=prov(entry, index),
        )

    def _navigation(self, entry: Entry, index: int, ms: int, nav: dict[str, Any]) -> Record:
        extra: dict[str, Any] = {"source": "session"}
        if nav.get("page_transition"):
            extra["transition"] = nav["page_transition"]
        return Record(
            platform=self.platform,
            action="visited",
            item=Item(kind="web_page", title=_title(nav), url=nav.get("virtual_url") or nav.get("url")),
            when=_EPOCH + timedelta(milliseconds=ms),
            original_tz="UTC",
            precision="ms",
            extra=extra,
            raw=nav,
            provenance=prov(entry, index),
        )

    def _tail(self, entry: Entry) -> Iterator[ImportProblem | int | tuple[int, int, dict[str, Any]]]:
        """Typed Url entries (as 1s, to count) and Session navigations (position, ms, dict), or problems
        (indexed by position in Session)."""
        with entry.open() as fh:
            buf = b""
            pos = -1
            while chunk := fh.read(1 << 20):
                buf = buf[-32:] + chunk  # the 32-byte overlap catches a key split across reads
                pos = _find_tail_key(buf, 0)
                if pos >= 0:
                    break
            if pos < 0:
                return
            builder: ijson.ObjectBuilder | None = None
            nav_index = 0
            try:
                for prefix, event, value in ijson.parse(_TailReader(buf[pos:], fh), use_float=True):
                    if builder is not None:
                        builder.event(event, value)
                        if prefix == _NAV_PREFIX and event == "end_map":
                            nav = builder.value
                            builder = None
                            ms = nav.get("timestamp_msec")
                            url = nav.get("virtual_url") or nav.get("url")
                            if (
                                isinstance(ms, int)
                                and 0 < ms < _MAX_USEC // 1000
                                and isinstance(url, str)
                                and url
                            ):
                                yield nav_index, ms, nav
                            else:
                                yield ImportProblem(
                                    "Session navigation has no url or no valid timestamp_msec",
                                    entry.path,
                                    index=nav_index,
                                    excerpt=str(nav)[:200],
                                )
                            nav_index += 1
                    elif prefix == _NAV_PREFIX and event == "start_map":
                        builder = ijson.ObjectBuilder()
                        builder.event(event, value)
                    elif prefix == "Typed Url.item" and event == "start_map":
                        yield 1
            except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
                yield ImportProblem(
                    f"invalid JSON in the Typed Url/Session sections: {str(exc).splitlines()[0][:200]}",
                    entry.path,
                )
