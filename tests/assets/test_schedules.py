"""Schedules launch one run per connection partition, keyed by tick, and register partitions."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from assets.partitions import MAKINI_CONNECTION_PARTITIONS
from assets.resources import MakiniResource
from assets.schedules import daily_connection_sync, hourly_order_sync

CONNECTIONS = '[{"id": "plant-a", "token": "t1"}, {"id": "plant-b", "token": "t2"}]'


def _evaluate(schedule, instance, when: datetime) -> list[dg.RunRequest]:
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=when,
        resources={"makini": MakiniResource(connections=CONNECTIONS)},
    )
    return list(schedule(context))


def test_daily_sync_runs_each_connection_partition_once_per_day() -> None:
    with dg.instance_for_test() as instance:
        monday = _evaluate(daily_connection_sync, instance, datetime(2026, 11, 30, 2, tzinfo=UTC))
        again = _evaluate(daily_connection_sync, instance, datetime(2026, 11, 30, 2, tzinfo=UTC))
        partitions = instance.get_dynamic_partitions(MAKINI_CONNECTION_PARTITIONS.name)

    assert [r.partition_key for r in monday] == ["plant-a", "plant-b"]
    assert [r.run_key for r in monday] == [r.run_key for r in again]
    assert len({r.run_key for r in monday}) == 2
    assert partitions == ["plant-a", "plant-b"]


def test_hourly_order_sync_keys_differ_per_hour() -> None:
    with dg.instance_for_test() as instance:
        first = _evaluate(hourly_order_sync, instance, datetime(2026, 11, 30, 9, 15, tzinfo=UTC))
        second = _evaluate(hourly_order_sync, instance, datetime(2026, 11, 30, 10, 15, tzinfo=UTC))

    assert {r.run_key for r in first}.isdisjoint({r.run_key for r in second})
    assert [r.partition_key for r in second] == ["plant-a", "plant-b"]
