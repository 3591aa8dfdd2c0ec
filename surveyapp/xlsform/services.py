"""Create a survey from an XLSForm (all or nothing) and report what changed."""

from __future__ import annotations

from dataclasses import dataclass

from ..surveys import definition, services
from . import importer
from .workbook import XLSFormError


@dataclass
class ImportResult:
    survey: object
    report: list[importer.ReportLine]


def import_xlsform(
    organisation_id: int, user_id: int | None, data: bytes, filename: str, max_bytes: int
) -> ImportResult:
    """Raises XLSFormError (nothing created) when the form cannot be imported."""
    conversion = importer.read(data, filename, max_bytes)
    try:
        survey = services.create_from_definition(organisation_id, user_id, conversion.document)
    except definition.DefinitionError as error:  # validated already; kept as a guard
        raise XLSFormError([str(p) for p in error.problems]) from None
    return ImportResult(survey, conversion.report)
