"""Bounds on what people upload and type, in one place (documented in
docs/survey-format.md and docs/security.md). Each is checked before the
expensive work it protects, and a refusal names the limit."""

from __future__ import annotations

# ---- numbers ----------------------------------------------------------------
# Population figures (survey and programme margins, community size) are stored in
# 32-bit integer columns (at most 2,147,483,647); a billion people is more than
# any community Suara serves and leaves head room for sums.
MAX_POPULATION = 1_000_000_000

# ---- CSV uploads (contacts, offline submissions, population margins) ---------
# Python's csv module refuses longer fields; the default is kept and named so the
# message can say it.
MAX_CSV_FIELD = 131_072

# ---- XLSX uploads (XLSForm) ---------------------------------------------------
# Checked on the zip and by streaming the sheets' XML, before openpyxl builds a
# cell: a 60 KB file can unpack to gigabytes or to millions of cells.
XLSX_MAX_MEMBERS = 200  # files inside the zip (a real XLSForm has ~15)
XLSX_MAX_UNCOMPRESSED = 20 * 1024 * 1024  # bytes, all members together (a 5,000-row form is ~5 MB)
XLSX_MAX_ROWS = 20_000  # <row> elements in one sheet, blank rows included
XLSX_MAX_COLUMNS = 16_384  # cells in one row: Excel's own maximum (column XFD)
XLSX_MAX_CELLS = 500_000  # cells in all sheets together
XLSX_MAX_SHARED_STRINGS = 500_000  # entries in the shared strings table

# What an XLSForm may hold once read (workbook.py): rows with content in one sheet,
# and the columns read from each row (later columns are ignored).
XLSFORM_MAX_ROWS = 5_000
XLSFORM_MAX_COLUMNS = 200
