"""Preloaded by the server the multiprocess executor forks its step processes from: builds the
code location's definitions there, once per run, so that no step process builds them again."""

from assets.definitions import code_location

code_location()
