"""Typed errors from answers, list shapes, paging links, and the connection settings."""

from __future__ import annotations

import httpx
import pytest

from deepworkzone.api.client import SessionsClient, api_root
from deepworkzone.api.config import Connection, resolve_connection, scope_key
from deepworkzone.api.errors import (
    ApiError,
    AuthError,
    BadRequest,
    Conflict,
    FieldError,
    NotFound,
    ServerError,
    ValidationFailed,
    field_errors,
)
from deepworkzone.core.secrets import InsecureSecretStorageWarning, SecretStore
from deepworkzone.core.settings import Settings, save_settings

SESSION = {"id": 1, "name": "S", "duration": 30, "schedule": "2025-01-01", "time": "9:00 AM"}


def answering(response: httpx.Response) -> SessionsClient:
    return SessionsClient(
        "http://api.test", "t", transport=httpx.MockTransport(lambda _r: response), max_retries=0
    )


def test_fastapi_422_detail_becomes_readable_field_messages() -> None:
    detail = [
        {"loc": ["body", "duration"], "msg": "body.duration: Input should be <= 1440"},
        {"loc": ["query", "channel"], "msg": "Input should be 'public' or 'private'"},
        {"loc": ["body"], "msg": "Value error, recurring_ends is before the series starts"},
    ]
    errors = field_errors(detail)
    assert errors[0] == FieldError("duration", "Input should be <= 1440")
    assert str(errors[1]) == "channel: Input should be 'public' or 'private'"
    assert str(errors[2]) == "recurring_ends is before the series starts"
    exc = ValidationFailed(errors)
    assert str(exc).startswith("duration: Input should be <= 1440; channel: ")
    assert exc.fields["duration"] == "Input should be <= 1440"


def test_other_422_shapes() -> None:
    assert str(ValidationFailed(field_errors({"name": "too long"}))) == "name: too long"
    assert str(ValidationFailed(field_errors("bad body"))) == "bad body"
    assert str(ValidationFailed([])) == "the server rejected the request"


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (401, AuthError, 1),
        (404, NotFound, 1),
        (409, Conflict, 1),
        (400, BadRequest, 1),
        (422, ValidationFailed, 1),
        (500, ServerError, 2),
    ],
)
def test_statuses_map_to_typed_errors(status: int, kind: type[ApiError], code: int) -> None:
    with pytest.raises(kind) as err:
        answering(httpx.Response(status, json={"detail": "nope"})).get_session(1)
    assert err.value.exit_code == code and err.value.status == status


def test_not_json_is_a_server_error() -> None:
    with pytest.raises(ServerError, match="not JSON"):
        answering(httpx.Response(200, text="<html>proxy login</html>")).get_session(1)


def test_lists_are_read_as_bare_arrays_or_data_envelopes() -> None:
    bare = answering(httpx.Response(200, json=[SESSION]))
    envelope = answering(httpx.Response(200, json={"data": [SESSION], "total": 9}))
    assert [s.id for s in bare.list_sessions()] == [1]
    page = envelope.list_page()
    assert [s.id for s in page.items] == [1] and page.total == 9
    with pytest.raises(ServerError):
        answering(httpx.Response(200, json={"sessions": []})).list_sessions()


def test_unknown_fields_in_answers_are_ignored_but_kept_in_the_json() -> None:
    c = answering(httpx.Response(200, json={**SESSION, "mood": "calm"}))
    assert c.get_session_json(1)["mood"] == "calm"
    assert c.get_session(1).name == "S"


def test_iter_pages_follows_next_links_and_stops_on_a_loop() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        nxt = {"Link": f'<http://api.test/api/v1/sessions?page={page + 1}>; rel="next"'}
        if page == 3:  # a buggy server linking the last page to itself
            nxt = {"Link": '<http://api.test/api/v1/sessions?page=3>; rel="next"'}
        return httpx.Response(200, json=[{**SESSION, "id": page}], headers=nxt)

    c = SessionsClient("http://api.test", "t", transport=httpx.MockTransport(handle))
    assert [s.id for s in c.iter_sessions()] == [1, 2, 3]


def test_unknown_filters_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="colour"):
        answering(httpx.Response(200, json=[])).list_sessions(colour="red")


def test_api_root_accepts_urls_with_or_without_the_prefix() -> None:
    assert api_root("https://h.test/") == "https://h.test/api/v1"
    assert api_root("https://h.test/api/v1") == "https://h.test/api/v1"
    with pytest.raises(ApiError, match="http"):
        api_root("h.test")
    assert scope_key("https://H.test/api/v1/") == "https://h.test"


def test_connection_environment_wins_over_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_connection() is None  # nothing configured: local-only mode
    save_settings(Settings(server_url="https://saved.test"))
    with pytest.raises(AuthError, match=r"^no API token for https://saved\.test$") as raised:
        resolve_connection()
    assert raised.value.code == "no_token"  # type: ignore[attr-defined]
    assert raised.value.data == {"server": "https://saved.test"}  # type: ignore[attr-defined]
    with pytest.warns(InsecureSecretStorageWarning):
        SecretStore().set("api_token", "stored")
    assert resolve_connection() == Connection("https://saved.test", "stored")
    monkeypatch.setenv("DEEPWORKZONE_SERVER", "https://env.test")
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", "from-env")
    found = resolve_connection()
    assert found == Connection("https://env.test", "from-env")
    assert "from-env" not in repr(found)
