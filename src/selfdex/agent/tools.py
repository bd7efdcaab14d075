"""The tools a tool-capable model may call while answering: read-only views of the person's store.

Every record a tool returns is added to the answer's context first, so whatever the model cites
from a tool result is checkable like everything else; hidden records are never returned.
"""

from __future__ import annotations

import json
from typing import Any

from ..store import Filters
from ..store.queries import timeline
from .context import Context, search_records

__all__ = ["TOOLS", "run_tool"]

MAX_ROWS = 20

_FILTER_PROPS: dict[str, Any] = {
    "platform": {"type": "string", "description": "e.g. goodreads, netflix, spotify"},
    "kind": {"type": "string", "description": "e.g. book, movie, episode, track, product"},
    "action": {"type": "string", "description": "e.g. read, watched, listened, purchased"},
    "since": {"type": "string", "description": "ISO date, inclusive"},
    "until": {"type": "string", "description": "ISO date, exclusive"},
    "limit": {"type": "integer", "description": f"at most {MAX_ROWS}"},
}


def _tool(name: str, description: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": props, "required": required},
        },
    }


TOOLS: list[dict[str, Any]] = [
    _tool(
        "search",
        "Full-text and semantic search over all of the person's records.",
        {"query": {"type": "string"}, **_FILTER_PROPS},
        ["query"],
    ),
    _tool("timeline", "The person's records in time order (newest first), filtered.", _FILTER_PROPS, []),
    _tool(
        "profile_facts",
        "What selfdex inferred about the person (tastes, habits), each with supporting refs.",
        {"domain": {"type": "string"}},
        [],
    ),
    _tool(
        "aggregate",
        "Count, rank, list or find the first/last of the person's records over ALL of them (not a "
        "sample), e.g. 'what did I listen to most in 2020?', 'how many books did I read last year?'.",
        {"question": {"type": "string"}},
        ["question"],
    ),
    _tool(
        "get_record",
        "One record in full, by its ref (R3) or record id.",
        {"id": {"type": "string"}},
        ["id"],
    ),
]


def _filters(args: dict[str, Any]) -> Filters:
    def one(key: str) -> tuple[str, ...]:
        v = args.get(key)
        return (str(v),) if v else ()

    return Filters(
        platforms=one("platform"),
        kinds=one("kind"),
        actions=one("action"),
        since=str(args["since"]) if args.get("since") else None,
        until=str(args["until"]) if args.get("until") else None,
    )


def run_tool(ctx: Context, name: str, arguments: str) -> str:
    """The tool's result as JSON text for a ``tool`` message (quoted data, like the context)."""
    try:
        args = json.loads(arguments or "{}")
        if not isinstance(args, dict):
            raise ValueError("arguments must be an object")
    except ValueError as exc:
        return json.dumps({"error": f"invalid arguments: {exc}"})
    store = ctx.store
    try:
        limit = max(1, min(int(args.get("limit") or 10), MAX_ROWS))
    except (TypeError, ValueError):
        limit = 10
    if name == "search":
        rows = search_records(store, str(args.get("query") or ""), _filters(args), limit=limit)
        return json.dumps({"records": [ev.data() for ev in ctx.add_all(rows, "tool")]}, ensure_ascii=False)
    if name == "timeline":
        rows = timeline(store, _filters(args), limit=limit)
        return json.dumps({"records": [ev.data() for ev in ctx.add_all(rows, "tool")]}, ensure_ascii=False)
    if name == "profile_facts":
        domain = args.get("domain")
        facts = [f for f in ctx.facts if not domain or f.get("domain") == domain]
        return json.dumps({"facts": facts}, ensure_ascii=False)
    if name == "aggregate":
        from .aggregate import aggregate, read_intent
        from .context import plan_question
        from .phrasing import phrase

        plan = plan_question(store, str(args.get("question") or ""))
        intent = read_intent(store, plan)
        if intent is None:
            return json.dumps({"error": "not a counting, ranking, listing or first/last question"})
        agg = aggregate(store, plan, intent)
        text, ids = phrase(agg, plan)
        cited = ctx.add_all((r for i in ids if (r := store.get(i)) is not None), "tool")
        return json.dumps(
            {"aggregate": agg.to_dict(), "summary": text, "records": [ev.data() for ev in cited]},
            ensure_ascii=False,
        )
    if name == "get_record":
        key = str(args.get("id") or "")
        ev = ctx.resolve(key)
        record = ev.record if ev else (store.get(key) if key not in ctx.hidden else None)
        ev = ctx.add(record, "tool") if record is not None else None
        if ev is None:
            return json.dumps({"error": "no such record"})
        return json.dumps({"record": ev.data()}, ensure_ascii=False)
    return json.dumps({"error": f"unknown tool {name!r}"})
