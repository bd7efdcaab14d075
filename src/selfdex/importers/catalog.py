"""The README's table of supported exports, generated from the importer registry.

``python -m selfdex.importers.catalog README.md`` rewrites the block between the two markers; a test checks
the README against the registry, so an importer cannot be added, renamed or dropped without the table
saying so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from .. import readme_blocks
from .base import Importer
from .registry import load_importers

START = "<!-- supported-exports:start (generated: python -m selfdex.importers.catalog README.md) -->"
END = "<!-- supported-exports:end -->"


def table(importers: Iterable[Importer] | None = None) -> str:
    """The Markdown table: one row per importer, ordered by platform, then importer name."""
    rows = sorted(
        importers if importers is not None else load_importers(), key=lambda i: (i.platform, i.name)
    )
    platforms = len({i.platform for i in rows})
    lines = [
        f"{len(rows)} importers for {platforms} platforms.",
        "",
        "| platform | importer | what it reads |",
        "|---|---|---|",
    ]
    lines += [f"| {i.platform} | `{i.name}` | {i.description.replace('|', '/')} |" for i in rows]
    return "\n".join(lines)


def block(readme: str) -> str | None:
    """The generated block currently in ``readme`` (between the markers), or None when absent."""
    return readme_blocks.block(readme, START, END)


def update(path: Path) -> bool:
    """Rewrite the block in the file at ``path``; True when it changed."""
    return readme_blocks.update(path, START, END, table())


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print("updated" if update(target) else "up to date", target)
