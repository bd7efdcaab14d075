"""Engines for the model worker (``SELFDEX_LLM_RUNTIME=tests.model_engines:NAME``) that really crash,
hang or echo, to test that selfdex survives its model. They run in the worker process, never in pytest's."""

from __future__ import annotations

import json
import os
import signal
import time
from typing import Any


class _Crash:
    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        os.kill(os.getpid(), signal.SIGSEGV)  # a real segfault, as llama.cpp's AMX kernel gave
        raise AssertionError("unreachable")


class _Hang:
    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        time.sleep(3600)
        raise AssertionError("unreachable")


class _Echo:
    """Answers with the last message's text, so a caller can see it got its own reply."""

    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        text = request["messages"][-1]["content"]
        time.sleep(0.02)
        return {"choices": [{"message": {"role": "assistant", "content": json.dumps({"echo": text})}}]}


def crash(model_path: str, n_ctx: int, threads: int) -> _Crash:
    return _Crash()


def crash_on_load(model_path: str, n_ctx: int, threads: int) -> _Crash:
    os.kill(os.getpid(), signal.SIGSEGV)
    raise AssertionError("unreachable")


def hang(model_path: str, n_ctx: int, threads: int) -> _Hang:
    return _Hang()


def echo(model_path: str, n_ctx: int, threads: int) -> _Echo:
    return _Echo()
