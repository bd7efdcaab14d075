"""Writes the sample person's exports, one writer module per platform under ``selfdex.sample.platforms``.

A writer module defines ``BUNDLE`` (the file or folder name the platform hands out, e.g.
``"my_spotify_data.zip"``; names ending in ``.zip`` are zipped) and ``write(person, root)``, which writes
the platform's files under ``root`` in the platform's real format. Several writers may share a bundle
(Google Takeout). Adding a platform adds one module here; nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
import shutil
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType

from . import platforms
from .person import Person

# Fixed timestamp inside generated zips so the same seed gives byte-identical archives.
_ZIP_TIME = (2025, 7, 1, 12, 0, 0)


def writer_modules() -> list[ModuleType]:
    mods = []
    for info in sorted(pkgutil.iter_modules(platforms.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{platforms.__name__}.{info.name}"))
    return mods


def zip_folder(folder: Path, dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(file.relative_to(folder).as_posix(), date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, file.read_bytes())


def generate(dest: str | Path, *, seed: int = 7, scale: int = 1, only: set[str] | None = None) -> list[Path]:
    """Write every platform's export for the sample person into ``dest``; returns the bundles written."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    person = Person(seed=seed, scale=scale)
    bundles: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="selfdex-sample-") as tmp:
        for mod in writer_modules():
            name = mod.__name__.rsplit(".", 1)[-1]
            if only is not None and name not in only:
                continue
            bundle: str = mod.BUNDLE
            root = bundles.setdefault(bundle, Path(tmp) / bundle)
            root.mkdir(parents=True, exist_ok=True)
            mod.write(person, root)
        written = []
        for bundle, root in sorted(bundles.items()):
            target = dest / bundle
            if bundle.endswith(".zip"):
                zip_folder(root, target)
            else:
                if target.exists():
                    shutil.rmtree(target) if target.is_dir() else target.unlink()
                shutil.copytree(root, target)
            written.append(target)
    return written
