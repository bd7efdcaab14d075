"""What the facts read of each record, computed once per record and kept in ``profile_fact_rows``.

Parsing a record (its JSON ``extra`` and ``categories``, its time, the stems of its text and the topic
phrases it names) is most of what inferring the facts cost when it re-read every record after every
import. Here each record is parsed once, when it arrives: an import adds the rows of its new records
(``rowid`` above the watermark), and the facts read the compact, already-parsed rows. The rows are
recomputed from every record when their version changes, when records were deleted or replaced, or on
request (``selfdex profile rebuild``). Hidden records keep their rows (hiding is undone by unforgetting);
the facts leave them out when they read.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

import orjson

from ..store import Store
from ..store.visible import visible_clause
from .evidence import EPOCH, _Row
from .factstore import MIGRATIONS
from .themes import _ACTIVITY_KINDS, _HASHTAG, _TOPIC_KINDS, _is_work_kind, _stems, _term

__all__ = ["load_rows", "update_rows"]

# Bump when what a row holds changes, so rows computed by an older version are recomputed.
FEATURES_VERSION = 1
_BATCH = 5000
_SKIP_SECONDS = 30.0
_SOURCE = (
    "rowid, id, platform, action, kind, title, categories, occurred_at, occurred_tz, time_precision, "
    "rating_norm, duration_s, place, text, extra"
)
_COLUMNS = (
    "seq, id, platform, action, kind, title, categories, ts, month, tz, precision, rating, skipped, "
    "place, profile, reason, terms, said"
)

Progress = Callable[[str, int, int | None], None]


def _micros(when: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp loses the last digits)."""
    delta = (when if when.tzinfo else when.replace(tzinfo=UTC)) - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _features(r: Any) -> tuple[Any, ...]:
    """One record's row of ``profile_fact_rows`` (the order of ``_COLUMNS``)."""
    extra = orjson.loads(r["extra"]) if r["extra"] else {}
    categories: list[str] = orjson.loads(r["categories"]) if r["categories"] else []
    when = datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) if r["occurred_at"] else None
    skipped = r["kind"] in ("track", "podcast") and (
        bool(extra.get("skipped"))
        or (r["duration_s"] is not None and r["duration_s"] < _SKIP_SECONDS)
        or extra.get("reason_end") == "fwdbtn"
    )
    text = r["text"] or ""
    terms: list[list[Any]] = []
    if r["kind"] != "health_metric":  # metric names ("StepCount"), not interests
        sources = list(categories)
        if (r["kind"] in _TOPIC_KINDS or r["kind"] in _ACTIVITY_KINDS) and r["title"]:
            sources.append(r["title"])
        sources += _HASHTAG.findall(text)
        for phrase in sources:
            if found := _term(phrase):
                terms.append([list(found), phrase.lstrip("#")])
    work = _is_work_kind(r["kind"], r["platform"], extra.get("about"))
    title = None if work or r["kind"] in _TOPIC_KINDS else r["title"]
    said = " ".join(_stems(" ".join(x for x in (title, text[:300]) if x)))
    reason = extra.get("reason") if r["action"] == "returned" else None
    return (
        r["rowid"],
        r["id"],
        r["platform"],
        r["action"],
        r["kind"],
        r["title"],
        r["categories"] if categories else None,
        _micros(when) if when else None,
        when.month if when else None,
        r["occurred_tz"],
        r["time_precision"],
        r["rating_norm"],
        int(skipped),
        r["place"],
        str(extra["profile"]) if "profile" in extra else None,
        f"{reason}" if reason else None,
        orjson.dumps(terms).decode() if terms else None,
        said,
    )


def update_rows(store: Store, *, force: bool = False, progress: Progress | None = None) -> int:
    """Parse the records that arrived since the last call; every record when ``force``, on a version
    change or after a deletion. Returns how many records were parsed."""
    store.ensure_schema("profile_facts", MIGRATIONS)
    conn = store.conn
    raw = conn.execute("SELECT value FROM profile_fact_meta WHERE key = 'rows'").fetchone()
    mark = json.loads(raw[0]) if raw else None
    top, count = conn.execute("SELECT coalesce(max(rowid), 0), count(*) FROM records").fetchone()
    start = 0
    if mark and not force and mark["version"] == FEATURES_VERSION:
        kept = conn.execute("SELECT count(*) FROM records WHERE rowid <= ?", (mark["rowid"],)).fetchone()[0]
        if kept == mark["count"]:  # nothing deleted or replaced since
            start = mark["rowid"]
    if mark and start == top and count == mark["count"]:
        return 0
    total = conn.execute("SELECT count(*) FROM records WHERE rowid > ?", (start,)).fetchone()[0]
    say = progress or (lambda _step, _done, _total: None)
    done = 0
    # Inside a caller's transaction (applying forget rules) its COMMIT keeps the rows with the rest.
    with nullcontext() if conn.in_transaction else store.transaction():
        if start == 0:
            conn.execute("DELETE FROM profile_fact_rows")
        cur = store.conn.cursor().execute(
            f"SELECT {_SOURCE} FROM records WHERE rowid > ? ORDER BY rowid", (start,)
        )
        while batch := cur.fetchmany(_BATCH):
            conn.executemany(
                f"INSERT INTO profile_fact_rows ({_COLUMNS}) VALUES ({', '.join('?' * 18)})",
                [_features(r) for r in batch],
            )
            done += len(batch)
            say("profile: reading new records", done, total)
        state = {"version": FEATURES_VERSION, "rowid": top, "count": count}
        conn.execute(
            "INSERT INTO profile_fact_meta (key, value) VALUES ('rows', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (json.dumps(state),),
        )
    return done


def load_rows(store: Store, *, stored: bool = True) -> list[_Row]:
    """The visible records' rows, in the records' order, the person's own streaming profile only.

    ``stored=False`` parses every record now (a store that could not keep its rows up to date)."""
    if stored:
        cur: Iterable[Any] = store.conn.execute(
            f"SELECT {_COLUMNS} FROM profile_fact_rows r WHERE {visible_clause('r')} ORDER BY seq"
        )
    else:
        cur = map(
            _features,
            store.conn.execute(f"SELECT {_SOURCE} FROM records r WHERE {visible_clause('r')} ORDER BY rowid"),
        )
    # SQLite hands a new str per row and per column: a value that repeats (a platform, a title, a
    # stem) is kept once, and a categories or terms text is parsed once, so the rows take a few
    # hundred bytes each instead of kilobytes.
    same: dict[Any, Any] = {}
    keep = same.setdefault
    categories: dict[str, tuple[str, ...]] = {}
    terms: dict[str, _Terms] = {}
    rows: list[_Row] = []
    for r in cur:
        cats = categories.get(r[6]) if r[6] else ()
        if cats is None:
            cats = categories[r[6]] = tuple(keep(c, c) for c in orjson.loads(r[6]))
        named = terms.get(r[16]) if r[16] else ()
        if named is None:
            named = terms[r[16]] = _parsed_terms(r[16], keep)
        said = tuple(keep(x, x) for x in r[17].split()) if r[17] else ()  # the same text: one tuple
        rows.append(
            _Row(
                id=r[1],
                platform=keep(r[2], r[2]),
                action=keep(r[3], r[3]),
                kind=keep(r[4], r[4]),
                title=keep(r[5], r[5]),
                categories=cats,
                ts=r[7],
                month=r[8],
                tz=keep(r[9], r[9]),
                precision=keep(r[10], r[10]),
                rating=r[11],
                skipped=bool(r[12]),
                place=keep(r[13], r[13]),
                profile=keep(r[14], r[14]),
                reason=r[15],
                terms=named,
                said=keep(said, said),
            )
        )
    return _main_profile_only(rows)


_Terms = tuple[tuple[tuple[str, ...], str], ...]


def _parsed_terms(raw: str, keep: Callable[[Any, Any], Any]) -> _Terms:
    out = []
    for stems, name in orjson.loads(raw):
        t = tuple(keep(x, x) for x in stems)
        out.append((keep(t, t), keep(name, name)))
    return tuple(out)


def _main_profile_only(rows: list[_Row]) -> list[_Row]:
    """Shared streaming accounts: a Netflix export holds every profile; the person is the busiest one."""
    profiles: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r.profile is not None:
            profiles[r.platform][r.profile] += 1
    main = {platform: c.most_common(1)[0][0] for platform, c in profiles.items()}
    return [r for r in rows if r.profile is None or r.profile == main[r.platform]]
