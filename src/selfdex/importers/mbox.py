"""Mailboxes in mbox format: Gmail Takeout ``Takeout/Mail/All mail Including Spam and Trash.mbox``,
Thunderbird / Apple Mail / mutt mbox files.

One record per message: ``received`` (or ``messaged`` when Gmail labels it ``Sent``) a ``message`` whose
title is the subject, with the sender as creator, Gmail labels as categories, and the body text (the
plain-text part, or the HTML part stripped of markup) as untrusted ``text``, cut at
:data:`MAX_TEXT_CHARS` characters (``extra["text_truncated"]`` then holds the full length).

Mailboxes reach many GB, so the file is streamed: the binary stream is read line by line and split on
``From `` separator lines here (``mailbox.mbox`` needs a seekable file on disk). A separator is a line
starting ``From `` with a time and a year, at the start of the file or after a blank line; mboxrd
``>From `` escapes are undone. Each message is parsed on its own with the ``compat32`` policy of
``email.parser.BytesParser`` (``email.policy.default`` builds a structured header object for every
header and costs ~10 ms a message, minutes per GB); the few headers kept are unfolded and their RFC 2047
encoded words decoded here, and the body part's quoted-printable / base64 and charset are undone from
its raw payload. A message larger than :data:`MAX_MESSAGE_BYTES` (a big attachment)
is parsed from its first bytes only, so memory stays bounded; a message that cannot be parsed is a
problem and the rest of the mailbox still imports. Messages Gmail labels ``Spam`` or ``Draft`` are
reported as skipped.

``Date:`` is RFC 2822 with the sender's offset (kept as ``original_tz``); when it is missing or
unreadable the separator line's date is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ._util import clean, prov
from .base import Importer, ParseResult

MAX_TEXT_CHARS = 20_000
MAX_MESSAGE_BYTES = 16 * 2**20
# "From 1669037033204104991@xxx Tue Jun 09 15:49:11 +0000 2020", "From - Sat Jan  1 00:00:00 2020"
_SEPARATOR = re.compile(rb"^From \S*.*\b\d{1,2}:\d{2}.*\b(?:19|20)\d{2}\b")
_SENT_LABELS = frozenset({"sent", "gesendet", "envoyés", "enviados", "inviati", "verzonden", "skickat"})
_SKIP_LABELS = {"spam": "spam", "draft": "draft (never sent)", "drafts": "draft (never sent)"}
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_KEPT_HEADERS = ("From", "To", "Cc", "Date", "Subject", "Message-ID", "X-Gmail-Labels", "X-GM-THRID")


class _TextOfHtml(HTMLParser):
    """Visible text of an HTML body: tags dropped, script/style skipped, block tags become line breaks."""

    _BLOCKS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def decode_words(value: str) -> str:
    """A raw header value, unfolded, with RFC 2047 encoded words decoded (unknown charsets as UTF-8)."""
    value = _FOLD.sub("", value)
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except (ValueError, LookupError):  # a malformed encoded word: keep the text as written
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        try:
            out.append(chunk.decode(charset or "ascii", errors="replace"))
        except LookupError:
            out.append(chunk.decode("utf-8", errors="replace"))
    return "".join(out)


def _header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    if value is None:
        return None
    if not isinstance(value, str):  # compat32 wraps raw 8-bit header bytes in a Header object
        value = str(value)
    elif not value.isascii():  # raw UTF-8 in a header (common in spam and old clients)
        value = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return clean(decode_words(value))


def _is_attachment(part: Message) -> bool:
    disposition = part.get("Content-Disposition")
    return disposition is not None and str(disposition).lstrip().lower().startswith("attachment")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        return payload.decode("utf-8", errors="replace")


def _body_and_attachments(msg: Message) -> tuple[str, list[str]]:
    """The plain-text part (else the HTML part, as text) and the attachments' file names."""
    found: dict[str, Message] = {}
    attachments: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if _is_attachment(part) or part.get_content_maintype() != "text":
            if (name := part.get_filename()) is not None:
                attachments.append(decode_words(str(name)))
            continue
        subtype = part.get_content_subtype()
        if subtype in ("plain", "html") and subtype not in found:
            found[subtype] = part
        elif (name := part.get_filename()) is not None:
            attachments.append(decode_words(str(name)))
    body = found.get("plain") or found.get("html")
    if body is None:
        return "", attachments
    text = _part_text(body)
    if body is not found.get("plain"):
        text = html_to_text(text)
    return text.replace("\r\n", "\n").strip(), attachments


def _labels(raw: dict[str, str]) -> tuple[str, ...]:
    return tuple(label.strip() for label in (raw.get("X-Gmail-Labels") or "").split(",") if label.strip())


def _skip_reason(labels: set[str]) -> str | None:
    """Why a message with these (lower-cased) Gmail labels is not imported, or None."""
    return next((why for label, why in _SKIP_LABELS.items() if label in labels), None)


def _header_date(date_text: str | None) -> tuple[datetime, str] | None:
    """The ``Date:`` header as (UTC-aware time, the sender's offset as ``original_tz``), or None."""
    if not date_text:
        return None
    try:
        when = parsedate_to_datetime(date_text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, sender's zone unknown
        return when.replace(tzinfo=UTC), "UTC"
    minutes = int(when.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    return when, f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _body(msg: Message, raw: dict[str, str], extra: dict[str, Any], truncated: bool) -> tuple[str, list[str]]:
    """The body text (cut at MAX_TEXT_CHARS) and the attachments' names; what was cut goes in ``extra``."""
    try:
        text, attachments = _body_and_attachments(msg)
    except Exception as exc:  # a broken MIME structure: keep the headers, say what went wrong
        text, attachments = "", []
        raw["body_error"] = str(exc)[:200]
    if len(text) > MAX_TEXT_CHARS:
        extra["text_truncated"] = len(text)
        text = text[:MAX_TEXT_CHARS]
    if truncated:
        extra["message_truncated_at_bytes"] = MAX_MESSAGE_BYTES
    return text, attachments


def _address_extra(msg: Message, raw: dict[str, str], extra: dict[str, Any]) -> tuple[str, str]:
    """The sender's (name, address); the sender's and recipients' addresses go in ``extra``."""
    # split the address before decoding: a decoded name may hold commas or angle brackets
    sender_name, sender_addr = parseaddr(_FOLD.sub("", str(msg.get("From") or "")))
    sender_name = decode_words(sender_name)
    if sender_addr:
        extra["from"] = sender_addr.lower()
    recipients = [
        addr.lower() for _, addr in getaddresses([raw.get("To") or "", raw.get("Cc") or ""]) if addr
    ]
    if recipients:
        extra["to"] = recipients[:20]
    return sender_name, sender_addr


def _message_item(raw: dict[str, str], labels: tuple[str, ...], sender_name: str, sender_addr: str) -> Item:
    message_id = raw.get("Message-ID")
    return Item(
        kind="message",
        title=raw.get("Subject"),
        creators=(clean(sender_name) or sender_addr,) if (sender_name or sender_addr) else (),
        ids={"message_id": message_id.strip("<>")} if message_id else {},
        categories=labels,
    )


class MboxImporter(Importer):
    name = "mbox"
    platform = "mail"
    version = "1"
    description = "mbox mailboxes (Gmail Takeout with labels, Thunderbird, Apple Mail, mutt)"
    handles = ("Takeout/Mail/*.mbox", "*.mbox", "mbox files without a suffix (Thunderbird, Apple Mail)")

    def recognize(self, entry: Entry) -> float:
        head = entry.head(4096)
        first = head.split(b"\n", 1)[0].rstrip(b"\r")
        if _SEPARATOR.match(first):
            looks_like_mail = any(
                marker in head for marker in (b"\nFrom:", b"\nDate:", b"\nReceived:", b"\nX-GM-THRID:")
            )
            if looks_like_mail:
                return 1.0 if entry.suffix in (".mbox", ".mbx", "") else 0.9
            return 0.4
        if entry.suffix in (".mbox", ".mbx"):
            return 0.3  # named like a mailbox but does not start like one: parse() says why
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        parser = BytesParser(policy=compat32)
        for item in self._messages(entry):
            if isinstance(item, ImportProblem):
                yield item
                continue
            index, line, offset, separator, data, truncated = item
            try:
                msg = parser.parsebytes(data)
            except Exception as exc:  # the email package raises many kinds on hostile input
                yield ImportProblem(
                    f"unreadable message: {exc}", entry.path, index=index, line=line, offset=offset
                )
                continue
            yield self._record(entry, msg, index, line, offset, separator, truncated)

    def _messages(self, entry: Entry) -> Iterator[tuple[int, int, int, bytes, bytes, bool] | ImportProblem]:
        """(index, line, byte offset, separator line, message bytes, truncated) for each message."""
        index = -1
        lines: list[bytes] = []
        size = 0
        truncated = False
        start_line = start_offset = 0
        separator = b""
        offset = 0
        prev_blank = True
        with entry.open() as fh:
            for lineno, raw in enumerate(fh, start=1):
                line_len = len(raw)
                if raw[:5] == b"From " and prev_blank and _SEPARATOR.match(raw):
                    if index >= 0:
                        yield index, start_line, start_offset, separator, b"".join(lines), truncated
                    elif size:
                        yield self._preamble(entry)
                    index += 1
                    lines, size, truncated = [], 0, False
                    start_line, start_offset, separator = lineno, offset, raw.rstrip(b"\r\n")
                    offset += line_len
                    prev_blank = False
                    continue
                offset += line_len
                prev_blank = raw in (b"\n", b"\r\n")
                if truncated:
                    continue
                if raw[:1] == b">" and raw.lstrip(b">")[:5] == b"From ":
                    raw = raw[1:]  # mboxrd escape
                size += line_len
                if size > MAX_MESSAGE_BYTES:
                    truncated = True
                    continue
                lines.append(raw)
        if index >= 0:
            yield index, start_line, start_offset, separator, b"".join(lines), truncated
        elif size:
            yield self._preamble(entry)

    def _preamble(self, entry: Entry) -> ImportProblem:
        return ImportProblem(
            "text before the first 'From ' separator line: not an mbox message",
            entry.path,
            line=1,
            offset=0,
            excerpt=entry.text_head(200),
            severity="unsupported",
        )

    def _record(
        self,
        entry: Entry,
        msg: Message,
        index: int,
        line: int,
        offset: int,
        separator: bytes,
        truncated: bool,
    ) -> Record | ImportProblem:
        def problem(reason: str, **more: Any) -> ImportProblem:
            return ImportProblem(reason, entry.path, index=index, line=line, offset=offset, **more)

        raw = {name: value for name in _KEPT_HEADERS if (value := _header(msg, name))}
        if not any(name in raw for name in ("From", "Subject", "Date", "Message-ID")):
            return problem("message has no From, Subject, Date or Message-ID header")
        labels = _labels(raw)
        lowered = {label.lower() for label in labels}
        if (why := _skip_reason(lowered)) is not None:
            return problem(f"{why}: not imported", excerpt=raw.get("Subject"), severity="skipped")
        extra: dict[str, Any] = {}
        date_text = raw.get("Date")
        dated = _header_date(date_text)
        if dated is None:
            if (delivered := self._separator_date(separator)) is None:
                return problem(
                    f"no readable date (Date: {date_text!r}, separator {separator[:80]!r})",
                    excerpt=raw.get("Subject"),
                )
            dated = delivered, "UTC"
            if date_text:
                extra["unreadable_date"] = date_text  # the separator's delivery time stands in
        when, original_tz = dated
        text, attachments = _body(msg, raw, extra, truncated)
        sender = _address_extra(msg, raw, extra)
        if labels:
            extra["labels"] = list(labels)
        if thread := raw.get("X-GM-THRID"):
            extra["thread_id"] = thread
        if attachments:
            extra["attachments"] = attachments[:20]
        return Record(
            platform="gmail" if "X-Gmail-Labels" in raw or "X-GM-THRID" in raw else self.platform,
            action="messaged" if lowered & _SENT_LABELS else "received",
            item=_message_item(raw, labels, *sender),
            when=when,
            original_tz=original_tz,
            precision="second",
            text=text or None,
            extra=extra,
            raw=raw,
            provenance=prov(entry, index, line, offset),
        )

    @staticmethod
    def _separator_date(separator: bytes) -> datetime | None:
        """The date on the 'From ' line (asctime; Gmail adds '+0000'), read as UTC, or None."""
        text = " ".join(separator.decode("ascii", errors="replace").split()[2:])
        try:
            stamp = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
