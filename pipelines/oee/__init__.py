"""OEE-system SQL source (dlt `sql_database`) and its table contract."""

from pipelines.oee.pipeline import duckdb_pipeline, run_oee
from pipelines.oee.settings import DATASET_NAME, OEE_TABLES
from pipelines.oee.source import oee_source

__all__ = ["DATASET_NAME", "OEE_TABLES", "duckdb_pipeline", "oee_source", "run_oee"]
