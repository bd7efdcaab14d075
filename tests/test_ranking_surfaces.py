"""One ranking, four surfaces: ``selfdex recommend``, ``/v1/rerank`` under a full grant, the web
recommend page and the eval's construction order the sample person's candidates identically, with
the same reasons where the surface shows them (issue 17: the API used other weights and IDF)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from selfdex.channels.api import create_app
from selfdex.cli.main import cli
from selfdex.gate import Gate
from selfdex.gate.grants import CONTENT_FIELDS
from selfdex.store import Store
from selfdex.web import WebSettings, create_web_app

from .gate_support import grant, live_server, providers
from .sample_store import fresh_store

# A platform's list, in its order, where the word-overlap IDF decides a place: the request's own
# IDF (what /v1/rerank used) puts the soundtrack above "Arrival", the person's history's IDF (what
# `selfdex recommend` used) the film, which the person has watched, above the soundtrack.
CANDIDATES = [
    {"id": "c1", "title": "14 Peaks: Nothing Is Impossible"},
    {"id": "c2", "title": "Dune (Original Motion Picture Soundtrack)"},
    {"id": "c3", "title": "Shape of You"},
    {"id": "c4", "title": "Inception"},
    {"id": "c5", "title": "The Martian"},
    {"id": "c6", "title": "The Great British Bake Off"},
    {"id": "c7", "title": "Never Let Me Go (Original Motion Picture Soundtrack)"},
    {"id": "c8", "title": "Arrival"},
    {"id": "c9", "title": "Interstellar"},
    {"id": "c10", "title": "Succession"},
]
PLATFORM = "netflix"


def _cli(store: Store, tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps(CANDIDATES), encoding="utf-8")
    res = CliRunner().invoke(
        cli,
        ["--store", str(store.path), "recommend", str(path), "--platform", PLATFORM, "--json"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    return [(i["title"], i["reason"]) for i in json.loads(res.stdout)["items"]]


def _api(store: Store, cache: Path) -> list[tuple[str, str]]:
    token = grant(store, "everything", level="raw", fields=CONTENT_FIELDS)
    body = {
        "platform": PLATFORM,
        "candidates": [
            {
                "id": c["id"],
                "title": c["title"],
                "creators": [c["creator"]] if "creator" in c else [],
                "position": i,
            }
            for i, c in enumerate(CANDIDATES)
        ],
    }
    title = {c["id"]: c["title"] for c in CANDIDATES}
    with (
        live_server(create_app(Gate(store, providers(cache)))) as url,
        httpx.Client(base_url=url, timeout=120) as client,
    ):
        res = client.post("/v1/rerank", json=body, headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200, res.text
    return [(title[i["id"]], i["reason"]) for i in res.json()["ranking"]]


def _web(store: Store) -> list[tuple[str, str]]:
    app = create_web_app(store.path, settings=WebSettings(csrf_secret="test-secret", model="none"))
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert client.get("/?token=" + app.state.auth.login_token).status_code == 303  # the owner logs in
        res = client.post(
            "/recommend?csrf_token=test-secret",
            data={"platform": PLATFORM},
            files={"upload": ("c.json", json.dumps(CANDIDATES).encode(), "application/json")},
        )
    app.state.close()
    assert res.status_code == 200, res.text[:500]
    items = re.findall(r'data-title="([^"]*)">.*?<p class="reason">(.*?)</p>', res.text, re.S)
    return [(html.unescape(t), html.unescape(r)) for t, r in items]


def _eval_path(store: Store) -> list[tuple[str, str]]:
    """What ``selfdex eval`` runs per case: the one construction, with the evaluated weights passed
    in (the shipped defaults) and the person's history as the reference corpus."""
    from selfdex.agent.recommend import load_candidates
    from selfdex.index.embed import default_embedder
    from selfdex.rank import DEFAULT_WEIGHTS, TextVectors, for_history, history_from_store

    hist = history_from_store(store)
    path = store.path.parent / "eval-candidates.json"
    path.write_text(json.dumps(CANDIDATES), encoding="utf-8")
    cands = load_candidates(path, platform=PLATFORM)
    ranker = for_history(hist, vectors=TextVectors(default_embedder()), weights=DEFAULT_WEIGHTS)
    return [(r.candidate.title, r.reason) for r in ranker.rank(hist, cands)]


def test_cli_api_web_and_eval_rank_alike(
    sample_exports: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with fresh_store(sample_exports, tmp_path) as store:
        cli_items = _cli(store, tmp_path)
        order = [t for t, _ in cli_items]
        assert sorted(order) == sorted(c["title"] for c in CANDIDATES)
        assert order != [c["title"] for c in CANDIDATES], "the person's evidence moved nothing: a weak check"
        assert _web(store) == cli_items  # the owner's two surfaces show the same reasons too
        api_items = _api(store, tmp_path_factory.getbasetemp())
        assert [t for t, _ in api_items] == order
        # The ranker's own reason is what a recipient sees; the owner's reason leads with the person's
        # same-title and creator evidence and ends with it.
        for (_, mine), (_, theirs) in zip(cli_items, api_items, strict=True):
            assert mine.endswith(theirs), (mine, theirs)
        assert _eval_path(store) == api_items
