"""``selfdex`` command line: noun-verb commands, ``--json`` output, clear errors."""

from __future__ import annotations

import sqlite3
from typing import Any

import click

from .. import __version__
from ..store.health import explain
from . import (
    admin,
    ask,
    audit,
    backup,
    browse,
    demo,
    grant,
    importing,
    index,
    models,
    profile,
    recommend,
    serve,
)
from . import eval as eval_cli
from .common import UserError, store_path


class _Group(click.Group):
    """A failure of the store file itself (damaged, disk full, read-only) in any command: one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            said = explain(exc, store_path(ctx))
            if said is None:
                raise
            raise UserError(said) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="selfdex")
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    envvar="SELFDEX_STORE",
    help="The store file (default: `selfdex path`; env SELFDEX_STORE).",
)
@click.pass_context
def cli(ctx: click.Context, store: str | None) -> None:
    """selfdex: your own personalization engine over your data exports, in one local store you own."""
    ctx.obj = {"store": store}


for module in (
    importing,
    browse,
    index,
    profile,
    ask,
    recommend,
    models,
    grant,
    audit,
    serve,
    eval_cli,
    admin,
    backup,
    demo,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli()
