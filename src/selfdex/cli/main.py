"""``selfdex`` command line: noun-verb commands, ``--json`` output, clear errors."""

from __future__ import annotations

import click

from .. import __version__
from . import (
    admin,
    ask,
    audit,
    browse,
    demo,
    grant,
    importing,
    index,
    models,
    profile,
    recommend,
    serve,
    watch,
)
from . import eval as eval_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    watch,
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
    demo,
):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    cli()
