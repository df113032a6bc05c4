"""`run_ahead` yields a generator's items in order from a thread that runs ahead, raises its
errors in the consumer, and stops it (finally blocks and all) when the consumer stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from assets.run_ahead import run_ahead


def test_items_arrive_in_order_from_another_thread() -> None:
    def numbers() -> Iterator[tuple[int, str]]:
        for n in range(100):
            yield n, threading.current_thread().name

    received = list(run_ahead(numbers(), name="producer"))

    assert [n for n, _ in received] == list(range(100))
    assert {thread for _, thread in received} == {"producer"}


def test_the_producer_works_on_the_next_item_while_the_consumer_holds_this_one() -> None:
    second_started = threading.Event()

    def items() -> Iterator[int]:
        yield 1
        second_started.set()
        yield 2

    consumed = []
    for item in run_ahead(items()):
        if item == 1:
            # without a thread of its own, the producer would only resume after this returns
            assert second_started.wait(timeout=10)
        consumed.append(item)

    assert consumed == [1, 2]


def test_an_error_in_the_producer_is_raised_in_the_consumer_after_what_came_before() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise ValueError("model canonical.x failed")

    received = []
    with pytest.raises(ValueError, match=r"model canonical\.x failed"):
        for item in run_ahead(failing()):
            received.append(item)

    assert received == [1]


def test_a_consumer_that_stops_stops_the_producer_and_its_cleanup_runs_first() -> None:
    produced, cleaned_up_in = [], []

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                produced.append(n)
                yield n
                n += 1
        finally:
            cleaned_up_in.append(threading.current_thread().name)

    items = run_ahead(endless(), name="producer")
    assert next(items) == 0
    items.close()

    assert cleaned_up_in == ["producer"]  # done by the time close() returned
    stopped_at = len(produced)
    assert not any(t.name == "producer" for t in threading.enumerate())
    assert len(produced) == stopped_at
