"""Netflix viewing titles: "Show: Season 1: Episode" or a film, in the profile's language.

Kept apart from the importer so the title rules can be read (and tested) on their own.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

__all__ = ["split_title", "unlabelled_shows"]

_DIGITS = re.compile(r"\d+")

# Season labels Netflix writes between show and episode, by language (lower-cased first word).
_SEASON_WORDS = frozenset(
    [
        "season",
        "series",
        "part",
        "volume",
        "vol.",
        "book",
        "chapter",
        "collection",
        "temporada",
        "parte",
        "volumen",
        "libro",
        "staffel",
        "teil",
        "saison",
        "partie",
        "stagione",
        "seizoen",
        "deel",
        "sezon",
        "säsong",
        "sesong",
        "sæson",
        "kausi",
        "évad",
        "сезон",
        "시즌",
    ]
)
_NUMBERLESS_SEASONS = frozenset(
    {
        "limited series",
        "miniseries",
        "mini-series",
        "miniserie",
        "minisérie",
        "série limitée",
        "serie limitada",
        "miniserie limitada",
    }
)
_EPISODE_NUMBER = re.compile(
    r"\s*\((?:episode|episódio|episodio|épisode|folge|aflevering|odcinek|avsnitt|afsnit|jakso|epizód)"
    r"\s+(\d+)\)\s*$",
    re.IGNORECASE,
)


def _is_season_label(segment: str) -> bool:
    s = segment.strip().lower()
    if s in _NUMBERLESS_SEASONS:
        return True
    if not any(c.isdigit() for c in s) or len(s) > 30:
        return False
    words = s.split()
    # "Season 2", "Temporada 5", "シーズン1", "第1季", and unknown languages' "<word> <n>";
    # "Stranger Things 2" (a season named after the show) passes too.
    return words[0] in _SEASON_WORDS or len(words) <= 3


def split_title(title: str) -> tuple[str, dict[str, Any]]:
    """(kind, extra) for a viewing title: "Show: Season 1: Episode" is an episode, anything else a film.

    The show's own name may contain ": " ("Midnight Diner: Tokyo Stories: Season 1: Tonjiru"), so the
    season label is looked for from the left, and only counts with an episode after it: a film such as
    "Dune: Part Two" has nothing after its last colon."""
    segments = title.split(": ")
    for i in range(1, len(segments) - 1):
        if _is_season_label(segments[i]):
            episode = ": ".join(segments[i + 1 :]).strip()
            extra: dict[str, Any] = {"series": ": ".join(segments[:i]).strip(), "season": segments[i].strip()}
            if m := _DIGITS.search(segments[i]):
                extra["season_number"] = int(m.group())
            if m := _EPISODE_NUMBER.search(episode):
                extra["episode_number"] = int(m.group(1))
                episode = episode[: m.start()]
            if len(episode) > 1 and episode[0] == episode[-1] == '"':
                episode = episode[1:-1]
            extra["episode"] = episode
            return "episode", extra
    return "movie", {}


# A film sequel's subtitle ("Part Two", "Vol. 1", "Chapter 3", "II"): such a title is no episode.
_SEQUEL = re.compile(r"\b(?:part|vol\.?|volume|chapter|episode)\b|\d|\b[IVX]+\b", re.IGNORECASE)
_BINGE_TITLES = 5


def unlabelled_shows(titles: list[tuple[str, date]]) -> dict[str, str]:
    """Shows whose episodes the simple history writes as "Show: Episode", with no season label
    ("Scrubs: My Own Personal Jesus"), and why each is taken for a show.

    A title without a season label reads as a film, and "Dune: Part Two" is one. Such a "Show: Episode"
    is taken for an episode when the account's other rows name that show with a season ("Scrubs: Season
    1: My Mentor"), or when at least five titles share the name, two or more on one day, and none of
    their subtitles reads like a sequel (a franchise such as "Mission: Impossible: …" has them)."""
    labelled = {extra["series"] for title, _ in titles if (extra := split_title(title)[1])}
    groups: dict[str, list[tuple[str, date]]] = {}
    for title, day in titles:
        show, sep, rest = title.rpartition(": ")
        if sep and show and rest and split_title(title)[0] == "movie":
            groups.setdefault(show, []).append((rest, day))
    out: dict[str, str] = {}
    for show, views in groups.items():
        if show in labelled:
            out[show] = "the show's other rows have a season"
            continue
        subtitles = {rest for rest, _ in views}
        days = [day for _, day in views]
        if (
            len(subtitles) >= _BINGE_TITLES
            and len(set(days)) < len(days)
            and not any(_SEQUEL.search(rest) for rest in subtitles)
        ):
            out[show] = f"{len(subtitles)} titles of one show watched in a row"
    return out
