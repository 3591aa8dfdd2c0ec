"""``flask surveys export ID --format csv|xlsx|sav|jsonl --out FILE
[--weights]`` (no request time limit, for very large surveys)."""

from __future__ import annotations

import click


@click.command("export")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav", "jsonl", "codebook"]), default="csv")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--all", "include_partial", is_flag=True, help="Include partial responses.")
@click.option("--bom", is_flag=True, help="Start the CSV with a byte-order mark (for Excel).")
@click.option(
    "--weights", "weighted", is_flag=True, help="Add a raking weight column (needs the survey's population figures)."
)
def export_command(survey_id: int, fmt: str, out: str, include_partial: bool, bom: bool, weighted: bool):
    """Export a survey's responses to a file."""
    from ..analytics.filters import ALL_STATUSES, Filters
    from ..extensions import db
    from ..orgs.models import Organisation
    from ..surveys.models import Survey, pick_language
    from . import rows, sav, writers
    from .layout import build_layout
    from .weights import WeightsUnavailable, weights_for

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    organisation = db.session.get(Organisation, survey.organisation_id)
    filters = Filters(timezone=organisation.timezone, **({"statuses": ALL_STATUSES} if include_partial else {}))
    weights = None
    if weighted:
        try:
            weights = weights_for(survey, filters)
        except WeightsUnavailable as error:
            raise click.ClickException(str(error)) from None
    layout = build_layout(survey, weighted=weights is not None, weight_cap=weights.cap if weights else 5.0)
    stream = rows.iter_rows(layout, survey.id, filters, weights=weights)
    if fmt in ("csv", "jsonl", "codebook"):
        chunks = (
            writers.csv_chunks(layout, rows.iter_batches(layout, survey.id, filters, weights=weights, ready=True), bom)
            if fmt == "csv"
            else writers.jsonl_chunks(layout, stream)
            if fmt == "jsonl"
            else [writers.codebook_csv(layout, bom)]
        )
        with open(out, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
    elif fmt == "xlsx":
        writers.write_xlsx(layout, rows.iter_batches(layout, survey.id, filters, weights=weights, ready=True), out)
    else:
        writers.write_sav(
            layout,
            stream,
            out,
            sav.string_widths(layout, survey.id),
            label=pick_language(survey.title, survey.default_language, survey.default_language),
        )
    click.echo(out)


@click.command("fill-sheets")
@click.argument("survey_id", type=int, required=False)
def fill_sheets_command(survey_id: int | None):
    """Store the answer sheets exports read (responses.sheet, see
    responses/sheets.py) for complete responses stored in bulk without them
    (all surveys, or one). Exports are right without them, only slower."""
    from ..responses import sheets

    click.echo(f"{sheets.fill(survey_id)} answer sheets stored")
