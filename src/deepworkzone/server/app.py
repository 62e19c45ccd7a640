"""The application factory: ``create_app(db_url)`` migrates the database and wires it up."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from deepworkzone import __version__
from deepworkzone.server.db import make_engine, migrate, session_factory
from deepworkzone.server.errors import validation_error_handler
from deepworkzone.server.list_cache import LruCache
from deepworkzone.server.ratelimit import (
    DEFAULT_PER_MINUTE,
    FixedWindowLimiter,
    RateLimitMiddleware,
)
from deepworkzone.server.rendering import RenderCache
from deepworkzone.server.routes import api_keys, participation, sessions_item, sessions_list

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(status_code=500, content={"detail": "internal server error"})


def create_app(
    db_url: str,
    *,
    rate_limit_per_minute: int = DEFAULT_PER_MINUTE,
    limiter: FixedWindowLimiter | None = None,
) -> FastAPI:
    """The Sessions API on the database at ``db_url`` (migrated to the newest schema now)."""
    engine = make_engine(db_url)
    migrate(engine)
    app = FastAPI(
        title="Deep Work Zone Sessions API",
        version=__version__,
        description="Sessions API v1: timed focus sessions, participation and API keys.",
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.render_cache = RenderCache()
    app.state.list_cache = LruCache[tuple[object, ...], tuple[bytes, int]](2048)
    app.state.limiter = limiter or FixedWindowLimiter(rate_limit_per_minute)
    app.add_middleware(RateLimitMiddleware, limiter=app.state.limiter)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(Exception, _internal_error)
    for module in (sessions_list, sessions_item, participation, api_keys):
        app.include_router(module.router, prefix=API_PREFIX)
    return app
