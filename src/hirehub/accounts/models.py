"""The console administrators' tables: accounts, and sessions stored only as the SHA-256 of their token."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hirehub.db.base import Base, Row, TenantOwned


class ConsoleAdmin(Row, TenantOwned, Base):
    """An HR administrator who can sign in to the console of one tenant."""

    __tablename__ = "console_admin"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class ConsoleSession(TenantOwned, Base):
    """A signed-in browser: a copy of the table does not let anyone sign in, since only the token's hash is kept."""

    __tablename__ = "console_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("console_admin.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column()
