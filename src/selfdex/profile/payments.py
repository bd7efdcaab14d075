"""Amazon order lines ↔ the bank transactions that paid (or refunded) them: by order id, else amount and date."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

from .mentions import _loads
from .names import fold


def _payments(rows: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    """Amazon order lines ↔ the bank transactions that paid (or refunded) them."""
    orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
    returns: list[tuple[dict[str, Any], str]] = []
    bank: list[dict[str, Any]] = []
    for r in rows:
        if r["platform"] == "amazon" and r["amount"] is not None:
            order = (_loads(r["extra"]) or {}).get("order_id")
            if order and r["action"] == "purchased":
                orders[order].append(r)
            elif order and r["action"] == "returned":
                returns.append((r, order))
        elif (
            r["kind"] == "transaction"
            and r["amount"] is not None
            and "amazon" in fold(f"{r['title']} {r['text'] or ''}").replace("amzn", "amazon")
        ):
            bank.append(r)
    out: set[tuple[str, str, str, str]] = set()
    used: set[str] = set()
    by_text = {t["id"]: t["text"] or "" for t in bank}

    def day(r: dict[str, Any]) -> datetime | None:
        return datetime.fromisoformat(r["occurred_at"].replace("Z", "+00:00")) if r["occurred_at"] else None

    def match(lines: list[dict[str, Any]], order: str, total: float, relation: str, window: int) -> None:
        named = [
            t
            for t in bank
            if t["id"] not in used and order in by_text[t["id"]] and (t["amount"] < 0) == (total < 0)
        ]
        evidence = "order id in bank text"
        if not named:
            start = day(lines[0])
            named = []
            if start:
                for t in bank:
                    when = day(t)
                    if t["id"] in used or when is None or not math.isclose(t["amount"], total, abs_tol=0.005):
                        continue
                    gap = (when.date() - start.date()).days
                    if 0 <= gap <= window:
                        named.append(t)
                named.sort(key=lambda t: (day(t) or start) - start)
            evidence = "amount and date"
        if named:
            used.add(named[0]["id"])
            out.update((line["id"], named[0]["id"], relation, evidence) for line in lines)

    for order, lines in sorted(orders.items(), key=lambda kv: kv[1][0]["occurred_at"] or ""):
        match(lines, order, round(sum(line["amount"] for line in lines), 2), "payment", 6)
    for r, order in returns:
        match([r], order, round(r["amount"], 2), "refund", 14)
        out.update((r["id"], line["id"], "return_of", "order id") for line in orders.get(order, ()))
    return out
