"""``selfdex profile``: what selfdex understands about the person, and how they correct it."""

from __future__ import annotations

from dataclasses import asdict

import click
from rich.markup import escape
from rich.table import Table

from ..owner.profile import SECTION_TITLES
from ..profile import DOMAINS, build_profile, forget, list_corrections, note, pin, unforget
from ..profile.corrections import group_preview, preview_forget, remove_statement
from ..profile.facts import KINDS
from .common import friendly_errors, json_option, open_store, out, print_json
from .portable import export_cmd


@click.group("profile")
def profile_group() -> None:
    """The profile computed from your records (every fact cites them), and your corrections."""


profile_group.add_command(export_cmd)


@profile_group.command("show")
@click.option(
    "--domain", type=click.Choice(DOMAINS), help="Only this domain (your own statements always show)."
)
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind of fact.")
@click.option(
    "--limit", default=12, show_default=True, type=click.IntRange(1, 1000), help="Facts per section."
)
@json_option
@click.pass_context
@friendly_errors
def show(ctx: click.Context, domain: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """Show the profile; each fact's key can be given to `forget` or `pin`."""
    with open_store(ctx) as store:
        profile = build_profile(store, compact=True)
    facts = profile.select(domain=domain, kind=kind)
    if as_json:
        print_json({"records": profile.records, "facts": [f.to_dict() for f in facts]})
        return
    for section in KINDS:
        rows = [f for f in facts if f.kind == section][:limit]
        if not rows:
            continue
        table = Table(
            "label", "domain", "platforms", "records", title=SECTION_TITLES[section], title_justify="left"
        )
        table.add_column("key", overflow="fold")
        for f in rows:
            table.add_row(f.label, f.domain, ", ".join(f.platforms), str(f.citation_total()), f.key)
        out.print(table)


@profile_group.command("rebuild")
@click.pass_context
@friendly_errors
def rebuild_cmd(ctx: click.Context) -> None:
    """Recompute entity links and facts from every record (imports keep them up to date on their own)."""
    import time

    from ..profile import apply_corrections
    from ..profile.facts import rebuild_facts
    from ..profile.linking import update_entities

    start = time.perf_counter()

    def phase(text: str) -> None:  # one plain line per step: it is read in a terminal and in a log alike
        out.print(f"[{time.perf_counter() - start:6.1f}s] {text}")

    with open_store(ctx) as store:
        update_entities(store, force=True, on_phase=phase)
        phase("reading every record for the facts")
        rebuild_facts(store)
        phase("applying your corrections and inferring the facts")
        apply_corrections(store)
        profile = build_profile(store)
    phase(f"done: {len(profile.facts)} facts from {profile.records:,} records")


@profile_group.command("forget")
@click.argument("key")
@click.option("--delete-records", is_flag=True, help="Delete the underlying records instead of hiding them.")
@click.option("--dry-run", is_flag=True, help="Only list the records it would hide; change nothing.")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(0, None),
    help="Titles listed by --dry-run (0: all).",
)
@json_option
@click.pass_context
@friendly_errors
def forget_cmd(
    ctx: click.Context, key: str, delete_records: bool, dry_run: bool, limit: int, as_json: bool
) -> None:
    """Forget a fact or an entity (by key) everywhere; survives re-imports. --dry-run shows what it hides."""
    if dry_run:
        with open_store(ctx) as store:
            preview = preview_forget(store, key)
        if as_json:
            print_json(asdict(preview))
            return
        if not preview.found:
            click.echo(f"Nothing matches {key!r}: forgetting it would hide nothing now.")
            return
        verb = "delete" if delete_records else "hide"
        label = f" ({preview.label})" if preview.label else ""
        click.echo(f"Forgetting {key}{label} would {verb} {len(preview.records)} records:")
        groups = group_preview(preview.records)
        table = Table("platform", "kind", "title", "records", "dates")
        for g in groups[:limit] if limit else groups:
            dates = g["first"] if g["first"] == g["last"] else f"{g['first']} – {g['last']}"
            table.add_row(g["platform"], g["kind"], escape(g["title"]), str(g["records"]), dates)
        out.print(table)
        if limit and len(groups) > limit:
            click.echo(f"… and {len(groups) - limit} more titles (--limit).")
        if preview.already_hidden:
            click.echo(f"{preview.already_hidden} more are already hidden by another rule.")
        click.echo("Nothing was changed (--dry-run).")
        return
    with open_store(ctx) as store:
        result = forget(store, key, delete_records=delete_records)
    if as_json:
        print_json(asdict(result))
        return
    if key in result.unresolved:
        click.echo(f"Nothing matches {key!r} yet; the rule is kept and applies to future imports.")
    else:
        verb = "deleted" if delete_records else "hidden"
        click.echo(f"Forgot {key}: {result.deleted if delete_records else result.hidden} records {verb}.")


@profile_group.command("unforget")
@click.argument("key")
@click.pass_context
@friendly_errors
def unforget_cmd(ctx: click.Context, key: str) -> None:
    """Drop a forget rule (deleted records come back only by re-importing)."""
    with open_store(ctx) as store:
        found = unforget(store, key)
    click.echo(f"Unforgot {key}." if found else f"No forget rule for {key!r}.")


@profile_group.command("pin")
@click.argument("text")
@click.option("--domain", type=click.Choice(DOMAINS))
@click.pass_context
@friendly_errors
def pin_cmd(ctx: click.Context, text: str, domain: str | None) -> None:
    """Pin a statement about yourself (or an inferred fact, by its key) above everything inferred."""
    with open_store(ctx) as store:
        key = pin(store, text, domain=domain)
    click.echo(f"Pinned ({key}).")


@profile_group.command("note")
@click.argument("text")
@click.option("--domain", type=click.Choice(DOMAINS))
@click.pass_context
@friendly_errors
def note_cmd(ctx: click.Context, text: str, domain: str | None) -> None:
    """Add a note about yourself, e.g. "I no longer eat meat"; it outranks inferred facts."""
    with open_store(ctx) as store:
        key = note(store, text, domain=domain)
    click.echo(f"Noted ({key}).")


@profile_group.command("unpin")
@click.argument("key")
@click.pass_context
@friendly_errors
def unpin_cmd(ctx: click.Context, key: str) -> None:
    """Remove a pin or a note by its key."""
    with open_store(ctx) as store:
        found = remove_statement(store, key)
    click.echo(f"Removed {key}." if found else f"No pin or note {key!r}.")


@profile_group.command("corrections")
@json_option
@click.pass_context
@friendly_errors
def corrections_cmd(ctx: click.Context, as_json: bool) -> None:
    """List your corrections: what you told selfdex to forget, pin or note."""
    with open_store(ctx) as store:
        items = list_corrections(store)
    if as_json:
        print_json([c.to_dict() for c in items])
        return
    table = Table("action", "key", "text", "since")
    for c in items:
        action = c.action + (" (delete records)" if c.delete_records else "")
        table.add_row(action, c.key, c.text or "", c.created_at)
    out.print(table)


COMMANDS = [profile_group]
