"""Field types of the wire models that accept exactly what their JSON Schema says.

pydantic's lax mode reads ``true`` as 1, ``1`` as true, ``0`` and ``86400`` as dates (Unix
time) and a midnight datetime as a date. A client bug then becomes a stored value (a session
on 1970-01-01), and the OpenAPI document no longer says what the server accepts. These types
check the value's JSON type first, the same way for JSON and for Python objects (stored rows,
the engine's dicts).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema

from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain
from deepworkzone.domain.limits import MAX_ID, MAX_URL_LENGTH

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Text the databases can store: PostgreSQL refuses NUL in text columns.
NO_NUL = "^[^\\u0000]*$"


def _date_only(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value  # pydantic checks the calendar (no 2025-02-30)
    raise ValueError(f"must be a date written YYYY-MM-DD, not {value!r}")


def _int_not_bool(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"must be a whole number, not {value!r}")


def _bool_only(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, not {value!r}")


def _zero_one(value: Any) -> Any:
    # The seed sends 0/1 where JSON has booleans; accept both spellings, nothing else.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) and value in (0, 1):
        return value
    raise ValueError(f"must be 0 or 1 (or false / true), not {value!r}")


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


# A domain (with a port, a trailing slash) or an http(s) URL, in ASCII: what _site accepts
# from ASCII text. International names are checked by normalise_domain alone.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_TLD = r"[A-Za-z_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = rf"(?:{_LABEL}\.)+{_TLD}\.?(?::[0-9]{{1,5}})?"
SITE_PATTERN = (
    rf"^(?:[Hh][Tt][Tt][Pp][Ss]?://{_HOST}(?:[/?#][^\s\u0000-\u001f\u007f]*)?|{_HOST}/?)$"
)
_SITE = re.compile(SITE_PATTERN)


def _site(value: Any) -> Any:
    """A domain ("example.com") or an http(s) URL, trimmed; kept as the user wrote it (the
    blocker normalises it when a session starts)."""
    if not isinstance(value, str):
        return value  # pydantic names the type
    text = value.strip()
    if not text:
        raise ValueError("website urls may not be blank")
    looks_like_a_scheme = "://" in text or ":" in text.partition("/")[0].rstrip("0123456789")
    if text.isascii() and not _SITE.match(text) and looks_like_a_scheme:
        raise ValueError(f"{text!r}: give a domain (example.com) or an http(s) URL")
    try:
        normalise_domain(text)
    except InvalidDomain as exc:
        raise ValueError(str(exc)) from exc
    if text.isascii() and not _SITE.match(text):
        raise ValueError(f"{text!r} is not a domain name or an http(s) URL")
    return text


DateOnly = Annotated[
    dt.date, BeforeValidator(_date_only), WithJsonSchema({"type": "string", "format": "date"})
]
# After the bounds in an Annotated list (``Annotated[int, Field(ge=1), NOT_BOOL]``), so that
# the bounds stay JSON Schema's minimum / maximum.
NOT_BOOL = BeforeValidator(_int_not_bool)
Flag = Annotated[bool, BeforeValidator(_bool_only)]
ZeroOne = Annotated[
    Literal[0, 1],
    BeforeValidator(_zero_one),
    WithJsonSchema({"anyOf": [{"type": "integer", "enum": [0, 1]}, {"type": "boolean"}]}),
]
RowId = Annotated[int, Field(ge=1, le=MAX_ID), NOT_BOOL]
PlainText = Annotated[str, BeforeValidator(_no_nul), Field(pattern=NO_NUL)]

# An invited person's e-mail address (compared in lower case).
EMAIL_PATTERN = r"^[^@\s\u0000]+@[^@\s\u0000]+$"

Site = Annotated[
    str,
    BeforeValidator(_site),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_URL_LENGTH,
            "pattern": SITE_PATTERN,
            "description": "a domain (example.com) or an http(s) URL; blocks the whole site",
            "examples": ["example.com", "https://www.example.com/feed"],
        }
    ),
    Field(max_length=MAX_URL_LENGTH),
]
