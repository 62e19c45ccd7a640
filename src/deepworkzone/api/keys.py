"""API keys (after the Sessions public API): create, list, revoke; and the token check."""

from __future__ import annotations

from deepworkzone.api.paging import list_items
from deepworkzone.api.responses import raise_for_status
from deepworkzone.api.transport import BaseClient
from deepworkzone.domain.models import ApiKey, ApiKeyCreated


class ApiKeyMethods(BaseClient):
    def create_api_key(self, name: str, role: str = "USER") -> ApiKeyCreated:
        _, body = self._call(
            "POST", "/api-keys", body={"name": name, "role": role}, repeatable=False
        )
        return ApiKeyCreated.model_validate(body)

    def list_api_keys(self) -> list[ApiKey]:
        _, body = self._call("GET", "/api-keys", repeatable=True)
        return [ApiKey.model_validate(k) for k in list_items(body)]

    def revoke_api_key(self, key_id: int) -> None:
        response, retries = self._send("DELETE", f"/api-keys/{int(key_id)}", repeatable=True)
        if response.status_code == 404 and retries:
            return
        raise_for_status(response, f"API key {key_id}")

    def check_token(self) -> None:
        """Raise AuthError unless the token works. Listing one session is allowed to every
        valid key, GUEST included, and answers 401 for anything else."""
        self._call("GET", "/sessions", params={"per_page": "1"}, repeatable=True)
