"""GET /api/v1/sessions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from deepworkzone.domain.models import Session
from deepworkzone.server.auth import CurrentCaller, Db
from deepworkzone.server.conditional import etag_matches, list_etag
from deepworkzone.server.errors import JSON_MEDIA_TYPE, JsonResponse, unprocessable
from deepworkzone.server.list_cache import LIST_CACHE_MAX_BYTES
from deepworkzone.server.listing import Filters, list_sessions
from deepworkzone.server.routes.params import DateFilter, Keyword, OrgIdFilter, PageNumber

router = APIRouter(tags=["sessions"])
MAX_PER_PAGE = 100


def _link_header(request: Request, page: int, per_page: int, total: int) -> str | None:
    links = []
    if page * per_page < total:
        links.append(f'<{request.url.include_query_params(page=page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{request.url.include_query_params(page=page - 1)}>; rel="prev"')
    return ", ".join(links) or None


@router.get(
    "/sessions",
    response_model=list[Session],
    summary="List the sessions the caller may see",
    responses={
        200: {
            "headers": {
                "X-Total-Count": {"description": "matches on all pages"},
                "ETag": {"description": "the version of the whole listing, every page of it"},
            }
        },
        304: {"description": "If-None-Match: nothing changed for this caller and query"},
        412: {"description": "If-Match: the listing changed since that ETag was read"},
    },
)
async def get_sessions(
    request: Request,
    caller: CurrentCaller,
    db: Db,
    org_id: OrgIdFilter = None,
    channel: Literal["public", "private"] | None = None,
    type: Literal["drop-in", "standard"] | None = None,
    date: Annotated[DateFilter, Query(description="sessions occurring that day")] = None,
    completed: Annotated[int | None, Query(ge=0, le=1, description="0 active, 1 done")] = None,
    source: Literal["user", "organization"] | None = None,
    keyword: Keyword = None,
    day_start: DateFilter = None,
    day_ends: DateFilter = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> Response:
    if day_start is not None and day_ends is not None and day_ends < day_start:
        unprocessable(("query", "day_ends"), f"{day_ends} is before day_start {day_start}")
    filters = Filters(
        org_id=org_id,
        channel=channel,
        type=type,
        date=date,
        completed=completed,
        source=source,
        keyword=keyword.strip() if keyword else None,
        day_start=day_start,
        day_ends=day_ends,
    )
    generation = request.state.sessions_generation
    tag = list_etag(caller, generation, filters, per_page)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    if_match = request.headers.get("if-match")
    if if_match is not None and not etag_matches(if_match, tag):
        return JsonResponse(
            status_code=412,
            content={"detail": f"the session list changed since {if_match} (now {tag})"},
            headers={"ETag": tag},
        )
    key = (caller, generation, filters, page, per_page)
    # async so that a cached answer costs no thread-pool round trip; the queries of a miss
    # run on the pool like every other endpoint's.
    cached = request.app.state.list_cache.get(key)
    if cached is None:
        found = await run_in_threadpool(
            list_sessions, db, request.app.state.render_cache, caller, filters, page, per_page
        )
        cached = (b"[" + b",".join(s.json for s in found.sessions) + b"]", found.total)
        if len(cached[0]) <= LIST_CACHE_MAX_BYTES:
            request.app.state.list_cache.put(key, cached)
    body, total = cached
    headers = {"X-Total-Count": str(total), "ETag": tag}
    link = _link_header(request, page, per_page, total)
    if link:
        headers["Link"] = link
    return Response(body, media_type=JSON_MEDIA_TYPE, headers=headers)
