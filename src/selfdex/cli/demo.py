"""``selfdex demo``: generate the sample person, import her, and show what selfdex sees."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from ..sample import generate
from ..store import Filters, queries
from ..timeparse import shown_when
from .common import console, esc, json_option, open_store, out, print_json
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
        console.print(f"[bold]Writing the sample person's exports[/] to {esc(str(exports_dir))}")
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
                    **_show_understanding(ctx, as_json=True),
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
                    f"  {shown_when(r['occurred_at'], 'day'):<10}  {r['platform']:<12} {r['action']:<10} "
                    f"{r['title'] or r['url']}"
                )
        _show_understanding(ctx, as_json=False)
        if not keep:
            out.print(
                "\n(The demo store was temporary. Keep the files with --keep DIR, or import your own: selfdex import PATH)"
            )


# A platform's (here: a streaming service's) candidate list, in its own order; the person's agent
# re-ranks it with what the other platforms know about her.
DEMO_CANDIDATES = [
    {"title": "The Notebook"},
    {"title": "Mamma Mia!"},
    {"title": "Fast & Furious 9"},
    {"title": "Dune: Part Two", "creator": "Denis Villeneuve"},
    {"title": "Never Let Me Go", "creator": "Kazuo Ishiguro"},
    {"title": "Interstellar", "creator": "Christopher Nolan"},
]


def _show_understanding(ctx: click.Context, *, as_json: bool) -> dict[str, Any]:
    """The profile's top facts and a cross-platform re-ranking: no model, no network."""
    from ..agent.recommend import recommend
    from ..profile import build_profile

    missing = ""
    with open_store(ctx) as store:
        profile = build_profile(store)
        try:
            ranked = recommend(store, DEMO_CANDIDATES, platform="netflix")
        except (RuntimeError, ImportError) as exc:  # the embedding model is an optional part
            ranked, missing = None, str(exc)
    themes = sorted(profile.select(kind="theme"), key=lambda f: -f.score)
    facts = [f for f in themes if len(f.platforms) > 1][:8]
    if as_json:
        return {
            "profile_facts": [f.to_dict(max_citations=5) for f in facts],
            "recommendation": ranked.to_dict() if ranked else {"error": missing},
        }
    out.rule("Profile: the strongest cross-platform facts (each cites its records)")
    for f in facts:
        out.print(
            Text.assemble(
                f"  {f.label}  ", (f"({len(f.citations)} records on {', '.join(f.platforms)})", "dim")
            )
        )
    out.rule("A streaming platform's list, re-ranked with everything else you did")
    if ranked is None:
        out.print(Text.assemble(("Skipped: ", "yellow"), missing))
        return {}
    for r in ranked.items:
        was = f"was #{r.platform_position}" if r.platform_position else ""
        out.print(Text.assemble(f"  {r.rank}. {r.title:<22} ", (f"{was:<7}", "dim"), f" {r.reason}"))
    return {}


COMMANDS = [demo_cmd]
