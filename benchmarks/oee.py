"""OEE benchmark: 10 lines x 365 days generated, loaded with the OEE source, modelled on DuckDB.

Prints seconds per 1,000 line-days for each step, the load against a raw bound measured in the
same run (SQLAlchemy rows -> Arrow -> DuckDB, no dlt), and peak memory (ru_maxrss).

    python benchmarks/oee.py [--lines 10] [--days 365] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The OEE model set is defined once, beside the OEE tests' fixtures.
from tests.models.oee_fixtures import oee_selection  # noqa: E402


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_bound(db_url: str, duckdb_path: Path) -> float:
    """Seconds to copy every OEE table with SQLAlchemy + pyarrow + DuckDB, no dlt."""
    import duckdb
    import pyarrow as pa
    import sqlalchemy as sa

    from pipelines.oee.settings import OEE_TABLES

    started = time.perf_counter()
    engine = sa.create_engine(db_url)
    with engine.connect() as conn, duckdb.connect(str(duckdb_path)) as con:
        for table in OEE_TABLES:
            result = conn.execute(sa.text(f"select * from {table}"))
            columns = list(result.keys())
            data = list(zip(*result.fetchall(), strict=True)) or [[] for _ in columns]
            arrow = pa.table({c: pa.array(v) for c, v in zip(columns, data, strict=True)})
            con.register("page", arrow)
            con.execute(f"create or replace table {table} as select * from page")
            con.unregister("page")
    engine.dispose()
    return time.perf_counter() - started


def empty_makini_inputs(wh) -> None:
    """The Makini tables the OEE models also read, empty (this benchmark is about OEE)."""
    from pipelines.makini.tables import ENDPOINTS_BY_TABLE, snake_case
    from tests.support.tables import load_rows

    kinds = {
        "text": "varchar",
        "decimal": "decimal(38, 9)",
        "timestamp": "timestamptz",
        "bool": "boolean",
        "json": "varchar",
    }
    for table in ("assets", "asset_downtime"):
        fields = ENDPOINTS_BY_TABLE[table].fields
        columns = [(snake_case(f), kinds[k]) for f, k in fields.items()]
        columns += [("connection_id", "varchar"), ("_extracted_at", "timestamptz")]
        load_rows(wh, f"raw_makini.{table}", columns, [])
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
        [],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    line_days = args.lines * args.days

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
        os.environ["DLT_DATA_DIR"] = str(root / "dlt")
        import dlt

        import warehouse
        from pipelines.oee.pipeline import run_oee
        from sandbox.plant import generate

        db_url = f"sqlite:///{root / 'plant.db'}"
        started = time.perf_counter()
        written = generate(db_url, args.lines, args.days, args.seed)
        generate_s = time.perf_counter() - started
        rows = sum(written.values())

        raw_s = raw_bound(db_url, root / "raw.duckdb")

        duckdb_path = root / "warehouse.duckdb"
        pipeline = dlt.pipeline(
            pipeline_name="oee_bench",
            destination=dlt.destinations.duckdb(str(duckdb_path)),
            dataset_name="raw_oee",
            pipelines_dir=str(root / "pipelines"),
        )
        started = time.perf_counter()
        run_oee(db_url, pipeline)
        load_s = time.perf_counter() - started

        project = warehouse.load_project(ROOT / "models")
        with warehouse.connect("duckdb", duckdb_path=duckdb_path) as wh:
            empty_makini_inputs(wh)
            started = time.perf_counter()
            results = warehouse.run(project, wh, oee_selection(with_seed=True))
            models_s = time.perf_counter() - started
            shifts = wh.query("select count(*) from marts.oee_by_shift")[0][0]
            slowest = sorted(results, key=lambda r: r.seconds, reverse=True)[:3]

    per_k = 1000 / line_days
    print(
        f"OEE benchmark: {args.lines} lines x {args.days} days = {line_days:,} line-days, "
        f"{rows:,} plant rows, {shifts:,} shifts"
    )
    print(f"  generate   {generate_s:7.2f} s  {generate_s * per_k:6.2f} s per 1,000 line-days")
    print(
        f"  load (dlt) {load_s:7.2f} s  {load_s * per_k:6.2f} s per 1,000 line-days  "
        f"{rows / load_s:,.0f} rows/s"
    )
    print(
        f"  raw bound  {raw_s:7.2f} s  (SQLAlchemy -> Arrow -> DuckDB); dlt / raw = "
        f"{load_s / raw_s:.2f}x"
    )
    print(
        f"  models     {models_s:7.2f} s  {models_s * per_k:6.2f} s per 1,000 line-days  "
        f"({len(results)} models)"
    )
    print("  slowest: " + ", ".join(f"{r.model} {r.seconds:.2f} s" for r in slowest))
    total = load_s + models_s
    print(f"  load + models {total:.2f} s = {total * per_k:.2f} s per 1,000 line-days")
    print(f"  peak memory {peak_memory_mb():,.0f} MB (ru_maxrss)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
