"""``selfdex timeline``, ``search``, ``record``: looking at what is in the store."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table
from rich.text import Text

from ..index.search import MODES, Mode, search
from ..owner import records
from ..store import Filters, queries
from ..timeparse import shown_when
from .common import UserError, console, esc, json_option, open_store, out, print_json


def filter_options(func: Any) -> Any:
    for opt in reversed(
        [
            click.option("--platform", multiple=True, help="Only these platforms (repeatable)."),
            click.option(
                "--kind", multiple=True, help="Only these item kinds: movie, book, track… (repeatable)."
            ),
            click.option("--action", multiple=True, help="Only these actions: watched, read… (repeatable)."),
            click.option("--since", help="From this date (YYYY-MM-DD), inclusive."),
            click.option("--until", help="Before this date (YYYY-MM-DD)."),
            click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 100_000)),
        ]
    ):
        func = opt(func)
    return func


def _filters(
    platform: tuple[str, ...],
    kind: tuple[str, ...],
    action: tuple[str, ...],
    since: str | None,
    until: str | None,
) -> Filters:
    return Filters(platforms=platform, kinds=kind, actions=action, since=since, until=until)


def _table(rows: list[dict[str, Any]], via: list[str] | None = None) -> Table:
    """Records as a table; `via` adds which retrievers found each search hit."""
    table = Table("when", "platform", "action", "kind", "title", "creators", "id", *(["via"] if via else []))
    for i, r in enumerate(rows):
        table.add_row(
            shown_when(r["occurred_at"], r.get("time_precision")),
            r["platform"],
            r["action"],
            r["kind"],
            (r["title"] or r["url"] or (r["text"] or "")[:60] or ""),
            ", ".join(r["creators"])[:40],
            r["id"][:12],
            *([via[i]] if via else []),
        )
    return table


@click.command("timeline")
@filter_options
@click.option("--oldest-first", is_flag=True)
@json_option
@click.pass_context
def timeline_cmd(
    ctx: click.Context,
    platform: tuple[str, ...],
    kind: tuple[str, ...],
    action: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    oldest_first: bool,
    as_json: bool,
) -> None:
    """Everything you did, across platforms, on one time axis."""
    with open_store(ctx) as store:
        rows = queries.timeline(
            store, _filters(platform, kind, action, since, until), limit=limit, newest_first=not oldest_first
        )
    if as_json:
        print_json(rows)
        return
    out.print(_table(rows))


@click.command("search")
@click.argument("text")
@filter_options
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="hybrid",
    show_default=True,
    help="hybrid: words and meaning fused; fts: words only; vector: meaning only (needs `selfdex index build`).",
)
@json_option
@click.pass_context
def search_cmd(
    ctx: click.Context,
    text: str,
    platform: tuple[str, ...],
    kind: tuple[str, ...],
    action: tuple[str, ...],
    since: str | None,
    until: str | None,
    limit: int,
    mode: Mode,
    as_json: bool,
) -> None:
    """Search titles, creators and your own text, by words and by meaning."""
    with open_store(ctx) as store:
        hits = search(store, text, _filters(platform, kind, action, since, until), limit=limit, mode=mode)
    if hits.note:
        console.print(f"[yellow]{esc(hits.note)}[/]")
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    if not hits:
        out.print(f"No records match {text!r}.")
        return
    out.print(_table([h.record for h in hits], via=[", ".join(h.retrievers) for h in hits]))


@click.command("record")
@click.argument("record_id")
@json_option
@click.pass_context
def record_cmd(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """One record in full, with where it came from (file and position)."""
    with open_store(ctx) as store:
        row = records.find_record(store, record_id)
    if row is None:
        raise UserError(f"no record {record_id!r}")
    if as_json:
        print_json(row)
        return
    for key, value in row.items():
        if value not in (None, "", [], {}):
            out.print(Text.assemble((key, "bold"), f": {value}"))


COMMANDS = [timeline_cmd, search_cmd, record_cmd]
