"""API tokens: shown once, stored as a hash.

Tokens are 256-bit random strings, so a plain SHA-256 (no salt, no stretching) is enough to
make a stolen database useless and still lets us look a token up by its hash.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "dwz_"


def new_token() -> str:
    # The prefix lets log redaction and secret scanners recognise our tokens.
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
