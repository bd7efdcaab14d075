"""Every ``SELFDEX_*`` environment variable, in one object.

:class:`Settings` names each variable once, with its type, default and what it does; every reader in
``src/`` asks :func:`settings` (``tests/test_settings_contract.py`` fails on a ``SELFDEX_*`` name read
anywhere else, and on a variable missing from the README's table, which :func:`table` generates).
The snapshot is taken when a reader asks, so a variable a parent process or a test sets is seen.
Standard library only: every layer may import this module.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from . import readme_blocks

__all__ = ["ENV", "Settings", "SettingsError", "settings", "table"]

START = "<!-- settings:start (generated: python -m selfdex.settings README.md) -->"
END = "<!-- settings:end -->"


class SettingsError(ValueError):
    """A ``SELFDEX_*`` variable whose value cannot be read as its type (the message names it)."""


def _var(
    name: str,
    doc: str,
    parse: Callable[[str], Any] = str,
    default: Any = None,
    *,
    shown: str = "",
    secret: bool = False,
) -> Any:
    """One variable; ``shown`` is the README's default where the real one is computed (None here)."""
    meta = {"env": name, "doc": doc, "parse": parse, "secret": secret, "shown": shown}
    return field(default=default, repr=not secret, metadata=meta)


def _path(value: str) -> Path:
    return Path(value).expanduser()


@dataclass(frozen=True, slots=True)
class Settings:
    """The environment's ``SELFDEX_*`` values (an unset or empty variable is the default)."""

    store: Path | None = _var(
        "SELFDEX_STORE",
        "The store file (as `--store`).",
        _path,
        shown="the user data folder (`selfdex path`)",
    )
    passphrase: str | None = _var(
        "SELFDEX_PASSPHRASE", "The passphrase of an encrypted store (before the keyring and the prompt).",
        secret=True,
    )  # fmt: skip
    web_password: str | None = _var(
        "SELFDEX_WEB_PASSWORD", "The web console's owner password off loopback (as `serve --web-password`).",
        secret=True,
    )  # fmt: skip
    token: str | None = _var(
        "SELFDEX_TOKEN", "The recipient's token for `selfdex serve --mcp-stdio`.", secret=True
    )
    grant_token: str | None = _var(
        "SELFDEX_GRANT_TOKEN", "The grant's token for `selfdex profile export` (as `--token`).", secret=True
    )
    model: str | None = _var(
        "SELFDEX_MODEL", "The model `ask`, `recommend` and the web console use ('none': never a model).",
        shown="`selfdex models default`, else the embedded model if installed",
    )  # fmt: skip
    config_dir: Path | None = _var(
        "SELFDEX_CONFIG_DIR", "Where `models.json` and `keys.json` live.", _path,
        shown="the user config folder",
    )  # fmt: skip
    model_cache: Path | None = _var(
        "SELFDEX_MODEL_CACHE", "Where embedded model files are downloaded.", _path,
        shown="the user cache folder",
    )  # fmt: skip
    llm_runtime: str | None = _var(
        "SELFDEX_LLM_RUNTIME", "The embedded model's llama.cpp runtime (`xllamacpp`, `llama-cpp-python`).",
        shown="the first installed",
    )  # fmt: skip
    llm_threads: int | None = _var(
        "SELFDEX_LLM_THREADS", "Threads of the embedded model.", int, shown="the cores, at most 8"
    )
    llm_timeout: float = _var(
        "SELFDEX_LLM_TIMEOUT", "Seconds an embedded model request may take.", float, default=300.0
    )
    model_base_url: str | None = _var(
        "SELFDEX_MODEL_BASE_URL", "An OpenAI-compatible server given wholly in the environment (model `env`)."
    )
    model_id: str = _var("SELFDEX_MODEL_ID", "That server's model id.", default="")
    model_api_key: str | None = _var("SELFDEX_MODEL_API_KEY", "That server's API key.", secret=True)
    model_structured: str = _var(
        "SELFDEX_MODEL_STRUCTURED", "How that server constrains output to a schema.", default="json_schema"
    )
    model_tools: bool = _var(
        "SELFDEX_MODEL_TOOLS", "`1`: that server may call selfdex's tools.", lambda v: v == "1", default=False,
        shown="`0`",
    )  # fmt: skip

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        values = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw:
                try:
                    values[f.name] = f.metadata["parse"](raw)
                except ValueError:
                    shown = "" if f.metadata["secret"] else f"={raw!r}"
                    raise SettingsError(f"{f.metadata['env']}{shown} is not a valid value") from None
        return cls(**values)


ENV: dict[str, str] = {f.name: f.metadata["env"] for f in fields(Settings)}
"""Setting -> its variable's name (for click's ``envvar`` and messages)."""


def settings() -> Settings:
    """The ``SELFDEX_*`` variables as the environment has them now."""
    return Settings.from_env(os.environ)


def table() -> str:
    """The README's table of variables."""
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for f in fields(Settings):
        plain = "" if f.default in (MISSING, None, "") else f"`{f.default}`"
        default = f.metadata["shown"] or plain
        rows.append(f"| `{f.metadata['env']}` | {default} | {f.metadata['doc'].replace('|', '/')} |")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print(f"{target}: {'updated' if readme_blocks.update(target, START, END, table()) else 'up to date'}")
