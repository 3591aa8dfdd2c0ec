"""Printable PDFs: the A4 QR poster and the paper questionnaire, drawn on
the PDF base (surveyapp/pdf: fonts, margins, running footer)."""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf.enums import XPos, YPos

from ..pdf import FONT, INK, MUTED, Document, blocks
from ..pdf.document import FONT_DIR
from ..questions import get_type
from ..surveys import logic
from ..surveys.models import Question, Survey, pick_language
from ..surveys.visibility import active_pages
from . import qr

BOX = 4.2  # mm, a tick box


class _Document(Document):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_font(FONT, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))  # instructions; the reports need none

    def multi_cell(self, w, h=None, text="", *args, **kwargs):
        # Each paragraph starts again at the left margin on the next line.
        kwargs.setdefault("new_x", XPos.LMARGIN)
        kwargs.setdefault("new_y", YPos.NEXT)
        kwargs.setdefault("align", "L")
        return super().multi_cell(w, h, text, *args, **kwargs)

    def box(self, x: float, y: float, size: float = BOX) -> None:
        self.rect(x, y, size, size)

    def write_line(self, height: float = 7) -> None:
        """A line to write on, the full text width."""
        y = self.get_y() + height
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_draw_color(0, 0, 0)
        self.set_y(y + 1)


def _bytes(pdf: Document) -> bytes:
    return pdf.bytes()


# ---- poster -------------------------------------------------------------------


def poster(survey: Survey, organisation_name: str, qr_url: str, short_url: str) -> bytes:
    """A4 poster: title, what to do, a large QR code and the link."""
    lang = survey.default_language
    with force_locale(lang):
        pdf = _Document()
        pdf.add_page()
        pdf.set_font(FONT, "", 14)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 8, organisation_name, align="C")
        pdf.set_text_color(*INK)
        pdf.ln(4)
        pdf.set_font(FONT, "B", 26)
        pdf.multi_cell(0, 12, survey.text("title", lang), align="C")
        pdf.ln(4)
        description = survey.text("description", lang)
        pdf.set_font(FONT, "", 13)
        if description:
            pdf.multi_cell(0, 7, description[:600], align="C")
            pdf.ln(3)
        pdf.set_font(FONT, "B", 16)
        pdf.multi_cell(0, 9, _("Your voice counts. Scan the code with your phone camera to answer."), align="C")
        size = 110
        y = max(pdf.get_y() + 6, 100)
        if y + size > pdf.h - 55:
            size = max(60, pdf.h - 55 - y)
        pdf.image(io.BytesIO(qr.png(qr_url, scale=12)), x=(pdf.w - size) / 2, y=y, w=size, h=size)
        pdf.set_y(y + size + 6)
        pdf.set_font(FONT, "", 12)
        pdf.multi_cell(0, 7, _("No camera? Type this address in your browser:"), align="C")
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 8, short_url, align="C")
        pdf.ln(2)
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 6, _("It takes a few minutes. Your answers help us plan better for everyone."), align="C")
        return _bytes(pdf)


# ---- paper questionnaire ---------------------------------------------------------


def numbered_questions(survey: Survey) -> list[tuple[int, Question]]:
    """Questions that take an answer, numbered 1..N in survey order (the
    numbers the paper form and the data-entry page share)."""
    out, n = [], 0
    for _page, questions in active_pages(survey):
        for question in questions:
            if get_type(question.type).takes_answer:
                n += 1
                out.append((n, question))
    return out


def condition_text(
    condition: dict | None, numbers: dict[str, int], questions: dict[str, Question], lang: str
) -> str | None:
    """A reader's version of a skip-logic condition, e.g. "Answer only if
    you answered “Yes” to question 4."; None when there is none."""
    if not condition:
        return None
    parts = []
    for clause in logic.clauses(condition):
        question = questions.get(clause.get("question"))
        number = numbers.get(clause.get("question"))
        if question is None or number is None:
            continue
        op, value = clause.get("op"), clause.get("value")
        labels = {o.code: o.text(lang) for o in question.options if o.kind == "choice"}
        if op in ("equals", "any_of"):
            values = value if isinstance(value, list) else [value]
            shown = " / ".join(f"“{labels.get(str(v), str(v))}”" for v in values)
            parts.append(_("you answered %(answer)s to question %(n)d", answer=shown, n=number))
        elif op == "not_equals":
            parts.append(
                _(
                    "you did not answer “%(answer)s” to question %(n)d",
                    answer=labels.get(str(value), str(value)),
                    n=number,
                )
            )
        elif op == "gt":
            parts.append(_("your answer to question %(n)d is more than %(value)s", n=number, value=value))
        elif op == "lt":
            parts.append(_("your answer to question %(n)d is less than %(value)s", n=number, value=value))
        elif op == "answered":
            parts.append(_("you answered question %(n)d", n=number))
        elif op == "not_answered":
            parts.append(_("you did not answer question %(n)d", n=number))
    if not parts:
        return None
    joiner = _(" or ") if "any" in condition else _(" and ")
    return _("Answer only if %(condition)s.", condition=joiner.join(parts))


def questionnaire(survey: Survey, lang: str, organisation_name: str) -> bytes:
    """The survey as a paper form in ``lang``."""
    with force_locale(lang):
        title = survey.text("title", lang)
        pdf = _Document(title, organisation_name, footer_title=title[:80])
        pdf.add_page()
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 5, organisation_name)
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "B", 18)
        pdf.multi_cell(0, 9, title)
        pdf.ln(1)
        pdf.set_font(FONT, "", 10)
        for field in ("description", "welcome_text"):
            text = survey.text(field, lang)
            if text:
                pdf.multi_cell(0, 5, text)
                pdf.ln(1)
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(
            0,
            5,
            _(
                "Tick one box (☐) unless the question says otherwise. Write clearly on the lines. "
                "Questions marked * need an answer."
            ),
        )
        pdf.ln(3)
        numbered = numbered_questions(survey)
        numbers = {q.code: n for n, q in numbered}
        by_code = {q.code: q for _n, q in numbered}
        for page, questions in active_pages(survey):
            page_title = pick_language(page.title, lang, survey.default_language)
            if page_title:
                blocks.heading(pdf, page_title, keep=22, size=13)  # 22 mm: a question's start, as below
            note = condition_text(page.logic, numbers, by_code, lang)
            if note:
                pdf.set_font(FONT, "I", 9)
                pdf.multi_cell(0, 5, note)
            for question in questions:
                _question(
                    pdf,
                    question,
                    numbers.get(question.code),
                    lang,
                    condition_text(question.logic, numbers, by_code, lang),
                )
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11)
        thanks = survey.text("thankyou_text", lang) or _("Thank you for your answers.")
        pdf.multi_cell(0, 6, thanks)
        return _bytes(pdf)


def _keep_together(pdf: _Document, height: float) -> None:
    pdf.keep(height)


def _question(pdf: _Document, question: Question, number: int | None, lang: str, condition: str | None) -> None:
    qtype = get_type(question.type)
    _keep_together(pdf, 22)
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    head = question.text("title", lang) + (" *" if question.required else "")
    if not qtype.takes_answer:
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, question.text("title", lang))
        help_text = question.text("help_text", lang)
        if help_text:
            pdf.multi_cell(0, 5, help_text)
        return
    pdf.multi_cell(0, 6, f"{number}. {head}" if number else head)
    pdf.set_font(FONT, "I", 9)
    if condition:
        pdf.multi_cell(0, 5, condition)
    help_text = question.text("help_text", lang)
    if help_text:
        pdf.multi_cell(0, 5, help_text)
    pdf.set_font(FONT, "", 10)
    qtype.paper(_PaperForm(pdf, lang, question.survey.default_language), question)


class _PaperForm:
    """The drawing primitives a question type's ``paper`` uses for its
    answer space (questions.base.PaperForm), in language ``lang``."""

    def __init__(self, pdf: _Document, lang: str, default_language: str):
        self.pdf, self.lang, self.default_language = pdf, lang, default_language

    def _text(self, value) -> str:
        """A settings text: per language, or a plain string."""
        if isinstance(value, dict):
            return pick_language(value, self.lang, self.default_language)
        return str(value or "")

    def tick_boxes(self, options, instruction: str | None = None) -> None:
        pdf = self.pdf
        if instruction:
            pdf.set_font(FONT, "I", 9)
            pdf.multi_cell(0, 5, instruction)
            pdf.set_font(FONT, "", 10)
        for option in options:
            _keep_together(pdf, 7)
            y = pdf.get_y() + 0.8
            pdf.box(pdf.l_margin + 2, y)
            pdf.set_x(pdf.l_margin + 2 + BOX + 3)
            label = option.text(self.lang)
            if option.is_other:
                label += "  " + "_" * 30
            pdf.multi_cell(0, 6, label)

    def grid(self, scale, items) -> None:
        _matrix(self.pdf, list(scale), list(items), self.lang)

    def number_scale(self, low: int, high: int, ends) -> None:
        pdf = self.pdf
        _number_row(pdf, low, high)
        texts = [self._text(end) for end in ends]
        if any(texts):
            pdf.set_font(FONT, "I", 8)
            pdf.multi_cell(0, 4, f"{low} = {texts[0]}    {high} = {texts[1]}")

    def rank_boxes(self, options, instruction: str) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(0, 5, instruction)
        pdf.set_font(FONT, "", 10)
        for option in options:
            _keep_together(pdf, 8)
            y = pdf.get_y() + 0.5
            pdf.rect(pdf.l_margin + 2, y, 8, 6)
            pdf.set_xy(pdf.l_margin + 13, y)
            pdf.multi_cell(0, 7, option.text(self.lang))

    def number_box(self, unit) -> None:
        pdf = self.pdf
        y = pdf.get_y() + 1
        pdf.rect(pdf.l_margin + 2, y, 40, 8)
        if unit:
            pdf.set_xy(pdf.l_margin + 45, y + 1)
            pdf.cell(0, 6, self._text(unit))
        pdf.set_y(y + 10)

    def date_boxes(self) -> None:
        pdf = self.pdf
        y = pdf.get_y() + 1
        x = pdf.l_margin + 2
        for label, width in ((_("day"), 12), (_("month"), 12), (_("year"), 20)):
            pdf.rect(x, y, width, 8)
            pdf.set_xy(x, y + 8.5)
            pdf.set_font(FONT, "", 7)
            pdf.cell(width, 3, label, align="C")
            x += width + 4
        pdf.set_font(FONT, "", 10)
        pdf.set_y(y + 13)

    def lines(self, n: int) -> None:
        for _line in range(n):
            if n > 1:  # a single line stays with its title; longer space may break
                _keep_together(self.pdf, 8)
            self.pdf.write_line()


def _number_row(pdf: _Document, low: int, high: int) -> None:
    _keep_together(pdf, 14)
    y = pdf.get_y() + 1
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 4) / (high - low + 1)
    size = min(7.0, width - 3)
    for index, value in enumerate(range(low, high + 1)):
        x = pdf.l_margin + 2 + index * width
        pdf.set_xy(x, y)
        pdf.cell(size, 4, str(value), align="C")
        pdf.rect(x, y + 4.5, size, size)
    pdf.set_y(y + 5 + size + 1)


def _matrix(pdf: _Document, scale: list, items: list, lang: str) -> None:
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    label_width = usable * 0.38
    column = (usable - label_width) / max(1, len(scale))
    pdf.set_font(FONT, "", 7)
    heights = [len(pdf.multi_cell(column, 3.5, o.text(lang), dry_run=True, output="LINES")) for o in scale]
    head_height = 3.5 * max(heights or [1]) + 1
    _keep_together(pdf, head_height + 9 * min(3, len(items)))
    y = pdf.get_y() + 1
    for index, option in enumerate(scale):
        pdf.set_xy(pdf.l_margin + label_width + index * column, y)
        pdf.multi_cell(column, 3.5, option.text(lang), align="C")
    pdf.set_y(y + head_height)
    pdf.set_font(FONT, "", 9)
    for item in items:
        lines = len(pdf.multi_cell(label_width - 2, 4.5, item.text(lang), dry_run=True, output="LINES"))
        row_height = max(8, 4.5 * lines + 2)
        _keep_together(pdf, row_height)
        y = pdf.get_y()
        pdf.set_xy(pdf.l_margin, y + 1)
        pdf.multi_cell(label_width - 2, 4.5, item.text(lang))
        for index in range(len(scale)):
            x = pdf.l_margin + label_width + index * column + (column - BOX) / 2
            pdf.box(x, y + (row_height - BOX) / 2)
        pdf.set_draw_color(220, 220, 220)
        pdf.line(pdf.l_margin, y + row_height, pdf.w - pdf.r_margin, y + row_height)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_y(y + row_height)
