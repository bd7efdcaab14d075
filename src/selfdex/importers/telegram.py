"""Telegram Desktop export (Settings → Advanced → Export Telegram data, "Machine-readable JSON"): ``result.json``.

A full export is one object with ``personal_information`` and ``chats.list`` (every chat with its
``messages``); exporting a single chat writes ``{"name", "type", "id", "messages"}`` instead. A chat can hold
hundreds of thousands of messages, so messages are streamed one at a time while the chat's name and type
(written before its messages) are remembered. ``date`` is the exporting computer's wall clock;
``date_unixtime`` (2022+) is the instant and is preferred. ``text`` is a string or a list of strings and
entity objects (links, bold, mentions) that we join back into plain text. Service messages (joins, pins,
calls) are not messages. Who is the owner is known here: ``personal_information.user_id`` — their messages
are "messaged", everyone else's "received", with the sender as creator (the redaction gazetteer).
"""

from __future__ import annotations

from typing import Any

import ijson
from ijson.common import ObjectBuilder

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import from_epoch, parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult

_FULL = "chats.list.item"


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return clean("".join(v if isinstance(v, str) else str((v or {}).get("text") or "") for v in value))
    return None


class TelegramImporter(Importer):
    name = "telegram"
    platform = "telegram"
    version = "1"
    description = "Telegram Desktop JSON export (result.json): every chat or a single one, streamed"
    handles = ("result.json",)

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".json":
            return 0.0
        head = entry.head(4096)
        if b'"chats"' in head and (b'"personal_information"' in head or b'"about"' in head):
            return 0.95 if entry.name == "result.json" else 0.7
        if b'"messages"' in head and b'"type"' in head and (b'_chat"' in head or b'_group"' in head):
            return 0.9 if entry.name == "result.json" else 0.6
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        owner: str | None = None
        chat: dict[str, Any] = {}
        builder: ObjectBuilder | None = None
        msg_prefix = ""
        index = 0
        try:
            with entry.open() as fh:
                for prefix, event, value in ijson.parse(fh, use_float=True):
                    if builder is not None:
                        if prefix == msg_prefix and event == "end_map":
                            yield from self._message(entry, index, chat, owner, builder.value)
                            index += 1
                            builder = None
                        else:
                            builder.event(event, value)
                        continue
                    if prefix == "personal_information.user_id" and value is not None:
                        owner = f"user{value}"
                    elif prefix == _FULL and event == "start_map":
                        chat = {}  # a new chat: Saved Messages has no name to reset it with
                    elif prefix in (f"{_FULL}.name", "name", f"{_FULL}.type", "type", f"{_FULL}.id", "id"):
                        if event in ("string", "number"):
                            chat[prefix.rsplit(".", 1)[-1]] = value
                    elif event == "start_map" and prefix in (f"{_FULL}.messages.item", "messages.item"):
                        msg_prefix = prefix
                        builder = ObjectBuilder()
                        builder.event(event, value)
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, ValueError) as exc:
            yield ImportProblem(
                f"invalid JSON after {index} messages: {str(exc).splitlines()[0][:200]}",
                entry.path,
                index=index,
            )

    def _message(
        self, entry: Entry, index: int, chat: dict[str, Any], owner: str | None, msg: Any
    ) -> ParseResult:
        if not isinstance(msg, dict):
            yield ImportProblem("message is not an object", entry.path, index=index)
            return
        if msg.get("type") != "message":
            return
        stamp = from_epoch(msg["date_unixtime"]) if msg.get("date_unixtime") else None
        if stamp is None and msg.get("date"):
            stamp = parse_iso(str(msg["date"]))  # no zone: marked "local"
        if stamp is None:
            yield ImportProblem(
                f"message {msg.get('id')} has no readable date",
                entry.path,
                index=index,
                excerpt=str(msg)[:200],
            )
            return
        text = _text(msg.get("text"))
        media = (
            msg.get("media_type")
            or ("photo" if msg.get("photo") else None)
            or ("file" if msg.get("file") else None)
        )
        if not text and not media:
            return
        sender = clean(msg.get("from"))
        mine = owner is not None and msg.get("from_id") == owner
        chat_name = clean(chat.get("name")) or (
            "Saved Messages" if chat.get("type") == "saved_messages" else None
        )
        extra: dict[str, Any] = {
            "chat": chat_name,
            "chat_type": chat.get("type"),
            "identity": f"telegram:{chat.get('id')}:{msg.get('id')}",
        }
        if media:
            extra["media"] = media
        if msg.get("reply_to_message_id"):
            extra["reply_to"] = msg["reply_to_message_id"]
        yield Record(
            platform=self.platform,
            action="messaged" if mine or owner is None else "received",
            item=Item(
                kind="message",
                title=chat_name,
                creators=(sender,) if sender else (),
                ids={"telegram_chat": str(chat["id"])} if chat.get("id") is not None else {},
            ),
            **stamp_fields(stamp),
            text=text,
            extra=extra,
            raw=msg,
            provenance=prov(entry, index),
        )
