"""The dlt destination for the configured warehouse: duckdb, snowflake or postgres."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination


def dlt_destination(
    kind: str,
    *,
    duckdb_path: str | Path | None = None,
    postgres_url: str | None = None,
    snowflake: dict[str, Any] | None = None,
) -> Destination:
    """Build the destination; raises ValueError naming the missing setting."""
    if kind == "duckdb":
        path = Path(duckdb_path or "data/warehouse.duckdb")
        path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(credentials=str(path))
    if kind == "postgres":
        if not postgres_url:
            raise ValueError("PLANTSYNC_POSTGRES_URL is required for the postgres destination")
        return dlt.destinations.postgres(credentials=_postgres_credentials(postgres_url))
    if kind == "snowflake":
        if not snowflake:
            raise ValueError("SNOWFLAKE_* settings are required for the snowflake destination")
        return dlt.destinations.snowflake(credentials=snowflake)
    raise ValueError(f"unknown destination {kind!r}: expected duckdb, snowflake or postgres")


def dlt_pipeline(
    name: str, dataset: str, destination: Destination, pipelines_dir: str | None = None
) -> dlt.Pipeline:
    """A pipeline whose state lives in the warehouse beside its data (`_dlt_pipeline_state`)."""
    return dlt.pipeline(
        pipeline_name=name,
        destination=destination,
        dataset_name=dataset,
        pipelines_dir=pipelines_dir,
    )


def _postgres_credentials(url: str):
    """dlt insists on a password; a server with trust or peer auth has none to give."""
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials(url)
    if credentials.password is None:
        credentials.password = ""
        credentials.resolve()
    return credentials
