"""Flask commands: ``flask seed-demo`` and ``flask surveys ...``."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

surveys_cli = AppGroup("surveys", help="List, export and import surveys.")


def public_link(survey) -> str:
    from .links import external_url

    return external_url("collect.display_survey", token=survey.public_token)


def _organisation(slug: str):
    from .extensions import db
    from .orgs.models import Organisation

    organisation = db.session.execute(db.select(Organisation).filter_by(slug=slug)).scalar_one_or_none()
    if organisation is None:
        raise click.ClickException(f"No organisation with slug '{slug}'.")
    return organisation


@surveys_cli.command("list")
@click.option("--org", "org_slug", help="Only this organisation's surveys.")
def list_surveys(org_slug: str | None):
    """One line per survey: id, organisation slug, status, public link, title."""
    from .extensions import db
    from .orgs.models import Organisation
    from .surveys.models import Survey

    query = db.select(Survey, Organisation.slug).join(Organisation, Organisation.id == Survey.organisation_id)
    if org_slug:
        query = query.where(Organisation.id == _organisation(org_slug).id)
    for survey, slug in db.session.execute(query.order_by(Survey.id)):
        title = survey.text("title", survey.default_language)
        click.echo(f"{survey.id}\t{slug}\t{survey.status}\t{public_link(survey)}\t{title}")


@surveys_cli.command("export-definition")
@click.argument("survey_id", type=int)
def export_definition_command(survey_id: int):
    """Print a survey's JSON definition to stdout."""
    from .extensions import db
    from .surveys.definition import export_definition
    from .surveys.models import Survey

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    click.echo(json.dumps(export_definition(survey), ensure_ascii=False, indent=2))


@surveys_cli.command("import-definition")
@click.argument("file", type=click.File("rb"))
@click.option("--org", "org_slug", required=True, help="Slug of the organisation that will own the survey.")
def import_definition_command(file, org_slug: str):
    """Create a survey from a JSON definition; prints the new survey's id."""
    from .surveys import definition, services

    organisation = _organisation(org_slug)
    try:
        document = definition.parse(file.read(definition.MAX_BYTES + 1))
        survey = services.create_from_definition(organisation.id, None, document)
    except definition.DefinitionError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(survey.id)


def register(app) -> None:
    """Every command group: surveys (here and in analytics, exports, XLSForm),
    programmes, API tokens and webhooks, and seed-demo."""
    from .analytics.cli import register as register_analytics
    from .api.cli import register as register_interop
    from .programmes.cli import programmes_cli

    register_interop(app)
    register_analytics(app)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(programmes_cli)

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create the demo organisation (safe to run again)."""
        from .demo import seed_demo

        result = seed_demo()
        state = "created" if result.created else "already present, nothing changed"
        click.echo(f"Demo organisation '{result.organisation.name}' ({result.organisation.slug}): {state}.")
        click.echo(f"Log in as {result.owner_email} with password {result.password}")
