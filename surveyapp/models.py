"""Every model in one import, for Alembic autogenerate and the shell."""

from .accounts.models import User  # noqa: F401
from .analytics.models import (  # noqa: F401
    TallyAnswer,
    TallyDuration,
    TallyQuestion,
    TallyResponse,
    TallyState,
    TallyWord,
)
from .api.models import ApiToken, ImportReport, Webhook, WebhookDelivery  # noqa: F401
from .audit.models import AuditEvent  # noqa: F401
from .collect.models import SurveyInvitation  # noqa: F401
from .orgs.models import Invitation, Membership, Organisation, Role  # noqa: F401
from .participants.models import Participant  # noqa: F401
from .programmes.models import (  # noqa: F401
    Activity,
    Attendance,
    FeedbackItem,
    FollowUpAction,
    IndicatorValue,
    OutcomeIndicator,
    PopulationMargin,
    Programme,
    ProgrammeSurvey,
    Story,
)
from .responses.models import Answer, Response  # noqa: F401
from .results.models import SurveyPopulationMargin  # noqa: F401
from .surveys.models import Option, Page, Question, Survey  # noqa: F401
