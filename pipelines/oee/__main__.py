"""`python -m pipelines.oee [DB_URL]`: load the plant database into the DuckDB warehouse.

The URL defaults to `PLANTSYNC_OEE_DB_URL` (`sqlite:///data/plant.db`); the warehouse is
`PLANTSYNC_DUCKDB_PATH` (`data/warehouse.duckdb`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipelines.oee.pipeline import duckdb_pipeline, run_oee


def main(argv: list[str]) -> int:
    # Read here rather than through plantsync.settings: pipelines never import the app shell.
    db_url = (
        argv[0] if argv else os.environ.get("PLANTSYNC_OEE_DB_URL") or "sqlite:///data/plant.db"
    )
    duckdb_path = Path(os.environ.get("PLANTSYNC_DUCKDB_PATH") or "data/warehouse.duckdb")
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    info = run_oee(db_url, duckdb_pipeline(duckdb_path))
    print(info)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
