"""The bundle's entry point: the same `deepworkzone` command (the window with no arguments,
the command line and the headless agent `deepworkzone run` with them)."""

import sys

from deepworkzone.launcher import main

if __name__ == "__main__":
    sys.exit(main())
