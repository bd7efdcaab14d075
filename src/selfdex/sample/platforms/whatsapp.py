"""WhatsApp "Export chat" from her iPhone: ``WhatsApp Chat - Dune Night.zip`` with ``_chat.txt`` and one photo.

iOS layout in a German locale: ``[02.03.24, 19:42:07] Jonas Müller: text``, CRLF line ends, notices sent
"by the group" behind a U+200E (encryption, group created, subject changed to a name with a colon),
attachments as ``‎<attached: 00000012-PHOTO-….jpg>``, a message over several lines, a deleted message."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ..person import Person

BUNDLE = "WhatsApp Chat - Dune Night.zip"
GROUP = "Dune Night"
LRM = "\u200e"

# (minutes after the group was created, sender, text); "M" is Mara.
_LINES: tuple[tuple[int, str, str], ...] = (
    (
        0,
        "",
        f"{LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
    ),
    (0, "", f"{LRM}Jonas Müller created group “{GROUP}”"),
    (1, "", f"{LRM}Jonas Müller added you"),
    (3, "Jonas Müller", "Dune: Part Two, Zoo Palast, Saturday 20:00? I can get three tickets"),
    (5, "M", "Yes!! I finished the book last month, I'm ready"),
    (6, "Lea Hoffmann", "I'm in. Do I need to rewatch part one first?"),
    (
        9,
        "M",
        "Not really. But read the first chapter of Dune Messiah after, it changes how you see Paul\nTrust me on this one\n(no spoilers)",
    ),
    (10, "Jonas Müller", f"{LRM}<attached: 00000012-PHOTO-2024-03-02-19-52-07.jpg>"),
    (12, "Lea Hoffmann", "This message was deleted"),
    (14, "", f"{LRM}Lea Hoffmann changed the subject to “Dune: Part Two night”"),
    (1450, "M", "That was the best thing I've seen in the cinema in years. Zimmer's score!!"),
    (1452, "Jonas Müller", "Arrival next? Same director"),
    (1453, "M", "Already seen it twice, but always"),
    (1460, "Lea Hoffmann", f"{LRM}image omitted"),
)


def chat_lines(person: Person) -> list[tuple[datetime, str, str]]:
    """The chat as (local wall-clock time, sender display name or "" for notices, text)."""
    start = datetime(2024, 3, 2, 19, 42, 7)
    return [
        (start + timedelta(minutes=m, seconds=(m * 7) % 50), person.name if s == "M" else s, t)
        for m, s, t in _LINES
    ]


def write(person: Person, root: Path) -> None:
    out = []
    for when, sender, text in chat_lines(person):
        stamp = when.strftime("%d.%m.%y, %H:%M:%S")
        who = sender or GROUP
        out.append(f"[{stamp}] {who}: {text}")
    (root / "_chat.txt").write_bytes(("\r\n".join(out) + "\r\n").encode("utf-8"))
    (root / "00000012-PHOTO-2024-03-02-19-52-07.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 60)
