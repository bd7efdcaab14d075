"""Reading Google Takeout "My Activity" entries, shared by :mod:`.google_my_activity` and
:mod:`.youtube_history` (YouTube's watch and search history use the same schema).

Every product writes the same schema (``header``, ``title`` = verb + object, ``titleUrl``, ``subtitles``,
``time``, ``products``, ``details``, ``locationInfos``); this module turns a JSON object or an HTML cell
into an :class:`Activity` and says whether a file looks like a My Activity log. :mod:`._takeout_records`
turns an activity into a record.

Quirks: URLs carry Gson escapes (``\\u003d``) and Google redirect wrappers (``google.com/url?q=…``);
HTML exports are one long line with embedded CSS and dates in the account's locale and zone
(``20 Apr 2021, 18:44:53 AEDT``, ``Jan 31, 2018, 10:54:50 PM``, ``01.09.2022, 21:08:12``), where the
zone label is the one at export time applied to every entry, so it is read as a fixed offset.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..archive import Entry
from ..model import ImportProblem, Precision
from ..timeparse import Stamp, parse_local
from .base import iter_json_items

# English verbs Google writes at the start of ``title``; longest first so "Searched for" beats "Searched".
_VERBS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "Searched for": "searched",
            "Searched": "searched",
            "Visited": "visited",
            "Viewed": "viewed",
            "Watched": "watched",
            "Used": "used",
            "Listened to": "listened",
            "Read": "read",
            "Liked": "liked",
            "Disliked": "disliked",
            "Subscribed to": "subscribed",
            "Saved": "saved",
            "Directions to": "directions",
            "Commented on": "commented",
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)
_VERB_KEYS = {text.lower(): key for text, key in _VERBS}
_VERBS_BY_WORD: dict[str, list[tuple[str, str]]] = {}
for _text_, _key_ in _VERBS:
    _VERBS_BY_WORD.setdefault(_text_.split(" ", 1)[0], []).append((_text_, _key_))
YOUTUBE_HEADERS = frozenset({"YouTube", "YouTube Music", "YouTube Kids"})

MY_ACTIVITY_NAMES = ("my activity", "myactivity", "meine aktivitäten", "meineaktivitäten", "mes activités")
_JSON_ARRAY_OF_OBJECTS = re.compile(r"^\s*\[\s*\{")
_YOUTUBE_HEADER = re.compile(r'"header"\s*:\s*"YouTube')
_YOUTUBE_PRODUCT = re.compile(r'"products"\s*:\s*\[\s*"YouTube')


@dataclass(slots=True)
class Activity:
    """One My Activity entry, whether read from JSON or HTML."""

    header: str | None
    title: str  # as the export wrote it, verb included
    verb: str | None  # normalized English verb ("searched", "watched"…); None when not recognised
    subject: str | None  # what the verb applies to: a video title, a query, a page title
    url: str | None
    stamp: Stamp | None
    subtitles: list[tuple[str, str | None]] = field(default_factory=list)  # (text, link)
    products: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    locations: list[dict[str, str]] = field(default_factory=list)  # JSON locationInfos shape
    description: str | None = None
    raw: Any = None


# ---- titles, URLs, times --------------------------------------------------------------------------


def split_title(title: str) -> tuple[str | None, str]:
    """("searched", "dune") for "Searched for dune"; (None, title) for an unknown or localized verb."""
    space = title.find(" ")
    for text, key in _VERBS_BY_WORD.get(title[:space] if space > 0 else title, ()):
        if title.startswith(text) and title[len(text) : len(text) + 1] == " ":
            return key, title[len(text) + 1 :]
    return None, title


def unwrap_google_url(url: str | None) -> str | None:
    """The target of a ``google.com/url?q=…`` redirect wrapper; other URLs unchanged."""
    if url and "google." in url and "/url?" in url:
        target = parse_qs(_query(url)).get("q")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return url


def query_from_url(url: str | None) -> str | None:
    """The query of a search URL (``?q=`` or ``?search_query=``), for titles in unknown languages."""
    if not url or "?" not in url:
        return None
    params = parse_qs(_query(url))
    for key in ("search_query", "q"):
        if params.get(key):
            return params[key][0]
    return None


def _query(url: str) -> str:
    try:
        return urlsplit(url).query
    except ValueError:  # e.g. a malformed IPv6 host
        return ""


def iso_stamp(text: Any) -> Stamp | None:
    """Takeout JSON ``time``: ISO-8601 UTC with milliseconds, e.g. ``2025-01-23T15:40:16.600Z``."""
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    if len(text) == 24 and text[19] == ".":  # the usual shape, checked without scanning
        return Stamp(when, "UTC", "ms")
    end = dot = text.find(".")
    if dot >= 0:
        end += 1
        while end < len(text) and text[end].isdigit():
            end += 1
    digits = end - dot - 1 if dot >= 0 else 0
    precision: Precision = "second" if digits <= 0 else "ms" if digits <= 3 else "us"
    return Stamp(when, "UTC", precision)


# Month names as the HTML export writes them in common locales (lowercase, dots dropped).
_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "jan janv jän gen ene januar january janvier enero gennaio janeiro januari",
        "feb fev fév febr februar february février febrero febbraio fevereiro februari",
        "mar mär mrz mrt märz march mars marzo março maart",
        "apr avr abr april avril abril aprile",
        "may mai mag mei mayo maggio maio",
        "jun juin giu juni june junio giugno junho",
        "jul juil lug juli july juillet julio luglio julho",
        "aug août ago agosto august",
        "sep sept set september septembre septiembre settembre setembro",
        "oct okt ott out october oktober octobre octubre ottobre outubro",
        "nov november novembre noviembre novembro",
        "dec dez déc dic december dezember décembre diciembre dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num

# Zone labels seen in Takeout HTML → fixed UTC offsets in minutes. Google writes the label in force
# when the export was made and applies it to every entry, so a fixed offset is the faithful reading.
_ZONES: dict[str, int] = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 60, "BST": 60, "IST": 330, "CET": 60, "CEST": 120,
    "MEZ": 60, "MESZ": 120, "EET": 120, "EEST": 180, "OEZ": 120, "OESZ": 180, "MSK": 180,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480,
    "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600, "AST": -240, "ADT": -180, "NST": -210,
    "NDT": -150, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "PHT": 480, "WIB": 420, "PKT": 300,
    "AWST": 480, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "SAST": 120, "CAT": 120, "EAT": 180, "WAT": 60, "ART": -180, "BRT": -180,
}  # fmt: skip

_HTML_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])?\.?\s?(?:[Mm]\.?)?(?![\w])\s*(.*)$")
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DMY = re.compile(r"^(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{4})")
_WORDS = re.compile(r"[^\W\d_]+|\d+")
_OFFSET = re.compile(r"^(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$")


def parse_html_date(text: str) -> Stamp | None:
    """A My Activity HTML date in whatever locale the account used; None when unreadable."""
    text = text.replace("\u202f", " ").replace("\xa0", " ").strip()
    m = _HTML_TIME.search(text)
    if not m:
        return None
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if m[4] in "Pp" else 0)
    date_part = text[: m.start()].strip().rstrip(",").strip()
    ymd = _date_part(date_part)
    if ymd is None:
        return None
    try:
        naive = datetime(*ymd, hour, minute, second)
    except (ValueError, OverflowError):
        return None
    zone = m[5].strip()
    if not zone:
        return parse_local(naive, None, "second")
    offset = _ZONES.get(zone.upper())
    if offset is None and (om := _OFFSET.match(zone.upper())):
        offset = (int(om[2]) * 60 + int(om[3] or 0)) * (-1 if om[1] in "-−" else 1)
    if offset is None or abs(offset) >= 24 * 60:  # an unknown label: keep the wall clock, flagged as local
        return parse_local(naive, None, "second")
    tz = timezone(timedelta(minutes=offset))
    sign = "-" if offset < 0 else "+"
    label = f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}" if offset else "UTC"
    return Stamp(naive.replace(tzinfo=tz).astimezone(UTC), label, "second")


def _date_part(text: str) -> tuple[int, int, int] | None:
    if m := _YMD.match(text):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _DMY.match(text):  # 01.09.2022 (de), 01/09/2022 (day first outside the US)
        return int(m[3]), int(m[2]), int(m[1])
    month = None
    numbers: list[int] = []
    for token in _WORDS.findall(text):
        if token.isdigit():
            numbers.append(int(token))
        elif month is None:
            low = token.lower()
            month = _MONTHS.get(low) or _MONTHS.get(low[:4]) or _MONTHS.get(low[:3])
    if month is None or len(numbers) != 2:
        return None
    year = next((n for n in numbers if n > 31), None)
    if year is None:
        return None
    day = numbers[0] if numbers[1] == year else numbers[1]
    return year, month, day


# ---- reading entries ------------------------------------------------------------------------------


def activity_from_json(obj: Any) -> Activity | str:
    """An entry of a My Activity JSON array, or the reason it is not one."""
    if not isinstance(obj, dict):
        return "entry is not a JSON object"
    title = obj.get("title")
    if not isinstance(title, str):
        return "entry has no title"
    stamp = iso_stamp(obj.get("time"))
    if stamp is None:
        return f"unreadable time {obj.get('time')!r}"
    verb, subject = split_title(title)
    url = obj.get("titleUrl")
    header = obj.get("header")
    act = Activity(
        header if isinstance(header, str) else None,
        title,
        verb,
        subject,
        url if isinstance(url, str) else None,
        stamp,
    )
    act.raw = obj
    # the optional lists are rare enough per entry that checking each is cheaper than building all
    if isinstance(subtitles := obj.get("subtitles"), list):
        act.subtitles = [
            (s["name"], s["url"] if isinstance(s.get("url"), str) else None)
            for s in subtitles
            if isinstance(s, dict) and isinstance(s.get("name"), str)
        ]
    if isinstance(products := obj.get("products"), list):
        act.products = [p for p in products if isinstance(p, str)]
    if isinstance(details := obj.get("details"), list):
        act.details = [d["name"] for d in details if isinstance(d, dict) and isinstance(d.get("name"), str)]
    if isinstance(locations := obj.get("locationInfos"), list):
        act.locations = [loc for loc in locations if isinstance(loc, dict)]
    if isinstance(description := obj.get("description"), str):
        act.description = description
    return act


_CELL = b'<div class="outer-cell'
_HEADER = re.compile(r'mdl-typography--title">(.*?)<br', re.S)
_BODY = re.compile(r'mdl-typography--body-1">(.*?)</div>', re.S)
_CAPTION = re.compile(r'mdl-typography--caption">(.*?)</div>', re.S)
_BR = re.compile(r"<br\s*/?>")
_ANCHOR = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_CAPTION_LABELS = {
    "products": "products", "produkte": "products", "produits": "products", "productos": "products",
    "prodotti": "products", "details": "details", "détails": "details", "detalles": "details",
    "dettagli": "details", "locations": "locations", "standorte": "locations", "orte": "locations",
    "lieux": "locations", "ubicaciones": "locations",
}  # fmt: skip


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).replace("\xa0", " ").replace("\u2003", " ").strip()


def iter_html_cells(entry: Entry) -> Iterator[tuple[int, int, str]]:
    """(index, byte offset, cell HTML) for each ``outer-cell`` of a My Activity HTML file, streamed: the
    file is one very long line, so it is cut on the cell marker, never read whole or searched twice."""
    with entry.open() as fh:
        buf = b""
        base = 0  # byte offset of buf[0] in the file
        start = -1  # where the current cell starts in buf
        index = 0
        while chunk := fh.read(1 << 16):
            scan = max(0, len(buf) - len(_CELL))
            buf += chunk
            if start < 0:
                start = buf.find(_CELL, scan)
                if start < 0:  # still in the <head>/CSS: keep only a possible partial marker
                    keep = min(len(_CELL) - 1, len(buf))
                    base += len(buf) - keep
                    buf = buf[-keep:]
                    continue
                scan = start + 1
            while (nxt := buf.find(_CELL, max(scan, start + 1))) >= 0:
                yield index, base + start, buf[start:nxt].decode("utf-8", "replace")
                index += 1
                start = scan = nxt
            base += start
            buf = buf[start:]
            start = 0
        if start >= 0 and buf:
            yield index, base + start, buf[start:].decode("utf-8", "replace")


def activity_from_html(cell: str) -> Activity | str:
    """One ``outer-cell`` of a My Activity HTML file, or the reason it cannot be read."""
    header_m = _HEADER.search(cell)
    body_m = _BODY.search(cell)
    if body_m is None:
        return "activity cell has no content"
    lines = [s for s in _BR.split(body_m[1]) if s.strip()]
    if len(lines) < 2:
        return "activity cell has no date"
    stamp = parse_html_date(_text(lines[-1]))
    if stamp is None:
        return f"unreadable date {_text(lines[-1])!r}"
    first = lines[0]
    anchor = _ANCHOR.search(first)
    if anchor:
        verb_text = _text(first[: anchor.start()])
        subject: str | None = _text(anchor[2])
        url: str | None = html.unescape(anchor[1])
        title = f"{verb_text} {subject}".strip()
        verb = _VERB_KEYS.get(verb_text.lower())
    else:
        title = _text(first)
        verb, subject = split_title(title)
        url = None
    subtitles = []
    for line in lines[1:-1]:
        a = _ANCHOR.search(line)
        subtitles.append((_text(line), html.unescape(a[1]) if a else None))
    act = Activity(
        header=_text(header_m[1]) if header_m else None,
        title=title,
        verb=verb,
        subject=subject,
        url=url,
        stamp=stamp,
        subtitles=subtitles,
        raw=cell,
    )
    if caption := _CAPTION.search(cell):
        _read_caption(caption[1], act)
    return act


def _read_caption(caption: str, act: Activity) -> None:
    label = None
    for part in _BR.split(caption):
        if part.lstrip().startswith("<b>"):
            label = _CAPTION_LABELS.get(_text(part).rstrip(":").strip().lower())
            continue
        value = _text(part)
        if not value or label is None:
            continue
        if label == "products":
            act.products.append(value)
        elif label == "details":
            act.details.append(value)
        else:
            a = _ANCHOR.search(part)
            source = value.split(":", 1)[0].strip() if a else value
            act.locations.append({"source": source, **({"url": html.unescape(a[1])} if a else {})})


def iter_activity_json(entry: Entry) -> Iterator[tuple[int, Activity] | ImportProblem]:
    for item in iter_json_items(entry):
        if isinstance(item, ImportProblem):
            yield item
            continue
        index, obj = item
        act = activity_from_json(obj)
        if isinstance(act, str):
            yield ImportProblem(act, entry.path, index=index, excerpt=str(obj)[:200])
            continue
        yield index, act


def iter_activity_html(entry: Entry) -> Iterator[tuple[int, int, Activity] | ImportProblem]:
    found = False
    for index, offset, cell in iter_html_cells(entry):
        found = True
        act = activity_from_html(cell)
        if isinstance(act, str):
            excerpt = _text(cell)[:200]
            yield ImportProblem(act, entry.path, index=index, offset=offset, excerpt=excerpt)
            continue
        yield index, offset, act
    if not found:
        yield ImportProblem(
            "no activity entries found in this My Activity HTML file (layout not recognised)",
            entry.path,
            severity="unsupported",
        )


def looks_like_activity_html(entry: Entry) -> bool:
    if entry.suffix != ".html":
        return False
    head = entry.head(8192)
    return b"mdl-" in head and (
        b"<title>My Activity" in head or b"material-design-lite" in head or b"outer-cell" in head
    )


def looks_like_activity_json(entry: Entry) -> bool:
    if entry.suffix != ".json":
        return False
    head = entry.text_head(8192)
    return (
        bool(_JSON_ARRAY_OF_OBJECTS.match(head))
        and '"title"' in head
        and '"time"' in head
        and "youtube#playlistItem" not in head
    )


def youtube_head(entry: Entry) -> bool:
    head = entry.text_head(8192)
    return bool(_YOUTUBE_HEADER.search(head) or _YOUTUBE_PRODUCT.search(head))


def in_my_activity(entry: Entry) -> bool:
    return any(p.lower().startswith(MY_ACTIVITY_NAMES) for p in entry.parts)


def my_activity_product(entry: Entry) -> str | None:
    """The product folder: ``My Activity/<Product>/MyActivity.json`` → "<Product>"."""
    parts = entry.parts
    return parts[-2] if len(parts) >= 2 and in_my_activity(entry) else None
