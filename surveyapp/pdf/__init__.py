"""The PDF base every printed document is built on (fpdf2): ``Document`` (fonts,
margins, running footer with page n of N) and ``blocks`` (headings kept with
what follows, paragraphs, facts, images, tables), each measured before it is
placed. The survey and programme reports (reports/) and the paper
questionnaire and poster (distribute/pdf.py) draw on it."""

from . import blocks
from .document import FONT, INK, MUTED, Box, Document

__all__ = ["FONT", "INK", "MUTED", "Box", "Document", "blocks"]
