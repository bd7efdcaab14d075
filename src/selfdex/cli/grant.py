"""``selfdex grant add|list|show|revoke|preview``: who may see what about you."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import click
from pydantic import ValidationError
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
from ..gate.core import OP_LEVEL
from ..gate.grants import Level, parse_expiry
from ..gate.models import (
    AggregatesRequest,
    AskRequest,
    CandidateIn,
    GateRequest,
    GrantRequest,
    ProfileRequest,
    RerankRequest,
    SearchRequest,
)
from .common import Reporter, UserError, console, friendly_errors, json_option, open_store, out, print_json

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


# What each operation needs from the command line; the rest need nothing.
_INPUTS = {"rerank": "--candidates FILE", "ask": "--question TEXT", "search": "--query WORDS"}


def _allowed(level: Level) -> list[str]:
    return [op for op, needed in OP_LEVEL.items() if LEVELS.index(level) <= LEVELS.index(needed)]


def _default_op(level: Level) -> str:
    """The richest operation this level allows that needs no input: the profile down to facts level,
    the grant itself for an answers grant (its answers need candidates or a question)."""
    return "profile" if "profile" in _allowed(level) else "grant"


def _rerank_request(path: Path) -> RerankRequest:
    """The candidate files `selfdex recommend` reads (CSV, JSON list, ``{platform, candidates}``)."""
    from ..agent.recommend import CandidateError, load_candidates

    try:
        candidates = load_candidates(path)
        head = path.read_text(encoding="utf-8-sig").lstrip()[:1]
        data: Any = json.loads(path.read_text(encoding="utf-8-sig")) if head == "{" else {}
        platform = str(data.get("platform") or "") if isinstance(data, dict) else ""
        return RerankRequest(
            platform=platform,
            candidates=[
                CandidateIn(
                    id=c.id,
                    title=c.title,
                    creators=list(c.creators),
                    categories=list(c.categories),
                    position=c.position,
                    popularity=c.popularity,
                )
                for c in candidates
            ],
        )
    except CandidateError as exc:
        raise UserError(str(exc)) from None
    except ValidationError as exc:  # one line, not pydantic's report
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise UserError(f"{path}: {where}: {err['msg']}") from None


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
            raise UserError(
                "--candidates FILE (CSV or JSON, as for `selfdex recommend`) is needed for rerank"
            )
        return _rerank_request(candidates)
    if op == "ask":
        if not question:
            raise UserError("--question is needed for ask")
        return AskRequest(question=question)
    return {"grant": GrantRequest, "profile": ProfileRequest, "aggregates": AggregatesRequest}[op]()


@grant_group.command("preview")
@click.argument("name")
@click.option(
    "--op",
    type=click.Choice(list(OP_LEVEL)),
    help="Which request to preview (default: the profile, or the grant itself for an answers grant).",
)
@click.option("--query", default="", help="For search: the words (empty = newest records).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--platform", "platforms", multiple=True, help="For search: only these platforms.")
@click.option("--kind", "kinds", multiple=True, help="For search: only these kinds.")
@click.option(
    "--candidates",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For rerank: the candidates, as for `selfdex recommend` (CSV or JSON list, or {platform, candidates}).",
)
@click.option("--question", help="For ask: the question.")
@click.pass_context
@friendly_errors
def preview_cmd(
    ctx: click.Context,
    name: str,
    op: str | None,
    query: str,
    limit: int,
    platforms: tuple[str, ...],
    kinds: tuple[str, ...],
    candidates: Path | None,
    question: str | None,
) -> None:
    """Exactly what NAME would receive for this request (the same bytes; nothing is sent or audited)."""
    with open_store(ctx) as store:
        grant = grant_by_name(store, name)
        level: Level = grant.scope.level if grant is not None else "answers"
        allowed = _allowed(level)
        chosen = op or _default_op(level)
        request = _request(chosen, query, limit, platforms, kinds, candidates, question)
        try:
            with Reporter() as reporter:  # on stderr: stdout is the disclosure's bytes
                disclosure = Gate(store, progress=reporter.step).preview(name, request)
        except GateError as exc:
            hint = (
                f" (this grant, at level {level}, allows: {', '.join(allowed)})" if exc.status == 403 else ""
            )
            raise UserError(f"{exc.status} {exc.code}: {exc.message}{hint}") from exc
    click.echo(disclosure.body.decode())
    if op is None:
        more = [f"{o} ({_INPUTS[o]})" if o in _INPUTS else o for o in allowed if o != chosen]
        console.print(
            f"[dim]Previewed --op {chosen}. This grant (level {level}) also allows --op: {', '.join(more)}.[/]"
        )


COMMANDS = [grant_group]
