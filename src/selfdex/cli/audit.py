"""``selfdex audit show|verify|reanchor``: who saw what about you, and proof the record is intact."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from ..gate import AuditLog
from .common import friendly_errors, json_option, open_store, out, print_json

__all__ = ["COMMANDS"]


@click.group("audit")
def audit_group() -> None:
    """The audit log: every read by every recipient, hash-chained and append-only."""


@audit_group.command("show")
@click.option("--recipient", help="Only this recipient (grant name).")
@click.option(
    "--limit", type=click.IntRange(1), default=50, show_default=True, help="The most recent N entries."
)
@json_option
@click.pass_context
@friendly_errors
def show_cmd(ctx: click.Context, recipient: str | None, limit: int, as_json: bool) -> None:
    """Who saw what: time, recipient, request, outcome, records and fields disclosed, bytes."""
    with open_store(ctx, create=True) as store:
        entries = [e.to_dict() for e in AuditLog(store).entries(recipient=recipient, limit=limit)]
    if as_json:
        print_json(entries)
        return
    if not entries:
        out.print(
            "Nobody has read anything about you." if not recipient else f"{recipient} has read nothing."
        )
        return
    table = Table("#", "when", "recipient", "channel", "request", "outcome", "records", "fields", "bytes")
    for e in entries:
        outcome = (
            Text(e["outcome"])
            if e["outcome"] == "disclosed"
            else Text(f"{e['outcome']} {e['status']}", "red")
        )
        table.add_row(
            str(e["seq"]),
            e["at"][:19].replace("T", " "),
            e["recipient"],
            e["channel"],
            e["operation"],
            outcome,
            str(len(e["record_ids"])),
            ", ".join(e["fields"]),
            str(e["bytes"]),
        )
    out.print(table)


@audit_group.command("verify")
@json_option
@click.pass_context
@friendly_errors
def verify_cmd(ctx: click.Context, as_json: bool) -> None:
    """Check the hash chain: any edited, deleted or reordered entry is reported (exit code 1)."""
    with open_store(ctx, create=True) as store:
        result = AuditLog(store).verify()
    if as_json:
        print_json(
            {"ok": result.ok, "entries": result.entries, "head": result.head, "problems": result.problems}
        )
    elif result.ok:
        out.print(
            Text.assemble(
                ("✓", "green"), f" audit log intact: {result.entries} entries, head {result.head[:16]}…"
            )
        )
    else:
        for problem in result.problems:
            out.print(Text.assemble(("✗", "red"), f" {problem}"))
    if not result.ok:
        ctx.exit(1)


@audit_group.command("reanchor")
@click.option("--yes", is_flag=True, help="Do it (without it, only say what would be accepted).")
@click.pass_context
@friendly_errors
def reanchor_cmd(ctx: click.Context, yes: bool) -> None:
    """Accept the log as it is after a problem (a lost head or owner secret, a restored copy) so
    that recipients can be served again; the problems stay on record (verify keeps showing them)."""
    from ..gate.grants import utc_now

    with open_store(ctx, create=False) as store:
        log = AuditLog(store)
        result = log.verify()
        if result.ok:
            out.print("The audit log is intact: nothing to accept.")
            return
        for problem in result.problems:
            out.print(Text.assemble(("✗", "red"), f" {problem}"))
        if not yes:
            out.print("Run again with --yes to accept the log as it is (an entry records that you did).")
            ctx.exit(1)
        seq = log.reanchor(utc_now(), "; ".join(result.problems))
        log.close()
    out.print(f"Accepted: entry {seq} records it; recipients can be served again.")


COMMANDS = [audit_group]
