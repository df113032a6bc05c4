"""A real warehouse for the report tests: a generated plant loaded by the OEE source, the
hand-made Makini rows of the PO model tests, and every model built by the engine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import warehouse
from connectivity.sync_log import ensure_table
from sandbox.plant import generate
from tests.models.oee_fixtures import MODELS_DIR, load_plant
from tests.models.po_fixtures import create_raw

PLANT_LINES, PLANT_DAYS = 3, 12
PLANT_START = datetime(2026, 2, 2)
# read a day after the plant's last shift so that every day is complete
EXTRACTED_AT = datetime(2026, 2, 15)


def build_plant_warehouse(root: Path) -> Path:
    """Create `root`/warehouse.duckdb with every mart filled; return its path."""
    db_url = f"sqlite:///{root / 'plant.db'}"
    generate(db_url, lines=PLANT_LINES, days=PLANT_DAYS, seed=11, start=PLANT_START)
    path = root / "warehouse.duckdb"
    load_plant(db_url, path, EXTRACTED_AT, pipelines_dir=root / "pipelines")
    with warehouse.connect("duckdb", duckdb_path=path) as wh:
        create_raw(wh)
        ensure_table(wh)  # a synced warehouse always has its sync log
        warehouse.run(warehouse.load_project(MODELS_DIR), wh)
    return path
