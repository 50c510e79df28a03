"""LinkedIn's RSC configuration plugin, played by the sandbox: ``in.js``, the onboarding widget, and the customer's
*Enable* in LinkedIn Recruiter.

The partner's page embeds LinkedIn's script as the RSC onboarding guide shows it (``in.js`` with ``api_key`` and the
``ATSIntegrationWidget`` extension, then a ``script type="IN/ATSIntegrationWidget"`` tag). In a development group the
browser host map sends ``https://platform.linkedin.com`` here, and this module answers in LinkedIn's place:

1. :data:`SCRIPT_PATH` is a stand-in ``in.js``: it reads ``api_key`` and the extension's URL from its own tag, turns
   every widget tag into an iframe of :data:`WIDGET_PATH` on this origin, and hands what the widget reports (a
   ``postMessage`` from that frame only) to the page's ``data-onintegrate`` function.
2. The widget asks the customer's Recruiter administrator to sign in on LinkedIn's side, then offers the bundles
   the partner supports. Picking them is :meth:`~.world.LinkedInWorld.request_integrations`: the integrations
   exist on LinkedIn's side as REQUESTED, and ``{integrationContext, integrationType, tenantType}`` each go to the
   partner's page, which only accepts messages for the origin it runs on (``validJsSdkDomains``, as LinkedIn's
   JavaScript SDK checks the domain of its ``api_key``).
3. The partner names the integrations and sends their configurations server-side (PARTNER_READY); the widget's
   list follows. *Enable* stands in for LinkedIn Recruiter's admin setting: ENABLED, then the signed push
   notification to the CALLBACK_URL the partner configured (:meth:`~.world.LinkedInWorld.enable`).

Sessions are opaque handles carried in the widget's forms rather than cookies, so a browser that keeps frames'
cookies apart still signs in. ``install_plugin(app, world, admin)`` adds the routes to the sandbox's app.
"""

from __future__ import annotations

import html
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hirehub.sandbox.linkedin.world import (
    BUNDLES,
    CONTRACT_INTEGRATION_TYPES,
    DeveloperApplication,
    Integration,
    LinkedInError,
    LinkedInWorld,
    OnboardingStatus,
    integration_key,
)

SCRIPT_PATH = "/xdoor/scripts/in.js"
"""``https://platform.linkedin.com/xdoor/scripts/in.js``: the script the guide's first tag loads."""
WIDGET_PATH = "/rsc/extensions/onboarding-widget"
"""``https://platform.linkedin.com/rsc/extensions/onboarding-widget``: the extension the guide names."""
MESSAGE_TYPE = "linkedin-ats-integrations"
"""The ``type`` of the message the widget posts to the partner's page."""

DEFAULT_ADMIN_EMAIL = "recruiter.admin@customer.example"
DEFAULT_ORGANIZATION = "urn:li:organization:2414183"
"""The company of the guide's sample answer."""
DEFAULT_CONTRACT = "urn:li:contract:2414184"

BUNDLE_LABELS: Mapping[str, str] = {
    "RECRUITER_SYSTEM_CONNECT_COMPANY": "Recruiter System Connect (company)",
    "RECRUITER_SYSTEM_CONNECT_CONTRACT": "Recruiter System Connect (contract)",
    "APPLY_WITH_LINKEDIN": "Apply with LinkedIn",
    "APPLY_CONNECT": "Apply Connect",
}


class WidgetRefused(Exception):
    """What LinkedIn's widget shows instead of the plugin (an unknown key, a domain not registered for it)."""


@dataclass(frozen=True)
class CustomerAdmin:
    """The customer's LinkedIn Recruiter administrator, who signs in to the plugin, and what they administer."""

    email: str
    password: str
    organization: str
    """``urn:li:organization:…``: the context of the company bundles."""
    contract: str
    """``urn:li:contract:…``: the Recruiter contract, the context of the contract bundle."""
    name: str = "Recruiter administrator"

    @classmethod
    def invented(cls) -> CustomerAdmin:
        """The default administrator (the guide's sample company) with a fresh password."""
        return cls(
            email=DEFAULT_ADMIN_EMAIL,
            password=secrets.token_urlsafe(12),
            organization=DEFAULT_ORGANIZATION,
            contract=DEFAULT_CONTRACT,
        )


def context_for(bundle: str, admin: CustomerAdmin) -> str:
    """The integration context a bundle is requested in: the contract for contract-keyed types, else the company."""
    types = {integration_type for integration_type, _ in BUNDLES[bundle]}
    return admin.contract if types <= CONTRACT_INTEGRATION_TYPES else admin.organization


@dataclass
class PluginDesk:
    """The plugin's side of one world: who may sign in, the signed-in sessions, and what the widget does."""

    world: LinkedInWorld
    admin: CustomerAdmin
    sessions: dict[str, CustomerAdmin] = field(default_factory=dict)

    def sign_in(self, email: str, password: str) -> str | None:
        """A new session handle, or None when the e-mail and password are not the administrator's."""
        matches = email.strip().lower() == self.admin.email.lower()
        if not (matches and secrets.compare_digest(password.encode(), self.admin.password.encode())):
            return None
        handle = secrets.token_urlsafe(24)
        self.sessions[handle] = self.admin
        return handle

    def signed_in(self, session: str) -> CustomerAdmin | None:
        return self.sessions.get(session) if session else None

    def customer_app(self, api_key: str, origin: str) -> DeveloperApplication:
        """The customer application ``api_key`` names, once the page's ``origin`` is one of its SDK domains."""
        app = self.world.applications.get(api_key)
        if app is None or app.is_partner:
            raise WidgetRefused("The api_key is not a LinkedIn customer application's client ID.")
        if origin.rstrip("/") not in {domain.rstrip("/") for domain in app.valid_js_sdk_domains}:
            raise WidgetRefused(f"The domain {origin or '(none)'} is not a valid JavaScript SDK domain of this key.")
        return app

    def request(self, app: DeveloperApplication, bundles: Iterable[str]) -> list[dict[str, str]]:
        """The administrator's choice recorded on LinkedIn's side: what the partner's callback receives."""
        reported: list[dict[str, str]] = []
        for bundle in bundles:
            reported += self.world.request_integrations(app, context_for(bundle, self.admin), [bundle])
        return reported

    def integrations_of(self, app: DeveloperApplication) -> list[Integration]:
        """The customer's integrations on LinkedIn's side, in a stable order."""
        owned = [i for i in self.world.integrations.values() if i.owner_client_id == app.client_id]
        return sorted(owned, key=lambda i: (i.integration_context, i.integration_type))

    async def enable(self, app: DeveloperApplication, context: str, integration_type: str, tenant_type: str) -> None:
        """*Enable* in Recruiter: a PARTNER_READY integration of this customer becomes ENABLED and is pushed."""
        try:
            integration = self.world.visible_integration(app, integration_key(context, integration_type, tenant_type))
        except LinkedInError as exc:
            raise WidgetRefused("No such integration of yours.") from exc
        if integration.onboarding_status is not OnboardingStatus.PARTNER_READY:
            raise WidgetRefused("Only an integration your ATS has made ready can be enabled.")
        await self.world.enable(integration.key)


# pages ------------------------------------------------------------------------------------------------------------
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; color: #1d2226; }}
h1 {{ font-size: 1.2rem; color: #0a66c2; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .3rem; text-align: left; font-size: .9rem; }}
.error {{ color: #b24020; }} .hint {{ color: #555; font-size: .85rem; }}
button {{ background: #0a66c2; color: #fff; border: 0; border-radius: 1rem; padding: .35rem 1rem; }}
label {{ display: block; margin: .3rem 0; }}
</style></head><body>
<p class="hint">LinkedIn (sandbox)</p>
{body}
</body></html>"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status_code)


def _hidden(**fields: str) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )


def _script_json(value: object) -> str:
    """``value`` as a JavaScript literal that cannot end the ``<script>`` element it is written in."""
    return json.dumps(value).replace("<", "\\u003c")


def refused_page(reason: str) -> HTMLResponse:
    return _page("LinkedIn", f'<h1>This plugin cannot load</h1><p class="error" role="alert">{html.escape(reason)}</p>',
                 400)  # fmt: skip


def sign_in_page(*, api_key: str, origin: str, bundles: str, error: str = "") -> HTMLResponse:
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    return _page(
        "Sign in to LinkedIn",
        f"""<h1>Sign in to LinkedIn</h1>
<p>Sign in as your company's LinkedIn Recruiter administrator to choose the integrations with your ATS.</p>{message}
<form method="post" action="{WIDGET_PATH}/sign-in">{_hidden(api_key=api_key, origin=origin, bundles=bundles)}
<label>Email <input type="email" name="email" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form>""",
        401 if error else 200,
    )


def integrations_table(integrations: Iterable[Integration], *, ats: str, form: Mapping[str, str]) -> str:
    """The customer's integrations and what they can do next: wait for the ATS, enable, or nothing more."""
    rows = []
    for integration in integrations:
        status = str(integration.onboarding_status)
        if integration.onboarding_status is OnboardingStatus.PARTNER_READY:
            action = (
                f'<form method="post" action="{WIDGET_PATH}/enable">'
                f"{_hidden(**form, context=integration.integration_context)}"
                f"{_hidden(integration_type=integration.integration_type, tenant_type=integration.tenant_type)}"
                f'<button type="submit" data-enable="{html.escape(integration.integration_type)}">Enable</button>'
                "</form>"
            )
        elif integration.onboarding_status is OnboardingStatus.REQUESTED:
            action = f'<span class="hint">Waiting for {html.escape(ats)} to set it up</span>'
        else:
            action = "Enabled in LinkedIn Recruiter"
        rows.append(
            f'<tr data-integration="{html.escape(integration.integration_type)}">'
            f"<td>{html.escape(integration.integration_name or integration.integration_type)}</td>"
            f"<td><code>{html.escape(integration.integration_context)}</code></td>"
            f'<td data-status="{html.escape(status)}">{html.escape(status)}</td><td>{action}</td></tr>'
        )
    if not rows:
        return "<p>No integrations requested yet.</p>"
    return (
        "<table><thead><tr><th>Integration</th><th>Context</th><th>Status</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def plugin_page(
    desk: PluginDesk,
    app: DeveloperApplication,
    *,
    session: str,
    origin: str,
    bundles: list[str],
    reported: list[dict[str, str]] | None = None,
) -> HTMLResponse:
    """The signed-in plugin: the bundles to choose, the customer's integrations, and — right after a choice — the
    message to the partner's page."""
    admin = desk.admin
    form = {"session": session, "api_key": app.client_id, "origin": origin, "bundles": ",".join(bundles)}
    choices = "".join(
        f'<label><input type="checkbox" name="bundle" value="{html.escape(b)}" checked> '
        f'{html.escape(BUNDLE_LABELS.get(b, b))} <span class="hint">{html.escape(context_for(b, admin))}</span>'
        "</label>"
        for b in bundles
        if b in BUNDLES
    )
    status_url = f"{WIDGET_PATH}/status?{urlencode(form)}"
    notice, message = "", ""
    if reported is not None:
        notice = f'<p role="status">Sent {len(reported)} integrations to {html.escape(app.name)}.</p>'
        payload = _script_json({"type": MESSAGE_TYPE, "integrations": reported})
        message = f"<script>window.parent.postMessage({payload}, {_script_json(origin)});</script>"
    body = f"""<h1>Integrate LinkedIn with {html.escape(app.name)}</h1>
<p>Signed in as {html.escape(admin.name)} ({html.escape(admin.email)})</p>{notice}
<form method="post" action="{WIDGET_PATH}/integrations">{_hidden(**form)}
<fieldset><legend>Integrations to allow</legend>{choices}</fieldset>
<button type="submit">Integrate</button></form>
<h2>Your integrations</h2>
<div id="li-integrations">{integrations_table(desk.integrations_of(app), ats=app.name, form=form)}</div>
<script>
(function () {{
  var box = document.getElementById("li-integrations");
  setInterval(function () {{
    fetch({_script_json(status_url)}).then(function (r) {{ return r.ok ? r.text() : null; }}).then(function (text) {{
      if (text !== null && text !== box.innerHTML) {{ box.innerHTML = text; }}
    }}).catch(function () {{}});
  }}, 1500);
}})();
</script>{message}"""
    return _page("LinkedIn ATS integrations", body)


# in.js ------------------------------------------------------------------------------------------------------------
IN_JS = """(function () {
  "use strict";
  var tag = document.currentScript, settings = {}, widget = null;
  (tag ? tag.textContent : "").split("\\n").forEach(function (line) {
    var at = line.indexOf(":");
    if (at > 0) { settings[line.slice(0, at).trim()] = line.slice(at + 1).trim(); }
  });
  (settings.extensions || "").split(",").forEach(function (extension) {
    var at = extension.indexOf("@");
    if (at > 0 && extension.slice(0, at).trim() === "ATSIntegrationWidget") { widget = extension.slice(at + 1).trim(); }
  });
  var frames = [];
  function parse() {
    if (!widget) { return; }
    document.querySelectorAll('script[type="IN/ATSIntegrationWidget"]').forEach(function (el) {
      if (el.getAttribute("data-li-rendered")) { return; }
      el.setAttribute("data-li-rendered", "true");
      var src = new URL(widget, location.href);
      src.searchParams.set("api_key", settings.api_key || "");
      src.searchParams.set("bundles", el.getAttribute("data-supported-bundled-integration-types") || "");
      src.searchParams.set("origin", location.origin);
      var frame = document.createElement("iframe");
      frame.src = src.toString();
      frame.title = "LinkedIn ATS integration configuration";
      frame.width = el.getAttribute("data-width") || "600";
      frame.height = "560";
      frame.setAttribute("data-li-widget", "ATSIntegrationWidget");
      el.parentNode.insertBefore(frame, el.nextSibling);
      frames.push({frame: frame, origin: src.origin, callback: el.getAttribute("data-onintegrate")});
    });
  }
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "__MESSAGE_TYPE__") { return; }
    frames.forEach(function (entry) {
      if (entry.frame.contentWindow !== event.source || entry.origin !== event.origin) { return; }
      var handler = window[entry.callback];
      if (typeof handler === "function") { handler(data.integrations); }
    });
  });
  window.IN = window.IN || {};
  window.IN.parse = parse;
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", parse); } else { parse(); }
})();
""".replace("__MESSAGE_TYPE__", MESSAGE_TYPE)
"""The stand-in for LinkedIn's ``in.js``: renders widget tags as frames and relays their one message."""


def _bundles(text: str) -> list[str]:
    return [b.strip() for b in text.split(",") if b.strip()]


def install_plugin(app: FastAPI, world: LinkedInWorld, admin: CustomerAdmin) -> PluginDesk:
    """Serve the plugin on ``app`` (the sandbox's) over ``world``, with ``admin`` as the one who may sign in."""
    desk = PluginDesk(world, admin)

    @app.get(SCRIPT_PATH, include_in_schema=False)
    async def in_js() -> Response:
        return Response(IN_JS, media_type="application/javascript", headers={"Cache-Control": "no-store"})

    @app.get(WIDGET_PATH, include_in_schema=False)
    async def widget(
        api_key: str = Query(""), origin: str = Query(""), bundles: str = Query(""), session: str = Query("")
    ) -> Response:
        try:
            customer = desk.customer_app(api_key, origin)
        except WidgetRefused as exc:
            return refused_page(str(exc))
        if desk.signed_in(session) is None:
            return sign_in_page(api_key=api_key, origin=origin, bundles=bundles)
        return plugin_page(desk, customer, session=session, origin=origin, bundles=_bundles(bundles))

    @app.post(f"{WIDGET_PATH}/sign-in", include_in_schema=False)
    async def sign_in(
        api_key: str = Form(""), origin: str = Form(""), bundles: str = Form(""),
        email: str = Form(""), password: str = Form(""),
    ) -> Response:  # fmt: skip
        try:
            desk.customer_app(api_key, origin)
        except WidgetRefused as exc:
            return refused_page(str(exc))
        handle = desk.sign_in(email, password)
        if handle is None:
            error = "That's not the right email or password."
            return sign_in_page(api_key=api_key, origin=origin, bundles=bundles, error=error)
        query = urlencode({"api_key": api_key, "origin": origin, "bundles": bundles, "session": handle})
        return RedirectResponse(f"{WIDGET_PATH}?{query}", status_code=303)

    @app.post(f"{WIDGET_PATH}/integrations", include_in_schema=False)
    async def integrate(
        session: str = Form(""), api_key: str = Form(""), origin: str = Form(""), bundles: str = Form(""),
        bundle: list[str] = Form(default_factory=list),
    ) -> Response:  # fmt: skip
        try:
            customer = desk.customer_app(api_key, origin)
        except WidgetRefused as exc:
            return refused_page(str(exc))
        if desk.signed_in(session) is None:
            return sign_in_page(api_key=api_key, origin=origin, bundles=bundles)
        offered = _bundles(bundles)
        chosen = [b for b in bundle if b in offered and b in BUNDLES]
        reported = desk.request(customer, chosen)
        return plugin_page(desk, customer, session=session, origin=origin, bundles=offered, reported=reported)

    @app.get(f"{WIDGET_PATH}/status", include_in_schema=False)
    async def status(
        session: str = Query(""), api_key: str = Query(""), origin: str = Query(""), bundles: str = Query("")
    ) -> Response:
        try:
            customer = desk.customer_app(api_key, origin)
        except WidgetRefused as exc:
            return refused_page(str(exc))
        if desk.signed_in(session) is None:
            return Response(status_code=401)
        form = {"session": session, "api_key": api_key, "origin": origin, "bundles": bundles}
        return HTMLResponse(integrations_table(desk.integrations_of(customer), ats=customer.name, form=form))

    @app.post(f"{WIDGET_PATH}/enable", include_in_schema=False)
    async def enable(
        session: str = Form(""), api_key: str = Form(""), origin: str = Form(""), bundles: str = Form(""),
        context: str = Form(""), integration_type: str = Form(""), tenant_type: str = Form(""),
    ) -> Response:  # fmt: skip
        try:
            customer = desk.customer_app(api_key, origin)
            if desk.signed_in(session) is None:
                return sign_in_page(api_key=api_key, origin=origin, bundles=bundles)
            await desk.enable(customer, context, integration_type, tenant_type)
        except WidgetRefused as exc:
            return refused_page(str(exc))
        query = urlencode({"api_key": api_key, "origin": origin, "bundles": bundles, "session": session})
        return RedirectResponse(f"{WIDGET_PATH}?{query}", status_code=303)

    return desk
