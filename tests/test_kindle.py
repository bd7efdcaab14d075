from __future__ import annotations

from datetime import datetime
from pathlib import Path

from selfdex.importers.kindle import KindleClippingsImporter, parse_added, split_title
from selfdex.testing import parse_path, recognitions

SEP = "=========="


def _clip(title: str, meta: str, text: str = "", nl: str = "\r\n") -> str:
    return f"\ufeff{title}{nl}{meta}{nl}{nl}{text}{nl}{SEP}{nl}"


def test_real_samples_recognised(formats_dir: Path) -> None:
    assert recognitions(formats_dir / "kindle") == {
        "My Clippings.txt": "kindle",
        "My Clippings.zh-CN.txt": "kindle",
    }


def test_english_sample(formats_dir: Path) -> None:
    records, problems = parse_path(KindleClippingsImporter(), formats_dir / "kindle/My Clippings.txt")
    assert problems == []
    assert len(records) == 9 and {r.action for r in records} == {"highlighted"}
    first = records[0]
    # the BOM before every title is gone, "(Author)" becomes the creator
    assert first.item.title == "Make It Stick" and first.item.creators == ("Peter C. Brown",)
    assert all(not (r.item.title or "").startswith("\ufeff") for r in records)
    # "Sunday, February 23, 2020 2:58:27 PM", device wall clock with no zone
    assert first.when == datetime.fromisoformat("2020-02-23T14:58:27+00:00")
    assert first.original_tz == "local" and first.precision == "second"
    assert first.extra["location"] == "55-56"
    assert first.text is not None and first.text.startswith("Most books deal with topics serially—they")
    assert not first.text.endswith("\r")  # CRLF stripped
    # a sideloaded PDF: no "(Author)", page instead of location, AM time, NFD title made NFC
    pdf = records[-1]
    assert pdf.item.title == "C041 PDF La vie après la mort" and pdf.item.creators == ()
    assert pdf.extra == {"page": "26", "identity": "highlight@26/"}
    assert pdf.when == datetime.fromisoformat("2020-04-18T01:08:34+00:00")
    assert records[3].extra["location"] == "123"  # "Location 123-123"


def test_chinese_sample(formats_dir: Path) -> None:
    records, problems = parse_path(KindleClippingsImporter(), formats_dir / "kindle/My Clippings.zh-CN.txt")
    assert problems == []
    assert [r.action for r in records] == [
        "saved",
        "saved",
        "saved",
        "highlighted",
        "noted",
        "noted",
        "highlighted",
        "noted",
        "saved",
    ]
    # "我的书签 在 第 65 页 | 添加于2013年12月18日星期三 下午04:55:44": a bookmark, afternoon
    bookmark = records[0]
    assert bookmark.text is None and bookmark.extra["page"] == "65"
    assert bookmark.when == datetime.fromisoformat("2013-12-18T16:55:44+00:00")
    highlight = records[3]
    assert highlight.item.title == "知乎周刊·读书这件小事" and highlight.item.creators == ("知乎",)
    assert (
        highlight.extra["location"] == "465-466" and highlight.text and highlight.text.startswith("小的时候")
    )
    # newer wording "您在位置 #471 的笔记 | 添加于 2013年12月27日星期五 上午1:58:30"
    note = records[7]
    assert note.item.title == "《科学松鼠会-Kindle精选》第1期（2013年5月）" and note.item.creators == (
        "科学松鼠会",
    )
    assert note.text == "未婚妻问题。" and note.extra["location"] == "471"
    assert note.when == datetime.fromisoformat("2013-12-27T01:58:30+00:00")
    assert records[8].extra["location"] == "76" and records[8].text is None
    # two clippings in the same second stay distinct
    assert records[5].when == records[6].when and records[5].id != records[6].id


def test_edited_highlight_keeps_the_latest(tmp_path: Path) -> None:
    meta = "- Your Highlight on page 12 | Location {} | Added on Sunday, 3 March 2019 10:0{}:00"
    (tmp_path / "My Clippings.txt").write_text(
        _clip("Dune (Frank Herbert)", meta.format("170-171", 0), "The sand keeps")
        + _clip("Dune (Frank Herbert)", meta.format("171-172", 1), "An unrelated line nearby.")
        + _clip("Dune (Frank Herbert)", meta.format("170-173", 2), "The sand keeps   its own ledger.")
        + _clip("Dune Messiah (Frank Herbert)", meta.format("170-171", 3), "The sand keeps")
        # extended backwards, and the same highlight exported twice
        + _clip("Dune Messiah (Frank Herbert)", meta.format("160-171", 4), "Before all else. The sand keeps.")
        + _clip("Dune Messiah (Frank Herbert)", meta.format("160-171", 4), "Before all else. The sand keeps.")
        # page-only clippings (PDF): same page, text extended
        + _clip("Notes.pdf", "- Your Highlight on page 3 | Added on Sunday, 3 March 2019 10:05:00", "One")
        + _clip(
            "Notes.pdf", "- Your Highlight on page 3 | Added on Sunday, 3 March 2019 10:06:00", "One two"
        ),
        encoding="utf-8",
    )
    records, problems = parse_path(KindleClippingsImporter(), tmp_path)
    assert [r.text for r in records] == [
        "An unrelated line nearby.",
        "The sand keeps   its own ledger.",
        "Before all else. The sand keeps.",
        "One two",
    ]
    assert [(p.severity, p.index, p.line) for p in problems] == [
        ("skipped", 0, 1),
        ("skipped", 3, 16),
        ("skipped", 4, 21),
        ("skipped", 6, 31),
    ]
    assert "superseded" in problems[0].reason and "record 2" in problems[0].reason
    # UK-style date, 24-hour clock
    assert records[1].when == datetime.fromisoformat("2019-03-03T10:02:00+00:00")
    assert records[1].extra["location"] == "170-173" and records[1].extra["page"] == "12"


def test_meta_line_variants() -> None:
    assert parse_added("Added on Tuesday, April 05, 2011, 10:30 PM") == (
        datetime(2011, 4, 5, 22, 30),
        "minute",
    )
    assert parse_added("Added on Sunday, 3 March 2019 12:05:00 AM") == (datetime(2019, 3, 3, 0, 5), "second")
    assert parse_added("Hinzugefügt am Sonntag, 3. März 2019 22:05:09") == (
        datetime(2019, 3, 3, 22, 5, 9),
        "second",
    )
    assert parse_added("Añadido el domingo, 3 de marzo de 2019 9:05:09") == (
        datetime(2019, 3, 3, 9, 5, 9),
        "second",
    )
    assert parse_added("添加于 2019年3月3日星期日 下午12:30:00") == (datetime(2019, 3, 3, 12, 30), "second")
    assert parse_added("Added on someday") is None
    assert split_title("\ufeffMake It Stick (Peter C. Brown;Henry L. Roediger III)") == (
        "Make It Stick",
        ("Peter C. Brown", "Henry L. Roediger III"),
    )
    assert split_title("Foo (Vol. 2) (Smith, Jane (ed.))") == ("Foo (Vol. 2)", ("Smith, Jane (ed.)",))


def test_other_firmware_and_languages(tmp_path: Path) -> None:
    (tmp_path / "clips.txt").write_text(
        _clip(
            "Old Book (A)",
            "- Highlight Loc. 1234-37  | Added on Tuesday, April 05, 2011, 10:30 PM",
            "x",
            "\n",
        )
        + _clip(
            "Old Book (A)", "- Bookmark on Page 22 | Loc. 336  | Added on Tuesday, April 05, 2011, 10:31 PM"
        )
        + _clip(
            "Neu (B)", "- Ihre Notiz bei Position 55 | Hinzugefügt am Sonntag, 3. März 2019 22:05:09", "gut"
        )
        + _clip(
            "新 (C)", "- 您在第 12 页（位置 #123-125）的标注 | 添加于 2019年3月3日星期日 下午10:00:00", "字"
        )
        + _clip("Full (D)", "- Your Highlight at location 9-10 | Added on Monday, May 6, 2019 8:00:00 AM", "")
        + _clip(
            "Full (D)",
            "- Your Highlight at location 20-21 | Added on Monday, May 6, 2019 8:01:00 AM",
            "<You have reached the clipping limit for this item>",
        ),
        encoding="utf-8",
    )
    records, problems = parse_path(KindleClippingsImporter(), tmp_path)
    assert problems == []
    got = [(r.action, r.extra.get("page"), r.extra.get("location"), r.text) for r in records]
    assert got == [
        ("highlighted", None, "1234-1237", "x"),  # "1234-37": old firmware shortens the end
        ("saved", "22", "336", None),
        ("noted", None, "55", "gut"),
        ("highlighted", "12", "123-125", "字"),
        ("highlighted", None, "9-10", None),
        ("highlighted", None, "20-21", None),
    ]
    assert records[5].extra["clipping_limit"] is True
    assert records[3].when == datetime.fromisoformat("2019-03-03T22:00:00+00:00")


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "Kindle"
    assert recognitions(bundle) == {"documents/My Clippings.txt": "kindle"}
    records, problems = parse_path(KindleClippingsImporter(), bundle)
    # the one edited highlight leaves its first version behind, reported as skipped
    assert [(p.severity, "superseded" in p.reason) for p in problems] == [("skipped", True)]
    titles = {r.item.title for r in records}
    assert titles == {"Dune", "Never Let Me Go", "Stories of Your Life and Others"}
    assert {r.action for r in records} == {"highlighted", "noted", "saved"}
    dune = [r for r in records if r.item.title == "Dune"]
    assert all(r.item.creators == ("Frank Herbert",) for r in dune)
    assert any(r.text and r.text.endswith("A spilled tear was a debt.") for r in dune)
    assert not any(r.text == "Water was counted the way other worlds count gold." for r in dune)
    # clippings fall while she was reading the book (Dune: June 2023 for seed 7)
    assert all(r.when is not None and r.when.strftime("%Y-%m") == "2023-06" for r in dune)


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "My Clippings.txt"
    path.write_text(
        _clip(
            "Good (A)", "- Your Highlight on Location 1-2 | Added on Sunday, March 1, 2020 11:09:29 PM", "ok"
        )
        + _clip(
            "Bad Date (A)", "- Your Highlight on Location 3-4 | Added on Sonntag, 1 Smarch 2020 11:09", "x"
        )
        + _clip(
            "Weird (A)", "- Your Scribble on Location 5 | Added on Sunday, March 1, 2020 11:09:29 PM", "y"
        )
        + "just some words\r\n"
        + SEP
        + "\r\n"
        + _clip(
            "Also Good (A)", "- Your Note on Location 7 | Added on Sunday, March 1, 2020 11:10:00 PM", "n"
        )
        + "Truncated (A)\r\n- Your Highlight on Location 9-9 | Added on Sunday, March 1, 2020 11:11:00 PM\r\n\r\nhalf a sen",
        encoding="utf-8",
    )
    records, problems = parse_path(KindleClippingsImporter(), tmp_path)
    assert [(r.item.title, r.text) for r in records] == [
        ("Good", "ok"),
        ("Also Good", "n"),
        ("Truncated", "half a sen"),
    ]
    assert [(p.severity, p.index, p.line) for p in problems] == [
        ("error", 1, 7),
        ("unsupported", 2, 12),
        ("error", 3, 16),
    ]
    assert "unreadable date" in problems[0].reason and "unknown clipping type" in problems[1].reason
    assert "not a clipping" in problems[2].reason


def test_binary_garbage(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"\x00\x01\xff\xfe" * 100)
    assert recognitions(tmp_path) == {"notes.txt": None}
    (tmp_path / "My Clippings.txt").write_bytes(b"\x00\x01\xff\xfe" * 100)
    records, problems = parse_path(KindleClippingsImporter(), tmp_path)
    assert records == [] and len(problems) == 1 and problems[0].member == "My Clippings.txt"
