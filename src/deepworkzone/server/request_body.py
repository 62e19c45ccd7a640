"""Request bodies are bounded and typed before anything parses them.

A pure ASGI middleware reads the body of every POST / PUT / PATCH into memory, refusing it
with 413 as soon as it passes ``MAX_BODY_BYTES`` (by its Content-Length, or while the bytes
of a chunked body arrive), and with 415 when it is not JSON (or not UTF-8, which JSON on the
wire must be); then it hands the app the body it read. JSON that does not parse is 422 in
the contract's shape (errors.py), like any other bad body.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepworkzone.domain.limits import MAX_BODY_BYTES
from deepworkzone.server.errors import JSON_MEDIA_TYPE

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_JSON_TYPE = (b"content-type", b"application/json")


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope["headers"]}
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            if not length.isdigit():
                await _answer(send, 400, {"detail": "Content-Length is not a number"})
            else:
                await _too_large(send, self.limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            content_type = headers.get(b"content-type")
            if content_type is None:
                # No type said: read as JSON, the only kind this API takes (as FastAPI did).
                scope = {**scope, "headers": [*scope["headers"], _JSON_TYPE]}
            elif not _is_json(content_type.decode("latin-1")):
                shown = content_type.decode("latin-1")
                await _answer(
                    send,
                    415,
                    {"detail": f"send the body as application/json (Content-Type was {shown})"},
                )
                return
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                await _answer(send, 415, {"detail": "the body is not UTF-8 text"})
                return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # http.disconnect, for whoever waits for it

    return replay


async def _too_large(send: Send, limit: int) -> None:
    await _answer(send, 413, {"detail": f"the request body is larger than {limit} bytes"})


async def _answer(send: Send, status: int, content: object) -> None:
    body = json.dumps(content).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", JSON_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
