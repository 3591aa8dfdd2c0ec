"""``flask surveys import-xlsform FILE --org SLUG`` and ``flask surveys export-xlsform ID``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from ..surveys.cli import organisation_by_slug


@click.command("import-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Slug of the organisation that will own the survey.")
def import_xlsform_command(file: str, org_slug: str):
    """Create a survey from an XLSForm (.xlsx); prints its id, then the import report."""
    from .services import import_xlsform
    from .workbook import XLSFormError

    organisation = organisation_by_slug(org_slug)
    path = Path(file)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if path.stat().st_size > limit:
        click.echo(f"error: the file is larger than {limit:,} bytes (MAX_CONTENT_LENGTH).", err=True)
        sys.exit(1)
    try:
        result = import_xlsform(organisation.id, None, path.read_bytes(), path.name, limit)
    except XLSFormError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(result.survey.id)
    for line in result.report:
        click.echo(f"note: {line}")


@click.command("export-xlsform")
@click.argument("survey_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Where to write the .xlsx file.")
def export_xlsform_command(survey_id: int, out: str):
    """Write a survey as an XLSForm for ODK Collect or KoboCollect."""
    from ..extensions import db
    from ..surveys.models import Survey
    from .exporter import survey_to_xlsform

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    Path(out).write_bytes(survey_to_xlsform(survey))
    click.echo(out)
