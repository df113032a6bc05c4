"""The engine's errors. Each message names the file or model it came from, so the CLI can print
it as the one-line reason."""

from __future__ import annotations

from settings.errors import PermanentError


class WarehouseError(Exception):
    """Base of every model-engine error."""


class ProjectError(WarehouseError, PermanentError):
    """The model project is malformed: bad SQL or YAML, unknown table, cycle, bad selector."""


class CompileError(WarehouseError, PermanentError):
    """A model cannot be translated faithfully to the target dialect."""

    def __init__(self, model: str, construct: str, reason: str) -> None:
        super().__init__(f"{model}: {construct} {reason}")
        self.model = model
        self.construct = construct


class ModelRunError(WarehouseError):
    """Building a model failed in the database; the message includes the database's own."""

    def __init__(self, model: str, message: str) -> None:
        super().__init__(f"{model}: {message}")
        self.model = model


class WarehouseFileError(WarehouseError, PermanentError):
    """The DuckDB file or its folder can never work as a warehouse (not a DuckDB file, a
    parent that is a file); the message names the setting."""


class WriterBusy(WarehouseError):
    """Another writer held the warehouse for longer than the writer may wait; names it."""
