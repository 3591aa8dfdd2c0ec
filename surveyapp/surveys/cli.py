"""The ``flask surveys`` group and its own commands (list, export-definition,
import-definition). Other features' survey commands (summary, tally,
export, XLSForm) are added to it by surveyapp/cli.py, the one place that
registers commands."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

surveys_cli = AppGroup("surveys", help="List, export and import surveys.")


def public_link(survey) -> str:
    from ..links import external_url

    return external_url("collect.display_survey", token=survey.public_token)


def organisation_by_slug(slug: str):
    """The organisation a ``--org SLUG`` option names (a clear error otherwise)."""
    from ..extensions import db
    from ..orgs.models import Organisation

    organisation = db.session.execute(db.select(Organisation).filter_by(slug=slug)).scalar_one_or_none()
    if organisation is None:
        raise click.ClickException(f"No organisation with slug '{slug}'.")
    return organisation


@surveys_cli.command("list")
@click.option("--org", "org_slug", help="Only this organisation's surveys.")
def list_surveys(org_slug: str | None):
    """One line per survey: id, organisation slug, status, public link, title."""
    from ..extensions import db
    from ..orgs.models import Organisation
    from .models import Survey

    query = db.select(Survey, Organisation.slug).join(Organisation, Organisation.id == Survey.organisation_id)
    if org_slug:
        query = query.where(Organisation.id == organisation_by_slug(org_slug).id)
    for survey, slug in db.session.execute(query.order_by(Survey.id)):
        title = survey.text("title", survey.default_language)
        click.echo(f"{survey.id}\t{slug}\t{survey.status}\t{public_link(survey)}\t{title}")


@surveys_cli.command("export-definition")
@click.argument("survey_id", type=int)
def export_definition_command(survey_id: int):
    """Print a survey's JSON definition to stdout."""
    from ..extensions import db
    from .definition import export_definition
    from .models import Survey

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    click.echo(json.dumps(export_definition(survey), ensure_ascii=False, indent=2))


@surveys_cli.command("import-definition")
@click.argument("file", type=click.File("rb"))
@click.option("--org", "org_slug", required=True, help="Slug of the organisation that will own the survey.")
def import_definition_command(file, org_slug: str):
    """Create a survey from a JSON definition; prints the new survey's id."""
    from . import definition, services

    organisation = organisation_by_slug(org_slug)
    try:
        document = definition.parse(file.read(definition.MAX_BYTES + 1))
        survey = services.create_from_definition(organisation.id, None, document)
    except definition.DefinitionError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(survey.id)
