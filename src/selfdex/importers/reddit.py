"""Reddit data request (GDPR/CCPA export ZIP): one CSV per kind of activity.

Files are classified by their header, not their name, because other exports use the same names (Google
Takeout's YouTube folder also has a ``comments.csv``, with ``Comment ID,Channel ID,…``). What we read:
``posts.csv``, ``comments.csv`` (``id,permalink,date,ip,subreddit,gildings,…,body``), ``saved_posts.csv`` and
``saved_comments.csv`` (``id,permalink``), ``post_votes.csv``/``comment_votes.csv`` (``direction`` up, down or
none), ``subscribed_subreddits.csv`` and ``messages.csv``. Saved items and votes carry only a permalink: the
thread's title is read back from its URL slug (``…/comments/1b2c3d/dune_part_two_is_a_masterpiece/``).
Dates are ``2024-03-05 19:22:41 UTC``. The ``ip`` column is dropped from what we keep.
"""

from __future__ import annotations

import re

from ..archive import Entry
from ..model import ImportProblem, Item, Record
from ..timeparse import parse_iso
from ._util import clean, prov, stamp_fields
from .base import Importer, ParseResult, csv_header, iter_csv

_SLUG = re.compile(r"/r/([^/]+)/comments/([a-z0-9]+)(?:/([^/?#]+))?", re.IGNORECASE)
_BASE = "https://www.reddit.com"


def _shape(header: list[str]) -> str | None:
    cols = set(header)
    if header == ["subreddit"]:
        return "subscribed"
    if {"id", "permalink", "direction"} <= cols:
        return "vote"
    if header in (["id", "permalink"], ["id", "permalink", "date"]):
        return "saved"
    if {"id", "permalink", "date", "subreddit", "title"} <= cols:
        return "post"
    if {"id", "permalink", "date", "subreddit", "body", "parent"} <= cols:
        return "comment"
    if {"id", "permalink", "thread_id", "date", "from", "to", "body"} <= cols:
        return "message"
    return None


def _thread(permalink: str | None) -> tuple[str | None, str | None]:
    """(subreddit, title from the URL slug) of a reddit permalink."""
    if not permalink:
        return None, None
    m = _SLUG.search(permalink)
    if not m:
        return None, None
    title = m.group(3).replace("_", " ").strip() if m.group(3) else None
    return m.group(1), title or None


class RedditImporter(Importer):
    name = "reddit"
    platform = "reddit"
    version = "1"
    description = "Reddit data request CSVs: posts, comments, saved, votes, subscriptions, messages"
    handles = (
        "posts.csv",
        "comments.csv",
        "saved_posts.csv",
        "saved_comments.csv",
        "post_votes.csv",
        "comment_votes.csv",
        "subscribed_subreddits.csv",
        "messages.csv",
    )

    def recognize(self, entry: Entry) -> float:
        if entry.suffix != ".csv":
            return 0.0
        shape = _shape(csv_header(entry))
        if shape is None:
            return 0.0
        if shape in ("saved", "vote") and "reddit.com" not in entry.text_head(2048):
            return 0.3 if entry.name.startswith(("saved_", "post_votes", "comment_votes")) else 0.0
        return 0.9

    def parse(self, entry: Entry) -> ParseResult:
        shape = _shape(csv_header(entry))
        saved_comment = entry.name.startswith("saved_comments") or entry.name.startswith("comment_votes")
        for row in iter_csv(entry):
            if isinstance(row, ImportProblem):
                yield row
                continue
            index, line, r = row
            r.pop("ip", None)
            permalink = clean(r.get("permalink"))
            url = (_BASE + permalink if permalink and permalink.startswith("/") else permalink) or None
            sub, slug_title = _thread(permalink)
            sub = clean(r.get("subreddit")) or sub
            stamp = parse_iso(r["date"]) if clean(r.get("date")) else None
            if clean(r.get("date")) and stamp is None:
                yield ImportProblem(f"unreadable date {r.get('date')!r}", entry.path, index=index, line=line)
                continue
            cats = (f"r/{sub}",) if sub else ()
            extra: dict[str, object] = {"reddit_id": r.get("id")} if r.get("id") else {}
            text = None
            creators: tuple[str, ...] = ()
            if shape == "subscribed":
                name = clean(r.get("subreddit"))
                if not name:
                    continue
                action, item = "subscribed", Item(kind="channel", title=f"r/{name}", url=f"{_BASE}/r/{name}/")
            elif shape == "vote":
                direction = (r.get("direction") or "").strip().lower()
                if direction not in ("up", "down"):
                    continue  # a vote taken back ("none") is no opinion
                action = "liked" if direction == "up" else "disliked"
                item = Item(kind="post", title=slug_title, categories=cats, url=url)
                extra["of"] = "comment" if saved_comment else "post"
            elif shape == "saved":
                action = "saved"
                item = Item(kind="post", title=slug_title, categories=cats, url=url)
                extra["of"] = "comment" if saved_comment else "post"
            elif shape == "post":
                action, text = "posted", clean(r.get("body"))
                title = clean(r.get("title")) or slug_title
                item = Item(kind="post", title=title, categories=cats, url=url)
                if link := clean(r.get("url")):
                    extra["link"] = link
            elif shape == "comment":
                action, text = "commented", clean(r.get("body"))
                item = Item(kind="post", title=slug_title, categories=cats, url=url)
            else:  # message
                action, text = "messaged", clean(r.get("body"))
                sender = clean(r.get("from"))
                creators = (sender,) if sender else ()
                item = Item(kind="message", title=clean(r.get("subject")), creators=creators, url=url)
                extra["to"] = r.get("to")
                extra["thread_id"] = r.get("thread_id")
            if text in ("[deleted]", "[removed]"):
                extra["removed"] = text
                text = None
            yield Record(
                platform=self.platform,
                action=action,
                item=item,
                **stamp_fields(stamp),
                text=text,
                extra=extra,
                raw=r,
                provenance=prov(entry, index, line),
            )
