"""``selfdex profile export``: your profile as a Portable AI Memory file or a paste-ready text block,
made by the gate under a grant (its platforms, level and redaction), audited, or previewed first."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..settings import settings
from .common import UserError, open_store, out


@click.command("export")
@click.option(
    "--token",
    help="The grant's token (from `selfdex grant add`, or $SELFDEX_GRANT_TOKEN): "
    "the export is a disclosure to that recipient, written to the audit log.",
)
@click.option(
    "--preview", "preview_name", metavar="GRANT", help="Show what GRANT would get; nothing is audited."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pam", "text"]),
    default="pam",
    show_default=True,
    help="pam: Portable AI Memory v1.0 (memory-store.json); text: a block to paste into an assistant.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of printing.")
@click.pass_context
def export_cmd(
    ctx: click.Context, token: str | None, preview_name: str | None, fmt: str, output: str | None
) -> None:
    """Export your profile for another assistant, through the disclosure gate."""
    # The gate (pydantic, the rankers) loads here, not with `selfdex profile show`.
    from ..channels.portable import to_pam, to_text
    from ..gate import Gate, GateError, ProfileRequest
    from ..gate.grants import grant_by_name, utc_now

    token = token or settings().grant_token
    if bool(token) == bool(preview_name):
        raise UserError("give either --token (a real, audited export) or --preview GRANT")
    with open_store(ctx) as store:
        gate = Gate(store)
        try:
            if token:
                grant = gate.authenticate(token)
                disclosure = gate.disclose(token, ProfileRequest(), channel="export")
            else:
                disclosure = gate.preview(str(preview_name), ProfileRequest())
                found = grant_by_name(store, str(preview_name))
                if found is None:  # preview() has just found it: only a concurrent revoke gets here
                    raise UserError(f"no grant named {preview_name!r}")
                grant = found
        except GateError as exc:
            raise UserError(f"{exc.status} {exc.code}: {exc.message}") from exc
        finally:
            gate.close()
    now = utc_now()
    if fmt == "pam":
        text = json.dumps(to_pam(disclosure, grant, now), indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_text(disclosure, grant, now)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        out.print(
            f"wrote {len(disclosure.payload.get('facts') or [])} memories to {output}"
            + ("" if token else " (preview: not audited)"),
            markup=False,
            highlight=False,
        )
    else:
        click.echo(text, nl=False)
