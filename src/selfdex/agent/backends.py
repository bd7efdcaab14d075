"""One small chat interface over the official ``openai`` SDK and the embedded llama.cpp worker.

Both libraries are imported only when a model is actually used, so the base install stays light.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..settings import settings
from .config import STRUCTURED_MODES, ModelSpec

__all__ = [
    "BackendError",
    "ChatBackend",
    "ChatReply",
    "EmbeddedBackend",
    "Message",
    "OpenAIBackend",
    "ToolCall",
    "open_backend",
]

Message = dict[str, Any]


class BackendError(Exception):
    """The model could not be used for this request (timeout, HTTP error, refusal…)."""


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # raw JSON text, as the model wrote it


@dataclass
class ChatReply:
    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    refusal: str | None = None


class ChatBackend(Protocol):
    name: str
    supports_tools: bool
    max_records: int  # how many context records fit its window and speed (small local models: fewer)

    def chat(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        max_tokens: int = 600,
    ) -> ChatReply: ...


def _response_format(mode: str, schema: dict[str, Any]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": True}}
    if mode == "json_object_schema":  # llama_cpp.server's own form
        return {"type": "json_object", "schema": schema}
    return {"type": "json_object"}


def _with_schema_hint(messages: list[Message], schema: dict[str, Any]) -> list[Message]:
    hint = "Reply with one JSON object that follows this JSON schema: " + json.dumps(schema)
    if messages and messages[0].get("role") == "system":
        return [{**messages[0], "content": f"{messages[0]['content']}\n\n{hint}"}, *messages[1:]]
    return [{"role": "system", "content": hint}, *messages]


class OpenAIBackend:
    """Any OpenAI-compatible server: llama.cpp server, Ollama, vLLM, LM Studio, hosted APIs."""

    def __init__(self, spec: ModelSpec) -> None:
        if not spec.base_url:
            # Never fall back to the SDK's default endpoint: only configured URLs are contacted.
            raise BackendError(f"model {spec.name!r} has no base_url")
        from openai import OpenAI

        self.name = spec.name
        self.model = spec.model
        self.supports_tools = spec.tools
        self.max_records = spec.max_records
        self._structured = spec.structured
        self._client = OpenAI(
            base_url=spec.base_url,
            api_key=spec.api_key or "unused",  # local servers need none; never read OPENAI_API_KEY implicitly
            timeout=spec.timeout_s,
            max_retries=0,  # our own retry is semantic (invalid output), not blind
        )

    def chat(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        max_tokens: int = 600,
    ) -> ChatReply:
        import openai

        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        if tools:
            kwargs["tools"] = tools
        modes = list(STRUCTURED_MODES[STRUCTURED_MODES.index(self._structured) :]) if schema else [None]
        for i, mode in enumerate(modes):
            if mode is not None and schema is not None:
                kwargs["response_format"] = _response_format(mode, schema)
                if mode == "json_object":  # plain JSON mode: the schema travels in the prompt instead
                    kwargs["messages"] = _with_schema_hint(messages, schema)
            try:
                resp = self._client.chat.completions.create(**kwargs)
            except openai.APITimeoutError as exc:
                raise BackendError(f"{self.name}: timed out") from exc
            except openai.APIConnectionError as exc:
                raise BackendError(f"{self.name}: cannot connect") from exc
            except openai.APIStatusError as exc:
                # Servers that reject this structured-output form get the next, weaker one (validated later).
                if mode is not None and i + 1 < len(modes) and exc.status_code in (400, 422, 500, 501):
                    self._structured = modes[i + 1]  # type: ignore[assignment]
                    continue
                raise BackendError(f"{self.name}: HTTP {exc.status_code}") from exc
            if not resp.choices:
                raise BackendError(f"{self.name}: empty response")
            msg = resp.choices[0].message
            calls = [
                ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments or "{}")
                for c in (msg.tool_calls or [])
                if getattr(c, "function", None) is not None
            ]
            return ChatReply(content=msg.content, tool_calls=calls, refusal=getattr(msg, "refusal", None))
        raise BackendError(f"{self.name}: no structured-output form accepted")  # pragma: no cover


class EmbeddedBackend:
    """The embedded GGUF, run by llama.cpp in a worker process (supervisor.py): a native crash or a
    hang there is a ``BackendError`` here, never the end of the command or of ``selfdex serve``.
    JSON output is constrained by a grammar built from the schema.

    ``supports_tools`` is False: these small models do not emit parseable automatic tool calls
    (runtimes.md §3), so the embedded path always uses deterministic retrieval instead.
    """

    supports_tools = False
    max_records = 12  # ~1,500 prompt tokens: prompt processing is ~40-80 tok/s on 2 cores

    def __init__(self, spec: ModelSpec, *, n_ctx: int = 4096) -> None:
        from .embedded import EMBEDDED_MODELS
        from .supervisor import shared_worker
        from .worker import available_runtime

        self.name = spec.name
        runtime = available_runtime()
        if runtime is None:
            raise BackendError("no llama.cpp runtime is installed: pip install 'selfdex[llm]'")
        # Nothing starts here: the worker loads on the first request, so a model that cannot load
        # costs that request its model, not the command its start.
        path = str(EMBEDDED_MODELS[spec.model].ensure_file())
        env = settings()
        threads = env.llm_threads or default_threads()
        self.worker = shared_worker(runtime, path, n_ctx=n_ctx, threads=threads)
        self._timeout_s = env.llm_timeout

    def chat(
        self,
        messages: list[Message],
        *,
        schema: dict[str, Any] | None = None,
        tools: list[dict[str, Any]] | None = None,
        max_tokens: int = 600,
    ) -> ChatReply:
        request: dict[str, Any] = {"messages": messages, "temperature": 0.0, "max_tokens": max_tokens}
        if schema is not None:
            # A grammar from the schema (both runtimes take this form). No maxLength caps: llama.cpp
            # expands them into huge grammars that made generation ~6x slower here; long answers are
            # cut by max_tokens and repaired.
            request["response_format"] = {"type": "json_object", "schema": schema}
        from .supervisor import ModelCrashed

        try:
            resp, _ = self.worker.chat(request, timeout_s=self._timeout_s)
        except ModelCrashed:
            raise
        except BackendError as exc:  # e.g. the prompt exceeds the context window
            raise BackendError(f"{self.name}: {exc}") from exc
        content = resp["choices"][0]["message"].get("content")
        return ChatReply(content=content if isinstance(content, str) else json.dumps(content))


def default_threads() -> int:
    """The machine's cores, at most 8. On cores that other work keeps busy, fewer can be faster
    (llama.cpp's threads wait for each other by spinning): SELFDEX_LLM_THREADS=1; see
    benchmarks/results/llm_runtime.md."""
    return max(1, min(8, os.cpu_count() or 2))


def open_backend(spec: ModelSpec) -> ChatBackend:
    if spec.backend == "embedded":
        return EmbeddedBackend(spec)
    return OpenAIBackend(spec)
