from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.importers.netflix import NetflixImporter, split_title
from selfdex.model import Record
from selfdex.sample.person import FILMS, Person
from selfdex.sample.platforms.netflix import write_simple
from selfdex.testing import parse_path, recognitions

VIEWING_HEADER = (
    "Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device Type,Bookmark,"
    "Latest Bookmark,Country\n"
)


def _one(
    records: list[Record], action: str | None = None, title: str | None = None, **extra: object
) -> Record:
    """The one record with this action / item title / extra values (extra_<key>=value)."""
    found = [
        r
        for r in records
        if (action is None or r.action == action)
        and (title is None or r.item.title == title)
        and all(r.extra.get(k.removeprefix("extra_")) == v for k, v in extra.items())
    ]
    assert len(found) == 1, (action, title, extra, found)
    return found[0]


def test_real_samples_recognised(formats_dir: Path) -> None:
    assert set(recognitions(formats_dir / "netflix").values()) == {"netflix"}


def test_real_report(formats_dir: Path) -> None:
    records, problems = parse_path(NetflixImporter(), formats_dir / "netflix")
    assert [p for p in problems if p.severity != "skipped"] == []
    # every viewing row is a record or a skipped supplemental video
    viewing = [r for r in records if r.provenance and r.provenance.member.endswith("ViewingActivity.csv")]
    skipped = [p for p in problems if p.member and p.member.endswith("ViewingActivity.csv")]
    assert len(viewing) + len(skipped) == 23
    assert {p.reason.split(")")[0].split("(")[1] for p in skipped} == {
        "HOOK",
        "TRAILER",
        "RECAP",
        "BUMPER",
        "TEASER_TRAILER",
        "PROMOTIONAL",
    }
    assert all(p.index is not None and p.line is not None for p in skipped)
    assert not any("Trailer" in (r.item.title or "") for r in viewing)

    # pt-BR episode title: season and episode number split out, time is UTC
    last = _one(viewing, title="Fuller House: Temporada 5: O último episódio, de novo (Episódio 18)")
    assert last.item.kind == "episode"
    assert last.extra["series"] == "Fuller House"
    assert last.extra["season"] == "Temporada 5" and last.extra["season_number"] == 5
    assert last.extra["episode"] == "O último episódio, de novo" and last.extra["episode_number"] == 18
    assert last.when == datetime(2021, 5, 14, 1, 41, 15, tzinfo=UTC)
    assert last.original_tz == "UTC" and last.precision == "second"
    assert last.duration_s == 33 * 60 + 36
    assert last.extra["profile"] == "Akish Caxumba" and last.extra["country"] == "BR"
    assert last.extra["autoplayed"] is True
    # a show whose name has a colon
    minecraft = _one(viewing, extra_series="Minecraft: Story Mode")
    assert minecraft.extra["episode"] == "A Ordem da Pedra"
    # the earlier, partial view of an episode
    partial = _one(viewing, extra_latest_view=False)
    assert partial.duration_s == 247
    # three profiles of one household
    assert {r.extra["profile"] for r in records if "profile" in r.extra} == {
        "Akish Caxumba",
        "Xandin Careca",
        "Mamãe",
    }

    ratings = [r for r in records if r.action == "rated"]
    assert len(ratings) == 10
    you_me_her = _one(ratings, title="You Me Her")
    assert (you_me_her.rating, you_me_her.rating_scale, you_me_her.extra["thumbs"]) == (1, 3, "down")
    assert _one(ratings, title="The Get Down").extra["thumbs"] == "up"
    assert you_me_her.item.kind == "video"

    saved = _one(records, action="saved", title="Money, Explained")
    assert saved.precision == "day" and saved.when == datetime(2021, 5, 16, tzinfo=UTC)

    # 12 rows, 7 searches: a typed query's rows minutes apart are one search and what it led to
    searches = [r for r in records if r.action == "searched"]
    assert len(searches) == 7 and len({r.id for r in searches}) == 7
    cid = _one(searches, title="cid")
    assert cid.item.kind == "query" and cid.extra["result"] == "Cidade Invisível"
    assert cid.when == datetime(2021, 3, 21, 15, 43, 11, tzinfo=UTC)
    assert [x["action"] for x in cid.extra["results"]] == ["view_video_info", "play"]
    outlander = _one(searches, title="o", extra_result="Outlander - Guerreiro vs Predador")
    assert len(outlander.extra["results"]) == 3
    assert len([r for r in searches if r.item.title == "cr"]) == 2  # two hours apart: two searches

    choice = _one(records, action="viewed", extra_choice="Larva")
    assert choice.extra["episode"] == "Operation Jungle Rescue, Pt. 1"  # quotes stripped
    assert choice.extra["series"] == "You vs. Wild"

    mowgli = _one(records, action="interested")
    assert mowgli.item.title == "Mowgli: Legend of the Jungle" and mowgli.precision == "day"

    by_member = {p.member: p.reason for p in problems if p.index is None}
    assert "no data" in by_member["CONTENT_INTERACTION/PlaybackRelatedEvents.txt"]
    assert "not activity" in by_member["PROFILES/Profiles.csv"]


def test_real_simple_history_us_dates(formats_dir: Path) -> None:
    records, problems = parse_path(NetflixImporter(), formats_dir / "netflix" / "NetflixViewingHistory.csv")
    assert problems == []
    assert len(records) == 12
    first = records[0]
    assert first.item.title == "Trollhunters: Tales of Arcadia: Part 2: Hiss Hiss, Bang Bang"
    assert first.when == datetime(2020, 10, 21, tzinfo=UTC) and first.precision == "day"
    assert first.extra["series"] == "Trollhunters: Tales of Arcadia" and first.extra["season"] == "Part 2"
    assert first.extra["date_order"] == "mdy"
    assert records[8].extra["series"] == "The Last Kids on Earth"  # "Book 1" is a season label


@pytest.mark.parametrize(
    ("title", "kind", "series", "episode"),
    [
        ("Dune: Part Two", "movie", None, None),
        ("Arrival", "movie", None, None),
        ("Mission: Impossible: Fallout", "movie", None, None),
        ("Dark: Season 1: Secrets", "episode", "Dark", "Secrets"),
        (
            "Midnight Diner: Tokyo Stories: Season 1: Tonjiru",
            "episode",
            "Midnight Diner: Tokyo Stories",
            "Tonjiru",
        ),
        ("The Queen's Gambit: Limited Series: Openings", "episode", "The Queen's Gambit", "Openings"),
        (
            "Stranger Things: Stranger Things 2: Chapter One: MADMAX",
            "episode",
            "Stranger Things",
            "Chapter One: MADMAX",
        ),
        (
            "Haus des Geldes: Teil 3: Wir sind zurück (Folge 1)",
            "episode",
            "Haus des Geldes",
            "Wir sind zurück",
        ),
        ("Love, Death & Robots: Volume 1: Sonnie's Edge", "episode", "Love, Death & Robots", "Sonnie's Edge"),
    ],
)
def test_split_title(title: str, kind: str, series: str | None, episode: str | None) -> None:
    got_kind, extra = split_title(title)
    assert got_kind == kind
    assert extra.get("series") == series and extra.get("episode") == episode


def _history(tmp_path: Path, *dates: str) -> list[Record]:
    path = tmp_path / "NetflixViewingHistory.csv"
    path.write_text(
        "Title,Date\n" + "".join(f'"Show {i}","{d}"\n' for i, d in enumerate(dates)), encoding="utf-8"
    )
    records, problems = parse_path(NetflixImporter(), path)
    assert problems == []
    return records


@pytest.mark.parametrize(
    ("dates", "expected", "order"),
    [
        # a day above 12 anywhere settles it for the whole file, ambiguous rows included
        (("05/01/2021", "13/12/2020"), ["2021-01-05", "2020-12-13"], "dmy"),
        (("01/05/21", "12/13/20"), ["2021-01-05", "2020-12-13"], "mdy"),
        # every day ≤ 12: the reading that keeps the list newest-first wins
        (("03/02/21", "03/01/21", "02/12/21"), ["2021-03-02", "2021-03-01", "2021-02-12"], "mdy"),
        (("03.02.21", "03.01.21", "12.02.21"), ["2021-02-03", "2021-01-03", "2021-02-12"], "dmy"),
        # still tied: slash with a two-digit year is US, anything else day-first
        (("01/02/21",), ["2021-01-02"], "mdy"),
        (("01/02/2021",), ["2021-02-01"], "dmy"),
        (("01.02.21",), ["2021-02-01"], "dmy"),
        (("2021/01/31", "2021/01/02"), ["2021-01-31", "2021-01-02"], "ymd"),
    ],
)
def test_simple_history_locale_dates(
    tmp_path: Path, dates: tuple[str, ...], expected: list[str], order: str
) -> None:
    records = _history(tmp_path, *dates)
    assert [r.when.date().isoformat() for r in records if r.when] == expected
    assert {r.extra["date_order"] for r in records} == {order}


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "netflix-report.zip"
    assert set(recognitions(bundle).values()) == {"netflix"}
    records, problems = parse_path(NetflixImporter(), bundle)
    assert [p for p in problems if p.severity != "skipped"] == []
    assert sorted(p.reason.split(" is not")[0] for p in problems if p.index is not None) == [
        "supplemental video (HOOK)",
        "supplemental video (RECAP)",
        "supplemental video (TRAILER)",
    ]
    watched = [r for r in records if r.action == "watched"]
    person = Person(seed=7)
    dune = next(f for f in FILMS if f.title == "Dune")
    # the same evening Letterboxd logs
    dune_view = _one(watched, title="Dune", extra_latest_view=None)
    assert dune_view.when == person.film_watch(dune).replace(microsecond=0)
    assert dune_view.item.kind == "movie"
    assert _one(watched, title="Dune: Part Two").item.kind == "movie"
    secrets = _one(watched, title="Dark: Season 1: Secrets")
    assert secrets.item.kind == "episode" and secrets.extra["series"] == "Dark"
    assert any(r.extra.get("series") == "Midnight Diner: Tokyo Stories" for r in watched)
    assert {f.title for f in FILMS if f.on_netflix} <= {r.item.title for r in watched}
    assert not any(f.title == r.item.title for f in FILMS if not f.on_netflix for r in watched)
    # a household: the other profile's viewing is kept apart in extra
    assert {r.extra["profile"] for r in watched} == {"Mara", "Jonas"}
    assert _one(records, action="rated", title="Love Actually").extra["thumbs"] == "down"
    assert _one(records, action="rated", title="Dune: Part Two").extra["thumbs"] == "love"


def test_sample_person_simple_history(tmp_path: Path) -> None:
    path = write_simple(Person(seed=7), tmp_path)
    records, problems = parse_path(NetflixImporter(), path)
    assert problems == []
    assert {r.extra["date_order"] for r in records} == {"dmy"}
    dune = next(f for f in FILMS if f.title == "Dune")
    local_day = Person(seed=7).film_watch(dune).astimezone(Person().tz).date()
    assert any(r.item.title == "Dune" and r.when and r.when.date() == local_day for r in records)


def test_same_moment_on_two_profiles_stays_two_records(tmp_path: Path) -> None:
    row = "2024-01-02 20:00:00,00:40:00,,Dark: Season 1: Secrets,,TV,00:40:00,00:40:00,DE (Germany)\n"
    path = tmp_path / "ViewingActivity.csv"
    path.write_text(VIEWING_HEADER + "Mara," + row + "Jonas," + row + "Mara," + row, encoding="utf-8")
    records, _ = parse_path(NetflixImporter(), path)
    assert len(records) == 3 and len({r.id for r in records}) == 2  # the repeated row deduplicates


def test_malformed_viewing_activity(tmp_path: Path) -> None:
    path = tmp_path / "CONTENT_INTERACTION" / "ViewingActivity.csv"
    path.parent.mkdir()
    path.write_text(
        VIEWING_HEADER
        + "Mara,2024-01-02 20:00:00,00:40:00,,Dark: Season 1: Secrets,,TV,00:40:00,00:40:00,DE (Germany)\n"
        + "Mara,2024-01-03 20:00:00,00:40:00,,too few columns\n"
        + "Mara,yesterday evening,00:40:00,,Dark: Season 1: Lies,,TV,00:40:00,00:40:00,DE (Germany)\n"
        + "Mara,2024-01-04 20:00:00,00:40:00,,,,TV,00:40:00,00:40:00,DE (Germany)\n"
        + "Mara,2024-01-05 20:00:00,00:40:00,,Dark: Season 1: Past and Present,,TV,00:40:00,00:40:00,DE (Germany)\n",
        encoding="utf-8",
    )
    (tmp_path / "CONTENT_INTERACTION" / "Ratings.csv").write_bytes(b"\x00\x9f\xff garbage \x00" * 50)
    records, problems = parse_path(NetflixImporter(), tmp_path)
    assert [r.item.title for r in records] == ["Dark: Season 1: Secrets", "Dark: Season 1: Past and Present"]
    assert [(p.index, p.line) for p in problems] == [(1, 3), (2, 4), (3, 5)]
    assert "fields" in problems[0].reason
    assert "unreadable time" in problems[1].reason
    assert "no title" in problems[2].reason
    assert all(
        p.severity == "error" and p.member == "CONTENT_INTERACTION/ViewingActivity.csv" for p in problems
    )


def test_simple_history_bad_date(tmp_path: Path) -> None:
    path = tmp_path / "NetflixViewingHistory.csv"
    path.write_text(
        'Title,Date\n"Dark: Season 1: Secrets","13/01/2024"\n"Arrival","soon"\n"Dune","02/01/2024"\n'
    )
    records, problems = parse_path(NetflixImporter(), path)
    assert [r.when.date().isoformat() for r in records if r.when] == ["2024-01-13", "2024-01-02"]
    assert len(problems) == 1 and problems[0].index == 1 and problems[0].line == 3
    assert "unreadable date" in problems[0].reason


SCRUBS_HISTORY = """Title,Date
"Scrubs: My Own Personal Jesus","12/21/21"
"Scrubs: Season 1: My Mentor","12/20/21"
"Scrubs: Season 1: My Best Friend's Mistake","12/20/21"
"Kill Bill: Vol. 2","10/02/21"
"Kill Bill: Vol. 1","10/01/21"
"Dune: Part Two","09/15/21"
"Mission: Impossible: Fallout","08/03/21"
"Mission: Impossible: Rogue Nation","08/03/21"
"Mission: Impossible: Dead Reckoning Part One","08/02/21"
"Mission: Impossible: Ghost Protocol","08/02/21"
"Archer: Heart of Archness","07/09/21"
"Archer: Skytanic","07/09/21"
"Archer: The Limited","07/08/21"
"Archer: Mole Hunt","07/08/21"
"Archer: Training Day","07/07/21"
"""


def test_simple_history_episode_without_season_label(tmp_path: Path) -> None:
    """Netflix's simple history writes some episodes as "Show: Episode": the account's other rows name
    the show ("Scrubs: Season 1: …"), or five or more titles of one show are binged (some on one day)."""
    path = tmp_path / "NetflixViewingHistory.csv"
    path.write_text(SCRUBS_HISTORY, encoding="utf-8")
    records, problems = parse_path(NetflixImporter(), path)
    assert problems == []
    kinds = {r.item.title: r.item.kind for r in records}
    jesus = _one(records, title="Scrubs: My Own Personal Jesus")
    assert jesus.item.kind == "episode"
    assert (jesus.extra["series"], jesus.extra["episode"]) == ("Scrubs", "My Own Personal Jesus")
    assert "season" not in jesus.extra
    archer = [r for r in records if r.item.title and r.item.title.startswith("Archer: ")]
    assert {r.item.kind for r in archer} == {"episode"} and {r.extra["series"] for r in archer} == {"Archer"}
    # films of one franchise stay films: a sequel's "Part One", "Vol. 1" is no episode
    for film in ("Kill Bill: Vol. 1", "Kill Bill: Vol. 2", "Dune: Part Two", "Mission: Impossible: Fallout"):
        assert kinds[film] == "movie", film


def test_sample_person_simple_history_has_an_unlabelled_episode(tmp_path: Path) -> None:
    path = write_simple(Person(seed=7), tmp_path)
    assert '"Dark: Beginnings and Endings"' in path.read_text(encoding="utf-8")
    records, _ = parse_path(NetflixImporter(), path)
    ep = _one(records, title="Dark: Beginnings and Endings")
    assert ep.item.kind == "episode" and ep.extra["series"] == "Dark"
    assert {r.item.kind for r in records if r.item.title in {f.title for f in FILMS}} == {"movie"}
