"""Reading a contact list (CSV) into contacts, all or nothing.

Pure code: no Flask request, no database. Every bad row is reported with
its line number so the organiser can fix the file in one go; a list with
any bad row imports nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..uploads import CSVFileError, read_csv

MAX_ROWS = 5000
MAX_SEGMENT_COLUMNS = 20
SEGMENT_VALUE_MAX = 100
NAME_MAX = 120
EMAIL_MAX = 254
# Column names people use for the three known fields (lower-case).
ALIASES = {
    "name": {"name", "nama", "full name", "nama lengkap"},
    "email": {"email", "e-mail", "e_mail", "surel", "mail"},
    "phone": {"phone", "telepon", "telp", "hp", "no hp", "no_hp", "nomor hp", "whatsapp", "wa", "mobile"},
}
EMAIL_RE = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
SEGMENT_KEY_RE = re.compile(r"[^a-z0-9_]+")


@dataclass
class Contact:
    line: int
    name: str | None
    email: str | None
    phone: str | None
    segments: dict = field(default_factory=dict)


@dataclass
class RowError:
    line: int  # 0 for a problem with the whole file
    message: str


class ContactListError(ValueError):
    """The list cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.line}: {e.message}" for e in errors))


def normalise_email(value: str) -> str:
    return value.strip().lower()


def normalise_phone(value: str) -> str | None:
    """Indonesian numbers to 62XXXXXXXX (digits only, as wa.me wants them);
    None when it does not look like a phone number."""
    text = value.strip()
    if not re.fullmatch(r"\+?[0-9 ()\-.]{6,24}", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        pass
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not 9 <= len(digits) <= 15:
        return None
    return digits


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark; anything else is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContactListError(
            [
                RowError(
                    0,
                    _(
                        "The file is not in UTF-8. In your spreadsheet choose "
                        '"Save as" → "CSV UTF-8" and upload it again.'
                    ),
                )
            ]
        ) from None


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _column_kind(title: str) -> str | None:
    key = title.strip().lower()
    return next((kind for kind, names in ALIASES.items() if key in names), None)


def segment_key(title: str) -> str:
    return SEGMENT_KEY_RE.sub("_", title.strip().lower()).strip("_")[:40]


def parse(data: bytes) -> list[Contact]:
    """Contacts from a CSV file; raises ContactListError with every problem."""
    text = decode(data)
    if not text.strip():
        raise ContactListError([RowError(0, _("The file is empty."))])
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        lines = read_csv(text, delimiter=_delimiter(first_line))
    except CSVFileError as error:
        raise ContactListError([RowError(error.line, error.message)]) from None
    header = lines[0][1]
    kinds = [_column_kind(title) for title in header]
    problems = _check_header(header, kinds)
    if problems:
        raise ContactListError(problems)
    contacts: list[Contact] = []
    errors: list[RowError] = []
    rows = 0
    for line_no, row in lines[1:]:
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise ContactListError(
                [RowError(0, _("The list has more than %(n)d contacts. Split it into smaller files.", n=MAX_ROWS))]
            )
        contact, message = _read_row(line_no, header, kinds, row)
        if message:
            errors.append(RowError(line_no, message))
        else:
            contacts.append(contact)
    if errors:
        raise ContactListError(errors)
    if not contacts:
        raise ContactListError([RowError(0, _("The file has column names but no contacts."))])
    return contacts


def _check_header(header: list[str], kinds: list[str | None]) -> list[RowError]:
    problems = []
    if "email" not in kinds and "phone" not in kinds:
        problems.append(
            RowError(
                1,
                _(
                    'The first line must name the columns, with a column "email" or '
                    '"phone" (or both), and optionally "name".'
                ),
            )
        )
    seen = set()
    for title, kind in zip(header, kinds):
        key = kind or segment_key(title)
        if not key:
            problems.append(RowError(1, _("Every column needs a name in the first line.")))
        elif key in seen:
            problems.append(RowError(1, _('The column "%(name)s" appears twice.', name=title.strip())))
        seen.add(key)
    if sum(1 for kind in kinds if kind is None) > MAX_SEGMENT_COLUMNS:
        problems.append(RowError(1, _("At most %(n)d extra columns can be kept.", n=MAX_SEGMENT_COLUMNS)))
    return problems


def _read_row(
    line: int, header: list[str], kinds: list[str | None], row: list[str]
) -> tuple[Contact | None, str | None]:
    if len(row) != len(header):
        return None, _(
            "This line has %(found)d columns but the first line has %(expected)d.", found=len(row), expected=len(header)
        )
    values = {"name": None, "email": None, "phone": None}
    segments = {}
    for title, kind, cell in zip(header, kinds, row):
        cell = cell.strip()
        if kind:
            values[kind] = cell or None
        elif cell:
            if len(cell) > SEGMENT_VALUE_MAX:
                return None, _(
                    'The value in column "%(name)s" is longer than %(n)d characters.',
                    name=title.strip(),
                    n=SEGMENT_VALUE_MAX,
                )
            segments[segment_key(title)] = cell
    if not values["email"] and not values["phone"]:
        return None, _("This contact has no e-mail address and no phone number.")
    if values["name"] and len(values["name"]) > NAME_MAX:
        return None, _("The name is longer than %(n)d characters.", n=NAME_MAX)
    email = phone = None
    if values["email"]:
        email = normalise_email(values["email"])
        if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
            return None, _('"%(value)s" is not an e-mail address like name@example.org.', value=values["email"][:60])
    if values["phone"]:
        phone = normalise_phone(values["phone"])
        if phone is None:
            return None, _('"%(value)s" is not a phone number like 0812 3456 7890.', value=values["phone"][:40])
    return Contact(line, values["name"], email, phone, segments), None
