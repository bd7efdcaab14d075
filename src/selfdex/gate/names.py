"""Names of other people in free text: find them, then take out every mention.

Rules, no model (``benchmarks/redaction_names.py`` measures them against spaCy's small English NER,
which found fewer names, changed 74 of 431 real catalogue titles where the rules changed none when the
grant's titles are known, and took over 20× longer per record). A name is:

* a capitalised word or two after a cue, in any case ("met", "Met", "MET"; "lent it to", "my sister",
  "Hi", "Dr."), unless the first word is a common word ("Fire with Fire" is a film);
* in prose (not in a Title Case title), a known given name followed by a surname ("Petra Kowalski",
  no cue), or a given name and another name joined by "and" ("Sven and Sarah");
* a name alone on a line of a message (a signature, "Anna," above a note);
* a correspondent's name from the person's own store (the gazetteer the gate passes in).

Then every mention of each name found goes, in every line: the full name, its given name and its
surname alone, and their possessives ("Petra's", "[person] Weber" no longer happens). Word lists
(``data/``): given names and surnames of the US Census Bureau's 1990 name files plus popular given
names in Germany, Turkey and Poland; common words of the BERT uncased vocabulary less given names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

__all__ = ["NOT_NAMES", "NameFinder", "first_names", "is_common", "surnames"]

_UP = "A-ZÄÖÜÅØÆÉÈÁÍÓÚÇŁŚŻŹİŞĞÑ"
_LOW = "a-zäöüßåøæéèáíóúçğışłńśźżñ"
_W = rf"[{_UP}][{_LOW}]+"
WORD = rf"{_W}(?:-{_W})?"  # Anna-Lena, Müller-Lüdenscheidt

_CUE = (
    r"hi|hello|hey|hej|hallo|dear|liebe|lieber|moin|servus|ciao|salut|bonjour|mr\.?|mrs\.?|ms\.?|dr\.?|"
    r"frau|herr|with|mit|from|von|told|asked|met|meet|meeting|called|call|texted|text|emailed|email|"
    r"messaged|visited|visiting|invited|ask|tell|"
    r"(?:lent|gave|give|sent|showed|passed|handed|sold|recommended|introduced|back)"
    r"(?:\s+(?:it|this|them|that|one|her|him|me|us|the\s+\w+))?\s+(?:to|by)|"
    r"(?:borrowed|got|bought|received)(?:\s+(?:it|this|them|that|one|the\s+\w+))?\s+from|"
    r"(?:picked\s+up|invited|given|signed)\s+by|thanks\s+to|thank\s+you|"
    r"(?:my|our|his|her|their)\s+(?:best\s+)?(?:friend|sister|brother|mum|mom|mother|dad|father|colleague|"
    r"boss|neighbou?r|cousin|aunt|uncle|wife|husband|partner|girlfriend|boyfriend|son|daughter|flatmate|"
    r"roommate|coworker|co-worker|grandma|grandpa|niece|nephew)"
)
_CUED = re.compile(rf"(?<![\w])(?i:{_CUE})\s+({WORD})(?:\s+({WORD}))?(?![\w])")
# Sign-offs need their comma, or "Love Actually" would lose its second word.
_SIGN_OFF = re.compile(
    rf"(?<![\w])(?i:thanks|danke|love|cheers|grüße|gruß|best|regards|yours|lg|vg|xoxo)\s*,\s*({WORD})(?![\w])"
)
_PAIR = re.compile(rf"(?<![\w'’])(?=({WORD})\s+({WORD})(?![\w]))")
_AND = re.compile(rf"(?<![\w'’])({WORD})\s+(?:and|und|&)\s+({WORD})(?![\w])")
_ALONE = re.compile(rf"^\s*[-–—]?\s*({WORD})(?:\s+({WORD}))?\s*[,!.]?\s*$", re.MULTILINE)
_SURNAME_ENDINGS = re.compile(r"(?:ski|ska|wicz|czyk|sson|ssen|mann|oğlu|escu|enko|ović|ovic|opoulos|idis)$")

# Capitalised words no rule may take for a name.
NOT_NAMES = frozenset(
    [
        "I",
        "The",
        "A",
        "An",
        "This",
        "That",
        "It",
        "We",
        "You",
        "They",
        "He",
        "She",
        "My",
        "Your",
        "Our",
        "Their",
        "His",
        "Her",
        "Me",
        "Us",
        "Them",
        "All",
        "Everyone",
        "Team",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Januar",
        "Februar",
        "März",
        "Juni",
        "Juli",
        "Oktober",
        "Dezember",
        "Morning",
        "Evening",
        "Today",
        "Tomorrow",
        "Berlin",
        "Kyoto",
        "Amazon",
        "Netflix",
        "Spotify",
        "Google",
        "Apple",
        "Uber",
        "Strava",
        "Gmail",
        "Support",
        "Customer",
        "Service",
        "Der",
        "Die",
        "Das",
        "Ein",
        "Eine",
        "Grunewald",
        "Ignore",
        "Please",
        "Send",
        "Call",
        "Note",
        "System",
        "Assistant",
        "User",
        "Admin",
        "Important",
        "Instructions",
        "Previous",
        "Viele",
        "Liebe",
        "Beste",
        "Herzliche",
        "Kind",
        "Best",
        "Regards",
        "Cheers",
        "Thanks",
        "Christmas",
        "Easter",
        "Mum",
        "Mom",
        "Dad",
    ]
)


@cache
def _words(name: str) -> frozenset[str]:
    text = (files("selfdex.gate") / "data" / name).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def first_names() -> frozenset[str]:
    return _words("first_names.txt")


def surnames() -> frozenset[str]:
    return _words("surnames.txt")


def is_common(word: str) -> bool:
    """A common word that is not also a given name ("Fire", "Freedom"; not "Grace", not "Anna")."""
    return word.lower() in _words("common_words.txt") and word not in first_names()


def _prose(text: str) -> bool:
    """Text written as sentences (at least a third of its words in lower case), not a title."""
    words = re.findall(r"[^\W\d_]+", text)
    return bool(words) and sum(w[0].islower() for w in words) * 3 >= len(words)


def _plain(word: str) -> str:
    """Without accents: "Lucía" is found as "Lucia", "Fernández" as "Fernandez"."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _given(word: str, people: frozenset[str]) -> bool:
    return word in people or word in first_names() or _plain(word) in first_names()


def _surname(word: str) -> bool:
    return word in surnames() or _plain(word) in surnames() or bool(_SURNAME_ENDINGS.search(word))


class NameFinder:
    """Finds names in a text, and builds the pattern that takes out every mention of them.

    ``people`` are correspondents' names (always names); ``protected`` are catalogue titles and their
    creators from the same grant ("Summer with Monika", "Hans Zimmer"): text inside one of those is
    a work or its author, not a person to hide."""

    def __init__(self, people: Iterable[str] = (), protected: Iterable[str] = ()) -> None:
        self.people = frozenset(people)
        index: dict[str, list[str]] = {}
        for title in set(protected):
            # A one-word title ("Anna", a film) guards nothing: it would hide a friend's name.
            if len(title) > 300 or " " not in title.strip():
                continue
            # Indexed by the words a rule could take for a name (not "The", not "Fire"), so that a text
            # is compared only with the titles that could matter to it.
            for word in set(re.findall(WORD, title)):
                if word not in NOT_NAMES and (_given(word, self.people) or not is_common(word)):
                    index.setdefault(word, []).append(title)
        self._guards = index

    def guarded(self, text: str) -> list[tuple[int, int]]:
        """Where ``text`` quotes a guarded title."""
        if not self._guards:
            return []
        spans: list[tuple[int, int]] = []
        for word in set(re.findall(WORD, text)):
            for title in self._guards.get(word, ()):
                start = text.find(title)
                while start >= 0:
                    spans.append((start, start + len(title)))
                    start = text.find(title, start + 1)
        return spans

    def find(self, text: str, *, guard: bool = True) -> set[str]:
        """The names in ``text``: "Anna Schmidt", "Sven"."""
        spans = self.guarded(text) if guard else []

        def free(m: re.Match[str], *groups: int) -> bool:
            a = min(m.start(g) for g in groups if m.group(g))
            b = max(m.end(g) for g in groups if m.group(g))
            return not any(x <= a and b <= y for x, y in spans)

        found: set[str] = set()

        def take(m: re.Match[str], *, cued: bool) -> None:
            w1, w2 = m.group(1), m.group(2) if (m.re.groups or 0) > 1 else None
            if w1 in NOT_NAMES or not free(m, *range(1, (m.re.groups or 0) + 1)):
                return
            if not (cued and not is_common(w1)) and not _given(w1, self.people):
                return
            name = w1
            if w2 and w2 not in NOT_NAMES and (_surname(w2) or not is_common(w2)):
                name = f"{w1} {w2}"
            found.add(name)

        for m in _CUED.finditer(text):
            take(m, cued=True)
        for m in _SIGN_OFF.finditer(text):
            take(m, cued=True)
        if "\n" in text.strip():
            for m in _ALONE.finditer(text):
                take(m, cued=True)
        if not _prose(text):
            return found  # "Hans Zimmer – Dune (Soundtrack)": a title in Title Case, no sentence
        for m in _PAIR.finditer(text):
            w1, w2 = m.group(1), m.group(2)
            surname = _surname(w2) or not is_common(w2)
            if _given(w1, self.people) and surname and w2 not in NOT_NAMES and free(m, 1, 2):
                found.add(f"{w1} {w2}")
        for m in _AND.finditer(text):
            w1, w2 = m.group(1), m.group(2)
            # "Sven and Sarah", "Chidi and Anna": one known given name, the other no common word.
            pair = (w1, w2)
            names = all(w not in NOT_NAMES and (_given(w, self.people) or not is_common(w)) for w in pair)
            if names and any(_given(w, self.people) for w in pair) and free(m, 1, 2):
                found.update((w1, w2))
        return found

    @staticmethod
    def mentions(names: Iterable[str]) -> re.Pattern[str] | None:
        """Every mention of ``names``: in full, and each given name or surname alone ("Schmidt paid"),
        possessives included ("[person]'s"). A part that is only a common word stays ("Rice")."""
        terms: set[str] = set()
        for name in names:
            terms.add(name)
            terms.update(
                p
                for p in name.split()
                if len(p) >= 3
                and p not in NOT_NAMES
                and (_surname(p) or _given(p, frozenset()) or not is_common(p))
            )
        if not terms:
            return None
        alt = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        return re.compile(rf"(?<![\w])(?:{alt})(?![\w])")
