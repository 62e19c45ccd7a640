"""The size limits of the Sessions API, one place for the server, the client and the editor.

Every list and string a request carries is bounded, so validating the largest body the server
accepts takes milliseconds (bench/bench_validation.py), and the OpenAPI document states each
bound (maxItems / maxLength) so a generated client knows them too. docs/server.md, "Limits",
lists them for people.
"""

from __future__ import annotations

# A request body past this is 413 before it is parsed. The seed's example is ~700 bytes; a
# session with the most urls of the longest usual length still fits.
MAX_BODY_BYTES = 64 * 1024

MAX_NAME_LENGTH = 200
MAX_COLLABORATORS = 100
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit
MAX_URLS = 500
MAX_URL_LENGTH = 2048
MAX_CATEGORIES = 32  # more than the catalogue holds; repeats are dropped
# ISO weekdays 1..7, and 0 as another spelling of Sunday.
MAX_RECURRING_DAYS = 8
MAX_DELETED_OCCURRENCES = 10_000
MAX_TIMEZONE_LENGTH = 64
MAX_CLOCK_LENGTH = 20  # "12:30 p.m." with a few spaces
MAX_KEYWORD_LENGTH = 200
MAX_KEY_NAME_LENGTH = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
