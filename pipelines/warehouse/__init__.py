"""The DuckDB warehouse: its lock and tables (`database`), and publishing it with its
exports and report (`publishing`)."""
