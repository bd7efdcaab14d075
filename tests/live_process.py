"""A server in a process of its own (llama.cpp's, `selfdex serve`): start it, wait until it answers, stop it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


@contextmanager
def running(
    argv: list[str],
    probe: str,
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    timeout_s: float = 120,
) -> Iterator[subprocess.Popen[bytes]]:
    """``argv`` running until ``probe`` answers 200; its output goes to a file (a pipe could fill and
    stall it) that a failure quotes."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"{argv[0]} exited: {log_path.read_text(errors='replace')[-2000:]}")
                try:
                    if httpx.get(probe, headers=headers, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{probe} did not answer within {timeout_s:.0f} s")
                time.sleep(0.3)
            yield proc
        finally:
            proc.terminate()
            proc.wait(30)
