"""Gemini Apps activity in Takeout: prompts and answers, claimed ahead of the generic My Activity importer."""

from __future__ import annotations

import json
from pathlib import Path

from selfdex.importers.gemini import GeminiImporter
from selfdex.testing import parse_path, recognitions


def test_prompts_answers_and_other_entries(tmp_path: Path) -> None:
    folder = tmp_path / "Takeout" / "My Activity" / "Gemini Apps"
    folder.mkdir(parents=True)
    entries = [
        {
            "header": "Bard",
            "title": "Prompted is Dune Messiah short?",
            "time": "2023-11-01T10:00:00.000Z",
            "products": ["Bard"],
            "safeHtmlItem": [{"html": "<p>Yes &amp; fast.</p>"}],
        },
        {
            "header": "Gemini Apps",
            "title": "Used an Assistant feature",
            "time": "2024-01-01T10:00:00Z",
            "products": ["Gemini Apps"],
        },
        {"header": "Gemini Apps", "title": "Prompted hi", "time": "someday", "products": ["Gemini Apps"]},
    ]
    (folder / "MyActivity.json").write_text(json.dumps(entries), encoding="utf-8")
    assert recognitions(tmp_path)["Takeout/My Activity/Gemini Apps/MyActivity.json"] == "gemini"
    records, problems = parse_path(GeminiImporter(), tmp_path)
    assert [(r.action, r.text) for r in records] == [
        ("messaged", "is Dune Messiah short?"),
        ("received", "Yes & fast."),
    ]
    assert records[0].item.creators == () and records[0].when is not None
    assert sorted((p.severity, p.index) for p in problems) == [("error", 2), ("skipped", None)]


def test_sample_person(sample_exports: Path) -> None:
    bundle = sample_exports / "takeout-20250701T120000Z-001.zip"
    assert recognitions(bundle)["Takeout/My Activity/Gemini Apps/MyActivity.json"] == "gemini"
    assert recognitions(bundle)["Takeout/My Activity/Search/MyActivity.json"] == "google_my_activity"
    records, problems = parse_path(GeminiImporter(), bundle)
    assert [p.severity for p in problems] == ["skipped"]  # the feedback entry
    assert len(records) == 4
    assert any("Lisan al-Gaib" in (r.text or "") for r in records)  # Gson's \u0027 decoded
    assert any("Herbert's" in (r.text or "") for r in records if r.action == "received")
