"""``selfdex import``, ``importers``, ``sources``, ``jobs``: getting data in and seeing what came in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ..importers.base import Importer
from ..importers.csv_map import CsvMapError, CsvMapImporter, load_mapping
from ..importers.recipes import recipe
from ..importers.registry import load_errors, load_importers
from ..ingest import JobSummary, Waiting, import_path, plural, taking_turns
from ..owner.imports import after_import
from ..store import StoreError, queries
from ..store.health import ImportTurn
from .common import (
    ImportProgress,
    Reporter,
    UserError,
    console,
    esc,
    json_option,
    open_store,
    out,
    print_json,
)


def run_import(
    ctx: click.Context,
    paths: tuple[str, ...],
    *,
    quiet: bool = False,
    importers: Sequence[Importer] | None = None,
) -> list[JobSummary]:
    for p in paths:
        if not Path(p).exists():
            raise UserError(f"{p}: no such file or folder")
    store = open_store(ctx, create=True)
    summaries: list[JobSummary] = []
    try:
        # Progress on stderr, also with --json (quiet): a bar on a terminal, plain lines elsewhere.
        # One turn for all the paths and the profile refresh: another import waits until we are done.
        with Reporter() as reporter, taking_turns(store, _Waiter(reporter)):
            for p in paths:
                if not quiet:
                    reporter.print(f"[bold]Importing[/] {esc(p)}")
                hook = ImportProgress(reporter, quiet=quiet)
                summaries.append(import_path(store, p, progress=hook, importers=importers))
            # entity links, the forget rules over the new records, the profile: each step shown
            after_import(store, progress=reporter.step)
    except KeyboardInterrupt:
        console.print(
            "[yellow]Interrupted: what was imported so far is kept and the job is marked interrupted; "
            "run the same import again to complete it (nothing is duplicated).[/]"
        )
        raise SystemExit(130) from None
    except StoreError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    return summaries


class _Waiter:
    """Says, once and then as a live line, that another import holds the store and how far it got."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.told = False

    def __call__(self, waiting: Waiting) -> None:
        who = f"import {waiting.job_id}" if waiting.job_id is not None else "another import"
        if not self.told:
            self.told = True
            self.reporter.print(
                f"[yellow]The store is busy: waiting for {who} to finish"
                f"{f' ({esc(waiting.source)})' if waiting.source else ''}…[/]"
            )
        self.reporter.step(
            f"waiting for {who} to finish (records it stored so far)", waiting.records_read, None
        )


def counts_line(read: int, new: int, duplicate: int, problems: int, skipped: int, updated: int = 0) -> str:
    """``1,200 records read, 1,000 new, 200 duplicates, 1 problem, 120 skipped by design``."""
    parts = [f"{plural(read, 'record')} read", f"{new:,} new"]
    if updated:
        parts.append(f"{updated:,} updated (a changed row of a library or vault)")
    if duplicate:
        parts.append(f"{plural(duplicate, 'duplicate')} (already stored, or the same event twice)")
    parts.append(plural(problems, "problem"))
    if skipped:
        parts.append(f"{skipped:,} skipped by design")
    return ", ".join(parts)


def print_summary(summary: JobSummary) -> None:
    status = Counter(f.status for f in summary.files)
    out.print(
        Text.assemble(
            (summary.source, "bold"),
            ": "
            + counts_line(
                summary.records_read,
                summary.records_new,
                summary.records_duplicate,
                summary.problems,
                summary.skipped,
                summary.records_updated,
            )
            + "; files: "
            + ", ".join(f"{n} {s}" for s, n in sorted(status.items())),
        )
    )
    if summary.by_platform:
        table = Table("platform", "records read", title=None, box=None)
        for platform, n in summary.by_platform.most_common():
            table.add_row(platform, f"{n:,}")
        out.print(table)
    not_imported = [f for f in summary.files if f.status != "imported"]
    if not_imported:
        out.print(f"{len(not_imported)} file(s) not imported:", style="yellow")
        for f in not_imported[:25]:
            out.print(f"  {f.status:<11} {f.member} — {f.reason}")
        if len(not_imported) > 25:
            out.print(f"  … and {len(not_imported) - 25} more (selfdex jobs show {summary.job_id})")
    errors = [p for p in summary.problem_samples if p.severity not in ("skipped",)]
    if errors:
        out.print(f"{plural(summary.problems, 'problem')}; first ones:", style="yellow")
        for p in errors[:10]:
            where = p.position()
            out.print(f"  {p.member}{' (' + where + ')' if where else ''}: {p.reason}")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--csv-map",
    "csv_map",
    type=click.Path(dir_okay=False),
    help="Read the CSVs in PATHS with this column mapping (TOML/JSON; see docs/csv-map.md) instead of "
    "the built-in importers: for banks and other CSVs selfdex does not know.",
)
@json_option
@click.pass_context
def import_cmd(ctx: click.Context, paths: tuple[str, ...], csv_map: str | None, as_json: bool) -> None:
    """Import export archives (folders, zips, tars) into the store. Safe to re-run: nothing is duplicated."""
    importers: list[Importer] | None = None
    if csv_map is not None:
        try:
            importers = [CsvMapImporter(load_mapping(csv_map))]
        except CsvMapError as exc:
            raise UserError(f"--csv-map: {exc}") from None
    summaries = run_import(ctx, paths, quiet=as_json, importers=importers)
    if as_json:
        print_json([s.to_dict() for s in summaries])
        return
    for s in summaries:
        print_summary(s)


@click.command("importers")
@json_option
def importers_cmd(as_json: bool) -> None:
    """List the installed importers (built-in and plugins)."""
    imps = load_importers()
    errors = load_errors()
    if as_json:
        print_json(
            {
                "importers": [
                    {
                        "name": i.name,
                        "platform": i.platform,
                        "version": i.version,
                        "description": i.description,
                        "handles": list(i.handles),
                        "module": type(i).__module__,
                    }
                    for i in imps
                ],
                "load_errors": [{"entry_point": e.entry_point, "error": e.error} for e in errors],
            }
        )
        return
    table = Table("name", "platform", "version", "handles")
    for i in imps:
        table.add_row(i.name, i.platform, i.version, ", ".join(i.handles) or i.description)
    out.print(table)
    for e in errors:
        out.print(Text.assemble(("failed to load", "red"), f" {e.entry_point}: {e.error}"))


@click.command("sources")
@click.option("--how", is_flag=True, help="Also say, per platform, how to request a fresh export.")
@json_option
@click.pass_context
def sources_cmd(ctx: click.Context, how: bool, as_json: bool) -> None:
    """What is in the store, per platform: records, date range, kinds, and how old the newest data is."""
    with open_store(ctx) as store:
        rows = queries.sources(store)
    now = datetime.now(UTC)
    for r in rows:
        # an export cannot be newer than its newest record: that is how stale the platform is here
        last = datetime.fromisoformat(r["last"].replace("Z", "+00:00")) if r["last"] else None
        r["newest_days_ago"] = (now - last).days if last else None
        r["how_to_refresh"] = recipe(r["platform"])
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("The store is empty. Import an export: selfdex import PATH (or try: selfdex demo)")
        return
    table = Table("platform", "records", "first", "last", "days ago", "kinds")
    for r in rows:
        table.add_row(
            r["platform"],
            f"{r['records']:,}",
            (r["first"] or "")[:10],
            (r["last"] or "")[:10],
            "" if r["newest_days_ago"] is None else f"{r['newest_days_ago']:,}",
            ", ".join(r["kinds"]),
        )
    out.print(table)
    if how:
        for r in rows:
            out.print(
                f"{r['platform']}: {r['how_to_refresh'] or '(no recipe known)'}",
                markup=False,
                highlight=False,
            )
    else:
        out.print("selfdex sources --how: how to request a fresh export of each platform", style="dim")


@click.group("jobs")
def jobs_group() -> None:
    """Import jobs: what was imported when, and what went wrong."""


@jobs_group.command("list")
@json_option
@click.pass_context
def jobs_list(ctx: click.Context, as_json: bool) -> None:
    """Recent import jobs."""
    with open_store(ctx) as store:
        rows = queries.jobs(store)
        if any(r["status"] == "running" for r in rows) and not ImportTurn(store.path).held_elsewhere():
            for r in rows:  # nobody is importing: a 'running' job's process died (kill -9, power cut)
                if r["status"] == "running":
                    r["status"] = "interrupted"
    if as_json:
        print_json(rows)
        return
    table = Table("job", "source", "started", "status", "read", "new", "problems", "skipped by design")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["source"],
            r["started_at"],
            r["status"],
            f"{r['records_read']:,}",
            f"{r['records_new']:,}",
            f"{r['problems']:,}",
            f"{r['skipped']:,}",
        )
    out.print(table)


@jobs_group.command("show")
@click.argument("job_id", type=int)
@json_option
@click.pass_context
def jobs_show(ctx: click.Context, job_id: int, as_json: bool) -> None:
    """Files and problems of one import job."""
    with open_store(ctx) as store:
        files = queries.job_files(store, job_id)
        errors = queries.import_errors(store, job_id, limit=1000)
    if not files and not errors:
        raise UserError(f"no import job {job_id} (see: selfdex jobs list)")
    if as_json:
        print_json({"files": files, "problems": errors})
        return
    table = Table("file", "importer", "status", "records", "new", "problems", "skipped by design", "reason")
    for f in files:
        table.add_row(
            f["member"],
            f["importer"] or "",
            f["status"],
            str(f["records_read"]),
            str(f["records_new"]),
            str(f["problems"]),
            str(f["skipped"]),
            f["reason"] or "",
        )
    out.print(table)
    for e in errors[:100]:
        pos = ", ".join(
            f"{k} {e[c]}"
            for k, c in (("record", "record_index"), ("line", "line"), ("byte", "byte_offset"))
            if e[c] is not None
        )
        label = "skipped by design" if e["severity"] == "skipped" else e["severity"]
        out.print(f"  [{label}] {e['member']}{' (' + pos + ')' if pos else ''}: {e['reason']}")


COMMANDS = [import_cmd, importers_cmd, sources_cmd, jobs_group]
