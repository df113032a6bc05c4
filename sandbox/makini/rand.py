"""A seeded random source tuned for bulk generation.

`random.Random.choice`, `randrange` and `randint` go through `_randbelow`, several Python calls
per draw; generating 400k lines makes millions of draws. Scaling one `random()` float instead is
three to five times faster, and its bias (below 2**-53 per draw) is irrelevant for test data.
The sequence is still fully determined by the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class FastRandom(random.Random):
    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        if step != 1 or stop <= start:
            return super().randrange(start, stop, step)
        return start + int(self.random() * (stop - start))

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))
