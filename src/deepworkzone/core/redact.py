"""Keep tokens out of logs and error messages."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = [
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),  # Slack tokens
    re.compile(r"dwz_[A-Za-z0-9_-]+"),  # our API keys
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # JWTs (Graph)
    re.compile(r"(?i)(bearer\s+)[^\s\"']+"),
    re.compile(r"(?i)((?:access|refresh)_token[\"'=:\s]+)[^\s\"'&,}]+"),
]


def redact(text: str) -> str:
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: m.group(1) + "***", text)
        else:
            text = pattern.sub("***", text)
    return text


class RedactingFilter(logging.Filter):
    """Scrubs the message (with its args merged in) of every record a handler sees.

    Only the message: a traceback is formatted later, so handlers that write anywhere also
    need a ``RedactingFormatter``, which scrubs the whole output.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # Args that do not fit the format: the handler reports it; the formatter scrubs it.
            return True
        record.msg = redact(message)
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """A Formatter whose whole output is scrubbed: message, args, traceback and stack."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        # The base class caches the formatted traceback on the record for other handlers.
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return redact(text)
