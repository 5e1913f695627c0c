"""The README's walkthrough for registering the next plan runs as written."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.conftest import REPO_ROOT


def walkthrough() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- walkthrough:start -->\s*```bash\n(.*?)```\s*<!-- walkthrough:end -->", text, re.S
    )
    assert block, "the README has no walkthrough block"
    return block.group(1)


@pytest.mark.e2e
def test_the_next_plan_walkthrough_runs_as_written(dbt_manifest) -> None:  # noqa: ARG001
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_") and k != "DAGSTER_HOME"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "27 targets drafted" in done.stdout
    assert "0 uncovered" in done.stdout
    assert re.search(r"^27$", done.stdout, re.M)  # the plan table's rows of the plan
    assert "evaluation_xiyuan_2026_2030_990101_midterm_" in done.stdout
