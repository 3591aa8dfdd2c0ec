"""The audit log: organiser actions (publish, close, delete, role changes,
exports, participant erasure ...) kept per organisation and shown to owners.

``record`` adds an event to the session of the action it describes, so both
are committed, or rolled back, together (services.py)."""

from .models import Action, AuditEvent
from .services import record, record_now

__all__ = ["Action", "AuditEvent", "record", "record_now"]
