"""Test-only entry point of deepworkzone-helper: the same commands, pointed at a test's files.

As root the real helper writes only /etc/hosts and /var/lib/deepworkzone whatever the
environment says, so tests that must run it as root name their targets here, explicitly:
DEEPWORKZONE_HOSTS_FILE and DEEPWORKZONE_HOME/helper-state. The installed helper never
contains this file, and its ``run()`` refuses explicit targets (``helper._installed``).

    python tests/helper_entry.py apply --until ... example.com
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from deepworkzone.blocking import helper


def targets_from_env() -> helper.Targets:
    return helper.Targets(
        Path(os.environ["DEEPWORKZONE_HOSTS_FILE"]),
        Path(os.environ["DEEPWORKZONE_HOME"]) / "helper-state",
    )


if __name__ == "__main__":
    sys.exit(helper.main(targets=targets_from_env()))
