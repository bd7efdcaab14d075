"""``selfdex demo``: generate the sample person, import her, and show what selfdex sees."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..sample import generate
from ..store import Filters, queries
from .common import console, json_option, open_store, out, print_json
from .importing import print_summary, run_import


@click.command("demo")
@click.option("--keep", type=click.Path(file_okay=False), help="Write the sample exports here and keep them.")
@click.option("--seed", default=7, show_default=True, help="Seed of the made-up person's life.")
@json_option
@click.pass_context
def demo_cmd(ctx: click.Context, keep: str | None, seed: int, as_json: bool) -> None:
    """Generate a made-up person's exports, import them, and show a per-platform summary and a few queries.

    Uses the store given by --store / SELFDEX_STORE, or a fresh temporary one."""
    root = ctx.find_root()
    with tempfile.TemporaryDirectory(prefix="selfdex-demo-") as tmp:
        if not (root.obj or {}).get("store"):
            root.obj = {**(root.obj or {}), "store": str(Path(tmp) / "demo.sqlite")}
        exports_dir = Path(keep) if keep else Path(tmp) / "exports"
        console.print(f"[bold]Writing the sample person's exports[/] to {exports_dir}")
        bundles = generate(exports_dir, seed=seed)
        summaries = run_import(ctx, tuple(str(b) for b in bundles), quiet=as_json)
        with open_store(ctx) as store:
            src = queries.sources(store)
            examples = {
                "search 'dune'": queries.search_fts(store, "dune", limit=8),
                "timeline of books": queries.timeline(store, Filters(kinds=("book",)), limit=5),
                "search 'zimmer'": queries.search_fts(store, "zimmer", limit=5),
            }
        if as_json:
            print_json(
                {
                    "store": root.obj["store"],
                    "imports": [s.to_dict() for s in summaries],
                    "sources": src,
                    "examples": examples,
                }
            )
            return
        for s in summaries:
            print_summary(s)
        from .importing import sources_cmd  # reuse the table renderer

        out.rule("What selfdex now knows, per platform")
        ctx.invoke(sources_cmd, as_json=False)
        for label, rows in examples.items():
            out.rule(label)
            for r in rows:
                out.print(
                    f"  {(r['occurred_at'] or '')[:10]}  {r['platform']:<12} {r['action']:<10} {r['title'] or r['url']}"
                )
        if not keep:
            out.print(
                "\n(The demo store was temporary. Keep the files with --keep DIR, or import your own: selfdex import PATH)"
            )


COMMANDS = [demo_cmd]
