"""Load every Makini table into DuckDB: `python -m pipelines.makini [duckdb file]`.

Reads `MAKINI_BASE_URL` and `MAKINI_CONNECTIONS` from the environment.
"""

from __future__ import annotations

import os
import sys

from pipelines.destinations import dlt_destination, dlt_pipeline
from pipelines.makini.connections import parse_connections
from pipelines.makini.pipeline import DATASET, PIPELINE_NAME, sync
from pipelines.makini.settings import DEFAULT_BASE_URL


def main(argv: list[str]) -> None:
    path = argv[0] if argv else "data/warehouse.duckdb"
    connections = parse_connections(os.environ.get("MAKINI_CONNECTIONS", ""))
    base_url = os.environ.get("MAKINI_BASE_URL", DEFAULT_BASE_URL)
    pipeline = dlt_pipeline(PIPELINE_NAME, DATASET, dlt_destination("duckdb", duckdb_path=path))
    _, report = sync(pipeline, base_url, connections)
    for table, rows in sorted(report.rows.items()):
        print(f"{table:32} {rows:>10,} rows")


if __name__ == "__main__":
    main(sys.argv[1:])
