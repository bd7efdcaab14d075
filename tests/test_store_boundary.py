"""The store owns its SQL and the forgotten-records rule (``store/visible.py``).

Above the store, only the profile and the index still run their own SQL (issue 17 names them as
the documented exceptions: their tables and scans are theirs); everything else — gate, agent, rank,
channels, owner, cli, web, ingest — reads records through ``store`` functions.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "selfdex"
ALLOWED = ("profile", "index")  # parts that still own SQL of their own
RULES = {
    "uses the raw connection": re.compile(r"\.conn\b"),
    "names hidden_records": re.compile(r"\bhidden_records\b"),
    "queries records": re.compile(r"\b(?:FROM|JOIN)\s+records\b"),
}


def offences() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        part = path.relative_to(SRC).parts[0]
        if part == "store":
            continue
        text = path.read_text(encoding="utf-8")
        for what, rule in RULES.items():
            for m in rule.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.setdefault(part, []).append(f"{path.relative_to(SRC)}:{line} {what}")
    return found


def test_only_the_documented_parts_run_sql_above_the_store() -> None:
    breaks = {part: hits for part, hits in offences().items() if part not in ALLOWED}
    assert not breaks, (
        "read records through store/ (store/visible.py, store/owner_queries.py):\n"
        + "\n".join(h for hits in breaks.values() for h in hits)
    )


def test_the_scan_sees_the_exceptions_it_allows() -> None:
    # The allowed parts do run SQL today: a scan that found nothing would prove nothing.
    found = offences()
    assert {"profile", "index"} <= found.keys()
    assert any("queries records" in h for h in found["profile"])


HIDDEN_SQL = re.compile(r"\b(?:FROM|INTO|JOIN|UPDATE)\s+hidden_records\b")


def test_only_the_store_reads_or_writes_the_forgotten_records_table() -> None:
    # Even the profile, which decides what a forget rule covers, hides through store/hiding.py: one
    # forgotten copy of the rule is a forgotten record resurfacing.
    hits = [
        f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] != "store"
        for text in [path.read_text(encoding="utf-8")]
        for m in HIDDEN_SQL.finditer(text)
    ]
    assert not hits, "use store.hiding / store.visible:\n" + "\n".join(hits)
    assert HIDDEN_SQL.search((SRC / "store" / "hiding.py").read_text(encoding="utf-8"))
