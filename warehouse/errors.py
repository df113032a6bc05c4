"""The engine's errors. Each message names the file or model it came from, so the CLI can print
it as the one-line reason."""

from __future__ import annotations


class WarehouseError(Exception):
    """Base of every model-engine error."""


class ProjectError(WarehouseError):
    """The model project is malformed: bad SQL or YAML, unknown table, cycle, bad selector."""


class CompileError(WarehouseError):
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
