"""dlt sources and destinations: plain Python, no Dagster."""
