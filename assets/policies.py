"""Retry policies: Dagster step retries with exponential backoff and jitter, from settings."""

from __future__ import annotations

import os

import dagster as dg

DEFAULT_STEP_RETRIES = 3
DEFAULT_STEP_RETRY_DELAY_S = 10.0


def _setting(name: str, default: float, kind: type) -> float:
    value = os.environ.get(name) or str(default)
    try:
        number = kind(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a valid {kind.__name__}") from None
    if number < 0:
        raise ValueError(f"{name}={value!r} must not be negative")
    return number


def ingest_retry_policy() -> dg.RetryPolicy:
    """Retries for ingest steps: `PLANTSYNC_STEP_RETRIES` attempts after the first, waiting
    `PLANTSYNC_STEP_RETRY_DELAY_S` × 2^n with ± jitter (0 in tests)."""
    return dg.RetryPolicy(
        max_retries=int(_setting("PLANTSYNC_STEP_RETRIES", DEFAULT_STEP_RETRIES, int)),
        delay=_setting("PLANTSYNC_STEP_RETRY_DELAY_S", DEFAULT_STEP_RETRY_DELAY_S, float),
        backoff=dg.Backoff.EXPONENTIAL,
        jitter=dg.Jitter.PLUS_MINUS,
    )
