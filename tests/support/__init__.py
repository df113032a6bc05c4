"""Helpers shared by the test suites and benchmarks (not part of the shipped packages)."""
