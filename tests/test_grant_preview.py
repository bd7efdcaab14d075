"""`selfdex grant preview` shows what a grant would return, at the grant's own level, and reads the same
candidate files as `selfdex recommend`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from selfdex.cli.main import cli
from selfdex.store import Store

from .sample_store import fresh_store


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


def _run(store: Store, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--store", str(store.path), *args], catch_exceptions=False)


def _answers_grant(store: Store) -> None:
    # the README's example
    res = _run(store, "grant", "add", "netflix", "--level", "answers", "--platform", "netflix",
               "--platform", "letterboxd", "--purpose", "recommendations")  # fmt: skip
    assert res.exit_code == 0, res.output


def test_preview_of_an_answers_grant_shows_what_it_returns(store: Store) -> None:
    _answers_grant(store)
    res = _run(store, "grant", "preview", "netflix")
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    assert body["access"] == "answers" and body["name"] == "netflix"
    # the operations with an input are named, with the option that gives it
    assert "--candidates" in res.stderr and "--question" in res.stderr


def test_preview_of_an_op_above_the_grant_is_one_line(store: Store) -> None:
    _answers_grant(store)
    res = _run(store, "grant", "preview", "netflix", "--op", "profile")
    assert res.exit_code == 1
    assert len(res.stderr.strip().splitlines()) == 1
    assert "facts" in res.stderr and "rerank" in res.stderr  # what is needed, and what it may do


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.json", json.dumps([{"title": "Dune: Part Two"}, {"title": "The Proposal"}])),
        ("c.json", json.dumps({"platform": "netflix", "candidates": ["Dune: Part Two", "The Proposal"]})),
        ("c.csv", "title,creator\nDune: Part Two,Denis Villeneuve\nThe Proposal,Anne Fletcher\n"),
    ],
)
def test_preview_rerank_reads_recommends_candidate_files(
    store: Store, tmp_path: Path, name: str, text: str
) -> None:
    _answers_grant(store)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    res = _run(store, "grant", "preview", "netflix", "--op", "rerank", "--candidates", str(path))
    assert res.exit_code == 0, res.output
    body = json.loads(res.stdout)
    # the recipient's own ids come back ranked (recommend's c1, c2… where the file gives none)
    assert body["level"] == "answers" and sorted(i["id"] for i in body["ranking"]) == ["c1", "c2"]


@pytest.mark.parametrize("text", ['[{"year": 2021}]', "{not json", '[{"title": "' + "x" * 600 + '"}]', "[]"])
def test_preview_rerank_bad_candidates_is_one_line(store: Store, tmp_path: Path, text: str) -> None:
    _answers_grant(store)
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    res = _run(store, "grant", "preview", "netflix", "--op", "rerank", "--candidates", str(path))
    assert res.exit_code == 1
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.output and "pydantic" not in res.output


def test_web_preview_of_an_answers_grant_shows_the_grant(store: Store) -> None:
    from fastapi.testclient import TestClient

    from selfdex.web import WebSettings, create_web_app

    from .test_web import login

    _answers_grant(store)
    app = create_web_app(store.path, settings=WebSettings(csrf_secret="t", model="none"))
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        page = login(client, app).get("/sharing/grants/netflix/preview").text
    app.state.close()
    assert "outside_grant" not in page and "&#34;access&#34;: &#34;answers&#34;" in page
