"""Simulators for the systems plantsync reads: a Makini-compatible API and an OEE plant database."""
