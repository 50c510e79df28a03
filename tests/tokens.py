"""Getting an access token from the hub's token endpoint, as a script does (client credentials, secret)."""

from __future__ import annotations

import uuid

import httpx


async def client_credentials_token(
    client: httpx.AsyncClient, tenant: uuid.UUID | str, client_id: str, secret: str, resource: str
) -> str:
    response = await client.post(
        f"/{tenant}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
              "scope": f"{resource}/.default"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
