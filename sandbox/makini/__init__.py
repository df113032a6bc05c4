"""A Makini-compatible API simulator: deterministic data per seed, faults, webhooks.

Start it with `SandboxServer` (`sandbox.makini.server`) or `plantsync sandbox serve`.
"""
