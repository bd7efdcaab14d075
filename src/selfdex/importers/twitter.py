"""Twitter / X archive (``twitter-<date>-<hash>.zip`` → ``data/*.js``).

Every data file is JavaScript, ``window.YTD.<type>.part<N> = [ … ]``: the assignment is skipped and the
array streamed as JSON. Tweets are ``tweets.js`` (``tweet.js`` before late 2022; big archives split into
``tweets-part1.js``…), with Ruby-style UTC dates (``Tue Jan 21 00:21:51 +0000 2025``) and numbers as
strings. **Likes carry no timestamp at all**: they are imported with ``when=None``. Interests inferred
in ``personalization.js`` become "interested" topics (undated, too). ``manifest.js``,
``account-timezone.js`` and the other account files are not activity and are reported as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

import ijson

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ._util import clean, prov, to_float
from .base import Importer, ParseResult

_PREFIX = re.compile(rb"^\s*window\.(?:YTD\.([A-Za-z0-9_]+)\.part\d+|(__THAR_CONFIG))\s*=\s*")
_TWEET_TYPES = {"tweets", "tweet", "community_tweet", "note_tweet"}
_TAG = re.compile(r"<[^>]+>")
_NO_DATE = "Twitter archives do not record when a tweet was liked"


def _skip_assignment(fh: IO[bytes]) -> tuple[str | None, bool]:
    """Consume ``window.YTD.<type>.partN = `` from the stream; (type, matched)."""
    head = fh.peek(256)[:256] if hasattr(fh, "peek") else b""
    if head.startswith(b"\xef\xbb\xbf"):
        fh.read(3)
        head = head[3:]
    m = _PREFIX.match(head)
    if not m:
        return None, False
    fh.read(m.end())
    return (m.group(1) or m.group(2)).decode(), True


_RETWEET = re.compile(r"RT @(\w{1,50}): ?")


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


class TwitterImporter(Importer):
    name = "twitter"
    platform = "twitter"
    version = "1"
    description = "Twitter / X archive: tweets, retweets, likes (undated), inferred interests"
    handles = (
        "data/tweets.js, data/tweet.js, data/tweets-partN.js",
        "data/like.js",
        "data/personalization.js",
        "data/manifest.js, data/account-*.js and the rest (skipped: not activity)",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".js":
            return 0.0
        head = entry.head(256).lstrip(b"\xef\xbb\xbf")
        if _PREFIX.match(head):
            return 0.95
        if head.lstrip().startswith(b"Grailbird.data."):
            return 0.6  # pre-2019 archive: recognised, reported as unsupported
        return 0.0

    def parse(self, entry: Entry) -> ParseResult:
        with entry.open() as fh:
            kind, ok = _skip_assignment(fh)
            if not ok or kind is None:
                yield ImportProblem(
                    "pre-2019 Grailbird archive (data/js/tweets/YYYY_MM.js) is not supported; "
                    "request a new archive from X",
                    entry.path,
                    severity="unsupported",
                )
                return
            if kind in _TWEET_TYPES:
                yield from self._items(entry, fh, self._tweet)
            elif kind == "like":
                yield from self._items(entry, fh, self._like)
            elif kind == "personalization":
                yield from self._personalization(entry, fh)
            else:
                label = "manifest (archive metadata)" if kind == "__THAR_CONFIG" else kind
                yield ImportProblem(
                    f"{label} is account data, not activity: not imported",
                    entry.path,
                    severity="skipped",
                )

    def _items(self, entry: Entry, fh: IO[bytes], make: Any) -> ParseResult:
        start = fh.peek(1024)[:1024].lstrip() if hasattr(fh, "peek") else b"["
        if not start.startswith(b"["):
            yield ImportProblem(
                f"recognised as a Twitter archive file, but its data is not an array "
                f"(starts {start[:20]!r}): unknown archive variant",
                entry.path,
                severity="unsupported",
            )
            return
        index = 0
        try:
            for obj in ijson.items(fh, "item", use_float=True):
                try:
                    yield make(entry, index, obj)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    yield ImportProblem(
                        f"unexpected record shape: {type(exc).__name__}: {exc}",
                        entry.path,
                        index=index,
                        excerpt=str(obj)[:200],
                    )
                index += 1
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
            yield ImportProblem(
                f"invalid JSON after {index} records: {str(exc).splitlines()[0][:200]}",
                entry.path,
                index=index,
            )

    def _tweet(self, entry: Entry, index: int, obj: dict[str, Any]) -> Record | ImportProblem:
        t = obj.get("tweet", obj)  # the {"tweet": …} wrapper arrived in 2020
        tweet_id = str(t.get("id_str") or t["id"])
        created = t.get("created_at") or ""
        try:
            when = datetime.strptime(created, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            return ImportProblem(f"unreadable created_at {created!r}", entry.path, index=index)
        text = t.get("full_text") or t.get("text") or ""
        entities = t.get("entities") or {}
        hashtags = tuple(h["text"] for h in entities.get("hashtags") or () if h.get("text"))
        extra: dict[str, Any] = {}
        if reply := t.get("in_reply_to_status_id_str"):
            extra["in_reply_to"] = reply
            extra["in_reply_to_user"] = t.get("in_reply_to_screen_name")
        for key in ("favorite_count", "retweet_count"):
            if (count := to_float(t.get(key))) is not None:
                extra[key] = int(count)
        if lang := t.get("lang"):
            extra["lang"] = lang
        if source := t.get("source"):
            extra["source"] = _TAG.sub("", source)
        if mentions := [
            m["screen_name"] for m in entities.get("user_mentions") or () if m.get("screen_name")
        ]:
            extra["mentions"] = mentions
        if urls := [u["expanded_url"] for u in entities.get("urls") or () if u.get("expanded_url")]:
            extra["links"] = urls
        author: tuple[str, ...] = ()
        title = text
        # The archive's "retweeted" flag is false on the person's own retweets; the text says it.
        if m := _RETWEET.match(text):
            extra["retweet"] = True
            extra["retweet_of"] = m.group(1)
            author, title = (m.group(1),), text[m.end() :]
        return Record(
            platform=self.platform,
            action="reposted" if m else "posted",
            item=Item(
                kind="post",
                title=_first_line(title),
                creators=author,
                ids={"twitter": tweet_id},
                categories=hashtags,
                url=f"https://twitter.com/i/web/status/{tweet_id}",
            ),
            when=when,
            original_tz="UTC",
            precision="second",
            text=text,
            extra=extra,
            raw=t,
            provenance=prov(entry, index),
        )

    def _like(self, entry: Entry, index: int, obj: dict[str, Any]) -> Record:
        like = obj["like"]
        tweet_id = str(like["tweetId"])
        text = like.get("fullText")
        return Record(
            platform=self.platform,
            action="liked",
            item=Item(
                kind="post",
                title=_first_line(text) if text else None,
                ids={"twitter": tweet_id},
                url=clean(like.get("expandedUrl")) or f"https://twitter.com/i/web/status/{tweet_id}",
            ),
            when=None,
            text=text,
            extra={"undated": _NO_DATE},
            raw=like,
            provenance=prov(entry, index),
        )

    def _personalization(self, entry: Entry, fh: IO[bytes]) -> ParseResult:
        try:
            data = list(ijson.items(fh, "item", use_float=True))
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as exc:
            yield ImportProblem(f"invalid JSON: {str(exc).splitlines()[0][:200]}", entry.path)
            return
        index = 0
        for obj in data:
            p13n = (obj or {}).get("p13nData") or {}
            interests = p13n.get("interests") or {}
            for kind, values in (("interest", interests.get("interests")), ("show", interests.get("shows"))):
                for value in self._names(values):
                    name, disabled = value
                    extra: dict[str, Any] = {"source": "inferred by Twitter", "type": kind}
                    if disabled:
                        extra["disabled_by_user"] = True
                    yield Record(
                        platform=self.platform,
                        action="interested",
                        item=Item(kind="topic", title=name, categories=(kind,)),
                        extra=extra,
                        raw={"name": name, "isDisabled": disabled},
                        provenance=prov(entry, index),
                    )
                    index += 1

    @staticmethod
    def _names(values: Any) -> Iterator[tuple[str, bool]]:
        for value in values or ():
            if isinstance(value, str) and value.strip():
                yield value.strip(), False
            elif isinstance(value, dict) and clean(value.get("name")):
                yield value["name"].strip(), bool(value.get("isDisabled"))
