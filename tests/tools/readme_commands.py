"""Run every command the READMEs give, as written, in order: what a newcomer does on a fresh
clone. CI runs it (`.ci/run`); `--list` prints the blocks without running them.

    python -m tests.tools.readme_commands [--list]

Every ```bash block of README.md, raw/README.md, warehouse/README.md, ARCHITECTURE.md and
dbt/docs/*.md runs with `bash -euo pipefail` from the repository root, standard input closed
(the DuckDB CLI, given no query, opens the file and ends). Every ```sql block runs against the
published warehouse with the DuckDB CLI the environment provides. Two commands are not run
here, each for a reason printed: `make test` (CI runs it after this) and `make dev` (a server;
tests/test_webserver.py starts it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
READMES = ["README.md", "raw/README.md", "warehouse/README.md", "ARCHITECTURE.md",
           *sorted(str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "dbt/docs").glob("*.md"))]  # fmt: skip
NOT_RUN_HERE = {
    "make test": "CI runs the test suite after the READMEs' commands",
    "make dev": "a server; tests/test_webserver.py starts it and reads the asset graph",
}
BLOCK = re.compile(r"^```(bash|sql)\n(.*?)^```", re.S | re.M)


def blocks() -> list[tuple[str, str, str]]:
    """(file, language, text) of every bash and sql block, in reading order."""
    found = []
    for name in READMES:
        path = REPO_ROOT / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            found += [(name, m.group(1), m.group(2)) for m in BLOCK.finditer(text)]
    return found


def runnable(script: str) -> tuple[str, list[str]]:
    """The script without the commands not run here, and what was left out and why."""
    kept, skipped = [], []
    for line in script.splitlines():
        command = line.split("#", 1)[0].strip()
        if command in NOT_RUN_HERE:
            skipped.append(f"{command}: {NOT_RUN_HERE[command]}")
        else:
            kept.append(line)
    return "\n".join(kept) + "\n", skipped


def main(argv: list[str]) -> int:
    for number, (name, language, text) in enumerate(blocks(), start=1):
        print(f"== {name}, block {number} ({language})", flush=True)
        if "--list" in argv:
            print(text)
            continue
        if language == "sql":
            command = [str(Path(sys.executable).with_name("duckdb")), "-readonly",
                       "warehouse/indicators.duckdb"]  # fmt: skip
            done = subprocess.run(command, input=text, cwd=REPO_ROOT, text=True)
        else:
            script, skipped = runnable(text)
            for reason in skipped:
                print(f"   not run here: {reason}")
            done = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script], cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL, text=True,
            )  # fmt: skip
        if done.returncode != 0:
            print(f"✘ {name}, block {number}: exit {done.returncode}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
