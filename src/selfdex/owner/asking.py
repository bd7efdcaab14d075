"""Asking about yourself and re-ranking a platform's list: the model the person chose, the
candidates as they wrote or uploaded them, then the agent's own ``ask`` and ``recommend``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..agent import ask
from ..agent.backends import BackendError, ChatBackend, open_backend
from ..agent.config import ConfigError, ModelSpec, resolve_model
from ..agent.recommend import CandidateError, load_candidates, recommend

__all__ = [
    "CandidateError",
    "ModelError",
    "ask",
    "load_candidates",
    "open_model",
    "parse_candidates",
    "recommend",
]


class ModelError(Exception):
    """The chosen model cannot be opened (misconfigured, not installed): the person's to fix."""


def open_model(name: str | None, *, opening: Callable[[ModelSpec], None] | None = None) -> ChatBackend | None:
    """The backend of model ``name`` (None: $SELFDEX_MODEL, the configured default, then the
    embedded model if installed; 'none': no model), or None for records only. ``opening`` hears
    which model is about to start, before a slow start."""
    try:
        spec = resolve_model(name)
        if spec is None:
            return None
        if opening is not None:
            opening(spec)
        return open_backend(spec)
    except (ConfigError, BackendError, FileNotFoundError, ValueError) as exc:
        raise ModelError(str(exc)) from exc


def parse_candidates(text: str, *, suffix: str = ".txt", platform: str = "") -> list[Any]:
    """Candidates as the person pasted or uploaded them: CSV or JSON (by ``suffix`` or by look), or
    one title per line."""
    stripped = text.strip()
    if not stripped:
        raise CandidateError("paste a candidate list or choose a file")
    first = stripped.splitlines()[0].lower()
    if suffix in (".json", ".csv") or stripped[:1] in "[{" or "title" in first.split(","):
        with tempfile.TemporaryDirectory(prefix="selfdex-candidates-") as tmp:
            path = Path(tmp) / ("candidates" + (suffix if suffix in (".json", ".csv") else ".csv"))
            path.write_text(stripped, encoding="utf-8")
            return list(load_candidates(path, platform=platform))
    return [line.strip() for line in stripped.splitlines() if line.strip()]
