"""The application factory: ``create_app(db_url)`` migrates the database and wires it up."""

from __future__ import annotations

import logging

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from deepworkzone import __version__
from deepworkzone.server import defaults
from deepworkzone.server.db import make_engine, migrate, session_factory
from deepworkzone.server.errors import JsonResponse, http_error_handler, validation_error_handler
from deepworkzone.server.list_cache import LIST_CACHE_ENTRIES, LruCache
from deepworkzone.server.openapi import install_openapi
from deepworkzone.server.ratelimit import (
    DatabaseCounter,
    FixedWindowLimiter,
    Limits,
    RateLimitMiddleware,
)
from deepworkzone.server.rendering import RenderCache
from deepworkzone.server.request_body import BodyLimitMiddleware
from deepworkzone.server.routes import api_keys, participation, sessions_item, sessions_list

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

DESCRIPTION = """Sessions API v1: timed focus sessions, participation and API keys.

* **Auth**: `Authorization: Bearer <token>`; missing, unknown or revoked tokens are 401.
  GUEST keys read the org's public sessions and join them; anything else is 403.
* **Visibility**: a session of another org, or a private one you neither own, are invited
  to, nor joined, is 404 everywhere.
* **org_id** in a body must be your own org (else 422); left out, it is your org. As a list
  filter, another org's id gives an empty list.
* **Concurrency**: GET and PUT answer an `ETag` and `Last-Modified`; a PUT whose `If-Match`
  or `If-Unmodified-Since` no longer matches is **412**.
* **Delete**: owner or collaborator may delete one occurrence; only the owner the series.
* **Complete**: records the caller's completion (joining first if needed); the owner
  completing a one-off session also sets its status to `completed`.
* **Rate limit**: per API key, fixed one-minute window (`deepworkzone serve --rate-limit`,
  default 600), and failed authentications per client address (`--failed-auth-limit`,
  default 30); every authenticated answer carries `X-RateLimit-Limit/Remaining/Reset`
  (a 401 those of its address); past a limit, 429 with `Retry-After`.
"""


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JsonResponse(status_code=500, content={"detail": "internal server error"})


def create_app(
    db_url: str,
    *,
    rate_limit_per_minute: int = defaults.RATE_LIMIT_PER_MINUTE,
    failed_auth_per_minute: int = defaults.FAILED_AUTH_PER_MINUTE,
    limiter: FixedWindowLimiter | None = None,
    shared_limits: bool | None = None,
    migrate_schema: bool = True,
    db_connections: int = defaults.DB_CONNECTIONS,
) -> FastAPI:
    """The Sessions API on the database at ``db_url`` (migrated to the newest schema now,
    unless ``migrate_schema`` is false: a worker whose parent migrated). ``shared_limits``:
    rate limits counted in the database, for several processes (default: unless SQLite).
    ``db_connections``: how many database connections this process keeps open."""
    engine = make_engine(db_url, db_connections)
    if migrate_schema:
        migrate(engine)
    app = FastAPI(
        title="Deep Work Zone Sessions API",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=JsonResponse,
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.db_slots = anyio.Semaphore(db_connections)  # one per connection (auth.get_db)
    app.state.render_cache = RenderCache()
    app.state.list_cache = LruCache[tuple[object, ...], tuple[bytes, int]](LIST_CACHE_ENTRIES)
    per_key = limiter or FixedWindowLimiter(rate_limit_per_minute)
    if shared_limits if shared_limits is not None else engine.dialect.name != "sqlite":
        per_key = per_key.with_counter(DatabaseCounter(engine))
    app.state.limits = Limits(per_key, per_key.with_limit(failed_auth_per_minute))
    # Outermost last: a refused body (413, 415) is still counted and carries rate headers.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RateLimitMiddleware)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, _internal_error)
    for module in (sessions_list, sessions_item, participation, api_keys):
        app.include_router(module.router, prefix=API_PREFIX)
    install_openapi(app, API_PREFIX)
    return app
