"""Generated parts of the README: a block between two HTML comments that a command rewrites and a
test compares with the code (the importers, the commands, the settings)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["block", "update"]


def block(text: str, start: str, end: str) -> str | None:
    """What is between the markers in ``text`` now, or None when they are absent."""
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0].strip("\n")


def update(path: Path, start: str, end: str, fresh: str) -> bool:
    """Put ``fresh`` between the markers in the file at ``path``; True when that changed it."""
    text = path.read_text(encoding="utf-8")
    current = block(text, start, end)
    if current is None:
        raise ValueError(f"{path} has no {start!r} … {end!r} block")
    if current == fresh:
        return False
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    path.write_text(f"{head}{start}\n{fresh}\n{end}{tail}", encoding="utf-8")
    return True
