"""Entity linking kept up to date in the store, from the records that arrived since the last run.

What :func:`.entities.link_records` computes in memory, persisted so that an import costs what it brings:

* each record's mentions are computed once, as a *signature* (``profile_record_sigs`` → ``profile_sigs``);
  a streaming video is recomputed only when an episode names a new series (its ``series_key``);
* clustering runs on the distinct mentions and signatures (a few per distinct item, not per record), and
  only the records of a signature whose entities changed are rewritten in ``profile_entity_records``;
  entity ids are kept per key, so an unchanged entity keeps its rows;
* document frequencies live in ``profile_words``; a text is re-read when it is new, when its own
  entities changed, or when a name that could start at one of its words (``profile_text_words``) changed;
* payments are matched again over the Amazon and bank rows only.

A full rebuild (the same code from empty tables) runs when the linking version changes, when records were
deleted or replaced, or on request (``selfdex profile rebuild``). Memory stays bounded by the distinct
mentions and signatures: records are streamed in batches.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from ..store import Store
from .entities import (
    _COLUMNS,
    MIGRATIONS,
    Entity,
    Mention,
    link_mentions,
    mention_ident,
    series_keys,
)
from .mentions import _record_mentions
from .names import title_key
from .payments import _payments
from .textlinks import (
    TEXTUAL_KINDS,
    Names,
    co_pairs,
    corroborators,
    doc_words,
    found_in,
    name_words,
    said_words,
    text_names,
)

__all__ = ["fingerprint", "update_entities"]

# Bump when linking changes, so entities computed by an older version are recomputed.
_LINKING_VERSION = 3
_BATCH = 2000
_STREAMING = ("netflix", "prime_video", "disney_plus")
_TEXTUAL = "(" + ", ".join(f"'{k}'" for k in sorted(TEXTUAL_KINDS)) + ")"
_DERIVED = (
    "profile_links",
    "profile_entity_records",
    "profile_entities",
    "profile_record_links",
    "profile_mentions",
    "profile_sigs",
    "profile_record_sigs",
    "profile_series_keys",
    "profile_words",
    "profile_text_words",
    "profile_text_found",
)


def fingerprint(store: Store) -> str:
    row = store.conn.execute("SELECT count(*), coalesce(max(rowid), 0) FROM records").fetchone()
    return f"v{_LINKING_VERSION}|{row[0]}:{row[1]}"


def update_entities(
    store: Store,
    *,
    force: bool = False,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> bool:
    """Bring entities and links up to date with the records; True when anything was recomputed.

    ``force`` rebuilds from empty tables (what a version change does); ``on_phase`` hears each step."""
    store.ensure_schema("profile", MIGRATIONS)
    now = fingerprint(store)
    row = store.conn.execute("SELECT value FROM profile_state WHERE key = 'records'").fetchone()
    if not force and row and row[0] == now:
        return False
    with store.transaction() as conn:
        _Pass(store, conn, force, embed, on_phase or (lambda _: None)).run()
        _set(conn, "records", fingerprint(store))
    return True


def _set(conn: Any, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO profile_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _get(conn: Any, key: str) -> str | None:
    row = conn.execute("SELECT value FROM profile_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _batches(cur: Any) -> Iterator[list[Any]]:
    while rows := cur.fetchmany(_BATCH):
        yield rows


@dataclass(slots=True)
class _Watermark:
    version: int
    rowid: int  # records up to this rowid are linked
    count: int  # and there were this many of them

    @classmethod
    def read(cls, conn: Any) -> _Watermark | None:
        raw = _get(conn, "linked")
        return cls(**json.loads(raw)) if raw else None


class _Pass:
    """One update: new records in, changed signatures rewritten, texts re-read where names changed."""

    def __init__(
        self,
        store: Store,
        conn: Any,
        force: bool,
        embed: Callable[[list[str]], np.ndarray] | None,
        on_phase: Callable[[str], None],
    ) -> None:
        self.store, self.conn, self.embed, self.say = store, conn, embed, on_phase
        mark = _Watermark.read(conn)
        if mark is not None and not force and mark.version == _LINKING_VERSION:
            linked = conn.execute("SELECT count(*) FROM records WHERE rowid <= ?", (mark.rowid,)).fetchone()[
                0
            ]
            if linked == mark.count:  # nothing deleted or replaced since
                self.mark = mark
                return
        self.say("rebuilding entity links from every record")
        for table in _DERIVED:
            conn.execute(f"DELETE FROM {table}")
        self.mark = _Watermark(_LINKING_VERSION, 0, 0)

    def run(self) -> None:
        conn = self.conn
        top = conn.execute("SELECT coalesce(max(rowid), 0), count(*) FROM records").fetchone()
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS linking_moved (record_id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.linking_moved")
        self.mention_ids = {
            ident: (i, Mention(**_mention_fields(data)))
            for i, ident, data in conn.execute("SELECT id, ident, data FROM profile_mentions")
        }
        self.sig_ids: dict[str, int] = {p: i for i, p in conn.execute("SELECT id, pairs FROM profile_sigs")}
        self.keys = {k for (k,) in conn.execute("SELECT key FROM profile_series_keys")}
        self._series()
        self.say("reading the new records' mentions")
        self._new_records()
        self.say("clustering mentions into entities")
        entities, sig_entities, links = self._link()
        self._rewrite(sig_entities)
        self.say("finding entities named in texts")
        self._texts(entities, sig_entities, links)
        self.say("matching payments")
        self._payments()
        conn.execute("DELETE FROM profile_links")
        conn.executemany(
            "INSERT OR IGNORE INTO profile_links (src, dst, relation, evidence) VALUES (?, ?, ?, ?)",
            [(self.ids[s], self.ids[d], rel, ev) for s, d, rel, ev in links],
        )
        _set(conn, "linked", json.dumps({"version": _LINKING_VERSION, "rowid": top[0], "count": top[1]}))

    # -- signatures ---------------------------------------------------------------------------------

    def _sig(self, row: dict[str, Any]) -> int:
        pairs = []
        for m, role in _record_mentions(row, self.keys):
            ident = mention_ident(m)
            known = self.mention_ids.get(ident)
            if known is None:
                cur = self.conn.execute(
                    "INSERT INTO profile_mentions (ident, data) VALUES (?, ?)", (ident, _mention_data(m))
                )
                known = self.mention_ids[ident] = (int(cur.lastrowid or 0), m)
            elif m.free() < known[1].free():  # the same identity written more simply: kept (as in memory)
                self.conn.execute(
                    "UPDATE profile_mentions SET data = ? WHERE id = ?", (_mention_data(m), known[0])
                )
                known = self.mention_ids[ident] = (known[0], m)
            pairs.append([known[0], role])
        key = orjson.dumps(pairs).decode()
        sig = self.sig_ids.get(key)
        if sig is None:
            cur = self.conn.execute("INSERT INTO profile_sigs (pairs, records) VALUES (?, 0)", (key,))
            sig = self.sig_ids[key] = int(cur.lastrowid or 0)
        return sig

    def _series(self) -> None:
        """Series named by new episodes; the streaming videos already linked under such a title move."""
        cur = self.conn.execute(
            f"SELECT {_COLUMNS} FROM records WHERE rowid > ? AND kind = 'episode'", (self.mark.rowid,)
        )
        new = series_keys(dict(r) for r in cur) - self.keys
        if not new:
            return
        self.conn.executemany("INSERT INTO profile_series_keys (key) VALUES (?)", [(k,) for k in sorted(new)])
        self.keys |= new
        marks = ", ".join("?" for _ in new)
        cur = self.conn.execute(
            f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))}, rs.sig FROM records r "
            f"JOIN profile_record_sigs rs ON rs.record_id = r.id WHERE rs.series_key IN ({marks})",
            sorted(new),
        )
        for batch in [cur.fetchall()]:  # read whole: the loop rewrites the table it reads
            moves = []
            for r in batch:
                sig = self._sig(dict(r))
                if sig != r["sig"]:
                    moves.append((r["sig"], sig, r["id"]))
            self.conn.executemany(
                "UPDATE profile_sigs SET records = records - 1 WHERE id = ?", [(m[0],) for m in moves]
            )
            self.conn.executemany(
                "UPDATE profile_sigs SET records = records + 1 WHERE id = ?", [(m[1],) for m in moves]
            )
            self.conn.executemany(
                "UPDATE profile_record_sigs SET sig = ? WHERE record_id = ?", [m[1:] for m in moves]
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO temp.linking_moved VALUES (?)", [(m[2],) for m in moves]
            )

    def _new_records(self) -> None:
        cur = self.store.conn.execute(
            f"SELECT {_COLUMNS} FROM records WHERE rowid > ? ORDER BY rowid", (self.mark.rowid,)
        )
        for batch in _batches(cur):
            sigs: Counter[int] = Counter()
            df: Counter[str] = Counter()
            record_sigs, text_words = [], []
            for r in batch:
                row = dict(r)
                sig = self._sig(row)
                sigs[sig] += 1
                video = row["kind"] == "video" and row["platform"] in _STREAMING
                record_sigs.append((row["id"], sig, title_key(row["title"]) if video else None))
                df.update(doc_words(row))
                if row["kind"] in TEXTUAL_KINDS:
                    text_words += [(w, row["id"]) for w in set(said_words(row))]
            self.conn.executemany(
                "UPDATE profile_sigs SET records = records + ? WHERE id = ?",
                [(n, s) for s, n in sigs.items()],
            )
            self.conn.executemany(
                "INSERT INTO profile_record_sigs (record_id, sig, series_key) VALUES (?, ?, ?)", record_sigs
            )
            self.conn.executemany(
                "INSERT INTO profile_words (word, df) VALUES (?, ?) ON CONFLICT(word) DO UPDATE SET df = df + excluded.df",
                list(df.items()),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO profile_text_words (word, record_id) VALUES (?, ?)", text_words
            )

    # -- entities -------------------------------------------------------------------------------------

    def _link(self) -> tuple[list[Entity], dict[int, list[tuple[int, str]]], set[tuple[int, int, str, str]]]:
        """The in-memory linking on every distinct mention and signature; entity ids kept per key."""
        live = [
            (sig, orjson.loads(pairs), n)
            for sig, pairs, n in self.conn.execute(
                "SELECT id, pairs, records FROM profile_sigs WHERE records > 0"
            )
        ]
        # Only mentions some record still makes: a title that moved (a video now known to be a series'
        # episode) must not leave behind the entity a full build would never create.
        used = {m for _sig, pairs, _n in live for m, _role in pairs}
        order = sorted(ident for ident, (mid, _m) in self.mention_ids.items() if mid in used)
        index = {self.mention_ids[ident][0]: i for i, ident in enumerate(order)}
        mentions = [Mention(**_mention_fields(_mention_data(self.mention_ids[ident][1]))) for ident in order]
        sig_ids, sigs = [], []
        for sig, pairs, n in live:
            mapped = [(index[m], role) for m, role in pairs]
            for m, _role in mapped:
                mentions[m].weight += n
            sig_ids.append(sig)
            sigs.append(mapped)
        entities, _mention_entity, sig_entities, links = link_mentions(mentions, sigs, self.embed)
        self.ids = self._entity_ids(entities, zip(sig_ids, sig_entities, strict=True))
        return entities, dict(zip(sig_ids, sig_entities, strict=True)), links

    def _entity_ids(self, entities: list[Entity], sig_entities: Any) -> list[int]:
        items: Counter[int] = Counter()
        counts = dict(self.conn.execute("SELECT id, records FROM profile_sigs"))
        for sig, pairs in sig_entities:
            for ent, role in pairs:
                if role == "item":
                    items[ent] += counts[sig]
        old = {
            key: (i, tuple(rest))
            for i, key, *rest in self.conn.execute(
                "SELECT id, key, type, name, creators, year, platforms, records FROM profile_entities"
            )
        }
        top = max((i for i, _ in old.values()), default=0)
        ids: list[int] = []
        for n, e in enumerate(entities):
            row = (
                e.type,
                e.name,
                json.dumps(e.creators, ensure_ascii=False),
                e.year,
                json.dumps(e.platforms),
                items[n],
            )
            have = old.pop(e.key, None)
            if have is None:
                top += 1
                self.conn.execute(
                    "INSERT INTO profile_entities (id, key, type, name, creators, year, platforms, records) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (top, e.key, *row),
                )
                ids.append(top)
                continue
            if have[1] != row:
                self.conn.execute(
                    "UPDATE profile_entities SET type = ?, name = ?, creators = ?, year = ?, platforms = ?, "
                    "records = ? WHERE id = ?",
                    (*row, have[0]),
                )
            ids.append(have[0])
        self.conn.executemany("DELETE FROM profile_entities WHERE id = ?", [(i,) for i, _ in old.values()])
        return ids

    def _rewrite(self, sig_entities: dict[int, list[tuple[int, str]]]) -> None:
        """Rows of the records whose signature's entities changed, of moved records and of new records."""
        conn = self.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS linking_changed (sig INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.linking_changed")
        stored = dict(conn.execute("SELECT id, entities FROM profile_sigs"))
        writes = []
        for sig, pairs in sig_entities.items():
            value = orjson.dumps([[self.ids[e], role] for e, role in pairs]).decode()
            if stored.get(sig) != value:
                writes.append((value, sig))
        conn.executemany("UPDATE profile_sigs SET entities = ? WHERE id = ?", writes)
        conn.executemany("INSERT INTO temp.linking_changed VALUES (?)", [(s,) for _, s in writes])
        # Records to write: those of changed signatures, moved and new ones.
        conn.execute(
            "INSERT OR IGNORE INTO temp.linking_moved SELECT record_id FROM profile_record_sigs "
            "WHERE sig IN (SELECT sig FROM temp.linking_changed)"
        )
        conn.execute(
            "INSERT OR IGNORE INTO temp.linking_moved SELECT id FROM records WHERE rowid > ?",
            (self.mark.rowid,),
        )
        conn.execute(
            "DELETE FROM profile_entity_records WHERE record_id IN (SELECT record_id FROM temp.linking_moved)"
        )
        conn.execute(
            "DELETE FROM profile_text_found WHERE record_id IN (SELECT record_id FROM temp.linking_moved)"
        )
        conn.execute(
            "INSERT INTO profile_entity_records (record_id, entity_id, role) "
            "SELECT m.record_id, json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]') FROM temp.linking_moved m "
            "JOIN profile_record_sigs rs ON rs.record_id = m.record_id "
            "JOIN profile_sigs s ON s.id = rs.sig, json_each(s.entities) e"
        )

    # -- texts ----------------------------------------------------------------------------------------

    def _texts(
        self,
        entities: list[Entity],
        sig_entities: dict[int, list[tuple[int, str]]],
        links: set[tuple[int, int, str, str]],
    ) -> None:
        conn = self.conn
        words = sorted(name_words(entities))
        df: Counter[str] = Counter()
        for i in range(0, len(words), 500):
            chunk = words[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            df.update(
                dict(conn.execute(f"SELECT word, df FROM profile_words WHERE word IN ({marks})", chunk))
            )
        n_docs = conn.execute("SELECT count(*) FROM profile_record_sigs").fetchone()[0]
        names = text_names(entities, df, n_docs)
        support = corroborators(entities, links)
        state = _text_state(names, support, entities)
        before = orjson.loads(_get(conn, "text_names") or "{}")
        changed = sorted(w for w in state.keys() | before.keys() if state.get(w) != before.get(w))
        _set(conn, "text_names", orjson.dumps(state).decode())
        for i in range(0, len(changed), 250):  # texts where a changed name could start
            chunk = [v for w in changed[i : i + 250] for v in (w, w + "s")]
            marks = ", ".join("?" for _ in chunk)
            conn.execute(
                "INSERT OR IGNORE INTO temp.linking_moved SELECT record_id FROM profile_text_words "
                f"WHERE word IN ({marks})",
                chunk,
            )
        conn.execute(
            "DELETE FROM profile_entity_records WHERE role = 'mention' "
            "AND record_id IN (SELECT record_id FROM temp.linking_moved)"
        )
        conn.execute(
            "DELETE FROM profile_text_found WHERE record_id IN (SELECT record_id FROM temp.linking_moved)"
        )
        ids = self.ids
        cur = self.store.conn.execute(
            "SELECT r.id, r.kind, r.title, r.text, rs.sig FROM temp.linking_moved m "
            "JOIN records r ON r.id = m.record_id JOIN profile_record_sigs rs ON rs.record_id = r.id "
            f"WHERE r.kind IN {_TEXTUAL}"
        )
        for batch in _batches(cur):
            rows, found_rows = [], []
            for r in batch:
                pairs = sig_entities.get(r["sig"], [])
                named = found_in(said_words(dict(r)), pairs, entities, names, support) if names else None
                if named is None:
                    continue
                found, own = named
                have = {ent for ent, _ in pairs}
                rows += [(r["id"], ids[ent], "mention") for ent in sorted(found - have)]
                found_rows.append((r["id"], orjson.dumps(sorted(ids[e] for e in found | own)).decode()))
            conn.executemany(
                "INSERT INTO profile_entity_records (record_id, entity_id, role) VALUES (?, ?, ?)", rows
            )
            conn.executemany("INSERT INTO profile_text_found (record_id, named) VALUES (?, ?)", found_rows)
        co: Counter[tuple[int, int]] = Counter()
        index = {ent_id: n for n, ent_id in enumerate(ids)}
        for (named_ids,) in conn.execute("SELECT named FROM profile_text_found"):
            co.update(co_pairs({index[i] for i in orjson.loads(named_ids)}))
        for (a, b), n in co.items():
            if n >= 2:  # as in text_mentions
                links.add((a, b, "co_mentioned", f"{n} records"))

    def _payments(self) -> None:
        cur = self.store.conn.execute(
            f"SELECT {_COLUMNS} FROM records WHERE amount IS NOT NULL "
            "AND (platform = 'amazon' OR kind = 'transaction') ORDER BY rowid"
        )
        links = _payments([dict(r) for r in cur])
        self.conn.execute("DELETE FROM profile_record_links")
        self.conn.executemany(
            "INSERT OR IGNORE INTO profile_record_links (a, b, relation, evidence) VALUES (?, ?, ?, ?)",
            sorted(links),
        )


def _text_state(
    names: Names, support: dict[int, list[tuple[str, ...]]], entities: list[Entity]
) -> dict[str, Any]:
    """Per first word, what decides whether a text names something there (entity keys, not indexes)."""
    out: dict[str, Any] = {}
    for first, entries in names.items():
        out[first] = sorted(
            [list(name), entities[ent].key, weak, sorted(map(list, support.get(ent, ()))) if weak else []]
            for name, ent, weak in entries
        )
    return out


_FIELDS = (
    "cls",
    "platform",
    "title",
    "key",
    "main",
    "creators",
    "creator_names",
    "ids",
    "year",
    "album",
    "soundtrack",
    "series",
)


def _mention_data(m: Mention) -> str:
    return orjson.dumps([getattr(m, f) for f in _FIELDS]).decode()


def _mention_fields(data: str) -> dict[str, Any]:
    values = dict(zip(_FIELDS, orjson.loads(data), strict=True))
    values["creators"] = tuple(values["creators"])
    values["creator_names"] = tuple(values["creator_names"])
    values["ids"] = tuple(tuple(p) for p in values["ids"])
    return values
