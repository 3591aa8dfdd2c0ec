"""Raking weights for an export, from the population margins the organiser
entered on the weighting page (results.SurveyPopulationMargin).

The raking itself is analytics.weighting.weigh(), the same call the
weighting page makes, so an exported weight is exactly the page's weight:
weigh() groups the exported responses by their demographic answers in SQL,
rakes the cells and caps the weights. Here the cells are only re-keyed by
option id, so that each streamed row finds its weight from the option ids
its answer sheet holds; no response is ever loaded for this.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from ..analytics.filters import Filters
from ..analytics.weighting import demographic_questions, weigh

# weigh() gives respondents it cannot place in a cell (a demographic answer
# skipped, or a category without a population figure) weight 1, and says so
# on the weighting page.
UNPLACED_WEIGHT = 1.0


class WeightsUnavailable(ValueError):
    """Weights were asked for but cannot be made; the message says why."""


@dataclass(frozen=True)
class ExportWeights:
    # Demographic questions whose answers make the cell, in weigh()'s order.
    question_ids: tuple[int, ...]
    # (option id per question, None = not answered) -> weight
    by_options: dict[tuple, float]
    cap: float
    unplaced: float = UNPLACED_WEIGHT


def weights_for(survey, filters: Filters, language: str | None = None) -> ExportWeights:
    """The raked, capped weight of every cell of the exported responses.

    The raking runs on the responses the export holds (its filters), so the
    weighted shares in the file match the population margins; without
    filters these are the weighting page's weights. Raises WeightsUnavailable
    when the survey has no margins, they are unusable, or raking does not
    converge (weigh()'s messages)."""
    from ..results.services import load_margins

    language = language or survey.default_language
    margins = load_margins(survey.id)
    if not margins:
        raise WeightsUnavailable(
            _(
                "Weights need population figures: enter them on the survey's weighting page "
                "first, or download the file without weights."
            )
        )
    result = weigh(survey, margins, language, filters, estimates=False)
    if result["errors"]:
        raise WeightsUnavailable(
            _("Weights cannot be added to this export: %(reasons)s", reasons=" ".join(result["errors"]))
        )
    questions = demographic_questions(survey)
    dims = [d["dimension"] for d in result["dimensions"]]
    option_ids = {dim: {o.code: o.id for o in questions[dim].options if o.kind == "choice"} for dim in dims}
    by_options = {
        tuple(option_ids[dim][code] for dim, code in zip(dims, codes)): weight
        for codes, weight in result["cell_weights"].items()
    }
    return ExportWeights(tuple(questions[dim].id for dim in dims), by_options, result["rake"]["cap"])
