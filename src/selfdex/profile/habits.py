"""Habits: routines (hours, weekdays, seasons, places) and dislikes (low ratings, skips, abandonments, returns)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .evidence import _LOW_RATING, EPOCH, Fact, _ent_name, _Evidence, _Graph, _Row, _type_domain
from .names import fold

# -- routines -------------------------------------------------------------------------------------


def _home_zone(rows: list[_Row]) -> ZoneInfo | timezone:
    zones = Counter(r.tz for r in rows if r.tz and "/" in r.tz)
    for name, _ in zones.most_common():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC


_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def _local(r: _Row, home: ZoneInfo | timezone) -> datetime | None:
    if r.ts is None or r.precision in ("year", "month", "day"):
        return None
    tz: ZoneInfo | timezone = home
    if r.tz and "/" in r.tz:
        try:
            tz = ZoneInfo(r.tz)
        except (ZoneInfoNotFoundError, ValueError):
            tz = home
    elif r.tz and (m := _OFFSET.match(r.tz)):
        sign = 1 if m.group(1) == "+" else -1
        tz = timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3))))
    return (EPOCH + timedelta(microseconds=r.ts)).astimezone(tz)


_WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DOMAIN_LABEL = {
    "film_tv": "Film & TV",
    "books": "Reading",
    "music": "Listening",
    "video": "Video",
    "shopping": "Shopping",
    "places": "Going places",
    "activity": "Exercise",
}


def _routine(
    key: str,
    domain: str,
    label: str,
    score: float,
    citations: list[str],
    detail: dict[str, Any] | None = None,
) -> Fact:
    return Fact(key, domain, "routine", label, score, [], citations, detail or {})


def _modal(counts: Counter[int], total: int) -> tuple[int, float]:
    """The most frequent value (the smallest on a tie) and its share of ``total``."""
    value, n = max(counts.items(), key=lambda x: (x[1], -x[0]))
    return value, n / total


def _hour_ranges(hours: list[int]) -> str:
    spans: list[list[int]] = []
    for h in sorted(hours):
        if spans and h == spans[-1][1] + 1:
            spans[-1][1] = h
        else:
            spans.append([h, h])
    return ", ".join(f"{a:02d}:00–{b + 1:02d}:00" for a, b in spans)


def _routines(rows: list[_Row]) -> list[Fact]:
    """When the person does things (hours, weekdays, seasons, per domain) and where they often go."""
    home = _home_zone(rows)
    timed: dict[str, list[tuple[_Row, datetime]]] = defaultdict(list)
    dated: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if not r.domain or r.domain in ("places", "shopping") or r.skipped or r.kind == "health_metric":
            continue
        if r.ts is not None:
            dated[r.domain].append(r)
        local = _local(r, home)
        if local is not None:
            timed[r.domain].append((r, local))
    facts: list[Fact] = []
    zone = getattr(home, "key", "UTC")
    for domain, items in sorted(timed.items()):
        if len(items) >= 20:
            facts.append(_hours(domain, items, zone))
            facts += _weekday(domain, items)
    for domain, items2 in sorted(dated.items()):
        facts += _season(domain, items2)
    return facts + _places(rows)


def _hours(domain: str, items: list[tuple[_Row, datetime]], zone: str) -> Fact:
    """The fewest hours of the day that hold 60 % of the domain's timed records."""
    hours = Counter(t.hour for _, t in items)
    peak: list[int] = []
    covered = 0
    for h, n in sorted(hours.items(), key=lambda x: (-x[1], x[0])):
        if covered >= 0.6 * len(items):
            break
        peak.append(h)
        covered += n
    cited = [r.id for r, t in sorted(items, key=lambda x: x[1], reverse=True) if t.hour in peak]
    return _routine(
        f"routine:hours:{domain}",
        domain,
        f"{_DOMAIN_LABEL[domain]} mostly {_hour_ranges(peak)} ({zone})",
        covered / len(items),
        cited,
        {"hours": {f"{h:02d}": hours[h] for h in sorted(hours)}, "zone": zone},
    )


def _weekday(domain: str, items: list[tuple[_Row, datetime]]) -> list[Fact]:
    days = Counter(t.weekday() for _, t in items)
    day, share = _modal(days, len(items))
    if share < 1.5 / 7:
        return []
    label = f"{_DOMAIN_LABEL[domain]}: most often on {_WEEKDAYS[day]} ({share:.0%})"
    weekdays = {_WEEKDAYS[d][:3]: days[d] for d in sorted(days)}
    cited = [r.id for r, t in items if t.weekday() == day]
    return [_routine(f"routine:weekday:{domain}", domain, label, share, cited, {"weekdays": weekdays})]


def _season(domain: str, items: list[_Row]) -> list[Fact]:
    """A month that holds a sixth of a domain's dated records, over a year of them at least."""
    stamps = [r.ts for r in items if r.ts is not None]
    if len(items) < 24 or (max(stamps) - min(stamps)) // 86_400_000_000 < 365:
        return []
    months = Counter(r.month for r in items if r.month is not None)
    month, share = _modal(months, len(items))
    if share < 2 / 12:
        return []
    label = f"{_DOMAIN_LABEL[domain]} peaks in {_MONTHS[month - 1]} ({share:.0%} of the year's activity)"
    by_month = {_MONTHS[m - 1]: months[m] for m in sorted(months)}
    cited = [r.id for r in items if r.month == month]
    return [_routine(f"routine:season:{domain}", domain, label, share, cited, {"months": by_month})]


def _places(rows: list[_Row]) -> list[Fact]:
    places: dict[str, _Evidence] = defaultdict(_Evidence)
    names: dict[str, str] = {}
    for r in rows:
        if r.kind == "place" and r.action == "visited" and (r.title or r.place):
            name = r.title or r.place or ""
            places[fold(name)].add(r, 1.0)
            names[fold(name)] = name
    ranked = sorted(places.items(), key=lambda x: (-len(x[1].records), x[0]))
    facts: list[Fact] = []
    for key, ev in ranked[:8]:
        if len(ev.records) < 3:
            break
        facts.append(
            _routine(
                f"routine:place:{key}",
                "places",
                f"Often at {names[key]} ({len(ev.records)} visits)",
                len(ev.records) / len(ranked[0][1].records),
                ev.citations(),
            )
        )
    return facts


# -- dislikes -------------------------------------------------------------------------------------


def _dislike(key: str, domain: str, label: str, score: float, citations: list[str]) -> Fact:
    return Fact(key, domain, "dislike", label, score, [], citations)


def _disliked_entities(rows: list[_Row], graph: _Graph) -> set[int]:
    out = set()
    for r in rows:
        if r.action in ("abandoned", "disliked") or (r.rating is not None and r.rating <= _LOW_RATING):
            out |= {ent for ent, role in graph.roles.get(r.id, ()) if role == "item"}
    return out


def _dislikes(rows: list[_Row], graph: _Graph, by_id: dict[str, _Row]) -> list[Fact]:
    # One kind of evidence after another, in the order the facts have always been listed.
    return [
        *_returns(rows, graph, by_id),
        *_low_ratings(rows, graph),
        *_dropped(rows, graph),
        *_skipped_artists(rows, graph),
    ]


def _items(r: _Row, graph: _Graph) -> list[int]:
    """The entities a record is about (role "item"; not a track's album or its creators)."""
    return [ent for ent, role in graph.roles.get(r.id, ()) if role == "item"]


def _returns(rows: list[_Row], graph: _Graph, by_id: dict[str, _Row]) -> list[Fact]:
    """One dislike per return, named after what the matched orders bought."""
    facts: list[Fact] = []
    for r in rows:
        if r.action != "returned":
            continue
        bought = [by_id[p] for p in graph.returns.get(r.id, ()) if p in by_id]
        name = next((b.title for b in bought if b.title), r.title or "an order")
        reason = r.reason
        facts.append(
            _dislike(
                f"dislike:returned:{fold(name)}",
                "shopping",
                f"Returned {name}" + (f" (reason: {reason})" if reason else ""),
                0.3,
                [r.id, *(b.id for b in bought)],
            )
        )
    return facts


def _low_ratings(rows: list[_Row], graph: _Graph) -> list[Fact]:
    """Things rated at or under the low mark, scored by how low they were rated on average."""
    low: dict[int, _Evidence] = defaultdict(_Evidence)
    ratings: dict[int, list[float]] = defaultdict(list)
    for r in rows:
        if r.rating is not None and r.rating <= _LOW_RATING:
            for ent in _items(r, graph):
                low[ent].add(r, 1.0)
                ratings[ent].append(r.rating)
    facts: list[Fact] = []
    for ent, ev in low.items():
        e = graph.ents[ent]
        mean = sum(ratings[ent]) / len(ratings[ent])
        facts.append(
            _dislike(
                f"dislike:{e.key}",
                _type_domain(e.type),
                f"Rated {_ent_name(e)} low ({mean:.0%} on average)",
                1.0 - mean,
                ev.citations(),
            )
        )
    return facts


def _dropped(rows: list[_Row], graph: _Graph) -> list[Fact]:
    """Things abandoned or marked as disliked: one fact per action and thing."""
    dropped: dict[tuple[str, int], _Evidence] = defaultdict(_Evidence)
    for r in rows:
        if r.action in ("abandoned", "disliked"):
            for ent in _items(r, graph):
                dropped[(r.action, ent)].add(r, 1.0)
    facts: list[Fact] = []
    for (action, ent), ev in dropped.items():
        e = graph.ents[ent]
        verb = "Abandoned" if action == "abandoned" else "Marked as disliked:"
        facts.append(
            _dislike(
                f"dislike:{action}:{e.key}",
                _type_domain(e.type),
                f"{verb} {_ent_name(e)}",
                0.8,
                ev.citations(),
            )
        )
    return facts


def _skipped_artists(rows: list[_Row], graph: _Graph) -> list[Fact]:
    """Artists whose tracks are mostly skipped, given enough plays (five) for the share to mean something."""
    plays: dict[int, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.kind == "track" and r.action == "listened":
            for ent, role in graph.roles.get(r.id, ()):
                if role == "creator":
                    plays[ent].append(r)
    facts: list[Fact] = []
    for ent, listens in plays.items():
        skipped = [r for r in listens if r.skipped]
        if len(listens) >= 5 and len(skipped) / len(listens) >= 0.6:
            e = graph.ents[ent]
            facts.append(
                _dislike(
                    f"dislike:skips:{e.key}",
                    "music",
                    f"Skips {e.name} ({len(skipped)} of {len(listens)} plays skipped)",
                    len(skipped) / len(listens),
                    [r.id for r in skipped],
                )
            )
    return facts
