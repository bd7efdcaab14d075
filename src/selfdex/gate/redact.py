"""Redaction: identifiers are removed or generalised before anything leaves.

Deterministic rules, no model: e-mail addresses (also "name at domain dot com"), phone numbers,
card numbers (Luhn-checked), IBANs, street addresses, precise coordinates (rounded to the grant's
precision, not removed), links and markdown images (the usual exfiltration carrier), and names of
other people. Names come from a gazetteer built from the person's own store (who wrote to them,
whom they wrote to) plus greeting and sign-off cues, because names in messages rarely look different
from any other capitalised word. ``benchmarks/redaction.py`` measures recall on a labelled set.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from .names import NOT_NAMES, NameFinder

__all__ = ["Redactor", "luhn_ok", "people_from_store_rows", "round_coord"]

PLACEHOLDER = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "iban": "[iban]",
    "address": "[address]",
    "person": "[person]",
    "link": "[link]",
}

_LINK = re.compile(
    r"!?\[[^\]\n]{0,200}\]\([^)\s]{1,2000}\)"  # markdown link or image
    r"|\b(?:https?|ftp)://[^\s<>\"')\]]+"
    r"|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>\"')\]]*"
    r"|\b(?:mailto|data|javascript):[^\s<>\"')\]]+",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    # Local parts are bounded (RFC 5321: 64 characters) so that a long run with no '@' is scanned in
    # linear, not quadratic, time: the gate redacts text a recipient can partly choose (a question).
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    # obfuscated: "name [at] domain [dot] com", "name (at) domain (dot) com", "name at domain dot com"
    r"|\b[\w.+-]{1,64}\s*[\[(\{]\s*at\s*[\])\}]\s*[\w-]+(?:\s*(?:[\[(\{]\s*dot\s*[\])\}]|\.)\s*[\w-]+)+"
    r"|\b[\w.+-]{1,64}\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+\b",
    re.IGNORECASE,
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[\s./-]?(?:\(0\)[\s./-]?)?\(?\d{1,5}\)?(?:[\s./-]?\d{2,}){1,5}"  # +49 30 1234567
    r"|\(0\d{1,5}\)[\s./-]?\d{3,}(?:[\s./-]?\d{2,}){0,3}"  # (030) 1234567
    r"|0\d{1,5}[\s./-]?\d{3,}(?:[\s./-]?\d{2,}){0,3}"  # 030 1234567, 0176-12345678
    r"|\(\d{3}\)\s?\d{3}[\s.-]\d{4}"  # (555) 123-4567
    r"|\d{3}[.-]\d{3}[.-]\d{4}"  # 555-123-4567
    r")(?!\w)"
)
_COORD_PAIR = re.compile(r"(?<![\d.])(-?\d{1,3}\.\d{3,})(\s*,\s*|\s+)(-?\d{1,3}\.\d{3,})(?!\d)(?!\.\d)")
_COORD_DMS = re.compile(
    r"\d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:\.\d+)?\s?[\"″]\s?)?[NS],?\s*"
    r"\d{1,3}\s?°\s?\d{1,2}\s?['′]\s?(?:\d{1,2}(?:\.\d+)?\s?[\"″]\s?)?[EWO]"
)
_STREET_WORDS = r"(?:Stra(?:ß|ss)e|Str\.|Weg|Allee|Platz|Damm|Gasse|Ufer|Ring|Chaussee|Steig|Markt|Promenade|Zeile|Pfad|Kai)"
_ADDRESS = re.compile(
    # Kastanienallee 12a, Müllerstraße 5, Karl-Marx-Str. 101: the street word glued to the name
    r"\b[A-ZÄÖÜ][\wäöüß-]*(?i:stra(?:ß|ss)e|str\.|weg|allee|platz|damm|gasse|ufer|ring|chaussee|steig|markt|zeile|pfad|kai)"
    r"\s+\d{1,4}\s?[a-zA-Z]?\b"
    # Unter den Linden 77, Am Kupfergraben 6: capitalised words then a German street word then number
    r"|\b(?:[A-ZÄÖÜ][\wäöüß-]+\s){1,3}" + _STREET_WORDS + r"\s+\d{1,4}\s?[a-zA-Z]?\b"
    # Unter den Linden 77, Am Kupfergraben 6, Alt-Moabit 90: a preposition instead of a street word
    r"|\b(?:Am|An der|An den|Auf dem|Im|In der|Unter den|Alt-)\s?[A-ZÄÖÜ][\wäöüß-]+\s+\d{1,4}\s?[a-zA-Z]?\b"
    # 221B Baker Street, 1600 Pennsylvania Avenue NW
    r"|\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\.?\s){1,4}"
    r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|"
    r"Place|Pl\.?|Way|Terrace|Square|Sq\.?|Parkway|Pkwy\.?|Highway|Hwy\.?|Close|Crescent|Row)(?!\w)"
    r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Unit|#)\.?\s*\w+)?"
    # 12 rue de la Paix, 5 via Roma, 3 calle Mayor
    r"|\b\d{1,4}(?:\s?bis)?,?\s+(?:rue|avenue|boulevard|place|chemin|via|viale|piazza|calle|avenida|plaza)"
    r"\s+(?:[\w'’-]+\s){0,3}[A-ZÀ-Ý][\w'’-]+"
    # Grunewald 14193 / 10115 Berlin: a postcode next to a town pins a street block in Germany
    r"|\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+(?:\s(?:am|an der|im)\s[A-ZÄÖÜ][a-zäöüß]+)?\b"
    # UK postcodes: SW1A 1AA, EC2V 7HH
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    r"|\b(?:P\.?\s?O\.?\s?Box|Postfach)\s+\d+\b",
)
# A capitalised name of one or two words, as a correspondent's display name spells it.
_NAME = r"[A-ZÄÖÜÅØÆ][a-zäöüßåøæéèáíóú]+(?:[- ][A-ZÄÖÜÅØÆ][a-zäöüßåøæéèáíóú]+)?"
_NOT_NAMES = NOT_NAMES


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "å": "aa", "ø": "oe", "æ": "ae"})


def _flatten(text: str, *, umlauts: bool = True) -> str:
    """Lower-case letters and digits only; umlauts spelled out ("ae") or, with ``umlauts=False``,
    stripped of their marks ("a"), the two ways people type them in a handle."""
    t = text.lower()
    if umlauts:
        t = t.translate(_UMLAUTS)
    t = unicodedata.normalize("NFKD", t)
    return "".join(c for c in t if c.isascii() and c.isalnum())


def luhn_ok(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def round_coord(value: float, decimals: int) -> float:
    return round(value, decimals)


def people_from_store_rows(creators: Iterable[Iterable[str]], owner_names: Iterable[str] = ()) -> set[str]:
    """Full names and distinctive first names of the people in the person's correspondence."""
    names: set[str] = set(owner_names)
    for group in creators:
        for raw in group:
            name = raw.strip()
            # A display name with one or two capitalised words is a person; "Amazon.de" or
            # "Grunewald Trail Runners" are senders we do not need to hide.
            parts = name.split()
            if 1 <= len(parts) <= 3 and all(re.fullmatch(_NAME, p) for p in parts):
                names.add(name)
                if len(parts) > 1 and len(parts[0]) >= 3 and parts[0] not in _NOT_NAMES:
                    names.add(parts[0])
    return {n for n in names if n not in _NOT_NAMES}


@dataclass
class Redactor:
    """``keep`` lists categories to let through; ``people`` is the gazetteer of names to hide;
    ``titles`` are catalogue titles and creators of the same grant, never taken for names."""

    keep: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    geo_decimals: int = 2
    titles: frozenset[str] = frozenset()
    _people_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _full_names_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _name_slugs: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    _finder: NameFinder = field(default_factory=NameFinder, init=False, repr=False)

    def __post_init__(self) -> None:
        self._finder = NameFinder(self.people, self.titles)
        names = sorted((n for n in self.people if len(n) >= 3), key=len, reverse=True)
        if names:
            self._people_re = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
        # Typed text (search queries) is often lower-case: full names match in any case; a lone
        # first name only as written ("mark", "will", "rose" are words too).
        full = [n for n in names if " " in n]
        # How a full name is spelled in a profile link: "lea.schaefer", "LeaSchafer", "schaefer-lea".
        self._name_slugs = frozenset(
            slug
            for n in full
            for parts in (n.split(), n.split()[::-1])
            for slug in {_flatten("".join(parts)), _flatten("".join(parts), umlauts=False)}
            if len(slug) >= 6
        )
        if full:
            self._full_names_re = re.compile(
                r"\b(?:" + "|".join(re.escape(n) for n in full) + r")\b", re.IGNORECASE
            )

    def redact(
        self,
        text: str,
        counts: Counter[str] | None = None,
        *,
        free_text: bool = True,
        also: Iterable[str] = (),
    ) -> str:
        """The text with every non-kept identifier replaced; ``counts`` tallies what was found.

        Names are looked for only in ``free_text`` (messages, reviews, notes): a book by "Frank
        Herbert" must not lose its author because a friend called Frank once wrote. ``also``: names
        found elsewhere in the same record, taken out here too.
        """
        tally: Counter[str] = counts if counts is not None else Counter()

        def sub(
            cat: str, pattern: re.Pattern[str], s: str, repl: Callable[[re.Match[str]], str] | None = None
        ) -> str:
            if cat in self.keep:
                return s

            def one(m: re.Match[str]) -> str:
                out = repl(m) if repl else PLACEHOLDER[cat]
                if out != m.group(0):
                    tally[cat] += 1
                return out

            return pattern.sub(one, s)

        s = sub("link", _LINK, text)
        s = sub("email", _EMAIL, s)
        s = sub("iban", _IBAN, s)
        s = sub("card", _CARD, s, self._card)
        s = sub("coords", _COORD_PAIR, s, self._coords)
        s = sub("coords", _COORD_DMS, s, lambda m: "[coordinates]")
        s = sub("phone", _PHONE, s, self._phone)
        s = sub("address", _ADDRESS, s)
        if free_text and "person" not in self.keep:
            if self._full_names_re is not None:
                s = sub("person", self._full_names_re, s)
            s = self._redact_names(s, tally, also)
        return s

    def names_in(self, text: str) -> set[str]:
        """The names of people in ``text`` (to take out of the record's other fields too)."""
        if "person" in self.keep:
            return set()
        found = self._finder.find(text)
        if self._people_re is not None:
            found.update(self._people_re.findall(text))
        return found

    def _redact_names(self, s: str, tally: Counter[str], also: Iterable[str]) -> str:
        pattern = NameFinder.mentions({*self.names_in(s), *also})
        if pattern is None:
            return s
        guarded = self._finder.guarded(s)

        def one(m: re.Match[str]) -> str:
            a, b = m.span()
            if any(x <= a and b <= y for x, y in guarded):
                return m.group(0)
            tally["person"] += 1
            return PLACEHOLDER["person"]

        return pattern.sub(one, s)

    def redact_identifier(self, value: str, counts: Counter[str] | None = None) -> str:
        """An external id (ISBN, ASIN, Spotify URI, mail Message-ID…): only e-mail addresses are taken out.
        The other patterns would mangle real ids (an ISBN-10 looks like a phone number)."""
        if "email" in self.keep:
            return value
        tally: Counter[str] = counts if counts is not None else Counter()

        def one(m: re.Match[str]) -> str:
            tally["email"] += 1
            return PLACEHOLDER["email"]

        return _EMAIL.sub(one, value)

    def _card(self, m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        return PLACEHOLDER["card"] if luhn_ok(digits) else m.group(0)

    def _phone(self, m: re.Match[str]) -> str:
        # Fewer than 7 digits is a year, a count or a short code, not a phone number.
        return PLACEHOLDER["phone"] if len(re.sub(r"\D", "", m.group(0))) >= 7 else m.group(0)

    def _coords(self, m: re.Match[str]) -> str:
        lat, sep, lon = float(m.group(1)), m.group(2), float(m.group(3))
        if abs(lat) > 90 or abs(lon) > 180:
            return m.group(0)
        d = self.geo_decimals
        return f"{round_coord(lat, d):.{d}f}{sep}{round_coord(lon, d):.{d}f}"

    def redact_link(self, url: str, counts: Counter[str] | None = None) -> str:
        """A link that stays a link: its identifiers go (as in ``redact`` without names), and so does
        every path segment that spells the name of someone the person corresponds with
        ("instagram.com/lea.schaefer" -> "instagram.com/[person]")."""
        tally: Counter[str] = counts if counts is not None else Counter()
        s = self.redact(url, tally, free_text=False)
        if not self._name_slugs or "person" in self.keep:
            return s
        parts = urlsplit(s)
        segments = parts.path.split("/")
        for i, seg in enumerate(segments):
            flat = _flatten(unquote(seg))
            if flat and any(slug in flat for slug in self._name_slugs):
                segments[i] = PLACEHOLDER["person"]
                tally["person"] += 1
        return urlunsplit(parts._replace(path="/".join(segments)))

    def found_link(self, url: str) -> Counter[str]:
        """What ``redact_link`` would remove from ``url`` (the egress check for links)."""
        counts: Counter[str] = Counter()
        self.redact_link(url, counts)
        return counts

    def found(self, text: str, *, free_text: bool = True) -> Counter[str]:
        """What redaction would remove from ``text`` (the egress check: must be empty after redaction)."""
        counts: Counter[str] = Counter()
        self.redact(text, counts, free_text=free_text)
        return counts
