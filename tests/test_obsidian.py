from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.obsidian import ObsidianImporter, parse_front_matter
from selfdex.testing import entries, parse_path, recognitions


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "obsidian"
    found = recognitions(folder)
    assert found and set(found.values()) == {"obsidian"}, found
    records, problems = parse_path(ObsidianImporter(), folder)
    assert {p.severity for p in problems} == {"skipped"}
    assert sorted(p.member for p in problems if p.member) == [
        "vault/.obsidian/app.json",
        "vault/.obsidian/daily-notes.json",
        "vault/.obsidian/types.json",
        "vault/Templates/Bases/Movies.base",
    ]
    by_title = {r.item.title: r for r in records}
    assert {r.action for r in records} == {"noted"} and {r.item.kind for r in records} == {"note"}
    # a note filed under [[Movies]] says what it is about; wikilinked properties are unwrapped
    blade = by_title["Blade Runner"]
    assert blade.item.categories == ("Movies",) and blade.extra["about"] == "movie"
    assert blade.item.creators == ("Ridley Scott",) and blade.item.ids == {"imdb": "tt0083658"}
    assert blade.rating == 7 and blade.rating_scale == 7
    assert blade.when == datetime(2023, 9, 14, tzinfo=UTC) and blade.precision == "day"
    assert blade.extra["properties"]["year"] == 1982
    kyoto = by_title["Kyoto"]
    assert kyoto.extra["about"] == "place" and kyoto.extra["properties"]["coordinates"] == [
        "35.021041",
        "135.7556075",
    ]
    # property-less daily note: the date is its file name; embeds count as links
    daily = by_title["2023-09-12"]
    assert daily.when == datetime(2023, 9, 12, tzinfo=UTC) and daily.extra["links"] == ["Daily.base"]
    meeting = by_title["2023-09-12 Meeting with Steph"]
    assert meeting.extra["links"] == ["Out of Control", "Emergence"] and meeting.item.categories == (
        "Meetings",
    )
    clip = by_title["In good hands"]
    assert clip.item.url == "https://stephango.com/in-good-hands" and clip.text and "omakase" in clip.text
    # sandbox notes outside a vault are recognised by Obsidian syntax (callouts, inline tags, obsidian://)
    assert by_title["Callout"].extra["links"] == ["Internal link"]
    assert by_title["Task"].extra["tags"] == ["tags"]
    assert {"Footnote", "Links", "Readme"} <= set(by_title)


def test_stray_markdown_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Your data\n\nThis archive contains your [data](#data).\n- [ ] todo\n"
    )
    (tmp_path / "notes.txt").write_text("---\ntitle: x\n---\n")
    imp = ObsidianImporter()
    assert [imp.recognize(e) for e in entries(tmp_path)] == [0.0, 0.0]


def test_zipped_vault(tmp_path: Path) -> None:
    path = tmp_path / "vault.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("My Vault/.obsidian/app.json", "{}")
        zf.writestr("My Vault/Plain.md", "No markers at all, still a note in a vault.")
        zf.writestr("Other/README.md", "Not in the vault.")
    found = recognitions(path)
    assert found["My Vault/Plain.md"] == "obsidian" and found["Other/README.md"] is None
    records, _ = parse_path(ObsidianImporter(), path)
    assert [r.extra["identity"] for r in records] == ["Plain.md"]


def test_sample_person(sample_exports: Path) -> None:
    vault = sample_exports / "Obsidian Vault"
    assert set(recognitions(vault).values()) == {"obsidian"}
    records, problems = parse_path(ObsidianImporter(), vault)
    assert [p.member for p in problems if p.severity != "skipped"] == []
    assert all(p.member and p.member.startswith(".obsidian/") for p in problems)
    dune = next(r for r in records if r.item.title == "Dune")
    assert dune.item.categories == ("Books", "scifi", "reread") and dune.extra["about"] == "book"
    assert dune.item.creators == ("Frank Herbert",) and dune.item.ids == {"isbn13": "9780441172719"}
    assert dune.rating == 5 and dune.rating_scale == 5 and dune.when is not None
    assert "Dune: Part Two" in dune.extra["links"] and "Dune (2021)" in dune.extra["links"]
    dashi = next(r for r in records if r.item.title == "Dashi")
    assert "Recipes" in dashi.item.categories and {"cooking", "japanese"} <= set(dashi.extra["tags"])
    runs = [r for r in records if "running" in r.item.categories]
    assert len(runs) == 6 and all(r.extra["date_from"] == "file name" for r in runs)


def test_front_matter_reader() -> None:
    props, unparsed = parse_front_matter(
        [
            "categories: [[Movies]]",
            "tags: [a, 'b c', \"d\"]",
            "rating: 4.5",
            "done: true",
            "empty:",
            "list:",
            "  - one",
            '  - "[[Two]]"',
            "nested:",
            "  key: value",
        ]
    )
    assert props["categories"] == "[[Movies]]"
    assert props["tags"] == ["a", "b c", "d"] and props["rating"] == 4.5 and props["done"] is True
    assert props["empty"] is None and props["list"] == ["one", "[[Two]]"]
    assert unparsed == ["  key: value"]


def test_malformed(tmp_path: Path) -> None:
    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "good.md").write_text("---\nrating: 3\n---\nfine #ok\n")
    (vault / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00garbage")
    (vault / "unterminated.md").write_text("---\ntitle: never closed\nbody text [[Link]]\n")
    (vault / "bad-date.md").write_text("---\ndate: someday\ncategories: [[Books]]\n  weird: [\n---\ntext\n")
    records, problems = parse_path(ObsidianImporter(), vault)
    errors = [p for p in problems if p.severity == "error"]
    assert [p.member for p in errors] == ["binary.md"] and errors[0].offset == 8
    by_title = {r.item.title: r for r in records}
    assert by_title["good"].rating == 3 and by_title["good"].item.categories == ("ok",)
    # an unclosed front matter block is body text, as Obsidian shows it
    assert (
        by_title["unterminated"].extra["links"] == ["Link"]
        and "properties" not in by_title["unterminated"].extra
    )
    bad = by_title["bad-date"]
    assert (
        bad.when is None
        and bad.extra["about"] == "book"
        and bad.extra["front_matter_unparsed"] == ["  weird: ["]
    )
