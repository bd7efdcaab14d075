"""Pocket exports: ``ril_export.html`` (until 2024) and ``part_000000.csv`` (2024–25; Pocket shut down in
July 2025, only existing exports remain).

Every saved link becomes a ``saved`` record of a ``web_page``. HTML: ``<h1>Unread</h1>`` / ``<h1>Read
Archive</h1>`` sections of ``<a href time_added tags>`` links; CSV: ``title,url,time_added,tags,status``.
``time_added`` is Unix seconds; tags are comma-separated in the HTML and ``|``-separated in the CSV. A
title that merely repeats the URL (Pocket's fallback when it found none) is dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch
from ._util import clean, prov
from .base import Importer, ParseResult, csv_header, iter_csv

_CSV_HEADER = ["title", "url", "time_added", "tags", "status"]
_PART_NAME = re.compile(r"part_\d+\.csv$")


class LinkListParser(HTMLParser):
    """The ``<h1>`` section and attributes of every ``<a href>`` in a bookmark-style HTML export."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str | None, dict[str, str], str]] = []  # (line, section, attrs, text)
        self._section: str | None = None
        self._in_h1 = False
        self._h1_text = ""
        self._open: tuple[int, dict[str, str]] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._in_h1, self._h1_text = True, ""
        elif tag == "a":
            values = {k: v or "" for k, v in attrs}
            if "href" in values:
                self._open, self._text = (self.getpos()[0], values), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
            self._section = self._h1_text.strip() or None
        elif tag == "a" and self._open is not None:
            line, values = self._open
            self.links.append((line, self._section, values, self._text.strip()))
            self._open = None

    def close(self) -> None:
        super().close()
        self.handle_endtag("a")  # a file cut off inside a link still yields that link

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self._h1_text += data
        elif self._open is not None:
            self._text += data


def read_links(entry: Entry) -> list[tuple[int, str | None, dict[str, str], str]]:
    parser = LinkListParser()
    with entry.open_text() as fh:
        while chunk := fh.read(1 << 16):
            parser.feed(chunk)
    parser.close()
    return parser.links


class PocketImporter(Importer):
    name = "pocket"
    platform = "pocket"
    version = "1"
    description = "Pocket saved articles (HTML export and the 2024–25 CSV export)"
    handles = ("ril_export.html", "part_*.csv")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix in (".html", ".htm"):
            head = entry.text_head(4096)
            if "<title>Pocket Export</title>" in head:
                return 1.0
            if "time_added=" in head and "<h1>" in head:
                return 0.7
            return 0.0
        if entry.suffix == ".csv":
            header = [h.lower() for h in csv_header(entry)]
            if header == _CSV_HEADER:
                return 1.0
            if {"url", "time_added"} <= set(header):
                return 0.8
            if _PART_NAME.match(entry.name.lower()):
                return 0.3  # named like Pocket's CSV, columns we do not know: parse() says which
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix == ".csv":
            yield from self._csv(entry)
        else:
            yield from self._html(entry)

    def _record(
        self,
        entry: Entry,
        index: int,
        line: int,
        url: str | None,
        title: str | None,
        added: str | None,
        tags: tuple[str, ...],
        status: str | None,
        raw: dict[str, str],
    ) -> Record | ImportProblem:
        if not url:
            return ImportProblem(
                "saved item has no URL", entry.path, index=index, line=line, excerpt=str(raw)[:200]
            )
        stamp = from_epoch(added) if added else None
        if added and stamp is None:
            return ImportProblem(
                f"unreadable time_added {added!r}", entry.path, index=index, line=line, excerpt=url[:200]
            )
        return Record(
            platform=self.platform,
            action="saved",
            item=Item(kind="web_page", title=title if title != url else None, url=url, categories=tags),
            when=stamp.when if stamp else None,
            original_tz=stamp.tz if stamp else None,
            precision=stamp.precision if stamp else None,
            extra={"status": status} if status else {},
            raw=raw,
            provenance=prov(entry, index, line),
        )

    def _csv(self, entry: Entry) -> ParseResult:
        header = [h.lower() for h in csv_header(entry)]
        if "url" not in header or "time_added" not in header:
            yield ImportProblem(
                f"named like a Pocket CSV export but its header is {header[:6]}: unsupported variant "
                f"(expected {','.join(_CSV_HEADER)})",
                entry.path,
                line=1,
                severity="unsupported",
            )
            return
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            r = {k.lower(): v for k, v in r.items()}
            tags = tuple(t.strip() for t in (r.get("tags") or "").split("|") if t.strip())
            yield self._record(
                entry,
                index,
                line,
                clean(r.get("url")),
                clean(r.get("title")),
                clean(r.get("time_added")),
                tags,
                clean(r.get("status")),
                r,
            )

    def _html(self, entry: Entry) -> ParseResult:
        links = read_links(entry)
        if not links:
            empty = "<ul" in entry.text_head(1 << 20).lower()
            yield ImportProblem(
                "Pocket export with empty lists: nothing saved"
                if empty
                else "Pocket export page without <ul> lists of links: unsupported variant",
                entry.path,
                severity="skipped" if empty else "unsupported",
            )
            return
        for index, (line, section, attrs, text) in enumerate(links):
            status = "archive" if section and "archive" in section.lower() else "unread" if section else None
            tags = tuple(t.strip() for t in (attrs.get("tags") or "").split(",") if t.strip())
            raw = {**attrs, "title": text, "section": section or ""}
            yield self._record(
                entry,
                index,
                line,
                clean(attrs.get("href")),
                clean(text),
                clean(attrs.get("time_added")),
                tags,
                status,
                raw,
            )
