"""Redaction: recall on the labelled set, and the rules that keep useful text intact."""

from __future__ import annotations

from pathlib import Path

from benchmarks.redaction import NEGATIVES, STRUCTURED, labelled_set, measure

from selfdex.gate.redact import Redactor, people_from_store_rows


def test_recall_on_the_labelled_set() -> None:
    results = measure(Redactor(), labelled_set(per_category=100, seed=11))
    for category in STRUCTURED:
        caught, total = results[category]
        assert caught / total >= 0.99, (category, caught, total)
    assert results["address"][0] / results["address"][1] >= 0.95
    assert results["person"][0] / results["person"][1] >= 0.95


def test_negatives_survive() -> None:
    r = Redactor()
    assert [t for t in NEGATIVES if r.redact(t) != t] == []


def test_coordinates_are_rounded_not_removed() -> None:
    assert Redactor(geo_decimals=2).redact("at 52.520008, 13.404954.") == "at 52.52, 13.40."
    assert "52.520008" in Redactor(keep=frozenset({"coords"})).redact("at 52.520008, 13.404954")


def test_kept_categories_and_links() -> None:
    text = "Mail jonas@example.org, see ![x](https://evil.example/?q=1) and www.evil.example/a"
    assert Redactor().redact(text) == "Mail [email], see [link] and [link]"
    assert "jonas@example.org" in Redactor(keep=frozenset({"email"})).redact(text)


def test_names_only_in_free_text() -> None:
    people = frozenset(people_from_store_rows([["Frank Meyer", "Amazon.de", "Grunewald Trail Runners"]]))
    assert "Frank Meyer" in people and "Frank" in people and "Amazon.de" not in people
    r = Redactor(people=people)
    assert r.redact("Dune by Frank Herbert", free_text=False) == "Dune by Frank Herbert"
    assert r.redact("Frank said the trailer was great") == "[person] said the trailer was great"
    assert r.redact("Love Actually is bad.\n\nThanks, Lea") == "Love Actually is bad.\n\nThanks, [person]"


def test_full_names_match_in_any_case_first_names_only_as_written() -> None:
    r = Redactor(people=frozenset({"Mark Jansen", "Mark"}))
    assert r.redact("mark jansen new address") == "[person] new address"
    assert r.redact("MARK JANSEN") == "[person]"
    assert r.redact("Mark said hi") == "[person] said hi"
    assert r.redact("mark the date in the calendar") == "mark the date in the calendar"


def test_names_in_profile_links() -> None:
    r = Redactor(keep=frozenset({"link"}), people=frozenset({"Lea Schäfer", "Lea", "Jonas Müller"}))
    assert r.redact_link("https://www.instagram.com/lea.schaefer/") == "https://www.instagram.com/[person]/"
    assert r.redact_link("https://facebook.com/people/Lea-Schafer/1000123") == (
        "https://facebook.com/people/[person]/1000123"
    )
    assert r.redact_link("https://x.com/mueller_jonas") == "https://x.com/[person]"
    assert r.redact_link("https://example.org/jonas%20m%C3%BCller") == "https://example.org/[person]"
    # The host, other segments and a lone first name stay; e-mail addresses go as before.
    assert r.redact_link("https://lea.example/blog/lea-runs") == "https://lea.example/blog/lea-runs"
    assert r.redact_link("mailto:lea@example.org") == "mailto:[email]"
    assert r.found_link("https://www.instagram.com/lea.schaefer") == {"person": 1}
    assert not r.found_link("https://www.instagram.com/[person]")
    assert (
        Redactor(keep=frozenset({"link", "person"}), people=r.people).redact_link(
            "https://www.instagram.com/lea.schaefer"
        )
        == "https://www.instagram.com/lea.schaefer"
    )


def test_a_one_word_title_is_not_a_signature() -> None:
    r = Redactor()
    assert r.redact("Dune") == "Dune"  # a note or an event called "Dune"
    assert r.redact("See you at the cinema!\n\nJonas") == "See you at the cinema!\n\n[person]"
    assert r.redact("Tickets booked.\n— Lea\n") == "Tickets booked.\n— [person]\n"


def test_names_of_other_people_in_free_text() -> None:
    r = Redactor()
    assert r.redact("Met Anna Schmidt at the conference.") == "Met [person] at the conference."
    assert r.redact("met Anna Schmidt") == "met [person]"  # cue words in any case
    assert r.redact("Lent it to John Miller, still waiting.") == "Lent it to [person], still waiting."
    # No cue: a given name and a surname in a sentence.
    assert "Kowalski" not in r.redact("Petra Kowalski recommended it and she was right.")
    # Surnames, given names and possessives beside or after a redacted name, in the next line too.
    out = r.redact("Dinner with Katharina Weber.\nWeber paid. Katharina's treat next time.")
    assert "Weber" not in out and "Katharina" not in out and out.count("[person]") == 3
    assert r.redact("Sven and Sarah came over.") == "[person] and [person] came over."
    # What redaction left behind is clean for the egress check.
    assert not r.found(out)


def test_catalogue_titles_are_not_names() -> None:
    # The grant's own titles and creators: quoted in an answer they are works, not people.
    r = Redactor(titles=frozenset({"Fire with Fire", "Summer with Monika", "Hans Zimmer"}))
    assert r.redact("You watched Fire with Fire (2024-02-01; netflix).") == (
        "You watched Fire with Fire (2024-02-01; netflix)."
    )
    assert r.redact("Watched Summer with Monika, then dinner with Monika Berg.") == (
        "Watched Summer with Monika, then dinner with [person]."
    )
    assert r.redact("The score by Hans Zimmer is great") == "The score by Hans Zimmer is great"
    # Common words after a cue are not names even without the title list.
    assert Redactor().redact("Fire with Fire") == "Fire with Fire"
    # A one-word title does not hide a friend of the same name.
    assert Redactor(titles=frozenset({"Anna"})).redact("Met Anna Schmidt") == "Met [person]"


def test_no_real_catalogue_title_is_taken_for_a_name(formats_dir: Path) -> None:
    from benchmarks.redaction_names import SENTENCES, catalogue_titles

    titles = catalogue_titles(formats_dir)
    assert len(titles) > 300
    r = Redactor(
        keep=frozenset({"link", "email", "address", "phone", "card", "iban"}), titles=frozenset(titles)
    )
    changed = [
        t for i, t in enumerate(titles) if t not in r.redact(SENTENCES[i % len(SENTENCES)].format(t=t))
    ]
    assert changed == []


def test_recall_on_names_in_free_text() -> None:
    from benchmarks.redaction_names import positives, recall

    hit, total = recall(Redactor().redact, positives(seed=9, n=200))
    assert hit / total >= 0.95
