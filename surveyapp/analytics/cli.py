"""``flask surveys summary SURVEY_ID``: the summary document as JSON;
``flask surveys tally [SURVEY_ID]``: fold new responses into the tally
(registered by surveyapp/cli.py)."""

from __future__ import annotations

import json

import click


@click.command("summary")
@click.argument("survey_id", type=int)
@click.option("--all", "include_partial", is_flag=True, help="Include partial responses (default: complete only).")
@click.option("--language", help="Language of question texts (default: the survey's).")
def summary_command(survey_id: int, include_partial: bool, language: str | None):
    """Print the full summary of a survey as JSON."""
    from ..extensions import db
    from ..orgs.models import Organisation
    from ..surveys.models import Survey
    from .filters import ALL_STATUSES, COMPLETE_ONLY, Filters
    from .summary import build_summary

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    if language and language not in (survey.languages or []):
        raise click.ClickException(f"Survey {survey_id} is not offered in '{language}'.")
    organisation = db.session.get_one(Organisation, survey.organisation_id)
    filters = Filters(statuses=ALL_STATUSES if include_partial else COMPLETE_ONLY, timezone=organisation.timezone)
    document = build_summary(survey, filters, language=language)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))


@click.command("tally")
@click.argument("survey_id", type=int, required=False)
@click.option("--rebuild", is_flag=True, help="Forget the tally and fold every complete response again.")
def tally_command(survey_id: int | None, rebuild: bool):
    """Fold new complete responses into the tally of one survey (default:
    every survey), so the next summary has nothing to catch up on."""
    from sqlalchemy import select

    from ..extensions import db
    from ..surveys.models import Survey
    from . import tally

    if survey_id is not None and db.session.get(Survey, survey_id) is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    ids = (
        [survey_id]
        if survey_id is not None
        else list(db.session.execute(select(Survey.id).order_by(Survey.id)).scalars())
    )
    for sid in ids:
        folded = tally.rebuild(sid) if rebuild else tally.fold(sid)
        total = tally.state(sid)[0]
        click.echo(f"{sid}\tfolded {folded}\ttotal {total}")
