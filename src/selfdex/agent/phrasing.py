"""Phrasing an aggregate without a model: the result, the numbers it rests on, the records it cites.

The same text is the draft a configured model rephrases; the model must keep its result
(:func:`selfdex.agent.ask` checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from .aggregate import MAX_LISTED, Aggregate, Group, Intent
from .context import Plan

__all__ = ["phrase", "rule_notes"]


def _times(n: int, intent: Intent) -> str:
    unit = "play" if "listened" in intent.actions else "time"
    return f"{n:,} {unit}{'' if n == 1 else 's'}"


def _where(g: Group) -> str:
    """Where its records are; "records:" when platforms logged the same events (their sum is more)."""
    parts = ", ".join(f"{p} {n:,}" if len(g.platforms) > 1 else p for p, n in g.platforms.most_common())
    return f"records: {parts}" if len(g.rows) > g.events else parts


@dataclass(frozen=True, slots=True)
class _Say:
    """What every phrasing needs: the aggregate, its intent, and the phrase's fixed parts."""

    agg: Aggregate
    it: Intent
    most: int  # the most works named and records cited
    about: str  # " matching “…”"
    on: str  # " on netflix or spotify"
    span: str  # " in 2024"

    @property
    def tail(self) -> str:
        return f"{self.about}{self.on}{self.span}"


_Said = tuple[list[str], list[str]]  # (sentences, cited record ids)


def _span(plan: Plan) -> str:
    if not (plan.since and plan.until):
        return ""
    if plan.period and re.fullmatch(r"\d{4}|[A-Z][a-z]+ \d{4}", plan.period):
        return f" in {plan.period}"  # "2020", "March 2024": already unambiguous
    return f" in {plan.since.isoformat()} – {(plan.until - timedelta(days=1)).isoformat()}"


def _on(it: Intent) -> str:
    if not it.platforms:
        return ""
    joiner = " and " if it.every_platform else " or "
    return (" on both " if it.every_platform and len(it.platforms) == 2 else " on ") + joiner.join(
        it.platforms
    )


def _top(s: _Say) -> _Said:
    it, gs, noun, most = s.it, s.agg.groups, s.it.noun, s.most
    head = ([g for g in gs if g.label in s.agg.value] if it.k == 1 else gs[: it.k])[:most]
    if it.k == 1 and len(head) > 1:
        line = (
            f"Your most {it.verb} {noun}{s.tail} tie at {_times(head[0].events, it)} each: "
            + "; ".join(f"{g.label}{g.by()}" for g in head)
            + "."
        )
    elif it.k == 1:
        g = head[0]
        line = (
            f"The {noun[:-1] if noun.endswith('s') else noun} you {it.verb} most{s.tail}: "
            f"{g.label}{g.by()}, {_times(g.events, it)} ({_where(g)}; {g.first} – {g.last})."
        )
    else:
        line = (
            f"Your top {len(head)} {noun}{s.tail}: "
            + "; ".join(f"{i}. {g.label}{g.by()} ({_times(g.events, it)})" for i, g in enumerate(head, 1))
            + "."
        )
    lines = [line]
    rest = [g for g in gs if g not in head][: min(4, most - len(head))]
    if rest:
        lines.append("Next: " + "; ".join(f"{g.label} ({_times(g.events, it)})" for g in rest) + ".")
    return lines, [i for g in head for i in g.cite(2)]


def _count(s: _Say) -> _Said:
    it, agg, gs, noun, most = s.it, s.agg, s.agg.groups, s.it.noun, s.most
    if it.unit == "times":
        what = (
            f" “{' '.join(it.topic)}”" if it.topic else "" if noun in ("things", "workouts") else f" {noun}"
        )
        n = int(agg.value)
        lines = [f"You {it.verb}{what}{s.on}{s.span} {n:,} time{'' if n == 1 else 's'}."]
    else:
        lines = [f"You {it.verb} {agg.value:,} different {noun}{s.tail}."]
    top = gs[: most if it.unit == "items" else min(5, most)]
    lines.append(
        ("They are: " if it.unit == "items" else "Most often: ")
        + "; ".join(f"{g.label} ({_times(g.events, it)})" for g in top)
        + (f"; and {len(gs) - len(top)} more" if len(gs) > len(top) else "")
        + "."
    )
    return lines, [i for g in top[:8] for i in g.cite(1)]


def _first_or_last(s: _Say) -> _Said:
    it, noun = s.it, s.it.noun
    g = s.agg.groups[0]
    when = g.first if it.op == "first" else g.last
    rows = [r for r in g.rows if str(r["occurred_at"])[:10] == when]
    platforms = ", ".join(sorted({str(r["platform"]) for r in rows}))
    if it.answer_date:
        line = f"The {it.op} time you {it.verb} {noun}{s.tail}: {when} — {g.label}{g.by()} ({platforms})."
    else:
        one = noun[:-1] if noun.endswith("s") and noun != "things" else "thing"
        line = f"The {it.op} {one} you {it.verb}{s.tail}: {g.label}{g.by()} ({when}, {platforms})."
    return [line], [str(r["id"]) for r in rows[:3]]


def _when(s: _Say) -> _Said:
    it, agg, gs, most = s.it, s.agg, s.agg.groups, s.most
    days = agg.value
    listed = ", ".join(days[:most]) + (f" and {len(days) - most} more days" if len(days) > most else "")
    line = (
        f"You {it.verb} {' / '.join(g.label for g in gs[: min(3, most)])}{s.on}{s.span} on {listed}"
        f" ({_times(agg.events, it)} in all)."
    )
    return [line], [i for g in gs[: min(3, most)] for i in g.cite(3)]


def _listing(s: _Say) -> _Said:
    it, gs = s.it, s.agg.groups
    shown = gs[: s.most]
    line = (
        f"You {it.verb} {len(gs):,} {it.noun}{s.tail}: "
        + "; ".join(
            f"{g.label}{g.by()} ({g.first if g.first == g.last else g.first + ' – ' + g.last}"
            f"{', ' + _times(g.events, it) if g.events > 1 else ''}; {', '.join(g.platforms)})"
            for g in shown
        )
        + (f"; and {len(gs) - len(shown)} more" if len(gs) > len(shown) else "")
        + "."
    )
    return [line], [i for g in shown for i in g.cite(1)]


# One phrasing per aggregate operation; any other operation lists what it found.
_PHRASINGS: dict[str, Callable[[_Say], _Said]] = {
    "top": _top,
    "count": _count,
    "first": _first_or_last,
    "last": _first_or_last,
    "when": _when,
}


def phrase(agg: Aggregate, plan: Plan, *, limit: int | None = None) -> tuple[str, list[str]]:
    """The extractive answer: the result, the aggregate it rests on, and the record ids it cites.

    ``limit`` caps how many works it names and records it cites (a grant's per-request cap; the gate
    refuses an answer that names more)."""
    it = agg.intent
    most = MAX_LISTED if limit is None else max(1, limit)
    span = _span(plan)
    about = f" matching “{' '.join(it.topic)}”" if it.topic else ""
    say = _Say(agg, it, most, about, _on(it), span)
    lines: list[str] = []
    if plan.period and plan.since and plan.until and not span.startswith(f" in {plan.period}"):
        lines.append(
            f"Reading “{plan.period}” as {plan.since.isoformat()} – {(plan.until - timedelta(days=1)).isoformat()}."
        )
    cited: list[str] = []
    if not agg.groups:
        lines.append(f"I found no record that you {it.verb} {it.noun}{say.tail}.")
    else:
        said, cited = _PHRASINGS.get(it.op, _listing)(say)
        lines += said
    lines.append(
        f"Counted over every matching record in your store ({agg.records:,} records, {agg.events:,} "
        "distinct events), not a sample."
    )
    return " ".join(lines), list(dict.fromkeys(cited))[: None if limit is None else most]


def rule_notes(agg: Aggregate) -> list[str]:
    """The counting rules that changed this answer, so the person can check them."""
    notes = [f"left out {n:,} {what}" for what, n in agg.excluded.items()]
    if agg.inferred:
        notes.append(
            f"{agg.inferred:,} plays were logged without their artist; each got the one artist your "
            "other records give that title"
        )
    merged = agg.records - agg.events
    if merged > 0 and agg.intent.group != "creator":
        notes.append(
            f"{merged:,} records were the same event logged by another platform "
            "(within 15 minutes, or the same day for day-precise logs) and counted once"
        )
    return notes
