"""Microsoft sign-in for the Teams snoozer: MSAL public client, persisted token cache.

The token cache is encrypted by msal-extensions where the OS offers it (DPAPI, Keychain,
libsecret); otherwise, or when ``DEEPWORKZONE_SECRETS=file``, it is a 0600 file, with a
warning. MSAL itself is imported only when a token is really needed, so the CLI stays fast
and tests that use ``DEEPWORKZONE_GRAPH_TOKEN`` never touch it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepworkzone.core.paths import app_paths
from deepworkzone.core.secrets import BACKEND_ENV, InsecureSecretStorageWarning
from deepworkzone.core.settings import load_settings
from deepworkzone.snooze.errors import AuthRevoked, NotConnected, ServiceUnavailable, SnoozeError
from deepworkzone.snooze.tokens import (
    AUTH_REVOKED,
    GRAPH_TOKEN_ENV,
    NO_CLIENT_ID,
    NOT_CONNECTED,
    StaticToken,
    TokenProvider,
    coded,
)

log = logging.getLogger(__name__)

AUTHORITY = "https://login.microsoftonline.com/organizations"
"""Work and school accounts only: Graph presence does not exist for personal accounts."""
SCOPES = ["Presence.ReadWrite"]
CLIENT_ID_ENV = "DEEPWORKZONE_TEAMS_CLIENT_ID"
DEFAULT_TEAMS_CLIENT_ID: str | None = None
"""The vendor's multi-tenant public-client registration goes here once it exists (see
docs/snooze.md). Until then each organisation registers its own and sets ``teams_client_id``."""

REGISTER_HELP = (
    "No Microsoft app (client) id is configured. Register one in the Microsoft Entra admin "
    "center (App registrations > New registration: accounts in any organizational directory; "
    "platform 'Mobile and desktop applications' with redirect URI http://localhost; "
    "'Allow public client flows' = Yes; delegated permission Presence.ReadWrite), then "
    "connect Microsoft Teams with that client id"
)

_AADSTS_HINTS = {
    "AADSTS65001": "consent is missing: ask an admin to approve Presence.ReadWrite for the app",
    "AADSTS90094": "an admin must approve the app's permissions in your organisation",
    "AADSTS90093": "an admin must approve the app's permissions in your organisation",
    "AADSTS50020": "personal Microsoft accounts cannot use Teams presence; use a work or school account",
    "AADSTS50011": "the app registration lacks the redirect URI http://localhost",
    "AADSTS7000218": "the app registration must have 'Allow public client flows' set to Yes",
    "AADSTS700016": "the client id is not a registered application (check teams_client_id)",
    "AADSTS53003": "a Conditional Access policy of your organisation blocked the sign-in",
}


def teams_client_id() -> str | None:
    return (
        os.environ.get(CLIENT_ID_ENV) or load_settings().teams_client_id or DEFAULT_TEAMS_CLIENT_ID
    )


def cache_path() -> Path:
    return app_paths().config_dir / "msal_token_cache.bin"


def explain(result: dict[str, Any]) -> str:
    """One line for a failed MSAL result, with the usual fix for the common AADSTS codes."""
    description = str(result.get("error_description") or "")
    for code, hint in _AADSTS_HINTS.items():
        if code in description:
            return f"Microsoft sign-in failed ({code}): {hint}"
    error = str(result.get("error") or "unknown error")
    first_line = description.splitlines()[0] if description else ""
    return f"Microsoft sign-in failed ({error}){': ' + first_line if first_line else ''}"


def _file_persistence(path: Path) -> Any:
    from msal_extensions import FilePersistence

    path.parent.mkdir(parents=True, exist_ok=True)
    # Create it private before MSAL writes anything into it.
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return FilePersistence(str(path))


def build_persistence(path: Path | None = None) -> Any:
    path = path or cache_path()
    if os.environ.get(BACKEND_ENV, "").lower() != "file":
        try:
            from msal_extensions import build_encrypted_persistence
            from msal_extensions.persistence import PersistenceNotFound

            persistence = build_encrypted_persistence(str(path))
            with contextlib.suppress(PersistenceNotFound):
                persistence.load()  # Keychain and DPAPI fail here rather than when built
            return persistence
        except Exception as exc:  # no libsecret/PyGObject, locked keychain, ...
            log.info("encrypted token cache unavailable: %s", type(exc).__name__)
    warnings.warn(
        f"No OS keyring available: the Microsoft token cache is stored in {path} (mode 0600)",
        InsecureSecretStorageWarning,
        stacklevel=2,
    )
    return _file_persistence(path)


def build_app(client_id: str) -> Any:
    import msal
    from msal_extensions import PersistedTokenCache

    cache = PersistedTokenCache(build_persistence())
    return msal.PublicClientApplication(client_id, authority=AUTHORITY, token_cache=cache)


def clear_cache() -> None:
    """Forget every Microsoft account we signed in (disconnect)."""
    path = cache_path()
    if not path.exists():
        return
    try:
        build_persistence(path).save("{}")  # wipes the encrypted copy too, not just the file
    except Exception as exc:
        log.warning("could not wipe the token cache content: %s", type(exc).__name__)
    path.unlink(missing_ok=True)


class MsalTokenProvider:
    """Tokens from the persisted MSAL cache; refreshes silently, never prompts."""

    def __init__(self, client_id: str | None) -> None:
        self._client_id = client_id
        self._app: Any = None

    def _silent(self, force: bool) -> str | None:
        if not self._client_id:
            raise coded(NotConnected(REGISTER_HELP), NO_CLIENT_ID, service="teams")
        try:
            if self._app is None:
                self._app = build_app(self._client_id)
            accounts = self._app.get_accounts()
            if not accounts:
                raise coded(
                    NotConnected("Microsoft Teams is not connected"),
                    NOT_CONNECTED,
                    service="teams",
                )
            result = self._app.acquire_token_silent(
                SCOPES, account=accounts[0], force_refresh=force
            )
        except SnoozeError:
            raise
        except Exception as exc:  # MSAL's HTTP layer raises requests' errors
            raise ServiceUnavailable(
                f"Microsoft sign-in could not be reached ({type(exc).__name__})"
            ) from None
        if result and "access_token" in result:
            return str(result["access_token"])
        if result:
            log.info("silent token failed: %s", result.get("error"))
        return None

    def token(self) -> str:
        token = self._silent(force=False)
        if token is None:
            raise coded(
                AuthRevoked("Microsoft Teams sign-in expired: reconnect Microsoft Teams"),
                AUTH_REVOKED,
                service="teams",
            )
        return token

    def refresh(self) -> str | None:
        return self._silent(force=True)


def graph_token_provider() -> TokenProvider:
    env = os.environ.get(GRAPH_TOKEN_ENV)
    if env:
        return StaticToken(env)
    return MsalTokenProvider(teams_client_id())


def sign_in(client_id: str, *, device_code: bool, show: Callable[[str], None]) -> dict[str, Any]:
    """Interactive (browser + loopback) or device-code sign-in; returns who signed in."""
    try:
        app = build_app(client_id)  # may already fetch the authority's metadata
        if device_code:
            flow = app.initiate_device_flow(scopes=SCOPES)
            if "user_code" not in flow:
                raise SnoozeError(explain(flow))
            show(str(flow["message"]))
            result = app.acquire_token_by_device_flow(flow)
        else:
            show("Opening the browser for the Microsoft sign-in…")
            result = app.acquire_token_interactive(SCOPES, prompt="select_account", timeout=300)
    except SnoozeError:
        raise
    except Exception as exc:
        raise ServiceUnavailable(
            f"Microsoft sign-in could not be completed ({type(exc).__name__})"
        ) from None
    if "access_token" not in result:
        raise SnoozeError(explain(result))
    claims = result.get("id_token_claims") or {}
    return {
        "user": claims.get("preferred_username") or claims.get("name") or "",
        "tenant_id": claims.get("tid") or "",
        "client_id": client_id,
        "scopes": str(result.get("scope") or " ".join(SCOPES)).split(),
        "access_token": result["access_token"],
    }
