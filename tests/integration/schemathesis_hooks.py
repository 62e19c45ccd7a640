"""Hooks for the schemathesis runs of test_server_schemathesis.py (SCHEMATHESIS_HOOKS).

A fuzzer draws the same short Idempotency-Key again and again; the server then rightly
answers the first create's result (perhaps a session deleted since), which a stateful run
reads as "created resource not found". Each valid key is made unique, so every create is a
new request; invalid keys are left as drawn (they must still be refused).
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

_counter = itertools.count()


@schemathesis.hook
def map_headers(context: Any, headers: dict[str, Any] | None) -> dict[str, Any] | None:
    if not headers:
        return headers
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and value.strip():
            suffix = f"-{next(_counter)}"
            headers[name] = value[: 255 - len(suffix)] + suffix
    return headers
