"""Counting, ranking, listing and first/last questions, answered from aggregates over the whole store.

"What did I listen to most in 2020?", "how many books did I read last year?", "which Harry Potter
films did I watch?", "when did I first watch Dune?": a sample of retrieved records answers these
confidently and wrongly (three days of January are not a year). Here the question is read into an
:class:`Intent` (operation, what is counted, the window, the platforms, the title/creator words), every
matching record in the store is read (SQL, hidden records excluded, no limit) and grouped per work,
creator or series, and the answer states the aggregate it rests on and cites records of it.

Counting rules (stated in every answer's notes where they applied):

- one listening, viewing or reading logged by two platforms (a Spotify play scrobbled to Last.fm; a
  Netflix viewing logged in the Letterboxd diary) is one event: records of the same work on
  *different* platforms within 15 minutes (within a day when either is day-precise) are merged; two
  records of the same platform are never merged;
- a play shorter than 30 seconds is a skip, not a listen (Spotify's and Last.fm's own rule);
- on a shared account (Netflix profiles), the records of the profile holding most of the platform's
  records are the person's; the other profiles' records are left out and counted in a note.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from ..store import Filters, Store
from ..store.queries import matching_rows, track_artists, uncredited_rows
from ..store.visible import select_records
from .context import Plan, norm_title
from .intent import UNTITLED, Intent, read_intent

# Intent and read_intent are re-exported: callers read a question and aggregate it from one module.
__all__ = ["Aggregate", "Group", "Intent", "aggregate", "read_intent"]

MIRROR_WINDOW = timedelta(minutes=15)
MIN_LISTEN_S = 30.0
MAX_LISTED = 30  # items named in a list answer; the aggregate keeps them all


# -- grouping and counting -------------------------------------------------------------------------


def _when(row: Any) -> int:
    """Seconds since the epoch (SQLite computed them; a 15-minute window needs no more precision)."""
    ts = row["ts"]
    if ts is not None:
        return int(ts)
    return int(datetime.fromisoformat(str(row["occurred_at"]).replace("Z", "+00:00")).timestamp())


@lru_cache(maxsize=65_536)
def _parse_creators(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return (str(raw),)
    return tuple(str(c) for c in value) if isinstance(value, list) else (str(value),)


def _creators(row: Any) -> list[str]:
    return list(_parse_creators(row["creators"]))


_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)\s*$")


def _series(row: Any) -> str:
    if row["series"]:
        return str(row["series"])
    title = str(row["title"] or "")
    return re.split(r":\s*(?:Season|Series|Staffel|Part)\b", title, maxsplit=1)[0].strip() or title


def _keys(row: Any, group: str) -> tuple[tuple[str, str], ...]:
    """The (key, display label) of each group a record counts towards."""
    return _keys_of(row["kind"], row["title"], row["creators"], row["series"], group)


@lru_cache(maxsize=100_000)  # a million plays share a few thousand (title, creators) pairs
def _keys_of(
    kind: str | None, title: str | None, creators_raw: str | None, series: str | None, group: str
) -> tuple[tuple[str, str], ...]:
    creators = _parse_creators(creators_raw)
    if group == "creator":
        return tuple((c.casefold().strip(), c) for c in creators[:3] if c.strip())
    if group == "series" and kind in ("episode", "show"):
        label = _series({"series": series, "title": title})
        return ((f"series:{norm_title(label)}", label),)
    clean = _YEAR.sub("", str(title or "")).strip()
    if not clean:
        return ()
    family = "episode" if kind == "show" else str(kind)
    key = f"{family}:{norm_title(clean)}"
    if kind == "track":
        key += f"|{norm_title(creators[0]) if creators else ''}"
    return ((key, clean),)


@dataclass
class Group:
    """One work, creator or series and every record of it in the window."""

    key: str
    labels: Counter[str] = field(default_factory=Counter)
    creators: Counter[str] = field(default_factory=Counter)
    rows: list[Any] = field(default_factory=list)
    events: int = 0

    @property
    def label(self) -> str:
        return self.labels.most_common(1)[0][0]

    @property
    def platforms(self) -> Counter[str]:
        return Counter(str(r["platform"]) for r in self.rows)

    @property
    def first(self) -> str:
        return str(self.rows[0]["occurred_at"])[:10]

    @property
    def last(self) -> str:
        return str(self.rows[-1]["occurred_at"])[:10]

    def by(self) -> str:
        top = [c for c, _ in self.creators.most_common(2)]
        return f" by {', '.join(top)}" if top else ""

    def cite(self, n: int = 3) -> list[str]:
        """First and latest record per platform, up to n: enough to check, not every play."""
        ids: list[str] = []
        for platform in self.platforms:
            mine = [r for r in self.rows if r["platform"] == platform]
            ids.extend([str(mine[0]["id"]), str(mine[-1]["id"])])
        return list(dict.fromkeys(ids))[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "creators": [c for c, _ in self.creators.most_common(3)],
            "events": self.events,
            "records": len(self.rows),
            "platforms": dict(self.platforms),
            "first": self.first,
            "last": self.last,
        }


def _count_events(rows: list[Any]) -> int:
    """Distinct events among one group's records (oldest first): a record joins an earlier event of
    another platform within the mirror window; records of one platform are never merged."""
    if len({r["platform"] for r in rows}) == 1:
        return len(rows)  # one platform: nothing to merge
    events: list[tuple[int, set[str], bool]] = []  # (time, platforms, day precision)
    mirror, day_s = int(MIRROR_WINDOW.total_seconds()), 86_400
    for r in rows:
        when, platform = _when(r), str(r["platform"])
        day = r["time_precision"] in ("day", "month", "year")
        joined = False
        for t, plats, eday in reversed(events):
            if when - t > (day_s if (day or eday) else mirror):
                break
            if platform not in plats:
                plats.add(platform)
                joined = True
                break
        if not joined:
            events.append((when, {platform}, day))
    return len(events)


@dataclass
class Aggregate:
    intent: Intent
    groups: list[Group]  # in the order the answer uses
    records: int  # records counted (after the rules)
    events: int
    value: Any  # the answer itself: a list of labels, a number or a date
    excluded: dict[str, int] = field(default_factory=dict)
    whole_store: bool = True
    inferred: int = 0  # plays whose artist came from the same title elsewhere in the store

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        return {
            "intent": self.intent.to_dict(),
            "value": self.value,
            "records": self.records,
            "events": self.events,
            "groups": len(self.groups),
            "rows": [g.to_dict() for g in self.groups[:top]],
            "excluded": self.excluded,
            "whole_store": self.whole_store,
        }


def _credit(store: Store, filters: Filters, intent: Intent, rows: list[Any]) -> int:
    """Give tracks logged without an artist the artist the store knows for that title, when it knows
    exactly one; with title/creator words, add such plays of the matched titles (the words named
    the artist, which those rows lack). Returns how many rows were credited."""
    if not any(k == "track" for k in intent.kinds):
        return 0
    if intent.topic:
        seen = {str(r["id"]) for r in rows}
        titles = tuple(
            {str(r["title"]) for r in rows if r["kind"] == "track" and r["title"] and r["creators"]}
        )
        extra = [r for r in uncredited_rows(store, filters, titles) if str(r["id"]) not in seen]
        if extra:
            rows.extend(extra)
            rows.sort(key=lambda r: (str(r["occurred_at"]), str(r["id"])))
    missing = [
        i
        for i, r in enumerate(rows)
        if r["kind"] == "track" and r["title"] and r["creators"] in (None, "", "[]")
    ]
    if not missing:
        return 0
    known = track_artists(store)
    n = 0
    for i in missing:  # rows are read-only sqlite rows: a credited one becomes a dict copy
        options = known.get(str(rows[i]["title"]).lower(), set())
        if len(options) == 1:
            rows[i] = {**dict(rows[i]), "creators": next(iter(options))}
            n += 1
    return n


def _main_profiles(store: Store, platforms: set[str]) -> dict[str, str]:
    """Per shared-account platform, the profile holding most of its records (the person's own)."""
    out: dict[str, str] = {}
    for platform in sorted(platforms):
        row = select_records(
            store,
            "json_extract(r.extra, '$.profile') AS p, count(*) AS n",
            "r.platform = ? AND r.extra LIKE '%\"profile\"%'",
            (platform,),
            group="p",
            order="n DESC",
            limit=1,
        ).fetchone()
        if row and row["p"]:
            out[platform] = str(row["p"])
    return out


def aggregate(store: Store, plan: Plan, intent: Intent) -> Aggregate:
    filters = Filters(
        platforms=intent.platforms,
        kinds=intent.kinds,
        actions=intent.actions,
        since=plan.since.isoformat() if plan.since else None,
        until=plan.until.isoformat() if plan.until else None,
    )
    rows: list[Any] = list(matching_rows(store, filters, words=intent.topic))
    inferred = _credit(store, filters, intent, rows)
    kept, excluded = _kept(store, rows)
    out = _groups(kept, intent)
    counted = {str(r["id"]) for g in out for r in g.rows}
    untitled = bool(out) and all(g.rows[0]["kind"] in UNTITLED for g in out)
    events = _total_events(out, intent.group, untitled=untitled)
    value = _RESULTS.get(intent.op, _listed)(out, intent, events)
    return Aggregate(intent, out, len(counted), events, value, dict(excluded), inferred=inferred)


def _kept(store: Store, rows: list[Any]) -> tuple[list[Any], Counter[str]]:
    """The rows that count, and how many were left out by which rule (skips, other profiles)."""
    excluded: Counter[str] = Counter()
    profiled = {str(r["platform"]) for r in rows if r["profile"]}
    mains = _main_profiles(store, profiled) if profiled else {}
    kept = []
    for r in rows:
        if (
            r["action"] == "listened"
            and r["duration_s"] is not None
            and float(r["duration_s"]) < MIN_LISTEN_S
        ):
            excluded["plays under 30 s (skips)"] += 1
        elif r["profile"] and mains.get(str(r["platform"])) not in (None, r["profile"]):
            excluded[f"records of another {r['platform']} profile ({r['profile']})"] += 1
        else:
            kept.append(r)
    return kept, excluded


def _groups(kept: list[Any], intent: Intent) -> list[Group]:
    """The kept rows grouped as the intent says, each group's events counted, narrowed to the groups
    the question is about (an exact title, every named platform, several platforms)."""
    groups: dict[str, Group] = {}
    for r in kept:
        for key, label in _keys(r, intent.group):
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group(key)
            g.labels[label] += 1
            g.rows.append(r)
            if intent.group != "creator":
                g.creators.update(_creators(r)[:2])
    out = list(groups.values())
    if it_exact(intent):
        # "When did I first watch Dune?" is about the film called Dune, not a video with Dune in its title.
        want = norm_title(" ".join(intent.topic))
        exact = [g for g in out if norm_title(g.label) == want or want in {norm_title(c) for c in g.creators}]
        out = exact or out
    for g in out:
        g.events = _count_events(g.rows)
    if intent.every_platform:
        out = [g for g in out if set(intent.platforms) <= set(g.platforms)]
    if intent.min_platforms > 1:
        out = [g for g in out if len(g.platforms) >= intent.min_platforms]
    return out


# One result per operation: each sorts the groups (in place) and returns the aggregate's value.
def _top(out: list[Group], intent: Intent, events: int) -> Any:
    out.sort(key=lambda g: (-g.events, -len(g.rows), g.label.casefold()))
    if intent.k == 1 and out:
        return sorted(g.label for g in out if g.events == out[0].events)
    return [g.label for g in out[: intent.k]]


def _counted(out: list[Group], intent: Intent, events: int) -> Any:
    out.sort(key=lambda g: (-g.events, g.label.casefold()))
    return events if intent.unit == "times" else len(out)


def _dated(out: list[Group], intent: Intent, events: int) -> Any:
    if intent.op == "last":
        out.sort(key=lambda g: (g.last, g.label.casefold()), reverse=True)
    else:
        out.sort(key=lambda g: (g.first, g.label.casefold()))
    if not out:
        return None
    if intent.op == "when":
        return sorted({str(r["occurred_at"])[:10] for g in out for r in g.rows})
    if intent.answer_date:
        return out[0].first if intent.op == "first" else out[0].last
    return out[0].label


def _listed(out: list[Group], intent: Intent, events: int) -> Any:
    out.sort(key=lambda g: (g.first, g.label.casefold()))
    return [g.label for g in out]


_RESULTS: dict[str, Callable[[list[Group], Intent, int], Any]] = {
    "top": _top,
    "count": _counted,
    "first": _dated,
    "last": _dated,
    "when": _dated,
}


def it_exact(intent: Intent) -> bool:
    """Questions about one work ("when did I first…", "how many times did I…") match its whole title."""
    return bool(intent.topic) and (intent.op in ("first", "last", "when") or intent.unit == "times")


def _total_events(groups: list[Group], group: str, *, untitled: bool = False) -> int:
    """Events over the groups' distinct records: a track by two artists is one listen, not two; a
    run that Strava calls "Evening Trail Run" and Apple Health "Running" is one run (kinds whose
    titles are names given by each app are merged across titles)."""
    if untitled:
        every = {str(r["id"]): r for g in groups for r in g.rows}
        return _count_events(sorted(every.values(), key=lambda r: (_when(r), str(r["id"]))))
    if group != "creator":
        return sum(g.events for g in groups)
    rows = {str(r["id"]): r for g in groups for r in g.rows}
    by_item: dict[str, list[Any]] = {}
    for r in sorted(rows.values(), key=lambda r: (str(r["occurred_at"]), str(r["id"]))):
        for key, _ in _keys(r, "item"):
            by_item.setdefault(key, []).append(r)
    return sum(_count_events(v) for v in by_item.values())
