"""Exchange Online for leavers, through the Exchange Online admin API (``InvokeCommand``).

The admin API runs a small set of Exchange cmdlets over REST with an app-only token carrying
``Exchange.ManageAsApp`` (and the app holding the Exchange Administrator role). A leaver's mailbox is
converted to a shared mailbox (keeps the mail, frees the licence), the manager gets full access to it,
and an automatic reply tells correspondents whom to contact.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from hirehub.directories.entra.graph_errors import GraphError

TokenSource = Callable[[], Awaitable[str]]


class ExchangeClient:
    """Calls with a token for Exchange Online's own resource; a refused token is dropped (``on_unauthorized``) and
    the call sent once more with a fresh one before the refusal stands."""

    def __init__(
        self,
        invoke_url: str,
        token: TokenSource,
        http: httpx.AsyncClient,
        *,
        on_unauthorized: Callable[[], None] | None = None,
    ) -> None:
        self._url = invoke_url
        self._token = token
        self._http = http
        self._on_unauthorized = on_unauthorized

    async def _post(self, cmdlet: str, parameters: dict[str, Any]) -> httpx.Response:
        return await self._http.post(
            self._url,
            json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}},
            headers={"Authorization": f"Bearer {await self._token()}", "Accept": "application/json"},
        )

    async def invoke(self, cmdlet: str, parameters: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one cmdlet; returns its ``value`` list. Errors carry Exchange's code and message."""
        response = await self._post(cmdlet, parameters)
        if response.status_code in (401, 403) and self._on_unauthorized is not None:
            self._on_unauthorized()
            response = await self._post(cmdlet, parameters)
        body: Any
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"error": {"code": "InvalidResponse", "message": response.text[:500]}}
        if not response.is_success:
            raise GraphError.from_response(response.status_code, body, dict(response.headers))
        value = body.get("value", []) if isinstance(body, dict) else []
        return list(value)

    async def convert_to_shared(self, identity: str) -> None:
        await self.invoke("Set-Mailbox", {"Identity": identity, "Type": "Shared"})

    async def grant_full_access(self, identity: str, user: str) -> None:
        await self.invoke(
            "Add-MailboxPermission",
            {"Identity": identity, "User": user, "AccessRights": ["FullAccess"], "InheritanceType": "All"},
        )

    async def set_auto_reply(self, identity: str, message: str) -> None:
        await self.invoke(
            "Set-MailboxAutoReplyConfiguration",
            {
                "Identity": identity,
                "AutoReplyState": "Enabled",
                "InternalMessage": message,
                "ExternalMessage": message,
            },
        )

    async def mailbox(self, identity: str) -> dict[str, Any] | None:
        found = await self.invoke("Get-Mailbox", {"Identity": identity})
        return found[0] if found else None
