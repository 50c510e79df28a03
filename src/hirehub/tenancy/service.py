"""Creating and finding tenants and companies, with the errors an administrator can act on."""

from __future__ import annotations

import re
import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hirehub import errors
from hirehub.db.sequences import ensure_default_sequences
from hirehub.tenancy.models import Company, Tenant

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+$")
_COMPANY_CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")


class TenancyError(errors.HubError):
    """A tenant or company request that cannot be carried out; the message says why."""


class TenantNotFound(TenancyError, errors.NotFound):
    """No tenant has that id or domain."""


class InvalidTenancyValue(TenancyError, errors.Invalid):
    """A name, domain, time zone or company code that does not fit; ``field`` says which."""


class AlreadyTaken(TenancyError, errors.AlreadyExists):
    """The domain already belongs to a tenant, or the company code to a company of this tenant."""


def normalise_domain(domain: str) -> str:
    """Lower-cased, trimmed domain, validated as a DNS name (``contoso.example``)."""
    value = domain.strip().lower().rstrip(".")
    if not _DOMAIN.match(value):
        raise InvalidTenancyValue(
            f"'{domain}' is not a valid domain name (for example contoso.example)", field="domain"
        )
    return value


async def create_tenant(session: AsyncSession, *, name: str, domain: str, time_zone: str = "UTC") -> Tenant:
    """A new tenant with a fresh GUID; the domain must be unused. Runs in a system session."""
    if not name.strip():
        raise InvalidTenancyValue("a tenant needs a name", field="name")
    clean_domain = normalise_domain(domain)
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTenancyValue(
            f"'{time_zone}' is not an IANA time zone (for example Europe/Berlin)", field="time_zone"
        ) from exc
    if await session.scalar(select(Tenant.id).where(Tenant.domain == clean_domain)):
        raise AlreadyTaken(f"the domain '{clean_domain}' already belongs to a tenant", field="domain")
    tenant = Tenant(id=uuid.uuid4(), name=name.strip(), domain=clean_domain, time_zone=time_zone)
    session.add(tenant)
    await session.flush()
    await ensure_default_sequences(session, tenant.id)
    return tenant


async def find_tenant(session: AsyncSession, id_or_domain: str) -> Tenant:
    """The tenant named by its GUID or its domain, as Entra endpoints accept either."""
    key = id_or_domain.strip()
    try:
        tenant_uuid: uuid.UUID | None = uuid.UUID(key)
    except ValueError:
        tenant_uuid = None
    condition = Tenant.id == tenant_uuid if tenant_uuid else Tenant.domain == key.lower()
    tenant = await session.scalar(select(Tenant).where(or_(condition)))
    if tenant is None:
        raise TenantNotFound(f"no tenant '{id_or_domain}'")
    return tenant


async def list_tenants(session: AsyncSession) -> list[Tenant]:
    return list(await session.scalars(select(Tenant).order_by(Tenant.domain)))


async def create_company(session: AsyncSession, *, code: str, name: str) -> Company:
    """A new legal entity in the session's tenant; ``code`` becomes its ``dataareaid``."""
    if not _COMPANY_CODE.match(code):
        raise InvalidTenancyValue(
            f"company code '{code}' must be 1-8 letters or digits (for example USMF)", field="code"
        )
    clean = code.upper()
    if await session.scalar(select(Company.id).where(Company.code == clean)):
        raise AlreadyTaken(f"company '{clean}' already exists in this tenant", field="code")
    company = Company(code=clean, name=name.strip() or clean)
    session.add(company)
    await session.flush()
    return company


async def list_companies(session: AsyncSession) -> list[Company]:
    return list(await session.scalars(select(Company).order_by(Company.code)))
