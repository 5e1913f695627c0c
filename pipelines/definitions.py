"""The Dagster code location (`workspace.yaml` loads `defs` from here): every definition in
the modules of `pipelines/defs`, found by Dagster's loader (`[tool.dg]` in pyproject.toml)."""

from __future__ import annotations

import dagster as dg

from pipelines import settings

settings.use_default_paths()
defs = dg.load_from_defs_folder(project_root=settings.REPO_ROOT)
