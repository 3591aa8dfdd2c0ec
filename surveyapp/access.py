"""Who may do what: the one place organiser access is checked.

Views declare ``role_required`` (the current organisation and the user's role
in it: one role, or one to read and one to write) and call ``get_owned_or_404``
(object-level: the object must belong to the current organisation); ``can_see_contacts`` is the one rule for contact data. Objects of another organisation answer 404, never
403, so their existence is not revealed.
"""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from .extensions import db
from .orgs.models import Membership, Organisation, Role

T = TypeVar("T")


def load_membership() -> Membership | None:
    """The membership for the organisation chosen in this session (or the
    user's first one), cached on ``g`` for the request."""
    if "membership" in g:
        return g.membership
    membership = None
    if current_user.is_authenticated:
        memberships = sorted(current_user.memberships, key=lambda m: m.id)
        wanted = session.get("org_id")
        membership = next((m for m in memberships if m.organisation_id == wanted), None)
        if membership is None and memberships:
            membership = memberships[0]
            session["org_id"] = membership.organisation_id
    g.membership = membership
    g.organisation = membership.organisation if membership else None
    return membership


def current_org() -> Organisation:
    membership = load_membership()
    if membership is None:
        abort(403)
    return membership.organisation


def current_role() -> Role | None:
    membership = load_membership()
    return membership.role_enum if membership else None


# Contact data (invitees' names, e-mail addresses and phone numbers, who
# answered) and lists of participants are for editors and owners, who import
# and write to those people; viewers see counts only, as response exports are
# refused to them. Routes use role_required(SEES_CONTACTS), pages that also
# show counts use can_see_contacts().
SEES_CONTACTS = Role.EDITOR


def can_see_contacts() -> bool:
    """Whether the current user may see who the people behind the counts are."""
    role = current_role()
    return role is not None and role.allows(SEES_CONTACTS)


# Methods that only read: a page a viewer may see may still refuse them its form.
READ_METHODS = frozenset({"GET", "HEAD"})


def role_required(needed: Role | None = None, *, read: Role | None = None, write: Role | None = None):
    """Log-in plus at least a role in the current organisation, checked here and
    never in the view's body: ``role_required(Role.EDITOR)`` for every method, or
    ``role_required(read=Role.VIEWER, write=Role.EDITOR)`` for a page that some
    may read (GET, HEAD) and only others may send (every other method).
    Raises TypeError at import for any other combination."""
    if needed is not None and (read is not None or write is not None):
        raise TypeError("role_required takes one role, or read= and write=, not both")
    if needed is None and (read is None or write is None):
        raise TypeError("role_required needs one role, or both read= and write=")
    reading, writing = (needed, needed) if needed is not None else (read, write)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            role = current_role()
            wanted = reading if request.method in READ_METHODS else writing
            if role is None or not role.allows(wanted):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_owned_or_404(model: type[T], object_id: int) -> T:
    """Load ``model`` by id only if it belongs to the current organisation."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, "organisation_id", None) != current_org().id:
        abort(404)
    return obj
