"""`selfdex sources` on the imported sample person: at least 20 platforms plus the offline sources of
her life (calendar, notes, bank, mail, health), each with record counts and date ranges."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from selfdex.ingest import import_path
from selfdex.store import Store, queries

OFFLINE = {
    "calendar": "calendar",
    "notes": "obsidian",
    "bank": "bank",
    "mail": "gmail",
    "health": "apple_health",
}


@pytest.fixture(scope="module")
def sources(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    with Store(tmp_path_factory.mktemp("sources") / "store.sqlite") as store:
        import_path(store, sample_exports)
        return {s["platform"]: s for s in queries.sources(store)}


def test_twenty_platforms_plus_offline_sources(sources: dict[str, dict]) -> None:
    offline = set(OFFLINE.values())
    assert offline <= set(sources), sorted(offline - set(sources))
    online = sorted(set(sources) - offline)
    assert len(online) >= 20, online
    for name in ("facebook", "instapaper", "uber", "twitter", "instagram", "strava", "kindle", "pocket"):
        assert name in sources


def test_each_source_has_counts_and_date_ranges(sources: dict[str, dict]) -> None:
    for platform, s in sources.items():
        assert s["records"] > 0, platform
        assert s["first"] and s["last"], f"{platform} has no dated records"
        first = datetime.fromisoformat(s["first"].replace("Z", "+00:00"))
        last = datetime.fromisoformat(s["last"].replace("Z", "+00:00"))
        assert first <= last, platform
        assert first.year >= 2022 and last.year <= 2025, (platform, s["first"], s["last"])  # Mara's years
        assert s["importers"] and s["kinds"] and s["actions"], platform
