"""What publishing the DuckDB warehouse for analysts costs, as a share of the run it ends.

A sandbox with about 1M order lines (250,000 orders × ~4 lines over 2 connections) serves in
its own process; `plantsync run --source makini` syncs it into a fresh DuckDB warehouse in
another, as a scheduler would start it. The run reports how long its publish took (checkpoint,
copy, fsync, check, rename); the share of the run's time is compared with the goal (10%).

    python benchmarks/publish.py [--orders 250000] [--connections 2]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from _sandbox import served_sandbox, warehouse_env

ROOT = Path(__file__).resolve().parents[1]
GOAL_SHARE = 0.10
PUBLISHED = re.compile(r"published \S+ in ([0-9.]+)s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=250_000)
    parser.add_argument("--connections", type=int, default=2)
    args = parser.parse_args()
    print(f"sandbox: {args.connections} connections, {args.orders:,} orders (generating...)")
    with served_sandbox("plantsync-publish-", args.connections, args.orders) as (workdir, url):
        env = warehouse_env(workdir, url, dagster_home=True)
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "plantsync", "run", "--source", "makini"],
            cwd=workdir, env=env, capture_output=True, text=True,
        )  # fmt: skip
        run_s = time.perf_counter() - started
        if run.returncode != 0:
            raise SystemExit(f"the run failed:\n{run.stderr[-3000:]}")
        found = PUBLISHED.search(run.stderr)
        if not found:
            raise SystemExit("the run did not report a publish")
        publish_s = float(found.group(1))
        with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as con:
            (lines,) = con.execute("select count(*) from canonical.purchase_order_lines").fetchone()
        size_mb = (workdir / "warehouse.duckdb").stat().st_size / 1e6

    share = publish_s / run_s
    print(f"order lines in the warehouse   {lines:>12,}")
    print(f"published file                 {size_mb:>12,.0f} MB")
    print(f"whole run (process start-end)  {run_s:>12.1f} s")
    print(f"publish                        {publish_s:>12.2f} s")
    print(f"publish share of the run       {share:>12.1%}   goal <= {GOAL_SHARE:.0%}")
    print(f"ratio to the goal              {share / GOAL_SHARE:>12.2f}   (<= 1 meets it)")


if __name__ == "__main__":
    main()
