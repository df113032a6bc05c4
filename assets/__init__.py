"""Dagster wiring: assets, checks, jobs, sensors and schedules over pipelines/ and warehouse/."""
