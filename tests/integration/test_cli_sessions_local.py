"""`deepworkzone sessions ...` with no server configured: the local store is the home of the
sessions (a real SQLite file under the test's DEEPWORKZONE_HOME)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest

from deepworkzone.cli.main import main
from deepworkzone.core.paths import app_paths
from deepworkzone.core.settings import Settings, save_settings
from tests.integration.conftest import SEED_SESSION

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def go(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_create_list_show_update_delete_offline_by_default(run: Run) -> None:
    save_settings(Settings(timezone="Europe/Berlin"))
    code, out, err = run(
        "sessions",
        "create",
        "--name",
        "Focus",
        "--date",
        "2025-01-06",
        "--time",
        "8am",
        "--repeat",
        "weekly",
        "--days",
        "mon",
        "--category",
        "social-media",
        "--snooze",
        "slack",
    )
    assert (code, err) == (0, "")
    assert out == "created session L1: Focus (2025-01-06 8:00 AM Europe/Berlin)\n"
    assert app_paths().database.exists()

    code, out, _ = run("sessions", "list", "--date", "2025-01-13")
    assert code == 0 and "weekly Mon" in out and "8:00 AM Europe/Berlin" in out
    assert run("sessions", "list", "--date", "2025-01-14")[1] == "no sessions\n"

    assert run("sessions", "update", "L1", "--duration", "45", "--private")[0] == 0
    shown = json.loads(run("sessions", "show", "L1", "--json")[1])
    assert (shown["duration"], shown["is_public"]) == (45, False)
    assert shown["website_blocker"]["category"] == ["social-media"]
    assert shown["snooze_apps"] == {"slack": True, "teams": False}

    assert run("sessions", "delete", "L1", "--occurrence", "2025-01-13")[0] == 0
    assert run("sessions", "list", "--date", "2025-01-13")[1] == "no sessions\n"
    assert run("sessions", "delete", "L1") == (0, "deleted session L1\n", "")
    code, _, err = run("sessions", "show", "L1")
    assert (code, err) == (1, "deepworkzone: error: session L1 not found\n")


def test_the_seed_body_from_stdin(run: Run) -> None:
    seed = {**SEED_SESSION, "schedule": "2031-01-01"}  # the seed's own day is past
    code, _, err = run("sessions", "create", "--json", "-", stdin=json.dumps(seed))
    assert code == 0, err
    shown = json.loads(run("sessions", "show", "L1", "--json")[1])
    for field, sent in seed.items():
        assert shown[field] == sent, field
    assert shown["timezone"]  # the seed has none: the creator's zone was filled in


def test_what_focus_would_refuse_is_refused_at_create_time(run: Run) -> None:
    past = run("sessions", "create", "--json", "-", stdin=json.dumps(SEED_SESSION))
    assert past[0] == 1 and past[2].count("\n") == 1 and "already be over" in past[2]
    base = ("sessions", "create", "--name", "X", "--time", "9:00", "--date", "2031-01-06")
    unknown = run(*base, "--category", "no-such-category")
    assert unknown[0] == 1 and "unknown category no-such-category" in unknown[2]
    assert unknown[2].count("\n") == 1
    for flags in (("--days", "mon"), ("--until", "2031-02-01")):
        code, _, err = run(*base, *flags)
        assert code == 1 and "need --repeat" in err and err.count("\n") == 1
    assert run("sessions", "list")[1] == "no sessions\n"


def test_filters_today_and_keyword(run: Run) -> None:
    # All day: never already over, whatever the time the suite runs at.
    run("sessions", "create", "--name", "Today's block", "--time", "0:00", "--duration", "1440")
    run("sessions", "create", "--name", "Tomorrow", "--date", "tomorrow", "--time", "9:00")
    assert "Today's block" in run("sessions", "list", "--date", "today")[1]
    assert "Tomorrow" not in run("sessions", "list", "--date", "today")[1]
    listed = json.loads(run("sessions", "list", "--keyword", "TOMORROW", "--json")[1])
    assert [s["schedule"] for s in listed] == [(dt.date.today() + dt.timedelta(days=1)).isoformat()]
    assert run("sessions", "list", "--completed", "1")[1] == "no sessions\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("sessions", "create", "--time", "9:00"), "deepworkzone: error: a session needs a name"),
        (("sessions", "create", "--name", "x", "--time", "25:00"), "is not a valid time"),
        (("sessions", "create", "--name", "x", "--time", "9:00", "--duration", "0"), "1..1440"),
        (
            ("sessions", "create", "--name", "x", "--time", "9:00", "--timezone", "Mars/Base"),
            "not a known time zone",
        ),
        (
            ("sessions", "create", "--name", "x", "--time", "9:00", "--days", "funday"),
            "'funday' is not a weekday",
        ),
        (("sessions", "create", "--json", "/no/such/file"), "cannot read /no/such/file"),
        (("sessions", "update", "L1"), "nothing to change"),
        (("sessions", "show", "L1"), "session L1 not found"),
        (("sessions", "join", "1"), "join needs a server"),
        (("sessions", "list", "--completed", "2"), "invalid choice"),
        (
            ("sessions", "list", "--day-start", "2025-02-01", "--day-ends", "2025-01-01"),
            "--day-ends is before --day-start",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_1(run: Run, argv: tuple[str, ...], message: str) -> None:
    code, out, err = run(*argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_a_bad_json_body_names_the_problem(run: Run) -> None:
    code, _, err = run("sessions", "create", "--json", "-", stdin="{not json")
    assert code == 1 and "stdin is not valid JSON" in err
    body = dict(SEED_SESSION, duration=5000, website_blocker={"mode": "sometimes"})
    code, _, err = run("sessions", "create", "--json", "-", stdin=json.dumps(body))
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("deepworkzone: error: invalid session: duration: ")
    assert "website_blocker.mode: " in err


def test_a_series_is_listed_at_its_next_occurrence_not_its_first(run: Run) -> None:
    import datetime as dt

    code, _, err = run(
        "sessions", "create", "--name", "Weekly", "--date", "2025-01-06", "--time", "8:00",
        "--timezone", "UTC", "--repeat", "weekly", "--days", "mon",
    )  # fmt: skip
    assert code == 0, err
    line = run("sessions", "list")[1].splitlines()[1]
    shown = dt.date.fromisoformat(line.split()[2])
    today = dt.datetime.now(dt.UTC).date()
    assert today <= shown < today + dt.timedelta(days=7) and shown.isoweekday() == 1
    assert f"When      {shown.isoformat()} 8:00 AM UTC" in run("sessions", "show", "L1")[1]
