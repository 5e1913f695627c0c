"""What the warehouse gives its readers: Parquet and CSV exports (`exports`), the evaluation
table officials file (`evaluation`) and the HTML report (`report`)."""
