"""Run the OEE source into a destination (DuckDB by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from pipelines.destinations import dlt_destination, dlt_pipeline
from pipelines.oee.settings import DATASET_NAME, PIPELINE_NAME
from pipelines.oee.source import oee_source


def duckdb_pipeline(duckdb_path: str | Path, pipelines_dir: str | None = None) -> dlt.Pipeline:
    """A pipeline loading `raw_oee` into the DuckDB file at `duckdb_path`."""
    destination = dlt_destination("duckdb", duckdb_path=duckdb_path)
    return dlt_pipeline(PIPELINE_NAME, DATASET_NAME, destination, pipelines_dir=pipelines_dir)


def run_oee(db_url: str, pipeline: dlt.Pipeline, **source_kwargs: Any) -> LoadInfo:
    """Load the plant database at `db_url` through `pipeline` (parquet loader files)."""
    return pipeline.run(oee_source(db_url, **source_kwargs), loader_file_format="parquet")
