"""Consent for several resources at once: an authorization request may name Graph's and Exchange's scopes (what
MSAL's ``extra_scopes_to_consent`` does), a token request one resource only (AADSTS28000); the refresh token then
gets a token for each resource, with that resource's audience."""

from __future__ import annotations

import jwt
import pytest

from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.support import REDIRECT_URI, DelegatedSetup, confidential_app, consent, delegated_setup

GRAPH = ["https://graph.microsoft.com/User.ReadWrite.All"]
EXCHANGE = "https://outlook.office365.com/Exchange.Manage"


@pytest.fixture
def setup(entra_sandbox: EntraSandbox) -> DelegatedSetup:
    return delegated_setup(entra_sandbox.world)


def test_one_consent_covers_graph_and_exchange_and_each_token_has_its_own_audience(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow([*GRAPH, EXCHANGE], redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    graph = app.acquire_token_by_auth_code_flow(flow, response, scopes=GRAPH)
    assert "access_token" in graph, graph
    (account,) = app.get_accounts()

    exchange = app.acquire_token_silent_with_error(["https://outlook.office365.com/.default"], account=account)

    assert exchange is not None and "access_token" in exchange, exchange
    assert (
        jwt.decode(graph["access_token"], options={"verify_signature": False})["aud"] == "https://graph.microsoft.com"
    )
    exchange_claims = jwt.decode(exchange["access_token"], options={"verify_signature": False})
    assert exchange_claims["aud"] == "https://outlook.office365.com"
    assert "Exchange.Manage" in exchange_claims["scp"].split()


def test_a_token_request_for_two_resources_is_still_refused(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow([*GRAPH, EXCHANGE], redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)

    refused = app.acquire_token_by_auth_code_flow(flow, response)

    assert refused.get("error") == "invalid_scope" and 28000 in refused.get("error_codes", [])
