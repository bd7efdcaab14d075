"""Discord data package (``package.zip``): the messages you sent, one folder per channel.

``messages/c<channel id>/messages.json`` (2023+: ``[{"ID", "Timestamp", "Contents", "Attachments"}]``) or,
in older packages, ``messages/<channel id>/messages.csv`` with the same columns; ``channel.json`` beside it
says what the channel is (``type`` 1 = DM, 3 = group DM, 0 = a server's text channel, with ``guild.name``);
``messages/index.json`` maps every channel id to a label ("Direct Message with jonas", "general in
Dune Club") and is read for nothing else. The package holds only the owner's own messages, so each is
"messaged"; an importer reads one file at a time, so a message names its channel by id, and the channel's
record (from ``channel.json``) carries the same id and the readable name. Timestamps are UTC; old CSVs
write ``2020-01-01 12:00:00.123000+00:00``.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, csv_header, iter_csv, iter_json_items, load_small_json

_CHANNEL_DIR = re.compile(r"^c?(\d{15,22})$")
_TYPES = {
    0: "server channel",
    1: "direct message",
    3: "group DM",
    5: "announcements",
    11: "thread",
    12: "thread",
}


def _channel_id(entry: Entry) -> str | None:
    parts = entry.parts
    if len(parts) >= 3 and parts[-3].lower() == "messages" and (m := _CHANNEL_DIR.match(parts[-2])):
        return m.group(1)
    return None


class DiscordImporter(Importer):
    name = "discord"
    platform = "discord"
    version = "1"
    description = "Discord data package: your messages per channel (JSON and older CSV), channel names"
    handles = ("messages/c<id>/messages.json", "messages/<id>/messages.csv", "messages/c<id>/channel.json")

    def recognize(self, entry: Entry) -> float:
        name = entry.name.lower()
        if name == "index.json" and entry.parts[-2:-1] == ("messages",):
            return 0.9
        if _channel_id(entry) is None:
            return 0.0
        if name == "messages.json":
            head = entry.head(2048)
            return 0.95 if b'"Timestamp"' in head or head.strip() == b"[]" else 0.0
        if name == "messages.csv" and csv_header(entry)[:3] == ["ID", "Timestamp", "Contents"]:
            return 0.95
        if name == "channel.json" and b'"type"' in entry.head(2048):
            return 0.9
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        name = entry.name.lower()
        if name == "index.json":
            yield ImportProblem(
                "channel labels only: each channel is imported from its own channel.json",
                entry.path,
                severity="skipped",
            )
            return
        channel = _channel_id(entry) or ""
        if name == "channel.json":
            yield from self._channel(entry, channel)
            return
        rows: Any = iter_csv(entry) if name == "messages.csv" else iter_json_items(entry, "item")
        for row in rows:
            if isinstance(row, ImportProblem):
                yield row
                continue
            if name == "messages.csv":
                index, line, msg = row
            else:
                (index, msg), line = row, None
            if not isinstance(msg, dict):
                yield ImportProblem("message is not an object", entry.path, index=index)
                continue
            stamp_text = str(msg.get("Timestamp") or "")
            stamp = parse_iso(stamp_text, "UTC")
            if stamp is None:
                yield ImportProblem(
                    f"unreadable Timestamp {stamp_text!r}", entry.path, index=index, line=line
                )
                continue
            text = clean(msg.get("Contents"))
            attachments = clean(msg.get("Attachments"))
            if not text and not attachments:
                continue
            extra: dict[str, Any] = {"channel_id": channel, "identity": f"discord:{msg.get('ID')}"}
            if attachments:
                extra["attachments"] = attachments.split(" ")[:20]
            yield Record(
                platform=self.platform,
                action="messaged",
                item=Item(kind="message", ids={"discord_channel": channel} if channel else {}),
                **stamp_fields(stamp),
                text=text,
                extra=extra,
                raw=msg,
                provenance=prov(entry, index, line),
            )

    def _channel(self, entry: Entry, channel: str) -> ParseResult:
        data = load_small_json(entry)
        if isinstance(data, ImportProblem):
            yield data
            return
        if not isinstance(data, dict):
            yield ImportProblem("channel.json is not an object", entry.path)
            return
        kind = _TYPES.get(data.get("type"), f"type {data.get('type')}")  # type: ignore[arg-type]
        guild = (data.get("guild") or {}).get("name") if isinstance(data.get("guild"), dict) else None
        label = clean(data.get("name"))
        if guild:
            title = f"#{label or channel} in {guild}"
        elif label:
            title = label
        else:
            title = f"{kind} {channel}"
        yield Record(
            platform=self.platform,
            action="subscribed",
            item=Item(
                kind="channel",
                title=title,
                ids={"discord_channel": str(data.get("id") or channel)},
                categories=(kind,),
            ),
            extra={"channel_type": kind, "guild": guild, "recipients": len(data.get("recipients") or [])},
            raw=data,
            provenance=prov(entry),
        )
