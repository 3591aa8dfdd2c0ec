"""Reads of the audit log (newest first, one page at a time)."""

from __future__ import annotations

from ..extensions import db
from .models import Action, AuditEvent


def page_of(organisation_id: int, action: Action | None, page: int, per_page: int) -> tuple[list[AuditEvent], int, int]:
    """One page of the organisation's events, newest first, the number of
    pages (with the filter) and the page shown: a number past either end
    shows the nearest page."""
    where = [AuditEvent.organisation_id == organisation_id]
    if action is not None:
        where.append(AuditEvent.action == action.value)
    total = db.session.execute(db.select(db.func.count()).select_from(AuditEvent).where(*where)).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = (
        db.session.execute(
            db.select(AuditEvent)
            .where(*where)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return list(events), pages, page
