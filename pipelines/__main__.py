import sys

from pipelines.cli import main

# Guarded: a process that imports this module (a multiprocessing worker, a test) must
# not run the command.
if __name__ == "__main__":
    sys.exit(main())
