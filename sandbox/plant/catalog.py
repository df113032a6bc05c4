"""Reference data of the simulated plant: sites, lines, products, reason codes, shift patterns."""

from __future__ import annotations

from dataclasses import dataclass

SITES: tuple[tuple[str, str], ...] = (
    ("Hamburg", "Europe/Berlin"),
    ("Chicago", "America/Chicago"),
    ("Suzhou", "Asia/Shanghai"),
    ("Pune", "Asia/Kolkata"),
    ("Campinas", "America/Sao_Paulo"),
)

# product_id, name, ideal cycle time in seconds (the product default).
PRODUCTS: tuple[tuple[str, str, float], ...] = (
    ("P-100", "Bottle 0.5 l", 0.8),
    ("P-110", "Bottle 1.0 l", 1.0),
    ("P-120", "Bottle 1.5 l", 1.25),
    ("P-200", "Can 0.33 l", 0.5),
    ("P-210", "Can 0.5 l", 0.6),
    ("P-300", "Carton 1 l", 1.5),
    ("P-310", "Carton 2 l", 2.0),
    ("P-400", "Pouch 0.2 l", 0.75),
)

# reason_code, description, category (docs/oee.md: four categories).
REASON_CODES: tuple[tuple[str, str, str], ...] = (
    ("BRK", "Scheduled break", "planned_excluded"),
    ("PM", "Planned maintenance", "planned_excluded"),
    ("MEET", "Team meeting", "planned_excluded"),
    ("BD-MECH", "Mechanical failure", "breakdown"),
    ("BD-ELEC", "Electrical failure", "breakdown"),
    ("BD-PNEU", "Pneumatic failure", "breakdown"),
    ("CO", "Product changeover", "setup_adjustment"),
    ("ADJ", "Machine adjustment", "setup_adjustment"),
    ("JAM", "Material jam", "unplanned_other"),
    ("SENSOR", "Sensor blocked", "unplanned_other"),
    ("NOMAT", "Material starvation", "unplanned_other"),
    ("QHOLD", "Quality hold", "unplanned_other"),
)

# Quality reason codes live in the quality events only (the reason-code table's categories are
# downtime categories).
QUALITY_REASONS: dict[str, tuple[str, ...]] = {
    "scrap": ("Q-DIM", "Q-SEAL", "Q-FILL"),
    "rework": ("Q-LABEL", "Q-CAP"),
    "startup": ("Q-START",),
}


@dataclass(frozen=True)
class ShiftPattern:
    """Local start hours and length of a line's shifts; `weekdays_only` lines stop on weekends."""

    starts_local_h: tuple[int, ...]
    length_h: int
    names: tuple[str, ...]
    weekdays_only: bool = False


SHIFT_PATTERNS: tuple[ShiftPattern, ...] = (
    ShiftPattern((6, 14, 22), 8, ("early", "late", "night")),
    ShiftPattern((6, 18), 12, ("day", "night")),
    ShiftPattern((6, 14), 8, ("early", "late"), weekdays_only=True),
)


def line_ids(count: int) -> list[str]:
    """`L01`, `L02`, ... for `count` lines."""
    return [f"L{i + 1:02d}" for i in range(count)]
