"""Where the console's plugin page loads LinkedIn's script and widget from: LinkedIn's own origins, except in a
development hub whose browser host map sends them to the LinkedIn sandbox (``hirehub demo run``)."""

from __future__ import annotations

from hirehub.settings import Environment, Settings
from hirehub.web.linkedin_pages import PLATFORM_ORIGIN, content_security_policy, linkedin_origins

SANDBOX = "http://127.0.0.1:9444"
HOST_MAP = {PLATFORM_ORIGIN: SANDBOX + "/"}


def test_a_development_hub_loads_the_plugin_from_where_the_browser_host_map_sends_it() -> None:
    settings = Settings(env=Environment.DEVELOPMENT, browser_host_map=HOST_MAP)

    origins = linkedin_origins(settings)

    assert origins == {PLATFORM_ORIGIN: SANDBOX, "https://www.linkedin.com": "https://www.linkedin.com"}


def test_a_production_hub_loads_linkedins_own_plugin_whatever_the_map_says() -> None:
    settings = Settings(env=Environment.PRODUCTION, browser_host_map=HOST_MAP)

    assert linkedin_origins(settings)[PLATFORM_ORIGIN] == PLATFORM_ORIGIN


def test_the_policy_lets_in_scripts_and_frames_of_the_given_origins_only() -> None:
    policy = content_security_policy("n0nce", [SANDBOX, "https://www.linkedin.com"])

    assert f"script-src 'self' 'nonce-n0nce' {SANDBOX} https://www.linkedin.com" in policy
    assert f"frame-src {SANDBOX} https://www.linkedin.com" in policy
    assert PLATFORM_ORIGIN not in policy
