"""Secrets (API token, Slack token, Microsoft token cache) in the OS keyring.

Where no keyring backend exists (headless Linux, containers) they go to a 0600 JSON file in
the config folder, with a warning. ``DEEPWORKZONE_SECRETS=file`` forces the file, so tests
never touch the real keyring.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings

from deepworkzone.core.fsutil import atomic_write
from deepworkzone.core.paths import AppPaths, app_paths

log = logging.getLogger(__name__)

SERVICE = "deepworkzone"
BACKEND_ENV = "DEEPWORKZONE_SECRETS"


class InsecureSecretStorageWarning(UserWarning):
    """Secrets are kept in a private file because the OS has no keyring."""


def _keyring_usable() -> bool:
    if os.environ.get(BACKEND_ENV, "").lower() == "file":
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:  # any import or backend discovery failure means "no keyring"
        return False
    if isinstance(backend, fail.Keyring):
        return False
    # The chainer with nothing behind it is as good as none.
    return bool(backend.backends) if hasattr(backend, "backends") else True


class SecretStore:
    def __init__(self, paths: AppPaths | None = None) -> None:
        self._paths = paths or app_paths()
        self.uses_keyring = _keyring_usable()

    @property
    def location(self) -> str:
        return "the OS keyring" if self.uses_keyring else str(self._paths.secrets_file)

    def get(self, name: str) -> str | None:
        if self.uses_keyring:
            import keyring

            try:
                return keyring.get_password(SERVICE, name)
            except Exception as exc:
                log.warning("keyring read of %s failed: %s", name, type(exc).__name__)
                return None
        return self._read_file().get(name)

    def set(self, name: str, value: str) -> None:
        if self.uses_keyring:
            import keyring

            keyring.set_password(SERVICE, name, value)
            return
        warnings.warn(
            f"No OS keyring available: secrets are stored in {self._paths.secrets_file} (mode 0600)",
            InsecureSecretStorageWarning,
            stacklevel=2,
        )
        data = self._read_file()
        data[name] = value
        self._write_file(data)

    def delete(self, name: str) -> None:
        if self.uses_keyring:
            import keyring
            from keyring.errors import PasswordDeleteError

            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(SERVICE, name)
            return
        data = self._read_file()
        if data.pop(name, None) is not None:
            self._write_file(data)

    def _read_file(self) -> dict[str, str]:
        try:
            raw = json.loads(self._paths.secrets_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    def _write_file(self, data: dict[str, str]) -> None:
        atomic_write(self._paths.secrets_file, json.dumps(data, indent=2).encode(), mode=0o600)
