"""Google Takeout "My Activity": ``My Activity/<Product>/MyActivity.json`` (``My Activity.json`` in 2019
exports) or ``MyActivity.html``; folders are localized (``Meine Aktivitäten/Suche/…``).

The entries are read by :mod:`._takeout_activity` and turned into records by :mod:`._takeout_records`,
which :mod:`.youtube_history` shares: entries whose product is YouTube become ``youtube`` records
whichever importer reads them.
"""

from __future__ import annotations

from ..archive import Entry
from ._takeout_activity import (
    MY_ACTIVITY_NAMES,
    in_my_activity,
    looks_like_activity_html,
    looks_like_activity_json,
    my_activity_product,
    youtube_head,
)
from ._takeout_records import parse_activity_file
from .base import Importer, ParseResult


class GoogleMyActivityImporter(Importer):
    name = "google_my_activity"
    platform = "google"
    version = "1"
    description = "Google Takeout My Activity (Search, Maps, Play, Chrome… per-product activity logs)"
    handles = (
        "My Activity/<Product>/MyActivity.json",
        "My Activity/<Product>/My Activity.json (2019)",
        "My Activity/<Product>/MyActivity.html",
        "Meine Aktivitäten/… (localized folders)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix not in (".json", ".html"):
            return 0.0
        mine = in_my_activity(entry) or entry.name.lower().startswith(MY_ACTIVITY_NAMES)
        youtube = my_activity_product(entry) == "YouTube"
        if entry.suffix == ".html":
            if not looks_like_activity_html(entry):
                return 0.0
        elif not looks_like_activity_json(entry):
            empty = entry.text_head(64).strip() == "[]"
            return 0.4 if mine and empty and not youtube else 0.0
        if youtube or (entry.suffix == ".json" and youtube_head(entry)):
            return 0.3  # YouTube's own activity: youtube_history claims it more surely
        if mine:
            return 0.85
        head = entry.text_head(8192)  # elsewhere, ask for the schema's own keys too
        return 0.6 if entry.suffix == ".html" or '"products"' in head or '"header"' in head else 0.0

    def parse(self, entry: Entry) -> ParseResult:
        yield from parse_activity_file(entry)
