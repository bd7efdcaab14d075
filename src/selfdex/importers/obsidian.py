"""Obsidian vaults and other Markdown notes: the offline diary of a life.

Each note (``*.md``) becomes a ``noted`` record of a ``note``: the title is the ``title`` property or the
file name, the text is the body (front matter removed, cut at :data:`MAX_TEXT_CHARS`), and the front
matter properties are kept in ``extra["properties"]``. ``categories`` and ``tags`` properties (wikilinks
unwrapped: ``"[[Movies]]"`` → ``Movies``) and inline ``#tags`` become the item's categories, so a note
filed under Movies, Books or Places says what it is about (``extra["about"]`` names the matching item
kind). ``rating`` is kept as written; the scale is the ``rating_scale`` property when present, else the
smallest of 5, 7 (the scale of the popular kepano vault template), 10 and 100 that holds it. The date is
the ``date``, ``last`` (last seen), ``created`` property or a daily note's ``YYYY-MM-DD`` file name, with
day precision. ``[[wikilinks]]`` are listed in ``extra["links"]``.

Front matter is read by a small reader for the YAML subset Obsidian's property editor writes (scalars,
quoted strings, block and inline lists); anything more elaborate is reported in
``extra["front_matter_unparsed"]`` rather than failing the note.

Recognition is careful not to swallow stray ``README.md`` files of other exports: a Markdown file is a
note when it sits in a vault (a ``.obsidian/`` folder in one of its parent folders), has front matter,
or uses Obsidian-only syntax (wikilinks, callouts, ``obsidian://`` links, inline footnotes, inline
tags). ``.obsidian/`` configuration files, ``*.base`` view definitions, ``*.canvas`` boards and notes in a
``Templates`` folder are recognised and reported as skipped.
"""

from __future__ import annotations

import posixpath
import re
import tarfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from ..archive import NESTED_SEP, Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import Stamp, parse_iso
from ._util import clean, prov
from .base import Importer, ParseResult

MAX_TEXT_CHARS = 20_000
MAX_NOTE_BYTES = 4 * 2**20
_MD_SUFFIXES = (".md", ".markdown")
_WIKILINK = re.compile(r"!?\[\[([^\]|#^\n]*)(?:[#^][^\]|\n]*)?(?:\|[^\]\n]*)?\]\]")
_INLINE_TAG = re.compile(r"(?<!\S)#([A-Za-z_][\w/-]*)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_OBSIDIAN_MARKERS = ("[[", "> [!", "obsidian://", "^[", "%%")
_PROPERTY = re.compile(r"^([^\s:#-][^:]*?)\s*:(?:\s+(.*))?$")
_DAILY = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_ABOUT = {
    "movies": "movie",
    "films": "movie",
    "books": "book",
    "places": "place",
    "restaurants": "place",
    "shows": "series",
    "series": "series",
    "albums": "album",
    "podcasts": "podcast",
    "games": "game",
    "people": "person",
    "products": "product",
}
_DATE_PROPS = ("date", "last", "created")


def _unlink(value: str) -> str:
    """'[[Movies]]' / '[[Steph Ango|Steph]]' → the link target; other strings unchanged."""
    value = value.strip()
    if value.startswith("[[") and value.endswith("]]"):
        return value[2:-2].split("|", 1)[0].split("#", 1)[0].strip()
    return value


def _scalar(text: str) -> Any:
    text = text.strip()
    if not text or text in ("~", "null", "Null", "NULL"):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner.replace('\\"', '"').replace("\\\\", "\\")
    if text.startswith("[[") and text.endswith("]]") and text.count("[[") == 1:
        return text  # an unquoted wikilink, which YAML would read as a nested list
    if text.startswith("[") and text.endswith("]"):
        return [v for v in (_scalar(p) for p in _split_inline(text[1:-1])) if v is not None]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _split_inline(text: str) -> list[str]:
    """Split an inline YAML list on commas outside quotes and brackets."""
    parts, current, quote, depth = [], "", "", 0
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_front_matter(lines: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Properties from front-matter lines, and the lines this reader could not place."""
    props: dict[str, Any] = {}
    unparsed: list[str] = []
    key: str | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("- ") or stripped == "-":
            if key is None:
                unparsed.append(line)
                continue
            current = props.get(key)
            items = current if isinstance(current, list) else ([] if current is None else [current])
            if (value := _scalar(stripped[1:])) is not None:
                items.append(value)
            props[key] = items
            continue
        m = _PROPERTY.match(line)
        if m and not line[0].isspace():
            key = m.group(1).strip().strip("\"'")
            props[key] = _scalar(m.group(2) or "")
        else:
            unparsed.append(line)
    return props, unparsed


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [s for v in values if v is not None and (s := _unlink(str(v)))]


def _rating_scale(rating: float, props: dict[str, Any]) -> float:
    for key in ("rating_scale", "scale"):
        if isinstance(props.get(key), int | float):
            return float(props[key])
    return next(s for s in (5.0, 7.0, 10.0, 100.0, float("inf")) if rating <= s)


def _json_safe(value: Any) -> Any:
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


class ObsidianImporter(Importer):
    name = "obsidian"
    platform = "obsidian"
    version = "1"
    description = "Obsidian vaults and Markdown notes (front matter properties, wikilinks, tags)"
    handles = (
        "<vault>/**/*.md",
        "*.md with front matter",
        ".obsidian/* (skipped)",
        "*.base, *.canvas (skipped)",
    )
    snapshot = True  # the vault as it is now: an edited note updates its record (id = path in the vault)

    def __init__(self) -> None:
        # Vault roots ('.obsidian' parents) of the last zip looked at: one namelist read per archive.
        self._zip_vaults: tuple[str, frozenset[str]] | None = None

    # -- recognition ------------------------------------------------------------------------------

    def recognize(self, entry: Entry) -> float:
        parts = entry.parts
        if ".obsidian" in parts[:-1]:
            return 0.9
        suffix = entry.suffix
        if suffix in (".base", ".canvas"):
            head = entry.text_head(2048)
            if self._in_vault(entry):
                return 0.9
            if suffix == ".base" and ("views:" in head or "filters:" in head):
                return 0.7
            if suffix == ".canvas" and '"nodes"' in head:
                return 0.6
            return 0.0
        if suffix not in _MD_SUFFIXES:
            return 0.0
        if self._in_vault(entry):
            return 0.9
        head = entry.text_head(8192)
        if _has_front_matter(head):
            return 0.6
        if any(marker in head for marker in _OBSIDIAN_MARKERS):
            return 0.5
        if _INLINE_TAG.search(_INLINE_CODE.sub("", _FENCE.sub("", head))):
            return 0.3
        return 0.0

    def _in_vault(self, entry: Entry) -> bool:
        return self._vault_root(entry) is not None

    def _vault_root(self, entry: Entry) -> str | None:
        """The folder (relative to the imported path) holding '.obsidian/', when one contains the entry."""
        if NESTED_SEP in entry.path:
            return None  # inside a nested archive: recognise by content only
        folders = entry.path.split("/")[:-1]
        candidates = ["/".join(folders[:i]) for i in range(len(folders), -1, -1)]
        archive = Path(entry.archive)
        if archive.is_dir():
            for cand in candidates:
                if (archive / cand / ".obsidian").is_dir():
                    return cand
            return None
        if archive.is_file() and (zipfile.is_zipfile(archive) or tarfile.is_tarfile(archive)):
            roots = self._zip_roots(archive)
            return next((c for c in candidates if c in roots), None)
        # a single note imported on its own: look beside it on disk
        for parent in [archive.parent, *archive.parent.parents][:8]:
            if (parent / ".obsidian").is_dir():
                return ""
        return None

    def _zip_roots(self, archive: Path) -> frozenset[str]:
        key = str(archive)
        if self._zip_vaults is None or self._zip_vaults[0] != key:
            roots = set()
            for name in _member_names(archive):
                head, sep, _ = name.partition(".obsidian/")
                if not sep and name.rstrip("/").endswith(".obsidian"):  # a tar lists the folder itself
                    head, sep = name.rstrip("/")[: -len(".obsidian")], ".obsidian"
                if sep and (not head or head.endswith("/")):
                    roots.add(head.rstrip("/").removeprefix("./"))
            self._zip_vaults = (key, frozenset(roots))
        return self._zip_vaults[1]

    # -- parsing ----------------------------------------------------------------------------------

    def parse(self, entry: Entry) -> ParseResult:
        if ".obsidian" in entry.parts[:-1]:
            yield self._skip(entry, "Obsidian app configuration, not a note")
            return
        if entry.suffix == ".base":
            yield self._skip(entry, "Obsidian Bases view definition, not a note")
            return
        if entry.suffix == ".canvas":
            yield self._skip(entry, "Obsidian canvas board: not imported")
            return
        root = self._vault_root(entry)
        rel = entry.path if root is None or not root else entry.path[len(root) + 1 :]
        if any(p.lower() in ("templates", "_templates") for p in rel.split("/")[:-1]):
            yield self._skip(entry, "note template, not a note")
            return
        with entry.open() as fh:
            data = fh.read(MAX_NOTE_BYTES + 1)
        if b"\x00" in data[:8192]:
            yield ImportProblem(
                "binary content in a Markdown file", entry.path, index=0, offset=data.index(b"\x00")
            )
            return
        text = data[:MAX_NOTE_BYTES].decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
        yield self._note(entry, rel, text, truncated=len(data) > MAX_NOTE_BYTES)

    def _skip(self, entry: Entry, reason: str) -> ImportProblem:
        return ImportProblem(reason, entry.path, severity="skipped")

    def _note(self, entry: Entry, rel: str, text: str, *, truncated: bool) -> Record:
        props, unparsed, body = _front_matter(text)
        scan = _INLINE_CODE.sub("", _FENCE.sub("", body))
        links = list(dict.fromkeys(t.strip() for t in _WIKILINK.findall(scan) if t.strip()))
        tags = list(
            dict.fromkeys([t.lstrip("#") for t in _strings(props.get("tags"))] + _INLINE_TAG.findall(scan))
        )
        categories = _strings(props.get("categories")) + _strings(props.get("category"))
        stem = posixpath.splitext(entry.name)[0]
        extra = _note_extra(rel, props, unparsed, categories, tags, links, truncated)
        when = precision = None
        if (dated := _note_date(props, stem)) is not None:
            stamp, extra["date_from"] = dated
            when, precision = stamp.when, stamp.precision
        rating = _rating(props)
        creators = _strings(props.get("author")) + _strings(props.get("director"))
        body_text = body.strip()
        if len(body_text) > MAX_TEXT_CHARS:
            extra["text_truncated"] = len(body_text)
            body_text = body_text[:MAX_TEXT_CHARS]
        return Record(
            platform=self.platform,
            action="noted",
            item=Item(
                kind="note",
                title=clean(str(props["title"])) if props.get("title") else stem,
                creators=tuple(dict.fromkeys(creators)),
                ids=_ids(props),
                categories=tuple(dict.fromkeys(categories + tags)),
                url=props.get("url") if isinstance(props.get("url"), str) else None,
            ),
            when=when,
            original_tz=None,
            precision=precision,
            rating=rating,
            rating_scale=_rating_scale(rating, props) if rating is not None else None,
            text=body_text or None,
            extra=extra,
            raw=extra.get("properties") or None,
            provenance=prov(entry, 0, 1),
            dedup_key=f"note:{rel}",  # one note per path in the vault: an edited note updates it
        )


def _note_extra(
    rel: str,
    props: dict[str, Any],
    unparsed: list[str],
    categories: list[str],
    tags: list[str],
    links: list[str],
    truncated: bool,
) -> dict[str, Any]:
    extra: dict[str, Any] = {"identity": rel}  # the path inside the vault, wherever the vault was
    if about := next((_ABOUT[c.lower()] for c in categories if c.lower() in _ABOUT), None):
        extra["about"] = about
    if tags:
        extra["tags"] = tags
    if links:
        extra["links"] = links[:100]
    if props:
        extra["properties"] = {k: _json_safe(v) for k, v in props.items()}
    if unparsed:
        extra["front_matter_unparsed"] = unparsed[:20]
    if truncated:
        extra["note_truncated_at_bytes"] = MAX_NOTE_BYTES
    return extra


def _front_matter(text: str) -> tuple[dict[str, Any], list[str], str]:
    """(properties, front-matter lines not understood, body) of a note; no front matter: ({}, [], text)."""
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() in ("---", "...")), None)
        if end is not None:
            props, unparsed = parse_front_matter(lines[1:end])
            return props, unparsed, "\n".join(lines[end + 1 :])
    return {}, [], text


def _note_date(props: dict[str, Any], stem: str) -> tuple[Stamp, str] | None:
    """The note's date and where it came from: the first date property, else a daily note's file name."""
    for key in _DATE_PROPS:
        value = props.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str | date) and (stamp := parse_iso(str(value), "UTC")) is not None:
            return stamp, key
    if (m := _DAILY.match(stem)) and (stamp := parse_iso(m.group(1), "UTC")) is not None:
        return stamp, "file name"
    return None


def _rating(props: dict[str, Any]) -> float | None:
    rating = props.get("rating")
    return float(rating) if isinstance(rating, int | float) and not isinstance(rating, bool) else None


def _ids(props: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    if imdb := clean(str(props.get("imdbId") or props.get("imdb") or "")):
        ids["imdb"] = imdb
    isbn = re.sub(r"[^0-9X]", "", str(props.get("isbn13") or props.get("isbn") or ""))
    if len(isbn) in (10, 13):
        ids[f"isbn{len(isbn)}"] = isbn
    return ids


def _member_names(archive: Path) -> list[str]:
    """Member names of a zip or a tar (a vault exported either way must give the same note ids)."""
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                return zf.namelist()
        with tarfile.open(archive) as tf:
            return tf.getnames()
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError):
        return []


def _has_front_matter(head: str) -> bool:
    if not head.startswith("---"):
        return False
    first, _, rest = head.partition("\n")
    if first.strip() != "---":
        return False
    return any(line.strip() in ("---", "...") for line in rest.split("\n")[:200])
