"""Google Takeout Calendar: ``Takeout/Calendar/<account e-mail>.ics``, its own Takeout zip.

Written the way Google does: CRLF, lines folded at 75 octets, a VTIMEZONE block, ``X-WR-TIMEZONE``,
zoned (``TZID=Europe/Berlin``), UTC (``…Z``) and all-day (``VALUE=DATE``, exclusive DTEND) events, one
weekly series with an EXDATE and a moved occurrence (RECURRENCE-ID), every DTSTAMP = the export time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from ..person import Person

BUNDLE = "takeout-20250701T120000Z-calendar.zip"
EXPORTED = "20250701T120000Z"

_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:GMT+2
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:GMT+1
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: at most 75 octets per line, continuations start with one space."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode()) > 75:
            out.append(current)
            current = " "
        current += ch
    out.append(current)
    return out


def _local(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%S")


def _day(d: date) -> str:
    return d.strftime("%Y%m%d")


def _event(uid: str, props: list[str], summary: str, **text: str) -> list[str]:
    lines = ["BEGIN:VEVENT", *props, f"DTSTAMP:{EXPORTED}", f"UID:{uid}"]
    lines += ["CREATED:20230301T090000Z", "LAST-MODIFIED:20230301T090000Z", "SEQUENCE:0"]
    lines += ["STATUS:CONFIRMED", f"SUMMARY:{_escape(summary)}"]
    for key, value in text.items():
        lines.append(f"{key.upper()}:{_escape(value)}")
    lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def write(person: Person, root: Path) -> None:
    rng = person.rand("calendar")
    tz = "TZID=Europe/Berlin"
    events: list[list[str]] = []
    # Weekly running club, Thursdays 18:30, from April 2023; no run between the holidays, one run moved.
    first_run = datetime(2023, 4, 6, 18, 30)
    skipped = datetime(2023, 12, 28, 18, 30)
    moved_from = datetime(2024, 5, 9, 18, 30)  # Ascension Day
    moved_to = datetime(2024, 5, 8, 18, 30)
    club_uid = "3k7r0m1lauftreff2023wk@google.com"
    events.append(
        _event(
            club_uid,
            [
                f"DTSTART;{tz}:{_local(first_run)}",
                f"DTEND;{tz}:{_local(first_run + timedelta(hours=1, minutes=30))}",
                "RRULE:FREQ=WEEKLY;BYDAY=TH",
                f"EXDATE;{tz}:{_local(skipped)}",
            ],
            "Lauftreff Grunewald – trail run",
            location="S Grunewald, 14193 Berlin, Germany",
            description="Grunewald Trail Runners weekly club run. 10–14 km, easy pace. Headlamp from October!",
        )
    )
    events.append(
        _event(
            club_uid,
            [
                f"DTSTART;{tz}:{_local(moved_to)}",
                f"DTEND;{tz}:{_local(moved_to + timedelta(hours=1, minutes=30))}",
                f"RECURRENCE-ID;{tz}:{_local(moved_from)}",
            ],
            "Lauftreff Grunewald – trail run (Wednesday, holiday week)",
            location="S Grunewald, 14193 Berlin, Germany",
        )
    )
    cinema = datetime(2024, 3, 2, 20, 0)
    events.append(
        _event(
            "1d8u5n3p4rt2z00p4l4st@google.com",
            [f"DTSTART;{tz}:{_local(cinema)}", f"DTEND;{tz}:{_local(cinema + timedelta(minutes=166))}"],
            "Dune: Part Two (IMAX) with Jonas",
            location="Zoo Palast, Hardenbergstraße 29a, 10623 Berlin, Germany",
            description="Tickets: row 9, seats 14–15. Re-read the last chapters of Dune before!",
        )
    )
    # The Kyoto trip: all-day, DTEND exclusive; the flight home is written in Tokyo time.
    events.append(
        _event(
            "6ky0t0tr1p2024apr@google.com",
            [f"DTSTART;VALUE=DATE:{_day(date(2024, 4, 6))}", f"DTEND;VALUE=DATE:{_day(date(2024, 4, 14))}"],
            "Kyoto trip",
            location="Kyoto, Japan",
            description="Nishiki market, Fushimi Inari at dawn, the cooking class in Gion. Buy a donabe?",
        )
    )
    events.append(
        _event(
            "6ky0t0fl1ght2024apr13@google.com",
            ["DTSTART;TZID=Asia/Tokyo:20240413T103000", "DTEND;TZID=Europe/Berlin:20240413T183000"],
            "Flight KIX → FRA (LH 741)",
            location="Kansai International Airport",
        )
    )
    events.append(
        _event(
            "2c00k1ngd4sh1cl4ss@google.com",
            [f"DTSTART;{tz}:20241012T150000", f"DTEND;{tz}:20241012T180000"],
            "Japanese home cooking class: dashi, miso soup & onigiri",
            location="Kochschule Berlin, Kastanienallee 12, 10435 Berlin, Germany",
            description="Bring an apron and a sharp knife (the Shun!). Kombu and katsuobushi are provided.",
        )
    )
    # A call created from a phone client: Google keeps it in UTC.
    call = person.local(person.day(rng, date(2025, 1, 6), date(2025, 1, 31)), 18)
    events.append(
        _event(
            "0c4llw1thj0n4s@google.com",
            [f"DTSTART:{call:%Y%m%dT%H%M%SZ}", f"DTEND:{call + timedelta(minutes=45):%Y%m%dT%H%M%SZ}"],
            "Call with Jonas: Radiohead tickets?",
        )
    )
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{person.email}",
        "X-WR-TIMEZONE:Europe/Berlin",
        *_VTIMEZONE.splitlines(),
    ]
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in _fold(line)]
    path = root / "Takeout" / "Calendar" / f"{person.email}.ics"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(folded) + "\r\n").encode())
