import sys

from pipelines.cli import main

# Guarded: worker processes (started by spawning, see submissions.read_submissions)
# import this module again and must not run the command a second time.
if __name__ == "__main__":
    sys.exit(main())
