"""The HTTP side of the Sessions API client: one httpx.Client, retries, error mapping.

Sync httpx on purpose: the GUI calls the client from its worker pool and the CLI directly.
Retries follow the contract's "Client behaviour": GET/PUT/DELETE on connect errors, 5xx and
429; a POST only when a repeat cannot create twice (see ``_send``). The token only ever goes
into the Authorization header: it is never logged nor part of any message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Self

import httpx

from deepworkzone.api.errors import ApiError, Offline, RateLimited
from deepworkzone.api.responses import RateLimitInfo, decode, raise_for_status
from deepworkzone.api.retry import RetryBudget, RetryPolicy, Sleep, parse_retry_after

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


def api_root(server_url: str) -> str:
    """``https://host[:port][/prefix]/api/v1`` from what a user typed, with or without the path."""
    url = server_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ApiError(f"server URL must start with http:// or https:// (got {server_url!r})")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


class BaseClient:
    """Connection, retries and error mapping; the endpoints live in subclasses."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        max_retries: int = 3,
        max_total_wait: float = 30.0,
        sleep: Sleep | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = api_root(base_url)
        self.policy = RetryPolicy(max_retries=max_retries, max_total_wait=max_total_wait)
        if sleep is not None:
            self.policy.sleep = sleep
        self.rate_limit: RateLimitInfo | None = None
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
        )

    def __repr__(self) -> str:  # the default would not leak the token, but be explicit
        return f"{type(self).__name__}({self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        repeatable: bool,
    ) -> tuple[httpx.Response, int]:
        """Send with retries; answer the response and how many retries it took.

        ``repeatable``: sending the request twice has the effect of sending it once. Without
        it a request is retried only when it surely never reached the server (connect error)
        or the server said so (429 means "not processed").
        """
        budget = RetryBudget(self.policy)
        while True:
            try:
                response = self._http.request(
                    method, url, params=params, json=body, headers=headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if budget.wait(None):
                    continue
                raise Offline(f"cannot reach {self.base_url} ({_reason(exc)})") from None
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if repeatable and budget.wait(None):
                    continue
                raise Offline(
                    f"no answer from {self.base_url} ({_reason(exc)})", maybe_sent=True
                ) from None
            except httpx.HTTPError as exc:
                raise ApiError(f"cannot talk to {self.base_url}: {_reason(exc)}") from None
            log.debug("%s %s -> %s", method, response.request.url.path, response.status_code)
            self.rate_limit = RateLimitInfo.from_headers(response.headers) or self.rate_limit
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status == 429:
                if budget.wait(retry_after):
                    continue
                limit = self.rate_limit.limit if self.rate_limit else None
                wait = f"; retry in {retry_after:.0f}s" if retry_after is not None else ""
                raise RateLimited(
                    f"rate limited by the server{wait}", retry_after=retry_after, limit=limit
                )
            if status >= 500 and repeatable and budget.wait(retry_after):
                continue
            return response, budget.retries

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        repeatable: bool,
        what: str = "",
    ) -> tuple[httpx.Response, Any]:
        response, _ = self._send(
            method, url, params=params, body=body, headers=headers, repeatable=repeatable
        )
        raise_for_status(response, what)
        return response, decode(response)


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
