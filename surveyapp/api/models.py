"""Models of issue 7 (interop): API tokens here; webhooks and import reports
in their packages, imported below so one import registers them all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class ApiToken(db.Model):
    """A per-organisation API token. Only the SHA-256 of the token is kept;
    the token itself is shown once, when it is created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(8))  # read | write
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # First characters of the token, so owners can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation = relationship("Organisation")

    @property
    def can_write(self) -> bool:
        return self.scope == "write"


from ..webhooks.models import Webhook, WebhookDelivery  # noqa: E402,F401
from ..xlsform.models import ImportReport  # noqa: E402,F401
