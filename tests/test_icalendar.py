from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.icalendar import ICalendarImporter, iana_zone
from selfdex.testing import parse_path, recognitions


def _ics(tmp_path: Path, name: str, body: str, *, crlf: bool = True) -> Path:
    path = tmp_path / name
    text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + body.strip("\n") + "\nEND:VCALENDAR\n"
    path.write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode())
    return path


def test_recognised(formats_dir: Path) -> None:
    for folder in ("icalendar", "google_takeout/calendar"):
        found = recognitions(formats_dir / folder)
        assert found and set(found.values()) == {"icalendar"}, found


def test_google_takeout_samples(formats_dir: Path) -> None:
    records, problems = parse_path(ICalendarImporter(), formats_dir / "google_takeout" / "calendar")
    assert problems == []
    assert {r.action for r in records} == {"attended"} and {r.item.kind for r in records} == {"event"}
    daily = sorted((r for r in records if r.item.title == "07:00-08:00-daily-30x"), key=lambda r: r.when)
    # RRULE COUNT=30 expanded; 07:00 Zurich is 06:00 UTC before the DST switch and 05:00 UTC after
    assert len(daily) == 30
    assert daily[0].when == datetime(2024, 3, 25, 6, tzinfo=UTC)
    assert daily[-1].when == datetime(2024, 4, 23, 5, tzinfo=UTC)
    assert daily[0].original_tz == "Europe/Zurich" and daily[0].duration_s == 3600
    assert len({r.id for r in daily}) == 30
    # all-day events: day precision, exclusive DTEND
    two = next(r for r in records if r.item.title == "all 2 days")
    assert two.precision == "day" and two.duration_s == 2 * 86400 and two.extra["all_day"] is True
    assert two.when == datetime(2024, 3, 27, tzinfo=UTC)
    # RECURRENCE-ID overrides whose master is not in the file are one-off events; folded ATTENDEE lines
    busy = [r for r in records if r.item.title == "Busy"]
    assert len(busy) == 4 and {r.original_tz for r in busy} == {"UTC"}
    assert busy[0].item.ids == {"ical_uid": "5kml9evtgr3lffqh2lc2lu86kp@google.com"}
    assert busy[0].extra["calendar"] == "test"


def test_exchange_samples(formats_dir: Path) -> None:
    records, problems = parse_path(ICalendarImporter(), formats_dir / "icalendar")
    assert problems == []
    # Windows zone names are mapped to IANA zones
    est = next(r for r in records if r.item.title == "Anonymous Test Event for TZID")
    assert est.original_tz == "America/New_York"
    assert est.when == datetime(2024, 10, 28, 21, tzinfo=UTC)
    tentative = next(r for r in records if r.item.title == "Tentative")
    assert tentative.original_tz == "Europe/Berlin"
    assert tentative.when == datetime(2020, 5, 12, 7, tzinfo=UTC)
    # the folded 100-character UID is unfolded
    assert (
        tentative.item.ids["ical_uid"].startswith("040000008200E00074C5B7101A82E008")
        and " " not in (tentative.item.ids["ical_uid"])
    )
    # weekly all-day series MO,FR until 2020-05-21, and a weekly Wednesday series in W. Europe time
    away_days = sorted(
        r.when.date().isoformat() for r in records if r.item.title == "Away" and r.precision == "day"
    )
    assert away_days == ["2020-05-08", "2020-05-11", "2020-05-15", "2020-05-18"]
    away_evenings = sorted(r.when for r in records if r.item.title == "Away" and r.precision == "second")
    assert away_evenings == [datetime(2020, 5, 13, 14, tzinfo=UTC), datetime(2020, 5, 20, 14, tzinfo=UTC)]


def test_iana_zone() -> None:
    assert iana_zone("W. Europe Standard Time") == "Europe/Berlin"
    assert iana_zone('"Eastern Standard Time"') == "America/New_York"
    assert iana_zone("/mozilla.org/20050126_1/Europe/Berlin") == "Europe/Berlin"
    assert iana_zone("Europe/Stockholm") == "Europe/Stockholm"
    assert iana_zone("Nowhere Standard Time") is None


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("takeout-*-calendar.zip"))
    assert set(recognitions(bundle).values()) == {"icalendar"}
    records, problems = parse_path(ICalendarImporter(), bundle)
    assert problems == []
    runs = [r for r in records if r.item.title and r.item.title.startswith("Lauftreff")]
    days = {r.when.date().isoformat() for r in runs if r.when}
    assert "2023-04-06" in days and "2023-12-28" not in days  # EXDATE
    assert "2024-05-09" not in days and "2024-05-08" in days  # moved occurrence (RECURRENCE-ID)
    # expanded up to the export time (the DTSTAMP), not beyond
    assert max(days) <= "2025-07-01" and len(runs) > 100
    dune = next(r for r in records if r.item.title and r.item.title.startswith("Dune: Part Two"))
    assert dune.when == datetime(2024, 3, 2, 19, tzinfo=UTC) and dune.original_tz == "Europe/Berlin"
    assert dune.location is not None and "Zoo Palast" in (dune.location.name or "")
    kyoto = next(r for r in records if r.item.title == "Kyoto trip")
    assert kyoto.precision == "day" and kyoto.duration_s == 8 * 86400
    flight = next(r for r in records if r.item.title and r.item.title.startswith("Flight KIX"))
    assert flight.original_tz == "Asia/Tokyo" and flight.when == datetime(2024, 4, 13, 1, 30, tzinfo=UTC)
    assert any(r.item.title and "cooking class" in r.item.title for r in records)


def test_floating_custom_zone_cancelled_and_todo(tmp_path: Path) -> None:
    path = _ics(
        tmp_path,
        "mixed.ics",
        """
X-WR-CALNAME:Home
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VTIMEZONE
TZID:(UTC+01:00) Amsterdam, Berlin, Bern, Rome
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:floating
DTSTART:20240110T090000
SUMMARY:Floating dentist
END:VEVENT
BEGIN:VEVENT
UID:custom
DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin, Bern, Rome":20240710T090000
DURATION:PT1H
SUMMARY:Custom zone
END:VEVENT
BEGIN:VEVENT
UID:gone
DTSTART:20240111T090000Z
STATUS:CANCELLED
SUMMARY:Cancelled
END:VEVENT
BEGIN:VTODO
UID:todo
SUMMARY:Buy kombu
END:VTODO
""",
    )
    records, problems = parse_path(ICalendarImporter(), path)
    floating = next(r for r in records if r.item.title == "Floating dentist")
    assert floating.original_tz == "Europe/Berlin" and floating.when == datetime(2024, 1, 10, 8, tzinfo=UTC)
    custom = next(r for r in records if r.item.title == "Custom zone")
    assert custom.when == datetime(2024, 7, 10, 7, tzinfo=UTC) and custom.duration_s == 3600
    assert len(records) == 2
    assert sorted(p.severity for p in problems) == ["skipped", "skipped"]
    assert any("cancelled" in p.reason for p in problems) and any("VTODO" in p.reason for p in problems)


def test_open_series_is_bounded_by_the_export(tmp_path: Path) -> None:
    path = _ics(
        tmp_path,
        "weekly.ics",
        """
BEGIN:VEVENT
UID:weekly
DTSTAMP:20240201T000000Z
DTSTART;TZID=Europe/Berlin:20240101T100000
RRULE:FREQ=WEEKLY
SUMMARY:Standup
END:VEVENT
""",
        crlf=False,
    )
    records, problems = parse_path(ICalendarImporter(), path)
    assert problems == []
    assert len(records) == 5  # Jan 1, 8, 15, 22, 29: nothing after the file's DTSTAMP
    assert records[0].extra["rrule"] == "FREQ=WEEKLY"


def test_malformed(tmp_path: Path) -> None:
    truncated = _ics(
        tmp_path,
        "bad.ics",
        """
BEGIN:VEVENT
UID:good
DTSTART:20240301T100000Z
SUMMARY:Good one
END:VEVENT
BEGIN:VEVENT
UID:nodate
SUMMARY:No start
END:VEVENT
BEGIN:VEVENT
UID:baddate
DTSTART:2024-13-45
SUMMARY:Bad date
END:VEVENT
BEGIN:VEVENT
UID:good2
DTSTART;VALUE=DATE:20240302
SUMMARY:Good two
END:VEVENT
BEGIN:VEVENT
UID:cut
DTSTART:2024
""",
    )
    truncated.write_bytes(truncated.read_bytes().replace(b"END:VCALENDAR\r\n", b""))
    records, problems = parse_path(ICalendarImporter(), truncated)
    assert {r.item.title for r in records} == {"Good one", "Good two"}
    assert len(problems) == 3 and all(p.severity == "error" for p in problems)
    assert all(p.line is not None and p.index is not None for p in problems)
    assert any("truncated" in p.reason for p in problems)

    garbage = tmp_path / "garbage.ics"
    garbage.write_bytes(b"\x00\xff\xfe binary junk \x89PNG")
    records, problems = parse_path(ICalendarImporter(), garbage)
    assert records == [] and [p.severity for p in problems] == ["unsupported"]


def test_a_repeated_once_only_property_is_reported_and_the_rest_lands(tmp_path: Path) -> None:
    # Found by the fuzz test: icalendar returns a repeated RECURRENCE-ID or RRULE as a list.
    path = _ics(
        tmp_path,
        "repeats.ics",
        """
BEGIN:VEVENT
UID:weekly
DTSTAMP:20240201T000000Z
DTSTART:20240101T100000Z
RRULE:FREQ=WEEKLY
RRULE:FREQ=DAILY
SUMMARY:Two rules
END:VEVENT
BEGIN:VEVENT
UID:weekly
DTSTAMP:20240201T000000Z
DTSTART:20240109T100000Z
RECURRENCE-ID:20240108T100000Z
RECURRENCE-ID:20240115T100000Z
SUMMARY:Two overrides in one
END:VEVENT
BEGIN:VEVENT
UID:fine
DTSTAMP:20240201T000000Z
DTSTART:20240110T100000Z
SUMMARY:Fine
END:VEVENT
""",
        crlf=False,
    )
    records, problems = parse_path(ICalendarImporter(), path)
    assert [r.item.title for r in records] == ["Fine"]
    assert sorted(p.reason for p in problems) == [
        "VEVENT repeats RECURRENCE-ID (allowed at most once)",
        "VEVENT repeats RRULE (allowed at most once)",
    ]
