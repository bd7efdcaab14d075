"""Name normalisation for entity linking: the same title or creator as different platforms spell it.

Everything here is pure string work (no store, no model), so the rules are easy to test one by one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "FUNCTION_WORDS",
    "creator_key",
    "creator_parts",
    "fold",
    "main_title",
    "series_of_episode",
    "soundtrack_of",
    "split_product_title",
    "stem",
    "title_key",
    "tokens",
]

# English function words: never a taste, a topic or a name on their own.
FUNCTION_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "be",
        "it",
        "my",
        "your",
        "i",
        "you",
        "we",
        "me",
    ]
)

# The functions below are pure and called once per record: cached, since most records repeat a title.
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "‐": "-"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=1 << 16)
def fold(text: str | None, *, camel: bool = False) -> str:
    """Lowercase, strip accents and punctuation, collapse spaces: 'Jóhann Jóhannsson' → 'johann johannsson'.

    ``camel`` splits hashtags such as '#FrankHerbert' into words first (for free text, not titles:
    'iPhone' or 'McDougall' would be split too).
    """
    if not text:
        return ""
    text = text.translate(_QUOTES)
    if camel:
        text = _CAMEL.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def tokens(text: str | None, *, camel: bool = False) -> list[str]:
    return fold(text, camel=camel).split()


# Bracketed or dashed qualifiers that name an edition, a format or a version, not a different work.
_QUALIFIER = re.compile(
    r"\s*[\(\[][^\)\]]*\b("
    r"\d{4}|remaster\w*|deluxe|edition|version|edit|mix|live|mono|stereo|explicit|clean|single|"
    r"soundtrack|score|ost|motion picture|original|kindle|paperback|hardcover|hardback|audiobook|"
    r"unabridged|abridged|blu-?ray|dvd|4k|uhd|ultra hd|feat\.?|ft\.?|featuring|with"
    r")\b[^\)\]]*[\)\]]"
    r"|\s*\([^)]*#\s*\d[^)]*\)",  # Goodreads series: "(Alex Stern, #1)"
    re.IGNORECASE,
)
_DASH_QUALIFIER = re.compile(
    r"\s+-\s+(\d{4}\s+)?(remaster\w*|single version|radio edit|album version|live\b|mono\b|stereo\b|"
    r"from\s|bonus track|acoustic\b|edit\b|remix\b|.*\bversion\b).*$",
    re.IGNORECASE,
)
_FEAT = re.compile(r"\s*\(?\b(feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)
_EDITION_WORDS = re.compile(
    r"\b(deluxe|special|collectors?|anniversary|illustrated|limited|expanded|definitive)\s+edition\b"
    r"|\b(kindle|paperback|hardcover)\s+edition\b|\bebook\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(the|a|an)\s+")


@lru_cache(maxsize=1 << 16)
def title_key(title: str | None) -> str:
    """The comparable form of a work's title: qualifiers, 'feat.' credits and a leading article removed.

    'The Remains of the Day (1993)' → 'remains of the day'; 'PiLOT (feat. Snoop Dogg)' → 'pilot';
    'Dune (Original Motion Picture Soundtrack)' → 'dune'; 'Ninth House (Alex Stern, #1)' → 'ninth house'.
    """
    if not title:
        return ""
    text = title.translate(_QUOTES)
    previous = None
    while previous != text:  # qualifiers can be stacked: "X (Deluxe) [Remastered 2011]"
        previous = text
        text = _QUALIFIER.sub("", text)
    text = _DASH_QUALIFIER.sub("", text)
    text = _FEAT.sub("", text)
    text = _EDITION_WORDS.sub("", text)
    key = _ARTICLE.sub("", fold(text))
    # "÷ (Deluxe)" folds to nothing: keep the symbol rather than collide with every other empty key
    return key or fold(title) or title.strip().casefold()


@lru_cache(maxsize=1 << 16)
def main_title(title: str | None) -> str:
    """The title before its subtitle: 'Exhalation: Stories' → 'exhalation'; 'Dune: Part Two' → 'dune'."""
    if not title:
        return ""
    head = re.split(r"\s*(?::|\s-\s|\s–\s)\s*", title.translate(_QUOTES), maxsplit=1)[0]
    return title_key(head)


_SOUNDTRACK = re.compile(
    r"\s*[\(\[]?\s*[-:]?\s*\b(original\s+(motion\s+picture\s+|television\s+|series\s+|film\s+)?"
    r"(soundtrack|score)|music\s+from\s+the\s+(motion\s+picture|film|series)|soundtrack|ost|original\s+score)"
    r"\b.*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1 << 16)
def soundtrack_of(album: str | None) -> str | None:
    """The title key of the film or show an album is the soundtrack of, or None for an ordinary album."""
    if not album:
        return None
    stripped = _SOUNDTRACK.sub("", album)
    if stripped == album:
        return None
    return title_key(stripped.strip(" -:([")) or None


_EPISODE = re.compile(
    r"^(?P<series>.+?):\s*(season|temporada|staffel|saison|stagione|series|part|parte|teil|book|volume|"
    r"vol\.|chapter|limited series|miniseries|collection)\b.*$",
    re.IGNORECASE,
)


def series_of_episode(title: str | None) -> str | None:
    """'Dark: Season 2: Dark Matter' → 'Dark'; None when the title does not look like an episode."""
    if not title:
        return None
    m = _EPISODE.match(title)
    return m.group("series").strip() if m else None


_CREATOR_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bfeat\.?|\bft\.?|\bfeaturing\b|\bwith\b|\bx\b|/|;)\s*", re.I)
_CREDENTIALS = re.compile(r"\b(phd|psyd|lpc|md|mba|jr|sr|dr|prof|lcsw|rd)\b\.?", re.IGNORECASE)
_CHANNEL_SUFFIX = re.compile(r"(\s+-\s+topic|vevo|\s+official)$", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def creator_key(name: str | None) -> str:
    """'The Chicks' → 'chicks'; 'Lindsay C. Gibson PsyD' → 'lindsay c gibson'; 'Radiohead - Topic' → 'radiohead';
    '24kGoldn feat. iann dior' → '24kgoldn'."""
    if not name:
        return ""
    name = _FEAT.sub("", _CHANNEL_SUFFIX.sub("", name.strip())) or name  # the main artist, not the guests
    key = fold(_CREDENTIALS.sub("", name))
    return _ARTICLE.sub("", key)


@lru_cache(maxsize=1 << 16)
def creator_parts(name: str | None) -> tuple[str, ...]:
    """The individual names in a credit: 'Samin Nosrat & Hrishikesh Hirway' → both names (keys)."""
    if not name:
        return ()
    return tuple(p for p in (creator_key(part) for part in _CREATOR_SPLIT.split(name)) if p)


_BY_AUTHOR = re.compile(r"\s+(?:-|–|—|by)\s+(?P<author>[^–—\-()]+?)\s*(?:\([^)]*\))?\s*$", re.IGNORECASE)


def split_product_title(title: str) -> tuple[str, str | None]:
    """Shop titles often append the author: 'Exhalation: Stories – Ted Chiang (Paperback)' →
    ('Exhalation: Stories (Paperback)', 'Ted Chiang'). The caller decides whether the tail is a person."""
    m = _BY_AUTHOR.search(title.translate(_QUOTES))
    if not m:
        return title, None
    head = title.translate(_QUOTES)[: m.start()]
    tail_paren = re.search(r"\([^)]*\)\s*$", title)
    return (head + (" " + tail_paren.group(0) if tail_paren else "")).strip(), m.group("author").strip()


_SUFFIXES = ("ings", "ing", "ers", "er", "es", "s", "ed")


@lru_cache(maxsize=1 << 16)
def stem(token: str) -> str:
    """A crude English stem, the same on both sides of a comparison: 'running'/'runners' → 'run'."""
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            token = token[: -len(suffix)]
            if len(token) >= 3 and token[-1] == token[-2] and token[-1] not in "aeiousl":
                token = token[:-1]  # runn → run, but keep 'all', 'see', 'miss'
            break
    return token
