"""Uploaded exports kept on disk for the import: archives by a safe name, a chosen folder rebuilt
under one safe top directory (as ``selfdex import FOLDER`` would read it)."""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

__all__ = ["Upload", "save_uploads"]


@dataclass(slots=True)
class Upload:
    dir: Path  # removed by the import run when it is done
    names: list[str]  # as shown: "takeout.zip", "Takeout/"
    paths: list[Path]


def _save(upload: UploadFile, target: Path) -> None:
    with target.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)


def _safe_parts(path: str) -> list[str]:
    """A browser-sent relative path as safe components: no empty, '.', '..' or absolute parts."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return [re.sub(r"[^\w.\- ]+", "_", p).strip(" ") or "_" for p in parts] or ["upload"]


def _safe_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w.\- ]+", "_", Path(name.replace("\\", "/")).name).strip(" .") or "upload"
    out, i = base, 1
    while out in taken:
        i += 1
        out = f"{i}-{base}"
    taken.add(out)
    return out


def save_uploads(files: list[UploadFile], folder_files: list[UploadFile]) -> Upload:
    """Write the uploads to a new temporary folder; on OSError (a full disk) nothing is left behind."""
    upload = Upload(Path(tempfile.mkdtemp(prefix="selfdex-upload-")), [], [])
    taken: set[str] = set()
    try:
        for f in files:
            name = _safe_name(f.filename or "upload", taken)
            target = upload.dir / name
            _save(f, target)
            upload.names.append(name)
            upload.paths.append(target)
        if folder_files:
            # The browser names each file by its path inside the chosen folder ("Takeout/YouTube/…").
            parts = [_safe_parts(f.filename or "") for f in folder_files]
            if len({p[0] for p in parts}) == 1 and all(len(p) > 1 for p in parts):
                top_name, inner = parts[0][0], [p[1:] for p in parts]
            else:
                top_name, inner = "folder", parts
            top = _safe_name(top_name, taken)
            root = upload.dir / top
            for f, rel in zip(folder_files, inner, strict=True):
                target = root.joinpath(*rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                _save(f, target)
            upload.names.append(top + "/")
            upload.paths.append(root)
    except OSError:
        shutil.rmtree(upload.dir, ignore_errors=True)
        raise
    return upload
