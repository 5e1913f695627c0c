"""Development tools, outside the runtime package: each is run as `python -m tests.tools.NAME`.

- `sample_data`: writes the synthetic sample submissions bundled in `raw/` (`make sample-data`).
- `bench`: synthetic landing zones (many regions, or hostile files) and the pipeline timed on
  them (`make bench`; README, Performance).
- `artifacts`: a digest of everything a build publishes, to compare two builds.
- `memory`: the peak memory of a process tree, sampled from a process of its own (for `bench`).
"""
