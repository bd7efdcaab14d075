from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from selfdex.importers.chrome_history import ChromeHistoryImporter
from selfdex.testing import parse_path, recognitions

IMP = ChromeHistoryImporter()


def test_real_samples(formats_dir: Path) -> None:
    folder = formats_dir / "google_takeout" / "chrome"
    assert set(recognitions(folder).values()) == {"chrome_history"}
    records, problems = parse_path(IMP, folder)
    assert problems == []
    assert {(r.platform, r.action, r.item.kind) for r in records} == {("chrome", "visited", "web_page")}

    # ≤2023 BrowserHistory.json: time_usec is microseconds; Gson \u003d/\u0026 decoded in URLs
    old = [r for r in records if r.provenance and r.provenance.member == "BrowserHistory.2018.json"]
    assert len(old) == 12
    assert old[0].when == datetime(2018, 2, 2, 16, 45, 53, 942148, tzinfo=UTC) and old[0].precision == "us"
    assert old[0].item.url and old[0].item.url.startswith(
        "https://www.google.co.in/search?q=scorpio+price&oq=scor"
    )
    assert old[0].item.title == "scorpio price - Google Search"
    assert old[0].extra == {"transition": "GENERATED", "client_id": "jd1XCa5VLRyoq6I7TLYCgQ=="}
    assert old[-1].extra["transition"] == "RELOAD"

    # 2024+ History.json: page_transition_qualifier; the two open-tab navigations are not in the
    # (trimmed) Browser History, so they are visits of their own, numbered after the history entries
    new = [r for r in records if r.provenance and r.provenance.member == "History.json"]
    history = [r for r in new if "source" not in r.extra]
    tabs = [r for r in new if r.extra.get("source") == "session"]
    assert len(history) == 10 and history[0].extra["transition"] == "CLIENT_REDIRECT"
    assert [r.provenance.index for r in tabs if r.provenance] == [10, 11]
    assert tabs[0].item.url == "https://canvas.its.virginia.edu/courses/131881/discussion_topics/536336"
    assert tabs[0].when == datetime(2025, 2, 19, 16, 3, 21, 994000, tzinfo=UTC) and tabs[0].precision == "ms"


def test_sample_person(sample_exports: Path) -> None:
    bundle = next(sample_exports.glob("takeout-*-001.zip"))
    assert recognitions(bundle)["Takeout/Chrome/History.json"] == "chrome_history"
    records, problems = parse_path(IMP, bundle)
    # the one open tab is the newest history visit: reported as skipped, not counted twice
    assert [(p.severity, p.reason.split(" ", 1)[0]) for p in problems] == [("skipped", "1")]
    assert not any(r.extra.get("source") == "session" for r in records)
    urls = {r.item.url for r in records}
    assert {
        "https://en.wikipedia.org/wiki/Dune_(novel)",
        "https://www.seriouseats.com/how-to-make-dashi",
    } <= urls
    assert "frank herbert dune reading order - Google Search" in {r.item.title for r in records}


def _visit(url: str, usec: object, title: str = "Page") -> dict[str, object]:
    return {
        "favicon_url": "",
        "page_transition_qualifier": "LINK",
        "title": title,
        "url": url,
        "time_usec": usec,
    }


def _nav(url: str, ms: int) -> dict[str, object]:
    return {
        "tab": {"navigation": [{"title": "Tab", "timestamp_msec": ms, "virtual_url": url}]},
        "session_tag": "x",
    }


def test_sections_and_bad_entries(tmp_path: Path) -> None:
    chrome = tmp_path / "Takeout" / "Chrome"
    chrome.mkdir(parents=True)
    data = {
        "Browser History": [
            _visit("https://a.example/", 1_700_000_000_000_000, title="Session"),  # a value, not the key
            _visit("https://b.example/", "soon"),
            _visit("https://c.example/", 1_700_000_100_000_000),
            {"title": "no url", "time_usec": 1},
        ],
        "Typed Url": [{"url": "https://a.example/", "visits": [1]}],
        "Session": [
            _nav("https://c.example/", 1_700_000_100_400),  # 0.4 s after its history visit: the same visit
            _nav("https://d.example/", 1_700_000_200_000),  # not in history: a visit of its own
            _nav("https://e.example/", -5),
        ],
    }
    (chrome / "Verlauf.json").write_text(json.dumps(data, indent=4))  # German accounts
    assert recognitions(tmp_path) == {"Takeout/Chrome/Verlauf.json": "chrome_history"}
    records, problems = parse_path(IMP, tmp_path)
    assert [r.item.url for r in records] == ["https://a.example/", "https://c.example/", "https://d.example/"]
    assert records[0].item.title == "Session"
    assert (
        records[2].extra == {"source": "session"}
        and records[2].provenance
        and records[2].provenance.index == 6
    )
    errors = [p.index for p in problems if p.severity == "error"]
    assert errors == [1, 3, 7]  # history entries 1 and 3, then the third tab (after 4 history + 1 typed)
    skipped = sorted(p.reason for p in problems if p.severity == "skipped")
    assert skipped[0].startswith("1 Typed Url entries") and skipped[1].startswith("1 open-tab navigations")


def test_truncated_and_garbage(tmp_path: Path) -> None:
    chrome = tmp_path / "Takeout" / "Chrome"
    chrome.mkdir(parents=True)
    text = json.dumps(
        {"Browser History": [_visit(f"https://{i}.example/", 1_700_000_000_000_000 + i) for i in range(5)]}
    )
    (chrome / "History.json").write_text(text[:-60])
    (chrome / "Extensions.json").write_text('{"Extensions": []}')
    (chrome / "BrowserHistory.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert recognitions(tmp_path)["Takeout/Chrome/History.json"] == "chrome_history"
    assert recognitions(tmp_path)["Takeout/Chrome/Extensions.json"] != "chrome_history"
    records, problems = parse_path(IMP, tmp_path)
    assert len(records) == 4
    (problem,) = problems
    assert problem.index == 4 and "invalid JSON" in problem.reason
