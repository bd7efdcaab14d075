"""Kindle ``My Clippings.txt`` (on the device: ``documents/My Clippings.txt``): highlights, notes, bookmarks.

Each clipping is a title line ``Title (Author)``, a meta line, a blank line, the text, then ``==========``::

    Make It Stick (Peter C. Brown)
    - Your Highlight on page 12 | Location 170-171 | Added on Sunday, February 23, 2020 2:58:27 PM

    A single, simple quiz after reading a text …
    ==========

Quirks: a BOM (U+FEFF) before *every* title, not only the first; CRLF or LF; the meta line is written in
the device's UI language and its wording changed across firmware (``on Location``, ``at location``,
``Loc. 1234-37`` with a shortened end, ``您在位置 #471 的笔记``, ``我的标注 位置 #465-466``), so the kind,
page and location are found by keywords and the date by its parts (month names, ``2013年12月18日``,
``上午``/``下午``, AM/PM). Times are the device's wall clock with no zone (``original_tz="local"``).
Bookmarks have no text (action ``saved``). Editing a highlight appends a new clipping and leaves the old
one: a highlight whose location overlaps a later highlight of the same book, and whose text is contained
in it (or the reverse, for a shortened one), is reported as a ``skipped`` problem and the latest is kept.
Authors may be ``A;B`` lists; titles without ``(…)`` (sideloaded PDFs) have no creators.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from ..archive import Entry
from ..model import ImportProblem, Item, Precision, Record
from ..timeparse import parse_local
from ._util import prov
from .base import Importer, ParseResult

SEPARATOR = "=========="
_CLIPPING_LIMIT = "<You have reached the clipping limit for this item>"

# Kind keywords, checked in this order (lower-cased meta line, date part removed).
_KINDS = (
    ("bookmark", ("bookmark", "lesezeichen", "signet", "marcador", "segnalibro", "bladwijzer", "书签", "書籤",
                  "ブックマーク")),
    ("highlight", ("highlight", "markierung", "surlignement", "subrayado", "evidenziazione", "destaque",
                   "markering", "标注", "標註", "標記", "ハイライト", "clip this article")),
    ("note", ("note", "notiz", "nota", "notitie", "笔记", "筆記", "メモ")),
)  # fmt: skip
_ACTIONS = {"highlight": "highlighted", "note": "noted", "bookmark": "saved"}
_LOCATION = re.compile(
    r"(?:location|loc\.|position|emplacement|posici[oó]n|posizione|posição|positie|位置)"
    r"\s*(?:no\.|#)?\s*(\d+)(?:\s*-\s*(\d+))?",
    re.IGNORECASE,
)
_PAGE = re.compile(
    r"(?:page|seite|p[aá]gina|pagina)\s*(\d+|[ivxlcdm]+)(?:\s*-\s*(\d+|[ivxlcdm]+))?"
    r"|第\s*(\d+)(?:\s*-\s*(\d+))?\s*页|(\d+)(?:-(\d+))?\s*ページ",
    re.IGNORECASE,
)
_CJK_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?\s?[Mm]\.?)?")
_YEAR = re.compile(r"\b(\d{4})\b")
_DAY = re.compile(r"\b(\d{1,2})\b")
_WORD = re.compile(r"[^\W\d_]+")
_MONTHS: dict[str, int] = {}
for _names in (
    "january february march april may june july august september october november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "januari februari maart april mei juni juli augustus september oktober november december",
):
    for _i, _name in enumerate(_names.split(), start=1):
        _MONTHS.setdefault(_name, _i)
_TRAILING = ".,;:!?…\"'”’) "
_PM_WORDS = ("下午", "午後", "晚上", "中午")
_AM_WORDS = ("上午", "午前", "凌晨", "早上")


def parse_added(text: str) -> tuple[datetime, Precision] | None:
    """The naive wall-clock time in a meta line's date part, whatever the UI language; None if unreadable."""
    time = _TIME.search(text)
    if time is None:
        return None
    rest = text[: time.start()] + " " + text[time.end() :]
    if m := _CJK_DATE.search(rest):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        years = _YEAR.findall(rest)
        months = [_MONTHS[w] for w in _WORD.findall(rest.lower()) if w in _MONTHS]
        if not years or not months:
            return None
        year, month = int(years[-1]), months[-1]
        days = [d for d in _DAY.findall(_YEAR.sub(" ", rest)) if 1 <= int(d) <= 31]
        if not days:
            return None
        day = int(days[0])
    hour, minute, second = int(time.group(1)), int(time.group(2)), int(time.group(3) or 0)
    marker = (time.group(4) or "").lower().replace(".", "").replace(" ", "")
    pm = marker == "pm" or any(w in text for w in _PM_WORDS)
    am = marker == "am" or any(w in text for w in _AM_WORDS)
    if pm and hour < 12:
        hour += 12
    elif am and hour == 12:
        hour = 0
    try:
        naive = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return naive, "second" if time.group(3) else "minute"


def split_title(line: str) -> tuple[str, tuple[str, ...]]:
    """``"Dune (Frank Herbert)"`` → ("Dune", ("Frank Herbert",)); the author is the last balanced ``(…)``."""
    line = " ".join(line.replace("\ufeff", "").split())
    if not line.endswith(")"):
        return line, ()
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        if line[i] == ")":
            depth += 1
        elif line[i] == "(":
            depth -= 1
            if depth == 0:
                title, author = line[:i].strip(), line[i + 1 : -1].strip()
                if not title or not author:
                    return line, ()
                return title, tuple(a.strip() for a in author.split(";") if a.strip())
    return line, ()


def _range(start: str, end: str | None) -> tuple[int, int]:
    """``170``/``71`` → (170, 171): old firmware drops the leading digits the end shares with the start."""
    a = int(start)
    if not end:
        return a, a
    b = int(end)
    if b < a and len(end) < len(start):
        b = int(start[: len(start) - len(end)] + end)
    return a, max(a, b)


@dataclass
class _Clipping:
    index: int
    line: int
    title: str
    creators: tuple[str, ...]
    kind: str
    added: tuple[datetime, Precision]
    text: str | None
    raw: str
    location: tuple[int, int] | None = None
    page: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


class KindleClippingsImporter(Importer):
    name = "kindle"
    platform = "kindle"
    version = "1"
    description = (
        "Kindle My Clippings.txt (highlights, notes, bookmarks; English, Chinese, Japanese, European UIs)"
    )
    handles = ("documents/My Clippings.txt",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".txt":
            return 0.0
        head = entry.text_head(4096)
        looks = SEPARATOR in head and "\n- " in head and "|" in head
        if entry.name.lower() == "my clippings.txt":
            return 1.0 if looks or not head.strip() else 0.6
        return 0.9 if looks else 0.0

    def parse(self, entry: Entry) -> ParseResult:
        parsed: list[_Clipping | ImportProblem] = []
        for index, line, lines in self._blocks(entry):
            parsed.append(self._clipping(entry, index, line, lines))
        superseded = _superseded([c for c in parsed if isinstance(c, _Clipping)])
        for c in parsed:
            if isinstance(c, ImportProblem):
                yield c
            elif c.index in superseded:
                later = superseded[c.index]
                yield ImportProblem(
                    f"highlight superseded by an edited version (record {later.index}, line {later.line})",
                    entry.path,
                    index=c.index,
                    line=c.line,
                    excerpt=(c.text or "")[:200],
                    severity="skipped",
                )
            else:
                yield self._record(entry, c)

    def _blocks(self, entry: Entry) -> list[tuple[int, int, list[str]]]:
        """(index, first line, lines) for every clipping; blank lines before the title are dropped."""
        out: list[tuple[int, int, list[str]]] = []
        block: list[str] = []
        start = 1
        with entry.open_text() as fh:
            for number, raw in enumerate(fh, start=1):
                # every title starts with a BOM; sideloaded titles may be decomposed (NFD) Unicode
                text = unicodedata.normalize("NFC", raw.rstrip("\r\n").lstrip("\ufeff"))
                if text.strip() == SEPARATOR:
                    if block:
                        out.append((len(out), start, block))
                    block = []
                    continue
                if not block and not text.strip():
                    continue
                if not block:
                    start = number
                block.append(text)
        if block:  # a last clipping without its separator (truncated copy)
            out.append((len(out), start, block))
        return out

    def _clipping(self, entry: Entry, index: int, line: int, lines: list[str]) -> _Clipping | ImportProblem:
        raw = "\n".join(lines)
        if len(lines) < 2 or not lines[1].lstrip().startswith("-"):
            return ImportProblem(
                "not a clipping: expected a title line then a '- …' meta line",
                entry.path,
                index=index,
                line=line,
                excerpt=raw[:200],
            )
        title, creators = split_title(lines[0])
        meta = lines[1].strip().lstrip("-").strip()
        head, _, date_part = meta.rpartition("|")
        if not head:
            head, date_part = meta, meta
        lowered = head.lower()
        kind = next((k for k, words in _KINDS if any(w in lowered for w in words)), None)
        if kind is None:
            return ImportProblem(
                f"unknown clipping type in {lines[1].strip()!r}",
                entry.path,
                index=index,
                line=line + 1,
                severity="unsupported",
            )
        added = parse_added(date_part)
        if added is None:
            return ImportProblem(
                f"unreadable date in {lines[1].strip()!r}", entry.path, index=index, line=line + 1
            )
        body = "\n".join(lines[2:]).strip()
        clip = _Clipping(index, line, title or "(untitled)", creators, kind, added, body or None, raw)
        if clip.text == _CLIPPING_LIMIT:
            clip.text = None
            clip.extra["clipping_limit"] = True
        if m := _LOCATION.search(head):
            clip.location = _range(m.group(1), m.group(2))
        if m := _PAGE.search(_LOCATION.sub(" ", head)):
            first, last = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5) if m.group(i))
            clip.page = first if not last or last == first else f"{first}-{last}"
        return clip

    def _record(self, entry: Entry, c: _Clipping) -> Record:
        stamp = parse_local(c.added[0], None, c.added[1])
        extra = dict(c.extra)
        if c.location:
            a, b = c.location
            extra["location"] = str(a) if a == b else f"{a}-{b}"
        if c.page:
            extra["page"] = c.page
        # two clippings of one book in the same second differ by where they are
        extra["identity"] = f"{c.kind}@{extra.get('page', '')}/{extra.get('location', '')}"
        return Record(
            platform=self.platform,
            action=_ACTIONS[c.kind],
            item=Item(kind="book", title=c.title, creators=c.creators),
            when=stamp.when,
            original_tz=stamp.tz,
            precision=stamp.precision,
            text=c.text,
            extra=extra,
            raw=c.raw,
            provenance=prov(entry, c.index, c.line),
        )


def _superseded(clips: list[_Clipping]) -> dict[int, _Clipping]:
    """index of each highlight replaced by a later edit → the clipping that replaced it.

    Live highlights are kept sorted by start location per book, so each new one is compared only with
    those that can overlap it (big files have thousands of highlights per book)."""
    out: dict[int, _Clipping] = {}
    located: dict[tuple[str, tuple[str, ...]], tuple[list[int], list[_Clipping]]] = {}
    widest: dict[tuple[str, tuple[str, ...]], int] = {}
    paged: dict[tuple[str, tuple[str, ...], str], list[_Clipping]] = {}
    for c in clips:
        if c.kind != "highlight":
            continue
        book = (c.title, c.creators)
        if c.location is None:
            if c.page is None:
                continue
            same_page = paged.setdefault((*book, c.page), [])
            for old in [o for o in same_page if _edited(o, c)]:
                out[old.index] = c
                same_page.remove(old)
            same_page.append(c)
            continue
        starts, live = located.setdefault(book, ([], []))
        first, last = c.location
        widest[book] = width = max(widest.get(book, 0), last - first)
        for i in range(bisect_right(starts, last) - 1, bisect_left(starts, first - width) - 1, -1):
            if _edited(live[i], c):
                out[live[i].index] = c
                del starts[i], live[i]
        pos = bisect_right(starts, first)
        starts.insert(pos, first)
        live.insert(pos, c)
    return out


def _edited(old: _Clipping, new: _Clipping) -> bool:
    """Whether ``new`` is an edit of ``old``: overlapping places, and one text contains the other."""
    if old.location and new.location:
        (a0, a1), (b0, b1) = old.location, new.location
        if a1 < b0 or b1 < a0:
            return False
    elif old.location or new.location or old.page is None or old.page != new.page:
        return False  # page-only clippings (PDFs) must share the page
    old_text, new_text = _comparable(old.text), _comparable(new.text)
    return bool(old_text) and bool(new_text) and (old_text in new_text or new_text in old_text)


def _comparable(text: str | None) -> str:
    """Whitespace collapsed and trailing punctuation dropped: an extended highlight may end mid-sentence."""
    return " ".join((text or "").split()).rstrip(_TRAILING)
