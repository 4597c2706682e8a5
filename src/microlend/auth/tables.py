"""Users, roles, sign-in attempts, web sessions and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column


class User(Base):
    __tablename__ = "users"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]

    __table_args__ = (Index("ix_users_company_office", "company_id", "office_id"),)


class Role(Base):
    """A named set of permission codes. Built-in roles (``company_id`` NULL) are kept in step with
    the catalogue in code; a company may define roles of its own."""

    __tablename__ = "roles"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("companies.id"))
    code: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    builtin: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("company_id", "code"),)


class RolePermission(Base):
    __tablename__ = "role_permissions"

    role_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(100), primary_key=True)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[Id] = id_column()
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(100))
    attempted_at: Mapped[datetime]
    succeeded: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )


class BrowserSession(Base):
    """A signed-in browser. Only the SHA-256 of the session token is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the API. Only the SHA-256 of the secret is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
