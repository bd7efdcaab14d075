"""Instapaper export (Settings › Export): ``instapaper-export.csv`` and ``instapaper-export.html``.

CSV: ``URL,Title,Selection,Folder[,Timestamp]``; ``Timestamp`` (Unix seconds) is present in recent
exports and absent in older ones (then the record has no date). ``Folder`` is ``Unread``, ``Archive``,
``Starred`` or a custom folder; starred articles are ``liked``, everything else ``saved``. ``Selection``
(a highlighted passage) is kept as untrusted text. HTML: ``<h1>`` folder sections of ``<a href>`` links.
"""

from __future__ import annotations

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch
from ._util import clean, prov
from .base import Importer, ParseResult, csv_header, iter_csv
from .pocket import read_links

_HEADER = ["URL", "Title", "Selection", "Folder"]


class InstapaperImporter(Importer):
    name = "instapaper"
    platform = "instapaper"
    version = "1"
    description = "Instapaper saved articles (CSV with or without timestamps, HTML)"
    handles = ("instapaper-export.csv", "instapaper-export.html")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix == ".csv":
            header = csv_header(entry)
            if header[:4] == _HEADER:
                return 1.0
            if {"URL", "Title", "Folder"} <= set(header):
                return 0.8
            return 0.3 if entry.name.lower().startswith("instapaper") else 0.0
        if entry.suffix in (".html", ".htm"):
            return 0.9 if "<title>Instapaper: Export</title>" in entry.text_head(2048) else 0.0
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        if entry.suffix == ".csv":
            header = csv_header(entry)
            if "URL" not in header:
                yield ImportProblem(
                    f"named like an Instapaper export but its header is {header[:6]}: unsupported variant "
                    f"(expected {','.join(_HEADER)}[,Timestamp])",
                    entry.path,
                    line=1,
                    severity="unsupported",
                )
                return
            rows = iter_csv(entry)
        else:
            rows = (
                (i, line, {"URL": a.get("href", ""), "Title": text, "Folder": section or ""})
                for i, (line, section, a, text) in enumerate(read_links(entry))
            )
        for row in rows:
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            url = clean(r.get("URL"))
            if not url:
                yield ImportProblem(
                    "row has no URL", entry.path, index=index, line=line, excerpt=str(r)[:200]
                )
                continue
            stamp = None
            if ts := clean(r.get("Timestamp")):
                stamp = from_epoch(ts)
                if stamp is None:
                    yield ImportProblem(f"unreadable Timestamp {ts!r}", entry.path, index=index, line=line)
                    continue
            folder = clean(r.get("Folder"))
            title = clean(r.get("Title"))
            yield Record(
                platform=self.platform,
                action="liked" if folder == "Starred" else "saved",
                item=Item(kind="web_page", title=title if title != url else None, url=url),
                when=stamp.when if stamp else None,
                original_tz=stamp.tz if stamp else None,
                precision=stamp.precision if stamp else None,
                text=clean(r.get("Selection")),
                extra={"folder": folder} if folder else {},
                raw=r,
                provenance=prov(entry, index, line),
            )
