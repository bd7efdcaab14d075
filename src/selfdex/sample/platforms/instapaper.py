"""Instapaper's export (Settings › Export): ``instapaper-export.csv`` with ``URL,Title,Selection,Folder,
Timestamp`` (Unix seconds, LF, no BOM, as in the 2023+ exports). Mara moved her read-later list here when
Pocket announced its shutdown (spring 2025): the same themes, a few highlighted passages, starred
favourites."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..person import WEB_PAGES, Person
from ._csv import write_csv

BUNDLE = "instapaper-export"
_ARTICLES = (
    (
        "The Ecology of Arrakis",
        "https://www.tor.com/2021/10/20/the-ecology-of-arrakis/",
        "The desert planet is a thought experiment about water.",
        "Starred",
    ),
    (
        "Ted Chiang on the Story of Your Life",
        "https://www.wired.com/story/ted-chiang-interview/",
        "",
        "Archive",
    ),
    (
        "Kombu and katsuobushi: a dashi primer",
        "https://www.justonecookbook.com/how-to-make-dashi/",
        "",
        "Cooking",
    ),
    ("Zone 2 training for trail runners", "https://www.irunfar.com/zone-2-training", "", "Unread"),
    (
        "Nils Frahm: the piano as a machine",
        "https://www.theguardian.com/music/nils-frahm-interview",
        "",
        "Starred",
    ),
)


def write(person: Person, root: Path) -> None:
    rng = person.rand("instapaper")
    pages = [(p.title, p.url, "", rng.choice(("Unread", "Archive"))) for p in WEB_PAGES if p.theme]
    rows = []
    for title, url, selection, folder in [*_ARTICLES, *pages[:4]]:
        saved = person.evening(rng, person.day(rng, date(2025, 4, 1)))
        rows.append((int(saved.timestamp()), url, title, selection, folder))
    rows.sort(reverse=True)  # newest first, as Instapaper writes it
    write_csv(
        root / "instapaper-export.csv",
        ["URL", "Title", "Selection", "Folder", "Timestamp"],
        [(url, title, selection, folder, ts) for ts, url, title, selection, folder in rows],
    )
