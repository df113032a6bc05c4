"""OEE plant database generator: the plant-floor system's SQL database, filled with a
realistic, deterministic history (shifts, downtime, counts, quality events)."""

from sandbox.plant.generator import generate
from sandbox.plant.late_updates import apply_late_updates

__all__ = ["apply_late_updates", "generate"]
