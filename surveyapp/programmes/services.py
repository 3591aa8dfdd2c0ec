"""Programme writes. Each function takes plain arguments, owns its transaction
and raises ProgrammeError (a message for the user) before changing anything."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from ..database import utcnow
from ..extensions import db
from ..limits import MAX_POPULATION
from ..orgs.models import Organisation
from ..participants.identity import IdentityError, normalise_identity
from ..participants.services import get_or_create
from ..responses.models import Response
from ..surveys.models import Survey
from .models import (
    ActionStatus,
    Activity,
    Attendance,
    FeedbackItem,
    FeedbackSource,
    FollowUpAction,
    IndicatorValue,
    OutcomeIndicator,
    PopulationMargin,
    Programme,
    ProgrammeSurvey,
    Sentiment,
    Story,
    feedback_actions,
)
from .queries import FEEDBACK_COLUMNS, pending_survey_feedback

MAX_TEXT = 4000


class ProgrammeError(ValueError):
    """A refused change, with a message for the user; nothing was written."""


# ---- programmes -----------------------------------------------------------


def _check_period(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ProgrammeError(_("The programme cannot end before it starts."))


def create_programme(
    organisation_id: int,
    *,
    name: str,
    area: str | None,
    description: str | None,
    starts_on: date,
    ends_on: date | None,
    community_size: int | None,
) -> Programme:
    _check_period(starts_on, ends_on)
    programme = Programme(
        organisation_id=organisation_id,
        name=name.strip(),
        area=(area or "").strip() or None,
        description=(description or "").strip() or None,
        starts_on=starts_on,
        ends_on=ends_on,
        community_size=community_size,
    )
    db.session.add(programme)
    db.session.commit()
    return programme


def update_programme(
    programme: Programme,
    *,
    name: str,
    area: str | None,
    description: str | None,
    starts_on: date,
    ends_on: date | None,
    community_size: int | None,
    public_page_enabled: bool,
    feedback_form_enabled: bool,
) -> None:
    _check_period(starts_on, ends_on)
    programme.name, programme.area = name.strip(), (area or "").strip() or None
    programme.description = (description or "").strip() or None
    programme.starts_on, programme.ends_on, programme.community_size = starts_on, ends_on, community_size
    programme.public_page_enabled, programme.feedback_form_enabled = public_page_enabled, feedback_form_enabled
    db.session.commit()


def delete_programme(programme: Programme) -> None:
    """Deletes the programme and what belongs only to it; surveys and their
    responses stay (they are only unlinked), participants stay."""
    db.session.delete(programme)
    db.session.commit()


def parse_margins(text: str) -> dict[str, dict[str, int]]:
    """Lines "dimension,category,population" (or tab/semicolon separated) -> {dimension: {category: N}}.
    Raises ProgrammeError naming the first bad line."""
    from .models import DIMENSIONS

    margins: dict[str, dict[str, int]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.replace("\t", ",").replace(";", ",").split(",")]
        if len(parts) != 3:
            raise ProgrammeError(_('Line %(n)d: write "dimension, category, population".', n=number))
        dimension, category, population = parts
        if dimension not in DIMENSIONS:
            raise ProgrammeError(
                _(
                    'Line %(n)d: unknown dimension "%(d)s"; use one of %(all)s.',
                    n=number,
                    d=dimension[:40],
                    all=", ".join(DIMENSIONS),
                )
            )
        if not category or len(category) > 64:
            raise ProgrammeError(_("Line %(n)d: the category is missing or too long.", n=number))
        try:
            value = int(population)
        except ValueError:
            raise ProgrammeError(_("Line %(n)d: the population must be a whole number.", n=number)) from None
        if value <= 0:
            raise ProgrammeError(_("Line %(n)d: the population must be above zero.", n=number))
        if value > MAX_POPULATION:
            raise ProgrammeError(
                _("Line %(n)d: the population can be at most %(max)s.", n=number, max=format(MAX_POPULATION, ","))
            )
        if category in margins.setdefault(dimension, {}):
            raise ProgrammeError(_("Line %(n)d: %(d)s / %(c)s appears twice.", n=number, d=dimension, c=category))
        margins[dimension][category] = value
    return margins


def set_margins(programme: Programme, margins: dict[str, dict[str, int]]) -> list[dict]:
    """Replace the population margins; returns the dimensions whose totals disagree
    with the community size (saved anyway: the organiser is warned)."""
    from .metrics_pure import margin_warnings

    programme.populations.clear()
    db.session.flush()
    for dimension, cats in margins.items():
        for category, population in cats.items():
            programme.populations.append(
                PopulationMargin(dimension=dimension, category=category, population=population)
            )
    db.session.commit()
    return margin_warnings(programme.community_size, margins)


def margins_of(programme: Programme) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for m in programme.populations:
        out.setdefault(m.dimension, {})[m.category] = m.population
    return out


# ---- surveys ----------------------------------------------------------------


def link_survey(
    programme: Programme,
    survey: Survey,
    *,
    series: str | None = None,
    wave: int | None = None,
    activity: Activity | None = None,
) -> ProgrammeSurvey:
    """Add a survey of the same organisation to the programme; a survey already in
    a programme is refused. Reads its feedback answers at once."""
    if survey.organisation_id != programme.organisation_id:
        raise ProgrammeError(_("This survey belongs to another organisation."))
    if activity is not None and activity.programme_id != programme.id:
        raise ProgrammeError(_("The activity is not part of this programme."))
    current = db.session.get(ProgrammeSurvey, survey.id)
    if current is not None:
        if current.programme_id == programme.id:
            raise ProgrammeError(_("This survey is already in this programme."))
        other = db.session.get(Programme, current.programme_id)
        raise ProgrammeError(
            _(
                'This survey already belongs to the programme "%(name)s". A survey can be in one programme only; remove it there first.',
                name=other.name,
            )
        )
    link = ProgrammeSurvey(
        survey_id=survey.id,
        programme_id=programme.id,
        series=(series or "").strip() or None,
        wave=wave,
        activity_id=activity.id if activity else None,
    )
    db.session.add(link)
    db.session.commit()
    sync_survey_feedback(programme)
    return link


def unlink_survey(link: ProgrammeSurvey) -> None:
    """Unlink; feedback read from it that has no action yet goes too."""
    db.session.execute(
        db.delete(FeedbackItem).where(
            FeedbackItem.programme_id == link.programme_id,
            FeedbackItem.source == FeedbackSource.SURVEY.value,
            FeedbackItem.response_id.in_(select(Response.id).where(Response.survey_id == link.survey_id)),
            ~exists().where(feedback_actions.c.feedback_id == FeedbackItem.id),
        )
    )
    db.session.delete(link)
    db.session.commit()


def sync_survey_feedback(programme: Programme) -> int:
    """Read new non-empty answers to "feedback" questions of the programme's surveys
    into feedback items (INSERT ... SELECT; the unique answer_id makes it idempotent).
    Returns how many were added. Runs in the completion job (surveyapp/jobs/),
    never in a read; a read first, so nothing to copy takes no write lock."""
    rows = pending_survey_feedback(programme.id, programme.organisation_id)
    if db.session.execute(rows.limit(1)).first() is None:
        db.session.commit()  # ends the read transaction
        return 0
    count = select(func.count()).select_from(FeedbackItem).where(FeedbackItem.programme_id == programme.id)
    before = db.session.execute(count).scalar_one()
    db.session.execute(db.insert(FeedbackItem).from_select(FEEDBACK_COLUMNS, rows))
    added = db.session.execute(count).scalar_one() - before  # rowcount of INSERT ... SELECT is -1 on psycopg
    db.session.commit()
    return added


def sync_feedback_of_survey(survey_id: int) -> int:
    """The sync for the programme ``survey_id`` belongs to (0 if none)."""
    programme = db.session.execute(
        select(Programme)
        .join(ProgrammeSurvey, ProgrammeSurvey.programme_id == Programme.id)
        .where(ProgrammeSurvey.survey_id == survey_id)
    ).scalar_one_or_none()
    if programme is None:
        db.session.commit()
        return 0
    return sync_survey_feedback(programme)


def sync_feedback_if_backlog(programme: Programme) -> None:
    """The explicit fallback for deployments without background work
    (JOBS_BACKEND=off): a read of the programme copies what the completion
    job would have. With jobs on, reads never write: the metric set counts
    the pending answers live (programmes/queries.py)."""
    from ..jobs import background_enabled

    if not background_enabled():
        sync_survey_feedback(programme)


# ---- activities and attendance ----------------------------------------------


def create_activity(
    programme: Programme, *, title: str, kind: str, held_on: date, place: str | None, head_count: int | None
) -> Activity:
    activity = Activity(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        place=(place or "").strip() or None,
        head_count=head_count,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def update_activity(
    activity: Activity,
    *,
    title: str,
    kind: str,
    held_on: date,
    place: str | None,
    head_count: int | None,
    checkin_open: bool,
) -> None:
    activity.title, activity.kind, activity.held_on = title.strip(), kind, held_on
    activity.place, activity.head_count, activity.checkin_open = (place or "").strip() or None, head_count, checkin_open
    db.session.commit()


def delete_activity(activity: Activity) -> None:
    db.session.delete(activity)
    db.session.commit()


def check_in(activity: Activity, raw_identity: str, channel: str = "qr") -> tuple[str, bool]:
    """Record one participant at an activity; returns (pseudonym, newly recorded).
    Checking in twice is not an error and counts once. Raises IdentityError."""
    organisation = db.session.get(Organisation, activity.organisation_id)
    participant = get_or_create(organisation, raw_identity)
    already = db.session.execute(
        db.select(Attendance.id).filter_by(activity_id=activity.id, participant_id=participant.id)
    ).first()
    if already is None:
        db.session.add(Attendance(activity_id=activity.id, participant_id=participant.id, channel=channel))
    db.session.commit()
    return participant.pseudonym, already is None


def add_attendance_list(activity: Activity, lines: str) -> tuple[int, list[str]]:
    """Check in one phone/e-mail per line (entered by an editor). All lines are
    checked first; any bad line refuses the whole list. Returns (added, [])."""
    entries = [line.strip() for line in (lines or "").splitlines() if line.strip()]
    if not entries:
        raise ProgrammeError(_("Enter at least one phone number or e-mail address, one per line."))
    if len(entries) > 2000:
        raise ProgrammeError(_("Enter at most 2,000 lines at a time."))
    bad = []
    for number, entry in enumerate(entries, start=1):
        try:
            normalise_identity(entry)
        except IdentityError:
            bad.append(number)
    if bad:
        raise ProgrammeError(
            _(
                "These lines are not a phone number or an e-mail address: %(lines)s. Nothing was saved.",
                lines=", ".join(str(n) for n in bad[:20]),
            )
        )
    added = 0
    organisation = db.session.get(Organisation, activity.organisation_id)
    for entry in entries:
        participant = get_or_create(organisation, entry)
        exists_already = db.session.execute(
            db.select(Attendance.id).filter_by(activity_id=activity.id, participant_id=participant.id)
        ).first()
        if exists_already is None:
            db.session.add(Attendance(activity_id=activity.id, participant_id=participant.id, channel="list"))
            db.session.flush()
            added += 1
    db.session.commit()
    return added, []


# ---- feedback and actions -------------------------------------------------------


def _clean_text(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ProgrammeError(_("Write the feedback text."))
    if len(text) > MAX_TEXT:
        raise ProgrammeError(_("Keep the text under %(n)d characters.", n=MAX_TEXT))
    return text


def add_feedback(
    programme: Programme,
    *,
    text: str,
    source: str,
    activity: Activity | None = None,
    received_at: datetime | None = None,
) -> FeedbackItem:
    if activity is not None and activity.programme_id != programme.id:
        raise ProgrammeError(_("The activity is not part of this programme."))
    item = FeedbackItem(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        source=source,
        text=_clean_text(text),
        activity_id=activity.id if activity else None,
        received_at=received_at or utcnow(),
    )
    db.session.add(item)
    db.session.commit()
    return item


def tag_feedback(item: FeedbackItem, *, topic: str | None, sentiment: str | None) -> None:
    if sentiment and sentiment not in {s.value for s in Sentiment}:
        raise ProgrammeError(_("Choose positive, neutral or negative."))
    item.topic = (topic or "").strip()[:64] or None
    item.sentiment = sentiment or None
    db.session.commit()


def add_action(
    programme: Programme,
    feedback: list[FeedbackItem],
    *,
    description: str,
    status: str,
    action_date: date,
    team: str | None,
    published: bool,
) -> FollowUpAction:
    """An action answering one or more feedback items of the same programme."""
    if any(item.programme_id != programme.id for item in feedback):
        raise ProgrammeError(_("Feedback of another programme cannot be answered here."))
    if status not in {s.value for s in ActionStatus}:
        raise ProgrammeError(_("Choose planned, in progress or done."))
    action = FollowUpAction(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        description=_clean_text(description),
        status=status,
        action_date=action_date,
        team=(team or "").strip()[:120] or None,
        published=published,
    )
    action.feedback.extend(feedback)
    db.session.add(action)
    db.session.commit()
    return action


def update_action(
    action: FollowUpAction, *, description: str, status: str, action_date: date, team: str | None, published: bool
) -> None:
    if status not in {s.value for s in ActionStatus}:
        raise ProgrammeError(_("Choose planned, in progress or done."))
    action.description, action.status, action.action_date = _clean_text(description), status, action_date
    action.team, action.published = (team or "").strip()[:120] or None, published
    db.session.commit()


def delete_action(action: FollowUpAction) -> None:
    db.session.delete(action)
    db.session.commit()


# ---- outcomes and stories --------------------------------------------------------


def create_indicator(
    programme: Programme, *, code: str, name: str, unit: str | None, baseline: float | None, target: float | None
) -> OutcomeIndicator:
    code = (code or "").strip().lower()
    if not code.replace("_", "").isalnum():
        raise ProgrammeError(_("The code may use letters, digits and underscores only."))
    taken = db.session.execute(db.select(OutcomeIndicator.id).filter_by(programme_id=programme.id, code=code)).first()
    if taken:
        raise ProgrammeError(_("This programme already has an indicator with the code %(code)s.", code=code))
    indicator = OutcomeIndicator(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        code=code,
        name=name.strip(),
        unit=(unit or "").strip() or None,
        baseline=baseline,
        target=target,
    )
    db.session.add(indicator)
    db.session.commit()
    return indicator


def add_indicator_value(indicator: OutcomeIndicator, *, observed_on: date, value: float, note: str | None) -> None:
    indicator.values.append(
        IndicatorValue(observed_on=observed_on, value=value, note=(note or "").strip()[:240] or None)
    )
    db.session.commit()


def delete_indicator(indicator: OutcomeIndicator) -> None:
    db.session.delete(indicator)
    db.session.commit()


def add_story(programme: Programme, *, title: str, body: str, told_on: date) -> Story:
    story = Story(
        organisation_id=programme.organisation_id,
        programme_id=programme.id,
        title=title.strip(),
        body=_clean_text(body),
        told_on=told_on,
    )
    db.session.add(story)
    db.session.commit()
    return story


def delete_story(story: Story) -> None:
    db.session.delete(story)
    db.session.commit()
