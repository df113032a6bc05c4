"""`python -m pipelines.oee [DB_URL] [DUCKDB_FILE]`: load the plant database into a DuckDB file.

The URL defaults to `PLANTSYNC_OEE_DB_URL`, the file to `oee.duckdb`; dlt's scratch folder
is `<file>.dlt/`. For the whole product (models, publishing) use `plantsync run --source oee`.
"""

from __future__ import annotations

import sys

import dlt

import settings
from pipelines.destinations import scratch_pipeline
from pipelines.oee.pipeline import run_oee
from pipelines.oee.settings import DATASET_NAME, PIPELINE_NAME


def main(argv: list[str]) -> int:
    db_url = argv[0] if argv else settings.oee_db_url()
    path = settings.absolute(argv[1] if len(argv) > 1 else "oee.duckdb")
    destination = dlt.destinations.duckdb(credentials=str(path))
    root = path.with_name(path.name + ".dlt")
    with scratch_pipeline(PIPELINE_NAME, DATASET_NAME, destination, root) as pipeline:
        print(run_oee(db_url, pipeline))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
