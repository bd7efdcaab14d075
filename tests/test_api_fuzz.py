"""Schemathesis fuzzes the OpenAPI spec of a live loopback server: no request may cause a server error,
and every response must match the spec."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from selfdex.channels.api import create_app
from selfdex.gate import CandidateIn, Gate, RerankRequest

from .gate_support import grant, live_server, providers
from .sample_store import fresh_store

# Bounded: about 30 generated requests per operation, well under two minutes on a laptop.
MAX_EXAMPLES = 30


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(
    sample_exports: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("schemathesis is not installed")
    store = fresh_store(sample_exports, tmp_path)
    token = grant(
        store, "fuzzer", level="raw", per_request=10, per_day=100_000, fields=("title", "text", "amount")
    )
    gate = Gate(store, providers(tmp_path_factory.getbasetemp()))
    # Load the embedding model and the person's vectors before the clock starts.
    gate.preview("fuzzer", RerankRequest(candidates=[CandidateIn(id="w", title="warm-up")]))
    with live_server(create_app(gate)) as url:
        run = subprocess.run(
            [
                exe,
                "run",
                f"{url}/openapi.json",
                "--checks",
                "not_a_server_error,response_schema_conformance,content_type_conformance",
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                "7",
                "--request-timeout",
                "60",
                "--header",
                f"Authorization: Bearer {token}",
                "--generation-database",
                "none",
                "--no-color",
            ],
            cwd=tmp_path,  # schemathesis keeps state in ./.schemathesis
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert gate.audit.verify().ok
    store.close()
