from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.mbox import MAX_TEXT_CHARS, MboxImporter, html_to_text
from selfdex.sample.platforms.mail import INJECTION
from selfdex.testing import entries, parse_path, recognitions

GMAIL_SEP = b"From 1700000000000000001@xxx Tue Jun 09 15:49:11 +0000 2020\r\n"


def _msg(headers: str, body: str = "Hello.") -> bytes:
    return (
        headers.strip("\n").replace("\n", "\r\n") + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n\r\n"
    ).encode("latin-1")


def test_gmail_takeout_sample(formats_dir: Path) -> None:
    folder = formats_dir / "google_takeout" / "mail"
    assert set(recognitions(folder).values()) == {"mbox"}
    records, problems = parse_path(MboxImporter(), folder)
    assert problems == []
    assert len(records) == 2
    ready, terms = records
    assert ready.platform == "gmail" and ready.action == "received" and ready.item.kind == "message"
    assert ready.item.title == "Your Google data is ready to download"
    assert ready.item.creators == ("Google Takeout",)
    assert ready.item.categories == ("Inbox", "Category Updates", "Unread")
    assert ready.extra["from"] == "noreply@google.com" and ready.extra["thread_id"] == "1669037033204104991"
    # base64 text/plain part decoded (the HTML alternative is not used)
    assert ready.text is not None and ready.text.startswith("Your account, your data.")
    # RFC 2822 date with the sender's offset
    assert terms.when == datetime(2020, 2, 22, 9, 27, 12, tzinfo=UTC) and terms.original_tz == "-08:00"
    assert terms.text is not None and "Terms of Service" in terms.text
    # streaming split gives exact positions
    assert terms.provenance is not None and terms.provenance.line == 147 and terms.provenance.index == 1
    assert terms.provenance.offset == 10112


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("takeout-*-mail.zip"))
    assert set(recognitions(bundle).values()) == {"mbox"}
    records, problems = parse_path(MboxImporter(), bundle)
    assert problems == []
    titles = {r.item.title for r in records}
    assert "Ihre Amazon.de Bestellung von „Shun Classic 8-inch Chef's Knife“" in titles  # RFC 2047 subject
    knife = next(r for r in records if r.item.title and "Shun" in r.item.title)
    assert knife.text is not None and "EUR 169,95" in knife.text and "<td>" not in knife.text  # HTML stripped
    jonas = next(r for r in records if r.item.creators == ("Jonas Müller",))
    assert jonas.text is not None and "für Dune: Part Two" in jonas.text  # Latin-1 quoted-printable
    assert "\nFrom the trailer" in jonas.text  # mboxrd '>From ' escape undone
    sent = [r for r in records if r.action == "messaged"]
    assert [r.item.title for r in sent] == ["Re: Dune: Part Two – Samstag?"]
    # a prompt injection is stored as inert, untrusted text, nothing more
    scam = next(r for r in records if r.item.title == "Action required: your refund")
    assert (
        scam.text == INJECTION and scam.action == "received" and scam.extra["labels"] == ["Inbox", "Unread"]
    )
    assert sum(1 for r in records if r.item.title and r.item.title.startswith("Lauftreff-News")) == 3


def test_plain_mbox_spam_and_long_bodies(tmp_path: Path) -> None:
    path = tmp_path / "Inbox"  # Thunderbird: no suffix, "From - " separators, LF
    long_body = "word " * 10_000
    data = b"".join(
        [
            b"From - Sat Jan  4 10:00:00 2020\n",
            _msg("From: a@example.org\nSubject: No date header\nMessage-ID: <1@x>", "one").replace(
                b"\r\n", b"\n"
            ),
            b"From - Sun Jan  5 10:00:00 2020\n",
            _msg(
                "From: =?iso-8859-1?q?J=F6rg?= <j@example.org>\nSubject: =?utf-8?b?TMOkbmdl?=\n"
                "Date: Sun, 05 Jan 2020 11:00:00 +0100\nContent-Type: text/plain; charset=x-unknown-charset",
                long_body,
            ),
            b"From - Mon Jan  6 10:00:00 2020\n",
            _msg(
                "From: spam@example.org\nSubject: Win\nX-Gmail-Labels: Spam\nDate: Mon, 06 Jan 2020 10:00:00 +0000"
            ),
        ]
    )
    path.write_bytes(data)
    assert MboxImporter().recognize(next(entries(path))) > 0.5
    records, problems = parse_path(MboxImporter(), path)
    assert [p.severity for p in problems] == ["skipped"] and problems[0].index == 2
    first, second = records
    assert first.platform == "mail" and first.when == datetime(2020, 1, 4, 10, tzinfo=UTC)  # separator date
    assert second.item.creators == ("Jörg",) and second.item.title == "Länge"
    assert second.when == datetime(2020, 1, 5, 10, tzinfo=UTC) and second.original_tz == "+01:00"
    assert second.text is not None and len(second.text) == MAX_TEXT_CHARS
    assert second.extra["text_truncated"] == len(long_body.strip())


def test_malformed(tmp_path: Path) -> None:
    path = tmp_path / "broken.mbox"
    path.write_bytes(
        b"".join(
            [
                GMAIL_SEP,
                _msg("From: ok@example.org\nSubject: Good\nDate: Tue, 09 Jun 2020 15:49:11 +0000"),
                GMAIL_SEP,
                _msg("From: bad@example.org\nSubject: Bad date\nDate: the day after tomorrow"),
                GMAIL_SEP,
                b"\x00\xff\xfe\x89PNG garbage \xc3\x28\r\n\r\n",
                GMAIL_SEP,
                _msg(
                    "From: cut@example.org\nSubject: Cut\nDate: Tue, 09 Jun 2020 16:00:00 +0000\nMIME-Version: 1.0\n"
                    'Content-Type: multipart/alternative; boundary="b1"',
                    "--b1\nContent-Type: text/plain\n\nstill readable",
                ),
            ]
        )
    )
    records, problems = parse_path(MboxImporter(), path)
    assert [r.item.title for r in records] == ["Good", "Bad date", "Cut"]
    # an unreadable Date: header falls back to the separator's delivery time, and says so
    assert records[1].when == datetime(2020, 6, 9, 15, 49, 11, tzinfo=UTC)
    assert records[1].extra["unreadable_date"] == "the day after tomorrow"
    # a multipart whose closing boundary never comes is still read
    assert records[2].text == "still readable"
    # binary garbage is a problem with its position, not a record
    assert len(problems) == 1 and problems[0].index == 2 and problems[0].line == 15
    assert problems[0].offset is not None and problems[0].offset > 0

    not_mbox = tmp_path / "notes.mbox"
    not_mbox.write_bytes(b"just some text\nwithout separators\n")
    records, problems = parse_path(MboxImporter(), not_mbox)
    assert records == [] and [p.severity for p in problems] == ["unsupported"]


def test_html_to_text() -> None:
    html = "<html><head><style>p{}</style></head><body><p>Hi&nbsp;there</p><script>x()</script><td>a</td><td>b</td></body>"
    assert html_to_text(html) == "Hi there\na b"
