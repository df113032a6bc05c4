"""dlt destinations and pipelines for the configured warehouse: duckdb, snowflake or postgres.

Sync state (watermarks, schemas) lives in the warehouse itself (`_dlt_pipeline_state`,
`_dlt_version`), committed with the data it describes. dlt's local working folder is only
scratch: every pipeline starts from an empty folder of its own under the warehouse's sync
folder, so dlt restores state from the warehouse it is about to load and never trusts files
that another checkout, warehouse or concurrent run left behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination

from settings.warehouse import WarehouseSettings, open_duckdb

# dlt's own setting for its anonymous usage telemetry.
DLT_TELEMETRY = "RUNTIME__DLTHUB_TELEMETRY"

# snowflake.connector keyword -> dlt's SnowflakeCredentials field
_SNOWFLAKE_TO_DLT = {
    "account": "host",
    "user": "username",
    "password": "password",
    "private_key_file": "private_key_path",
    "warehouse": "warehouse",
    "database": "database",
    "role": "role",
}


@contextmanager
def dlt_destination(warehouse: WarehouseSettings) -> Iterator[Destination]:
    """The dlt destination writing `warehouse` for one pipeline's run.

    On DuckDB: its working database, through one connection opened and configured here and held
    for the whole run. dlt's own would reopen the database for every load job and checkpoint it
    on closing, tens of milliseconds each, more than a small incremental job takes itself; and
    it would SET the global config again each time, which DuckDB refuses for the temporary
    directory once it has spilled there.
    """
    if warehouse.destination == "postgres":
        yield dlt.destinations.postgres(credentials=_postgres_credentials(warehouse.postgres_url))
        return
    if not warehouse.is_duckdb:
        yield dlt.destinations.snowflake(credentials=snowflake_credentials(warehouse.snowflake))
        return
    from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

    warehouse.work_path.parent.mkdir(parents=True, exist_ok=True)
    connection = open_duckdb(warehouse.work_path, config=warehouse.duckdb_config())
    try:
        # Loading and merging run inside DuckDB: bounded like every other connection, and one
        # load job at a time, since parallel jobs (dlt runs up to 20) share that one bound and
        # together run out of it. DuckDB parallelizes each job by itself.
        yield dlt.destinations.duckdb(
            credentials=DuckDbCredentials(connection), loader_parallelism_strategy="sequential"
        )
    finally:
        connection.close()


def snowflake_credentials(params: dict[str, Any]) -> dict[str, Any]:
    """dlt's names for the connector parameters that `settings.snowflake_params` gives."""
    return {_SNOWFLAKE_TO_DLT[k]: v for k, v in params.items() if k in _SNOWFLAKE_TO_DLT and v}


@contextmanager
def scratch_pipeline(
    name: str, dataset: str, destination: Destination, root: Path
) -> Iterator[dlt.Pipeline]:
    """A dlt pipeline in a new, empty working folder under `root`, removed afterwards.

    With nothing local, dlt restores the pipeline's state and schemas from the destination
    before it loads: what the warehouse holds decides, never a folder shared by other runs.
    """
    # dlt's telemetry keeps an id in dlt's global folder (~/.dlt, /var/dlt for root), outside
    # the warehouse's place, and at exit waits up to a second for its last report: off unless
    # the user turns it on.
    os.environ.setdefault(DLT_TELEMETRY, "false")
    folder = Path(root) / f"{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    try:
        yield dlt.pipeline(
            pipeline_name=name,
            destination=destination,
            dataset_name=dataset,
            pipelines_dir=str(folder),
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def warehouse_pipeline(
    name: str, dataset: str, warehouse: WarehouseSettings
) -> Iterator[dlt.Pipeline]:
    """`scratch_pipeline` loading `dataset` of the configured warehouse."""
    with (
        dlt_destination(warehouse) as destination,
        scratch_pipeline(name, dataset, destination, warehouse.dlt_dir) as pipeline,
    ):
        yield pipeline


def failed_writing(exc: BaseException) -> bool:
    """Whether dlt failed after extracting (normalizing or loading into the warehouse): the
    warehouse's problem, not the source's."""
    from dlt.pipeline.exceptions import PipelineStepFailed

    return isinstance(exc, PipelineStepFailed) and exc.step != "extract"


def _postgres_credentials(url: str | None):
    """dlt insists on a password; a server with trust or peer auth has none to give."""
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials(url)
    if credentials.password is None:
        credentials.password = ""
        credentials.resolve()
    return credentials
