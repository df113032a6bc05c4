"""Makini connections as Dagster dynamic partitions: each connection's syncs, catch-ups and
refetches are runs of its own partition, so the UI shows per-connection history and one
connection's failure is its own run's."""

import dagster as dg

MAKINI_CONNECTION_PARTITIONS = dg.DynamicPartitionsDefinition(name="makini_connection")
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def register_connections(instance: dg.DagsterInstance, connection_ids: list[str]) -> None:
    """Make the partitions exactly the configured connections (removed ones are dropped)."""
    name = MAKINI_CONNECTION_PARTITIONS.name
    existing = instance.get_dynamic_partitions(name)
    missing = [i for i in connection_ids if i not in existing]
    if missing:
        instance.add_dynamic_partitions(name, missing)
    for stale in set(existing) - set(connection_ids):
        instance.delete_dynamic_partition(name, stale)


def all_connections_tags(instance: dg.DagsterInstance, connection_ids: list[str]) -> dict:
    """Run tags selecting every connection's partition in one run."""
    register_connections(instance, connection_ids)
    keys = instance.get_dynamic_partitions(MAKINI_CONNECTION_PARTITIONS.name)
    return {RANGE_START: keys[0], RANGE_END: keys[-1]}


def add_partitions_request(connection_ids: list[str]) -> dg.AddDynamicPartitionsRequest:
    return MAKINI_CONNECTION_PARTITIONS.build_add_request(sorted(connection_ids))
