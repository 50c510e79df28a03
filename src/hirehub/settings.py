"""All of hirehub's configuration, read once from ``HIREHUB_*`` environment variables.

No other module reads the environment: everything that varies between a laptop, CI and production is a
field here, so that it is documented, typed and validated in one place.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "dev-only-change-me-dev-only-change-me"
"""The key a laptop runs with; outside development the hub refuses to start with it (see :mod:`hirehub.sealing`)."""


class Environment(StrEnum):
    """Where the hub runs: production refuses unsafe defaults; development (``make run``, the tests) allows them."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"


class Settings(BaseSettings):
    """hirehub's settings; each field is ``HIREHUB_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="HIREHUB_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where the embedded SQLite database and keys live.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The hub's public base URL; also the token resource of /.default, as a Dataverse URL is.",
    )
    env: Environment = Field(
        default=Environment.PRODUCTION,
        description="production (the default) or development; production refuses the development or a short key.",
    )
    secret_key: str = Field(
        default=DEVELOPMENT_SECRET_KEY,
        description="Key for encrypting secrets at rest and signing sessions. Set it in production.",
    )
    new_secret_key: str = Field(
        default="", description="The key `hirehub secret-key rotate` re-seals to when --new-key is not given."
    )
    log_level: str = "INFO"
    freeze_gc_at_startup: bool = False
    """Move everything alive after start-up out of the garbage collector's reach (``gc.freeze``), so large
    responses do not pay for rescanning the modules and models on every collection. ``hirehub serve`` sets it;
    ``hirehub jobs run`` always does it."""
    log_json: bool = True
    demo_tenant_domain: str = "contoso.example"
    outbound_host_map: dict[str, str] = Field(
        default_factory=dict,
        description='JSON {"https://graph.microsoft.com": "https://127.0.0.1:9443", …}: tests and demos.',
    )
    outbound_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names (comma-separated) the hub may fetch for a user (a JWKS URL) even when they resolve "
        "to a loopback, private or link-local address: intranet issuers, sandboxes.",
    )
    operations_token: str = Field(
        default="",
        description="Outside development, /metrics, /docs and /openapi.json answer 404 unless this is set; then "
        "they answer requests carrying it as a bearer token (Authorization: Bearer <token>).",
    )
    entra_sp_client_id: str = Field(
        default="",
        description="The hub's own multi-tenant Entra app for service-provider connections in the global cloud.",
    )
    entra_sp_client_secret: str = Field(default="", description="Its client secret.")
    entra_sp_us_gov_l4_client_id: str = Field(
        default="", description="The hub's service-provider app registered in the US Government L4 cloud."
    )
    entra_sp_us_gov_l4_client_secret: str = Field(default="", description="Its client secret.")
    entra_sp_us_gov_l5_dod_client_id: str = Field(
        default="", description="The hub's service-provider app registered in the US Government L5 (DOD) cloud."
    )
    entra_sp_us_gov_l5_dod_client_secret: str = Field(default="", description="Its client secret.")
    entra_sp_china_client_id: str = Field(
        default="", description="The hub's service-provider app registered in the China (21Vianet) cloud."
    )
    entra_sp_china_client_secret: str = Field(default="", description="Its client secret.")
    outbound_ca_bundle: str | None = Field(
        default=None, description="CA bundle for outbound TLS (e.g. a sandbox's test CA)."
    )
    browser_host_map: dict[str, str] = Field(
        default_factory=dict,
        description='Development only: JSON {"https://login.microsoftonline.com": "http://127.0.0.1:9080", …}; a '
        "redirect the hub sends a browser to one of these origins goes to the mapped one (the sandboxes).",
    )
    oidc_issuer: str = Field(
        default="",
        description="Console sign-in through an OpenID Connect provider: its issuer URL (empty: passwords only).",
    )
    oidc_client_id: str = Field(default="", description="The console's client ID at the OpenID Connect provider.")
    oidc_client_secret: str = Field(default="", description="Its client secret.")
    oidc_provider_name: str = Field(
        default="your organisation", description='Shown on the sign-in page as "Sign in with <name>".'
    )
    max_body_bytes: int = Field(
        default=128 * 1024 * 1024, gt=0,
        description="The largest request body the hub reads (Dataverse's limit for one request: 128 MB); beyond: 413.",
    )
    batch_max_rows: int = Field(
        default=50_000, gt=0,
        description="Rows one $batch may read across its parts (ten of Dataverse's 5,000-row pages); beyond: refused.",
    )
    batch_max_bytes: int = Field(
        default=128 * 1024 * 1024, gt=0,
        description="Bytes of one $batch's response across its parts; beyond: the part that crosses it is refused.",
    )

    @field_validator("outbound_allowed_hosts", mode="before")
    @classmethod
    def _parse_host_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("outbound_host_map", "browser_host_map", mode="before")
    @classmethod
    def _parse_host_map(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @property
    def effective_database_url(self) -> str:
        """The configured database URL, or an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hirehub.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` instead of touching this cache)."""
    return Settings()
