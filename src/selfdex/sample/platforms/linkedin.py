"""LinkedIn "Get a copy of your data" (basic archive): ``Basic_LinkedInDataExport_07-01-2025.zip`` with
``Connections.csv`` behind its ``Notes:`` preamble (e-mail addresses mostly blank, one member with a hidden
name), ``Positions.csv`` (``Jan 2020``, blank end = current), ``Skills.csv``, ``Inferences_about_you.csv``,
``Shares.csv``, ``messages.csv`` and ``Profile.csv`` (account data, not activity)."""

from __future__ import annotations

from pathlib import Path

from ..person import Person
from ._csv import write_csv

BUNDLE = "Basic_LinkedInDataExport_07-01-2025.zip"

_NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. You will '
    "only see email addresses for connections who have allowed their connections to see or download their email "
    "address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)


def write(person: Person, root: Path) -> None:
    write_csv(
        root / "Connections.csv",
        ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"],
        [
            (
                "Jonas",
                "Müller",
                "https://www.linkedin.com/in/jonas-mueller-b3r1",
                "",
                "Zalando",
                "Data Engineer",
                "14 Feb 2022",
            ),
            (
                "Lea",
                "Hoffmann",
                "https://www.linkedin.com/in/leahoffmann",
                "lea.hoffmann@example.net",
                "Charité",
                "Physician",
                "03 Sep 2022",
            ),
            (
                "Katrin",
                "Vogel",
                "https://www.linkedin.com/in/katrinvogel",
                "",
                "Ottobock",
                "UX Researcher",
                "28 Jan 2024",
            ),
            ("", "", "", "", "", "", "02 Feb 2024"),
        ],
        lineterminator="\r\n",
    )
    text = (root / "Connections.csv").read_text(encoding="utf-8")
    (root / "Connections.csv").write_text(_NOTES + text, encoding="utf-8", newline="")
    write_csv(
        root / "Positions.csv",
        ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
        [
            (
                "Ottobock",
                "Product Designer",
                "Design of fitting apps for prosthetics technicians.",
                "Berlin, Germany",
                "Mar 2023",
                "",
            ),
            ("Freelance", "UX Designer", "", "Berlin", "Jan 2022", "Feb 2023"),
        ],
    )
    write_csv(
        root / "Skills.csv",
        ["Name"],
        [("User Experience Design",), ("Figma",), ("Japanese",), ("Usability Testing",)],
    )
    write_csv(
        root / "Inferences_about_you.csv",
        ["Category", "Type of inference", "Description", "Inference"],
        [
            ("Audience Network", "Interest", "Interests inferred for ads", "Outdoor recreation"),
            ("Audience Network", "Interest", "Interests inferred for ads", "Science fiction"),
            ("Profile", "Seniority", "Seniority inferred from your profile", "Senior"),
        ],
    )
    write_csv(
        root / "Shares.csv",
        ["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"],
        [
            (
                "2024-05-14 08:12:55",
                "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7196",
                "We shipped the new fitting app!\nProud of the team.",
                "",
                "",
                "MEMBER_NETWORK",
            )
        ],
    )
    write_csv(
        root / "messages.csv",
        [
            "CONVERSATION ID",
            "CONVERSATION TITLE",
            "FROM",
            "SENDER PROFILE URL",
            "TO",
            "RECIPIENT PROFILE URLS",
            "DATE",
            "SUBJECT",
            "CONTENT",
            "FOLDER",
        ],
        [
            (
                "2-YTE3",
                "",
                "Katrin Vogel",
                "https://www.linkedin.com/in/katrinvogel",
                person.name,
                "https://www.linkedin.com/in/maralind",
                "2024-01-28 17:05:12 UTC",
                "",
                "Great meeting you at the UX Berlin meetup!",
                "INBOX",
            ),
            (
                "2-YTE3",
                "",
                person.name,
                "https://www.linkedin.com/in/maralind",
                "Katrin Vogel",
                "https://www.linkedin.com/in/katrinvogel",
                "2024-01-28 19:40:03 UTC",
                "",
                "Likewise! Send me the prosthetics fitting study when it is out.",
                "INBOX",
            ),
            (
                "2-Zk91",
                "",
                "Jonas Müller",
                "https://www.linkedin.com/in/jonas-mueller-b3r1",
                person.name,
                "https://www.linkedin.com/in/maralind",
                "2024-06-03 08:15:00 UTC",
                "Zalando is hiring designers",
                "Thought of you when I saw this opening.",
                "INBOX",
            ),
        ],
    )
    write_csv(
        root / "Profile.csv",
        ["First Name", "Last Name", "Headline", "Geo Location"],
        [("Mara", "Lindqvist", "Product Designer", "Berlin")],
    )
