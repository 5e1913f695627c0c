"""Dagster definitions, one module per layer: ingest, validation, transform, jobs."""
