"""Every model in one import, for Alembic autogenerate and the shell."""
from .accounts.models import User  # noqa: F401
from .orgs.models import Invitation, Membership, Organisation, Role  # noqa: F401
from .responses.models import Answer, Participant, Response  # noqa: F401
from .surveys.models import Option, Page, Question, Survey  # noqa: F401
from .collect.models import SurveyInvitation  # noqa: F401
