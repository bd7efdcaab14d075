"""Property-based robustness: every importer, fed mutated versions of real and generated samples it
recognises (truncated, bytes flipped, garbage spliced in, chunks repeated), yields only records and
problems — it never raises, so one bad record can never abort an import."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfdex.archive import Entry, iter_entries
from selfdex.importers.registry import load_importers
from selfdex.model import ImportProblem, Record
from selfdex.sample import generate

from .conftest import FORMATS

MAX_SEED_BYTES = 200_000


def _memory_entry(path: str, data: bytes) -> Entry:
    return Entry(archive="fuzz", path=path, size=len(data), _opener=lambda: io.BytesIO(data))


def _seed_files(tmp: Path) -> Iterator[tuple[str, bytes]]:
    generate(tmp, seed=3)
    roots = [tmp] + ([FORMATS] if FORMATS.is_dir() else [])
    for root in roots:
        for item in iter_entries(root):
            if (
                isinstance(item, Entry)
                and item.size
                and item.size <= MAX_SEED_BYTES
                and item.name != "README.md"
            ):
                with item.open() as fh:
                    yield item.path, fh.read()


def _seeds_by_importer(tmp: Path) -> dict[str, list[tuple[str, bytes]]]:
    importers = load_importers()
    seeds: dict[str, list[tuple[str, bytes]]] = {i.name: [] for i in importers}
    for path, data in _seed_files(tmp):
        entry = _memory_entry(path, data)
        for imp in importers:
            if imp.recognize(entry) > 0:
                seeds[imp.name].append((path, data))
    return seeds


_SEEDS: dict[str, list[tuple[str, bytes]]] = {}


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, bytes]]]:
    if not _SEEDS:
        _SEEDS.update(_seeds_by_importer(tmp_path_factory.mktemp("fuzzseeds")))
    return _SEEDS


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    n = len(data)
    kind = draw(st.sampled_from(["truncate", "flip", "splice", "repeat", "delete"]))
    at = draw(st.integers(0, max(n - 1, 0)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        k = draw(st.integers(1, 16))
        out = bytearray(data)
        for i in range(at, min(n, at + k)):
            out[i] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "splice":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "repeat":
        end = min(n, at + draw(st.integers(1, 2000)))
        return data[:end] + data[at:end] + data[end:]
    end = min(n, at + draw(st.integers(1, 500)))
    return data[:at] + data[end:]


IMPORTER_NAMES = [i.name for i in load_importers()]


@pytest.mark.parametrize("name", IMPORTER_NAMES)
def test_importer_survives_mutated_input(name: str, seeds: dict[str, list[tuple[str, bytes]]]) -> None:
    importer = next(i for i in load_importers() if i.name == name)
    files = seeds.get(name) or []
    if not files:
        pytest.skip(f"no sample file recognised by {name}")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        path, original = data.draw(st.sampled_from(files))
        mutated = data.draw(mutations(original))
        entry = _memory_entry(path, mutated)
        if importer.recognize(entry) <= 0:
            return
        for out in importer.parse(entry):
            assert isinstance(out, Record | ImportProblem)
            if isinstance(out, ImportProblem):
                assert out.reason

    check()
