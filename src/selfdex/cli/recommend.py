"""``selfdex recommend``: your re-ranking of a platform's candidate list."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from .ask import model_option, open_model
from .common import Reporter, UserError, friendly_errors, json_option, open_store, out, print_json


@click.command("recommend")
@click.argument("candidates_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--platform", default="", help="The platform the candidates come from (e.g. netflix).")
@click.option(
    "--trust",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Trust in the platform's order vs your records: 0 = records only, 0.5 = the evaluated "
    "default, 1 = keep the platform's order.",
)
@click.option("--explain", is_flag=True, help="A model writes a short explanation for the top items.")
@click.option("--rerank", is_flag=True, help="A configured model re-orders the top (for capable models).")
@click.option(
    "--seen",
    type=click.Choice(["mark", "last"]),
    default="mark",
    show_default=True,
    help="What you already finished (watched in full, read, rated): 'mark' says so in the reason and keeps "
    "the ranking (a rewatch may be what the platform intends); 'last' also ranks it after the rest.",
)
@click.option("--limit", type=click.IntRange(1, 100_000), help="Show only the first N.")
@model_option
@json_option
@click.pass_context
@friendly_errors
def recommend_command(
    ctx: click.Context,
    candidates_file: str,
    platform: str,
    trust: float,
    explain: bool,
    rerank: bool,
    seen: str,
    limit: int | None,
    model_name: str | None,
    as_json: bool,
) -> None:
    """Re-rank CANDIDATES_FILE (CSV or JSON: title, optional creator/category/id/popularity, in
    the platform's order) with your own records; each item gets a score, a reason and the records
    (and platforms) that support it. A list with every candidate's popularity, from a platform
    where you have at most one item, is ranked by the shipped transfer model (said in a note).
    No model is called unless you pass --explain or --rerank."""
    from ..owner.asking import CandidateError, load_candidates, recommend

    try:
        candidates = load_candidates(candidates_file, platform=platform)
    except CandidateError as exc:
        raise UserError(str(exc)) from exc
    backend = open_model(model_name) if (explain or rerank) else None
    with open_store(ctx) as store, Reporter() as reporter:  # on stderr: --json keeps stdout pure
        try:
            result = recommend(
                store,
                candidates,
                trust=trust,
                explain=explain,
                rerank=rerank,
                backend=backend,
                seen=seen,
                progress=reporter.step,
            )
        except (RuntimeError, ImportError) as exc:  # numpy or the embedding model is not installed
            raise UserError(str(exc)) from exc
    if limit is not None:
        result.items = result.items[:limit]
    if as_json:
        print_json(result.to_dict())
        return
    table = Table("#", "was", "title", "score", "why", "supported by")
    for r in result.items:
        why = Text(r.reason)
        if r.explanation:
            why.append("\n" + r.explanation, style="italic")
        table.add_row(
            str(r.rank),
            str(r.platform_position or ""),
            r.title,
            f"{r.score:.2f}",
            why,
            ", ".join(r.platforms),
        )
    out.print(table)
    out.print(
        f"ranker {result.ranker}, trust {result.trust}; your history: {result.history_size:,} items "
        f"(titles and series) from {result.history_records:,} records",
        style="dim",
    )
    for note in result.notes:
        out.print(Text.assemble(("note: ", "yellow"), note))


COMMANDS = [recommend_command]
