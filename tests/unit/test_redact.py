"""Tokens stay out of the log file whatever part of a record carries them.

Everything goes through the real ``setup_logging`` into a file under the test's own
DEEPWORKZONE_HOME, and the file is then searched for the secrets.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from deepworkzone.core.logs import setup_logging
from deepworkzone.core.paths import app_paths
from deepworkzone.core.redact import RedactingFormatter

BEARER = "sekritBearerValue123"
SLACK = "xoxb-1111-2222-abcdef"
API_KEY = "dwz_TopSecretKey_42"
ACCESS = "accessValue987"


@pytest.fixture
def log() -> Iterator[logging.Logger]:
    setup_logging()
    try:
        yield logging.getLogger("deepworkzone.test.redact")
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if getattr(handler, "_deepworkzone", False):
                root.removeHandler(handler)
                handler.close()


def _written() -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return app_paths().log_file.read_text(encoding="utf-8")


def _assert_clean(text: str) -> None:
    for secret in (BEARER, SLACK, API_KEY, ACCESS):
        assert secret not in text, f"{secret} leaked into the log:\n{text}"
    assert "***" in text


def test_log_exception_scrubs_the_exception_message_and_traceback(log: logging.Logger) -> None:
    def call_server() -> None:
        headers = {"Authorization": f"Bearer {BEARER}"}
        raise RuntimeError(f"request failed with headers {headers}")

    try:
        call_server()
    except RuntimeError:
        log.exception("sync failed")
    text = _written()
    assert "Traceback" in text and "call_server" in text  # the traceback itself is kept
    _assert_clean(text)


def test_a_chained_exception_and_args_are_scrubbed(log: logging.Logger) -> None:
    try:
        try:
            raise KeyError(f"access_token={ACCESS}")
        except KeyError as inner:
            raise ValueError(f"slack refused {SLACK}") from inner
    except ValueError as exc:
        log.error("gave up on %s with %r", API_KEY, exc, exc_info=True)
    text = _written()
    assert "The above exception was the direct cause" in text
    _assert_clean(text)


def test_exc_info_given_as_an_exception_and_stack_info_are_scrubbed(log: logging.Logger) -> None:
    exc = ConnectionError(f"Bearer {BEARER}")
    log.warning("retrying", exc_info=exc)
    log.info("state %s", {"refresh_token": ACCESS}, stack_info=True)
    text = _written()
    assert "Stack (most recent call last)" in text
    _assert_clean(text)


def test_the_formatter_also_scrubs_the_cached_traceback_for_other_handlers() -> None:
    try:
        raise RuntimeError(f"Bearer {BEARER}")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    out = RedactingFormatter("%(message)s").format(record)
    assert BEARER not in out
    assert record.exc_text is not None and BEARER not in record.exc_text
    # A plain formatter used afterwards by some other handler reuses the scrubbed cache.
    assert BEARER not in logging.Formatter("%(message)s").format(record)
