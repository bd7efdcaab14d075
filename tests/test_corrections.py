"""The person corrects the profile: forget / pin / note are honoured and survive re-import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from selfdex.cli.profile import COMMANDS
from selfdex.ingest import import_path
from selfdex.profile import build_profile, forget, list_corrections, note, pin, refresh, unforget
from selfdex.profile.corrections import preview_forget
from selfdex.sample.collisions import write_hard_negatives
from selfdex.store import Store

from .sample_store import fresh_store


@pytest.fixture(scope="module")
def base_store(sample_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = fresh_store(sample_exports, tmp_path_factory.mktemp("corrections"))
    path = store.path
    refresh(store)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Store:
    """A private copy of the imported sample person, so each test may change it."""
    source = Store(base_store)
    copy = Store(tmp_path / "store.sqlite")
    source.conn.backup(copy.conn)
    source.close()
    yield copy
    copy.close()


def _reimport(store: Store, sample_exports: Path) -> None:
    for bundle in sorted(sample_exports.iterdir()):
        import_path(store, bundle)
    refresh(store)  # the post-import hook


def _hidden(store: Store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT record_id FROM hidden_records")}


def test_forget_theme_hides_it_everywhere_and_survives_reimport(store: Store, sample_exports: Path) -> None:
    result = forget(store, "theme:dune")
    assert result.hidden > 100 and not result.unresolved
    hidden = _hidden(store)
    profile = build_profile(store)
    assert profile.get("theme:dune") is None
    assert not any(c in hidden for f in profile.facts for c in f.citations)
    # Every fact about the works the theme joins is gone; a video essay whose title says only "Dune" (a
    # one-word name with nothing to corroborate it) was never part of the theme and stays.
    left = [f.label for f in profile.facts if "Dune" in f.label]
    assert left == ["The Ecology of Dune, Explained"], left

    _reimport(store, sample_exports)
    assert _hidden(store) == hidden
    assert build_profile(store).get("theme:dune") is None


def test_forget_entity_with_record_deletion(store: Store, sample_exports: Path) -> None:
    key = "entity:film:love actually|2003"
    before = store.count()
    result = forget(store, key, delete_records=True)
    assert result.deleted > 0 and store.count() == before - result.deleted
    assert not any("Love Actually" in f.label for f in build_profile(store).facts)

    _reimport(store, sample_exports)  # the export still has them: they come back and are deleted again
    assert store.count() == before - result.deleted
    assert not any("Love Actually" in f.label for f in build_profile(store).facts)


def test_unforget(store: Store) -> None:
    forget(store, "creator:radiohead")
    assert build_profile(store).get("creator:radiohead") is None
    assert unforget(store, "creator:radiohead")
    assert not _hidden(store)
    assert build_profile(store).get("creator:radiohead") is not None


def test_forget_unknown_key_is_kept_for_later(store: Store) -> None:
    result = forget(store, "creator:someone not imported yet")
    assert result.unresolved == ["creator:someone not imported yet"]
    assert [c.key for c in list_corrections(store)] == ["creator:someone not imported yet"]


def test_pins_and_notes_come_first_and_survive_reimport(store: Store, sample_exports: Path) -> None:
    note(store, "I no longer eat meat")
    pin(store, "creator:nils frahm")  # an inferred fact's key: lifted to the top
    pin(store, "I run trails every week")
    for _ in range(2):
        facts = build_profile(store).facts
        kinds = [f.kind for f in facts[:3]]
        assert kinds == ["pinned", "pinned", "note"]
        assert facts[2].label == "I no longer eat meat"
        lifted = next(f for f in facts[:2] if f.detail.get("pins") == "creator:nils frahm")
        assert lifted.citations and "Nils Frahm" in lifted.label
        assert [f.key for f in facts].count("creator:nils frahm") == 0  # moved, not duplicated
        _reimport(store, sample_exports)


def _cli() -> click.Group:
    @click.group()
    @click.option("--store")
    @click.pass_context
    def root(ctx: click.Context, store: str | None) -> None:
        ctx.obj = {"store": store}

    for command in COMMANDS:
        root.add_command(command)
    return root


def test_cli(store: Store) -> None:
    path = str(store.path)
    run = CliRunner().invoke
    cli = _cli()
    shown = run(cli, ["--store", path, "profile", "show", "--json", "--kind", "theme"])
    assert shown.exit_code == 0, shown.output
    facts = json.loads(shown.output)["facts"]
    assert facts and all(f["kind"] == "theme" and f["citations"] for f in facts)
    assert run(cli, ["--store", path, "profile", "forget", "theme:dune"]).exit_code == 0
    assert run(cli, ["--store", path, "profile", "note", "I no longer eat meat"]).exit_code == 0
    listed = json.loads(run(cli, ["--store", path, "profile", "corrections", "--json"]).output)
    assert {c["action"] for c in listed} == {"forget", "note"}
    table = run(cli, ["--store", path, "profile", "show", "--domain", "books"])
    assert table.exit_code == 0 and "I no longer eat meat" in table.output
    assert run(cli, ["--store", path, "profile", "unforget", "theme:dune"]).exit_code == 0


def test_reapplying_corrections_never_unhides_forgotten_records(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-resolving the forget rules (after every import) must not let forgotten records show, neither
    to another reader while the profile is recomputed nor for good when the recomputation fails."""
    import selfdex.profile.corrections as corrections

    forget(store, "theme:dune")
    hidden = _hidden(store)
    assert hidden
    other = Store(store.path)  # e.g. `selfdex serve`, reading while `selfdex import` refreshes
    seen: list[set[str]] = []
    real = corrections.build_profile

    def watched(s: Store, **kw: object):  # type: ignore[no-untyped-def]
        seen.append({r[0] for r in other.conn.execute("SELECT record_id FROM hidden_records")})
        return real(s, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(corrections, "build_profile", watched)
    try:
        corrections.apply_corrections(store)
        assert seen == [hidden]  # a concurrent reader still saw every forgotten record hidden
        assert _hidden(store) == hidden

        def broken(s: Store, **kw: object) -> None:
            raise KeyboardInterrupt  # Ctrl-C during the post-import refresh

        monkeypatch.setattr(corrections, "build_profile", broken)
        with pytest.raises(KeyboardInterrupt):
            corrections.apply_corrections(store)
        assert _hidden(store) == hidden
        assert {r[0] for r in other.conn.execute("SELECT record_id FROM hidden_records")} == hidden
    finally:
        other.close()


def test_refresh_with_forget_rules_infers_facts_once_per_state(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Applying forget rules needs the facts with and without the rules' records; both stay cached, so
    a refresh that changes nothing, and the profile read after it, infer nothing again."""
    from selfdex.profile import facts as facts_module

    forget(store, "theme:dune")
    build_profile(store)
    calls = 0
    real = facts_module.load_rows

    def counting(s: Store, **kw: Any) -> list:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        return real(s, **kw)

    monkeypatch.setattr(facts_module, "load_rows", counting)
    refresh(store)
    profile = build_profile(store)
    assert calls == 0
    assert profile.get("theme:dune") is None


def test_forget_dry_run_shows_what_forget_hides_and_changes_nothing(store: Store) -> None:
    path, cli = str(store.path), _cli()
    before = _hidden(store)
    dry = CliRunner().invoke(
        cli, ["--store", path, "profile", "forget", "theme:arrival", "--dry-run", "--json"]
    )
    assert dry.exit_code == 0, dry.output
    shown = {r["id"] for r in json.loads(dry.output)["records"]}
    assert shown and _hidden(store) == before and not list_corrections(store)
    table = CliRunner().invoke(cli, ["--store", path, "profile", "forget", "theme:arrival", "--dry-run"])
    assert "would hide" in table.output and "Heptapod B" in table.output and "--dry-run" in table.output
    result = forget(store, "theme:arrival")
    assert _hidden(store) - before == shown and result.hidden == len(shown)


def test_forgetting_a_one_word_theme_hides_only_what_it_is_about(store: Store, tmp_path: Path) -> None:
    for bundle in write_hard_negatives(tmp_path / "exports"):
        import_path(store, bundle)
    refresh(store)
    preview = preview_forget(store, "theme:drive")
    titles = {r["title"] for r in preview.records}
    assert {"Drive", "Nightcall", "Drive (2011) Official Trailer"} <= titles
    # the Incubus song, the hard-drive videos and "drive traffic" are not about the film
    assert not titles & {"How to Clone a Hard Drive to an SSD (Free)", "5 Signs Your Hard Drive Is Failing"}
    assert not any("traffic" in (t or "") for t in titles)
    incubus = store.conn.execute(
        "SELECT id FROM records WHERE title = 'Drive' AND creators LIKE '%Incubus%'"
    ).fetchall()
    assert incubus and not {r[0] for r in incubus} & {r["id"] for r in preview.records}
    forget(store, "theme:drive")
    assert _hidden(store) == {r["id"] for r in preview.records}


def test_web_forget_asks_first_showing_the_same_records(store: Store) -> None:
    from fastapi.testclient import TestClient

    from selfdex.web import WebSettings, create_web_app

    from .test_web import login

    app = create_web_app(store.path, settings=WebSettings(csrf_secret="test-secret", model="none"))
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        login(client, app)
        page = client.get("/profile").text
        assert 'method="get" action="/profile/forget"' in page  # the button asks before it forgets
        confirm = client.get("/profile/forget", params={"key": "theme:arrival"})
        assert confirm.status_code == 200
        expected = preview_forget(store, "theme:arrival")
        assert f"these {len(expected.records):,} records" in confirm.text and "Heptapod B" in confirm.text
        assert _hidden(store) == set()  # asking changed nothing
        done = client.post("/profile/forget", data={"key": "theme:arrival", "csrf_token": "test-secret"})
        assert done.status_code == 303
    app.state.close()
    assert _hidden(store) == {r["id"] for r in expected.records}
