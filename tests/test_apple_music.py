from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.apple_music import AppleMusicImporter
from selfdex.importers.base import csv_header
from selfdex.testing import entries, parse_path, recognitions

HEADER = (
    "Song Name,Album Name,Container Artist Name,Event Start Timestamp,Event End Timestamp,Event Type,"
    "End Reason Type,Play Duration Milliseconds,Media Duration In Milliseconds,UTC Offset In Seconds\n"
)


def test_real_sample(formats_dir: Path) -> None:
    folder = formats_dir / "apple_music"
    assert set(recognitions(folder).values()) == {"apple_music"}
    records, problems = parse_path(AppleMusicImporter(), folder)
    # one row per event: the aggregate of non-catalogue play time and a lyrics view are not listens
    assert [(p.index, p.line, p.severity) for p in problems] == [(5, 7, "skipped"), (11, 13, "skipped")]
    assert len(records) == 11 and {r.action for r in records} == {"listened"}
    boys = next(r for r in records if r.item.title == "Boys")
    assert boys.item.creators == ("Britney Spears",) and boys.item.categories == ("Pop",)
    assert boys.when == datetime(2016, 5, 29, 1, 24, 23, 210000, tzinfo=UTC)
    assert (boys.precision, boys.original_tz) == ("ms", "+07:00")  # UTC Offset In Seconds = 25200.0
    assert "Apple Id Number" not in boys.raw and "" not in boys.raw.values()
    clocks = next(r for r in records if r.item.title == "Clocks (Live In Sydney)")
    assert clocks.duration_s == 2.438 and clocks.extra["skipped"] is True
    assert clocks.extra["media_duration_s"] == 332.486  # written as a float: 332486.0
    assert clocks.original_tz == "+09:00"
    mazurka = next(r for r in records if r.item.title.startswith("Mazurkas"))
    assert "skipped" not in mazurka.extra and mazurka.extra["end_reason"] == "NATURAL_END_OF_TRACK"
    # a music video with no start time and a negative "duration" (a scrub back)
    video = next(r for r in records if r.item.title == "Empire State of Mind")
    assert video.item.kind == "video" and video.duration_s is None
    assert video.when == datetime(2016, 8, 15, 2, 45, 37, 415000, tzinfo=UTC)
    # the header's curly apostrophe survives
    entry = next(e for e in entries(folder) if e.suffix == ".csv")
    assert "User’s Audio Quality" in csv_header(entry)


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "Apple Media Services information.zip"
    found = recognitions(bundle)
    assert found == {"Apple_Media_Services/Apple Music Activity/Apple Music Play Activity.csv": "apple_music"}
    records, problems = parse_path(AppleMusicImporter(), bundle)
    assert problems and {p.severity for p in problems} == {"skipped"}  # PLAY_START and lyric rows
    assert len(records) > 300
    # Apple Music until she switched to Spotify in September 2023
    assert max(r.when for r in records if r.when) < datetime(2023, 9, 2, tzinfo=UTC)
    titles = {r.item.title for r in records}
    assert {"Paul's Dream", "Heptapod B", "On the Nature of Daylight", "Reckoner"} <= titles
    # the newer export has no track artist: it shows only when an album is the container
    assert any(r.item.creators == ("Hans Zimmer",) for r in records)
    assert any(r.item.creators == () for r in records)
    assert all(r.original_tz in ("+01:00", "+02:00") for r in records)
    assert not any("Client IP Address" in r.raw or "IP Latitude" in r.raw for r in records)
    skipped = [r for r in records if r.extra.get("skipped")]
    assert skipped and all(r.extra["end_reason"] == "TRACK_SKIPPED_FORWARDS" for r in skipped)


def test_malformed_rows(tmp_path: Path) -> None:
    lines = [
        "Good One,Album,Artist,2023-01-01T10:00:00.000Z,2023-01-01T10:03:00.000Z,PLAY_END,NATURAL_END_OF_TRACK,180000,180000.0,3600.0",
        "Too,Few,Columns",
        "Bad Date,Album,,31/12/2022 10:00,,PLAY_END,,1000,,",
        "No Time,Album,,,,PLAY_END,,1000,,",
        ",Album,,2023-01-01T11:00:00.000Z,,PLAY_END,,1000,,",
        "Good Two,Album,,2023-01-01T12:00:00Z,,,TRACK_SKIPPED_FORWARDS,4000,200000.0,-18000.0",
    ]
    path = tmp_path / "Apple Music Play Activity.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    records, problems = parse_path(AppleMusicImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Good One", "Good Two"]
    assert records[0].item.creators == ("Artist",) and records[0].original_tz == "+01:00"
    assert records[1].precision == "second" and records[1].original_tz == "-05:00"
    assert records[1].extra["skipped"] is True
    assert [(p.index, p.line, p.severity) for p in problems] == [
        (1, 3, "error"),
        (2, 4, "error"),
        (3, 5, "error"),
        (4, 6, "skipped"),
    ]
    assert "31/12/2022" in (problems[1].excerpt or "")
    (tmp_path / "Apple Music Play Activity.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    assert parse_path(AppleMusicImporter(), tmp_path) == ([], [])  # not claimed


def test_daily_summaries_are_reported_not_imported(tmp_path: Path) -> None:
    path = tmp_path / "Apple Music - Play History Daily Tracks.csv"
    path.write_text(
        "Country,Track Identifier,Media type,Date Played,Hours,Play Duration Milliseconds,Source Type,"
        "Play Count,Skip Count,Ignore For Recommendations,Track Reference,Track Description\n"
        "DE,1440649916,AUDIO,20230101,18,352000,IPHONE,1,0,,1440649916,Hans Zimmer - Paul's Dream\n",
        encoding="utf-8",
    )
    records, problems = parse_path(AppleMusicImporter(), tmp_path)
    assert records == [] and [p.severity for p in problems] == ["skipped"]
