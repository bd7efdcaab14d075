"""``selfdex watch FOLDER``: import new export archives as they appear (e.g. in the Downloads folder).

Each scan looks at the folder's top-level entries. An entry is imported once it has stopped changing
(same size and modification time on two scans in a row, so a download still being written is left alone;
browsers' partial files are ignored outright), and only if some importer recognises a file in it, so the
rest of a Downloads folder is never read into the store. It is idempotent: a file whose SHA-256 a
complete job in the store already has is not imported again, nor is a folder whose signature (its files'
sizes and times) the log already records as imported — across restarts too, because the log is the memory.
The log is JSON lines (default ``<store>.watch.log``): one line per decision, with the job id and counts.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ..archive import Entry, iter_entries
from ..importers.registry import load_importers
from ..ingest import choose_importer, import_path
from ..owner.imports import after_import
from ..store import Store, StoreError, owner_queries
from .common import UserError, out, store_path

_PARTIAL = (".crdownload", ".part", ".partial", ".download", ".tmp", ".opdownload")
# A recognisable export shows itself within its first files; a huge unrelated tree is not walked whole.
_PROBE_ENTRIES = 2000


@dataclass
class Watcher:
    store_path: Path
    folder: Path
    log_path: Path
    settle_scans: int = 2  # how many scans in a row an entry must look the same before it is imported
    _seen: dict[str, tuple[Any, int]] = field(default_factory=dict)  # name → (signature, scans unchanged)
    _done: set[str] = field(default_factory=set)  # signatures imported or judged "not an export"

    def __post_init__(self) -> None:
        if self.log_path.exists():
            for line in self.log_path.read_text(encoding="utf-8").splitlines():
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash
                if event.get("event") in ("imported", "already imported", "not an export"):
                    self._done.add(str(event.get("signature")))

    def scan(self) -> list[dict[str, Any]]:
        """One pass over the folder; returns the events it logged."""
        events: list[dict[str, Any]] = []
        present = set()
        own = {f"{self.store_path.name}{s}" for s in ("", "-wal", "-shm", "-journal")} | {self.log_path.name}
        for path in sorted(self.folder.iterdir()) if self.folder.is_dir() else []:
            if path.name.startswith(".") or path.name.lower().endswith(_PARTIAL) or path.name in own:
                continue
            present.add(path.name)
            try:
                signature = _signature(path)
            except OSError:
                continue  # vanished or unreadable mid-scan: look again next time
            previous, stable = self._seen.get(path.name, (None, 0))
            stable = stable + 1 if previous == signature else 1
            self._seen[path.name] = (signature, stable)
            key = f"{path.name}|{signature}"
            if stable < self.settle_scans or key in self._done:
                continue
            events.append(self._consider(path, key))
        for name in set(self._seen) - present:
            del self._seen[name]
        return events

    def _consider(self, path: Path, key: str) -> dict[str, Any]:
        with Store(self.store_path, create=True) as store:
            sha = _sha256(path) if path.is_file() else None
            if sha is not None and owner_queries.imported_before(store, sha):
                return self._log("already imported", path, key, sha256=sha)
            platforms = _recognised(path)
            if not platforms:
                return self._log("not an export", path, key)
            summary = import_path(store, path)
            after_import(store)
        return self._log(
            "imported",
            path,
            key,
            sha256=sha,
            job_id=summary.job_id,
            records_read=summary.records_read,
            records_new=summary.records_new,
            problems=summary.problems,
            platforms=sorted(summary.by_platform),
        )

    def _log(self, event: str, path: Path, key: str, **data: Any) -> dict[str, Any]:
        self._done.add(key)
        line = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "event": event, "path": str(path)}
        line.update({k: v for k, v in data.items() if v is not None})
        line["signature"] = key
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return line

    def run(self, interval: float, stop: threading.Event) -> Iterator[dict[str, Any]]:
        """Scan every ``interval`` seconds until ``stop`` is set, yielding each event."""
        while not stop.is_set():
            yield from self.scan()
            stop.wait(interval)


def _signature(path: Path) -> str:
    """Size and modification time of a file, or of every file in a folder (cheap: no reading)."""
    if path.is_file():
        st = path.stat()
        return f"{st.st_size}:{st.st_mtime_ns}"
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        st = f.stat()
        digest.update(f"{f.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _recognised(path: Path) -> set[str]:
    importers = load_importers()
    found: set[str] = set()
    for n, entry in enumerate(iter_entries(path)):
        if n >= _PROBE_ENTRIES:
            break
        if isinstance(entry, Entry):
            imp, _ = choose_importer(entry, importers)
            if imp is not None:
                found.add(imp.platform)
    return found


@click.command("watch")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--interval", default=5.0, show_default=True, help="Seconds between scans.")
@click.option("--once", is_flag=True, help="Scan once (twice, to let files settle) and exit.")
@click.option(
    "--log", "log_file", type=click.Path(dir_okay=False), help="JSON-lines log (default: <store>.watch.log)."
)
@click.pass_context
def watch_cmd(ctx: click.Context, folder: str, interval: float, once: bool, log_file: str | None) -> None:
    """Import new export archives as they appear in FOLDER, once each, with a log."""
    target = Path(folder)
    if not target.is_dir():
        raise UserError(f"{folder}: no such folder")
    store = Path(store_path(ctx))
    watcher = Watcher(
        store, target, Path(log_file) if log_file else store.with_name(store.name + ".watch.log")
    )
    try:
        if once:
            events = watcher.scan() + watcher.scan()
        else:
            out.print(f"Watching {target} every {interval:g} s (Ctrl-C to stop); log: {watcher.log_path}")
            stop = threading.Event()
            try:
                for event in watcher.run(interval, stop):
                    _print(event)
            except KeyboardInterrupt:
                stop.set()
            return
    except StoreError as exc:  # a locked, encrypted or foreign store: say so, no traceback
        raise UserError(str(exc)) from exc
    for event in events:
        _print(event)
    if not events:
        out.print(f"Nothing new in {target}.")


def _print(event: dict[str, Any]) -> None:
    detail = ""
    if event["event"] == "imported":
        detail = (
            f": {event['records_new']:,} new of {event['records_read']:,} ({', '.join(event['platforms'])})"
        )
    out.print(f"{event['at']} {event['event']} {event['path']}{detail}", markup=False, highlight=False)


COMMANDS = [watch_cmd]
