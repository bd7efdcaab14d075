"""`profile show` reads the first citations of each kept fact and prints exactly what the full facts give."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from selfdex.cli.main import cli
from selfdex.profile import build_profile
from selfdex.profile.corrections import pin

from .sample_store import fresh_store


def _show(path: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--store", str(path), "profile", "show", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_profile_show_from_the_compact_cache_is_identical(sample_exports: Path, tmp_path: Path) -> None:
    store = fresh_store(sample_exports, tmp_path)
    path = Path(store.path)
    facts = build_profile(store).facts
    pin(store, facts[3].key)  # a pinned inferred fact keeps its citation count
    full = build_profile(store)
    store.close()

    first = [_show(path), _show(path, "--json"), _show(path, "--limit", "3", "--kind", "taste")]
    with closing(sqlite3.connect(path)) as conn:
        sets = conn.execute("SELECT count(*) FROM profile_fact_sets").fetchone()[0]
        blobs = conn.execute("SELECT count(*) FROM profile_state WHERE key LIKE 'facts%'").fetchone()[0]
        assert sets >= 1 and blobs == 0  # normalised rows, no blob of every citation
        conn.execute("DELETE FROM profile_fact_members")  # no kept facts: show infers them again
        conn.execute("DELETE FROM profile_fact_sets")
        conn.commit()
    again = [_show(path), _show(path, "--json"), _show(path, "--limit", "3", "--kind", "taste")]
    assert first == again

    shown = json.loads(first[1])
    assert shown == {"records": full.records, "facts": [f.to_dict() for f in full.facts]}
    counts = [f["citation_count"] for f in shown["facts"]]
    assert max(counts) > 20 and shown["facts"][0]["kind"] == "pinned" and counts[0] == len(facts[3].citations)
