"""Delegated sign-in: MSAL's authorization-code flow with PKCE against the sandbox's sign-in and consent pages,
silent renewal with the refresh token, and what revocation does to it."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from tests.sandbox.entra.conftest import EntraSandbox
from tests.sandbox.entra.support import (
    REDIRECT_URI,
    DelegatedSetup,
    confidential_app,
    consent,
    delegated_setup,
    read_page,
    redirect_parameters,
    sign_in,
)

GRAPH_SCOPES = ["https://graph.microsoft.com/User.ReadWrite.All", "https://graph.microsoft.com/Group.ReadWrite.All"]


@pytest.fixture
def setup(entra_sandbox: EntraSandbox) -> DelegatedSetup:
    return delegated_setup(entra_sandbox.world)


def _link(sandbox: EntraSandbox, setup: DelegatedSetup, scopes: list[str] = GRAPH_SCOPES) -> tuple[object, dict]:
    """Run the whole flow once: initiate, consent in the browser, redeem; the MSAL app and its result."""
    app = confidential_app(sandbox, setup)
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=REDIRECT_URI)
    response = consent(sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert "access_token" in result, result
    return app, result


def test_msal_redeems_the_code_after_sign_in_and_consent(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    _, result = _link(entra_sandbox, setup)
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["tid"] == setup.customer.tenant_id
    assert claims["oid"] == setup.admin.object_id
    assert set(claims["scp"].split()) == {"User.ReadWrite.All", "Group.ReadWrite.All"}
    assert result["id_token_claims"]["preferred_username"] == "admin@contoso.onmicrosoft.com"
    assert "refresh_token" in result


def test_the_account_is_cached_by_its_client_info(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app, _ = _link(entra_sandbox, setup)
    [account] = app.get_accounts()  # type: ignore[attr-defined]
    assert account["home_account_id"] == f"{setup.admin.object_id}.{setup.customer.tenant_id}"
    assert account["username"] == "admin@contoso.onmicrosoft.com"


def test_accepting_records_the_consent_on_the_service_principal(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    _link(entra_sandbox, setup)
    principal = setup.customer.service_principal(setup.app.app_id)
    assert principal is not None
    assert {"User.ReadWrite.All", "Group.ReadWrite.All", "offline_access"} <= principal.delegated[setup.admin.object_id]


def test_the_consent_page_lists_the_scopes_asked_for(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    _, page = sign_in(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    assert set(GRAPH_SCOPES) <= set(read_page(page).list_items)


def test_cancel_sends_access_denied_back_to_the_app(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name, accept=False)
    assert response["error"] == "access_denied"
    assert response["state"] == flow["state"]
    assert setup.customer.service_principal(setup.app.app_id) is None


def test_a_wrong_password_shows_the_sign_in_page_again(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    _, page = sign_in(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name, password="guess")
    assert page.status_code == 200
    assert read_page(page).alerts == ["AADSTS50126: Error validating credentials due to invalid username or password."]


def test_consented_scopes_skip_the_consent_page(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    _link(entra_sandbox, setup)
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    _, response = sign_in(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    assert "code" in redirect_parameters(response)


def test_a_new_scope_asks_for_consent_again(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    _link(entra_sandbox, setup)
    more = [*GRAPH_SCOPES, "https://graph.microsoft.com/Directory.AccessAsUser.All"]
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(more, redirect_uri=REDIRECT_URI)
    _, page = sign_in(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    assert "Permissions requested" in page.text


def test_prompt_consent_shows_the_consent_page_even_when_consented(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    _link(entra_sandbox, setup)
    flow = confidential_app(entra_sandbox, setup).initiate_auth_code_flow(
        GRAPH_SCOPES, redirect_uri=REDIRECT_URI, prompt="consent"
    )
    _, page = sign_in(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    assert "Permissions requested" in page.text


def test_a_code_is_redeemed_once(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    assert "access_token" in app.acquire_token_by_auth_code_flow(dict(flow), response)
    again = app.acquire_token_by_auth_code_flow(dict(flow), response)
    assert (again["error"], again["error_codes"]) == ("invalid_grant", [54005])


def test_a_code_expires_after_ten_minutes(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    entra_sandbox.world.clock.advance(11 * 60)
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert (result["error"], result["error_codes"]) == ("invalid_grant", [70008])


def test_a_code_needs_the_pkce_verifier_it_was_issued_for(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri=REDIRECT_URI)
    response = consent(entra_sandbox, flow["auth_uri"], setup.admin.user_principal_name)
    result = app.acquire_token_by_auth_code_flow({**flow, "code_verifier": "x" * 43}, response)
    assert (result["error"], result["error_codes"]) == ("invalid_grant", [501481])


def test_an_unregistered_redirect_uri_is_refused_on_the_page(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    app = confidential_app(entra_sandbox, setup)
    flow = app.initiate_auth_code_flow(GRAPH_SCOPES, redirect_uri="https://evil.example/callback")
    page = entra_sandbox.browser().get(flow["auth_uri"])
    assert page.status_code == 400
    assert read_page(page).alerts[0].startswith("AADSTS50011: ")


def test_authorize_without_pkce_is_sent_back_as_invalid_request(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    url = (
        f"https://login.microsoftonline.com/{setup.customer.tenant_id}/oauth2/v2.0/authorize?client_id="
        f"{setup.app.app_id}&response_type=code&redirect_uri={REDIRECT_URI}&scope=openid&state=s1"
    )
    response = entra_sandbox.browser().get(url)
    params = parse_qs(urlsplit(response.headers["location"]).query)
    assert params["error"] == ["invalid_request"] and params["state"] == ["s1"]


@pytest.mark.usefixtures("msal_on_sandbox_time")
def test_silent_renewal_after_expiry_uses_the_refresh_token(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app, first = _link(entra_sandbox, setup)
    [account] = app.get_accounts()  # type: ignore[attr-defined]
    cached = app.acquire_token_silent(GRAPH_SCOPES, account=account)  # type: ignore[attr-defined]
    assert cached["access_token"] == first["access_token"]
    entra_sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    renewed = app.acquire_token_silent(GRAPH_SCOPES, account=account)  # type: ignore[attr-defined]
    assert renewed["access_token"] != first["access_token"]
    assert entra_sandbox.world.verify_access_token(renewed["access_token"], "https://graph.microsoft.com").scopes == {
        "User.ReadWrite.All",
        "Group.ReadWrite.All",
    }


@pytest.mark.usefixtures("msal_on_sandbox_time")
def test_after_sign_in_sessions_are_revoked_renewal_fails_with_invalid_grant(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    app, _ = _link(entra_sandbox, setup)
    [account] = app.get_accounts()  # type: ignore[attr-defined]
    entra_sandbox.world.clock.advance(60)
    entra_sandbox.world.revoke_sign_in_sessions(setup.customer, setup.admin.object_id)
    entra_sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    result = app.acquire_token_silent_with_error(GRAPH_SCOPES, account=account)  # type: ignore[attr-defined]
    assert (result["error"], result["error_codes"]) == ("invalid_grant", [50173])


@pytest.mark.usefixtures("msal_on_sandbox_time")
def test_after_consent_is_revoked_renewal_fails_with_consent_required(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    app, _ = _link(entra_sandbox, setup)
    [account] = app.get_accounts()  # type: ignore[attr-defined]
    entra_sandbox.world.revoke_consent(setup.customer, setup.app.app_id)
    entra_sandbox.world.clock.advance(timedelta(hours=2).total_seconds())
    result = app.acquire_token_silent_with_error(GRAPH_SCOPES, account=account)  # type: ignore[attr-defined]
    assert (result["error"], result["error_codes"]) == ("invalid_grant", [65001])
    assert result["suberror"] == "consent_required"


@pytest.mark.usefixtures("msal_on_sandbox_time")
def test_a_refresh_token_unused_for_ninety_days_expires(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app, _ = _link(entra_sandbox, setup)
    [account] = app.get_accounts()  # type: ignore[attr-defined]
    entra_sandbox.world.clock.advance(timedelta(days=91).total_seconds())
    result = app.acquire_token_silent_with_error(GRAPH_SCOPES, account=account)  # type: ignore[attr-defined]
    assert (result["error"], result["error_codes"]) == ("invalid_grant", [700082])


def test_a_scope_never_consented_cannot_be_refreshed_into(entra_sandbox: EntraSandbox, setup: DelegatedSetup) -> None:
    app, first = _link(entra_sandbox, setup)
    result = app.acquire_token_by_refresh_token(  # type: ignore[attr-defined]
        first["refresh_token"], ["https://graph.microsoft.com/Mail.Send"]
    )
    assert (result["error"], result["error_codes"], result["suberror"]) == (
        "invalid_grant",
        [65001],
        "consent_required",
    )


def test_discovery_lists_the_aliases_of_every_cloud(entra_sandbox: EntraSandbox) -> None:
    body = (
        entra_sandbox.requests_session()
        .get(
            "https://login.microsoftonline.us/common/discovery/instance",
            params={
                "api-version": "1.1",
                "authorization_endpoint": "https://login.microsoftonline.us/common/oauth2/authorize",
            },
        )
        .json()
    )
    assert (
        body["tenant_discovery_endpoint"] == "https://login.microsoftonline.us/common/.well-known/openid-configuration"
    )
    groups = [set(group["aliases"]) for group in body["metadata"]]
    assert {"login.microsoftonline.us", "login.usgovcloudapi.net"} in groups
    assert {"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"} in groups


def test_the_openid_configuration_names_the_real_host_of_the_cloud_asked(
    entra_sandbox: EntraSandbox, setup: DelegatedSetup
) -> None:
    tenant = setup.customer.tenant_id
    config = (
        entra_sandbox.requests_session()
        .get(f"https://login.chinacloudapi.cn/{tenant}/v2.0/.well-known/openid-configuration")
        .json()
    )
    assert config["issuer"] == f"https://login.chinacloudapi.cn/{tenant}/v2.0"
    assert config["token_endpoint"] == f"https://login.chinacloudapi.cn/{tenant}/oauth2/v2.0/token"
    assert config["msgraph_host"] == "microsoftgraph.chinacloudapi.cn"
