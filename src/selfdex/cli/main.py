"""``selfdex`` command line: noun-verb commands, ``--json`` output, clear errors.

Commands load lazily: ``selfdex --help`` and cheap commands (``sources``, ``search``, ``timeline``) must not pay
for numpy, the gate, FastAPI or a model runtime they never use. ``COMMANDS`` below names each command's
module and its one-line help (for ``--help`` without importing anything); ``tests/test_cli_startup.py``
checks that it matches the commands the modules really define.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from .. import __version__
from ..settings import SettingsError, settings

# name -> (module under selfdex.cli, short help shown by `selfdex --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("importing", "Import export archives (folders, zips, tars) into the store."),
    "importers": ("importing", "List the installed importers (built-in and plugins)."),
    "sources": (
        "importing",
        "What is in the store, per platform: records, date range, kinds, and how old the newest data is.",
    ),
    "jobs": ("importing", "Import jobs: what was imported when, and what went wrong."),
    "watch": ("watch", "Import new export archives as they appear in FOLDER, once each, with a log."),
    "timeline": ("browse", "Everything you did, across platforms, on one time axis."),
    "search": ("browse", "Search titles, creators and your own text, by words and by meaning."),
    "record": ("browse", "One record in full, with where it came from (file and position)."),
    "index": ("index", "Text vectors for hybrid search (kept in the store, built offline)."),
    "profile": (
        "profile",
        "The profile computed from your records (every fact cites them), and your corrections.",
    ),
    "ask": ("ask", "Ask QUESTION about your records; the answer cites the records it rests on."),
    "recommend": (
        "recommend",
        (
            "Re-rank CANDIDATES_FILE (CSV or JSON: title, optional creator/category/id/popularity, in the platform's"
            " order) with"
            " your own records; each item gets a score, a reason and the records (and platforms) that support it."
        ),
    ),
    "models": (
        "models",
        "Language models: the embedded default and OpenAI-compatible servers you configure.",
    ),
    "grant": ("grant", "Who may see what about you."),
    "audit": ("audit", "The audit log: every read by every recipient, hash-chained and append-only."),
    "serve": (
        "serve",
        (
            "Serve your data to the recipients you granted access, and to nobody else; and your own web app, on"
            " loopback, for you."
        ),
    ),
    "eval": ("eval", "Measure the person's agent against platform baselines on public data."),
    "path": ("admin", "Where the store lives (override with --store or SELFDEX_STORE)."),
    "doctor": ("admin", "Check the environment and the store; exit 1 if something needs fixing."),
    "backup": ("backup", "Copy the store to PATH (a consistent snapshot, safe while importing or serving)."),
    "init": ("crypt", "Create an empty store (optionally encrypted at rest with a passphrase)."),
    "encrypt": ("crypt", "Encrypt the existing store in place (stop `selfdex serve` first)."),
    "decrypt": (
        "crypt",
        "Turn the encrypted store back into a plain SQLite file, in place or as a copy (--output).",
    ),
    "demo": (
        "demo",
        "Generate a made-up person's exports, import them, and show a per-platform summary and a few queries.",
    ),
}


def load_command(name: str) -> click.Command:
    module = importlib.import_module(f"{__package__}.{COMMANDS[name][0]}")
    for command in module.COMMANDS:
        if command.name == name:
            return command
    raise LookupError(f"selfdex.cli.{COMMANDS[name][0]} defines no command {name!r}")


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or its own --help is asked for)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def invoke(self, ctx: click.Context) -> object:
        """A failure of the store file itself (damaged, disk full, read-only), or a malformed
        ``SELFDEX_*`` variable, in any command: one line."""
        import sqlite3

        from ..store import crypto

        errors: tuple[type[Exception], ...] = (sqlite3.Error, *crypto.database_errors())
        try:
            return super().invoke(ctx)
        except SettingsError as exc:  # a malformed SELFDEX_* variable, found by whichever reader came first
            from .common import UserError

            raise UserError(str(exc)) from None
        except errors as exc:
            from ..store.health import explain
            from .common import UserError, store_path

            said = explain(exc, store_path(ctx))
            if said is None:
                raise
            raise UserError(said) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _configured_store() -> str | None:
    """``--store``'s default: SELFDEX_STORE, checked by the option's type like a given path."""
    try:
        configured = settings().store
    except SettingsError as exc:  # parsed before any command runs: say it as click says a bad option
        raise click.UsageError(str(exc)) from None
    return None if configured is None else str(configured)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="selfdex")
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    default=_configured_store,
    help="The store file (default: `selfdex path`; env SELFDEX_STORE).",
)
@click.pass_context
def cli(ctx: click.Context, store: str | None) -> None:
    """selfdex: your own personalization engine over your data exports, in one local store you own."""
    ctx.obj = {"store": store}
    from ..store import crypto  # stdlib only; every command but --help opens the store anyway

    crypto.set_prompt(_ask_passphrase)


def _ask_passphrase(path: Path) -> str | None:
    """The passphrase of an encrypted store, asked on the terminal (scripts set SELFDEX_PASSPHRASE)."""
    if not sys.stdin.isatty():
        return None
    return str(click.prompt(f"Passphrase for {path}", hide_input=True, err=True))


def main() -> None:
    cli()
