"""``selfdex init`` / ``encrypt`` / ``decrypt``: create a store, and encryption at rest (SQLCipher)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..settings import settings
from ..store import Store, StoreError, crypto
from .common import UserError, console, esc, store_path


def _new_passphrase(path: Path) -> str:
    given = settings().passphrase
    if given:
        return given
    if not sys.stdin.isatty():
        raise UserError(f"no passphrase: set {crypto.ENV_PASSPHRASE} or run on a terminal to be asked")
    value = str(
        click.prompt(f"New passphrase for {path}", hide_input=True, confirmation_prompt=True, err=True)
    )
    if len(value) < 8:
        raise UserError("a passphrase needs at least 8 characters")
    return value


def _to_keyring(path: Path, passphrase: str) -> None:
    try:
        import keyring

        keyring.set_password(crypto.KEYRING_SERVICE, str(path.resolve()), passphrase)
    except Exception as exc:  # ImportError or no usable backend: say so, the store itself is fine
        raise UserError(
            f"the store is encrypted, but the OS keyring could not keep its passphrase: {exc}"
        ) from exc
    console.print(f"Passphrase kept in the OS keyring (service '{crypto.KEYRING_SERVICE}').")


_keyring_option = click.option(
    "--keyring",
    "use_keyring",
    is_flag=True,
    help="Also keep the passphrase in the OS keyring (pip install keyring).",
)


@click.command("init")
@click.option("--encrypt", "encrypt", is_flag=True, help="Create the store encrypted (SQLCipher).")
@_keyring_option
@click.pass_context
def init_cmd(ctx: click.Context, encrypt: bool, use_keyring: bool) -> None:
    """Create an empty store (optionally encrypted at rest with a passphrase)."""
    path = store_path(ctx)
    if path.exists() and path.stat().st_size:
        raise UserError(f"{path} already exists" + ("; to encrypt it: selfdex encrypt" if encrypt else ""))
    try:
        if encrypt:
            passphrase = _new_passphrase(path)
            crypto.init_encrypted(path, passphrase)
        with Store(path):
            pass
        if encrypt and use_keyring:
            _to_keyring(path, passphrase)
    except (crypto.CryptoError, StoreError) as exc:
        raise UserError(str(exc)) from exc
    console.print(f"Created {'an encrypted' if encrypt else 'a'} store at {esc(str(path))}", markup=True)


@click.command("encrypt")
@_keyring_option
@click.pass_context
def encrypt_cmd(ctx: click.Context, use_keyring: bool) -> None:
    """Encrypt the existing store in place (stop `selfdex serve` first).

    The plain file is replaced, not overwritten: its old blocks may stay on the disk until reused."""
    path = store_path(ctx)
    try:
        crypto.encrypt_store(path, _new_passphrase(path))
        with Store(path, create=False) as store:
            n = store.count()
    except (crypto.CryptoError, StoreError) as exc:
        raise UserError(str(exc)) from exc
    if use_keyring:
        _to_keyring(path, crypto.passphrase_for(path))
    console.print(f"Encrypted {esc(str(path))} ({n:,} records)", markup=True)


@click.command("decrypt")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a plain copy here and leave the store encrypted (e.g. to open it in Datasette).",
)
@click.pass_context
def decrypt_cmd(ctx: click.Context, output: Path | None) -> None:
    """Turn the encrypted store back into a plain SQLite file, in place or as a copy (--output)."""
    path = store_path(ctx)
    try:
        dest = crypto.decrypt_store(path, output=output)
        with Store(dest, create=False) as store:
            n = store.count()
    except (crypto.CryptoError, StoreError) as exc:
        raise UserError(str(exc)) from exc
    console.print(f"Wrote a plain store to {esc(str(dest))} ({n:,} records)", markup=True)


COMMANDS = [init_cmd, encrypt_cmd, decrypt_cmd]
