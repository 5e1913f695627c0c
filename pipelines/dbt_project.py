"""The dbt project, built once; importing this module never runs dbt.

Kept apart from the dbt assets so the manifest can be prepared (`make manifest`,
the test fixture) before anything that needs it is imported.
"""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines import settings

# dagster-dbt looks `dbt` up on PATH. Put the dbt installed beside this interpreter
# first, so `.venv/bin/python -m pipelines` and `.venv/bin/dagster dev` work without
# activating the environment.
_BIN_DIR = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN_DIR:
    os.environ["PATH"] = os.pathsep.join([_BIN_DIR, os.environ.get("PATH", "")])

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR)


def prepare_manifest() -> None:
    """Write `dbt/target/manifest.json` with `dbt parse`."""
    settings.export_absolute_paths()
    dbt_project.preparer.prepare(dbt_project)
