"""The warehouse as commands open it: to read what analysts see, or to write and publish."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

import settings
from settings.warehouse import WarehouseSettings
from warehouse.connections import Warehouse


@contextmanager
def reading(target: str | None = None) -> Iterator[Warehouse]:
    """The configured warehouse (or `target`), read-only where that matters (DuckDB)."""
    from warehouse.access import open_reader

    with open_reader(WarehouseSettings.from_env(target)) as warehouse:
        yield warehouse


@contextmanager
def writing(command: str, target: str | None = None) -> Iterator[Warehouse]:
    """Write the warehouse as `command`; on DuckDB, publish for analysts when done."""
    from warehouse.access import writing as write

    holder = f"`plantsync {command}`"
    location = WarehouseSettings.from_env(target)
    wait_s = settings.writer_wait_s()
    with (
        write(location, holder, wait_s=wait_s, on_wait=lambda m: click.echo(m, err=True)) as writer,
        writer.connect() as warehouse,
    ):
        yield warehouse
