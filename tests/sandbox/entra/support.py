"""What a test does in the administrator's place: arrange a directory, and click through the sign-in and consent
pages the way a browser would (reading the forms the page really serves)."""

from __future__ import annotations

import html.parser
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import msal

from hirehub.sandbox.entra.world import Application, Directory, EntraWorld, Person
from tests.sandbox.entra.conftest import EntraSandbox

REDIRECT_URI = "https://hub.example.com/connections/entra/callback"
ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)


class _Forms(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.alerts: list[str] = []
        self.list_items: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and "name" in a:
            self.forms[-1].buttons[a.get("value", "")] = a["name"]
        elif tag == "p" and a.get("role") == "alert":
            self._in = "alert"
        elif tag == "li":
            self._in = "li"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "alert":
            self.alerts.append(data)
        elif self._in == "li":
            self.list_items.append(data)


def read_page(response: httpx.Response) -> _Forms:
    parser = _Forms()
    parser.feed(response.text)
    return parser


@dataclass
class Browser:
    """One administrator's browser session on the sandbox's pages."""

    client: httpx.Client
    page: httpx.Response | None = None

    def open(self, url: str) -> httpx.Response:
        self.page = self.client.get(url)
        return self.page

    def submit(self, extra: dict[str, str], button: str | None = None) -> httpx.Response:
        assert self.page is not None
        parsed = read_page(self.page)
        assert parsed.forms, f"no form on the page: {self.page.text[:500]}"
        form = parsed.forms[0]
        data = {**form.fields, **extra}
        if button is not None:
            data[form.buttons[button]] = button
        self.page = self.client.post(urljoin(str(self.page.url), form.action), data=data)
        return self.page


def redirect_parameters(response: httpx.Response, redirect_uri: str = REDIRECT_URI) -> dict[str, str]:
    """The query the sandbox sent the browser back to the app with (what the app's callback receives)."""
    assert response.status_code == 302, response.text[:500]
    location = response.headers["location"]
    assert location.startswith(redirect_uri + "?"), location
    return dict(parse_qsl(urlsplit(location).query))


def sign_in(
    sandbox: EntraSandbox, auth_uri: str, login: str, password: str = ADMIN_PASSWORD
) -> tuple[Browser, httpx.Response]:
    """Open the authorize URL and sign in; the response is the consent page or the redirect to the app."""
    browser = Browser(sandbox.browser())
    opened = browser.open(auth_uri)
    assert opened.status_code == 200, opened.text[:500]
    return browser, browser.submit({"login": login, "passwd": password})


def consent(sandbox: EntraSandbox, auth_uri: str, login: str, *, accept: bool = True) -> dict[str, str]:
    """Sign in, press *Accept* (or *Cancel*) on the consent page, and return the redirect's parameters."""
    browser, page = sign_in(sandbox, auth_uri, login)
    assert page.status_code == 200 and "Permissions requested" in page.text, page.text[:500]
    return redirect_parameters(browser.submit({}, button="accept" if accept else "cancel"))


@dataclass
class DelegatedSetup:
    """The hub's multi-tenant app (in its own directory) and a customer directory with an administrator."""

    hub_directory: Directory
    app: Application
    secret: str
    customer: Directory
    admin: Person


def delegated_setup(world: EntraWorld, redirect_uri: str = REDIRECT_URI) -> DelegatedSetup:
    hub = world.add_directory(default_domain="hirehub.onmicrosoft.com")
    app = world.register_application(hub, "hirehub", multi_tenant=True, redirect_uris=[redirect_uri])
    secret = "sp~secret~value~0123456789"
    app.secrets.append(secret)
    customer = world.add_directory(default_domain="contoso.onmicrosoft.com")
    admin = world.add_person(customer, "admin@contoso.onmicrosoft.com", ADMIN_PASSWORD)
    return DelegatedSetup(hub, app, secret, customer, admin)


def confidential_app(
    sandbox: EntraSandbox, setup: DelegatedSetup, **kwargs: object
) -> msal.ConfidentialClientApplication:
    """The hub's app as MSAL sees it, on the customer's real authority URL."""
    return msal.ConfidentialClientApplication(
        setup.app.app_id,
        client_credential=setup.secret,
        authority=f"https://login.microsoftonline.com/{setup.customer.tenant_id}",
        http_client=sandbox.requests_session(),
        **kwargs,  # type: ignore[arg-type]
    )
