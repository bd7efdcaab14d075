"""``selfdex backup PATH``: a consistent copy of the store, safe while imports and the web app run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from ..store import crypto, owner_queries
from ..store.health import explain
from .common import UserError, console, json_option, open_store, print_json


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@json_option
@click.pass_context
def backup_cmd(ctx: click.Context, path: Path, force: bool, as_json: bool) -> None:
    """Copy the store to PATH (a consistent snapshot, safe while importing or serving).

    PATH is a file, or a folder to put selfdex-<date>.sqlite in. SQLite's online backup API copies the
    store in one read transaction, so the copy is consistent even while an import or `selfdex serve`
    writes. Restore by pointing --store (or SELFDEX_STORE) at the copy, or by moving it into place."""
    from datetime import UTC, datetime

    if path.is_dir():
        path = path / f"selfdex-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite"
    if path.exists() and not force:
        raise UserError(f"{path} exists; choose another path or pass --force")
    if not path.parent.exists():
        raise UserError(f"{path.parent}: no such folder")
    with open_store(ctx) as store:
        if path.resolve() == store.path.resolve():
            raise UserError("the backup must not be the store itself")
        errors: tuple[type[Exception], ...] = (sqlite3.Error, *crypto.database_errors())
        try:
            size, records = owner_queries.backup_to(store, path)
        except errors as exc:
            raise UserError(explain(exc, store.path) or f"backup failed: {exc}") from None
        except OSError as exc:
            raise UserError(f"cannot write {path}: {exc.strerror}") from None
    if as_json:
        print_json({"backup": str(path), "bytes": size, "records": records})
    else:
        console.print(f"[green]✓[/] backed up {records:,} records to {path} ({size / 2**20:,.1f} MiB)")


COMMANDS = [backup_cmd]
