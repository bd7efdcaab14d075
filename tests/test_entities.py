"""Entity linking: name normalisation rules, the sample person's generator truth, payments."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdex.profile import linkeval
from selfdex.profile.entities import _COLUMNS, Linking, link_records, update_entities
from selfdex.profile.names import creator_key, main_title, series_of_episode, soundtrack_of, title_key
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


def _row(rid: str, platform: str, kind: str, title: str, year: int | None = None) -> dict[str, object]:
    return {
        "id": rid,
        "platform": platform,
        "action": "watched",
        "kind": kind,
        "title": title,
        "creators": None,
        "external_ids": None,
        "categories": None,
        "extra": f'{{"year": "{year}"}}' if year else None,
        "text": None,
        "occurred_at": None,
        "amount": None,
    }
