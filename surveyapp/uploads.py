"""The one reader of uploaded CSV files (contacts, offline submissions,
population margins): every row read before anything is stored, and every
problem the csv module raises turned into a message naming the line."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from .limits import MAX_CSV_FIELD
from .wrappers import NUL


class CSVFileError(ValueError):
    """The file cannot be read at ``line`` (1 = the first line); ``message`` is for people."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def read_csv(
    text: str, dialect: type[csv.Dialect] | csv.Dialect | str = csv.excel, **options
) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every row of ``text``, the header included.

    Raises CSVFileError for a NUL character (PostgreSQL text cannot hold it), a
    field over MAX_CSV_FIELD characters, or a quoting error. The whole file is
    read first (uploads are bounded by MAX_CONTENT_LENGTH), so a bad last line
    is found before the first one is stored."""
    if NUL in text:
        line = text.count("\n", 0, text.index(NUL)) + 1
        raise CSVFileError(
            line, _("Line %(n)d contains a NUL character (\\0); save the file again as CSV text.", n=line)
        )
    reader = csv.reader(io.StringIO(text, newline=""), dialect, **options)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as error:
        line = reader.line_num
        if "field larger than field limit" in str(error):
            raise CSVFileError(
                line,
                _("Line %(n)d: a value is longer than %(max)s characters.", n=line, max=format(MAX_CSV_FIELD, ",")),
            ) from None
        raise CSVFileError(line, _("Line %(n)d cannot be read (check the quotation marks).", n=line)) from None
    return rows
