"""Where Deep Work Zone keeps its files.

platformdirs picks the per-OS places; ``DEEPWORKZONE_HOME`` puts everything under one
folder instead, which is how tests and portable setups stay off the user's real state.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "deepworkzone"
HOME_ENV = "DEEPWORKZONE_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    state_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def secrets_file(self) -> Path:
        return self.config_dir / "secrets.json"

    @property
    def database(self) -> Path:
        return self.data_dir / "deepworkzone.db"

    @property
    def server_database(self) -> Path:
        return self.data_dir / "server.db"

    @property
    def journal_file(self) -> Path:
        return self.state_dir / "journal.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "deepworkzone.log"

    def ensure(self) -> AppPaths:
        for folder in (self.config_dir, self.data_dir, self.state_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """The folders for this process, read from the environment each call (tests change it)."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return AppPaths(root / "config", root / "data", root / "state", root / "logs")
    return AppPaths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
