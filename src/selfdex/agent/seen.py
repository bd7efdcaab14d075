"""What the person already has of a candidate: the same work in their history, and whether they finished it.

A platform's list may hold what the person already watched or read ("Dune: Part Two" to someone who
watched it in full and rated it). Re-recommending it silently looks like the agent did not look;
``recommend`` marks it "already seen" (and, with ``seen="last"``, ranks it after the rest). The
same-entity evidence (60 episodes of *The Crown* for the candidate "The Crown") leads the reason,
before any looser similarity the ranker found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..store import Store
from ..store.visible import select_records
from .context import norm_title

if TYPE_CHECKING:
    from ..rank import HistoryItem

__all__ = ["Seen", "already_seen", "entity_reason", "family", "same_entity", "title_key"]

FULL_VIEWING_S = 60 * 60  # a film viewing shorter than an hour is a start, not a viewing
# Which records can be the same work as a candidate from a platform: a Netflix candidate "Never Let
# Me Go" is the film, not the book or the song of that name (those are related, not the same).
_FAMILIES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "screen": (
        frozenset(
            {"netflix", "letterboxd", "youtube", "prime_video", "disney", "hbo", "apple_tv", "trakt", "imdb"}
        ),
        ("movie", "episode", "video", "show"),
    ),
    "books": (frozenset({"goodreads", "kindle", "storygraph", "audible"}), ("book",)),
    "music": (frozenset({"spotify", "lastfm", "apple_music", "youtube_music"}), ("track", "album")),
}


def family(platform: str) -> str | None:
    return next((name for name, (plats, _) in _FAMILIES.items() if platform in plats), None)


_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)\s*$")
_KINDS = ("movie", "book", "video", "show")
_ACTIONS = ("watched", "seen", "read", "finished", "rated", "reviewed", "started")


def title_key(title: str) -> str:
    return norm_title(_YEAR.sub("", title))


@dataclass
class Seen:
    """The person's records of a candidate's own title, and whether they say it was finished."""

    finished: bool = False
    how: list[str] = field(default_factory=list)  # "watched on netflix 2024-07-04", "rated 5/5 on letterboxd"
    ids: list[str] = field(default_factory=list)

    def describe(self) -> str:
        head = "already seen" if self.finished else "started"
        how = list(dict.fromkeys(self.how))
        return f"{head} ({'; '.join(how[:3])}{'; …' if len(how) > 3 else ''})"


def already_seen(store: Store, titles: Sequence[str], platform: str = "") -> dict[str, Seen]:
    """Per candidate title key: what the person's films, books and ratings of that exact title say
    (only records of the kinds the candidate's platform offers, when it is a known one)."""
    keys = {title_key(t): t for t in titles}
    if not keys:
        return {}
    fam = family(platform)
    kinds = tuple(k for k in _KINDS if fam is None or k in _FAMILIES[fam][1])
    lowered = sorted({_YEAR.sub("", t).lower() for t in titles} | {t.lower() for t in titles})
    rows = select_records(
        store,
        "r.id, r.platform, r.action, r.kind, r.title, r.occurred_at, r.duration_s, r.rating, r.rating_scale",
        f"lower(r.title) IN ({', '.join('?' for _ in lowered)}) AND r.kind IN ({', '.join('?' for _ in kinds)}) "
        f"AND r.action IN ({', '.join('?' for _ in _ACTIONS)})",
        (*lowered, *kinds, *_ACTIONS),
        order="r.occurred_at IS NULL, r.occurred_at",
    ).fetchall()
    out: dict[str, Seen] = {}
    for r in rows:
        key = title_key(str(r["title"]))
        if key not in keys:
            continue
        seen = out.setdefault(key, Seen())
        day = str(r["occurred_at"] or "")[:10]
        where = f"on {r['platform']}" + (f" {day}" if day else "")
        action, kind = r["action"], r["kind"]
        if action in ("rated", "reviewed") and r["rating"] is not None and r["rating_scale"] in (5, 10):
            seen.finished = True
            seen.how.append(f"rated {float(r['rating']):g}/{float(r['rating_scale']):g} {where}")
        elif action in ("rated", "reviewed"):
            seen.finished = True
            seen.how.append(f"{action} {where}")
        elif action in ("read", "finished") and kind == "book":
            seen.finished = True
            seen.how.append(f"read {where}")
        elif action == "watched" and kind == "movie":
            minutes = None if r["duration_s"] is None else float(r["duration_s"]) / 60
            if minutes is None or minutes * 60 >= FULL_VIEWING_S:
                seen.finished = True
                seen.how.append(f"watched {where}")
            else:
                seen.how.append(f"watched {minutes:.0f} min {where}")
        elif action == "seen":  # Letterboxd's watched.csv: "has seen", logged on that day
            seen.finished = True
            seen.how.append(f"marked seen on {r['platform']}")
        elif action == "started":
            seen.how.append(f"started {where}")
        else:
            continue
        seen.ids.append(str(r["id"]))
    return out


def same_entity(history: Sequence[HistoryItem], platform: str = "") -> dict[str, list[HistoryItem]]:
    """History items per title key (a series' episodes are already one item), most records first;
    only from platforms of the candidate platform's family when it is a known one."""
    fam = family(platform)
    idx: dict[str, list[HistoryItem]] = {}
    for h in history:
        if fam is None or family(h.platform) == fam:
            idx.setdefault(title_key(h.title), []).append(h)
    for items in idx.values():
        items.sort(key=lambda h: -h.count)
    return idx


def entity_reason(items: Sequence[HistoryItem]) -> str:
    """'62 of your records are “The Crown” (netflix 60, youtube 2)'."""
    total = sum(h.count for h in items)
    where = ", ".join(f"{h.platform} {h.count:,}" if len(items) > 1 else h.platform for h in items)
    noun = "record is" if total == 1 else "records are"
    return f"{total:,} of your {noun} “{items[0].title}” ({where})"
