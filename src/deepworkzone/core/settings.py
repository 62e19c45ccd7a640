"""User settings, each declared once here with its type and default.

Stored as JSON in the config folder. A broken or hand-edited file never stops the app: bad
values fall back to their defaults with a warning in the log.
"""

from __future__ import annotations

import json
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deepworkzone.core.fsutil import atomic_write
from deepworkzone.core.paths import AppPaths, app_paths
from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain

log = logging.getLogger(__name__)

BlockingMethod = Literal["hosts", "proxy", "both", "none"]


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    server_url: str | None = Field(None, description="Sessions API server; None = local only")
    timezone: str | None = Field(None, description="IANA zone for new sessions; None = system")
    blocking_method: BlockingMethod = "hosts"
    proxy_port: int = Field(48271, ge=1024, le=65535)
    set_system_proxy: bool = True
    browser_block_list: bool = Field(
        False,
        description="the session's sites also go into the browsers' policies (URLBlocklist, "
        "WebsiteFilter): blocked in private windows and whatever DNS says",
    )
    slack_client_id: str | None = None
    teams_client_id: str | None = None
    sync_interval_seconds: int = Field(300, ge=30, le=86400)
    reminder_minutes: int = Field(2, ge=0, le=120, description="0 = no reminder")
    start_mode: Literal["auto", "ask"] = Field(
        "auto", description="scheduled sessions start by themselves, or ask first"
    )
    late_start_min_minutes: int = Field(
        5, ge=1, le=1440, description="a start missed while asleep runs late if this much is left"
    )
    emergency_exits: int = Field(1, ge=0, le=100, description="strict-mode exits per period")
    emergency_exit_days: int = Field(7, ge=1, le=365)
    default_categories: list[str] = Field(default_factory=lambda: ["social-media", "video"])
    default_urls: list[str] = Field(
        default_factory=list, description="sites a quick session blocks besides the categories"
    )
    default_allow: list[str] = Field(default_factory=list, description="sites never blocked")
    theme: Literal["system", "light", "dark"] = "system"

    @field_validator("default_urls", "default_allow")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        """Each entry in normal form (domain.hostnames' rules), once; the first bad one refused."""
        out: dict[str, None] = {}
        for entry in value:
            try:
                out.setdefault(normalise_domain(entry), None)
            except InvalidDomain as exc:
                raise ValueError(str(exc)) from None
        return list(out)


def load_settings(paths: AppPaths | None = None) -> Settings:
    path = (paths or app_paths()).settings_file
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        log.warning("settings file %s is not a JSON object; using defaults", path)
        return Settings()
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        log.warning("settings %s invalid in %s; using their defaults", sorted(bad), path)
        return Settings.model_validate({k: v for k, v in raw.items() if k not in bad})


def save_settings(settings: Settings, paths: AppPaths | None = None) -> None:
    path = (paths or app_paths()).settings_file
    atomic_write(path, (settings.model_dump_json(indent=2) + "\n").encode("utf-8"))
