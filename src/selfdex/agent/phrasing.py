"""Phrasing an aggregate without a model: the result, the numbers it rests on, the records it cites.

The same text is the draft a configured model rephrases; the model must keep its result
(:func:`selfdex.agent.ask` checks it).
"""

from __future__ import annotations

import re
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


def phrase(agg: Aggregate, plan: Plan, *, limit: int | None = None) -> tuple[str, list[str]]:
    """The extractive answer: the result, the aggregate it rests on, and the record ids it cites.

    ``limit`` caps how many works it names and records it cites (a grant's per-request cap; the gate
    refuses an answer that names more)."""
    it = agg.intent
    most = MAX_LISTED if limit is None else max(1, limit)
    span = ""
    if plan.since and plan.until:
        span = f" in {plan.since.isoformat()} – {(plan.until - timedelta(days=1)).isoformat()}"
        if plan.period and re.fullmatch(r"\d{4}|[A-Z][a-z]+ \d{4}", plan.period):
            span = f" in {plan.period}"  # "2020", "March 2024": already unambiguous
    about = f" matching “{' '.join(it.topic)}”" if it.topic else ""
    on = ""
    if it.platforms:
        joiner = " and " if it.every_platform else " or "
        on = (" on both " if it.every_platform and len(it.platforms) == 2 else " on ") + joiner.join(
            it.platforms
        )
    noun = it.noun
    lines: list[str] = []
    if plan.period and plan.since and plan.until and not span.startswith(f" in {plan.period}"):
        lines.append(
            f"Reading “{plan.period}” as {plan.since.isoformat()} – {(plan.until - timedelta(days=1)).isoformat()}."
        )
    cited: list[str] = []
    gs = agg.groups
    if not gs:
        lines.append(f"I found no record that you {it.verb} {noun}{about}{on}{span}.")
    elif it.op == "top":
        head = ([g for g in gs if g.label in agg.value] if it.k == 1 else gs[: it.k])[:most]
        if it.k == 1 and len(head) > 1:
            lines.append(
                f"Your most {it.verb} {noun}{about}{on}{span} tie at {_times(head[0].events, it)} each: "
                + "; ".join(f"{g.label}{g.by()}" for g in head)
                + "."
            )
        elif it.k == 1:
            g = head[0]
            lines.append(
                f"The {noun[:-1] if noun.endswith('s') else noun} you {it.verb} most{about}{on}{span}: "
                f"{g.label}{g.by()}, {_times(g.events, it)} ({_where(g)}; {g.first} – {g.last})."
            )
        else:
            lines.append(
                f"Your top {len(head)} {noun}{about}{on}{span}: "
                + "; ".join(f"{i}. {g.label}{g.by()} ({_times(g.events, it)})" for i, g in enumerate(head, 1))
                + "."
            )
        rest = [g for g in gs if g not in head][: min(4, most - len(head))]
        if rest:
            lines.append("Next: " + "; ".join(f"{g.label} ({_times(g.events, it)})" for g in rest) + ".")
        cited = [i for g in head for i in g.cite(2)]
    elif it.op == "count":
        if it.unit == "times":
            what = (
                f" “{' '.join(it.topic)}”"
                if it.topic
                else ""
                if noun in ("things", "workouts")
                else f" {noun}"
            )
            n = int(agg.value)
            lines.append(f"You {it.verb}{what}{on}{span} {n:,} time{'' if n == 1 else 's'}.")
        else:
            lines.append(f"You {it.verb} {agg.value:,} different {noun}{about}{on}{span}.")
        top = gs[: most if it.unit == "items" else min(5, most)]
        lines.append(
            ("They are: " if it.unit == "items" else "Most often: ")
            + "; ".join(f"{g.label} ({_times(g.events, it)})" for g in top)
            + (f"; and {len(gs) - len(top)} more" if len(gs) > len(top) else "")
            + "."
        )
        cited = [i for g in top[:8] for i in g.cite(1)]
    elif it.op in ("first", "last"):
        g = gs[0]
        when = g.first if it.op == "first" else g.last
        rows = [r for r in g.rows if str(r["occurred_at"])[:10] == when]
        platforms = ", ".join(sorted({str(r["platform"]) for r in rows}))
        if it.answer_date:
            lines.append(
                f"The {it.op} time you {it.verb} {noun}{about}{on}{span}: {when} — {g.label}{g.by()} ({platforms})."
            )
        else:
            one = noun[:-1] if noun.endswith("s") and noun != "things" else "thing"
            lines.append(
                f"The {it.op} {one} you {it.verb}{about}{on}{span}: {g.label}{g.by()} ({when}, {platforms})."
            )
        cited = [str(r["id"]) for r in rows[:3]]
    elif it.op == "when":
        days = agg.value
        listed = ", ".join(days[:most]) + (f" and {len(days) - most} more days" if len(days) > most else "")
        lines.append(
            f"You {it.verb} {' / '.join(g.label for g in gs[: min(3, most)])}{on}{span} on {listed}"
            f" ({_times(agg.events, it)} in all)."
        )
        cited = [i for g in gs[: min(3, most)] for i in g.cite(3)]
    else:
        shown = gs[:most]
        lines.append(
            f"You {it.verb} {len(gs):,} {noun}{about}{on}{span}: "
            + "; ".join(
                f"{g.label}{g.by()} ({g.first if g.first == g.last else g.first + ' – ' + g.last}"
                f"{', ' + _times(g.events, it) if g.events > 1 else ''}; {', '.join(g.platforms)})"
                for g in shown
            )
            + (f"; and {len(gs) - len(shown)} more" if len(gs) > len(shown) else "")
            + "."
        )
        cited = [i for g in shown for i in g.cite(1)]
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
