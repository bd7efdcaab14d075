"""Entity linking: name normalisation rules, the sample person's generator truth, payments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfdex.ingest import import_path
from selfdex.profile import linkeval
from selfdex.profile.entities import _COLUMNS, Linking, link_records
from selfdex.profile.linking import update_entities
from selfdex.profile.names import creator_key, main_title, series_of_episode, soundtrack_of, title_key
from selfdex.sample.collisions import write_hard_negatives
from selfdex.store import Store

from .sample_store import fresh_store


@pytest.fixture(scope="module")
def sample_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = fresh_store(sample_exports, tmp_path_factory.mktemp("entities"))
    yield store
    store.close()


@pytest.fixture(scope="module")
def linking(sample_store: Store) -> Linking:
    return link_records(dict(r) for r in sample_store.conn.execute(f"SELECT {_COLUMNS} FROM records"))


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("The Remains of the Day (1993)", "remains of the day"),
        ("PiLOT (feat. Snoop Dogg, Busta Rhymes)", "pilot"),
        ("Dune (Original Motion Picture Soundtrack)", "dune"),
        ("Ninth House (Alex Stern, #1)", "ninth house"),
        ("Bohemian Rhapsody - Remastered 2011", "bohemian rhapsody"),
        ("Never Let Me Go (Kindle Edition)", "never let me go"),
        ("Dune Deluxe Edition (Hardcover)", "dune"),
        ("Salt, Fat, Acid, Heat", "salt fat acid heat"),
        ("Jóhann Jóhannsson", "johann johannsson"),
    ],
)
def test_title_key(raw: str, key: str) -> None:
    assert title_key(raw) == key


def test_name_rules() -> None:
    assert main_title("Exhalation: Stories") == "exhalation"
    assert soundtrack_of("Dune: Part Two (Original Motion Picture Soundtrack)") == "dune part two"
    assert soundtrack_of("In Rainbows") is None
    assert series_of_episode("Dark: Season 2: Dark Matter") == "Dark"
    assert series_of_episode("Fuller House: Temporada 5: O pedido (Episódio 9)") == "Fuller House"
    assert creator_key("The Chicks") == creator_key("Chicks") == "chicks"
    assert creator_key("24kGoldn feat. iann dior") == "24kgoldn"


def _entity(linking: Linking, key: str) -> int:
    return next(i for i, e in enumerate(linking.entities) if e.key == key)


def test_same_item_across_platforms(linking: Linking) -> None:
    dune = linking.entities[_entity(linking, "book:dune|frank herbert")]
    # Goodreads, Kindle highlights, the Amazon deluxe edition and the Obsidian note are one book
    assert {"goodreads", "kindle", "amazon", "obsidian"} <= set(dune.platforms)
    film = linking.entities[_entity(linking, "film:dune|2021")]
    assert {"netflix", "letterboxd"} <= set(film.platforms)  # Netflix writes no year: joined all the same
    assert set(linking.entities[_entity(linking, "creator:radiohead")].platforms) >= {
        "spotify",
        "lastfm",
        "apple_music",
        "youtube",
    }


def test_related_is_not_same(linking: Linking) -> None:
    book, film = _entity(linking, "book:dune|frank herbert"), _entity(linking, "film:dune|2021")
    sequel = _entity(linking, "film:dune part two|2024")
    album = _entity(linking, "album:dune|hans zimmer")
    assert book != film
    assert "adaptation_of" in linking.relations(film, book)
    assert "adaptation_of" in linking.relations(sequel, book)
    assert "soundtrack_of" in linking.relations(album, film)
    assert "franchise" in linking.relations(sequel, film)


def test_generator_truth_precision_recall(linking: Linking) -> None:
    scores = linkeval.score_pairs(linking, linkeval.sample_pairs(linking))
    assert scores["same"].precision >= 0.95 and scores["same"].recall >= 0.85
    assert scores["related"].precision >= 0.95 and scores["related"].recall >= 0.85


def test_payments_match_orders(sample_store: Store, linking: Linking) -> None:
    truth = linkeval.payment_truth(sample_store)
    predicted = {(a, b) for a, b, rel, _ in linking.record_links if rel == "payment"}
    assert truth and predicted == truth
    # without the order id in the bank text, amount and date proximity still find them
    rows = [dict(r) for r in sample_store.conn.execute(f"SELECT {_COLUMNS} FROM records")]
    blind = [{**r, "text": None} if r["kind"] == "transaction" else r for r in rows]
    by_amount = {(a, b) for a, b, rel, _ in link_records(blind).record_links if rel == "payment"}
    assert by_amount == truth


def test_ambiguous_title_is_not_merged(store: Store) -> None:
    rows = [
        _row("a", "letterboxd", "movie", "Dune", year=1984),
        _row("b", "letterboxd", "movie", "Dune", year=2021),
        _row("c", "netflix", "movie", "Dune"),
    ]
    linking = link_records(rows)
    a, b, c = (linking.entity_of(x) for x in "abc")
    assert len({a, b, c}) == 3  # Netflix's "Dune" could be either film: left alone


def test_update_entities_is_incremental(sample_store: Store) -> None:
    update_entities(sample_store, force=True)
    assert update_entities(sample_store) is False  # nothing changed since
    n = sample_store.conn.execute("SELECT count(*) FROM profile_entities").fetchone()[0]
    assert n > 50


def _row(
    rid: str,
    platform: str,
    kind: str,
    title: str,
    year: int | None = None,
    creators: tuple[str, ...] = (),
    text: str | None = None,
) -> dict[str, object]:
    return {
        "id": rid,
        "platform": platform,
        "action": "watched",
        "kind": kind,
        "title": title,
        "creators": json.dumps(list(creators)) if creators else None,
        "external_ids": None,
        "categories": None,
        "extra": f'{{"year": "{year}"}}' if year else None,
        "text": text,
        "occurred_at": None,
        "amount": None,
    }


# -- hard negatives: one-word titles, words inside longer titles ------------------------------------


@pytest.fixture(scope="module")
def hard_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("hard")
    store = fresh_store(sample_exports, folder)
    for bundle in write_hard_negatives(folder / "exports"):
        import_path(store, bundle)
    yield store
    store.close()


@pytest.fixture(scope="module")
def hard_linking(hard_store: Store) -> Linking:
    return link_records(dict(r) for r in hard_store.conn.execute(f"SELECT {_COLUMNS} FROM records"))


def _titles_of(store: Store, linking: Linking, key: str) -> dict[str, set[str]]:
    ent = _entity(linking, key)
    out: dict[str, set[str]] = {}
    for rid, pairs in linking.record_entities.items():
        for e, role in pairs:
            if e == ent:
                title = store.conn.execute("SELECT title FROM records WHERE id = ?", (rid,)).fetchone()[0]
                out.setdefault(role, set()).add(title)
    return out


def test_one_word_film_links_only_what_is_about_it(hard_store: Store, hard_linking: Linking) -> None:
    drive = _titles_of(hard_store, hard_linking, "film:drive|2011")
    assert drive["item"] == {"Drive"}  # Letterboxd (2011) and Netflix (no year): one film
    assert drive["mention"] == {
        "Drive (2011) Official Trailer",
        "Rewatched Drive: that soundtrack, that elevator scene. Refn at his best.",
    }
    film = _entity(hard_linking, "film:drive|2011")
    assert "adaptation_of" in hard_linking.relations(film, _entity(hard_linking, "book:drive|james sallis"))
    for other in (
        "track:drive|incubus",
        "book:drive the surprising truth about what motivates us|daniel h pink",
    ):
        assert not hard_linking.relations(film, _entity(hard_linking, other))
    assert "soundtrack_of" in hard_linking.relations(_entity(hard_linking, "track:nightcall|kavinsky"), film)


def test_hard_negative_pairs_meet_the_targets(hard_store: Store, hard_linking: Linking) -> None:
    pairs = linkeval.collision_pairs(linkeval.collision_nodes(hard_store))
    assert len(pairs) > 600 and sum(g in linkeval.LINK_LABELS for _, _, g in pairs) >= 20
    counts, _errors = linkeval.score_record_pairs(hard_linking, pairs)
    assert counts["all"].precision >= 0.95 and counts["all"].recall >= 0.85


@pytest.mark.parametrize(
    ("entity", "text", "linked"),
    [
        (("film", "Wonder Woman", 2017), "Stevie Wonder live at the Hollywood Bowl", False),
        (("film", "Mission: Impossible", 1996), "that jump is physically impossible", False),
        (("film", "Drive", 2011), "how to clone a hard drive", False),
        (("film", "Drive", 2011), "drive traffic to your wiki", False),
        (("film", "Drive", 2011), "drive 2011 soundtrack", True),
        (("film", "Wonder Woman", 2017), "wonder woman 1984 trailer", True),
        (("film", "Mission: Impossible", 1996), "mission impossible theme on repeat", True),
        (("film", "Titanic", 1997), "titanic effort by the team", False),
    ],
)
def test_text_mentions_need_the_whole_name_and_corroboration(
    entity: tuple[str, str, int], text: str, linked: bool
) -> None:
    _kind, title, year = entity
    rows = [
        _row("w1", "letterboxd", "movie", title, year=year),
        _row("w2", "netflix", "movie", title),
        _row("t", "twitter", "post", text, text=text),
        _row("x", "spotify", "track", "Superstition", creators=("Stevie Wonder",)),
    ]
    linking = link_records(rows)
    work = linking.entity_of("w1")
    assert work is not None and linking.entity_of("w2") == work
    assert (work in {e for e, _ in linking.record_entities.get("t", ())}) is linked
