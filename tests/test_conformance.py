"""Conformance over the real export samples in ../shared/formats: every sample file is imported by the
importer its platform expects, with no problems other than deliberate skips, or it is listed below as
not supported, with the reason. Coverage is therefore visible in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdex.ingest import import_path
from selfdex.store import Store

pytestmark = pytest.mark.conformance

# Which importer must claim the files under each sample folder (longest prefix wins).
EXPECTED_IMPORTER = {
    "amazon": "amazon_orders",
    "apple_health": "apple_health",
    "apple_music": "apple_music",
    "bank_csv": "bank_csv",
    "facebook": "facebook",
    "goodreads": "goodreads",
    "google_takeout/calendar": "icalendar",
    "google_takeout/chrome": "chrome_history",
    "google_takeout/location_history": "google_location",
    "google_takeout/mail": "mbox",
    "google_takeout/my_activity": "google_my_activity",
    "google_takeout/timeline_on_device": "google_location",
    "google_takeout/youtube": "youtube_history",
    "icalendar": "icalendar",
    "instagram": "instagram",
    "instapaper": "instapaper",
    "kindle": "kindle",
    "lastfm": "lastfm",
    "letterboxd": "letterboxd",
    "netflix": "netflix",
    "obsidian": "obsidian",
    "ofx": "ofx",
    "pocket": "pocket",
    "spotify": "spotify",
    "storygraph": "storygraph",
    "strava": "strava",
    "twitter": "twitter",
    "uber": "uber",
}

# Sample files that are deliberately not imported, and why. Keep this list short and honest.
NOT_SUPPORTED: dict[str, str] = {
    "letterboxd/profile.csv": "account profile (name, bio, favourite-film URIs without titles): not activity",
}


def _expected(member: str) -> str | None:
    best = max((p for p in EXPECTED_IMPORTER if member.startswith(p + "/")), key=len, default=None)
    return EXPECTED_IMPORTER[best] if best else None


@pytest.fixture(scope="module")
def conformance(
    formats_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, dict], dict[str, list[dict]]]:  # type: ignore[type-arg]
    with Store(tmp_path_factory.mktemp("conf") / "store.sqlite") as store:
        summary = import_path(store, formats_dir)
        files = {
            f.member: {
                "importer": f.importer,
                "status": f.status,
                "reason": f.reason,
                "records": f.records_read,
            }
            for f in summary.files
        }
        problems: dict[str, list[dict]] = {}  # type: ignore[type-arg]
        for row in store.conn.execute("SELECT * FROM import_errors WHERE severity != 'skipped'"):
            problems.setdefault(row["member"], []).append(dict(row))
    return files, problems


def test_every_sample_file_is_accounted_for(
    conformance: tuple[dict[str, dict], dict[str, list[dict]]],
) -> None:  # type: ignore[type-arg]
    files, problems = conformance
    unexplained = []
    for member, info in sorted(files.items()):
        if member == "README.md" or member in NOT_SUPPORTED:
            continue
        expected = _expected(member)
        if info["importer"] != expected:
            unexplained.append(
                f"{member}: imported by {info['importer']}, expected {expected} ({info['reason']})"
            )
        elif info["status"] not in ("imported", "skipped"):
            unexplained.append(f"{member}: {info['status']} — {info['reason']}")
        elif member in problems:
            first = problems[member][0]
            unexplained.append(
                f"{member}: {len(problems[member])} problems, first: line {first['line']}: {first['reason']}"
            )
    assert unexplained == [], "\n".join(unexplained)


def test_not_supported_list_is_current(conformance: tuple[dict[str, dict], dict[str, list[dict]]]) -> None:  # type: ignore[type-arg]
    files, _ = conformance
    stale = [m for m in NOT_SUPPORTED if m not in files or files[m]["status"] == "imported"]
    assert stale == [], f"listed as not supported but missing or now imported: {stale}"
