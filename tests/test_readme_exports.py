"""The README's supported-exports table is the registry's, and every importer has a fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from selfdex.importers import catalog
from selfdex.importers.base import Importer
from selfdex.importers.registry import load_importers
from selfdex.testing import recognitions

from .conftest import FORMATS, REPO
from .test_conformance import EXPECTED_IMPORTER


def test_readme_table_is_generated_from_the_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = catalog.block(readme)
    assert listed is not None, "README has lost its supported-exports markers"
    assert listed == catalog.table(), "stale table: run python -m selfdex.importers.catalog README.md"
    names = {line.split("`")[1] for line in listed.splitlines() if line.startswith("| ") and "`" in line}
    assert names == {i.name for i in load_importers()}  # every importer listed, every listed one registered


def test_every_importer_has_a_fixture(sample_exports: Path) -> None:
    """A fixture is a file of the sample person's that the pipeline gives to the importer, or a real sample
    the conformance suite expects it to import."""
    by_sample: set[str] = set()
    for bundle in sample_exports.iterdir():
        by_sample |= {name for name in recognitions(bundle).values() if name}
    real = {name for prefix, name in EXPECTED_IMPORTER.items() if (FORMATS / prefix.split("/")[0]).exists()}
    if not FORMATS.is_dir():
        real = set(EXPECTED_IMPORTER.values())  # no samples here: trust the suite's own list
    missing = sorted(i.name for i in load_importers() if i.name not in by_sample | real)
    assert missing == [], f"importers with neither a sample-person file nor a real sample: {missing}"


def test_update_rewrites_only_the_block(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(f"# x\n\nbefore\n{catalog.START}\nold table\n{catalog.END}\nafter\n", encoding="utf-8")
    assert catalog.update(page) is True and catalog.update(page) is False
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n") and text.endswith(f"{catalog.END}\nafter\n")
    assert "old table" not in text and "| chatgpt | `chatgpt` |" in text


def test_a_pipe_in_a_description_cannot_break_the_table() -> None:
    class Odd(Importer):
        name, platform, description = "odd", "odd", "reads a|b files"

    row = catalog.table([Odd()]).splitlines()[-1]
    assert row == "| odd | `odd` | reads a/b files |"


def test_missing_markers_are_an_error(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError):
        catalog.update(page)
