"""``selfdex serve``: the HTTP API and the MCP server, on loopback, behind the disclosure gate."""

from __future__ import annotations

import asyncio
import ipaddress
import os

import click

from .common import console, esc, friendly_errors, open_store

__all__ = ["COMMANDS"]

TOKEN_ENV = "SELFDEX_TOKEN"


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@click.command("serve")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default)."
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="HTTP API port.")
@click.option(
    "--mcp-port",
    type=click.IntRange(0, 65535),
    default=8766,
    show_default=True,
    help="MCP (streamable HTTP) port.",
)
@click.option("--no-mcp", is_flag=True, help="Serve the HTTP API only.")
@click.option(
    "--mcp-stdio",
    is_flag=True,
    help=f"Serve MCP over stdin/stdout only (for Claude Desktop and other launchers); the "
    f"recipient's token comes from ${TOKEN_ENV}.",
)
@click.option(
    "--web/--no-web",
    default=True,
    show_default=True,
    help="Also serve your own web app at / of the HTTP API's port (import, timeline, profile, sharing).",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Let the web app bind a non-loopback --host (needs --web-password too).",
)
@click.option(
    "--web-password",
    envvar="SELFDEX_WEB_PASSWORD",
    help="Password the web app asks for (HTTP basic auth) when bound off loopback; or $SELFDEX_WEB_PASSWORD.",
)
@click.pass_context
@friendly_errors
def serve_cmd(
    ctx: click.Context,
    host: str,
    port: int,
    mcp_port: int,
    no_mcp: bool,
    mcp_stdio: bool,
    web: bool,
    allow_remote: bool,
    web_password: str | None,
) -> None:
    """Serve your data to the recipients you granted access, and to nobody else; and your own web
    app, on loopback, for you."""
    # Imported here: the web stack is only needed by this command.
    import uvicorn

    from ..channels.api import create_app
    from ..channels.mcp import create_mcp, http_app
    from ..gate import Gate

    web_settings = None
    if web and not mcp_stdio:
        from ..web.security import BindRefused, WebSettings

        try:
            web_settings = WebSettings(host=host, allow_remote=allow_remote, password=web_password)
        except BindRefused as exc:
            raise click.UsageError(f"{exc} Or serve the API only: --no-web.") from None
    store = open_store(ctx, create=web_settings is not None)
    gate = Gate(store)
    if mcp_stdio:
        token = os.environ.get(TOKEN_ENV)
        if not token:
            raise click.UsageError(f"--mcp-stdio needs the recipient's token in ${TOKEN_ENV}")
        try:
            create_mcp(gate, stdio_token=token).run("stdio")
        finally:
            gate.close()
            store.close()
        return
    if not _loopback(host):
        console.print(
            f"[yellow]warning:[/] binding {esc(host)}: anyone who can reach it and holds a token can read"
        )

    app = create_app(gate)
    if web_settings is not None:
        from ..web import create_web_app

        # Same port, mounted after the API's routes: /v1, /health and /docs are untouched.
        app.mount("/", create_web_app(store.path, gate=gate, settings=web_settings))
    servers = [uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))]
    if web_settings is not None:
        console.print(f"Web app    http://{host}:{port}/   (yours: open it in your browser)")
    console.print(f"HTTP API   http://{host}:{port}/v1   (OpenAPI: http://{host}:{port}/docs)")
    if not no_mcp:
        mcp = http_app(gate)
        servers.append(uvicorn.Server(uvicorn.Config(mcp, host=host, port=mcp_port, log_level="warning")))
        console.print(f"MCP        http://{host}:{mcp_port}/mcp")

    async def main() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    try:
        asyncio.run(main())
    finally:
        gate.close()
        store.close()


COMMANDS = [serve_cmd]
