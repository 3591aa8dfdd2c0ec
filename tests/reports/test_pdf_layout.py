"""The PDF base (surveyapp/pdf): on every page of the survey report, the
programme report and the paper questionnaire no two texts overlap, a heading
is never the last thing on its page, and the footer says "page n of N".
The Document records the box of every line of text and every image it
places; these tests read those boxes back."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pytest
from flask_babel import force_locale

from surveyapp.distribute import pdf as paper
from surveyapp.pdf import Box, Document, blocks
from surveyapp.programmes.windows import parse_window
from surveyapp.reports import content, programme_content, programme_pdf
from surveyapp.reports import pdf as survey_pdf
from tests.collect.helpers import make_survey
from tests.distribute.test_share_and_paper import ALL_TYPES
from tests.reports.test_programme_report import hand, pdf_text  # noqa: F401 (a fixture)
from tests.reports.test_reports import answered  # noqa: F401 (a fixture)


def _footer(box: Box) -> bool:
    return "{nb}" in box.text


def assert_laid_out(pdf: Document) -> None:
    """No two boxes overlap; every heading has something under it on its page; every
    page has the footer with its own number; nothing leaves the page's text area."""
    pages: dict[int, list[Box]] = defaultdict(list)
    for box in pdf.boxes:
        pages[box.page].append(box)
    assert sorted(pages) == list(range(1, pdf.pages_count + 1))
    for page, boxes in pages.items():
        for a, b in combinations(boxes, 2):
            assert not a.overlaps(b), f"page {page}: {a} overlaps {b}"
        footers = [box for box in boxes if _footer(box)]
        assert len(footers) == 1 and f" {page} " in footers[0].text, page
        for box in boxes:
            assert pdf.l_margin - 0.5 <= box.left and box.right <= pdf.w - pdf.r_margin + 0.5, box
            assert _footer(box) or box.bottom <= pdf.h - pdf.b_margin + 0.01, box
        for i, box in enumerate(boxes):
            if not box.heading or (i + 1 < len(boxes) and boxes[i + 1].heading):
                continue  # not a heading's last line
            below = [b for b in boxes[i + 1 :] if not b.heading and not _footer(b) and b.top >= box.bottom - 0.01]
            assert below, f"page {page}: the heading {box.text!r} ends the page"


@pytest.fixture
def documents(monkeypatch) -> list[Document]:
    """Every Document whose bytes are taken while the test runs."""
    made: list[Document] = []
    original = Document.bytes

    def keep(self):
        made.append(self)
        return original(self)

    monkeypatch.setattr(Document, "bytes", keep)
    return made


# ---- the real documents --------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_survey_report_layout(answered, documents, language):  # noqa: F811
    report = content.build(answered)
    report.language = language
    body = survey_pdf.render(report)
    (pdf,) = documents
    assert pdf.pages_count >= 2
    assert_laid_out(pdf)
    text = pdf_text(body)
    last = "page %d of %d" if language == "en" else "halaman %d dari %d"
    assert last % (pdf.pages_count, pdf.pages_count) in text and last % (1, pdf.pages_count) in text
    assert "{nb}" not in text


@pytest.mark.parametrize("language", ["id", "en"])
def test_programme_report_layout(app, hand, documents, language):  # noqa: F811
    body = programme_pdf.render(programme_content.build(hand.programme, parse_window("2026-07"), language))
    (pdf,) = documents
    assert_laid_out(pdf)
    assert f"{pdf.pages_count} {'of' if language == 'en' else 'dari'} {pdf.pages_count}" in pdf_text(body)


@pytest.mark.parametrize("language", ["id", "en"])
def test_paper_questionnaire_layout(world, ctx, documents, language):
    survey = make_survey(world.org, ALL_TYPES)
    paper.questionnaire(survey, language, "Kelurahan Mawar")
    (pdf,) = documents
    assert_laid_out(pdf)


# ---- the blocks, pushed to their edges ----------------------------------------------------


def _document() -> Document:
    pdf = Document("Survey X", "Org", footer_title="Survey X")
    pdf.add_page()
    return pdf


def test_a_long_label_wraps_in_its_column_and_never_prints_over_its_value(app):
    with app.test_request_context(), force_locale("id"):
        pdf = _document()
        rows = [
            ("Tingkat tanggapan (AAPOR RR1)", "31.4%"),
            ("Data penduduk yang dipakai untuk menghitung keterwakilan setiap kelompok warga", "12.000 orang"),
            ("n", "2,913"),
        ]
        blocks.facts(pdf, rows)
        pdf.bytes()
    assert_laid_out(pdf)
    labels = {label for label, _value in rows}
    label_right = max(b.right for b in pdf.boxes if any(b.text in label for label in labels))
    value_left = min(b.left for b in pdf.boxes if b.text.replace("\u00a0", " ") in ("31.4%", "12.000 orang", "2,913"))
    assert label_right < value_left
    assert len([b for b in pdf.boxes if b.text.startswith(("Data", "untuk", "kelompok")) or "warga" in b.text]) >= 2


def test_a_heading_moves_to_the_next_page_with_its_block(app):
    with app.test_request_context():
        pdf = _document()
        while pdf.fits(20):
            blocks.paragraph(pdf, "Satu baris teks.")
        blocks.heading(pdf, "Heading at the foot of a page", keep=30)
        blocks.paragraph(pdf, "Its first block.")
        pdf.bytes()
    heading = next(b for b in pdf.boxes if b.heading)
    assert heading.page == 2 and heading.top == pytest.approx(pdf.t_margin)
    assert_laid_out(pdf)


def test_a_long_table_repeats_its_heading_row_and_never_splits_a_number(app):
    with app.test_request_context():
        pdf = _document()
        headers = ["Metric", "Value", "n", "Previous period", "Change"]
        rows = [
            [f"M{i} a metric with a long name that wraps", "5 mnt 27 dtk", "2,913", "4 mnt 54 dtk (2026-Q2)", "+1,8 pp"]
            for i in range(60)
        ]
        blocks.table(pdf, headers, rows, ["LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"], size=8)
        pdf.bytes()
    assert pdf.pages_count >= 2
    assert_laid_out(pdf)
    for page in range(1, pdf.pages_count + 1):
        assert any(b.page == page and b.text == "Metric" for b in pdf.boxes), page
    texts = [b.text.replace("\u00a0", " ") for b in pdf.boxes]  # cell() keeps a no-break space, multi_cell() not
    assert texts.count("2,913") == 60 and texts.count("5 mnt 27 dtk") == 60  # each whole, on one line


def test_an_image_taller_than_the_room_left_starts_a_page(app):
    from surveyapp import charts

    png = charts.bars([f"Option {i}" for i in range(8)], [10.0 * i for i in range(8)], fmt="png")
    with app.test_request_context():
        pdf = _document()
        while pdf.fits(40):
            blocks.paragraph(pdf, "Satu baris teks.")
        blocks.heading(pdf, "A chart", keep=blocks.image_size(pdf, png)[1])
        blocks.image(pdf, png)
        pdf.bytes()
    images = [b for b in pdf.boxes if b.text == blocks.IMAGE]
    heading = next(b for b in pdf.boxes if b.heading)
    assert images[0].page == heading.page == 2
    assert_laid_out(pdf)


def test_nowrap_joins_numbers_to_their_units_only():
    assert blocks.nowrap("5 mnt 27 dtk") == "5\u00a0mnt\u00a027\u00a0dtk"
    assert blocks.nowrap("+1,8 poin persentase") == "+1,8\u00a0poin persentase"
    assert blocks.nowrap("157 jawaban lengkap") == "157 jawaban lengkap"  # a word, not a unit
    assert blocks.nowrap(None) == ""


def test_the_check_sees_a_label_printed_over_its_value(app):
    """What the facts block used to do: a fixed 50 mm label cell, the value after it."""
    with app.test_request_context():
        pdf = _document()
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(50, 6, "Tingkat tanggapan (AAPOR RR1)")
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 6, "31.4%")
        pdf.bytes()
    with pytest.raises(AssertionError, match="overlaps"):
        assert_laid_out(pdf)
