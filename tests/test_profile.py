"""The profile on the sample person: planted themes and dislikes, with citations to real records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from selfdex.ingest import import_path
from selfdex.model import Item, Record
from selfdex.profile import DOMAINS, Profile, build_profile, linkeval
from selfdex.profile.features import load_rows
from selfdex.profile.names import fold
from selfdex.sample.collisions import write_hard_negatives
from selfdex.sample.person import DISLIKES, THEMES
from selfdex.store import Store

from .sample_store import fresh_store


@pytest.fixture(scope="module")
def sample_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = fresh_store(sample_exports, tmp_path_factory.mktemp("profile"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def profile(sample_store: Store) -> Profile:
    return build_profile(sample_store)


# Words that name each planted interest, besides its creators.
_THEME_WORDS = {
    "dune": "dune",
    "arrival": "arrival",
    "ishiguro": "ishiguro",
    "cooking": "cook",
    "running": "running",
}


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_planted_themes_surface(profile: Profile, theme: str) -> None:
    creators = [fold(c) for c in THEMES[theme]["creators"]]  # type: ignore[union-attr]
    word = _THEME_WORDS.get(theme)
    hits = [
        f
        for f in profile.select(kind="theme")
        if any(c in fold(f.label) for c in creators) or (word and word in fold(f.label))
    ]
    assert hits, f"no theme fact for {theme}"
    assert max(len(f.platforms) for f in hits) >= 3


def test_dune_theme_spans_books_film_and_music(profile: Profile) -> None:
    dune = profile.get("theme:dune")
    assert dune is not None and "Frank Herbert" in dune.label
    assert {"goodreads", "kindle", "netflix", "letterboxd", "spotify", "amazon"} <= set(dune.platforms)


def test_music_creators(profile: Profile) -> None:
    themes = " | ".join(f.label for f in profile.select(kind="theme"))
    assert "Radiohead" in themes and "Nils Frahm" in themes


def test_dislikes(profile: Profile) -> None:
    labels = " | ".join(f.label for f in profile.select(kind="dislike"))
    for title in (
        *DISLIKES["films"],
        *DISLIKES["books"],
        *DISLIKES["abandoned"],
        *DISLIKES["skipped_artists"],
    ):
        assert title in labels, title
    assert "Returned Salomon Speedcross" in labels


def test_dislikes_are_not_tastes(profile: Profile) -> None:
    tastes = " | ".join(f.label for f in profile.select(kind="taste"))
    assert "Love Actually" not in tastes and "Dua Lipa" not in tastes


def test_every_domain_has_facts(profile: Profile) -> None:
    for domain in DOMAINS:
        assert profile.select(domain=domain), domain
    routines = {f.key for f in profile.select(kind="routine")}
    assert "routine:hours:music" in routines


def test_citations_resolve_to_records(sample_store: Store, profile: Profile) -> None:
    cited = {c for f in profile.facts for c in f.citations}
    assert cited
    found = set()
    ids = sorted(cited)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        q = f"SELECT id FROM records WHERE id IN ({','.join('?' for _ in chunk)})"
        found |= {r[0] for r in sample_store.conn.execute(q, chunk)}
    assert found == cited
    assert all(f.citations for f in profile.facts if f.kind != "note")


def test_other_netflix_profiles_are_not_the_person(profile: Profile) -> None:
    assert not any("Formula 1" in f.label for f in profile.facts)


def test_deterministic(sample_store: Store, profile: Profile) -> None:
    again = build_profile(sample_store)
    assert [f.to_dict(None) for f in again.facts] == [f.to_dict(None) for f in profile.facts]
    assert len({f.key for f in profile.facts}) == len(profile.facts)


def test_cached_facts_equal_a_fresh_computation(sample_store: Store, profile: Profile) -> None:
    cached = build_profile(sample_store)  # served from the profile_facts tables
    assert cached.to_dict(None) == profile.to_dict(None)
    assert sample_store.conn.execute("SELECT count(*) FROM profile_fact_sets").fetchone()[0] >= 1
    with sample_store.transaction() as conn:
        conn.execute("DELETE FROM profile_fact_members")
        conn.execute("DELETE FROM profile_fact_sets")
        conn.execute("DELETE FROM profile_fact_rows")  # and the parsed rows: every record parsed again
        conn.execute("DELETE FROM profile_fact_meta")
    assert build_profile(sample_store).to_dict(None) == profile.to_dict(None)


def test_hiding_records_invalidates_the_cached_facts(sample_store: Store, profile: Profile) -> None:
    dune = next(f for f in profile.facts if f.key.startswith("theme:") and "Dune" in f.label)
    with sample_store.transaction() as conn:
        conn.executemany(
            "INSERT INTO hidden_records (record_id, reason) VALUES (?, 'test')",
            [(c,) for c in dune.citations],
        )
    try:
        after = build_profile(sample_store)
        again = after.get(dune.key)
        assert again is None or len(again.citations) < len(dune.citations)
    finally:
        with sample_store.transaction() as conn:
            conn.execute("DELETE FROM hidden_records WHERE reason = 'test'")
    assert build_profile(sample_store).to_dict(None) == profile.to_dict(None)


def test_topic_themes_are_whole_phrases(profile: Profile) -> None:
    # Before: "theme:fiction" (a word of "science fiction"), "theme:japan" found "japanese" by prefix and
    # "Blade Runner 2049" sat in the running theme.
    keys = {f.key for f in profile.select(kind="theme")}
    assert "theme:science fiction" in keys and "theme:fiction" not in keys
    running = [f for f in profile.select(kind="theme") if "run" in f.key]
    assert running
    assert not any("Blade Runner" in f.label for f in running)


def test_themes_on_hard_negatives_cite_only_what_they_are_about(
    sample_exports: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("hard-profile")
    store = fresh_store(sample_exports, folder)
    try:
        for bundle in write_hard_negatives(folder / "exports"):
            import_path(store, bundle)
        themes = build_profile(store).select(kind="theme")
        golds = {rid: gold for rid, gold, _item, _n in linkeval.collision_records(store)}
        purity = {key: (n, ok) for key, n, ok in linkeval.theme_purity(themes, golds)}
        assert {"theme:drive", "theme:titanic"} <= set(purity)
        assert all(n == ok for n, ok in purity.values()), purity  # no song, tech video or tweet about nothing
        drive = next(f for f in themes if f.key == "theme:drive")
        titles = {
            store.conn.execute("SELECT title FROM records WHERE id = ?", (c,)).fetchone()[0]
            for c in drive.citations
        }
        assert {"Drive", "Nightcall", "A Real Hero"} <= titles
        assert "5 Signs Your Hard Drive Is Failing" not in titles
    finally:
        store.close()


def _record(platform: str, action: str, kind: str, title: str, day: int, text: str | None = None) -> Record:
    return Record(
        platform=platform,
        action=action,
        item=Item(kind=kind, title=title),
        when=datetime(2024, 3, day, 20, tzinfo=UTC),
        text=text,
        importer="test",
        importer_version="1",
    )


def test_a_topic_theme_is_its_whole_phrase_never_one_word_of_it(tmp_path: Path) -> None:
    # Two platforms infer "Wonder Woman"; Stevie Wonder and "physically impossible" share one word each.
    records = [
        _record("twitter", "interested", "topic", "Wonder Woman", 1),
        _record("facebook", "interested", "topic", "Wonder Woman", 2),
        _record("instagram", "posted", "post", "cosplay", 3, "My Wonder Woman cosplay for the con"),
        _record("youtube", "watched", "video", "Stevie Wonder - Superstition (Live 1973)", 4),
        _record("youtube", "watched", "video", "Stevie Wonder - Sir Duke", 5),
        _record("chrome", "visited", "web_page", "I wonder why it rains - Google Search", 6),
        _record("twitter", "interested", "topic", "Mission: Impossible", 7),
        _record("facebook", "interested", "topic", "Mission: Impossible", 8),
        _record("twitter", "posted", "post", "impossible", 9, "That jump is physically impossible"),
        _record("chrome", "visited", "web_page", "Impossible Burger near me - Google Search", 10),
    ]
    store = Store(tmp_path / "store.sqlite")
    with store.transaction():
        store.insert_records(records, store.start_job("test", None, "test"))
    themes = build_profile(store).select(kind="theme")
    store.close()
    assert [f.label for f in themes] == ["Wonder Woman"]  # no theme "wonder", none "impossible"
    assert set(themes[0].citations) == {records[0].id, records[1].id, records[2].id}


def test_rows_kept_in_the_store_equal_rows_parsed_now(sample_store: Store, profile: Profile) -> None:
    # The facts read each record as parsed once at import (profile_fact_rows); a store that cannot keep
    # those rows parses its records on the spot, and both must read the same.
    kept = load_rows(sample_store)
    assert len(kept) == profile.records > 1000
    assert kept == load_rows(sample_store, stored=False)
    assert any(r.terms for r in kept) and any(r.said for r in kept) and any(r.ts for r in kept)


def test_rows_keep_each_repeated_value_once(sample_store: Store) -> None:
    # The facts hold every visible record's row: a repeated value is one object, not one per row
    # (SQLite hands a new str per row), so a row takes a few hundred bytes.
    rows = load_rows(sample_store)
    assert all(isinstance(r.said, tuple) and isinstance(r.categories, tuple) for r in rows)
    for field in ("platform", "action", "kind", "precision"):
        values = [getattr(r, field) for r in rows if getattr(r, field) is not None]
        assert len({id(v) for v in values}) == len(set(values)), field
    stems = [st for r in rows for st in r.said]
    assert len({id(st) for st in stems}) == len(set(stems))
    spelled = [c for r in rows for c in r.categories]
    assert len({id(c) for c in spelled}) == len(set(spelled))


def test_every_inferred_fact_comes_from_its_family(profile: Profile) -> None:
    from selfdex.profile.evidence import KINDS
    from selfdex.profile.families import FAMILIES

    assert set(FAMILIES) <= set(KINDS)
    inferred = {f.kind for f in profile.facts if f.kind not in ("pinned", "note")}
    # each family yields its own kind only, and the sample person has every one of them
    assert inferred == set(FAMILIES)
