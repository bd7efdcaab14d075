"""Deterministic retrieval: a question → the records (and profile facts) a model or a person may cite.

The same question over the same store always yields the same context. Records come from three
places, across every platform: the time/action reading of the question (timeline), hybrid search
over its remaining words, and records linked to those by title (the book ↔ the film of it; the
same film logged on Netflix and Letterboxd). Hidden records never enter.

Each record gets a short ``ref`` (R1, R2…) that models cite; a ref resolves to exactly one record
id, and a citation that resolves to nothing is invented.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..store import Filters, Store
from ..store.columns import LIGHT_COLUMNS
from ..store.db import row_dict
from ..store.queries import count_matching, norm_title, timeline
from ..store.visible import hidden_ids, latest_time, select_records

__all__ = ["Clause", "Context", "Evidence", "Plan", "build_context", "norm_title", "plan_question"]

TEXT_EXCERPT = 280  # characters of a record's own (untrusted) text shown to a model


@dataclass(frozen=True)
class Clause:
    """One thing the question asks about: a verb mapped to store actions and kinds."""

    verb: str
    actions: tuple[str, ...]
    kinds: tuple[str, ...] = ()


# Verb stems → what the store calls them. Order matters only for display.
_VERBS: tuple[tuple[str, Clause], ...] = (
    (r"read|reading", Clause("read", ("read", "started", "highlighted", "finished"), ("book",))),
    (r"watch\w*|saw|seen|see", Clause("watched", ("watched", "seen"), ("movie", "episode", "video", "show"))),
    (r"listen\w*|heard|hear", Clause("listened to", ("listened",), ("track", "podcast", "album"))),
    (r"bought|buy\w*|purchas\w*|order\w*", Clause("bought", ("purchased",))),
    (
        r"ran|run\w*|rode|ride|cycl\w*|exercis\w*|workout\w*|swim\w*|hik\w*",
        Clause("exercised", ("exercised",)),
    ),
    (r"visit\w*|went|go|been|travel\w*|trip\w*", Clause("visited", ("visited", "travelled"))),
    (r"search\w*|googl\w*|look\w* up", Clause("searched for", ("searched",))),
    (r"post\w*|tweet\w*", Clause("posted", ("posted",))),
    (r"lik\w*|lov\w*|favou?rit\w*|rated?", Clause("liked or rated", ("liked", "rated", "saved"))),
    (r"sav\w*|bookmark\w*", Clause("saved", ("saved",))),
    (r"spen[dt]\w*|paid|pay\w*", Clause("paid for", ("paid",))),
    (r"attend\w*|meet\w*|met", Clause("attended", ("attended",))),
)
# Nouns that name a kind of record: "mail about refunds" searches messages for "refunds".
_NOUN_KINDS: dict[str, tuple[str, ...]] = {
    "mail": ("message",),
    "mails": ("message",),
    "email": ("message",),
    "emails": ("message",),
    "message": ("message",),
    "messages": ("message",),
    "podcast": ("podcast",),
    "podcasts": ("podcast",),
    "episode": ("episode",),
    "episodes": ("episode",),
    "note": ("note",),
    "notes": ("note",),
    "event": ("event",),
    "events": ("event",),
    "tweet": ("post",),
    "tweets": ("post",),
}
_ADAPT = re.compile(r"\b(adapt\w*|based on|film of|movie of|version of)\b", re.I)
_SEASONS = {"spring": (3, 6), "summer": (6, 9), "autumn": (9, 12), "fall": (9, 12), "winter": (12, 15)}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "about",
        "did",
        "do",
        "does",
        "for",
        "from",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "with",
        "you",
        "your",
        "ever",
        "also",
        "all",
        "some",
        "many",
        "much",
        "more",
        "most",
        "than",
        "this",
        "last",
        "past",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "ago",
        "recently",
        "lately",
        "since",
        "until",
        "before",
        "after",
        "during",
        "books",
        "book",
        "movies",
        "movie",
        "films",
        "film",
        "adaptations",
        "adaptation",
        "things",
        "thing",
        "stuff",
        "songs",
        "song",
        "music",
        "shows",
        "show",
        "tv",
    ]
)
_WORD = re.compile(r"[\w']+", re.UNICODE)
# Kinds that are "works" with a title shared across forms and platforms (a book, its film, a series).
_WORK_KINDS = ("book", "movie", "episode", "video", "show")


@dataclass
class Plan:
    """How the question was read; shown to the person so the reading can be checked."""

    question: str
    anchor: date  # "now" for relative dates: the person's latest record (an export is a snapshot)
    since: date | None = None
    until: date | None = None  # exclusive
    period: str | None = None
    clauses: list[Clause] = field(default_factory=list)
    topic: str = ""
    kinds: tuple[str, ...] = ()  # named by a noun in the question ("mail" → message)
    adaptations: bool = False

    def filters(self, clause: Clause | None = None) -> Filters:
        return Filters(
            actions=clause.actions if clause else (),
            kinds=self.kinds or (clause.kinds if clause else ()),
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "anchor": self.anchor.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "period": self.period,
            "asks_about": [c.verb for c in self.clauses],
            "topic": self.topic or None,
            "kinds": list(self.kinds),
            "adaptations": self.adaptations,
        }


def _anchor(store: Store) -> date:
    latest = latest_time(store)
    today = datetime.now(UTC).date()
    if latest:
        return min(date.fromisoformat(latest[:10]), today)
    return today


def _period(q: str, anchor: date) -> tuple[date | None, date | None, str | None, list[str]]:
    """(since, until-exclusive, label, the words that expressed it). Northern-hemisphere seasons."""
    q = q.lower()
    if m := re.search(r"\b(last|this|past)\s+(spring|summer|autumn|fall|winter)\b", q):
        which, season = m.groups()
        start_m, end_m = _SEASONS[season]
        year = anchor.year if which == "this" else anchor.year - (1 if anchor.month < end_m else 0)
        if which == "this" and season == "winter" and anchor.month < 3:
            year -= 1
        since = date(year, start_m, 1)
        until = date(year + (end_m - 1) // 12, (end_m - 1) % 12 + 1, 1)
        return since, until, f"{which} {season} ({season} {year})", [which, season]
    if m := re.search(r"\b(spring|summer|autumn|fall|winter)\s+(?:of\s+)?((?:19|20)\d\d)\b", q):
        season, y = m.groups()
        start_m, end_m = _SEASONS[season]
        year = int(y)
        until = date(year + (end_m - 1) // 12, (end_m - 1) % 12 + 1, 1)
        return date(year, start_m, 1), until, f"{season} {year}", [season, y]
    if m := re.search(r"\b(" + "|".join(_MONTHS) + r")\s*((?:19|20)\d\d)?\b", q):
        name, y = m.groups()
        month = _MONTHS[name]
        year = int(y) if y else (anchor.year if month <= anchor.month else anchor.year - 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), nxt, f"{name.title()} {year}", [name, *([y] if y else [])]
    m = re.search(r"\b(?:in|during|of)\s+((?:19|20)\d\d)\b", q)
    # A bare year after the person's latest record is a title ("Blade Runner 2049"), not a period.
    bare = [b for b in re.finditer(r"\b((?:19|20)\d\d)\b", q) if int(b.group(1)) <= anchor.year]
    if m := m or (bare[0] if bare else None):
        year = int(m.group(1))
        return date(year, 1, 1), date(year + 1, 1, 1), str(year), [m.group(1)]
    if re.search(r"\blast year\b", q):
        y = anchor.year - 1
        return date(y, 1, 1), date(y + 1, 1, 1), f"last year ({y})", []
    if re.search(r"\bthis year\b", q):
        return date(anchor.year, 1, 1), anchor + timedelta(days=1), f"this year ({anchor.year})", []
    if re.search(r"\blast month\b", q):
        first = anchor.replace(day=1)
        prev = (first - timedelta(days=1)).replace(day=1)
        return prev, first, f"last month ({prev:%B %Y})", []
    if m := re.search(r"\b(?:last|past)\s+(\d+)\s+(day|week|month)s?\b", q) or re.search(
        r"\b(?:last|past)\s+(week)\b", q
    ):
        n, unit = (int(m.group(1)), m.group(2)) if m.lastindex == 2 else (1, m.group(1))
        days = n * {"day": 1, "week": 7, "month": 30}[unit]
        return anchor - timedelta(days=days), anchor + timedelta(days=1), f"the last {n} {unit}(s)", []
    if re.search(r"\b(recently|lately)\b", q):
        return anchor - timedelta(days=90), anchor + timedelta(days=1), "recently (the last 90 days)", []
    return None, None, None, []


def plan_question(store: Store, question: str) -> Plan:
    anchor = _anchor(store)
    since, until, label, time_words = _period(question, anchor)
    plan = Plan(question=question, anchor=anchor, since=since, until=until, period=label)
    plan.adaptations = bool(_ADAPT.search(question))
    words = _WORD.findall(question.lower())
    used: set[str] = set(time_words)
    for pattern, clause in _VERBS:
        rx = re.compile(rf"^(?:{pattern})$")
        hit = [w for w in words if rx.match(w)]
        if hit and clause not in plan.clauses:
            # "did I watch any adaptations" asks about watching; "read" in "already read" too.
            plan.clauses.append(clause)
            used.update(hit)
    plan.kinds = tuple(dict.fromkeys(k for w in words for k in _NOUN_KINDS.get(w, ())))
    plan.topic = " ".join(
        w
        for w in words
        if w not in used
        and w not in _STOP
        and w not in _MONTHS
        and w not in _NOUN_KINDS
        and not _ADAPT.match(w)
    )
    return plan


@dataclass(eq=False)  # identity: one Evidence per record per context, usable in sets
class Evidence:
    ref: str
    record: dict[str, Any]
    via: str  # why it is in the context: "timeline", "search", "linked", "profile", "tool"

    @property
    def id(self) -> str:
        return str(self.record["id"])

    def data(self) -> dict[str, Any]:
        """The record as quoted data for a model: facts only, own text truncated (it is untrusted)."""
        r = self.record
        d: dict[str, Any] = {
            "ref": self.ref,
            "platform": r.get("platform"),
            "action": r.get("action"),
            "kind": r.get("kind"),
            "title": r.get("title"),
        }
        for key in ("creators", "categories"):
            if r.get(key):
                d[key] = r[key][:4]
        if r.get("occurred_at"):
            d["date"] = str(r["occurred_at"])[:10]
        if r.get("rating_norm") is not None:
            d["rating"] = round(float(r["rating_norm"]) * 5, 1)
        if r.get("place"):
            d["place"] = r["place"]
        if r.get("amount") is not None:
            d["amount"] = f"{r['amount']} {r.get('currency') or ''}".strip()
        if r.get("text"):
            text = " ".join(str(r["text"]).split())
            d["text"] = text[:TEXT_EXCERPT] + ("…" if len(text) > TEXT_EXCERPT else "")
        return d


@dataclass
class Context:
    """The records a model may cite, keyed by ref and by record id."""

    store: Store
    plan: Plan
    by_id: dict[str, Evidence] = field(default_factory=dict)
    by_ref: dict[str, Evidence] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()
    samples: list[str] = field(default_factory=list)  # where retrieval stopped at a limit

    def add(self, record: dict[str, Any], via: str) -> Evidence | None:
        rid = str(record["id"])
        if rid in self.hidden:
            return None
        if rid in self.by_id:
            return self.by_id[rid]
        ev = Evidence(ref=f"R{len(self.by_id) + 1}", record=record, via=via)
        self.by_id[rid] = ev
        self.by_ref[ev.ref] = ev
        return ev

    def add_all(self, records: Iterable[dict[str, Any]], via: str) -> list[Evidence]:
        return [ev for r in records if (ev := self.add(r, via)) is not None]

    def resolve(self, citation: str) -> Evidence | None:
        """A ref (R3) or a full record id present in this context; anything else is invented."""
        c = str(citation).strip()
        return self.by_ref.get(c.upper()) or self.by_id.get(c)

    def refs(self) -> list[str]:
        return list(self.by_ref)

    def data(self) -> dict[str, Any]:
        return {
            "records": [ev.data() for ev in self.by_ref.values()],
            **({"profile_facts": self.facts} if self.facts else {}),
        }


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def search_records(
    store: Store, text: str, filters: Filters | None = None, *, limit: int = 12
) -> list[dict[str, Any]]:
    """Hybrid search (FTS + vectors, falls back to FTS alone), hidden records excluded. When the words
    together find nothing, each stemmed word is searched alone and the results interleaved."""
    from ..index.search import search

    hits = [h.record for h in search(store, text, filters, limit=limit)]
    words = [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]
    if hits or words == [text.lower().strip()]:
        return hits
    per_word = [[h.record for h in search(store, w, filters, limit=limit)] for w in words]
    seen: dict[str, dict[str, Any]] = {}
    for rank in range(limit):
        for found in per_word:
            if rank < len(found):
                seen.setdefault(str(found[rank]["id"]), found[rank])
    return list(seen.values())[:limit]


def linked_records(
    store: Store, records: Iterable[dict[str, Any]], *, limit: int = 40
) -> list[dict[str, Any]]:
    """Records elsewhere in the store with the same title, or a title that continues it ('Dune' →
    'Dune: Part Two'): the same work on another platform or in another form."""
    titles = {norm_title(r.get("title")) for r in records if r.get("title") and r.get("kind") in _WORK_KINDS}
    titles = {t for t in titles if len(t) >= 3}
    if not titles:
        return []
    out: list[dict[str, Any]] = []
    rows = select_records(
        store, LIGHT_COLUMNS, f"r.kind IN {_WORK_KINDS} AND r.title IS NOT NULL", order="r.occurred_at"
    )
    for row in rows:
        t = norm_title(row["title"])
        if t in titles or any(
            (t.startswith(x + " ") and len(x) >= 4) or (x.startswith(t + " ") and len(t) >= 4) for x in titles
        ):
            out.append(row_dict(row))
            if len(out) >= limit:
                break
    return out


def _profile_facts(store: Store, ctx: Context, words: set[str], limit: int = 5) -> None:
    """Profile facts relevant to the question (by words or shared citations), when a profile exists."""
    try:
        from ..profile import build_profile
    except ImportError:
        return
    try:
        facts = build_profile(store).facts
    except Exception as exc:  # the profile layer is optional context, never a reason to fail
        ctx.notes.append(f"profile unavailable: {type(exc).__name__}")
        return
    # By the question's own words only: broad themes cite hundreds of records and would match anything.
    picked = [f for f in facts if set(_WORD.findall(str(f.label).lower())) & words]
    picked.sort(key=lambda f: -float(f.score))
    for f in picked[:limit]:
        found = [r for c in list(f.citations)[:3] if (r := store.get(c)) is not None]
        cites = [ev.ref for ev in ctx.add_all(found, "profile")]
        ctx.facts.append(
            {"fact": f.label, "domain": f.domain, "platforms": list(f.platforms)[:5], "refs": cites}
        )


def build_context(store: Store, question: str, *, per_clause: int = 200, search_limit: int = 12) -> Context:
    plan = plan_question(store, question)
    ctx = Context(store=store, plan=plan, hidden=hidden_ids(store))
    primary: list[dict[str, Any]] = []
    for clause in plan.clauses:
        if plan.since is None and plan.topic:
            continue  # no period: the topic search below finds the right records, not the latest ones
        rows = timeline(store, plan.filters(clause), limit=per_clause, newest_first=plan.since is None)
        primary.extend(ev.record for ev in ctx.add_all(rows, "timeline"))
        if len(rows) >= per_clause:
            total = count_matching(store, plan.filters(clause))
            which = "latest" if plan.since is None else "earliest"
            ctx.samples.append(f"the {which} {len(rows)} of {total:,} records that you {clause.verb}")
    if plan.topic or not plan.clauses:
        text = plan.topic or question
        filt = Filters(
            actions=tuple(a for c in plan.clauses for a in c.actions),
            kinds=plan.kinds,
            since=plan.filters().since,
            until=plan.filters().until,
        )
        hits = search_records(store, text, filt, limit=search_limit)
        if not hits and (filt.actions or filt.kinds or filt.since):
            hits = search_records(store, text, None, limit=search_limit)
        primary.extend(ev.record for ev in ctx.add_all(hits, "search"))
        if len(hits) >= search_limit:
            ctx.samples.append(f"the {len(hits)} closest search matches for “{text}”")
    if plan.adaptations or primary:
        ctx.add_all(linked_records(store, primary), "linked")
    _profile_facts(store, ctx, set(_WORD.findall(question.lower())) - _STOP)
    return ctx
