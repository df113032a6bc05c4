"""Makini-style 14-digit string keys, unique per entity type within a connection.

A key is a two-digit entity prefix, `000`, and nine digits from an affine map
`i -> (i * MULTIPLIER + offset) mod 10^9`. The multiplier is coprime with 10^9, so the map is a
bijection: keys look random like the spec's examples yet never collide, with no set to check.
"""

from __future__ import annotations

import random

MULTIPLIER = 387_420_489  # 3**18: coprime with 10**9
SPACE = 10**9

PREFIXES = {
    "exchange_rate": 1,
    "currency": 2,
    "line": 3,
    "site": 4,
    "uom": 5,
    "purchase_order": 6,
    "status": 7,
    "asset": 8,
    "vendor": 9,
    "downtime": 10,
    "organization": 11,
    "user": 12,
    "location": 13,
    "material": 14,
    "account": 15,
    "company": 16,
    "storeroom": 17,
    "team": 18,
    "document": 19,
}


class KeyMaker:
    """Hands out the next unique key of each entity type for one connection."""

    def __init__(self, rng: random.Random) -> None:
        self._offsets = {name: rng.randrange(SPACE) for name in PREFIXES}
        self._prefixes = {name: f"{prefix:02d}000" for name, prefix in PREFIXES.items()}
        self._next = dict.fromkeys(PREFIXES, 0)

    def key(self, entity: str, index: int) -> str:
        """The key of the `index`-th row of `entity` (stable: the same index, the same key)."""
        digits = (index * MULTIPLIER + self._offsets[entity]) % SPACE
        return f"{self._prefixes[entity]}{digits:09d}"

    def new(self, entity: str) -> str:
        """A key never handed out before for `entity`."""
        index = self._next[entity]
        self._next[entity] = index + 1
        return self.key(entity, index)
