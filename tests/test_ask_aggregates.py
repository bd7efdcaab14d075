"""``ask`` answers counting, ranking, listing and first/last questions from the whole store.

The fixtures reproduce the real shapes that went wrong: a Last.fm year where the most-played track is
not the one of the first days, and a Netflix viewing history holding each Harry Potter film 4–5 times
among hundreds of other titles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from selfdex.agent import ask
from selfdex.agent.backends import ChatReply, Message
from selfdex.ingest import import_path
from selfdex.sample.person import Person
from selfdex.store import Store

from .export_files import write_netflix_simple, write_scrobbles
from .sample_store import fresh_store


@pytest.fixture(scope="module")
def sample_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path_factory.mktemp("ask-agg"))
    yield s
    s.close()


def test_most_played_in_a_year_counts_the_whole_year(tmp_path: Path) -> None:
    # Early January: one track 6 times a day for three days (what a sample of the first records sees);
    # over the year another track is played 164 times.
    plays: list[tuple[datetime, str, str]] = []
    for day in range(3):
        for k in range(6):
            plays.append(
                (
                    datetime(2020, 1, 1 + day, 8, 0, tzinfo=UTC) + timedelta(minutes=7 * k),
                    "Fen",
                    "Gelatinous Cube",
                )
            )
    start = datetime(2020, 1, 10, 19, 0, tzinfo=UTC)
    for i in range(164):
        plays.append((start + timedelta(days=2 * i, minutes=i % 50), "Low", "Lullaby"))
    for i in range(300):  # filler: many other tracks, a few plays each
        plays.append(
            (datetime(2020, 1, 4, tzinfo=UTC) + timedelta(hours=20 * i), "Various", f"Song {i % 120}")
        )
    with Store(tmp_path / "s.sqlite") as store:
        import_path(store, write_scrobbles(tmp_path / "lastfm", plays))
        a = ask(store, "what music did I listen to most in 2020?")
        assert a.aggregate is not None and a.aggregate["value"] == ["Lullaby"]
        assert "Lullaby" in a.answer and "164 plays" in a.answer and "not a sample" in a.answer
        assert a.aggregate["records"] == len(plays)
        assert a.citations and all(c.title == "Lullaby" for c in a.citations)
        assert all(store.get(c.id) is not None for c in a.citations)
        n = ask(store, "how many times did I listen to Gelatinous Cube in 2020?")
        assert n.aggregate is not None and n.aggregate["value"] == 18


def test_which_films_lists_every_film_in_the_store(tmp_path: Path) -> None:
    films = [
        "Harry Potter and the Philosopher's Stone",
        "Harry Potter and the Chamber of Secrets",
        "Harry Potter and the Prisoner of Azkaban",
        "Harry Potter and the Goblet of Fire",
        "Harry Potter and the Order of the Phoenix",
        "Harry Potter and the Half-Blood Prince",
        "Harry Potter and the Deathly Hallows: Part 1",
        "Harry Potter and the Deathly Hallows: Part 2",
    ]
    rows: list[tuple[str, str]] = []
    day = datetime(2019, 1, 1)
    for i, film in enumerate(films * 5):
        if i % 8 == 7 and i > 30:
            continue  # the last one only 4 times
        rows.append((film, (day + timedelta(days=3 * i)).strftime("%d/%m/%Y")))
    for i in range(400):
        rows.append((f"Some Show: Season 1: Episode {i}", (day + timedelta(days=i)).strftime("%d/%m/%Y")))
    path = write_netflix_simple(tmp_path / "nf", rows)
    with Store(tmp_path / "s.sqlite") as store:
        import_path(store, path)
        a = ask(store, "which Harry Potter films did I watch?")
        assert a.aggregate is not None
        assert sorted(a.aggregate["value"]) == sorted(films)
        for film in films:
            assert film in a.answer
        assert "unknown here" not in a.answer


def test_mirrored_plays_count_once_and_skips_not_at_all(sample_store: Store) -> None:
    person = Person(seed=7)
    truth = [
        p
        for p in person.plays()
        if p.track.title == "Reckoner" and p.when.year == 2024 and p.ms_played >= 30_000
    ]
    a = ask(sample_store, "how many times did I listen to Reckoner in 2024?")
    assert a.aggregate is not None and a.aggregate["value"] == len(truth)
    # Spotify and its Last.fm scrobbles hold ~2 records per listen: the merge is stated.
    assert a.aggregate["records"] > len(truth)
    assert any("same event" in n for n in a.notes) and any("under 30 s" in n for n in a.notes)
    assert f"{len(truth)} times" in a.answer


def test_other_profiles_are_not_the_persons_viewing(sample_store: Store) -> None:
    a = ask(sample_store, "which films did I watch in 2025?")
    assert a.aggregate is not None
    assert "The Gray Man" not in a.aggregate["value"]  # the partner's Netflix profile
    assert any("another netflix profile (Jonas)" in n for n in a.notes)


def test_first_and_last(sample_store: Store) -> None:
    first = ask(sample_store, "when did I first watch Arrival?")
    assert first.aggregate is not None and first.aggregate["value"] == "2025-06-06"
    last_book = ask(sample_store, "what was the last book I read?")
    assert (
        last_book.aggregate is not None and last_book.aggregate["value"] == "Stories of Your Life and Others"
    )
    # "last year" is a window, not "the last one"
    n = ask(sample_store, "how many books did I read last year?")
    assert n.aggregate is not None and n.aggregate["value"] == 2 and n.aggregate["intent"]["op"] == "count"
    # A year inside a title is not a window.
    br = ask(sample_store, "when did I first watch Blade Runner 2049?")
    assert br.interpretation["since"] is None
    assert br.aggregate is not None and br.aggregate["value"] == "2024-12-16"


def test_cross_platform_both(sample_store: Store) -> None:
    a = ask(sample_store, "which films did I watch on both Netflix and Letterboxd?")
    assert a.aggregate is not None
    assert "The Remains of the Day" not in a.aggregate["value"]  # not on Netflix
    assert {"Arrival", "Dune", "Dune: Part Two"} <= set(a.aggregate["value"])


def test_retrieval_answers_say_when_they_rest_on_a_sample(sample_store: Store) -> None:
    a = ask(sample_store, "did I listen to anything in 2024?")
    assert a.aggregate is None
    assert "rests on a sample" in a.answer and "of 2," in a.answer  # of the 2,xxx records that year
    assert any(n.startswith("this answer rests on a sample") for n in a.notes)


class _Phrasing:
    """A model that phrases the draft: it may keep or change the aggregate's number."""

    name, supports_tools, max_records = "phrasing", False, 12

    def __init__(self, say: str) -> None:
        self.say = say
        self.prompts: list[str] = []

    def chat(self, messages: list[Message], **kw: Any) -> ChatReply:
        self.prompts.append(str(messages[-1]["content"]))
        return ChatReply(content=json.dumps({"citations": ["R1"], "answer": self.say}))


def test_a_model_phrases_the_aggregate_and_may_not_change_it(sample_store: Store) -> None:
    q = "how many books did I read in 2024?"
    good = _Phrasing("You finished 2 books in 2024.")
    a = ask(sample_store, q, backend=good)
    assert a.mode == "model" and a.answer == "You finished 2 books in 2024."
    assert "aggregate_over_all_records" in good.prompts[0]
    bad = _Phrasing("You read 7 books in 2024.")
    b = ask(sample_store, q, backend=bad)
    assert b.mode == "extractive" and "2 different books" in b.answer
    assert any("did not state the aggregate" in n for n in b.notes)


def test_a_tool_model_can_ask_for_an_aggregate(sample_store: Store) -> None:
    from selfdex.agent.backends import ToolCall

    sent: list[list[Message]] = []

    class ToolModel:
        name, supports_tools, max_records = "tools", True, 12

        def chat(self, messages: list[Message], **kw: Any) -> ChatReply:
            sent.append(list(messages))
            if kw.get("tools") and not any(m["role"] == "tool" for m in messages):
                args = json.dumps({"question": "how many books did I read in 2024?"})
                return ChatReply(content=None, tool_calls=[ToolCall("c1", "aggregate", args)])
            if kw.get("tools"):
                return ChatReply(content="done")
            tool = next(m for m in messages if m["role"] == "tool")
            data = json.loads(str(tool["content"]).removeprefix("<data>").removesuffix("</data>"))
            ref = data["records"][0]["ref"]
            n = data["aggregate"]["value"]
            return ChatReply(content=json.dumps({"citations": [ref], "answer": f"You finished {n} books."}))

    a = ask(sample_store, "tell me about my reading", backend=ToolModel())
    assert a.mode == "model+tools" and a.answer == "You finished 2 books."
    assert a.citations and all(sample_store.get(c.id) is not None for c in a.citations)


def test_one_run_recorded_by_two_apps_under_two_names_is_one_run(sample_store: Store) -> None:
    from selfdex.sample.platforms.google_fit import fit_runs
    from selfdex.sample.platforms.strava import runs

    truth = sum(1 for r in runs(Person(seed=7)) if r.start.year == 2024)
    # Google Fit also recorded one week of them (September 2024)
    fit = len(fit_runs(Person(seed=7), [date(2024, 9, 10) + timedelta(days=i) for i in range(7)]))
    a = ask(sample_store, "how many runs did I do in 2024?")
    assert a.aggregate is not None and a.aggregate["value"] == truth
    # Strava's "Grunewald Evening Trail Run" = Apple's "Running" (= Fit's "Running")
    assert a.aggregate["records"] == 2 * truth + fit
    assert f"{truth} times" in a.answer
