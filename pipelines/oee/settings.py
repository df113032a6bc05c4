"""Constants of the OEE source."""

from __future__ import annotations

DATASET_NAME = "raw_oee"
PIPELINE_NAME = "oee"

# The design's OEE tables, in load order (dimensions first).
OEE_TABLES: tuple[str, ...] = (
    "lines",
    "products",
    "reason_codes",
    "shifts",
    "downtime_events",
    "production_counts",
    "quality_events",
)

# Tables with this column load incrementally; the others are re-read and merged every run.
CURSOR_COLUMN = "updated_at"

# Added to every row: when this run read the plant database (UTC, whole seconds).
EXTRACTED_AT_COLUMN = "_extracted_at"
