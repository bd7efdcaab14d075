"""The embedded model runs in a worker process: a worker that really segfaults, hangs or fails to load
costs the answer its model (one clear line, the extractive fallback), never the command or the server.

The workers here run the engines of tests/model_engines.py (``SELFDEX_LLM_RUNTIME``); the model file is
a sparse placeholder of the pinned size, which those engines never read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from selfdex.agent.backends import EmbeddedBackend
from selfdex.agent.config import ModelSpec
from selfdex.agent.embedded import EMBEDDED_MODELS
from selfdex.agent.supervisor import ModelCrashed, ModelWorker
from selfdex.cli.main import cli

from .gate_support import free_port
from .live_process import running
from .sample_store import fresh_store

REPO = Path(__file__).resolve().parents[1]
MODEL = EMBEDDED_MODELS["embedded-0.5b"]
OWNER_PASSWORD = "correct horse battery staple"
CRASH_LINE = "the embedded model crashed (signal 11, SIGSEGV) — see selfdex doctor"


def _engine(name: str) -> str:
    return f"tests.model_engines:{name}"


@pytest.fixture
def model_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A placeholder GGUF in a private cache, the model chosen by the environment, as a user would."""
    cache = tmp_path / "models"
    monkeypatch.setenv("SELFDEX_MODEL_CACHE", str(cache))
    cache.mkdir()
    with MODEL.cache_path().open("wb") as fh:
        fh.truncate(MODEL.size)  # sparse: no disk used
    env = {
        "SELFDEX_MODEL_CACHE": str(cache),
        "SELFDEX_MODEL": "embedded-0.5b",
        "SELFDEX_CONFIG_DIR": str(tmp_path / "config"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(REPO)  # the worker resolves tests.model_engines from here, like `python -m`
    return env


@pytest.fixture
def store_path(sample_exports: Path, tmp_path: Path) -> Path:
    (tmp_path / "store").mkdir()
    s = fresh_store(sample_exports, tmp_path / "store")
    path = s.path
    s.close()
    return Path(path)


def _selfdex(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from selfdex.cli.main import main; main()", *args],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_ask_survives_a_segfaulting_model(model_env: dict[str, str], store_path: Path) -> None:
    env = {**model_env, "SELFDEX_LLM_RUNTIME": _engine("crash"), "SELFDEX_STORE": str(store_path)}
    res = _selfdex("ask", "which books by Ted Chiang did I read?", "--json", env=env)
    assert res.returncode == 0, res.stderr
    answer = json.loads(res.stdout)
    assert answer["mode"] == "extractive" and answer["answer"].strip() and answer["citations"]
    assert any(CRASH_LINE in n and "answered from the records" in n for n in answer["notes"]), answer
    text = _selfdex("ask", "which books by Ted Chiang did I read?", env=env)
    assert text.returncode == 0 and "Traceback" not in text.stdout + text.stderr
    said = " ".join((text.stdout + text.stderr).split())  # the console wraps long lines at 80 columns
    assert said.count(CRASH_LINE) == 1 and "answered from your records (no model)" in said


def test_a_hang_is_stopped_at_the_timeout() -> None:
    worker = ModelWorker(_engine("hang"), "unused")
    started = time.monotonic()
    with pytest.raises(ModelCrashed, match="did not answer within 2 s and was stopped"):
        worker.chat({"messages": [{"role": "user", "content": "hi"}]}, timeout_s=2)
    assert time.monotonic() - started < 20 and worker.pid is None  # killed, not left behind


def test_a_crash_at_load_is_reported_and_not_retried_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    worker = ModelWorker(_engine("crash_on_load"), "unused")
    for _ in range(2):
        with pytest.raises(ModelCrashed, match=r"crashed \(signal 11") as info:
            worker.chat({"messages": [{"role": "user", "content": "hi"}]}, timeout_s=30)
        assert "Segmentation fault" in info.value.log  # faulthandler's report, kept for doctor
    started = time.monotonic()
    with pytest.raises(ModelCrashed, match=r"crashed \(signal 11"):  # two in a row: no third load now
        worker.chat({"messages": [{"role": "user", "content": "hi"}]}, timeout_s=30)
    assert time.monotonic() - started < 0.5 and worker.pid is None


def test_threads_sharing_the_worker_each_get_their_own_answer(model_env: dict[str, str]) -> None:
    os.environ["SELFDEX_LLM_RUNTIME"] = _engine("echo")
    try:
        spec = ModelSpec(name="embedded-0.5b", backend="embedded", model="embedded-0.5b")
        tabs = [EmbeddedBackend(spec) for _ in range(4)]  # one backend per web request, one worker
        assert len({id(b.worker) for b in tabs}) == 1
        got: dict[int, str | None] = {}

        def call(i: int) -> None:
            got[i] = tabs[i].chat([{"role": "user", "content": f"question {i}"}]).content

        threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert got == {i: json.dumps({"echo": f"question {i}"}) for i in range(4)}
    finally:
        os.environ.pop("SELFDEX_LLM_RUNTIME", None)
        tabs[0].worker.close()


def test_doctor_reports_the_crash_and_a_working_model(model_env: dict[str, str]) -> None:
    for engine, ok in (("crash", False), ("echo", True)):
        env = {**model_env, "SELFDEX_LLM_RUNTIME": _engine(engine)}
        res = CliRunner().invoke(cli, ["doctor", "--json"], env=env)
        check = next(c for c in json.loads(res.stdout)["checks"] if c["check"] == "model run")
        assert check["ok"] is ok, check
        if ok:
            assert check["completion_s"] >= 0 and "loaded in" in check["detail"]
        else:
            assert "the embedded model crashed (signal 11, SIGSEGV)" in check["detail"]
            assert "Segmentation fault" in check["log"]
            assert res.exit_code == 1
    human = CliRunner().invoke(cli, ["doctor"], env={**model_env, "SELFDEX_LLM_RUNTIME": _engine("crash")})
    assert "✗ model run" in human.output and "Traceback" not in human.output


@pytest.fixture
def crashing_server(model_env: dict[str, str], store_path: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {**model_env, "SELFDEX_LLM_RUNTIME": _engine("crash"), "SELFDEX_STORE": str(store_path)}
    env["SELFDEX_WEB_PASSWORD"] = OWNER_PASSWORD  # the owner's login (HTTP basic auth)
    argv = [sys.executable, "-c", "from selfdex.cli.main import main; main()", "serve", "--no-mcp"]
    base = f"http://127.0.0.1:{port}"
    with running([*argv, "--port", str(port)], f"{base}/health", tmp_path / "serve.log", env=env) as proc:
        yield base
        assert proc.poll() is None, "selfdex serve died"


@pytest.mark.slow
def test_serve_keeps_serving_when_the_model_segfaults(crashing_server: str) -> None:
    for _ in range(3):  # crash, crash again, then the not-restarted answer: all from the records
        q = {"q": "which books by Ted Chiang did I read?"}
        page = httpx.get(f"{crashing_server}/ask", params=q, auth=("me", OWNER_PASSWORD), timeout=60)
        assert page.status_code == 200
        assert "crashed (signal 11, SIGSEGV)" in page.text and "answered from the records" in page.text
        assert "Exhalation" in page.text or "Ted Chiang" in page.text
    assert httpx.get(f"{crashing_server}/health", timeout=5).status_code == 200
