"""Incremental end to end: a run after 1% of the orders changed against the full run before it.

A sandbox (2 connections × 50,000 orders by default, about 930k raw rows) serves in its own
process. Into a fresh DuckDB warehouse, as a user runs it:

1. `plantsync run --source makini`: the first, full sync (extract everything, build everything);
2. a day passes in the sandbox: 1% of every connection's orders change (statuses, received
   quantities, repriced lines), each at a time of its own that day, and 0.1% new ones arrive.
   A daily sync's one-hour lookback (PLANTSYNC_MAKINI_LOOKBACK_S) then re-reads the changes of
   the previous day's last hour, not all of them;
3. `plantsync run --source makini` again: the incremental run (extract the changes, merge them
   into the canonical tables, recompute the touched marts, check the new rows);
4. steps 2 and 3 again, `--rounds` times in all (each round a day of its own, as daily syncs
   see it), so that one noisy run does not decide;
5. `plantsync run --source makini --full-refresh`, for reference: the same data rebuilt from
   scratch (tests compare the two results table by table).

The median of the incremental runs, divided by (1), is compared with the goal (0.15).

    .venv/bin/python benchmarks/incremental_run.py [--orders 100000] [--connections 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys

from _sandbox import advance, measured_run, served_sandbox, warehouse_env

GOAL_RATIO = 0.15
DAY_S = 86_400
RUN = [sys.executable, "-m", "plantsync", "run", "--source", "makini"]


def extracted(output: str) -> str:
    """The run's own line on what it extracted ("makini: 14,568 rows in 2.3s")."""
    found = re.search(r"makini: [\d,]+ rows in [\d.]+s", output)
    return found.group(0) if found else "makini: ?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders in all")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--changed", type=float, default=0.01, help="share of orders changed")
    parser.add_argument("--rounds", type=int, default=3, help="incremental runs")
    args = parser.parse_args()
    with served_sandbox("plantsync-incremental-", args.connections, args.orders) as (workdir, url):
        env = warehouse_env(workdir, url)
        full = measured_run(RUN, env)
        print(f"full run          {full.seconds:7.1f} s   peak RSS {full.peak_rss_mb:6.0f} MB   "
              f"{extracted(full.output)}")  # fmt: skip
        new_orders = max(1, round(args.orders / args.connections * args.changed / 10))
        incremental = []
        for _ in range(args.rounds):
            advance(url, args.changed, new_orders, step_s=DAY_S)
            changed = measured_run(RUN, env)
            incremental.append(changed.seconds)
            print(f"after {args.changed:.0%} changed  {changed.seconds:7.1f} s   "
                  f"peak RSS {changed.peak_rss_mb:6.0f} MB   "
                  f"{extracted(changed.output)}")  # fmt: skip
        refresh = measured_run([*RUN, "--full-refresh"], env)
        print(f"--full-refresh    {refresh.seconds:7.1f} s   "
              f"peak RSS {refresh.peak_rss_mb:6.0f} MB")  # fmt: skip
    median = statistics.median(incremental)
    ratios = ", ".join(f"{s / full.seconds:.3f}" for s in incremental)
    print(f"\n{args.connections} connections × {args.orders // args.connections:,} orders")
    print(f"ratio incremental / full run         {median / full.seconds:6.3f}   "
          f"goal <= {GOAL_RATIO}   (median of {len(incremental)}: {ratios})")  # fmt: skip
    print(f"ratio incremental / --full-refresh   {median / refresh.seconds:6.3f}")


if __name__ == "__main__":
    main()
