"""The inferred facts kept in normalised tables, so a reader reads what it prints.

A *set* is the facts inferred from one state of the store (its fingerprint); the last two sets are
kept (applying forget rules infers once with the rules' records visible and once with them hidden, after
every import). A fact row is shared by the sets that hold it unchanged (by a digest of its content), and
its citations are rows of their own, ranked: ``profile show`` reads the facts and the first
:data:`SHOWN_CITATIONS` citations of each through the primary key, never every citation of every fact.
Writing a set writes only the facts that changed since the sets already kept.

The component ``profile_facts`` also holds :mod:`.features`' per-record rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from ..store import Store
from .evidence import SHOWN_CITATIONS, CitedFact, Fact

__all__ = ["MIGRATIONS", "load_set", "save_set"]

MIGRATIONS = [
    """
    CREATE TABLE profile_fact_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE profile_fact_rows (
        seq INTEGER PRIMARY KEY,  -- the record's rowid: rows are read in the records' order
        id TEXT NOT NULL,
        platform TEXT NOT NULL,
        action TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT,
        categories TEXT,          -- JSON array, NULL when empty
        ts INTEGER,               -- occurred_at in microseconds since the epoch
        month INTEGER,            -- occurred_at's month, in its own offset
        tz TEXT,
        precision TEXT,
        rating REAL,
        skipped INTEGER NOT NULL,
        place TEXT,
        profile TEXT,             -- extra.profile: which member of a shared streaming account
        reason TEXT,              -- extra.reason of a return
        terms TEXT,               -- JSON [[stems...], phrase]: the topic phrases it names
        said TEXT NOT NULL        -- stems of its descriptive text, space-separated
    );
    CREATE TABLE profile_fact_sets (
        id INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL UNIQUE,
        records INTEGER NOT NULL
    );
    CREATE TABLE profile_facts (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        key TEXT NOT NULL,
        domain TEXT NOT NULL,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        score REAL NOT NULL,
        platforms TEXT NOT NULL,
        detail TEXT NOT NULL,
        citation_count INTEGER NOT NULL
    );
    CREATE TABLE profile_fact_citations (
        fact INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (fact, rank)
    ) WITHOUT ROWID;
    CREATE TABLE profile_fact_members (
        set_id INTEGER NOT NULL,
        pos INTEGER NOT NULL,
        fact INTEGER NOT NULL,
        PRIMARY KEY (set_id, pos)
    ) WITHOUT ROWID;
    CREATE INDEX profile_fact_members_fact ON profile_fact_members(fact);
    """,
]

_KEPT_SETS = 2


def _digest(f: Fact) -> str:
    content = [f.key, f.domain, f.kind, f.label, f.score, f.platforms, f.citations, f.detail]
    return hashlib.blake2b(orjson.dumps(content), digest_size=16).hexdigest()


def save_set(conn: Any, fingerprint: str, records: int, facts: list[Fact]) -> None:
    """Keep ``facts`` as the newest set (inside the caller's transaction); drop sets beyond the last two."""
    conn.execute(
        "DELETE FROM profile_fact_members WHERE set_id IN "
        "(SELECT id FROM profile_fact_sets WHERE fingerprint = ?)",
        (fingerprint,),
    )
    conn.execute("DELETE FROM profile_fact_sets WHERE fingerprint = ?", (fingerprint,))
    set_id = conn.execute(
        "INSERT INTO profile_fact_sets (fingerprint, records) VALUES (?, ?)", (fingerprint, records)
    ).lastrowid
    known = dict(conn.execute("SELECT digest, id FROM profile_facts"))
    members = []
    for pos, f in enumerate(facts):
        digest = _digest(f)
        fact_id = known.get(digest)
        if fact_id is None:
            fact_id = conn.execute(
                "INSERT INTO profile_facts (digest, key, domain, kind, label, score, platforms, detail, "
                "citation_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    digest,
                    f.key,
                    f.domain,
                    f.kind,
                    f.label,
                    f.score,
                    orjson.dumps(f.platforms).decode(),
                    orjson.dumps(f.detail).decode(),
                    len(f.citations),
                ),
            ).lastrowid
            known[digest] = fact_id
            conn.executemany(
                "INSERT INTO profile_fact_citations (fact, rank, record_id) VALUES (?, ?, ?)",
                [(fact_id, rank, rid) for rank, rid in enumerate(f.citations)],
            )
        members.append((set_id, pos, fact_id))
    conn.executemany("INSERT INTO profile_fact_members (set_id, pos, fact) VALUES (?, ?, ?)", members)
    stale = [
        (i,)
        for (i,) in conn.execute(
            "SELECT id FROM profile_fact_sets ORDER BY id DESC LIMIT -1 OFFSET ?", (_KEPT_SETS,)
        )
    ]
    conn.executemany("DELETE FROM profile_fact_members WHERE set_id = ?", stale)
    conn.executemany("DELETE FROM profile_fact_sets WHERE id = ?", stale)
    orphans = [
        (i,)
        for (i,) in conn.execute(
            "SELECT id FROM profile_facts WHERE id NOT IN (SELECT fact FROM profile_fact_members)"
        )
    ]
    conn.executemany("DELETE FROM profile_fact_citations WHERE fact = ?", orphans)
    conn.executemany("DELETE FROM profile_facts WHERE id = ?", orphans)


def load_set(store: Store, fingerprint: str, *, compact: bool = False) -> tuple[list[Fact], int] | None:
    """The facts kept for ``fingerprint``, or None. ``compact``: each with only its first citations."""
    conn = store.conn
    row = conn.execute(
        "SELECT id, records FROM profile_fact_sets WHERE fingerprint = ?", (fingerprint,)
    ).fetchone()
    if row is None:
        return None
    set_id, records = row
    rows = conn.execute(
        "SELECT f.id, f.key, f.domain, f.kind, f.label, f.score, f.platforms, f.detail, f.citation_count "
        "FROM profile_fact_members m JOIN profile_facts f ON f.id = m.fact WHERE m.set_id = ? ORDER BY m.pos",
        (set_id,),
    ).fetchall()
    limit = SHOWN_CITATIONS if compact else -1
    cited: dict[int, list[str]] = {}
    for r in rows:
        cited[r[0]] = [
            rid
            for (rid,) in conn.execute(
                "SELECT record_id FROM profile_fact_citations WHERE fact = ? ORDER BY rank LIMIT ?",
                (r[0], limit),
            )
        ]
    facts: list[Fact] = []
    for fid, key, domain, kind, label, score, platforms, detail, count in rows:
        fields = (key, domain, kind, label, score, orjson.loads(platforms), cited[fid], orjson.loads(detail))
        facts.append(CitedFact(*fields, citation_count=count) if compact else Fact(*fields))
    return facts, records
