"""The embedded model runs here, in a child process, so that a native crash or a hang in llama.cpp can
never take selfdex down with it (a SIGSEGV in the AMX kernels did exactly that: see README, Runtimes).

Protocol: one JSON object per line. The parent writes ``{"chat": {...}}`` (an OpenAI-shaped chat request)
to the worker's stdin; the worker answers ``{"ok": {...}}`` (the OpenAI-shaped response) or
``{"error": "..."}`` on the protocol channel. The first line it writes is ``{"ready": {...}}`` once the
model is loaded. The protocol channel is a copy of fd 1 taken at start-up; fd 1 itself is then pointed at
stderr, so whatever the native library prints can never corrupt an answer.

Runtimes (``SELFDEX_LLM_RUNTIME``): ``xllamacpp`` (prebuilt wheel, the default when installed),
``llama-cpp-python`` (compiled at install), or ``module:factory`` for a third-party or test engine; a
factory takes ``(model_path, n_ctx, threads)`` and returns an object with ``chat(request) -> response``.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from typing import Any, Protocol

__all__ = ["RUNTIMES", "Engine", "available_runtime", "main"]

Request = dict[str, Any]
Response = dict[str, Any]


class Engine(Protocol):
    def chat(self, request: Request) -> Response: ...


class XllamacppEngine:
    """llama.cpp's own server engine, called directly (no HTTP round trip)."""

    def __init__(self, model_path: str, n_ctx: int, threads: int) -> None:
        xlc: Any = importlib.import_module("xllamacpp")
        params = xlc.CommonParams()
        params.model.path = model_path
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.warmup = False
        params.verbosity = 0
        # Its HTTP listener cannot be turned off: it stays on loopback, with no web UI and no slot
        # endpoints, behind a random key nobody is told, so other local programs cannot use it.
        params.ui = False
        params.endpoint_slots = False
        params.endpoint_metrics = False
        params.api_keys = [secrets.token_urlsafe(32)]
        self._server = xlc.Server(params)

    def chat(self, request: Request) -> Response:
        response: Response = self._server.handle_chat_completions(request)
        return response


class LlamaCppPythonEngine:
    def __init__(self, model_path: str, n_ctx: int, threads: int) -> None:
        llama_cpp: Any = importlib.import_module("llama_cpp")
        self._llm = llama_cpp.Llama(model_path=model_path, n_ctx=n_ctx, n_threads=threads, verbose=False)

    def chat(self, request: Request) -> Response:
        try:
            response: Response = self._llm.create_chat_completion(**request)
        except (RuntimeError, ValueError) as exc:  # e.g. the prompt exceeds the context window
            return {"error": {"message": str(exc)}}
        return response


# name -> (the module that must be importable, the engine)
RUNTIMES: dict[str, tuple[str, Callable[[str, int, int], Engine]]] = {
    "xllamacpp": ("xllamacpp", XllamacppEngine),
    "llama-cpp-python": ("llama_cpp", LlamaCppPythonEngine),
}


def available_runtime() -> str | None:
    """The runtime to use: ``SELFDEX_LLM_RUNTIME`` if set, else the first installed one."""
    # Late and absolute: this file also runs as a plain script (the child), outside the package.
    from selfdex.settings import settings

    chosen = settings().llm_runtime
    if chosen:
        return chosen
    for name, (module, _) in RUNTIMES.items():
        if find_spec(module) is not None:
            return name
    return None


def _factory(runtime: str) -> Callable[[str, int, int], Engine]:
    if runtime in RUNTIMES:
        return RUNTIMES[runtime][1]
    module, _, attr = runtime.partition(":")
    if not attr:
        raise ValueError(f"unknown runtime {runtime!r} (known: {', '.join(RUNTIMES)}, or module:factory)")
    if os.getcwd() not in sys.path:  # run as a script: resolve module:factory like `python -m` would
        sys.path.insert(1, os.getcwd())
    factory: Callable[[str, int, int], Engine] = getattr(importlib.import_module(module), attr)
    return factory


def main(argv: list[str] | None = None) -> int:
    runtime, model_path, n_ctx, threads = (argv or sys.argv[1:])[:4]
    # A crash prints the Python stack to stderr (the parent keeps its tail for `selfdex doctor`)
    # and still dies of its signal, so the parent sees which one.
    faulthandler.enable()
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(obj: dict[str, Any]) -> None:
        proto.write(json.dumps(obj) + "\n")
        proto.flush()

    started = time.perf_counter()
    try:
        engine = _factory(runtime)(model_path, int(n_ctx), int(threads))
    except Exception as exc:  # the parent shows this one line instead of a traceback
        send({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    send({"ready": {"runtime": runtime, "load_s": round(time.perf_counter() - started, 3)}})
    for line in sys.stdin:  # EOF = the parent is gone or done: exit with it
        if not line.strip():
            continue
        try:
            request = json.loads(line)["chat"]
            t0 = time.perf_counter()
            response = engine.chat(request)
            if "error" in response:
                err = response["error"]
                send({"error": str(err.get("message", err) if isinstance(err, dict) else err)})
            else:
                send({"ok": response, "wall_s": round(time.perf_counter() - t0, 3)})
        except Exception as exc:  # one bad request never ends the worker
            send({"error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
