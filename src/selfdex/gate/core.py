"""The disclosure gate: the one place that decides what leaves, and the one place that audits it.

``Gate.disclose(token, request)`` authenticates the token, checks the request against the grant,
computes the answer over the grant's view (see ``view.py``), checks the result once more on the
way out (ids, fields, caps, identifiers), writes the audit entry and only then returns the bytes
the channel sends. Any error on that path raises and nothing is sent: the gate fails closed.
Deterministic code only; no model decides anything here.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from ..rank import Candidate
from ..store import Store, queries
from ..store.db import row_dict
from ..store.grants import live_grant_ids
from ..store.queries import Filters
from ..store.visible import count_records, counts_by, counts_by_month, counts_of_values, select_records
from .audit import AuditLog
from .grants import Grant, Level, ensure_schema, grant_by_name, grant_for_token, utc_now
from .models import (
    AggregatesRequest,
    AskRequest,
    GateRequest,
    GrantRequest,
    ProfileRequest,
    RerankRequest,
    SearchRequest,
)
from .providers import Providers, default_providers
from .view import FREE_TEXT_KINDS, View, link_redactor
from .views import ViewCache

__all__ = [
    "OP_LEVEL",
    "CapExceeded",
    "Disclosure",
    "Forbidden",
    "Gate",
    "GateError",
    "GateFailure",
    "InvalidRequest",
    "Unauthenticated",
    "Unavailable",
]

log = logging.getLogger(__name__)

OP_LEVEL: dict[str, Level] = {
    "grant": "answers",
    "search": "raw",
    "aggregates": "aggregates",
    "profile": "facts",
    "rerank": "answers",
    "ask": "answers",
}
_FREE_TEXT = ("title", "text", "place", "address", "creators", "categories")


class GateError(Exception):
    status = 500
    code = "gate_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(GateError):
    status, code = 401, "unauthenticated"


class Forbidden(GateError):
    status, code = 403, "outside_grant"


class CapExceeded(GateError):
    status, code = 429, "daily_cap"


class InvalidRequest(GateError):
    status, code = 422, "invalid_request"


class Unavailable(GateError):
    status, code = 404, "not_available"


class GateFailure(GateError):
    """Something inside the gate went wrong; nothing was sent."""

    status, code = 500, "gate_failed_closed"


@dataclass(frozen=True)
class Disclosure:
    body: bytes  # exactly what the channel sends
    payload: dict[str, Any]
    record_ids: tuple[str, ...]
    fields: tuple[str, ...]
    audit_seq: int | None  # None for a preview, which discloses nothing
    recipient_seq: int | None = None  # this grant's own count of audited requests (for its header)


def _dumps(payload: dict[str, Any]) -> bytes:
    return orjson.dumps(payload)


class Gate:
    def __init__(
        self,
        store: Store,
        providers: Providers | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        """``progress(step, done, total)`` hears the slow steps of an answer (building a grant's
        view, the default providers' embedding and profile): the CLI's preview shows them."""
        ensure_schema(store)
        self.store = store
        self.providers = providers or default_providers(progress)
        self.audit = AuditLog(store)
        self.clock = clock
        self._db = threading.RLock()  # the store connection is shared by request threads
        self._views = ViewCache(store, self._db, self._live_grant_ids, progress)

    def close(self) -> None:
        """Release the views and the audit anchor; the store stays open (the caller owns it)."""
        self._views.close()
        self.audit.close()

    # -- entry points ---------------------------------------------------------------------------
    def authenticate(self, token: str | None) -> Grant:
        """The live grant behind ``token``; raises Unauthenticated for a missing, unknown, expired
        or revoked token."""
        grant = self._lookup(token)
        if grant is None:
            raise Unauthenticated("missing or unknown token")
        state = grant.state(self.clock())
        if state != "active":
            raise Unauthenticated(f"this grant is {state}")
        return grant

    def grant_of(self, token: str | None) -> Grant | None:
        """The grant ``token`` names, live or not (channels refuse unknown tokens before parsing)."""
        return self._lookup(token)

    def disclose(self, token: str | None, request: GateRequest, *, channel: str) -> Disclosure:
        grant = self._lookup(token)
        if grant is None:
            # Unknown callers are not audited: anyone on loopback could flood the log.
            raise Unauthenticated("missing or unknown token")
        req = request.model_dump(mode="json")
        try:
            self.authenticate(token)
            payload, ids, fields = self._answer(grant, request)
            # An answer can take seconds (a model): the grant must still be live when it leaves.
            self.authenticate(token)
            body = _dumps(payload)
            now = self.clock()
            day = now.astimezone(UTC).strftime("%Y-%m-%dT00:00:00Z")
            seq = self.audit.append(
                at=now,
                recipient=grant.name,
                grant_id=grant.id,
                channel=channel,
                operation=request.op,
                request=req,
                outcome="disclosed",
                status=200,
                record_ids=list(ids),
                fields=list(fields),
                body=body,
                day_cap=(day, grant.scope.per_day),
            )
            if seq is None:
                raise CapExceeded(f"the grant's cap of {grant.scope.per_day} responses per day is used up")
            with self._db:
                mine = self.audit.count_for(grant.id, seq)
            return Disclosure(
                body=body, payload=payload, record_ids=ids, fields=fields, audit_seq=seq, recipient_seq=mine
            )
        except GateError as exc:
            self._refused(grant, channel, request.op, req, exc)
            raise
        except Exception as exc:
            # The recipient learns only that it failed; the person's log gets the traceback.
            log.exception("gate failed closed for %s (%s)", grant.name, request.op)
            failure = GateFailure(f"the gate failed closed: {type(exc).__name__}")
            self._refused(grant, channel, request.op, req, failure)
            raise failure from exc

    def preview(self, grant_name: str, request: GateRequest) -> Disclosure:
        """Exactly what ``disclose`` would send for this grant and request, without sending or
        auditing anything (the person looking at their own data)."""
        with self._db:
            grant = grant_by_name(self.store, grant_name)
        if grant is None:
            raise Forbidden(f"no grant named {grant_name!r}")
        state = grant.state(self.clock())
        if state != "active":
            raise Unauthenticated(f"this grant is {state}: the recipient receives nothing")
        try:
            payload, ids, fields = self._answer(grant, request)
        except GateError:
            raise
        except Exception as exc:
            raise GateFailure(f"the gate failed closed: {type(exc).__name__}") from exc
        return Disclosure(
            body=_dumps(payload), payload=payload, record_ids=ids, fields=fields, audit_seq=None
        )

    # -- internals ------------------------------------------------------------------------------
    def _lookup(self, token: str | None) -> Grant | None:
        if not token:
            return None
        with self._db:
            return grant_for_token(self.store, token)

    def _refused(self, grant: Grant, channel: str, op: str, req: dict[str, Any], exc: GateError) -> None:
        # The refusal stands even when its audit entry cannot be written.
        with contextlib.suppress(Exception):
            self.audit.append_refusal(
                at=self.clock(),
                recipient=grant.name,
                grant_id=grant.id,
                channel=channel,
                operation=op,
                request=req,
                status=exc.status,
                detail=exc.message,
            )

    def refuse_invalid(self, token: str | None, op: str, detail: str, *, channel: str) -> None:
        """A channel could not even build the request (a limit out of range, say): audit the
        refusal for a valid token (unknown callers are not audited), then raise its 422."""
        grant = self.authenticate(token)
        exc = InvalidRequest(detail)
        self._refused(grant, channel, op, {"invalid": detail}, exc)
        raise exc

    def _live_grant_ids(self) -> set[int]:
        now = self.clock().astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self._db:
            return live_grant_ids(self.store, now)

    def view(self, grant: Grant) -> View:
        """The grant's view, rebuilt when the store or the grant changed (see ``views``)."""
        return self._views.view(grant)

    def _answer(
        self, grant: Grant, request: GateRequest
    ) -> tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]:
        scope = grant.scope
        needed = OP_LEVEL[request.op]
        if not scope.allows_level(needed):
            raise Forbidden(
                f"{request.op} needs a grant at level {needed!r}; this grant is at {scope.level!r}"
            )
        view = self.view(grant)
        payload: dict[str, Any]
        ids: tuple[str, ...]
        if isinstance(request, GrantRequest):
            info = grant.to_dict(self.clock())
            access = info.pop("level")
            del info["id"]
            payload, ids = {"level": "grant", **info, "access": access}, ()
        elif isinstance(request, SearchRequest):
            payload, ids = self._search(view, request)
        elif isinstance(request, AggregatesRequest):
            payload, ids = self._aggregates(view)
        elif isinstance(request, ProfileRequest):
            payload, ids = self._profile(view)
        elif isinstance(request, RerankRequest):
            payload, ids = self._rerank(view, request)
        elif isinstance(request, AskRequest):
            payload, ids = self._ask(view, request)
        else:  # pragma: no cover - the request union is closed
            raise Forbidden(f"unknown operation {request.op!r}")
        self._egress_check(view, payload, ids)
        return payload, ids, tuple(scope.fields)

    # -- operations -----------------------------------------------------------------------------
    def _search(self, view: View, req: SearchRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        scope = view.grant.scope
        outside = [p for p in req.platforms if not scope.allows_platform(p)]
        outside += [k for k in req.kinds if not scope.allows_kind(k)]
        if outside:
            raise Forbidden(f"not in this grant: {', '.join(outside)}")
        limit = min(req.limit, scope.per_request)
        filters = Filters(
            platforms=tuple(req.platforms), kinds=tuple(req.kinds), since=req.since, until=req.until
        )
        with view.lock:
            if req.query.strip():
                rows = queries.search_fts(view.store, req.query, filters, limit=limit + 1)
            else:
                # Not queries.timeline: it skips undated records, and the date may not be granted.
                where, params = filters.sql()
                rows = [
                    row_dict(r)
                    for r in select_records(
                        view.store,
                        "*",
                        where,
                        params,
                        order="r.occurred_at IS NULL, r.occurred_at DESC, r.rowid DESC",
                        limit=limit + 1,
                    )
                ]
        keep = ("id", "platform", "action", "kind", *scope.fields)
        records = [{k: r[k] for k in keep if r.get(k) is not None} for r in rows[:limit]]
        payload = {"level": "raw", "count": len(records), "truncated": len(rows) > limit, "records": records}
        return payload, tuple(r["id"] for r in records)

    def _aggregates(self, view: View) -> tuple[dict[str, Any], tuple[str, ...]]:
        scope = view.grant.scope
        cap = scope.per_request

        def counts(pairs: list[tuple[str, int]]) -> list[dict[str, Any]]:
            return [{"name": name, "count": n} for name, n in pairs]

        with view.lock:
            payload: dict[str, Any] = {"level": "aggregates", "total": count_records(view.store)}
            for col in ("platform", "kind", "action"):
                payload[f"by_{col}"] = counts(counts_by(view.store, col, limit=cap))
            if "occurred_at" in scope.fields:
                payload["by_month"] = counts(counts_by_month(view.store, limit=cap))
            for col in ("creators", "categories"):
                if col in scope.fields:
                    payload[f"top_{col}"] = counts(counts_of_values(view.store, col, limit=cap))
        # Aggregates name no record: the audit lists the fields they were computed from.
        return payload, ()

    def _profile(self, view: View) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.providers.facts is None:
            raise Unavailable("profile facts are not available in this installation")
        raw = view.grant.scope.level == "raw"
        facts = sorted(self.providers.facts(view), key=lambda f: (-f.score, f.key))[
            : view.grant.scope.per_request
        ]
        out: list[dict[str, Any]] = []
        citations = _share_cap([f.citations for f in facts], view.grant.scope.per_request)
        for f, cites in zip(facts, citations, strict=True):
            item: dict[str, Any] = {
                "key": f.key,
                "domain": f.domain,
                "kind": f.kind,
                "label": view.redactor.redact(f.label, free_text=False),
                "score": round(float(f.score), 6),
                "platforms": sorted(f.platforms),
            }
            if raw:
                item["citations"] = cites
            out.append(item)
        return {"level": "facts", "facts": out}, tuple(dict.fromkeys(i for c in citations for i in c))

    def _rerank(self, view: View, req: RerankRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        scope = view.grant.scope
        if len(req.candidates) > scope.per_request:
            raise Forbidden(
                f"{len(req.candidates)} candidates exceed this grant's per-request cap of {scope.per_request}"
            )
        cands = [
            Candidate(
                id=c.id,
                title=c.title,
                platform=req.platform,
                creators=tuple(c.creators),
                categories=tuple(c.categories),
                position=c.position,
                popularity=c.popularity,
            )
            for c in req.candidates
        ]
        ranked = self.providers.rerank(view, cands)
        if sorted(r.candidate.id for r in ranked) != sorted(c.id for c in cands):
            raise GateFailure("the ranker did not return every candidate exactly once")
        raw = scope.level == "raw"
        items: list[dict[str, Any]] = []
        cited = _share_cap([r.cited for r in ranked], scope.per_request)
        for i, (r, cites) in enumerate(zip(ranked, cited, strict=True)):
            item: dict[str, Any] = {
                "id": r.candidate.id,
                "rank": i + 1,
                "score": round(float(r.score), 6),
                # Reasons quote the view, which is already redacted: only identifiers are looked for.
                "reason": view.redactor.redact(r.reason, free_text=False),
            }
            if raw:
                item["cited"] = cites
            items.append(item)
        name = str(getattr(self.providers.rerank, "name", type(self.providers.rerank).__name__))
        ids = tuple(dict.fromkeys(i for c in cited for i in c))
        return {"level": "answers", "ranker": name, "ranking": items}, ids

    def _ask(self, view: View, req: AskRequest) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.providers.ask is None:
            raise Unavailable("answers need a language model; none is configured for this installation")
        cap = view.grant.scope.per_request
        # The provider is asked to name at most `cap` works; the egress check verifies that it did.
        answer = self.providers.ask(view, req.question, limit=cap)
        cited = list(dict.fromkeys(answer.cited))[:cap]
        payload: dict[str, Any] = {"level": "answers", "answer": view.redactor.redact(answer.text)}
        if view.grant.scope.level == "raw":
            payload["cited"] = cited
        return payload, tuple(cited)

    # -- the last check before anything leaves ----------------------------------------------------
    def _egress_check(self, view: View, payload: dict[str, Any], ids: tuple[str, ...]) -> None:
        """Re-derive, from the payload alone, that it stays inside the grant. Redundant with the
        view by design: a bug upstream must turn into a refusal, not a leak."""
        scope = view.grant.scope
        unknown = [i for i in ids if i not in view.ids]
        if unknown:
            raise GateFailure(f"{len(unknown)} cited record(s) are outside the grant")
        allowed = {"id", "platform", "action", "kind", *scope.fields}
        items = 0
        for rec in payload.get("records", []):
            items += 1
            if rec["id"] not in view.ids or not set(rec) <= allowed:
                raise GateFailure("a record outside the grant reached the response")
            if not scope.allows_platform(rec["platform"]) or not scope.allows_kind(rec["kind"]):
                raise GateFailure("a record outside the grant's platforms or kinds reached the response")
        # Every list a payload carries, every record it cites and every work an answer names counts
        # against the per-request cap, whatever the operation.
        for value in payload.values():
            if isinstance(value, list) and payload.get("level") != "grant":  # the grant's own terms
                items = max(items, len(value))
        items = max(
            items, len(ids), *(len(_cited(x)) for k in ("facts", "ranking") for x in payload.get(k, []))
        )
        if "answer" in payload:
            items = max(items, len(view.named_in(payload["answer"])))
        if items > scope.per_request:
            raise GateFailure(f"the response exceeds the per-request cap of {scope.per_request}")
        for text, free in _strings(payload):
            found = view.redactor.found(text, free_text=free)
            if found:
                raise GateFailure(f"unredacted identifiers in the response: {', '.join(sorted(found))}")
        links = link_redactor(view.redactor)
        for rec in payload.get("records", []):
            url = rec.get("url")
            if isinstance(url, str) and (in_link := links.found_link(url)):
                raise GateFailure(f"unredacted identifiers in a link: {', '.join(sorted(in_link))}")


def _share_cap(groups: list[tuple[str, ...]] | list[list[str]], cap: int) -> list[list[str]]:
    """Each group's citations, cut so that all of them together cite at most ``cap`` distinct
    records: first one per group, then a second per group, and so on (every item keeps a witness)."""
    out: list[list[str]] = [[] for _ in groups]
    seen: set[str] = set()
    depth = max((len(g) for g in groups), default=0)
    for d in range(depth):
        for g, kept in zip(groups, out, strict=True):
            if d < len(g) and (g[d] in seen or len(seen) < cap):
                seen.add(g[d])
                kept.append(g[d])
    return out


def _cited(item: Any) -> list[Any]:
    value = item.get("citations", item.get("cited", [])) if isinstance(item, dict) else []
    return value if isinstance(value, list) else []


def _strings(payload: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """Every human-readable string of a payload, with whether names count as identifiers in it."""
    for rec in payload.get("records", []):
        talk = rec["kind"] in FREE_TEXT_KINDS
        for name in _FREE_TEXT:
            value = rec.get(name)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str):
                    yield v, name == "text" or talk
    for fact in payload.get("facts", []):
        yield fact["label"], False
    for item in payload.get("ranking", []):
        yield item["reason"], False
    if "answer" in payload:
        yield payload["answer"], True
