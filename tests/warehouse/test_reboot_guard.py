"""Commits to the working database skip the fsync inside a writing session, and a reboot in the
middle of one discards the working database for the published file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.destinations import warehouse_pipeline
from settings.warehouse import WarehouseSettings
from warehouse import reboot_guard
from warehouse.access import open_reader, writing
from warehouse.connections import Warehouse
from warehouse.reboot_guard import MARKER_SUFFIX, boot_id, wal_of


@pytest.fixture
def location() -> WarehouseSettings:
    return WarehouseSettings.from_env()


def fsync_mode(warehouse: Warehouse) -> str:
    return warehouse.query("select current_setting('fsync_mode')")[0][0].lower()


def marker_of(location: WarehouseSettings) -> Path:
    return location.work_path.with_name(location.work_path.name + MARKER_SUFFIX)


def published_then_worked(location: WarehouseSettings) -> None:
    """A published warehouse with `state = 'published'`, then a session that wrote
    `state = 'unpublished'` into the working database only."""
    with writing(location, "test", wait_s=0) as writer, writer.connect() as wh:
        wh.execute("create table main.state as select 'published' as state")
    with (
        writing(location, "test", wait_s=0, publish_at_end=False) as writer,
        writer.connect() as wh,
    ):
        wh.execute("update main.state set state = 'unpublished'")


def working_state(location: WarehouseSettings) -> str:
    with (
        writing(location, "test", wait_s=0, publish_at_end=False) as writer,
        writer.connect() as wh,
    ):
        return wh.query("select state from main.state")[0][0]


def test_this_machine_names_its_boot() -> None:
    assert boot_id()


def test_commits_in_a_session_skip_the_fsync_and_readers_are_untouched(location) -> None:
    with writing(location, "test", wait_s=0) as writer:
        assert marker_of(location).read_text() == boot_id()
        with writer.connect() as wh:
            wh.execute("create table main.t as select 1 as id")
            assert fsync_mode(wh) == "none"
        with warehouse_pipeline("probe", "probe", writer.warehouse) as pipeline:
            pipeline.run([{"id": 1}], table_name="ping")
            with pipeline.sql_client() as client:
                assert client.execute_sql("select current_setting('fsync_mode')")[0][0] == "none"

    assert not marker_of(location).exists()
    with open_reader(location) as reader:
        assert fsync_mode(reader) == "standard"
        assert reader.query("select count(*) from probe.ping")[0][0] == 1


def test_a_session_interrupted_by_a_reboot_starts_again_from_the_published_file(
    location,
) -> None:
    published_then_worked(location)
    marker_of(location).write_text("a-boot-before-this-one")
    wal_of(location.work_path).write_bytes(b"torn")

    assert working_state(location) == "published"
    assert not marker_of(location).exists()


def test_a_session_that_died_with_its_process_keeps_the_working_database(location) -> None:
    published_then_worked(location)
    marker_of(location).write_text(boot_id())  # left by a killed process, same boot

    assert working_state(location) == "unpublished"


def test_where_the_boot_is_unknown_every_commit_waits_for_the_disk(
    location, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(reboot_guard, "BOOT_ID", tmp_path / "no-such-file")

    with writing(location, "test", wait_s=0) as writer, writer.connect() as wh:
        assert fsync_mode(wh) == "standard"
        assert not marker_of(location).exists()
