"""The Slack snoozer against a fake Slack that behaves like the Web API."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepworkzone.core.secrets import SecretStore
from deepworkzone.core.settings import Settings, save_settings
from deepworkzone.snooze import connections
from deepworkzone.snooze.errors import AuthRevoked, MissingScope, RateLimited, ServiceUnavailable
from deepworkzone.snooze.factory import build_snoozers
from deepworkzone.snooze.http_retry import RetryPolicy
from deepworkzone.snooze.slack_api import SlackApi
from deepworkzone.snooze.slack_snoozer import FOCUS_EMOJI, SlackSnoozer
from deepworkzone.snooze.tokens import SlackTokenProvider
from tests.fakes.fake_slack import FakeSlack
from tests.integration.snooze_fixtures import SLACK_TOKEN as TOKEN
from tests.integration.snooze_fixtures import slack_fixture  # noqa: F401


@pytest.fixture
def stored_token(slack: FakeSlack) -> None:
    with pytest.warns(UserWarning):  # the file store warns that it is not a keyring
        SecretStore().set("slack_token", TOKEN)


class Journal:
    """Captures each saved record with how many calls Slack had seen at that moment."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.saves: list[tuple[int, dict[str, Any]]] = []

    def __call__(self, record: dict[str, Any]) -> None:
        self.saves.append((len(self.fake.calls), json.loads(json.dumps(record))))

    @property
    def last(self) -> dict[str, Any]:
        return self.saves[-1][1]


def make(fake: FakeSlack, minutes: int = 30, sleeps: list[float] | None = None) -> SlackSnoozer:
    policy = RetryPolicy(sleep=(sleeps.append if sleeps is not None else time.sleep))
    api = SlackApi(SlackTokenProvider(), policy=policy)
    ends_at = datetime.now(UTC) + timedelta(minutes=minutes)
    return SlackSnoozer(ends_at, "Deep work", api=api, clock=fake.now)


def test_happy_path_snoozes_sets_status_and_restores(slack: FakeSlack, stored_token: None) -> None:
    slack.set_status("In Berlin & Co", ":flag-de:")
    night = (int(time.time()) - 3600, int(time.time()) + 3600)
    slack.schedule = night  # the user's scheduled DND is on right now
    snoozer = make(slack, minutes=30)
    journal = Journal(slack)

    snoozer.apply(journal)

    ends_at = journal.last["ends_at"]
    assert slack.snoozing()
    assert ends_at <= slack.snooze_end < ends_at + 60  # covers the session, ends soon after
    assert slack.profile["status_text"].startswith("Focusing — back at ")
    assert slack.profile["status_emoji"] == FOCUS_EMOJI
    assert slack.profile["status_expiration"] == ends_at
    # The journal knew what to restore before each change was made.
    set_snooze_index = slack.methods_called().index("dnd.setSnooze")
    assert any(n <= set_snooze_index and r["dnd"]["ours"] for n, r in journal.saves)
    profile_set_index = slack.methods_called().index("users.profile.set")
    assert any(
        n <= profile_set_index and r["status"] and r["status"]["prev"]["text"] == "In Berlin & Co"
        for n, r in journal.saves
    )
    # Slack documents a form body for setSnooze and recommends JSON for profile.set.
    by_method = {method: ctype for method, _, ctype in slack.calls}
    assert by_method["dnd.setSnooze"].startswith("application/x-www-form-urlencoded")
    assert by_method["users.profile.set"].startswith("application/json")

    snoozer.undo()

    assert not slack.snoozing()
    assert slack.profile["status_text"] == "In Berlin & Co"  # unescaped, not "&amp;"
    assert slack.profile["status_emoji"] == ":flag-de:"
    assert "dnd.endDnd" not in slack.methods_called()
    assert slack.schedule == night


@pytest.mark.parametrize("fraction", [0.0, 0.4, 0.999])
def test_a_25_minute_session_is_snoozed_and_shows_its_status_until_its_very_end(
    slack: FakeSlack, stored_token: None, fraction: float
) -> None:
    """It used to be snoozed for 24 minutes (the minutes left, rounded down), and its status
    expired up to a second early (the end time, rounded down)."""
    start = int(time.time()) + 5 + fraction
    ends_at = datetime.fromtimestamp(start, UTC) + timedelta(minutes=25)
    slack.advance(start + 0.2 - slack.now())  # Slack's clock and ours: 0.2 s after the start
    api = SlackApi(SlackTokenProvider(), policy=RetryPolicy(sleep=time.sleep))
    snoozer = SlackSnoozer(ends_at, "Deep work", api=api, clock=slack.now)
    snoozer.apply(Journal(slack))

    end = ends_at.timestamp()
    num_minutes = [int(args["num_minutes"]) for m, args, _ in slack.calls if m == "dnd.setSnooze"]
    assert num_minutes in ([25], [26])
    assert end <= slack.snooze_end < end + 60
    assert end <= slack.profile["status_expiration"] < end + 1
    # A crash now: Slack's own expiry ends both less than a minute after the session.
    slack.advance(slack.snooze_end - slack.now())
    assert not slack.snoozing()
    assert slack.visible_profile()["status_text"] == ""


def test_no_previous_status_is_cleared_with_text_and_emoji(
    slack: FakeSlack, stored_token: None
) -> None:
    snoozer = make(slack)
    snoozer.apply(Journal(slack))
    snoozer.undo()
    assert slack.profile["status_text"] == ""
    assert slack.profile["status_emoji"] == ""


def test_users_longer_snooze_is_left_alone(slack: FakeSlack, stored_token: None) -> None:
    own_end = int(time.time()) + 3 * 3600
    slack.snooze_end = own_end
    snoozer = make(slack, minutes=30)
    journal = Journal(slack)
    snoozer.apply(journal)
    assert journal.last["dnd"] == {"ours": False, "prev_endtime": own_end}
    snoozer.undo()
    assert "dnd.setSnooze" not in slack.methods_called()
    assert "dnd.endSnooze" not in slack.methods_called()
    assert slack.snooze_end == own_end


def test_users_shorter_snooze_is_given_back(slack: FakeSlack, stored_token: None) -> None:
    own_end = int(time.time()) + 10 * 60
    slack.snooze_end = own_end
    snoozer = make(slack, minutes=30)
    snoozer.apply(Journal(slack))
    assert slack.snooze_end > own_end + 15 * 60
    snoozer.undo()
    assert slack.snoozing()
    assert abs(slack.snooze_end - own_end) <= 60


def test_changes_made_by_the_user_mid_session_are_not_touched(
    slack: FakeSlack, stored_token: None
) -> None:
    slack.set_status("Lunch", ":taco:")
    snoozer = make(slack)
    snoozer.apply(Journal(slack))
    slack.set_status("In a meeting", ":calendar:")  # the user, in Slack, mid-session
    slack.snooze_end = int(time.time()) + 4 * 3600  # and a longer snooze of their own
    calls_before = len(slack.calls)

    snoozer.undo()

    assert slack.profile["status_text"] == "In a meeting"
    assert slack.profile["status_emoji"] == ":calendar:"
    assert slack.snoozing()
    assert not {"users.profile.set", "dnd.endSnooze", "dnd.setSnooze"} & set(
        slack.methods_called()[calls_before:]
    )


def test_undo_twice_is_harmless_and_snooze_not_active_is_fine(
    slack: FakeSlack, stored_token: None
) -> None:
    slack.set_status("Reading", ":books:")
    snoozer = make(slack)
    snoozer.apply(Journal(slack))
    slack.snooze_end = 0  # the user ended the snooze in Slack
    snoozer.undo()
    snoozer.undo()
    assert slack.profile["status_text"] == "Reading"
    assert "dnd.endSnooze" not in slack.methods_called()
    # endSnooze on no snooze answers snooze_not_active, which the API treats as done.
    assert snoozer._api.end_snooze() is False


def test_revoked_token_marks_disconnected_without_retrying(
    slack: FakeSlack, stored_token: None
) -> None:
    slack.revoked[TOKEN] = "token_revoked"
    snoozer = make(slack)
    with pytest.raises(AuthRevoked, match="reconnect Slack") as raised:
        snoozer.apply(Journal(slack))
    assert "deepworkzone" not in str(raised.value)  # the front end says what to type
    assert raised.value.code == "snooze_authrevoked"  # type: ignore[attr-defined]
    assert raised.value.data["service"] == "slack"  # type: ignore[attr-defined]
    assert slack.methods_called() == ["dnd.info"]  # one call, no retry loop
    assert connections.disconnected_reason("slack")
    ends_at = datetime.now(UTC) + timedelta(minutes=30)
    snoozers, warnings = build_snoozers(["slack"], ends_at=ends_at, session_name="x")
    assert snoozers == []
    assert warnings == ["Slack needs reconnecting (it refused the last sign-in): not snoozed"]


def test_invalid_auth_on_undo_also_marks_disconnected(slack: FakeSlack, stored_token: None) -> None:
    snoozer = make(slack)
    snoozer.apply(Journal(slack))
    slack.revoked[TOKEN] = "invalid_auth"
    with pytest.raises(AuthRevoked):
        snoozer.undo()
    assert connections.disconnected_reason("slack")


def test_missing_scope_asks_to_reconnect(slack: FakeSlack, stored_token: None) -> None:
    slack.add_token(TOKEN, ("dnd:read", "users.profile:read"))
    with pytest.raises(MissingScope, match=r"dnd:write.*reconnect Slack and grant") as raised:
        make(slack).apply(Journal(slack))
    assert "deepworkzone" not in str(raised.value)
    assert raised.value.code == "snooze_missingscope"  # type: ignore[attr-defined]
    assert not slack.snoozing()


def test_429_is_retried_after_retry_after(slack: FakeSlack, stored_token: None) -> None:
    slack.rate_limit_next(retry_after=1, method="dnd.setSnooze")
    sleeps: list[float] = []
    make(slack, sleeps=sleeps).apply(Journal(slack))
    assert sleeps == [1.0]
    assert slack.methods_called().count("dnd.setSnooze") == 2
    assert slack.snoozing()


def test_429_really_waits_in_the_calling_thread(slack: FakeSlack, stored_token: None) -> None:
    slack.rate_limit_next(retry_after=1)
    started = time.monotonic()
    make(slack).apply(Journal(slack))
    assert time.monotonic() - started >= 1.0
    assert slack.snoozing()


def test_retry_after_beyond_the_budget_gives_up_at_once(
    slack: FakeSlack, stored_token: None
) -> None:
    slack.rate_limit_next(retry_after=120)
    sleeps: list[float] = []
    with pytest.raises(RateLimited, match="120 s"):
        make(slack, sleeps=sleeps).apply(Journal(slack))
    assert sleeps == []


def test_unreachable_slack_is_a_clear_error(slack: FakeSlack, stored_token: None) -> None:
    snoozer = make(slack, sleeps=[])
    snoozer.apply(Journal(slack))
    slack.close()
    with pytest.raises(ServiceUnavailable, match="Slack could not be reached"):
        snoozer.undo()


def test_restart_after_expiry_restores_previous_status(
    slack: FakeSlack, stored_token: None
) -> None:
    """Crash mid-session; Slack's own expiry ends snooze and status; a new process puts the
    user's status back from the journal record alone."""
    slack.set_status("Out of office <Mon>", ":palm_tree:")
    journal = Journal(slack)
    make(slack, minutes=5).apply(journal)
    record = journal.last
    assert TOKEN not in json.dumps(record)

    slack.advance(6 * 60)
    assert not slack.snoozing()
    SlackSnoozer.from_record(record, clock=slack.now).undo()

    assert slack.profile["status_text"] == "Out of office <Mon>"
    assert slack.profile["status_emoji"] == ":palm_tree:"
    assert "dnd.endSnooze" not in slack.methods_called()


def test_env_token_is_used_as_is(slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPWORKZONE_SLACK_TOKEN", TOKEN)
    ends_at = datetime.now(UTC) + timedelta(minutes=20)
    snoozers, warnings = build_snoozers(["slack"], ends_at=ends_at, session_name="x")
    assert warnings == []
    snoozers[0].apply(lambda record: None)
    assert slack.snoozing()
    snoozers[0].undo()
    assert not slack.snoozing()


def test_tokens_never_reach_the_logs(
    slack: FakeSlack, stored_token: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.rate_limit_next(retry_after=1)
    snoozer = make(slack, sleeps=[])
    snoozer.apply(Journal(slack))
    slack.revoked[TOKEN] = "token_revoked"
    with pytest.raises(AuthRevoked) as info:
        snoozer.undo()
    assert caplog.records  # the calls were logged (httpx, retries, the refusal)
    assert TOKEN not in caplog.text and TOKEN not in str(info.value)


def test_expired_rotating_token_is_refreshed_once(
    slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(slack_client_id="C-FAKE"))
    slack.refresh_tokens["xoxe-1-old"] = (
        "dnd:read",
        "dnd:write",
        "users.profile:read",
        "users.profile:write",
    )
    slack.expired.add(TOKEN)
    store = SecretStore()
    with pytest.warns(UserWarning):
        store.set("slack_token", TOKEN)
        store.set("slack_refresh_token", "xoxe-1-old")
        snoozer = make(slack)
        snoozer.apply(Journal(slack))
    assert slack.snoozing()
    new_token = store.get("slack_token")
    assert new_token != TOKEN and new_token in slack.tokens
    assert store.get("slack_refresh_token") != "xoxe-1-old"  # rotated
    # A refresh Slack refuses means signing in again, not a loop.
    slack.expired.add(str(new_token))
    slack.refresh_tokens.clear()
    with pytest.raises(AuthRevoked, match="expired"):
        snoozer.undo()
    assert connections.disconnected_reason("slack")
