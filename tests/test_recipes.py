"""`selfdex sources`: how old each platform's newest data is, and how to request a fresh export."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.importers.recipes import RECIPES
from selfdex.importers.registry import load_importers


def test_every_platform_has_a_recipe() -> None:
    missing = sorted({i.platform for i in load_importers()} - set(RECIPES))
    assert missing == [], f"no 'how to request a fresh export' for {missing}"


def test_sources_says_how_old_and_how_to_refresh(sample_exports: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "s.sqlite")
    runner = CliRunner()
    for bundle in ("imdb", "WhatsApp Android"):
        assert runner.invoke(cli, ["--store", store, "import", str(sample_exports / bundle)]).exit_code == 0
    rows = {
        r["platform"]: r
        for r in json.loads(runner.invoke(cli, ["--store", store, "sources", "--json"]).stdout)
    }
    assert rows["whatsapp"]["newest_days_ago"] > rows["imdb"]["newest_days_ago"] > 0  # the chat is from 2023
    assert rows["imdb"]["how_to_refresh"] == RECIPES["imdb"]
    shown = runner.invoke(cli, ["--store", store, "sources", "--how"], terminal_width=200).output
    assert "whatsapp: WhatsApp → the chat" in shown and "days ago" in shown
