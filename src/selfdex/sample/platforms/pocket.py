"""Pocket's 2024–25 CSV export: ``part_000000.csv`` (``title,url,time_added,tags,status``, Unix seconds,
``|``-separated tags, LF, no BOM) in the zip Pocket mailed out."""

from __future__ import annotations

from pathlib import Path

from ..person import WEB_PAGES, Person
from ._csv import write_csv

BUNDLE = "pocket.zip"
_TAGS = {"dune": "scifi|books", "arrival": "scifi|books", "ishiguro": "books", "cooking": "cooking|japan"}
_EXTRA = (
    ("The Ecology of Arrakis", "https://www.tor.com/2021/10/20/the-ecology-of-arrakis/", "dune"),
    ("Zone 2 training for trail runners", "https://www.irunfar.com/zone-2-training", "running"),
    ("https://www.justonecookbook.com/miso-soup/", "https://www.justonecookbook.com/miso-soup/", "cooking"),
)


def write(person: Person, root: Path) -> None:
    rng = person.rand("pocket")
    pages = [(p.title, p.url, p.theme) for p in WEB_PAGES if p.theme] + list(_EXTRA)
    rows = []
    for title, url, theme in pages:
        added = person.evening(rng, person.day(rng))
        tags = _TAGS.get(theme or "", "running" if theme == "running" else "")
        status = "archive" if rng.random() < 0.5 else "unread"
        rows.append((int(added.timestamp()), title, url, tags, status))
    rows.sort(reverse=True)
    write_csv(
        root / "part_000000.csv",
        ["title", "url", "time_added", "tags", "status"],
        [(title, url, added, tags, status) for added, title, url, tags, status in rows],
    )
