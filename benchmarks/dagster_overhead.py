"""The Dagster path users run daily against `plantsync run`: the same job and data, once in one
process and once through Dagster's multiprocess executor (a process per step, as the daemon and
the UI run it).

A sandbox (2 connections × 1,500 orders by default) serves in its own process. Each path syncs
into a fresh DuckDB warehouse of its own, started as a user would start it:

- in process: `plantsync run --source makini`
- multiprocess: `dagster job execute -m assets.definitions -j makini_sync_job` on a Dagster
  home of its own

and the ratio of their wall times is compared with the goal (1.5).

    python benchmarks/dagster_overhead.py [--orders 3000] [--connections 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _sandbox import measured_run, served_sandbox, warehouse_env

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 1.5
JOB = "makini_sync_job"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    paths = {
        "in process (plantsync run)": [
            sys.executable, "-m", "plantsync", "run", "--source", "makini",
        ],
        "multiprocess (dagster job execute)": [
            sys.executable, "-m", "dagster", "job", "execute",
            "-m", "assets.definitions", "-j", JOB, "--working-directory", str(ROOT),
        ],
    }  # fmt: skip
    best: dict[str, float] = {}
    with served_sandbox("plantsync-overhead-", args.connections, args.orders) as (root, url):
        for attempt in range(args.repeat):
            for name, command in paths.items():
                workdir = root / f"{attempt}-{len(best)}-{name.split()[0]}"
                env = warehouse_env(workdir, url, root / "connections.json", dagster_home=True)
                seconds = measured_run(command, env, cwd=workdir).seconds
                best[name] = min(best.get(name, seconds), seconds)
                print(f"{name:38} run {attempt + 1}: {seconds:6.1f} s")
    in_process, multiprocess = best.values()
    ratio = multiprocess / in_process
    print(f"\n{args.connections} connections × {args.orders // args.connections:,} orders, best of "
          f"{args.repeat}")  # fmt: skip
    for name, seconds in best.items():
        print(f"{name:38} {seconds:6.1f} s")
    print(f"ratio multiprocess / in process        {ratio:6.2f}   goal <= {GOAL_RATIO}")


if __name__ == "__main__":
    main()
