"""WhatsApp _chat.txt: iOS and Android layouts, locale date order, notices, media, multi-line messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers.whatsapp import WhatsAppImporter
from selfdex.testing import parse_path, recognitions

LRM = "\u200e"


def _parse(tmp_path: Path, name: str, text: str) -> tuple[list, list]:  # type: ignore[type-arg]
    (tmp_path / name).write_text(text, encoding="utf-8")
    return parse_path(WhatsAppImporter(), tmp_path)


def test_ios_us_locale_with_narrow_space_before_pm(tmp_path: Path) -> None:
    chat = (
        f"[1/5/24, 7:42:07\u202fPM] Film Club: {LRM}Messages and calls are end-to-end encrypted.\n"
        "[1/5/24, 7:43:00\u202fPM] Jonas Müller: Dune tonight?\n"
        "[1/15/24, 12:05:09\u202fAM] Mara Lindqvist: yes\n"
        f"{LRM}[1/15/24, 12:06:00\u202fAM] Jonas Müller: {LRM}image omitted\n"
    )
    records, problems = _parse(tmp_path, "_chat.txt", chat)
    assert problems == []
    assert [r.when for r in records] == [
        datetime(2024, 1, 5, 19, 43, tzinfo=UTC),
        datetime(2024, 1, 15, 0, 5, 9, tzinfo=UTC),
        datetime(2024, 1, 15, 0, 6, tzinfo=UTC),
    ]
    assert records[0].extra["date_order"] == "mdy" and records[0].original_tz == "local"
    assert records[0].precision == "second"
    assert records[2].text is None and records[2].extra["media"] == "image omitted"


def test_android_day_first_decided_by_a_later_line(tmp_path: Path) -> None:
    chat = (
        "03/04/2023, 09:03 - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
        '03/04/2023, 09:03 - Lea created group "Run: Sunday"\n'
        '03/04/2023, 09:04 - Lea changed the subject from "Run" to "Run: Sunday"\n'
        "03/04/2023, 09:05 - Lea: first line\n"
        "second line\n"
        "\n"
        "third after a blank\n"
        "25/04/2023, 18:40 - Lea: <Media omitted>\n"
        "25/04/2023, 18:41 - +49 151 23456789: who is this\n"
    )
    records, problems = _parse(tmp_path, "WhatsApp Chat with Lea.txt", chat)
    assert problems == []
    assert records[0].when == datetime(2023, 4, 3, 9, 5, tzinfo=UTC) and records[0].precision == "minute"
    assert records[0].text == "first line\nsecond line\n\nthird after a blank"
    assert records[0].item.title == "Lea" and records[0].item.creators == ("Lea",)
    assert records[0].provenance.line == 4  # type: ignore[union-attr]
    assert records[1].extra["media"] == "Media omitted"
    assert records[2].item.creators == ("+49 151 23456789",)
    assert len(records) == 3  # the notices (even one with a colon in it) are not messages


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("15.01.24, 19:42 - Jonas: hallo", datetime(2024, 1, 15, 19, 42, tzinfo=UTC)),  # German: dots
        (
            "[2024-01-15, 19:42:07] Jonas: hej",
            datetime(2024, 1, 15, 19, 42, 7, tzinfo=UTC),
        ),  # Swedish: year first
        ("1/2/24, 7:42 PM - Jonas: hi", datetime(2024, 1, 2, 19, 42, tzinfo=UTC)),  # undecided: 12-hour → US
        (
            "1/2/24, 19:42 - Jonas: hi",
            datetime(2024, 2, 1, 19, 42, tzinfo=UTC),
        ),  # undecided: 24-hour → day first
    ],
)
def test_locale_date_orders(tmp_path: Path, line: str, expected: datetime) -> None:
    records, problems = _parse(tmp_path, "_chat.txt", line + "\n")
    assert problems == [] and [r.when for r in records] == [expected]


def test_identical_messages_in_one_minute_are_kept_apart_and_a_bad_date_is_one_problem(
    tmp_path: Path,
) -> None:
    chat = "01/04/2023, 09:05 - Mara: ok\n01/04/2023, 09:05 - Mara: ok\n31/02/2023, 09:06 - Mara: when?\n13/04/2023, 09:07 - Mara: fine\n"
    records, problems = _parse(tmp_path, "_chat.txt", chat)
    assert len(records) == 3 and len({r.id for r in records}) == 3
    assert len(problems) == 1 and problems[0].line == 3 and problems[0].index == 2


def test_not_a_chat(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("shopping list\nmilk\n", encoding="utf-8")
    assert recognitions(tmp_path)["notes.txt"] != "whatsapp"


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "WhatsApp Chat - Dune Night.zip"
    assert recognitions(bundle)["_chat.txt"] == "whatsapp"
    records, problems = parse_path(WhatsAppImporter(), bundle)
    assert problems == []
    assert {r.item.title for r in records} == {"Dune Night"}  # the chat is named after the zip
    assert {c for r in records for c in r.item.creators} == {"Jonas Müller", "Lea Hoffmann", "Mara Lindqvist"}
    assert not any("end-to-end" in (r.text or "") or "changed the subject" in (r.text or "") for r in records)
    multi = next(r for r in records if (r.text or "").startswith("Not really"))
    assert multi.text is not None and multi.text.endswith("(no spoilers)") and "\r" not in multi.text
    assert any(r.extra.get("deleted") for r in records)
    assert any(r.extra.get("media", "").startswith("attached:") for r in records)
    android, problems = parse_path(WhatsAppImporter(), sample_exports / "WhatsApp Android")
    assert problems == [] and {r.item.title for r in android} == {"Jonas Müller"}
    assert sum(1 for r in android if r.text == "ok") == 2
    # one-to-one, named after Jonas: Mara exported it, so Jonas's messages are received, hers messaged
    assert {(r.action, r.item.creators[0]) for r in android} == {
        ("received", "Jonas Müller"),
        ("messaged", "Mara Lindqvist"),
    }
    assert {r.action for r in records} == {"messaged"}  # a group does not say who exported it
