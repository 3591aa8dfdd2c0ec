"""Ranking: the resident orders the options (1 = most important).

Without JavaScript each option gets a rank selector; ranks must be distinct
and run 1..N with no gaps (N = all options, or ``rank_count`` for top-N).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .base import (
    NO_ANSWER,
    AnswerRow,
    Definition,
    DemoSource,
    FormData,
    Operands,
    PaperForm,
    Problem,
    QuestionLike,
    QuestionType,
    RawAnswer,
    SettingsForm,
    StoredAnswer,
    normalise_by_code,
    parse_number,
)


class Ranking(QuestionType):
    name = "ranking"
    label = _l("Ranking")
    summary_family = "ranking"
    export_shape = "ranks"
    xlsform_type = "rank"
    uses_options = True

    def parse_settings(self, form: SettingsForm, n_options: int) -> None:
        count = form.integer("rank_count", 1, max(n_options, 1))
        if count is not None:
            form.settings["rank_count"] = count

    def check_definition(self, q: Definition) -> list[Problem]:
        problems = []
        n = len(q.get("options") or [])
        if n < 2:
            problems.append(("options", _("A ranking question needs at least 2 options.")))
        count = (q.get("settings") or {}).get("rank_count")
        if count is not None and not 1 <= count <= n:
            problems.append(("settings.rank_count", _("Rank between 1 and the number of options.")))
        return problems

    def rank_count(self, question: QuestionLike) -> int:
        n = len(self.active_options(question))
        return min((question.settings or {}).get("rank_count") or n, n)

    def paper(self, form: PaperForm, question: QuestionLike) -> None:
        form.rank_boxes(
            self.active_options(question),
            _(
                "Write 1 next to the most important, 2 next to the next, and so on, up to %(n)d.",
                n=self.rank_count(question),
            ),
        )

    def demo_answer(self, question: QuestionLike, demo: DemoSource) -> dict[str, str] | None:
        if self.demo_skips(question, demo):
            return None
        codes = [o.code for o in self.active_options(question)]
        pool = demo.priorities(question, codes)
        ranked: list[str] = []
        while len(ranked) < self.rank_count(question):
            ranked.append(demo.pick({c: w for c, w in pool.items() if c not in ranked}))
        return {c: str(ranked.index(c) + 1) if c in ranked else "" for c in codes}

    def normalise(self, value: Any) -> dict[str, str]:
        return normalise_by_code(value)

    def read(self, question: QuestionLike, form: FormData) -> dict[str, str]:
        return {
            o.code: (form.get(self.field_name(question, o.code)) or "").strip() for o in self.active_options(question)
        }

    def is_empty(self, raw: RawAnswer) -> bool:
        return not raw or not any(raw.values())

    def validate(self, question: QuestionLike, raw: RawAnswer) -> str | None:
        wanted = self.rank_count(question)
        if any(code not in {o.code for o in self.active_options(question)} for code in raw):
            return _("Choose only from the listed answers.")
        ranks = [parse_number(v, integer=True) for v in raw.values() if v]
        numbers = [r for r in ranks if r is not None]
        if len(numbers) != len(ranks) or sorted(numbers) != list(range(1, len(ranks) + 1)):
            return _("Give each rank from 1 to %(n)d once, with no gaps.", n=wanted)
        if len(ranks) > wanted:
            return _("Rank only your top %(n)d.", n=wanted)
        if question.required and len(ranks) < wanted:
            return _("Give each rank from 1 to %(n)d once, with no gaps.", n=wanted)
        return None

    def to_rows(self, question: QuestionLike, raw: RawAnswer) -> list[AnswerRow]:
        options = {o.code: o for o in self.active_options(question)}
        return [
            AnswerRow(option_id=options[code].id, value_num=parse_number(rank, integer=True))
            for code, rank in raw.items()
            if rank
        ]

    def from_rows(self, question: QuestionLike, rows: Sequence[StoredAnswer]) -> dict[str, str]:
        codes = {o.id: o.code for o in question.options}
        return {codes[r.option_id]: f"{r.value_num:g}" for r in rows if r.option_id in codes}

    def operands(self, question: QuestionLike, raw: RawAnswer, item: str | None = None) -> Operands:
        if self.is_empty(raw):
            return NO_ANSWER
        first = next((code for code, rank in raw.items() if rank == "1"), None)
        return Operands(answered=True, codes=frozenset([first]) if first else frozenset())
