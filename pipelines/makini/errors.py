"""Errors of the Makini source. Messages name the connection, URL and page; never a token."""

from __future__ import annotations


class MakiniError(RuntimeError):
    """Extraction from one connection failed."""

    # Whether waiting and trying again may heal it: an outage may, a rejected token or a
    # malformed page will not.
    retryable = False

    def __init__(self, connection_id: str, message: str) -> None:
        super().__init__(f"connection {connection_id}: {message}")
        self.connection_id = connection_id


class AuthError(MakiniError):
    """The API answered 401/403: the token is wrong or expired."""


class UnreachableError(MakiniError):
    """Connection errors, timeouts or 5xx/429 that outlasted every retry."""

    retryable = True


class MalformedPageError(MakiniError):
    """A page that is not the documented envelope, or a row that cannot be typed."""
