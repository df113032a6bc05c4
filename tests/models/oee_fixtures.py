"""Small OEE plants built row by row, loaded through the real source, modelled by the engine.

`build_plant` writes exact rows into a SQLite OEE database (the generator's DDL), `oee_warehouse`
loads it with `pipelines.oee` into DuckDB and builds every OEE model with `warehouse.run`.
Makini inputs the OEE marts read (raw asset tables, canonical purchase-order lines) are
created here so the OEE models can be tested without the purchase-order half.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import sqlalchemy as sa

import warehouse
from pipelines.makini.tables import ENDPOINTS_BY_TABLE, snake_case
from pipelines.oee.pipeline import run_oee
from sandbox.plant import schema
from sandbox.plant.catalog import REASON_CODES
from tests.support.tables import load_rows

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
EXTRACTED_AT = datetime(2026, 2, 1)

OEE_MODELS: tuple[str, ...] = (
    "staging.oee_lines",
    "staging.oee_products",
    "staging.oee_reason_codes",
    "staging.oee_shifts",
    "staging.oee_downtime_events",
    "staging.oee_production_counts",
    "staging.oee_quality_events",
    "staging.assets",
    "staging.asset_downtime",
    "canonical.shifts",
    "canonical.downtime_events",
    "canonical.production_counts",
    "canonical.quality_events",
    "canonical.assets",
    "marts.oee_shift_segments",
    "marts.oee_by_shift",
    "marts.oee_daily",
    "marts.six_big_losses",
    "marts.downtime_pareto",
    "marts.asset_reliability",
    "marts.asset_maintenance_cost_vs_downtime",
)

_MAKINI_TYPES = {
    "text": "varchar",
    "decimal": "decimal(38, 9)",
    "timestamp": "timestamptz",
    "bool": "boolean",
    "json": "varchar",
}


def ts(text: str) -> datetime:
    """`"2026-01-05 06:00"` -> naive UTC datetime."""
    return datetime.fromisoformat(text)


def build_plant(
    path: Path,
    *,
    lines: Sequence[dict] = (
        {"line_id": "L1", "site": "Test", "name": "Line 1", "timezone": "UTC"},
    ),
    products: Sequence[dict] = ({"product_id": "P1", "name": "Widget", "ideal_cycle_time_s": 1.0},),
    shifts: Sequence[dict] = (),
    downtime_events: Sequence[dict] = (),
    production_counts: Sequence[dict] = (),
    quality_events: Sequence[dict] = (),
) -> str:
    """Create a SQLite OEE database at `path` holding exactly these rows; return its URL.

    Rows may omit `updated_at` (then the row's own time) and ids (then numbered from 1).
    """
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    schema.recreate(engine)
    reason_rows = [{"reason_code": r, "description": d, "category": c} for r, d, c in REASON_CODES]
    with engine.begin() as conn:
        for table, rows, key, time_column in (
            (schema.lines, lines, None, None),
            (schema.products, products, None, None),
            (schema.reason_codes, reason_rows, None, None),
            (schema.shifts, shifts, "shift_id", None),
            (schema.downtime_events, downtime_events, "event_id", "started_at"),
            (schema.production_counts, production_counts, "count_id", "period_end"),
            (schema.quality_events, quality_events, "event_id", "occurred_at"),
        ):
            prepared = []
            for number, row in enumerate(rows, start=1):
                row = dict(row)
                if key and key not in row:
                    row[key] = number
                if time_column and "updated_at" not in row:
                    row["updated_at"] = row.get("ended_at") or row[time_column]
                prepared.append(row)
            if prepared:
                conn.execute(table.insert(), prepared)
    engine.dispose()
    return url


def load_plant(
    db_url: str,
    duckdb_path: Path,
    extracted_at: datetime = EXTRACTED_AT,
    pipelines_dir: Path | None = None,
) -> None:
    """Run the OEE source into `duckdb_path` (dataset raw_oee) with a fixed extraction time."""
    pipeline = dlt.pipeline(
        pipeline_name="oee_test",
        destination=dlt.destinations.duckdb(str(duckdb_path)),
        dataset_name="raw_oee",
        pipelines_dir=str(pipelines_dir) if pipelines_dir else None,
    )
    run_oee(db_url, pipeline, extracted_at=extracted_at)


def _makini_raw(wh: warehouse.Warehouse, table: str, rows: Sequence[dict]) -> None:
    fields = ENDPOINTS_BY_TABLE[table].fields
    columns = [(snake_case(f), _MAKINI_TYPES[kind]) for f, kind in fields.items()]
    columns += [("connection_id", "varchar"), ("_extracted_at", "timestamptz")]
    values = [[row.get(name) for name, _ in columns] for row in rows]
    load_rows(wh, f"raw_makini.{table}", columns, values)


def prepare_model_inputs(
    wh: warehouse.Warehouse,
    *,
    micro_stop_thresholds: dict[str, int] | None = None,
    makini_assets: Sequence[dict] = (),
    makini_downtime: Sequence[dict] = (),
    po_lines: Sequence[dict] = (),
) -> None:
    """Create what the OEE models read besides raw_oee: Makini raw asset tables, canonical
    purchase-order lines and (when given) the micro-stop thresholds seed."""
    _makini_raw(wh, "assets", makini_assets)
    _makini_raw(wh, "asset_downtime", makini_downtime)
    load_rows(
        wh,
        "canonical.purchase_order_lines",
        [
            ("connection_id", "varchar"),
            ("asset_key", "varchar"),
            ("currency_code", "varchar"),
            ("line_net", "decimal(18, 4)"),
            ("status", "varchar"),
            ("is_deleted", "boolean"),
        ],
        [
            [
                r["connection_id"],
                r["asset_key"],
                r.get("currency_code", "EUR"),
                r["line_net"],
                r.get("status", "open"),
                r.get("is_deleted", False),
            ]
            for r in po_lines
        ],
    )
    if micro_stop_thresholds is not None:
        load_rows(
            wh,
            "seeds.oee_settings",
            [("line_id", None), ("micro_stop_threshold_s", None)],
            [[line, str(value)] for line, value in micro_stop_thresholds.items()],
        )


def oee_selection(with_seed: bool) -> list[str]:
    """The OEE models and the seeds they read (the settings seed only unless a test provides its
    own rows)."""
    seeds = ["seeds.downtime_category_map", *(["seeds.oee_settings"] if with_seed else [])]
    return [*seeds, *OEE_MODELS]


def build_models(duckdb_path: Path, **model_inputs: Any) -> warehouse.Warehouse:
    """Build every OEE model in `duckdb_path` with the engine; return the open warehouse."""
    project = warehouse.load_project(MODELS_DIR)
    wh = warehouse.connect("duckdb", duckdb_path=duckdb_path)
    prepare_model_inputs(wh, **model_inputs)
    warehouse.run(project, wh, oee_selection(model_inputs.get("micro_stop_thresholds") is None))
    return wh


def oee_warehouse(tmp_path: Path, **plant: Any) -> warehouse.Warehouse:
    """build_plant + load_plant + build_models: the marts of a hand-built plant."""
    model_options = {
        k: plant.pop(k)
        for k in ("micro_stop_thresholds", "makini_assets", "makini_downtime", "po_lines")
        if k in plant
    }
    extracted_at = plant.pop("extracted_at", EXTRACTED_AT)
    db_url = build_plant(tmp_path / "plant.db", **plant)
    duckdb_path = tmp_path / "warehouse.duckdb"
    load_plant(db_url, duckdb_path, extracted_at, pipelines_dir=tmp_path / "pipelines")
    return build_models(duckdb_path, **model_options)


def rows(wh: warehouse.Warehouse, sql: str) -> list[dict]:
    """Query results as dicts."""
    result = wh.query(sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result]


def raw_oee_copier(
    source_duckdb: Path, **model_inputs: Any
) -> Callable[[warehouse.Warehouse], None]:
    """A `create_raw` for `tests.support.compare.compare_targets`: the raw_oee tables loaded by the
    source into `source_duckdb`, plus the Makini inputs, recreated on any target."""
    import duckdb

    with duckdb.connect(str(source_duckdb), read_only=True) as con:
        tables = {}
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_oee' "
            "and table_name not like '\\_dlt%' escape '\\'"
        ).fetchall():
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw_oee' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            columns = [(n, t.lower()) for n, t in columns if not n.startswith("_dlt")]
            names = ", ".join(n for n, _ in columns)
            tables[table] = (
                columns,
                con.execute(f"select {names} from raw_oee.{table}").fetchall(),
            )

    def create_raw(wh: warehouse.Warehouse) -> None:
        for table, (columns, values) in tables.items():
            load_rows(wh, f"raw_oee.{table}", columns, values)
        prepare_model_inputs(wh, **model_inputs)

    return create_raw
