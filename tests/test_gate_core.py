"""The disclosure gate: grants, levels, scope, caps, fields, hidden records, redaction, failing closed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from selfdex.gate import (
    AggregatesRequest,
    Answer,
    AskRequest,
    CandidateIn,
    CapExceeded,
    Forbidden,
    Gate,
    GateFailure,
    GrantError,
    ProfileRequest,
    Providers,
    RerankRequest,
    Scope,
    SearchRequest,
    Unauthenticated,
    Unavailable,
    revoke_grant,
)
from selfdex.gate.grants import list_grants, utc_now
from selfdex.gate.models import GateRequest, GrantRequest
from selfdex.model import Item, Record
from selfdex.rank import Ranked
from selfdex.store import Store

from .gate_support import grant, providers
from .sample_store import fresh_store


@pytest.fixture
def store(sample_exports: Path, tmp_path: Path) -> Iterator[Store]:
    s = fresh_store(sample_exports, tmp_path)
    yield s
    s.close()


@pytest.fixture
def gate(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Gate:
    return Gate(store, providers(tmp_path_factory.getbasetemp()))


def test_no_grant_means_nothing(gate: Gate) -> None:
    for token in (None, "", "sdx_not-a-token", "Bearer x"):
        with pytest.raises(Unauthenticated):
            gate.disclose(token, SearchRequest(query="dune"), channel="test")
    assert gate.audit.entries() == []  # unknown callers are not audited


def test_tokens_are_stored_hashed(store: Store) -> None:
    token = grant(store, "netflix", platforms=("netflix",))
    dump = "\n".join(store.conn.iterdump())
    assert token not in dump


def test_expired_and_revoked_grants_are_refused(store: Store, gate: Gate) -> None:
    token = grant(store, "short", level="raw")
    assert gate.disclose(token, SearchRequest(query="dune"), channel="test").audit_seq == 1
    later = Gate(store, gate.providers, clock=lambda: utc_now() + timedelta(days=2))
    with pytest.raises(Unauthenticated, match="expired"):
        later.disclose(token, SearchRequest(query="dune"), channel="test")
    revoke_grant(store, "short")
    with pytest.raises(Unauthenticated, match="revoked"):
        gate.disclose(token, SearchRequest(query="dune"), channel="test")
    outcomes = [(e.outcome, e.status) for e in gate.audit.entries()]
    assert outcomes == [("disclosed", 200), ("refused", 401), ("refused", 401)]


def test_scope_validation() -> None:
    with pytest.raises(GrantError):
        Scope(platforms=())
    with pytest.raises(GrantError):
        Scope(platforms=("*",), fields=("raw",))
    with pytest.raises(GrantError):
        Scope(platforms=("*",), keep=("everything",))


def test_one_live_grant_per_name(store: Store) -> None:
    grant(store, "netflix", platforms=("netflix",))
    with pytest.raises(GrantError, match="revoke it first"):
        grant(store, "netflix", platforms=("netflix",))
    revoke_grant(store, "netflix")
    grant(store, "netflix", platforms=("netflix",))
    assert [g.state() for g in list_grants(store, include_revoked=True)] == ["revoked", "active"]


@pytest.mark.parametrize("name", ["", "  ", "a/b", "../x", "net flix", "<script>", "x" * 65])
def test_recipient_names_are_plain(store: Store, name: str) -> None:
    with pytest.raises(GrantError):
        grant(store, name, platforms=("netflix",))


def test_levels(store: Store, gate: Gate) -> None:
    answers = grant(store, "answers-only", level="answers")
    with pytest.raises(Forbidden):
        gate.disclose(answers, SearchRequest(query="dune"), channel="test")
    with pytest.raises(Forbidden):
        gate.disclose(answers, AggregatesRequest(), channel="test")
    agg = grant(store, "aggregates", level="aggregates", platforms=("spotify",))
    body = gate.disclose(agg, AggregatesRequest(), channel="test").payload
    assert {c["name"] for c in body["by_platform"]} == {"spotify"}
    with pytest.raises(Forbidden):
        gate.disclose(agg, SearchRequest(query="dune"), channel="test")


def test_search_stays_inside_platforms_kinds_fields_and_window(store: Store, gate: Gate) -> None:
    token = grant(
        store,
        "films",
        level="raw",
        platforms=("letterboxd", "netflix"),
        kinds=("movie",),
        since="2024-01-01",
        fields=("title", "occurred_at"),
        per_request=50,
    )
    out = gate.disclose(token, SearchRequest(query="", limit=50), channel="test").payload
    assert out["records"]
    for rec in out["records"]:
        assert rec["platform"] in ("letterboxd", "netflix") and rec["kind"] == "movie"
        assert rec["occurred_at"] >= "2024-01-01"
        assert set(rec) <= {"id", "platform", "action", "kind", "title", "occurred_at"}
    with pytest.raises(Forbidden):
        gate.disclose(token, SearchRequest(query="knife", platforms=["amazon"]), channel="test")
    # Nothing from outside the grant is even searchable.
    assert gate.disclose(token, SearchRequest(query="Shun Classic"), channel="test").payload["count"] == 0


def test_per_request_and_per_day_caps(store: Store, gate: Gate) -> None:
    token = grant(store, "capped", level="raw", per_request=3, per_day=2)
    out = gate.disclose(token, SearchRequest(query="", limit=100), channel="test").payload
    assert out["count"] == 3 and out["truncated"]
    many = [CandidateIn(id=str(i), title=f"Item {i}") for i in range(4)]
    with pytest.raises(Forbidden, match="cap"):
        gate.disclose(token, RerankRequest(candidates=many), channel="test")
    gate.disclose(token, GrantRequest(), channel="test")
    with pytest.raises(CapExceeded):
        gate.disclose(token, GrantRequest(), channel="test")


def test_hidden_records_never_leave(store: Store, gate: Gate) -> None:
    token = grant(store, "books", level="raw", platforms=("goodreads",), fields=("title", "text"))
    first = gate.disclose(token, SearchRequest(query="dune"), channel="test").payload["records"]
    hidden = first[0]["id"]
    store.conn.execute("INSERT INTO hidden_records (record_id, reason) VALUES (?, 'forget')", (hidden,))
    after = gate.disclose(token, SearchRequest(query="dune"), channel="test").payload["records"]
    assert hidden not in {r["id"] for r in after}
    agg = grant(store, "books-agg", level="aggregates", platforms=("goodreads",))
    total = gate.disclose(agg, AggregatesRequest(), channel="test").payload["total"]
    visible = store.conn.execute("SELECT count(*) FROM records WHERE platform = 'goodreads'").fetchone()[0]
    assert total == visible - 1


def test_redaction_before_leaving(store: Store, gate: Gate) -> None:
    token = grant(store, "mail", level="raw", platforms=("gmail",), fields=("title", "text", "creators"))
    out = gate.disclose(token, SearchRequest(query="", limit=20), channel="test").body.decode()
    assert "claims@parcel-refund.example" not in out and "[email]" in out
    assert "Jonas" not in out and "[person]" in out
    keep = grant(
        store, "mail-with-names", level="raw", platforms=("gmail",), fields=("text",), keep=("person",)
    )
    assert "Jonas" in gate.disclose(keep, SearchRequest(query="Karten"), channel="test").body.decode()


def test_coordinates_are_coarsened(store: Store, gate: Gate) -> None:
    token = grant(
        store, "maps", level="raw", platforms=("google_maps",), fields=("lat", "lon"), geo_decimals=1
    )
    recs = gate.disclose(token, SearchRequest(query="", limit=20), channel="test").payload["records"]
    coords = [(r["lat"], r["lon"]) for r in recs if "lat" in r]
    assert coords and all(round(v, 1) == v for pair in coords for v in pair)


def test_rerank_reasons_only_quote_granted_records(store: Store, gate: Gate) -> None:
    token = grant(store, "netflix", level="answers", platforms=("letterboxd",))
    cands = [
        CandidateIn(id="a", title="Dune: Part Two"),
        CandidateIn(id="b", title="Shun Classic Chef's Knife"),
    ]
    out = gate.disclose(token, RerankRequest(platform="netflix", candidates=cands), channel="test")
    assert [r["id"] for r in out.payload["ranking"]] == ["a", "b"]
    assert all("cited" not in r for r in out.payload["ranking"])  # record ids only at level raw
    assert all("letterboxd" in r["reason"] for r in out.payload["ranking"])
    allowed = {r[0] for r in store.conn.execute("SELECT id FROM records WHERE platform = 'letterboxd'")}
    assert set(out.record_ids) <= allowed


def test_missing_providers_are_refused(store: Store, gate: Gate) -> None:
    token = grant(store, "facts", level="facts")
    bare = Gate(store, Providers(rerank=gate.providers.rerank))  # no facts provider
    with pytest.raises(Unavailable):
        bare.disclose(token, ProfileRequest(), channel="test")


def test_fails_closed_on_provider_error_and_hostile_output(store: Store, gate: Gate) -> None:
    token = grant(store, "shop", level="raw", platforms=("letterboxd",))
    cands = [CandidateIn(id="a", title="Dune")]

    def broken(view: object, candidates: object) -> list[Ranked]:
        raise RuntimeError("boom")

    with pytest.raises(GateFailure):
        Gate(store, Providers(rerank=broken)).disclose(token, RerankRequest(candidates=cands), channel="test")

    outside = store.conn.execute("SELECT id FROM records WHERE platform = 'amazon' LIMIT 1").fetchone()[0]

    def hostile(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        return [Ranked(candidate=c, score=1.0, reason="trust me", cited=(outside,)) for c in candidates]

    with pytest.raises(GateFailure, match="outside the grant"):
        Gate(store, Providers(rerank=hostile)).disclose(
            token, RerankRequest(candidates=cands), channel="test"
        )

    def leaky(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        return [Ranked(candidate=c, score=1.0, reason="card 4111 1111 1111 1111") for c in candidates]

    out = Gate(store, Providers(rerank=leaky)).disclose(
        token, RerankRequest(candidates=cands), channel="test"
    )
    assert "4111" not in out.body.decode()
    refused = [e for e in gate.audit.entries() if e.outcome == "refused"]
    assert [e.status for e in refused] == [500, 500]


def test_preview_equals_disclosure(store: Store, gate: Gate) -> None:
    token = grant(store, "netflix-2", level="raw", platforms=("letterboxd", "netflix"))
    for request in (
        SearchRequest(query="dune", limit=5),
        AggregatesRequest(),
        RerankRequest(candidates=[CandidateIn(id="a", title="Arrival"), CandidateIn(id="b", title="Heat")]),
    ):
        preview = gate.preview("netflix-2", request)
        actual = gate.disclose(token, request, channel="test")
        assert preview.body == actual.body
        assert preview.audit_seq is None


def test_time_window_holds_for_bounds_with_an_offset_or_a_space(store: Store, gate: Gate) -> None:
    """The store keeps UTC instants ('…Z'); a window bound written with an offset or a space
    (both valid ISO for `grant add --since/--until`) must compare as the instant it names."""
    from datetime import UTC, datetime, timedelta, timezone

    def instant(ts: str) -> datetime:
        return datetime.fromisoformat(ts.replace("Z", "+00:00"))

    row = store.conn.execute(
        "SELECT occurred_at FROM records WHERE platform = 'spotify' AND occurred_at IS NOT NULL "
        "ORDER BY occurred_at DESC LIMIT 1 OFFSET 50"
    ).fetchone()
    t = instant(row[0])
    # A bound one hour before that record, written in UTC+05:00: string order would let it through.
    until = (t - timedelta(hours=1)).astimezone(timezone(timedelta(hours=5))).isoformat()
    since = (t - timedelta(days=2)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")  # a space, no zone
    token = grant(
        store,
        "window",
        level="raw",
        platforms=("spotify",),
        fields=("title", "occurred_at"),
        since=since,
        until=until,
        per_request=1000,
    )
    recs = gate.disclose(token, SearchRequest(query="", limit=1000), channel="test").payload["records"]
    assert recs
    lo, hi = instant(since).replace(tzinfo=UTC), instant(until)
    outside = [r["occurred_at"] for r in recs if not lo <= instant(r["occurred_at"]) < hi]
    assert outside == []


def test_grant_revoked_or_expired_while_answering_discloses_nothing(store: Store, gate: Gate) -> None:
    """A slow answer (a model takes seconds) must not go out after the person revoked the grant."""
    token = grant(store, "slow", level="raw", platforms=("letterboxd",))
    cands = [CandidateIn(id="a", title="Dune")]

    def revoking(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        with Store(store.path) as web:  # the web app revokes on its own connection meanwhile
            revoke_grant(web, "slow")
        return [Ranked(candidate=c, score=1.0, reason="ok") for c in candidates]

    with pytest.raises(Unauthenticated, match="revoked"):
        Gate(store, Providers(rerank=revoking)).disclose(
            token, RerankRequest(candidates=cands), channel="test"
        )

    token2 = grant(store, "expiring", level="raw", platforms=("letterboxd",))
    now = [utc_now()]

    def aging(view: object, candidates: list) -> list[Ranked]:  # type: ignore[type-arg]
        now[0] += timedelta(days=2)  # the grant expires while this answer is computed
        return [Ranked(candidate=c, score=1.0, reason="ok") for c in candidates]

    with pytest.raises(Unauthenticated, match="expired"):
        Gate(store, Providers(rerank=aging), clock=lambda: now[0]).disclose(
            token2, RerankRequest(candidates=cands), channel="test"
        )
    assert [(e.recipient, e.outcome) for e in gate.audit.entries()] == [
        ("slow", "refused"),
        ("expiring", "refused"),
    ]


def test_a_view_in_use_survives_a_rebuild_for_a_concurrent_request(store: Store, gate: Gate) -> None:
    """Request A is still reading its view when request B, after an import or a forget, rebuilds the
    grant's view: A must finish (it answers from the store as it was when it started), not fail."""
    import threading

    from selfdex.gate.providers import view_history

    token = grant(store, "busy", level="raw", platforms=("letterboxd",))
    cands = [CandidateIn(id="a", title="Dune")]
    other: list[object] = []

    def slow(view, candidates):  # type: ignore[no-untyped-def]
        with Store(store.path) as web:  # the person forgets something meanwhile
            victim = web.conn.execute("SELECT id FROM records WHERE platform = 'letterboxd'").fetchone()[0]
            web.conn.execute(
                "INSERT INTO hidden_records (record_id, reason) VALUES (?, 'forget:x')", (victim,)
            )
        b = threading.Thread(target=lambda: other.append(g.disclose(token, SearchRequest(), channel="test")))
        b.start()
        b.join(30)
        history = view_history(view)  # A goes on reading its own view
        return [Ranked(candidate=c, score=1.0, reason=f"{len(history)} films") for c in candidates]

    g = Gate(store, Providers(rerank=slow))
    out = g.disclose(token, RerankRequest(candidates=cands), channel="test")
    assert out.payload["ranking"][0]["id"] == "a"
    assert len(other) == 1


def test_views_of_revoked_grants_are_let_go(store: Store, gate: Gate) -> None:
    """A view is an in-memory copy of the grant's slice of the store: a long-running server must not
    keep one per grant it ever served once the grant is revoked."""
    old = grant(store, "old", level="raw")
    gate.disclose(old, SearchRequest(), channel="test")
    old_id = next(g.id for g in list_grants(store) if g.name == "old")
    assert old_id in gate._views
    revoke_grant(store, "old")
    new = grant(store, "new", level="raw")
    gate.disclose(new, SearchRequest(), channel="test")
    assert old_id not in gate._views


def test_email_addresses_in_granted_urls_are_redacted(store: Store, gate: Gate) -> None:
    """Web mail and calendar links carry the account's address in the path ('/mail/NAME@…/inbox',
    'mailto:'); a grant of `url` is not a grant of e-mail addresses."""
    rid = store.conn.execute("SELECT id FROM records WHERE platform = 'letterboxd' LIMIT 1").fetchone()[0]
    store.conn.execute(
        "UPDATE records SET url = 'https://outlook.office.com/mail/mara.keller@example.com/inbox?x=1' WHERE id = ?",
        (rid,),
    )
    token = grant(
        store, "links", level="raw", platforms=("letterboxd",), fields=("title", "url"), per_request=1000
    )
    out = gate.disclose(token, SearchRequest(query="", limit=1000), channel="test")
    assert "mara.keller@example.com" not in out.body.decode()
    rec = next(r for r in out.payload["records"] if r["id"] == rid)
    assert rec["url"] == "https://outlook.office.com/mail/[email]/inbox"
    kept = grant(
        store,
        "links-keep",
        level="raw",
        platforms=("letterboxd",),
        fields=("url",),
        keep=("email",),
        per_request=1000,
    )
    assert (
        "mara.keller@example.com"
        in gate.disclose(kept, SearchRequest(limit=1000), channel="test").body.decode()
    )


def test_granted_external_ids_lose_only_email_addresses(store: Store, gate: Gate) -> None:
    """A mail's Message-ID carries an address; an ISBN-10 looks like a phone number but is an id."""
    rid = store.conn.execute("SELECT id FROM records WHERE platform = 'letterboxd' LIMIT 1").fetchone()[0]
    store.conn.execute(
        "UPDATE records SET external_ids = ? WHERE id = ?",
        ('{"message_id": "<CAF+x1.mara.keller@example.com>", "isbn10": "0441013597"}', rid),
    )
    token = grant(
        store,
        "ids",
        level="raw",
        platforms=("letterboxd",),
        fields=("title", "external_ids"),
        per_request=1000,
    )
    out = gate.disclose(token, SearchRequest(query="", limit=1000), channel="test")
    assert "example.com" not in out.body.decode()
    rec = next(r for r in out.payload["records"] if r["id"] == rid)
    ids = rec["external_ids"] if isinstance(rec["external_ids"], dict) else json.loads(rec["external_ids"])
    assert ids["isbn10"] == "0441013597" and "[email]" in ids["message_id"]


def test_names_in_search_queries_are_redacted(store: Store, gate: Gate) -> None:
    # Jonas Müller is the sample person's friend: what the person typed about him must not leave.
    job = store.start_job("test", None, "0")
    with store.transaction():
        store.insert_records(
            [
                Record(
                    "google",
                    "searched",
                    Item("query", "jonas müller birthday gift ideas"),
                    when=datetime(2024, 3, 1, tzinfo=UTC),
                ),
                Record(
                    "google",
                    "searched",
                    Item("query", "will it rain in hamburg"),
                    when=datetime(2024, 3, 2, tzinfo=UTC),
                ),
            ],
            job,
        )
    token = grant(store, "searches", level="raw", platforms=("google",), kinds=("query",), fields=("title",))
    titles = {
        r["title"]
        for r in gate.disclose(token, SearchRequest(query="", limit=100), channel="test").payload["records"]
    }
    assert "[person] birthday gift ideas" in titles
    assert not any("jonas" in t.lower() for t in titles)
    assert "will it rain in hamburg" in titles  # a lower-case word that is also a name stays
    # An author named in a note's front matter is not someone the person knows.
    assert "frank herbert dune reading order" in titles


def test_a_grants_rerank_reads_history_as_recommend_does(store: Store) -> None:
    """Same items as `selfdex recommend` would use on the person's store: no dislikes, returns,
    payments or messages as taste, one item per title, most recent first."""
    from selfdex.gate.grants import CONTENT_FIELDS
    from selfdex.gate.providers import view_history
    from selfdex.rank import history_from_store

    seen: list[list[str]] = []

    def capture(view, candidates):  # type: ignore[no-untyped-def]
        seen.append([h.id for h in view_history(view)])
        return [Ranked(candidate=c, score=1.0, reason="") for c in candidates]

    token = grant(store, "all", level="raw", fields=CONTENT_FIELDS)
    Gate(store, Providers(rerank=capture)).disclose(
        token, RerankRequest(candidates=[CandidateIn(id="a", title="Dune")]), channel="test"
    )
    expected = [h.id for h in history_from_store(store)]
    # Same items in the same order, except where redaction made two titles one ("[person] gefällt
    # [person] Foto." from two friends' posts): the view keeps one item per redacted title.
    assert seen and [i for i in expected if i in set(seen[0])] == seen[0]
    gone = set(expected) - set(seen[0])
    titles = dict(store.conn.execute("SELECT id, kind FROM records").fetchall())
    assert len(gone) < 10 and all(titles[i] in ("post", "note", "event", "comment", "chat") for i in gone)
    actions = dict(store.conn.execute("SELECT id, action FROM records").fetchall())
    assert "disliked" in set(actions.values())  # the sample person does dislike things
    assert not {actions[i] for i in seen[0]} & {"disliked", "returned", "abandoned", "paid", "received"}


def _requests() -> dict[str, GateRequest]:
    films = ["Dune: Part Two", "Arrival", "Blade Runner 2049", "Past Lives", "Aftersun"]
    return {
        "grant": GrantRequest(),
        "search": SearchRequest(query="", limit=100),
        "aggregates": AggregatesRequest(),
        "profile": ProfileRequest(),
        "rerank": RerankRequest(
            candidates=[CandidateIn(id=str(i), title=t) for i, t in enumerate(films[:2])]
        ),
        "ask": AskRequest(question="which films did I watch?"),
    }


def _named(titles: list[str], text: str) -> int:
    """How many of ``titles`` the text names, longest first, each stretch of text counted once."""
    n = 0
    for t in sorted(titles, key=len, reverse=True):
        if len(t) >= 4 and t in text:
            n += 1
            text = text.replace(t, "\0")
    return n


@pytest.mark.parametrize("op", list(_requests()))
def test_every_operation_keeps_the_per_request_cap(store: Store, gate: Gate, op: str) -> None:
    cap = 2
    token = grant(store, f"cap-{op}", level="raw", per_request=cap)
    out = gate.disclose(token, _requests()[op], channel="test")
    body = out.payload
    assert len(out.record_ids) <= cap  # what the audit says was disclosed
    for key, value in body.items():
        if isinstance(value, list) and op != "grant":
            assert len(value) <= cap, key
    for item in (*body.get("facts", []), *body.get("ranking", [])):
        assert len(item.get("citations", item.get("cited", []))) <= cap
    assert len({c for f in body.get("facts", []) for c in f.get("citations", [])}) <= cap
    if op == "ask":
        titles = [
            r[0] for r in store.conn.execute("SELECT DISTINCT title FROM records WHERE title IS NOT NULL")
        ]
        # A channel or an artist named as a work's author is its attribution, not one more work.
        who = {
            c for r in store.conn.execute("SELECT creators FROM records") for c in json.loads(r[0] or "[]")
        }
        assert 1 <= _named([t for t in titles if t not in who], body["answer"]) <= cap, body["answer"]
        assert 1 <= len(body["cited"]) <= cap
    if op in ("search", "profile", "ask", "aggregates"):
        assert any(isinstance(v, list) and v for v in body.values())  # capped, not emptied
    entry = gate.audit.entries()[-1]
    assert entry.outcome == "disclosed" and len(json.loads(entry.record_ids)) <= cap


@pytest.mark.parametrize("op", list(_requests()))
def test_every_operation_keeps_the_per_day_cap(store: Store, gate: Gate, op: str) -> None:
    token = grant(store, f"day-{op}", level="raw", per_day=1)
    gate.disclose(token, _requests()[op], channel="test")
    with pytest.raises(CapExceeded):
        gate.disclose(token, _requests()[op], channel="test")


def test_an_answer_naming_more_works_than_the_cap_is_refused(store: Store, gate: Gate) -> None:
    token = grant(store, "chatty", level="answers", platforms=("letterboxd", "netflix"), per_request=2)
    titles = [
        r[0] for r in store.conn.execute("SELECT DISTINCT title FROM records WHERE platform = 'letterboxd'")
    ]
    titles = [t for t in titles if len(t) >= 4][:3]

    def chatty(view: object, question: str, *, limit: int) -> Answer:  # ignores its limit
        return Answer(text="You watched " + "; ".join(titles) + ".", cited=())

    with pytest.raises(GateFailure, match="per-request cap"):
        Gate(store, Providers(rerank=gate.providers.rerank, ask=chatty)).disclose(
            token, AskRequest(question="what did I watch?"), channel="test"
        )
    # Nested titles name one work: "Dune: Part Two" is not also "Dune".
    two = Gate(store, Providers(rerank=gate.providers.rerank, ask=lambda v, q, *, limit: Answer("x", ())))
    view = two.view(next(g for g in list_grants(store) if g.name == "chatty"))
    assert view.named_in("You watched Dune: Part Two and Arrival.") <= {"Dune: Part Two", "Arrival"}
    assert "Dune" not in view.named_in("You watched Dune: Part Two.")


def test_names_in_free_text_leave_and_titles_stay(store: Store, gate: Gate) -> None:
    film = store.conn.execute(
        "SELECT id FROM records WHERE platform = 'netflix' AND kind = 'movie' ORDER BY occurred_at DESC LIMIT 1"
    ).fetchone()[0]
    store.conn.execute("UPDATE records SET title = 'Fire with Fire' WHERE id = ?", (film,))
    review = store.conn.execute("SELECT id FROM records WHERE platform = 'goodreads' LIMIT 1").fetchone()[0]
    store.conn.execute(
        "UPDATE records SET text = ? WHERE id = ?",
        (
            "Met Anna Schmidt at book club, she loved it.\nLent it to John Miller; Schmidt wants it next.",
            review,
        ),
    )
    # A Netflix film called "Fire with Fire" is a title in an answer, not "Fire with [person]".
    answers = grant(store, "films", level="answers", platforms=("netflix",), per_request=50)
    said = gate.disclose(answers, AskRequest(question="which films did I watch?"), channel="test").payload
    assert "Fire with Fire" in said["answer"]
    # The names leave the review, and full-text search cannot find the record by them.
    raw = grant(store, "reviews", level="raw", platforms=("goodreads",), fields=("title", "text"))
    for name in ("Schmidt", "Anna Schmidt", "John Miller"):
        assert gate.disclose(raw, SearchRequest(query=name), channel="test").payload["count"] == 0
    found = gate.disclose(raw, SearchRequest(query="book club"), channel="test").payload["records"]
    text = next(r["text"] for r in found if r["id"] == review)
    assert text == "Met [person] at book club, she loved it.\nLent it to [person]; [person] wants it next."


def test_ask_keeps_the_cap_over_the_api_and_mcp(store: Store, gate: Gate) -> None:
    """The reported case: an `answers` grant with per_request=2, asked over HTTP and over MCP."""
    import anyio
    import httpx
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    from selfdex.channels.api import create_app
    from selfdex.channels.mcp import http_app

    from .gate_support import live_server

    token = grant(store, "asker", level="answers", per_request=2)
    question = "which films did I watch?"
    view = gate.view(next(g for g in list_grants(store) if g.name == "asker"))
    with live_server(create_app(gate)) as url:
        got = httpx.post(
            f"{url}/v1/ask",
            json={"question": question},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    assert got.status_code == 200
    assert 1 <= len(view.named_in(got.json()["answer"])) <= 2

    answers: list[str] = []

    async def session(url: str) -> None:
        http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            result = await client.call_tool("ask", {"question": question})
            answers.append(json.loads(result.content[0].text)["answer"])  # type: ignore[union-attr]

    with live_server(http_app(gate)) as url:
        anyio.run(session, url)
    assert 1 <= len(view.named_in(answers[0])) <= 2
    for e in gate.audit.entries():
        assert e.outcome == "disclosed" and len(json.loads(e.record_ids)) <= 2
