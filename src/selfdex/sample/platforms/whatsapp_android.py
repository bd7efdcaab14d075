"""WhatsApp "Export chat" from her old Android phone (English, UK locale): ``WhatsApp Chat with Jonas
Müller.txt`` in a folder. Dash layout, minutes only, day-first dates that only a day above 12 disambiguates,
``<Media omitted>``, and a notice with no sender."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..person import Person

BUNDLE = "WhatsApp Android"

_LINES = (
    (
        datetime(2023, 4, 1, 9, 3),
        "",
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.",
    ),
    (datetime(2023, 4, 1, 9, 3), "Jonas Müller", "Did you finish Dune yet?"),
    (datetime(2023, 4, 1, 9, 5), "M", "Halfway. The dinner party scene!"),
    (datetime(2023, 4, 1, 9, 5), "M", "ok"),
    (datetime(2023, 4, 1, 9, 5), "M", "ok"),
    (datetime(2023, 4, 16, 18, 40), "Jonas Müller", "<Media omitted>"),
    (
        datetime(2023, 4, 16, 18, 41),
        "Jonas Müller",
        "Found this at the Dussmann bookshop, first edition cover",
    ),
)


def write(person: Person, root: Path) -> None:
    out = []
    for when, sender, text in _LINES:
        stamp = when.strftime("%d/%m/%Y, %H:%M")
        who = person.name if sender == "M" else sender
        out.append(f"{stamp} - {who}: {text}" if who else f"{stamp} - {text}")
    (root / "WhatsApp Chat with Jonas Müller.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
