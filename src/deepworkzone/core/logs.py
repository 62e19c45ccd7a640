"""Logging to a rotating file in the log folder, with secrets scrubbed.

Every handler set up here gets a ``RedactingFormatter``: the whole formatted record is
scrubbed, so a token in an exception message, a traceback or a log call's args stays out.
"""

from __future__ import annotations

import logging
import logging.handlers

from deepworkzone.core.paths import AppPaths, app_paths
from deepworkzone.core.redact import RedactingFilter, RedactingFormatter

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(paths: AppPaths | None = None, level: int = logging.INFO) -> None:
    paths = paths or app_paths()
    root = logging.getLogger()
    target = str(paths.log_file)
    for old in [h for h in root.handlers if getattr(h, "_deepworkzone", False)]:
        if getattr(old, "baseFilename", None) == target:
            return
        # Another home in the same process (tests, a changed DEEPWORKZONE_HOME): follow it.
        root.removeHandler(old)
        old.close()
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        # A read-only home must not stop the app; the log is a convenience.
        handler = logging.NullHandler()
    handler.setFormatter(RedactingFormatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    handler._deepworkzone = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
