"""`ask` and `recommend` against a real OpenAI-compatible server on loopback, chosen by configuration only.

The server is llama.cpp's own C++ server (`llama-server`, inside the `xllamacpp` wheel of the `llm` extra)
serving the embedded 0.5B GGUF behind an API key; selfdex reaches it through the `openai` SDK exactly as
it would reach vLLM, Ollama or a hosted API, with OpenAI's own `json_schema` structured-output form.
The scripted-server tests (test_agent_protocol.py) cover the failure paths; this one proves the path
for real."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest
from click.testing import CliRunner

from selfdex.agent.embedded import EMBEDDED_MODELS
from selfdex.cli.main import cli
from selfdex.ingest import import_path
from selfdex.store import Store

from .gate_support import free_port
from .live_process import running

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_spec("xllamacpp") is None, reason="needs the llm extra (see README, Tests)"),
]
MODEL = EMBEDDED_MODELS["embedded-0.5b"]
KEY = "test-key-not-secret"
QUESTION = "what did I read last summer and did I watch any adaptations?"
# llama.cpp's server in a process of its own, as `llama-server --model … --port … --api-key …` would be.
SERVER = """
import sys, threading, xllamacpp as xlc
p = xlc.CommonParams()
p.model.path, p.port, p.model_alias = sys.argv[1], int(sys.argv[2]), "qwen-0.5b"
p.n_ctx, p.api_keys, p.verbosity, p.ui = 4096, [sys.argv[3]], 0, False
server = xlc.Server(p)
print("listening on", server.listening_address, flush=True)
threading.Event().wait()
"""


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert MODEL.installed(), "the 0.5B weights are not installed (extra 'llm')"
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with running(
        [sys.executable, "-c", SERVER, str(MODEL.ensure_file()), str(port), KEY],
        f"{url}/models",
        tmp_path_factory.mktemp("llama-server") / "server.log",
        headers={"Authorization": f"Bearer {KEY}"},
    ):
        yield url


@pytest.fixture(scope="module")
def configured(
    server_url: str, sample_exports: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("server-agent")
    store_path = root / "store.sqlite"
    store = Store(store_path)
    import_path(store, sample_exports)
    store.close()
    env = {"SELFDEX_CONFIG_DIR": str(root / "config"), "SELFDEX_STORE": str(store_path), "LAB_KEY": KEY}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    # The only change from the offline setup: one `models add` (OpenAI's structured-output form).
    res = CliRunner().invoke(
        cli,
        [
            "models",
            "add",
            "lab",
            "--base-url",
            server_url,
            "--model",
            "qwen-0.5b",
            "--api-key-env",
            "LAB_KEY",
            "--max-records",
            "12",  # what the embedded backend gives this 0.5B model
            "--timeout",
            "600",  # 2 shared cores: one answer can take minutes
            "--structured",
            "json_schema",
            "--default",
        ],
    )
    assert res.exit_code == 0, res.output
    yield env
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def test_ask_through_the_server(configured: dict[str, str]) -> None:
    # test_agent_embedded's question: the 0.5B model (by any runtime) cites nothing for some others,
    # e.g. "which books by Ted Chiang did I read?", and the answer then rightly falls back.
    res = CliRunner().invoke(cli, ["ask", QUESTION, "--json"])
    assert res.exit_code == 0, res.output
    answer = json.loads(res.output)
    # The server answered (no "model unavailable"). "what did I read last summer" is a listing question:
    # its answer comes from the whole-store aggregate, and a model answer that drops the aggregate's
    # result is replaced by the written-from-records one, which says so in a note.
    assert answer["model"] == "lab"
    assert not any("model unavailable" in n for n in answer["notes"]), answer["notes"]
    assert answer["mode"].startswith("model") or any(
        "answered from the records" in n for n in answer["notes"]
    )
    assert answer["answer"].strip() and answer["citations"]
    store = Store(configured["SELFDEX_STORE"])
    try:
        for c in answer["citations"]:
            assert store.get(c["id"]) is not None, c
    finally:
        store.close()


def test_recommend_explain_through_the_server(configured: dict[str, str], tmp_path: Path) -> None:
    cands = tmp_path / "row.csv"
    cands.write_text("title,creator\nThe Notebook,\nArrival,Denis Villeneuve\nExhalation,Ted Chiang\n")
    res = CliRunner().invoke(cli, ["recommend", str(cands), "--platform", "netflix", "--explain", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)  # progress lines go to stderr
    assert out["model"] == "lab"
    titles = [r["title"] for r in out["items"]]
    assert sorted(titles) == ["Arrival", "Exhalation", "The Notebook"]  # nothing invented, nothing lost
    store = Store(configured["SELFDEX_STORE"])
    try:
        for r in out["items"]:
            for c in [*r["supporting"], *r["explanation_citations"]]:
                assert store.get(c["id"]) is not None, c
    finally:
        store.close()
    assert any(r["explanation"] for r in out["items"])
