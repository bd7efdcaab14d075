"""``recommend`` uses the person's strongest evidence: the same work's own records lead the reason,
more history never drops a series watched for years, and what the person finished is said."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.agent.recommend import recommend
from selfdex.cli.main import cli
from selfdex.ingest import import_path
from selfdex.rank import EmbeddedRanker, TextVectors, history_from_store
from selfdex.store import Store

from .export_files import write_netflix_simple, write_scrobbles
from .sample_store import fresh_store
from .test_eval_protocol import HashEmbedder


@pytest.fixture
def sample_store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


def test_a_series_watched_for_years_survives_the_history_cap_and_leads_the_reason(tmp_path: Path) -> None:
    old = datetime(2019, 1, 5, 20, 0)
    episodes = [
        (f"The Crown: Season {1 + i // 10}: Chapter {i % 10 + 1}", old + timedelta(days=i)) for i in range(60)
    ]
    episodes += [
        (f"Black Mirror: Series {1 + i // 6}: Episode {i % 6 + 1}", old + timedelta(days=70 + i))
        for i in range(12)
    ]
    # Newer and more numerous: distinct tracks played once each, two of them sharing a word with the shows.
    recent = datetime(2021, 3, 1, 8, 0, tzinfo=UTC)
    tracks = [("Various", f"Track {i:03d}") for i in range(78)] + [
        ("Bad Omens", "BABY ROYAL"),
        ("Shura", "Mirror"),
    ]
    plays = [(recent + timedelta(hours=5 * i), a, t) for i, (a, t) in enumerate(tracks)]
    with Store(tmp_path / "s.sqlite") as store:
        import_path(
            store, write_netflix_simple(tmp_path / "nf", [(t, d.strftime("%m/%d/%y")) for t, d in episodes])
        )
        import_path(store, write_scrobbles(tmp_path / "lastfm", plays))
        hist = history_from_store(store, limit=50)  # fewer slots than distinct items
        titles = {h.title: h for h in hist}
        assert titles["The Crown"].count == 60 and titles["Black Mirror"].count == 12
        assert titles["The Crown"].platform == "netflix"
        out = recommend(
            store,
            [{"title": "The Crown"}, {"title": "Black Mirror"}, {"title": "Bridgerton"}],
            platform="netflix",
            history=hist,
            ranker=EmbeddedRanker(TextVectors(HashEmbedder(64))),
        )
        by = {r.title: r for r in out.items}
        crown = by["The Crown"]
        assert crown.reason.startswith("60 of your records are “The Crown” (netflix)")
        assert "BABY ROYAL" not in crown.reason and crown.supporting[0].platform == "netflix"
        assert crown.supporting[0].title and crown.supporting[0].title.startswith("The Crown")
        assert by["Black Mirror"].reason.startswith("12 of your records are “Black Mirror”")
        assert "“Mirror”" not in by["Black Mirror"].reason.split(";")[0]
        assert not any(r.already_seen for r in out.items)  # episodes of a series are not "finished"
        assert out.history_records == 60 + 12 + 48  # the 50 kept: both shows and 48 of the tracks


def test_what_the_person_finished_is_marked_and_can_go_last(sample_store: Store) -> None:
    cands = [{"title": "The Notebook"}, {"title": "Dune: Part Two"}, {"title": "Mamma Mia!"}]
    ranker = EmbeddedRanker(TextVectors(HashEmbedder(64)))
    out = recommend(sample_store, cands, platform="netflix", ranker=ranker)
    dune = next(r for r in out.items if r.title == "Dune: Part Two")
    assert dune.already_seen and dune.reason.startswith("already seen (")
    assert "rated 5/5 on letterboxd" in dune.reason and "watched on netflix" in dune.reason
    assert {c.platform for c in dune.supporting[:2]} <= {"netflix", "letterboxd"}
    assert not next(r for r in out.items if r.title == "The Notebook").already_seen
    assert any("already finished" in n for n in out.notes)
    last = recommend(sample_store, cands, platform="netflix", ranker=ranker, seen="last")
    assert last.items[-1].title == "Dune: Part Two" and [r.rank for r in last.items] == [1, 2, 3]
    with pytest.raises(ValueError):
        recommend(sample_store, cands, ranker=ranker, seen="hide")


def test_a_forty_minute_start_is_not_a_viewing(sample_store: Store) -> None:
    # Keep only the evening she stopped Dune after 40 minutes: the full viewing, logs and ratings hidden.
    conn = sample_store.conn
    keep = conn.execute(
        "SELECT id FROM records WHERE platform = 'netflix' AND title = 'Dune' AND duration_s < 3600"
    ).fetchone()[0]
    hide = [
        r[0] for r in conn.execute("SELECT id FROM records WHERE lower(title) = 'dune' AND id != ?", (keep,))
    ]
    conn.executemany("INSERT INTO hidden_records VALUES (?, 'test')", [(h,) for h in hide])
    out = recommend(
        sample_store,
        [{"title": "Dune"}],
        platform="netflix",
        ranker=EmbeddedRanker(TextVectors(HashEmbedder(64))),
    )
    (dune,) = out.items
    assert not dune.already_seen and dune.reason.startswith("started (watched 40 min on netflix")


def test_demo_never_recommends_what_she_finished_without_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SELFDEX_STORE", raising=False)
    result = CliRunner().invoke(cli, ["demo", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rec = json.loads(result.stdout)["recommendation"]
    if "error" in rec:
        pytest.skip(f"no embedding model: {rec['error']}")
    items = {i["title"]: i for i in rec["items"]}
    for title in ("Dune: Part Two", "Never Let Me Go"):  # watched in full on Netflix and rated
        assert items[title]["already_seen"] and items[title]["reason"].startswith("already seen")
    assert not items["Interstellar"]["already_seen"]
