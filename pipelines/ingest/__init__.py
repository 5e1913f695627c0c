"""Reading the landing zone: one reader per file format (`readers`), the submission contract
(`submissions`), reviewed status overrides (`overrides`), and the worker process that
parses untrusted workbooks (`isolation`)."""
