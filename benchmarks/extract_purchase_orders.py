"""Sync ≥100k purchase orders (~400k lines) from the sandbox into DuckDB, against a raw bound.

The raw bound fetches the same pages with requests, parses them with orjson, flattens orders
and their lines into pyarrow tables and bulk-inserts them into DuckDB: no dlt, no typing.
plantsync's path is the real dlt source (typed Arrow per page, merge into raw_makini).
The sandbox runs in its own process so that serving does not compete for this one's GIL.

    python benchmarks/extract_purchase_orders.py [--orders 100000] [--per-page 500]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dlt
from _sandbox import served_sandbox

from pipelines.destinations import scratch_pipeline
from pipelines.makini.client import RetrySettings
from pipelines.makini.pipeline import sync
from pipelines.makini.tables import DATASET, PIPELINE_NAME
from settings.connections import parse_connections

GOAL_RATIO = 2.0


def pages(base_url: str, token: str, per_page: int) -> Iterator[list[dict]]:
    """Every page of orders, fetched with requests and parsed with orjson."""
    session, headers = requests.Session(), {"Authorization": f"Bearer {token}"}
    page, last_page = 1, 1
    while page <= last_page:
        response = session.get(
            f"{base_url}/api/erp/purchase-orders",
            params={"page": page, "per_page": per_page, "sort[updatedAt]": 0},
            headers=headers,
            timeout=60,
        )
        body = orjson.loads(response.content)
        last_page = body["meta"]["last_page"]
        yield body["data"]
        page += 1


def raw_bound(base_url: str, token: str, per_page: int, path: Path) -> int:
    con = duckdb.connect(str(path))
    rows, created = 0, False
    for data in pages(base_url, token, per_page):
        orders, lines = [], []
        for order in data:
            for line in order.pop("lineItems"):
                line["purchaseOrderKey"] = order["key"]
                line["customFields"] = orjson.dumps(line.get("customFields")).decode()
                lines.append(line)
            for field in ("shipmentAddress", "billingAddress", "deliveryAddress", "customFields"):
                order[field] = orjson.dumps(order.get(field)).decode()
            orders.append(order)
        con.register("order_table", pa.Table.from_pylist(orders))
        con.register("line_table", pa.Table.from_pylist(lines))
        if not created:
            con.execute("create table orders as select * from order_table limit 0")
            con.execute("create table lines as select * from line_table limit 0")
            created = True
        con.execute("insert into orders by name select * from order_table")
        con.execute("insert into lines by name select * from line_table")
        rows += len(orders) + len(lines)
    con.close()
    return rows


def fetch_only(base_url: str, token: str, per_page: int) -> int:
    """The pages alone, fetched and parsed: how much of either path is the sandbox serving."""
    return sum(
        1 + len(order["lineItems"]) for data in pages(base_url, token, per_page) for order in data
    )


def plantsync_sync(base_url: str, connections_json: str, per_page: int, path: Path) -> int:
    destination = dlt.destinations.duckdb(credentials=str(path))
    with scratch_pipeline(PIPELINE_NAME, DATASET, destination, path.parent / "dlt") as pipeline:
        _, report = sync(
            pipeline,
            base_url,
            parse_connections(connections_json),
            tables=["purchase_orders"],
            per_page=per_page,
            retry=RetrySettings(timeout_s=120),
        )
    return report.rows["purchase_orders"] + report.rows["purchase_order_lines"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--per-page", type=int, default=500)
    args = parser.parse_args()
    print(f"starting the sandbox with {args.orders:,} orders ...", flush=True)
    with served_sandbox("plantsync-extract-", 1, args.orders) as (workdir, base_url):
        connections_json = (workdir / "connections.json").read_text()
        token = json.loads(connections_json)[0]["token"]
        started = time.perf_counter()
        fetch_rows = fetch_only(base_url, token, args.per_page)
        fetch_s = time.perf_counter() - started
        started = time.perf_counter()
        raw_rows = raw_bound(base_url, token, args.per_page, workdir / "raw.duckdb")
        raw_s = time.perf_counter() - started
        started = time.perf_counter()
        dlt_rows = plantsync_sync(
            base_url, connections_json, args.per_page, workdir / "plantsync.duckdb"
        )
        dlt_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = dlt_s / raw_s
    for label, rows, seconds in (
        ("fetch only", fetch_rows, fetch_s),
        ("raw bound", raw_rows, raw_s),
        ("plantsync", dlt_rows, dlt_s),
    ):
        print(f"{label:10}: {rows:>9,} rows in {seconds:7.2f} s = {rows / seconds:>9,.0f} rows/s")
    print(f"ratio     : {ratio:.2f} (goal ≤ {GOAL_RATIO}); peak memory {peak_mb:,.0f} MB")
    if raw_rows != dlt_rows:
        raise SystemExit(f"row counts differ: raw {raw_rows} vs plantsync {dlt_rows}")


if __name__ == "__main__":
    main()
