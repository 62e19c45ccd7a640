from __future__ import annotations

import pytest

from deepworkzone.cli.main import main


def test_bare_command_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "usage: deepworkzone" in capsys.readouterr().out


def test_unknown_command_is_a_user_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 1
    assert "invalid choice" in capsys.readouterr().err
