"""``selfdex ask``: a question about you, answered from your records with citations."""

from __future__ import annotations

import click
from rich.table import Table

from .common import UserError, console, esc, friendly_errors, json_option, open_store, out, print_json


def model_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--model",
        "model_name",
        help="Model name from `selfdex models list` ('none' = records only). Default: SELFDEX_MODEL, "
        "then the configured default, then the embedded model if installed.",
    )(func)


def open_model(name: str | None):  # type: ignore[no-untyped-def]
    """The configured backend, or None; a configuration problem is the person's to fix."""
    from ..owner.asking import ModelError
    from ..owner.asking import open_model as open_backend

    def opening(spec) -> None:  # type: ignore[no-untyped-def]
        if spec.backend == "embedded":
            console.print(f"[dim]using {spec.name} (in a worker process)…[/]")

    try:
        return open_backend(name, opening=opening)
    except ModelError as exc:
        raise UserError(str(exc)) from exc


@click.command("ask")
@click.argument("question")
@model_option
@json_option
@click.pass_context
@friendly_errors
def ask_command(ctx: click.Context, question: str, model_name: str | None, as_json: bool) -> None:
    """Ask QUESTION about your records; the answer cites the records it rests on.

    Works with no model at all (the answer is assembled from the records found); a configured or
    embedded model may phrase it, but may only cite records selfdex retrieved.
    """
    from ..owner.asking import ask

    backend = open_model(model_name)
    with open_store(ctx) as store:
        answer = ask(store, question, backend=backend)
    if as_json:
        print_json(answer.to_dict())
        return
    out.print(answer.answer, highlight=False)
    if answer.aggregate and answer.aggregate["rows"]:
        agg = answer.aggregate
        table = Table(
            "", "counted", "records", "platforms", "first", "last", title="the aggregate (whole store)"
        )
        for row in agg["rows"]:
            who = f" ({', '.join(row['creators'][:2])})" if row["creators"] else ""
            plats = ", ".join(f"{p} {n}" for p, n in row["platforms"].items())
            table.add_row(
                esc(row["label"] + who),
                str(row["events"]),
                str(row["records"]),
                plats,
                row["first"],
                row["last"],
            )
        if agg["groups"] > len(agg["rows"]):
            table.caption = (
                f"{len(agg['rows'])} of {agg['groups']} rows shown (--json has the answer in full)"
            )
        out.print(table)
    if answer.citations:
        table = Table("date", "platform", "title", "record")
        for c in answer.citations:
            table.add_row(c.date or "", c.platform or "", c.title or "", c.id[:12])
        out.print(table)
    by = f"model {answer.model}" if answer.mode != "extractive" else "your records (no model)"
    console.print(f"[dim]answered from {by}[/]")
    for note in answer.notes:
        console.print(f"[yellow]note:[/] {esc(note)}")


COMMANDS = [ask_command]
