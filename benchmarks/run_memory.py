"""Peak memory of a full Makini sync at two sizes, against bounds that do not grow with the data.

For each size a sandbox serves in its own process (its memory is not counted), and
`plantsync run --source makini` syncs everything into a fresh DuckDB warehouse under
`/usr/bin/time -v`, which gives the run's peak RSS. Sizes and goals:

- `small`: 3 connections × 20,000 orders (about 250k order lines), peak RSS < 700 MB;
- `large`: 3 connections × 82,000 orders (at least 1,000,000 order lines, counted in the
  warehouse after the run), peak RSS < 1,024 MB.

    .venv/bin/python benchmarks/run_memory.py [--sizes small,large]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from _sandbox import measured_run, served_sandbox, warehouse_env

RUN = [sys.executable, "-m", "plantsync", "run", "--source", "makini"]
LINES_TABLE = "raw_makini.purchase_order_lines"


@dataclass(frozen=True)
class Size:
    connections: int
    orders: int  # in all
    goal_mb: float
    min_lines: int = 0


SIZES = {
    "small": Size(connections=3, orders=60_000, goal_mb=700),
    "large": Size(connections=3, orders=246_000, goal_mb=1024, min_lines=1_000_000),
}


def order_lines(warehouse: Path) -> int:
    """Order lines the run loaded, read from the published warehouse."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select count(*) from {LINES_TABLE}").fetchone()[0]


def measure(name: str, size: Size) -> None:
    with served_sandbox("plantsync-memory-", size.connections, size.orders) as (workdir, url):
        env = warehouse_env(workdir, url)
        run = measured_run(RUN, env)
        lines = order_lines(Path(env["PLANTSYNC_DUCKDB_PATH"]))
    per_connection = size.orders // size.connections
    print(f"{name:6} {size.connections} × {per_connection:,} orders, {lines:,} order lines")
    print(f"       wall time {run.seconds:7.1f} s   peak RSS {run.peak_rss_mb:6.0f} MB")
    print(f"       ratio peak RSS / goal {run.peak_rss_mb / size.goal_mb:5.2f}   "
          f"goal < {size.goal_mb:.0f} MB")  # fmt: skip
    if lines < size.min_lines:
        raise SystemExit(f"{name}: {lines:,} order lines, the size needs {size.min_lines:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}"
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.sizes.split(",") if n.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; known: {', '.join(SIZES)}")
    for name in names:
        measure(name, SIZES[name])


if __name__ == "__main__":
    main()
