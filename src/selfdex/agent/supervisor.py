"""The parent side of the model worker (worker.py): start it, talk to it, and survive it.

A crash (any signal), an exit or a hang of the worker becomes a ``BackendError`` with one clear line,
and the caller answers without the model. The next request starts a fresh worker; a worker that crashed
twice in a row is not restarted for a minute, so a broken build costs one load, not one per request.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .backends import BackendError

__all__ = ["ModelCrashed", "ModelWorker", "SmokeResult", "shared_worker"]

RETRY_AFTER_S = 60.0
WORKER_SCRIPT = Path(__file__).with_name("worker.py")


class ModelCrashed(BackendError):
    """The worker process died or hung; ``log`` is the tail of what it printed."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return f"signal {num}"


class ModelWorker:
    """One worker process for one (runtime, model file); requests are served one at a time."""

    def __init__(
        self,
        runtime: str,
        model_path: str,
        *,
        n_ctx: int = 4096,
        threads: int = 2,
        load_timeout_s: float = 300,
        python: str = sys.executable,
    ) -> None:
        self.runtime = runtime
        self.python = python
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.threads = threads
        self.load_timeout_s = load_timeout_s
        self.load_s: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._buf = b""
        self._lock = threading.Lock()
        self._crashes = 0
        self._last_error: ModelCrashed | None = None
        self._retry_at = 0.0

    # -- process ---------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile()  # a file, not a pipe: llama.cpp's logging can fill a pipe
        self._buf = b""
        started = time.monotonic()
        argv = [self.runtime, self.model_path, str(self.n_ctx), str(self.threads)]
        self._proc = subprocess.Popen(
            # Run as a script: the worker needs the standard library and its runtime, not selfdex's deps.
            [self.python, str(WORKER_SCRIPT), *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            close_fds=True,
        )
        ready = self._receive(self.load_timeout_s, what="load")
        if "ready" not in ready:
            self._stop()
            raise ModelCrashed(
                f"the embedded model could not start ({ready.get('error', ready)}) — see selfdex doctor",
                self.log_tail(),
            )
        self.load_s = round(time.monotonic() - started, 3)

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for pipe in (proc.stdin, proc.stdout) if proc is not None else ():
            if pipe is not None:
                pipe.close()

    def log_tail(self, chars: int = 1500) -> str:
        if self._log is None:
            return ""
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - chars))
        return self._log.read().decode("utf-8", "replace")

    def close(self) -> None:
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- protocol --------------------------------------------------------------------------------
    def _died(self) -> ModelCrashed:
        assert self._proc is not None
        try:
            code = self._proc.wait(10)
        except subprocess.TimeoutExpired:  # closed its output but lingers: treat as a hang
            code = None
        self._stop()
        if code is not None and code < 0:
            how = f"crashed (signal {-code}, {_signal_name(-code)})"
        else:
            how = f"exited unexpectedly (status {code})"
        return ModelCrashed(f"the embedded model {how} — see selfdex doctor", self.log_tail())

    def _receive(self, limit_s: float, *, what: str) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + limit_s
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    self._stop()
                    raise ModelCrashed(
                        f"the embedded model did not {what} within {limit_s:.0f} s and was stopped"
                        " — see selfdex doctor",
                        self.log_tail(),
                    )
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise self._died()
                self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError:
            self._stop()
            raise ModelCrashed(
                "the embedded model's worker broke its protocol — see selfdex doctor"
            ) from None
        return reply

    def chat(self, request: dict[str, Any], *, timeout_s: float) -> tuple[dict[str, Any], float]:
        """The response and the seconds the worker spent on it; ``BackendError`` for any failure."""
        with self._lock:
            last = self._last_error
            if self._crashes >= 2 and time.monotonic() < self._retry_at and last is not None:
                raise ModelCrashed(str(last), last.log)  # a fresh one: threads must not share a traceback
            try:
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                assert self._proc is not None and self._proc.stdin is not None
                try:
                    self._proc.stdin.write(json.dumps({"chat": request}).encode() + b"\n")
                    self._proc.stdin.flush()
                except (BrokenPipeError, OSError):
                    raise self._died() from None
                reply = self._receive(timeout_s, what="answer")
            except ModelCrashed as exc:
                self._crashes += 1
                self._last_error = exc
                self._retry_at = time.monotonic() + RETRY_AFTER_S
                raise
            self._crashes = 0
        if "ok" not in reply:
            raise BackendError(str(reply.get("error", reply)))
        return reply["ok"], float(reply.get("wall_s", 0.0))


_WORKERS: dict[tuple[str, str, int, int], ModelWorker] = {}
_REGISTRY = threading.Lock()


def shared_worker(runtime: str, model_path: str, *, n_ctx: int, threads: int) -> ModelWorker:
    """One worker per process and model: loading costs seconds, and the web app's requests share it."""
    key = (runtime, model_path, n_ctx, threads)
    with _REGISTRY:
        if key not in _WORKERS:
            _WORKERS[key] = ModelWorker(runtime, model_path, n_ctx=n_ctx, threads=threads)
        return _WORKERS[key]


@atexit.register
def _close_workers() -> None:
    for w in _WORKERS.values():
        w.close()
    _WORKERS.clear()


@dataclass
class SmokeResult:
    """What ``selfdex doctor`` reports about the configured embedded model."""

    ok: bool
    detail: str
    load_s: float | None = None
    completion_s: float | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    log: str = ""


def smoke_test(worker: ModelWorker, *, timeout_s: float = 60) -> SmokeResult:
    """A few-token completion in a fresh worker: does the model load and answer, and how fast."""
    request = {
        "messages": [{"role": "user", "content": "Reply with the word OK."}],
        "max_tokens": 4,
        "temperature": 0.0,
    }
    worker.close()  # fresh: measure the load too, and never reuse a wedged worker
    started = time.monotonic()
    try:
        response, wall = worker.chat(request, timeout_s=timeout_s)
    except ModelCrashed as exc:
        return SmokeResult(False, str(exc).replace(" — see selfdex doctor", ""), log=exc.log)
    except BackendError as exc:
        return SmokeResult(False, str(exc), log=worker.log_tail())
    total = time.monotonic() - started
    timings = dict(response.get("timings") or {})
    text = (response.get("choices") or [{}])[0].get("message", {}).get("content") or ""
    speed = f", {timings['predicted_per_second']:.1f} tok/s" if "predicted_per_second" in timings else ""
    detail = (
        f"{worker.runtime}: loaded in {worker.load_s or total - wall:.1f} s, answered {text.strip()[:20]!r}"
        f" in {wall:.2f} s{speed}"
    )
    return SmokeResult(True, detail, load_s=worker.load_s, completion_s=wall, timings=timings)
