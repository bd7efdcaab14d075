"""Plausible-but-wrong variants of each issue-3 platform's files, and localized names.

A file that looks like a known platform's (its name, its folder, its preamble, its wrapper) but that the
importer cannot read must be claimed by that importer and reported — "unsupported" with the reason, or
a clear error with its position — never silently skipped by every importer."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdex.archive import Entry
from selfdex.importers import localized
from selfdex.importers.registry import load_importers
from selfdex.ingest import choose_importer
from selfdex.model import ImportProblem, Record
from selfdex.testing import entries

# importer → (path inside the export, content, expected severities of the problems)
VARIANTS: dict[str, tuple[str, bytes, set[str]]] = {
    "icalendar": (
        "Takeout/Kalender/contacts.ics",
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Jonas\nEND:VCARD\n",
        {"unsupported"},
    ),
    "mbox": (
        "Takeout/Mail/All mail.mbox",
        b"This mailbox was exported as plain text.\nSubject: hi\n",
        {"unsupported"},
    ),
    "twitter": ("data/tweets.js", b'window.YTD.tweets.part0 = {"tweets": {"id": "1"}}', {"unsupported"}),
    "twitter-grailbird": (
        "data/js/tweets/2012_01.js",
        b'Grailbird.data.tweets_2012_01 = [{"id_str": "1"}]',
        {"unsupported"},
    ),
    "instagram": (
        "instagram-mara-2027-01-01/your_instagram_activity/likes/liked_posts.json",
        b'{"likes_media_likes_v3": {"items": []}}',
        {"unsupported"},
    ),
    "facebook": (
        "facebook-mara-2027/your_facebook_activity/pages/pages_you've_liked.json",
        b'{"liked_pages_v3": {"items": [{"name": "Dune"}]}}',
        {"unsupported"},
    ),
    "kindle": (
        "documents/My Clippings.txt",
        b"Kindle notes exported by a sync app\r\nno separators here\r\n",
        {"error"},
    ),
    "pocket": (
        "part_000000.csv",
        b"url,title,added_on\nhttps://example.org/a,A,2024-01-01\n",
        {"unsupported"},
    ),
    "pocket-html": (
        "ril_export.html",
        b"<html><title>Pocket Export</title><body><p>moved</p></body></html>",
        {"unsupported"},
    ),
    "instapaper": (
        "instapaper-export.csv",
        b"Link,Name,Folder\nhttps://example.org/a,A,Unread\n",
        {"unsupported"},
    ),
    "strava": (
        "activities.csv",
        b"Activiteits-ID,Datum van activiteit,Naam van activiteit,Type activiteit,Verstreken tijd,Afstand\n"
        b'1,"5 okt 2014, 16:15:21",Ochtendloop,Hardlopen,1800,5.1\n',
        {"unsupported"},
    ),
    "apple_health": (
        "apple_health_export/export.xml",
        b'<?xml version="1.0"?>\n<HealthData locale="en_US">\n <Record type="HKQuantityTypeIdentifierStepCount"',
        {"error"},
    ),
    "uber": (
        "Uber Data/Rider/trips_data.csv",
        b"Stadt,Produkttyp,Status,Anfragezeit\nBerlin,UberX,COMPLETED,2023-02-21\n",
        {"unsupported"},
    ),
    "ofx": ("statement.qfx", b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\nno body here\n", {"error"}),
    "bank_csv": (
        "Umsatzliste_Girokonto.csv",
        b'"Kontonummer:";"DE12 1203 0000 0000 0000 00";\n"Zeitraum:";"01.01.2024 - 31.01.2024";\n\n'
        b'"Datum";"Text";"Wert"\n"01.01.24";"Miete";"-800,00"\n',
        {"unsupported"},
    ),
    "obsidian": ("Vault/.obsidian/workspace.json", b"{not json", {"error", "skipped"}),
}


@pytest.fixture(scope="module")
def importers() -> list:
    return load_importers()


@pytest.mark.parametrize("case", sorted(VARIANTS))
def test_wrong_variant_is_claimed_and_reported(case: str, tmp_path: Path, importers: list) -> None:
    member, content, severities = VARIANTS[case]
    path = tmp_path / member
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    expected = case.split("-")[0]
    (entry,) = [e for e in entries(tmp_path) if isinstance(e, Entry)]
    importer, _ = choose_importer(entry, importers)
    assert importer is not None and importer.name == expected, f"{member} not claimed by {expected}"
    outputs = list(importer.parse(entry))
    problems = [o for o in outputs if isinstance(o, ImportProblem)]
    assert problems, f"{expected} yielded nothing for a wrong variant of {member}"
    assert {p.severity for p in problems} <= severities, [(p.severity, p.reason) for p in problems]
    assert all(p.reason and p.member == entry.path for p in problems)
    if "unsupported" in severities:
        assert not [o for o in outputs if not isinstance(o, ImportProblem)]


def test_localized_table() -> None:
    assert localized.canonical(localized.FOLDERS, "Standortverlauf") == "location history"
    assert localized.canonical(localized.FOLDERS, "Meine Aktivitäten") == "my activity"
    assert localized.canonical(localized.FILE_NAMES, "Verlauf.json") == "history.json"
    assert localized.canonical(localized.FOLDERS, "Nonsense") is None
    assert localized.english_month("Okt.") == "Oct" and localized.english_month("März") == "Mar"
    assert localized.english_month("September") == "Sep" and localized.english_month("déc.") == "Dec"
    assert localized.english_month("xyz") is None
    assert "aktivitätsdatum" in localized.spellings(localized.STRAVA_COLUMNS, "date")


def test_has_folder(tmp_path: Path) -> None:
    path = tmp_path / "Takeout" / "Kalender" / "mara@example.com.ics"
    path.parent.mkdir(parents=True)
    path.write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    (entry,) = [e for e in entries(tmp_path) if isinstance(e, Entry)]
    assert localized.has_folder(entry, "calendar") and localized.has_folder(entry, "takeout")
    assert not localized.has_folder(entry, "mail")


def test_localized_names_are_recognised(tmp_path: Path, importers: list) -> None:
    """German Takeout folders, German Strava headers and month names, a German Gmail mbox name."""
    files = {
        "Takeout/Kalender/mara@example.com.ics": (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1@google.com\r\n"
            b"DTSTART:20240105T180000Z\r\nSUMMARY:Kino\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ),
        "Takeout/Mail/Alle E-Mails einschließlich Spam und Papierkorb.mbox": (
            b"From 1@xxx Tue Jun 09 15:49:11 +0000 2020\r\nFrom: a@example.org\r\nSubject: Hallo\r\n"
            b"Date: Tue, 09 Jun 2020 17:49:11 +0200\r\n\r\nText\r\n\r\n"
        ),
        "export_123/activities.csv": (
            "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Verstrichene Zeit,Distanz\n"
            '42,"5. Okt. 2014, 16:15:21",Morgenlauf,Laufen,1800,"5,1"\n'
        ).encode(),
    }
    for member, content in files.items():
        path = tmp_path / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    claimed = {}
    for entry in entries(tmp_path):
        importer, _ = choose_importer(entry, importers)
        assert importer is not None, entry.path
        outputs = list(importer.parse(entry))
        assert not [o for o in outputs if isinstance(o, ImportProblem)], entry.path
        claimed[entry.name] = (importer.name, outputs)
    assert claimed["mara@example.com.ics"][0] == "icalendar"
    assert claimed["Alle E-Mails einschließlich Spam und Papierkorb.mbox"][0] == "mbox"
    name, (run,) = claimed["activities.csv"]
    assert isinstance(run, Record)
    assert name == "strava" and run.item.title == "Morgenlauf" and run.when is not None
    assert (run.when.year, run.when.month, run.when.day, run.when.hour) == (2014, 10, 5, 16)
