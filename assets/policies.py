"""Retry policies: Dagster step retries with exponential backoff and jitter, from settings."""

from __future__ import annotations

import dagster as dg

from plantsync.settings import number

DEFAULT_STEP_RETRIES = 3
DEFAULT_STEP_RETRY_DELAY_S = 10.0


def ingest_retry_policy() -> dg.RetryPolicy:
    """Retries for ingest steps: `PLANTSYNC_STEP_RETRIES` attempts after the first, waiting
    `PLANTSYNC_STEP_RETRY_DELAY_S` × 2^n with ± jitter (0 in tests)."""
    return dg.RetryPolicy(
        max_retries=number("PLANTSYNC_STEP_RETRIES", DEFAULT_STEP_RETRIES),
        delay=number("PLANTSYNC_STEP_RETRY_DELAY_S", DEFAULT_STEP_RETRY_DELAY_S, float),
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )
