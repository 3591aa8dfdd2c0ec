"""The one A4 document every PDF of Suara is drawn on (fpdf2): fonts, margins,
the running footer with "page n of N", and a record of where text was placed.

Fonts are DejaVu Sans from matplotlib's own font files, so Indonesian text and
symbols (☐, ·, “ ”) render with no CDN or system font."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

import matplotlib
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
MARGIN = 15.0  # mm, left, top and right
BOTTOM = 20.0  # mm kept free at the foot: the footer sits in it
INK = (30, 30, 30)
MUTED = (100, 100, 100)


@dataclass(frozen=True)
class Box:
    """Where a line of text was printed: page, and its extent in mm from the top left."""

    page: int
    left: float
    top: float
    right: float
    bottom: float
    text: str
    heading: bool = False

    def overlaps(self, other: Box, slack: float = 0.05) -> bool:
        return (
            self.page == other.page
            and self.left < other.right - slack
            and other.left < self.right - slack
            and self.top < other.bottom - slack
            and other.top < self.bottom - slack
        )


class Document(FPDF):
    """An A4 page set with the house fonts and margins. ``footer_title`` gives every
    page the running footer "<title> · printed <date> · page n of N"; without it
    (the poster) the page has none."""

    def __init__(self, title: str = "", author: str = "", footer_title: str = "", printed: date | None = None):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_text_color(*INK)
        self.set_font(FONT, "", 10)
        self.set_creator("Suara")
        if title:
            self.set_title(title)
        if author:
            self.set_author(author)
        # Translated now, in the caller's locale: footer() runs inside output(), maybe outside it.
        self.footer_text = (
            _(
                "%(title)s · printed %(date)s · page %(page)s of %(pages)s",
                title=footer_title,
                date=(printed or date.today()).isoformat(),
                page="{page}",
                pages=self.str_alias_nb_pages,
            )
            if footer_title
            else ""
        )
        self.boxes: list[Box] = []
        self._heading_line = False

    @property
    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text.replace("{page}", str(self.page_no())), align="C")
        self.set_text_color(*INK)

    def fits(self, height: float) -> bool:
        """Whether ``height`` mm more fit on this page."""
        return self.get_y() + height <= self.page_break_trigger

    def keep(self, height: float) -> None:
        """A new page unless ``height`` mm fit on this one (blocks that must not be split)."""
        if not self.fits(height) and self.get_y() > self.t_margin + 0.01:
            self.add_page()

    def lines(self, text: str, width: float, line: float) -> int:
        """How many lines ``text`` takes in the current font, ``width`` mm wide (0: to the right margin)."""
        if not text:
            return 1
        room = (width or self.w - self.r_margin - self.get_x()) - 2 * self.c_margin
        if self.get_string_width(text) <= room:
            return 1
        return len(cast(list, self.multi_cell(width, line, text, dry_run=True, output="LINES")))

    def bytes(self) -> bytes:
        return bytes(self.output())

    # Every line of text fpdf2 prints passes here (cell, multi_cell, table, footer):
    # its box is recorded so tests can prove no two texts overlap.
    def _render_styled_text_line(self, text_line, h=None, *args, **kwargs):
        height = h if h is not None else max((f.font_size for f in text_line.fragments), default=0)
        self._perform_page_break_if_need_be(height)
        text = "".join(fragment.string for fragment in text_line.fragments)
        # A measuring pass (dry_run) runs here too, with fpdf2's _out replaced: nothing is printed.
        if text.strip() and isinstance(self._out, types.MethodType):
            width = text_line.text_width or sum(f.get_width() for f in text_line.fragments)
            cell = text_line.max_width
            cell = width + 2 * self.c_margin if cell is None else (cell or self.w - self.r_margin - self.x)
            x = self.l_margin + (self.epw - cell) / 2 if kwargs.get("center") else self.x
            if text_line.align == Align.R:
                x += cell - self.c_margin - width
            elif text_line.align in (Align.C, Align.X):
                x += (cell - width) / 2 - (cell / 2 if text_line.align == Align.X else 0)
            elif text_line.align != Align.J:
                x += self.c_margin
            elif text_line.align == Align.J:
                x, width = self.x + self.c_margin, max(width, cell - 2 * self.c_margin)
            self.boxes.append(Box(self.page, x, self.y, x + width, self.y + height, text, self._heading_line))
        return super()._render_styled_text_line(text_line, h, *args, **kwargs)
