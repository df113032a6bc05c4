"""Retry policies: Dagster step retries with exponential backoff and jitter, from settings."""

from __future__ import annotations

import dagster as dg

import settings


def ingest_retry_policy() -> dg.RetryPolicy:
    """Retries for ingest steps: `PLANTSYNC_STEP_RETRIES` attempts after the first, waiting
    `PLANTSYNC_STEP_RETRY_DELAY_S` × 2^n with ± jitter (0 in tests). Failures that cannot
    heal (a rejected token, a missing database) are raised without retries."""
    return dg.RetryPolicy(
        max_retries=settings.step_retries(),
        delay=settings.step_retry_delay_s(),
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )
