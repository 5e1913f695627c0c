"""Plan-indicator warehouse: the Dagster code location."""
