"""LinkedIn export: the Connections.csv "Notes:" preamble, positions, skills, inferences, messages."""

from __future__ import annotations

from pathlib import Path

from selfdex.importers.linkedin import LinkedInImporter
from selfdex.testing import parse_path, recognitions

_NOTES = 'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'


def test_connections_behind_the_preamble(tmp_path: Path) -> None:
    (tmp_path / "Connections.csv").write_text(
        _NOTES + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Jonas,Müller,https://www.linkedin.com/in/j,jonas@example.org,Zalando,Engineer,14 Feb 2021\n"
        ",,,,,,02 Feb 2024\n"
        "Anna,Berg,https://www.linkedin.com/in/a,,,,the other day\n",
        encoding="utf-8",
    )
    records, problems = parse_path(LinkedInImporter(), tmp_path)
    (jonas,) = records
    assert (
        jonas.action == "followed"
        and jonas.item.kind == "person"
        and jonas.item.creators == ("Jonas Müller",)
    )
    assert jonas.when is not None and jonas.when.date().isoformat() == "2021-02-14"
    assert "Email Address" not in jonas.raw  # the address is not kept
    assert len(problems) == 1 and problems[0].line == 7  # counted from the top of the file, preamble included


def test_positions_skills_inferences(tmp_path: Path) -> None:
    (tmp_path / "Positions.csv").write_text(
        "Company Name,Title,Description,Location,Started On,Finished On\n"
        "Ottobock,Product Designer,,Berlin,Mar 2022,\nFreelance,UX Designer,,,Jan 2019,Feb 2022\n",
        encoding="utf-8",
    )
    (tmp_path / "Skills.csv").write_text("Name\nFigma\n", encoding="utf-8")
    (tmp_path / "Inferences_about_you.csv").write_text(
        "Category,Type of inference,Description,Inference\nAudience Network,Interest,Interests inferred for ads,Science fiction\n",
        encoding="utf-8",
    )
    records, problems = parse_path(LinkedInImporter(), tmp_path)
    assert problems == []
    current = next(r for r in records if r.item.title == "Product Designer at Ottobock")
    assert current.extra["current"] is True and current.precision == "month"
    past = next(r for r in records if r.item.title == "UX Designer at Freelance")
    assert past.extra["finished"] == "2022-02"
    assert any(r.action == "noted" and r.item.title == "Figma" for r in records)
    inferred = next(r for r in records if r.action == "interested")
    assert inferred.extra["inferred"] is True and inferred.item.title.endswith("Science fiction")  # type: ignore[union-attr]


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "Basic_LinkedInDataExport_07-01-2025.zip"
    assert recognitions(bundle)["Profile.csv"] is None
    records, problems = parse_path(LinkedInImporter(), bundle)
    assert problems == []
    people = {r.item.title for r in records if r.item.kind == "person"}
    assert people == {
        "Jonas Müller",
        "Lea Hoffmann",
        "Katrin Vogel",
    }  # the member with a hidden name is left out
    messages = sorted((r.action, r.item.creators) for r in records if r.item.kind == "message")
    assert messages == [
        ("messaged", ("Mara Lindqvist",)),
        ("received", ("Jonas Müller",)),
        ("received", ("Katrin Vogel",)),
    ]


def test_messages_know_the_account_holder(tmp_path: Path) -> None:
    head = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n"
    (tmp_path / "messages.csv").write_text(
        head + "c1,,Katrin Vogel,u1,Mara Lindqvist,u2,2024-01-28 17:05:12 UTC,,Great meeting you!,INBOX\n"
        "c1,,Mara Lindqvist,u2,Katrin Vogel,u1,2024-01-28 18:00:00 UTC,,Likewise,INBOX\n"
        'c2,,Jonas Müller,u3,"Mara Lindqvist,Lea Hoffmann",u2,2024-02-01 09:00:00 UTC,,Lunch?,INBOX\n',
        encoding="utf-8",
    )
    records, problems = parse_path(LinkedInImporter(), tmp_path)
    assert problems == []
    assert [(r.action, r.item.creators) for r in records] == [
        ("received", ("Katrin Vogel",)),
        ("messaged", ("Mara Lindqvist",)),
        ("received", ("Jonas Müller",)),
    ]
    assert records[0].when is not None and records[0].when.isoformat() == "2024-01-28T17:05:12+00:00"
