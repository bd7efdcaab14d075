from __future__ import annotations

from pathlib import Path

import pytest

from selfdex.sample import generate
from selfdex.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
FORMATS = SHARED / "formats"


@pytest.fixture(scope="session")
def formats_dir() -> Path:
    """The real export samples (../shared/formats); tests using it are skipped where it is absent."""
    if not FORMATS.is_dir():
        pytest.skip("../shared/formats is not present")
    return FORMATS


@pytest.fixture(scope="session")
def sample_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up person's exports, generated once per test session."""
    out = tmp_path_factory.mktemp("sample")
    generate(out, seed=7)
    return out


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "store.sqlite")
    yield s
    s.close()
