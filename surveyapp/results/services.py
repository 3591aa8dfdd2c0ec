"""Writes of the results feature: a survey's population margins."""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..limits import MAX_POPULATION
from ..uploads import CSVFileError, read_csv
from .models import SurveyPopulationMargin


class MarginError(ValueError):
    """Margins that cannot be stored; ``messages`` are for the organiser."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def load_margins(survey_id: int) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        db.select(SurveyPopulationMargin).filter_by(survey_id=survey_id).order_by(SurveyPopulationMargin.id)
    ).scalars()
    margins: dict[str, dict[str, int]] = {}
    for row in rows:
        margins.setdefault(row.dimension, {})[row.category] = row.population
    return margins


def _number(text: str, where: str, errors: list[str]) -> int | None:
    text = (text or "").strip().replace(".", "").replace(",", "").replace(" ", "")
    if not text:
        return None
    # isascii: str.isdigit() accepts "²", which int() then refuses
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_POPULATION:
        errors.append(
            _(
                "%(where)s: enter a whole number of people, from 0 to %(max)s.",
                where=where,
                max=format(MAX_POPULATION, ","),
            )
        )
        return None
    return int(text)


def margins_from_form(form, allowed: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Read fields ``m-<dimension>-<category>``; a dimension left entirely
    blank is not used. Raises MarginError."""
    errors: list[str] = []
    margins: dict[str, dict[str, int]] = {}
    for dim, categories in allowed.items():
        values = {c: _number(form.get(f"m-{dim}-{c}", ""), f"{dim} / {c}", errors) for c in categories}
        given = {c: v for c, v in values.items() if v is not None}
        if not given:
            continue
        missing = [c for c in categories if values[c] is None]
        if missing:
            errors.append(
                _("%(dim)s: enter a number for every category (missing: %(cats)s).", dim=dim, cats=", ".join(missing))
            )
        margins[dim] = given
    if errors:
        raise MarginError(errors)
    return margins


def margins_from_csv(data: bytes, allowed: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """CSV with a header ``dimension,category,population``. Raises MarginError
    naming the line of every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MarginError([_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")]) from None
    try:
        rows = read_csv(text)
    except CSVFileError as error:
        raise MarginError([error.message]) from None
    header = rows[0][1] if rows else None
    if not header or [h.strip().lower() for h in header[:3]] != ["dimension", "category", "population"]:
        raise MarginError([_("The first line must be the header: dimension,category,population")])
    errors: list[str] = []
    margins: dict[str, dict[str, int]] = {}
    for line_no, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            errors.append(_("Line %(n)d: expected three values.", n=line_no))
            continue
        dim, cat, value = row[0].strip(), row[1].strip(), row[2]
        if dim not in allowed:
            errors.append(_("Line %(n)d: %(dim)s is not a demographic dimension of this survey.", n=line_no, dim=dim))
            continue
        if cat not in allowed[dim]:
            errors.append(_("Line %(n)d: %(cat)s is not a category of %(dim)s.", n=line_no, cat=cat, dim=dim))
            continue
        number = _number(value, _("Line %(n)d", n=line_no), errors)
        if number is None:
            if value.strip() == "":
                errors.append(_("Line %(n)d: the population is empty.", n=line_no))
            continue
        if cat in margins.get(dim, {}):
            errors.append(_("Line %(n)d: %(dim)s / %(cat)s is given twice.", n=line_no, dim=dim, cat=cat))
        margins.setdefault(dim, {})[cat] = number
    for dim, given in margins.items():
        missing = [c for c in allowed[dim] if c not in given]
        if missing:
            errors.append(
                _("%(dim)s: enter a number for every category (missing: %(cats)s).", dim=dim, cats=", ".join(missing))
            )
    if not margins and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise MarginError(errors)
    return margins


def save_margins(survey_id: int, margins: dict[str, dict[str, int]]) -> None:
    """Replace the survey's margins in one transaction."""
    db.session.execute(db.delete(SurveyPopulationMargin).where(SurveyPopulationMargin.survey_id == survey_id))
    for dim, categories in margins.items():
        for category, population in categories.items():
            db.session.add(
                SurveyPopulationMargin(survey_id=survey_id, dimension=dim, category=category, population=population)
            )
    db.session.commit()
