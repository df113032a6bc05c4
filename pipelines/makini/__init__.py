"""Makini unified API: REST client, dlt source, webhook signatures and payloads."""

from pipelines.makini.client import RetrySettings
from pipelines.makini.connections import Connection, parse_connections
from pipelines.makini.source import RAW_TABLES, ExtractionReport, makini_source

__all__ = [
    "RAW_TABLES",
    "Connection",
    "ExtractionReport",
    "RetrySettings",
    "makini_source",
    "parse_connections",
]
