"""The user account."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Copied into the session at login; the session counts only while the
    # two agree (accounts/auth.py). Raising it ends every session of the user
    # at once (services.end_all_sessions), even copies of a captured cookie.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        # scrypt with Werkzeug's cost (N=32768) everywhere but the tests,
        # which pin a cheap scrypt so hundreds of fixture users stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login hook
        return self.is_active_account

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
