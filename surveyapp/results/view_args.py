"""What a results-derived view (export, report) reads from its request: the
survey (of the current organisation), the filters and the language."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..access import current_org, get_owned_or_404
from ..analytics.filters import FilterError, Filters, parse_filters
from ..errors import abort_with
from ..surveys.models import Survey


def survey_filters_language(survey_id: int) -> tuple[Survey, Filters, str]:
    """404 for another organisation's survey; 400 with the reason for a bad
    filter or a language the survey does not offer."""
    survey = get_owned_or_404(Survey, survey_id)
    try:
        filters = parse_filters(request.args, survey, current_org().timezone)
    except FilterError as error:
        abort_with(400, str(error))
    language = request.args.get("lang") or survey.default_language
    if language not in survey.languages:
        abort_with(400, _("This survey is not offered in the language %(value)s.", value=language))
    return survey, filters, language
