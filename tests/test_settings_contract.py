"""One ``Settings`` object for the ``SELFDEX_*`` variables: every variable is in the README's table, every
``SELFDEX_*`` name in ``src/`` is declared there, and only ``settings.py`` reads one from the environment.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex import readme_blocks, settings
from selfdex.cli.main import cli
from selfdex.store.db import default_store_path

from .conftest import REPO

SRC = REPO / "src" / "selfdex"
NAME = re.compile(r"SELFDEX_[A-Z0-9_]*+(?!\*)")  # not the family's name, ``SELFDEX_*``
# Reads of a variable whose name is not known in advance, each with its reason.
DYNAMIC_READS = {
    "agent/config.py": "the variable the person named for a model's API key (`models add --api-key-env`)",
}


def undeclared(src: Path) -> list[str]:
    """``SELFDEX_*`` names written anywhere under ``src`` (code, messages, docs) that Settings lacks."""
    declared = set(settings.ENV.values())
    return sorted(
        f"{path.relative_to(src)}: {name}"
        for path in src.rglob("*.py")
        for name in set(NAME.findall(path.read_text(encoding="utf-8")))
        if name not in declared
    )


def _environ_key(node: ast.AST) -> ast.expr | bool | None:
    """The key of an ``os.environ[...]``, ``os.environ.get(...)``/``setdefault`` or ``os.getenv(...)`` read
    (None: a call without one); False when ``node`` is no such read."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
        return node.slice
    if isinstance(node, ast.Call):
        called = ast.unparse(node.func)
        if called in ("os.getenv", "getenv") or re.fullmatch(r"(os\.)?environ\.(get|pop|setdefault)", called):
            return node.args[0] if node.args else None
    return False


def readers_outside_settings(src: Path) -> list[str]:
    """Every place outside ``settings.py`` that names a ``SELFDEX_*`` variable as a bare string (how code
    reads one: ``os.environ.get("SELFDEX_X")``, click's ``envvar="SELFDEX_X"``, ``VAR = "SELFDEX_X"``), or
    reads the environment with a key it computes, unless that read is a listed dynamic one."""
    found = []
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel == "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and NAME.fullmatch(node.value):
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
            key = _environ_key(node)
            if key is False or rel in DYNAMIC_READS:
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                found.append(f"{rel}:{getattr(node, 'lineno', '?')}: reads the environment by a computed key")
    return sorted(found)


def test_the_readme_table_is_generated_from_settings() -> None:
    block = readme_blocks.block(
        (REPO / "README.md").read_text(encoding="utf-8"), settings.START, settings.END
    )
    assert block is not None, "README has lost its settings markers"
    assert block == settings.table(), "stale table: run python -m selfdex.settings README.md"
    listed = {row.split("`")[1] for row in block.splitlines()[2:]}
    assert listed == set(settings.ENV.values())


def test_every_selfdex_variable_in_src_is_declared() -> None:
    assert undeclared(SRC) == [], "declare these in selfdex.settings.Settings"


def test_only_settings_reads_selfdex_variables() -> None:
    assert readers_outside_settings(SRC) == [], "read them through selfdex.settings.settings()"


def test_the_scans_find_a_planted_reader(tmp_path: Path) -> None:
    """The checks can fail: a module reading an undeclared variable, a declared one directly, or the
    environment by a computed key is reported."""
    (tmp_path / "settings.py").write_text('X = "SELFDEX_FREE_IN_HERE"\n', encoding="utf-8")
    (tmp_path / "reader.py").write_text(
        "import os\n"
        'A = os.environ.get("SELFDEX_NEW_THING")\n'
        'B = os.getenv("SELFDEX_STORE", "")\n'
        'C = os.environ["HOME"] + os.environ[f"SELFDEX_{A}"]\n'
        '"""Prose may mention SELFDEX_STORE."""\n',
        encoding="utf-8",
    )
    assert undeclared(tmp_path) == [
        "reader.py: SELFDEX_",
        "reader.py: SELFDEX_NEW_THING",
        "settings.py: SELFDEX_FREE_IN_HERE",
    ]
    assert readers_outside_settings(tmp_path) == [
        "reader.py:2: 'SELFDEX_NEW_THING'",
        "reader.py:3: 'SELFDEX_STORE'",
        "reader.py:4: 'SELFDEX_'",
        "reader.py:4: reads the environment by a computed key",
    ]


def test_unset_or_empty_is_the_default_and_values_are_typed() -> None:
    empty = settings.Settings.from_env({"SELFDEX_LLM_THREADS": "", "SELFDEX_MODEL_STRUCTURED": ""})
    assert empty == settings.Settings()
    assert empty.llm_timeout == 300.0 and empty.model_structured == "json_schema" and empty.store is None
    given = settings.Settings.from_env(
        {"SELFDEX_LLM_THREADS": "3", "SELFDEX_STORE": "~/s.sqlite", "SELFDEX_MODEL_TOOLS": "1"}
    )
    assert given.llm_threads == 3 and given.model_tools is True
    assert given.store == Path.home() / "s.sqlite"


def test_a_malformed_value_names_its_variable_and_hides_a_secret() -> None:
    with pytest.raises(settings.SettingsError, match=r"^SELFDEX_LLM_TIMEOUT='soon' is not a valid value$"):
        settings.Settings.from_env({"SELFDEX_LLM_TIMEOUT": "soon"})
    assert "hunter2" not in repr(settings.Settings.from_env({"SELFDEX_PASSPHRASE": "hunter2"}))


def test_readers_see_the_environment_when_they_ask(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SELFDEX_STORE", str(tmp_path / "here.sqlite"))
    assert default_store_path() == tmp_path / "here.sqlite"
    result = CliRunner().invoke(cli, ["path"])
    assert result.exit_code == 0 and result.output.strip() == str(tmp_path / "here.sqlite")


def test_the_cli_says_a_malformed_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SELFDEX_LLM_THREADS", "many")
    for args in (["path"], ["--store", str(tmp_path / "s.sqlite"), "models", "list"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # handled, not a crash
        assert "SELFDEX_LLM_THREADS='many' is not a valid value" in result.output
        assert "Traceback" not in result.output
