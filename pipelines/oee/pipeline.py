"""Run the OEE source into a destination."""

from __future__ import annotations

from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo

from pipelines.oee.source import oee_source


def run_oee(db_url: str, pipeline: dlt.Pipeline, **source_kwargs: Any) -> LoadInfo:
    """Load the plant database at `db_url` through `pipeline` (parquet loader files)."""
    return pipeline.run(oee_source(db_url, **source_kwargs), loader_file_format="parquet")
