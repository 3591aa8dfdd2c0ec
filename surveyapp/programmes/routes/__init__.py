"""Programme pages: organiser pages under /programmes (load -> check access ->
act through services -> respond, 303 after every POST) and three public pages:
the check-in page of an activity, the feedback form and "you said, we did".
One blueprint, one module per sub-resource; reads come from programmes/queries.py.

Roles, declared on each route (access.role_required, never checked in a body):
viewers read everything except participants (not even who checked in:
access.can_see_contacts); editors manage programmes, surveys, activities,
attendance, feedback, actions, outcomes and stories; owners also delete
programmes (the owner's participant pages are participants/routes.py).
"""

from __future__ import annotations

# Each page module adds its routes to the one blueprint (common.bp).
from . import activities, dashboard, feedback, outcomes, programme, public, surveys  # noqa: F401
from .common import bp

__all__ = ["bp"]
