"""The dialect models are written in and the dialects they compile to."""

SOURCE_DIALECT = "duckdb"
TARGETS = ("duckdb", "snowflake", "postgres")
