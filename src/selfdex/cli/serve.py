"""``selfdex serve``: the HTTP API and the MCP server, on loopback, behind the disclosure gate."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import webbrowser
from pathlib import Path
from typing import Any

import click

from ..settings import ENV, settings
from .common import console, esc, friendly_errors, open_store

__all__ = ["COMMANDS"]

TOKEN_ENV = ENV["token"]


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
    help="Owner password of the web app (HTTP basic auth) when bound off loopback, at least 12 characters; "
    "'generate' makes a random one; or $SELFDEX_WEB_PASSWORD.",
)
@click.option(
    "--open",
    "open_browser",
    is_flag=True,
    help="Open the web app in your browser, logged in (a one-time link).",
)
@click.option(
    "--new-login",
    is_flag=True,
    help="Make a new login link first: the old one and every browser session stop working.",
)
@click.option(
    "--ssl-certfile", type=click.Path(exists=True, dir_okay=False), help="Serve HTTPS: certificate."
)
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), help="Serve HTTPS: private key.")
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
    open_browser: bool,
    new_login: bool,
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    """Serve your data to the recipients you granted access, and to nobody else; and your own web
    app, on loopback, for you."""
    # Imported here: the web stack is only needed by this command.
    import uvicorn

    from ..channels.api import create_app
    from ..channels.mcp import create_mcp, http_app
    from ..gate import Gate

    if bool(ssl_certfile) != bool(ssl_keyfile):
        raise click.UsageError("HTTPS needs both --ssl-certfile and --ssl-keyfile")
    tls = bool(ssl_certfile)
    web_password = web_password or settings().web_password
    generated = web_password == "generate"
    if generated:
        web_password = secrets.token_urlsafe(18)
    web_settings = None
    if web and not mcp_stdio:
        from ..web.security import BindRefused, WebSettings

        try:
            web_settings = WebSettings(
                host=host, allow_remote=allow_remote, password=web_password, port=port, secure=tls
            )
        except BindRefused as exc:
            raise click.UsageError(f"{exc} Or serve the API only: --no-web.") from None
    store = open_store(ctx, create=web_settings is not None)
    _warn_exposed(store.path)
    if new_login:
        from ..store.private import owner_secret

        owner_secret(store.path).new_login()
    gate = Gate(store)
    if mcp_stdio:
        token = settings().token
        if not token:
            raise click.UsageError(f"--mcp-stdio needs the recipient's token in ${TOKEN_ENV}")
        try:
            create_mcp(gate, stdio_token=token).run("stdio")
        finally:
            gate.close()
            store.close()
        return
    remote = not _loopback(host)
    if remote:
        console.print(
            f"[yellow]warning:[/] binding {esc(host)}: anyone who can reach it and holds a token can read"
        )
        if not tls:
            click.echo(
                "warning: plain HTTP: tokens and the password cross the network in the clear. "
                "Put selfdex behind a TLS reverse proxy, or pass --ssl-certfile and --ssl-keyfile.",
                err=True,
            )

    app = create_app(gate, public_spec=not (remote and web_settings is not None))
    web_app = None
    if web_settings is not None:
        from ..web import create_web_app

        web_settings.api_spec = app.openapi
        # Same port, mounted after the API's routes: /v1 and /health are untouched; the owner's
        # console answers everything else, behind its login.
        web_app = create_web_app(store.path, gate=gate, settings=web_settings)
        app.mount("/", web_app)
    scheme = "https" if tls else "http"
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host

    def config(asgi: Any, at: int) -> uvicorn.Config:
        return uvicorn.Config(
            asgi, host=host, port=at, log_level="warning", ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile
        )

    servers = [uvicorn.Server(config(app, port))]
    if web_app is not None:
        if web_settings is not None and web_settings.password:
            pw = f"; password: {web_password}" if generated else " (your --web-password)"
            click.echo(f"Web app    {scheme}://{shown}:{port}/   (yours: log in as any user{pw})", err=True)
        else:
            link = f"{scheme}://{shown}:{port}/?token={web_app.state.auth.login_token}"
            click.echo(f"Web app    {link}", err=True)  # never wrapped: it is copied whole
            console.print("           (yours: this link logs you in; keep it to yourself)")
    console.print(f"HTTP API   {scheme}://{esc(shown)}:{port}/v1   (OpenAPI: /openapi.json)")
    if not no_mcp:
        mcp = http_app(gate)
        servers.append(uvicorn.Server(config(mcp, mcp_port)))
        console.print(f"MCP        {scheme}://{esc(shown)}:{mcp_port}/mcp")

    async def open_when_up() -> None:
        while not servers[0].started:
            await asyncio.sleep(0.05)
        if web_app is not None:
            once = web_app.state.auth.one_time_token()
            webbrowser.open(f"{scheme}://{shown}:{servers[0].config.port}/?token={once}")

    async def main() -> None:
        jobs = [s.serve() for s in servers]
        if open_browser:
            jobs.append(open_when_up())
        await asyncio.gather(*jobs)

    try:
        asyncio.run(main())
    finally:
        gate.close()
        store.close()


def _warn_exposed(path: Path) -> None:
    from ..store.private import exposed, fix_command

    bad = exposed(path)
    if bad:
        click.echo(
            f"warning: other accounts on this machine can read {len(bad)} of your store's files. "
            f"Fix: {fix_command(bad)}",
            err=True,
        )


COMMANDS = [serve_cmd]
