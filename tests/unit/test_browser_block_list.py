"""The browser block-list option (the session's sites in URLBlocklist / WebsiteFilter): the
``browser_block_list`` setting, ``deepworkzone focus --browser-block-list`` over it, and the
plan's policy effect that follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepworkzone.cli.focus import _wire
from deepworkzone.cli.main import build_parser
from deepworkzone.core.settings import Settings, load_settings, save_settings
from deepworkzone.engine.focus_plan import PlanHooks, build_plan
from deepworkzone.engine.requests import quick_request


def test_off_by_default_and_kept_in_the_settings_file() -> None:
    assert load_settings().browser_block_list is False
    save_settings(Settings(browser_block_list=True))
    assert load_settings().browser_block_list is True
    assert quick_request(25, urls=["example.com"]).policy_blocklist is True


def test_the_flag_wins_over_the_setting_either_way() -> None:
    save_settings(Settings(browser_block_list=True))
    assert quick_request(25, browser_block_list=False).policy_blocklist is False
    save_settings(Settings(browser_block_list=False))
    assert quick_request(25, browser_block_list=True).policy_blocklist is True


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None), (["--browser-block-list"], True), (["--no-browser-block-list"], False)],
)
def test_cli_flag(argv: list[str], expected: bool | None) -> None:
    args = build_parser().parse_args(["focus", "--minutes", "5", *argv])
    assert args.browser_block_list is expected


def test_the_wire_and_the_plan_carry_it(monkeypatch: pytest.MonkeyPatch) -> None:
    request = quick_request(25, urls=["example.com"], method="proxy", browser_block_list=True)
    assert _wire(request)["browser_block_list"] is True
    monkeypatch.setenv("DEEPWORKZONE_BROWSER_POLICIES", "on")
    monkeypatch.setattr("sys.platform", "linux")
    plan = build_plan(request, datetime.now(UTC) + timedelta(minutes=25), PlanHooks())
    policies = [e for e in plan.effects if e.kind == "browser_policies"]
    assert policies and policies[0].blocklist is True  # type: ignore[attr-defined]
    request.policy_blocklist = False
    plan = build_plan(request, datetime.now(UTC) + timedelta(minutes=25), PlanHooks())
    # Under proxy alone the policies are written only for the block list.
    assert not [e for e in plan.effects if e.kind == "browser_policies"]
