"""``selfdex grant add|list|show|revoke|preview``: who may see what about you."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import click
from rich.table import Table
from rich.text import Text

from ..gate import (
    CONTENT_FIELDS,
    DEFAULT_FIELDS,
    LEVELS,
    REDACTION_CATEGORIES,
    Gate,
    GateError,
    GrantError,
    Scope,
    add_grant,
    grant_by_name,
    list_grants,
    revoke_grant,
)
from ..gate.grants import Level, parse_expiry
from ..gate.models import (
    AggregatesRequest,
    AskRequest,
    GateRequest,
    GrantRequest,
    ProfileRequest,
    RerankRequest,
    SearchRequest,
)
from .common import UserError, friendly_errors, json_option, open_store, out, print_json

__all__ = ["COMMANDS"]


def _expiry(text: str) -> datetime:
    try:
        return parse_expiry(text)
    except GrantError as exc:
        raise click.BadParameter(str(exc).removeprefix("expiry: ")) from exc


@click.group("grant")
def grant_group() -> None:
    """Who may see what about you. No grant: nothing is visible to anyone."""


@grant_group.command("add")
@click.argument("name")
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="answers",
    show_default=True,
    help="raw records > aggregates > profile facts > answers and re-rankings only.",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    required=True,
    help="Platforms it may see (repeatable; '*' for all).",
)
@click.option("--kind", "kinds", multiple=True, help="Record kinds it may see (repeatable; default all).")
@click.option(
    "--field",
    "fields",
    multiple=True,
    type=click.Choice(CONTENT_FIELDS),
    help=f"Record fields it may see (repeatable; default {', '.join(DEFAULT_FIELDS)}).",
)
@click.option("--since", help="Only records from this date (YYYY-MM-DD).")
@click.option("--until", help="Only records before this date.")
@click.option(
    "--per-request", type=click.IntRange(1), default=20, show_default=True, help="Most items in one response."
)
@click.option(
    "--per-day", type=click.IntRange(1), default=200, show_default=True, help="Most responses per day."
)
@click.option(
    "--keep",
    multiple=True,
    type=click.Choice(REDACTION_CATEGORIES),
    help="Identifiers it may receive unredacted (repeatable; default none).",
)
@click.option(
    "--geo-decimals",
    type=click.IntRange(0, 6),
    default=2,
    show_default=True,
    help="Coordinates are rounded to this many decimals (2 ≈ 1 km).",
)
@click.option("--purpose", required=True, help="Why this recipient gets access (shown in `grant show`).")
@click.option("--expires", default="30d", show_default=True, help="30d, 12h or an ISO date (at most a year).")
@click.option("--allow-long-expiry", is_flag=True, help="Accept an expiry more than a year away.")
@json_option
@click.pass_context
@friendly_errors
def add_cmd(
    ctx: click.Context,
    name: str,
    level: str,
    platforms: tuple[str, ...],
    kinds: tuple[str, ...],
    fields: tuple[str, ...],
    since: str | None,
    until: str | None,
    per_request: int,
    per_day: int,
    keep: tuple[str, ...],
    geo_decimals: int,
    purpose: str,
    expires: str,
    allow_long_expiry: bool,
    as_json: bool,
) -> None:
    """Give NAME access; prints its token once (it is stored only as a hash)."""
    try:
        scope = Scope(
            level=cast(Level, level),
            platforms=platforms,
            kinds=kinds or ("*",),
            fields=fields or DEFAULT_FIELDS,
            since=since,
            until=until,
            per_request=per_request,
            per_day=per_day,
            keep=keep,
            geo_decimals=geo_decimals,
        )
        with open_store(ctx) as store:
            grant, token = add_grant(
                store, name, scope, purpose=purpose, expires_at=_expiry(expires), allow_long=allow_long_expiry
            )
    except GrantError as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        print_json({**grant.to_dict(), "token": token})
        return
    out.print(
        Text.assemble("Grant ", (grant.name, "bold"), f" ({grant.scope.level}) until {grant.expires_at}.")
    )
    out.print("Token (shown once, give it to the recipient):")
    click.echo(token)


@grant_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked grants.")
@json_option
@click.pass_context
@friendly_errors
def list_cmd(ctx: click.Context, include_revoked: bool, as_json: bool) -> None:
    """Every grant: recipient, level, platforms, state, expiry."""
    with open_store(ctx, create=True) as store:
        grants = [g.to_dict() for g in list_grants(store, include_revoked=include_revoked)]
    if as_json:
        print_json(grants)
        return
    if not grants:
        out.print("No grants: nothing about you is visible to anyone.")
        return
    table = Table("name", "level", "platforms", "kinds", "fields", "state", "expires")
    for g in grants:
        table.add_row(
            g["name"],
            g["level"],
            ", ".join(g["platforms"]),
            ", ".join(g["kinds"]),
            ", ".join(g["fields"]),
            g["state"],
            g["expires_at"],
        )
    out.print(table)


@grant_group.command("show")
@click.argument("name")
@json_option
@click.pass_context
@friendly_errors
def show_cmd(ctx: click.Context, name: str, as_json: bool) -> None:
    """One grant in full."""
    with open_store(ctx, create=True) as store:
        grant = grant_by_name(store, name)
    if grant is None:
        raise UserError(f"no grant named {name!r} (selfdex grant list)")
    data = grant.to_dict()
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        shown = ", ".join(value) if isinstance(value, tuple | list) else value
        out.print(Text.assemble((key, "bold"), f": {shown if shown not in (None, '') else '—'}"))


@grant_group.command("revoke")
@click.argument("name")
@click.pass_context
@friendly_errors
def revoke_cmd(ctx: click.Context, name: str) -> None:
    """Stop NAME's access now; its token stops working on the next request."""
    try:
        with open_store(ctx) as store:
            grant = revoke_grant(store, name)
    except GrantError as exc:
        raise UserError(str(exc)) from exc
    out.print(f"Revoked {grant.name} at {grant.revoked_at}.")


def _request(
    op: str,
    query: str,
    limit: int,
    platforms: tuple[str, ...],
    kinds: tuple[str, ...],
    candidates: Path | None,
    question: str | None,
) -> GateRequest:
    if op == "search":
        return SearchRequest(query=query, limit=limit, platforms=list(platforms), kinds=list(kinds))
    if op == "rerank":
        if candidates is None:
            raise UserError("--candidates FILE.json is needed for rerank")
        data: Any = json.loads(candidates.read_text())
        body = data if isinstance(data, dict) else {"candidates": data}
        return RerankRequest.model_validate(body)
    if op == "ask":
        if not question:
            raise UserError("--question is needed for ask")
        return AskRequest(question=question)
    return {"grant": GrantRequest, "profile": ProfileRequest, "aggregates": AggregatesRequest}[op]()


@grant_group.command("preview")
@click.argument("name")
@click.option(
    "--op",
    type=click.Choice(["profile", "aggregates", "search", "rerank", "ask", "grant"]),
    default="profile",
    show_default=True,
    help="Which request to preview.",
)
@click.option("--query", default="", help="For search: the words (empty = newest records).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--platform", "platforms", multiple=True, help="For search: only these platforms.")
@click.option("--kind", "kinds", multiple=True, help="For search: only these kinds.")
@click.option(
    "--candidates",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For rerank: a JSON file with a candidate list (or {platform, candidates}).",
)
@click.option("--question", help="For ask: the question.")
@click.pass_context
@friendly_errors
def preview_cmd(
    ctx: click.Context,
    name: str,
    op: str,
    query: str,
    limit: int,
    platforms: tuple[str, ...],
    kinds: tuple[str, ...],
    candidates: Path | None,
    question: str | None,
) -> None:
    """Exactly what NAME would receive for this request (the same bytes; nothing is sent or audited)."""
    request = _request(op, query, limit, platforms, kinds, candidates, question)
    with open_store(ctx) as store:
        try:
            disclosure = Gate(store).preview(name, request)
        except GateError as exc:
            raise UserError(f"{exc.status} {exc.code}: {exc.message}") from exc
    click.echo(disclosure.body.decode())


COMMANDS = [grant_group]
