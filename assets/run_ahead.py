"""Advance a generator in a thread of its own, ahead of the code that consumes what it yields.

The models step yields a result per model and check, and Dagster spends milliseconds on each
(events, the event log) in the step's thread. Queries release the GIL while the warehouse runs
them, so with the build in a thread of its own Dagster's handling of one result overlaps the
queries of the next instead of waiting for them, and the other way round.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


def run_ahead(items: Generator[T, None, None], name: str = "run-ahead") -> Iterator[T]:
    """Yield what `items` yields, in its order, while a thread advances it.

    An exception in `items` is raised here, in the consumer's thread. A consumer that stops
    early (an error, a closed generator, an interrupt) stops the producer at its next item,
    whose `finally` blocks then run in its own thread, and waits for it: nothing of `items` is
    still running when this returns.
    """
    handoff: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    break
                handoff.put((item, None))
            items.close()
        except BaseException as exc:  # noqa: BLE001 - raised again in the consumer's thread
            handoff.put((_END, exc))
        else:
            handoff.put((_END, None))

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item, error = handoff.get()
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        thread.join()
