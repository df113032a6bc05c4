"""`plantsync webhooks serve|inbox`: the Makini webhook receiver and what it has stored."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING

import click

import settings

if TYPE_CHECKING:  # imported late at run time so that `--help` stays fast
    from webhooks.inbox import Inbox, StoredEvent

LOG_LEVELS = ("debug", "info", "warning", "error")


def _open_inbox() -> Inbox:
    import sqlalchemy as sa

    from webhooks.inbox import Inbox

    url = settings.webhook_inbox_url()
    try:
        return Inbox(url)
    except ValueError as exc:
        raise click.ClickException(f"PLANTSYNC_WEBHOOK_INBOX_URL: {exc}") from None
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the webhook inbox: {reason}") from None


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None


def _state(event: StoredEvent) -> str:
    if event.processed_at:
        return f"processed by {event.run_id}" if event.run_id else f"closed: {event.last_error}"
    if event.run_id:
        return f"in flight ({event.run_id})"
    if event.attempts:
        return f"pending, {event.attempts} failed: {event.last_error}"
    return "pending"


@click.group()
def webhooks() -> None:
    """Receive Makini webhooks into the durable inbox."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8800, show_default=True, type=int, help="Port (0: any free one).")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(LOG_LEVELS))
def serve(host: str, port: int, log_level: str) -> None:
    """Serve POST /webhooks/makini/{connection_id} and GET /healthz.

    Connections and their webhook secrets come from MAKINI_CONNECTIONS, the inbox from
    PLANTSYNC_WEBHOOK_INBOX_URL, the slow-client limits from PLANTSYNC_WEBHOOK_READ_TIMEOUT_S and
    PLANTSYNC_WEBHOOK_MAX_CONNECTIONS.
    """
    import uvicorn

    from webhooks.receiver import create_app
    from webhooks.server import server_config

    connections = settings.makini_connections()
    read_timeout_s = settings.webhook_read_timeout_s()
    max_connections = settings.webhook_max_connections()
    unsigned = [c.id for c in connections if not c.webhook_secrets]
    if unsigned:
        click.echo(
            f"warning: no webhook_secret for {', '.join(unsigned)} in MAKINI_CONNECTIONS: "
            "every delivery for them will be refused (401)",
            err=True,
        )
    inbox = _open_inbox()
    sock = _listen(host, port)
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    app = create_app(connections, inbox)
    config = server_config(app, read_timeout_s, max_connections, log_level)
    bound_host, bound_port = sock.getsockname()[:2]
    click.echo(
        f"plantsync webhooks: listening on http://{bound_host}:{bound_port} "
        f"({len(connections)} connections, inbox {inbox.url}, requests complete within "
        f"{read_timeout_s:g} s, at most {max_connections} connections)"
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        inbox.close()


@webhooks.command("inbox")
@click.option("--json", "as_json", is_flag=True, help="A JSON list, one object per event.")
@click.option("--pending", is_flag=True, help="Only events not processed yet.")
def inbox_command(as_json: bool, pending: bool) -> None:
    """List the stored webhook events, oldest first."""
    import orjson

    inbox = _open_inbox()
    try:
        events = inbox.list_events(pending_only=pending)
    finally:
        inbox.close()
    if as_json:
        click.echo(orjson.dumps([e.to_dict() for e in events], option=orjson.OPT_INDENT_2).decode())
        return
    if not events:
        click.echo("no events stored" if not pending else "no pending events")
        return
    click.echo(f"{'id':>6}  {'connection':<16} {'event':<24} {'keys':>5}  {'received':<20} state")
    for e in events:
        state = _state(e)
        received = e.received_at.strftime("%Y-%m-%d %H:%M:%S")
        click.echo(
            f"{e.id:>6}  {e.connection_id:<16} {e.event:<24} {len(e.keys):>5}  "
            f"{received:<20} {state}"
        )
