"""The CLI starts fast: commands load lazily, and cheap commands never import the heavy parts."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import selfdex.cli
from selfdex.cli import main
from selfdex.store import Store

HEAVY = (
    "numpy",
    "scipy",
    "pydantic",
    "fastapi",
    "uvicorn",
    "mcp",
    "openai",
    "llama_cpp",
    "selfdex.gate",
    "selfdex.rank",
    "selfdex.profile",
    "selfdex.agent",
    "selfdex.eval",
    "selfdex.web",
)

PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr))
from selfdex.cli.main import main
sys.argv = ["selfdex", *{args!r}]
main()
"""


def _defined_commands() -> dict[str, tuple[str, click.Command]]:
    found: dict[str, tuple[str, click.Command]] = {}
    for info in pkgutil.iter_modules(selfdex.cli.__path__):
        module = importlib.import_module(f"selfdex.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []) if info.name != "main" else []:
            assert command.name not in found, f"{command.name} defined twice"
            found[command.name] = (info.name, command)
    return found


def test_lazy_table_matches_the_commands_the_modules_define() -> None:
    defined = _defined_commands()
    assert set(main.COMMANDS) == set(defined)
    for name, (module, short_help) in main.COMMANDS.items():
        assert module == defined[name][0], name
        assert short_help == defined[name][1].get_short_help_str(limit=300), name


def _heavy_after(args: list[str], tmp_path: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY, args=args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["sources"],
        ["search", "dune"],
        ["jobs", "list"],
        ["timeline"],
        ["path"],
        ["importers"],
    ],
)
def test_cheap_commands_import_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    Store(store, create=True).close()
    assert _heavy_after(["--store", str(store), *args], tmp_path) == []


def test_the_probe_sees_a_heavy_import(tmp_path: Path) -> None:
    """The check above can fail: a command that does load the profile is seen doing so."""
    store = tmp_path / "store.db"
    Store(store, create=True).close()
    assert "selfdex.profile" in _heavy_after(["--store", str(store), "profile", "show"], tmp_path)


def test_profile_show_leaves_the_gate_unloaded(tmp_path: Path) -> None:
    """Reading the kept facts needs the profile, not the disclosure gate (pydantic, the rankers):
    `profile export` loads those when it runs."""
    store = tmp_path / "store.db"
    Store(store, create=True).close()
    loaded = _heavy_after(["--store", str(store), "profile", "show", "--json"], tmp_path)
    assert "selfdex.profile" in loaded
    assert not {"selfdex.gate", "pydantic", "selfdex.agent", "selfdex.rank"} & set(loaded), loaded
