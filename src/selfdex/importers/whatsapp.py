"""WhatsApp chat export ("Export chat"): ``_chat.txt`` inside ``WhatsApp Chat - <name>.zip`` (iOS) or
``WhatsApp Chat with <name>.txt`` (Android), with or without the media files beside it.

Two layouts, and the phone's locale decides the rest:

- iOS: ``[15/01/2024, 19:42:07] Jonas Weber: text`` — bracketed, with seconds; attachments and system
  notices start with U+200E ("‎image omitted", "‎<attached: 00000012-PHOTO-….jpg>").
- Android: ``15/01/2024, 19:42 - Jonas Weber: text`` — a dash, minutes only; "<Media omitted>".

Dates are day-first (``15/01/24``, ``15.01.24``) or month-first (``1/15/24, 7:42 PM``; newer iOS puts a
U+202F before "PM"), never said in the file: we read the whole chat once to find a day above 12 in either
place, and only when no line decides it fall back on the separator (dots are day-first, a 12-hour clock is
month-first). Times are the phone's wall clock with no zone (``original_tz="local"``). A message runs
until the next stamped line; system lines (encryption notice, "created group", "added") are not
messages and are left out. Every message's sender is its creator (and so feeds the redaction gazetteer of
correspondents). WhatsApp does not say who exported the chat: in a one-to-one chat, named after the other
person, the exporter is the other sender, and the partner's messages are "received"; in a group every
message is "messaged" by its sender.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..archive import NESTED_SEP, Entry
from ..model import ImportProblem, Item, Precision, Record
from ..timeparse import Stamp, parse_local
from ._util import prov
from .base import Importer, ParseResult

_MARKS = "\u200e\u200f\ufeff"
_DATE = r"(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[\s\u202f\u00a0]*[AaPp]\.?\s?[Mm]\.?)?)"
_IOS = re.compile(rf"^[{_MARKS}]*\[{_DATE},?\s{_TIME}\]\s(?P<rest>.*)$")
_ANDROID = re.compile(rf"^[{_MARKS}]*{_DATE},?\s{_TIME}\s[-–]\s(?P<rest>.*)$")
_NAMES = re.compile(
    r"^(?:WhatsApp Chat (?:with|-) |WhatsApp-Chat mit |Chat de WhatsApp con )(.+?)(?:\.txt|\.zip)?$"
)
_MEDIA = re.compile(
    rf"^[{_MARKS}]*(?:<Media omitted>|<Medien ausgeschlossen>|(?:image|video|audio|sticker|GIF|document) omitted|"
    r"<attached: [^>]+>)",
    re.IGNORECASE,
)
_DELETED = {"This message was deleted", "You deleted this message", "Diese Nachricht wurde gelöscht"}
_SYSTEM_NO_SENDER = re.compile(
    r"\b(end-to-end encrypted|created group|added|removed|left|joined|changed the (subject|group|this group)|"
    r"changed their phone number|security code|disappearing messages)\b",
    re.IGNORECASE,
)


class WhatsAppImporter(Importer):
    name = "whatsapp"
    platform = "whatsapp"
    version = "1"
    description = "WhatsApp chat export (_chat.txt): iOS and Android layouts, day- or month-first dates"
    handles = ("_chat.txt", "WhatsApp Chat with <name>.txt")

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".txt":
            return 0.0
        lines = entry.text_head(4096).splitlines()[:8]
        stamped = sum(1 for line in lines if _IOS.match(line) or _ANDROID.match(line))
        if not stamped:
            return 0.0
        if entry.name == "_chat.txt" or _NAMES.match(entry.name):
            return 0.95
        return 0.6 if stamped >= min(3, len(lines)) else 0.0

    def parse(self, entry: Entry) -> ParseResult:
        order = _date_order(entry)
        chat = _chat_name(entry)
        owner = _owner(entry, chat)
        seen: dict[tuple[Any, ...], int] = {}
        current: datetime | None = None
        index = 0
        for start, stamp_text, rest, body in _messages(entry):
            when = _when(stamp_text, order)
            if when is None:
                yield ImportProblem(
                    f"unreadable date {stamp_text!r} ({order} order)",
                    entry.path,
                    index=index,
                    line=start,
                    excerpt=rest[:200],
                )
                index += 1
                continue
            sender, text = _split_sender(rest)
            if sender is None:
                continue  # a system notice, not a message
            marked = (text or "")[:1] in _MARKS
            text = "\n".join([text or "", *body]) if body else text
            text = text.strip(_MARKS + " ") if text else text
            is_media = bool(text and _MEDIA.match(text))
            deleted = (text or "").rstrip(".") in _DELETED
            # iOS writes its notices as if the group itself had sent them, behind a U+200E; typed text
            # never starts with one, only attachments and deletions do
            if marked and not is_media and not deleted:
                continue
            extra: dict[str, Any] = {"chat": chat, "date_order": order}
            if is_media and text:
                extra["media"] = text.strip(_MARKS + "<>")
                text = None
            elif deleted:
                extra["deleted"] = True
                text = None
            if when[0].when != current:
                # twins can only share a timestamp: forget the previous one's (memory stays flat)
                seen.clear()
                current = when[0].when
            key = (sender, text, extra.get("media"))
            seen[key] = seen.get(key, 0) + 1
            extra["identity"] = f"{chat}#{seen[key]}"
            yield Record(
                platform=self.platform,
                action="received" if owner is not None and sender != owner else "messaged",
                item=Item(kind="message", title=chat, creators=(sender,)),
                when=when[0].when,
                original_tz="local",
                precision=when[1],
                text=text or None,
                extra=extra,
                raw="\n".join([f"{stamp_text} {rest}", *body]),
                provenance=prov(entry, index, start),
            )
            index += 1


def _messages(entry: Entry) -> Iterator[tuple[int, str, str, list[str]]]:
    """(first line, stamp text, rest of the first line, continuation lines) for each stamped line."""
    current: tuple[int, str, str, list[str]] | None = None
    with entry.open_text() as fh:
        for number, raw in enumerate(fh, start=1):
            line = raw.rstrip("\r\n")
            m = _IOS.match(line) or _ANDROID.match(line)
            if m:
                if current is not None:
                    yield current
                current = (number, f"{m['date']} {m['time']}", m["rest"], [])
            elif current is not None:
                current[3].append(line)
    if current is not None:
        yield current


def _date_order(entry: Entry) -> str:
    """ "dmy", "mdy" or "ymd" for the whole file: the first line with a field above 12 decides."""
    fallback: str | None = None
    with entry.open_text() as fh:
        for raw in fh:
            m = _IOS.match(raw) or _ANDROID.match(raw)
            if not m:
                continue
            a, b, _ = re.split(r"[./-]", m["date"])
            if len(a) == 4:
                return "ymd"
            if int(a) > 12:
                return "dmy"
            if int(b) > 12:
                return "mdy"
            if fallback is None:
                twelve_hour = bool(re.search(r"[AaPp]\.?\s?[Mm]", m["time"]))
                fallback = "dmy" if "." in m["date"] else "mdy" if twelve_hour else "dmy"
    return fallback or "dmy"


def _owner(entry: Entry, chat: str, lines: int = 5000) -> str | None:
    """In a one-to-one chat (named after the other person, who is one of its two senders), the exporter
    is the other sender. Groups do not say: None."""
    senders: set[str] = set()
    with entry.open_text() as fh:
        for n, raw in enumerate(fh):
            if n >= lines or len(senders) > 2:
                break
            m = _IOS.match(raw) or _ANDROID.match(raw)
            sender = _split_sender(m["rest"])[0] if m else None
            if sender and not (m and m["rest"].split(": ", 1)[-1][:1] in _MARKS and sender == chat):
                senders.add(sender)
    return next(iter(senders - {chat})) if chat in senders and len(senders) == 2 else None


def _when(stamp_text: str, order: str) -> tuple[Stamp, Precision] | None:
    date_text, time_text = stamp_text.split(" ", 1)
    fields = [int(x) for x in re.split(r"[./-]", date_text)]
    if order == "ymd":
        y, mo, d = fields
    elif order == "mdy":
        mo, d, y = fields
    else:
        d, mo, y = fields
    if y < 100:
        y += 2000
    clock = re.sub(r"[\s\u202f\u00a0.]", "", time_text.replace(".", ":", 2)).upper()
    pm = clock.endswith("PM")
    am = clock.endswith("AM")
    clock = clock.removesuffix("PM").removesuffix("AM")
    parts = [int(x) for x in clock.split(":") if x]
    hh, mm = parts[0], parts[1]
    ss = parts[2] if len(parts) > 2 else 0
    if pm and hh < 12:
        hh += 12
    elif am and hh == 12:
        hh = 0
    try:
        naive = datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return None
    precision: Precision = "second" if len(parts) > 2 else "minute"
    return parse_local(naive, None, precision), precision


def _split_sender(rest: str) -> tuple[str | None, str | None]:
    if ": " not in rest:
        return None, None
    sender, text = rest.split(": ", 1)
    sender = sender.strip(_MARKS + " ~\u202f")
    # 'Mara changed the subject to "Dune: Part Two"' is a notice whose text holds a colon, not a sender
    if not sender or len(sender) > 60 or '"' in sender or _SYSTEM_NO_SENDER.search(sender):
        return None, None
    return sender, text


def _chat_name(entry: Entry) -> str:
    for part in [entry.name, *reversed(entry.path.split(NESTED_SEP)[:-1]), entry.archive]:
        base = part.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if m := _NAMES.match(base):
            return m.group(1).strip()
    return "WhatsApp chat"
