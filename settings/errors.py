"""Errors every layer shares: the ones that retrying cannot heal."""

from __future__ import annotations


class PermanentError(Exception):
    """A failure that waiting and retrying cannot heal: a bad setting, a file that is not a
    database, a database or table that does not exist, a rejected credential.

    Orchestration fails such a step at once, without step or run retries, and shows the
    message as the last line. Subclasses say where the problem is; the message names the
    setting and the cause.
    """


class SettingsError(PermanentError, ValueError):
    """A setting is missing or invalid."""
