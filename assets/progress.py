"""Progress lines for people watching a run: the CLI prints them, the Dagster UI logs them."""

from __future__ import annotations

import logging

import dagster as dg

logger = logging.getLogger("plantsync")


def report(context: dg.AssetExecutionContext | dg.OpExecutionContext, message: str) -> None:
    """Say what a step is doing, in the run's log and on the plantsync console logger."""
    context.log.info(message)
    logger.info(message)
