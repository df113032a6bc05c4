"""Load every Makini table into a DuckDB file: `python -m pipelines.makini [DUCKDB_FILE]`.

Reads `MAKINI_BASE_URL` and `MAKINI_CONNECTIONS`; the file defaults to `makini.duckdb`,
dlt's scratch folder is `<file>.dlt/`. For the whole product use `plantsync run --source makini`.
"""

from __future__ import annotations

import sys

import dlt

import settings
from pipelines.destinations import scratch_pipeline
from pipelines.makini.pipeline import sync
from pipelines.makini.tables import DATASET, PIPELINE_NAME


def main(argv: list[str]) -> None:
    path = settings.absolute(argv[0] if argv else "makini.duckdb")
    destination = dlt.destinations.duckdb(credentials=str(path))
    root = path.with_name(path.name + ".dlt")
    with scratch_pipeline(PIPELINE_NAME, DATASET, destination, root) as pipeline:
        _, report = sync(pipeline, settings.makini_base_url(), settings.makini_connections())
    for table, rows in sorted(report.rows.items()):
        print(f"{table:32} {rows:>10,} rows")


if __name__ == "__main__":
    main(sys.argv[1:])
