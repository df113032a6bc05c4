"""`plantsync sandbox ...`: the Makini-compatible API and the OEE plant database generator.

Heavy imports (uvicorn, the data generator) happen inside the commands so `--help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def sandbox() -> None:
    """Simulated source systems for demos, tests and benchmarks."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8700, show_default=True, type=int, help="Port (0: any free).")
@click.option("--seed", default=7, show_default=True, type=int, help="Data seed.")
@click.option(
    "--connections",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of connections (each a different ERP flavour).",
)
@click.option(
    "--purchase-orders",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Purchase orders per connection.",
)
@click.option(
    "--connections-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the connections (id, token, webhook_secret) here as JSON, in the "
    "format MAKINI_CONNECTIONS accepts.",
)
@click.option("--dirty", is_flag=True, help="Inject known data defects (see GET /_sandbox/dirty).")
def serve(
    host: str,
    port: int,
    seed: int,
    connections: int,
    purchase_orders: int,
    connections_file: Path | None,
    dirty: bool,
) -> None:
    """Serve the Makini-compatible API until interrupted (SIGINT/SIGTERM)."""
    import uvicorn

    from sandbox.makini.server import bind, uvicorn_config
    from sandbox.makini.world import Sandbox

    click.echo(
        f"generating {connections} connection(s) × {purchase_orders} orders "
        f"(seed {seed}{', dirty' if dirty else ''})...",
        err=True,
    )
    world = Sandbox(seed, connections, purchase_orders, dirty)
    identities = [conn.identity() for conn in world.connections]
    if connections_file:
        connections_file.parent.mkdir(parents=True, exist_ok=True)
        connections_file.write_text(json.dumps(identities, indent=2), encoding="utf-8")
        connections_file.chmod(0o600)  # it holds tokens and secrets
        click.echo(f"connections written to {connections_file}", err=True)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    # Tokens go only to the file, never to the terminal.
    click.echo(
        f"Makini sandbox on http://{host}:{port} with connections "
        f"{', '.join(i['id'] for i in identities)}"
    )
    uvicorn.Server(uvicorn_config(world, host, port)).run(sockets=[sock])


@sandbox.command("plant-db")
@click.option("--url", required=True, help="SQLAlchemy URL of the OEE database to create.")
@click.option(
    "--lines", default=4, show_default=True, type=click.IntRange(min=1), help="Production lines."
)
@click.option(
    "--days", default=30, show_default=True, type=click.IntRange(min=1), help="Days of history."
)
@click.option("--seed", default=7, show_default=True, type=int, help="Data seed.")
def plant_db(url: str, lines: int, days: int, seed: int) -> None:
    """Create and fill an OEE system database (SQLite, PostgreSQL or MariaDB)."""
    from sandbox.plant.generator import generate

    counts = generate(url, lines=lines, days=days, seed=seed)
    for table, count in counts.items():
        click.echo(f"{table}: {count}")
