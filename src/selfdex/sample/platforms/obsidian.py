"""Obsidian: the vault folder ``Obsidian Vault`` with ``.obsidian/`` settings and Markdown notes whose front
matter is written the way Obsidian's property editor does (block lists of quoted wikilinks, bare dates)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from ..person import BOOKS, Person

BUNDLE = "Obsidian Vault"


def _note(path: Path, props: list[str], body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "---\n" + "\n".join(props) + "\n---\n" if props else ""
    path.write_text(front + body.strip("\n") + "\n", encoding="utf-8")


def write(person: Person, root: Path) -> None:
    rng = person.rand("obsidian")
    config = root / ".obsidian"
    config.mkdir(parents=True, exist_ok=True)
    (config / "app.json").write_text(
        json.dumps({"attachmentFolderPath": "Attachments", "alwaysUpdateLinks": True}, indent=2),
        encoding="utf-8",
    )
    (config / "types.json").write_text(
        json.dumps(
            {"types": {"rating": "number", "year": "number", "last": "date", "created": "date"}}, indent=2
        ),
        encoding="utf-8",
    )
    dune = next(b for b in BOOKS if b.title == "Dune")
    _, finished = person.book_dates(dune)
    finished = finished or date(2023, 6, 1)
    _note(
        root / "References" / "Dune.md",
        [
            "categories:",
            '  - "[[Books]]"',
            "author:",
            '  - "[[Frank Herbert]]"',
            f"year: {dune.year}",
            f"isbn13: {dune.isbn13}",
            f"rating: {dune.rating}",
            f"last: {finished.isoformat()}",
            "tags:",
            "  - scifi",
        ],
        """
Finished it at last. The desert is the main character; the ecology appendix is worth reading twice.

- Compare with [[Dune (2021)|the Villeneuve film]] and [[Dune: Part Two]]
- Next: [[Dune Messiah]] #reread
""",
    )
    _note(
        root / "References" / "Dashi.md",
        [
            "categories:",
            '  - "[[Recipes]]"',
            "cuisine:",
            '  - "[[Japanese]]"',
            "source: https://www.justonecookbook.com/",
            f"created: {date(2024, 4, 20).isoformat()}",
            "rating: 5",
        ],
        """
Learned properly at the cooking class in [[Kyoto]].

> [!tip] Don't boil the kombu
> Pull it just before the water simmers, or the dashi turns slimy.

1. Soak 10 g kombu in 1 l water for 30 min.
2. Heat slowly, remove kombu before boiling.
3. Add 20 g katsuobushi, simmer 1 min, rest 10 min, strain.

#cooking #japanese
""",
    )
    _note(
        root / "References" / "Kyoto.md",
        [
            "categories:",
            '  - "[[Places]]"',
            "loc:",
            '  - "[[Japan]]"',
            "coordinates:",
            '  - "35.0116"',
            '  - "135.7681"',
            "rating: 5",
            "created: 2024-04-14",
        ],
        "Nishiki market, Fushimi Inari at dawn. Bought a [[Donabe]] for rice.",
    )
    # Run log: daily notes named YYYY-MM-DD, no front matter.
    day = date(2024, 5, 2)
    for _ in range(6):
        km = rng.choice((8, 10, 12, 14, 21))
        _note(
            root / "Daily" / f"{day.isoformat()}.md",
            [],
            f"## Run\n\n{km} km in the Grunewald with the [[Lauftreff]]. Legs felt {rng.choice(('heavy', 'fresh', 'ok'))}."
            " #running",
        )
        day += timedelta(days=rng.choice((6, 7, 8)))
