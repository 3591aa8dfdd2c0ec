"""A streaming writer of SPSS system files (.sav), so a .sav export of any
size runs in constant memory, like the CSV export.

The format (as documented by GNU PSPP, "System File Format") is a
dictionary followed by the cases:

* record 1, the header: ``$FL2``, the number of 8-byte elements per case,
  the compression, the number of cases and the compression bias;
* one record 2 per variable (and per 8-byte continuation of a string),
  with its short name, print format and variable label;
* records 3 and 4: a set of value labels and the variables it applies to;
* record 7 extensions: 3 (machine integers: IEEE floats, little-endian,
  UTF-8), 4 (system-missing, highest and lowest values), 11 (measurement
  level, display width, alignment), 13 (long variable names), 14 (very long
  strings, > 255 bytes) and 20 (the character encoding, UTF-8);
* record 999, then the cases.

**The case count.** The header comes first but the number of responses
is only certain at the end: responses complete while a download runs, so a
``COUNT(*)`` made before streaming can be wrong, and a wrong count makes
readers stop early or fail. The header therefore says -1 ("unknown", which
the format allows and SPSS, PSPP and ReadStat read by reading to the end of
the data) when the bytes go straight to an HTTP response, and
:func:`write_file` patches the real count into the header when it writes a
seekable file (the CLI). No temporary file is needed, so the first bytes of
a download leave after the first batch of rows and no worker waits for the
whole file before it answers.

**Strings** must have their width (in bytes) declared in the dictionary,
before any case is known, so :func:`string_widths` asks the database for the
longest stored text of each text column (``MAX`` of its byte length) first.
Widths above 255 bytes become "very long strings" (several 255-byte
segments, record 7.14); the format's limit is 32,767 bytes. A text that
grew after the widths were read (a response completing during the
download) is cut at a character boundary rather than breaking the file.

**Cases** use the format's bytecode compression by default: survey answers
are mostly small whole numbers or missing, which take one byte instead of
eight (the benchmark's file is half the uncompressed size; ids and times
stay 8 bytes). They are encoded a batch of rows at a time with numpy (see
CaseWriter), so memory is bounded by the batch, whatever the row count.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO

import numpy as np

from .layout import Column, Layout

SYSMIS = -sys.float_info.max  # the standard system-missing value
HIGHEST = sys.float_info.max
LOWEST = struct.unpack("<d", bytes.fromhex("feffffffffffefff"))[0]  # the next value above SYSMIS
BIAS = 100.0
MAX_STRING = 32_767  # the widest SPSS string, in bytes
SEGMENT_USED = 255  # bytes of a very long string held by each full segment
SEGMENT_STEP = 252  # the format counts segments in 252-byte steps (PSPP's EFFECTIVE_VLS_CHUNK)
VALUE_LABEL_MAX = 120  # bytes: SPSS's limit for value labels
VARIABLE_LABEL_MAX = 255  # bytes
FILE_LABEL_SIZE = 64
NCASES_OFFSET = 80  # where the case count sits in the header
SPACES = b"        "
SPSS_EPOCH = date(1582, 10, 14).toordinal()  # SPSS dates count seconds from the Gregorian calendar's start

# Print formats: (type code, width, decimals).
FMT_A, FMT_F, FMT_DATE, FMT_DATETIME = 1, 5, 20, 22
MEASURE = {"nominal": 1, "ordinal": 2, "scale": 3}
ALIGN_LEFT, ALIGN_RIGHT = 0, 1

# How a layout column becomes a variable (metadata columns by name, the
# others by kind); an unknown kind is written as text, which holds anything.
NUMERIC_META = {"response_id": (12, 0), "duration_seconds": (8, 0)}
DATETIME_META = {"started_at", "submitted_at"}
NUMERIC_KINDS = {"code", "flag", "number", "rank", "weight"}


@dataclass
class Variable:
    name: str
    label: str
    width: int  # 0 = numeric, else string bytes
    convert: str  # num, code, date, datetime, str
    fmt: tuple[int, int, int]
    measure: str
    value_labels: tuple = ()
    codes: dict = field(default_factory=dict)
    short_names: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.segments = 1 if self.width <= 255 else -(-self.width // SEGMENT_STEP)
        self.case_bytes = sum(self.segment_bytes(i) for i in range(self.segments))

    def segment_width(self, i: int) -> int:
        if self.width <= 255:
            return self.width
        return 255 if i < self.segments - 1 else self.width - i * SEGMENT_STEP

    def segment_bytes(self, i: int) -> int:
        """8-byte elements of a segment, in bytes."""
        return 8 if self.width == 0 else -(-self.segment_width(i) // 8) * 8


# ---- the variables ---------------------------------------------------------


def string_widths(layout: Layout, survey_id: int) -> dict[str, int]:
    """Declared width in bytes of every string variable, by column name: the
    longest answer stored for each text question (in SQL, any filter aside:
    an upper bound), the declared length of metadata columns."""
    from sqlalchemy import LargeBinary, cast, func, select

    from ..extensions import db
    from ..responses.models import Answer, Response
    from ..surveys.models import Question

    widths: dict[str, int] = {}
    by_code: dict[str, list[str]] = {}
    for column in layout.columns:
        if _convert(column) != "str":
            continue
        if column.question_code is None:
            declared = getattr(getattr(Response.__table__.c, column.name, None), "type", None)
            widths[column.name] = getattr(declared, "length", None) or 255
        else:
            by_code.setdefault(column.question_code, []).append(column.name)
            widths[column.name] = 1
    if by_code:
        # Byte length: PostgreSQL has octet_length; SQLite's length() of a
        # BLOB counts bytes (octet_length only arrived in SQLite 3.43).
        if db.engine.dialect.name == "postgresql":
            size = func.octet_length(Answer.value_text)
        else:
            size = func.length(cast(Answer.value_text, LargeBinary))
        found = db.session.execute(
            select(Question.code, func.max(size))
            .join(Answer, Answer.question_id == Question.id)
            .where(Question.survey_id == survey_id, Question.code.in_(list(by_code)), Answer.value_text.is_not(None))
            .group_by(Question.code)
        ).all()
        for code, longest in found:
            for name in by_code[code]:
                widths[name] = max(1, min(int(longest or 1), MAX_STRING))
    return widths


def _convert(column: Column) -> str:
    if column.name in NUMERIC_META and column.kind == "meta":
        return "num"
    if column.name in DATETIME_META and column.kind == "meta":
        return "datetime"
    if column.kind == "code":
        return "code"
    if column.kind in NUMERIC_KINDS:
        return "num"
    if column.kind == "date":
        return "date"
    return "str"


def _measure(column: Column, convert: str) -> str:
    if convert == "str" or column.kind in ("code", "flag"):
        return column.question_type.spss_measure if column.question_type is not None else "nominal"
    if column.kind == "rank":
        return "ordinal"
    return "scale"


def plan(layout: Layout, widths: dict[str, int]) -> list[Variable]:
    variables = []
    for column in layout.columns:
        convert = _convert(column)
        width = 0
        if convert == "str":
            width = max(1, min(widths.get(column.name, 255), MAX_STRING))
            fmt = (FMT_A, min(width, 255), 0)
        elif convert == "date":
            fmt = (FMT_DATE, 11, 0)
        elif convert == "datetime":
            fmt = (FMT_DATETIME, 20, 0)
        elif column.kind == "meta":
            fmt = (FMT_F, *NUMERIC_META[column.name])
        elif column.kind == "number":
            whole = column.question_type is not None and column.question_type.whole_numbers
            fmt = (FMT_F, 8, 0) if whole else (FMT_F, 10, 2 if column.qtype else 4)
        else:
            fmt = (FMT_F, 8, 0)
        labels = tuple((float(number), _clip_bytes(label, VALUE_LABEL_MAX)) for _code, number, label in column.codes)
        variables.append(
            Variable(
                column.name,
                column.label,
                width,
                convert,
                fmt,
                _measure(column, convert),
                labels if width == 0 else (),
                column.spss_codes() if convert == "code" else {},
            )
        )
    _short_names(variables)
    return variables


def _short_names(variables: list[Variable]) -> None:
    """Unique 8-byte upper-case names, one per segment; the real names go in
    the long-names record."""
    taken: set[str] = set()
    for variable in variables:
        base = variable.name.upper()[:8]
        for i in range(variable.segments):
            name, n = (base if i == 0 else base[:7] + "0"), 1
            while name in taken:
                suffix = str(n)
                name = base[: 8 - len(suffix)] + suffix
                n += 1
            taken.add(name)
            variable.short_names.append(name)


def _clip_bytes(text: str, limit: int) -> bytes:
    """UTF-8 of ``text`` in at most ``limit`` bytes, cut at a character
    boundary and ending in "…" when cut."""
    raw = (text or "").encode("utf-8")
    if len(raw) <= limit:
        return raw
    return raw[: limit - 3].decode("utf-8", "ignore").encode("utf-8") + "…".encode()


# ---- the dictionary ----------------------------------------------------------


def _i32(*values: int) -> bytes:
    return struct.pack(f"<{len(values)}i", *values)


def _fixed(text: str, size: int) -> bytes:
    raw = text.encode("utf-8")[:size].decode("utf-8", "ignore").encode("utf-8")
    return raw.ljust(size, b" ")


def header(case_size: int, compressed: bool, ncases: int = -1, label: str = "", now: datetime | None = None) -> bytes:
    now = now or datetime.now(UTC)
    return b"".join(
        [
            b"$FL2",
            _fixed("@(#) SPSS DATA FILE Suara (suara survey platform)", 60),
            _i32(2, case_size, 1 if compressed else 0, 0, ncases),
            struct.pack("<d", BIAS),
            now.strftime("%d %b %y").encode("ascii"),
            now.strftime("%H:%M:%S").encode("ascii"),
            _fixed(label, FILE_LABEL_SIZE),
            b"\0\0\0",
        ]
    )


def _format(fmt: tuple[int, int, int]) -> int:
    kind, width, decimals = fmt
    return (kind << 16) | (width << 8) | decimals


def _variable_records(variable: Variable) -> bytes:
    out = []
    for i in range(variable.segments):
        width = variable.segment_width(i)
        fmt = _format(variable.fmt if i == 0 or variable.width == 0 else (FMT_A, min(width, 255), 0))
        label = _clip_bytes(variable.label, VARIABLE_LABEL_MAX) if i == 0 and variable.label else b""
        out.append(_i32(2, width, 1 if label else 0, 0, fmt, fmt))
        out.append(variable.short_names[i].encode("ascii").ljust(8, b" "))
        if label:
            out.append(_i32(len(label)) + label.ljust(-(-len(label) // 4) * 4, b" "))
        # A string wider than 8 bytes takes one continuation record per
        # further 8-byte element.
        for _ in range(variable.segment_bytes(i) // 8 - 1):
            out.append(_i32(2, -1, 0, 0, 0, 0) + SPACES)
    return b"".join(out)


def _value_label_records(variables: list[Variable]) -> bytes:
    """One record 3 per distinct label set (a matrix or the 0/1 of every
    multiple-choice option share theirs), then record 4 with its variables'
    1-based element indexes."""
    sets: dict[tuple, list[int]] = {}
    index = 1
    for variable in variables:
        if variable.value_labels:
            sets.setdefault(variable.value_labels, []).append(index)
        index += variable.case_bytes // 8
    out = []
    for labels, indexes in sets.items():
        out.append(_i32(3, len(labels)))
        for number, label in labels:
            entry = struct.pack("<dB", number, len(label)) + label
            out.append(entry.ljust(8 + -(-(len(label) + 1) // 8) * 8, b" "))
        out.append(_i32(4, len(indexes), *indexes))
    return b"".join(out)


def _extension(subtype: int, size: int, data: bytes) -> bytes:
    return _i32(7, subtype, size, len(data) // size) + data


def dictionary(variables: list[Variable], compressed: bool = True, ncases: int = -1, label: str = "") -> bytes:
    """Everything before the cases: header, variables, value labels,
    extension records and the terminator."""
    case_size = sum(v.case_bytes for v in variables) // 8
    display = []
    for variable in variables:
        for i in range(variable.segments):
            shown = variable.fmt[1] if variable.width == 0 else min(variable.segment_width(i), 40)
            display += [MEASURE[variable.measure], shown, ALIGN_RIGHT if variable.width == 0 else ALIGN_LEFT]
    long_names = "\t".join(f"{v.short_names[0]}={v.name}" for v in variables).encode("utf-8")
    very_long = b"".join(
        f"{v.short_names[0]}={v.width:05d}".encode("ascii") + b"\0\t" for v in variables if v.segments > 1
    )
    return b"".join(
        [
            header(case_size, compressed, ncases, label),
            *(_variable_records(v) for v in variables),
            _value_label_records(variables),
            # machine integers: version 1.0.0, machine -1, IEEE 754, compression,
            # little-endian, UTF-8 (code page 65001)
            _extension(3, 4, _i32(1, 0, 0, -1, 1, 1, 2, 65001)),
            _extension(4, 8, struct.pack("<3d", SYSMIS, HIGHEST, LOWEST)),
            _extension(11, 4, _i32(*display)),
            _extension(13, 1, long_names),
            _extension(14, 1, very_long) if very_long else b"",
            _extension(20, 1, b"UTF-8"),
            _i32(999, 0),
        ]
    )


# ---- the cases ---------------------------------------------------------------
#
# Rows are encoded a batch at a time with numpy: each column becomes an
# array (floats, SYSMIS for missing, or space-padded bytes), the batch is a
# structured array laid out exactly like the cases, and compression is a few
# vectorised comparisons. Python touches each value once, in C-level map()
# and numpy conversions where it can; memory is bounded by the batch.

BATCH_ROWS = 2_000
CACHE_MAX = 512  # distinct strings remembered per variable (status, channel, language, repeated answers)
SYSMIS_BITS = struct.unpack("<Q", struct.pack("<d", SYSMIS))[0]
SPACES_BITS = struct.unpack("<Q", SPACES)[0]
SPSS_EPOCH_DAY = np.datetime64("1582-10-14", "D")
SPSS_EPOCH_DATETIME = datetime(1582, 10, 14)
SECOND = timedelta(seconds=1)


class _Codes(dict):
    """Option code -> SPSS number; anything else is system-missing."""

    def __missing__(self, key):
        return SYSMIS


def _string(value, variable: Variable) -> bytes:
    """The value's UTF-8, cut to the declared width at a character boundary
    and laid out in the variable's segments (255 bytes used of each 256 of a
    very long string), padded with spaces."""
    raw = b"" if value is None else (value if isinstance(value, str) else str(value)).encode("utf-8")
    if len(raw) > variable.width:
        raw = raw[: variable.width].decode("utf-8", "ignore").encode("utf-8")
    if variable.segments == 1:
        return raw.ljust(variable.case_bytes, b" ")
    return b"".join(
        raw[i * SEGMENT_USED : (i + 1) * SEGMENT_USED].ljust(variable.segment_bytes(i), b" ")
        for i in range(variable.segments)
    )


def _python_seconds(value) -> float:
    """SPSS seconds of a date or time given in any form (ISO text, with or
    without a zone, date, naive or aware datetime), or SYSMIS."""
    if not value:
        return SYSMIS
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return float((value.toordinal() - SPSS_EPOCH) * 86400 + value.hour * 3600 + value.minute * 60 + value.second)
    return float((value.toordinal() - SPSS_EPOCH) * 86400)


def _seconds(column: tuple):
    """A date or time column as SPSS seconds, SYSMIS when empty. A column
    holds one kind of value, so the first one picks the fast path: naive
    datetimes by C-level timedelta arithmetic, ISO dates parsed by numpy."""
    first = next((v for v in column if v), None)
    try:
        if isinstance(first, datetime) and first.tzinfo is None:
            values = np.array(
                [None if v is None else (v - SPSS_EPOCH_DATETIME) // SECOND for v in column], dtype=np.float64
            )
            values[np.isnan(values)] = SYSMIS
            return values
        if isinstance(first, str) and len(first) == 10:
            days = np.array([v or None for v in column], dtype="datetime64[D]")
            values = (days - SPSS_EPOCH_DAY).astype(np.int64).astype(np.float64) * 86400
            values[np.isnat(days)] = SYSMIS
            return values
    except (TypeError, ValueError):
        pass  # mixed kinds of value: one at a time below
    return np.array([_python_seconds(v) for v in column], dtype=np.float64)


class CaseWriter:
    """Encodes batches of rows as case bytes, uncompressed or with the
    format's bytecode compression: blocks of eight one-byte codes, each block
    followed by the 8-byte literals its codes 253 stand for (1..251 = the
    whole number code - 100, 253 = a literal follows, 254 = eight spaces,
    255 = system-missing, 0 = padding). Blocks run on across cases and
    batches, so a batch's incomplete last block waits for the next."""

    def __init__(self, variables: list[Variable], compressed: bool = True):
        self.variables = variables
        self.compressed = compressed
        self.dtype = np.dtype(
            [(f"v{i}", "<f8" if v.width == 0 else f"S{v.case_bytes}") for i, v in enumerate(variables)]
        )
        self.elements = self.dtype.itemsize // 8
        self.numeric = np.array([v.width == 0 for v in variables for _ in range(v.case_bytes // 8)], dtype=bool)
        self.codes = [_Codes(v.codes) for v in variables]
        self.caches: list[dict] = [{} for _ in variables]
        self.pending_codes = np.zeros(0, np.uint8)
        self.pending_literals = np.zeros(0, np.uint64)

    def encode(self, rows: list, final: bool = False) -> bytes:
        table = np.empty(len(rows), self.dtype)
        if rows:
            for i, column in enumerate(zip(*rows)):
                if i < len(self.variables):
                    table[f"v{i}"] = self._column(i, column)
        if not self.compressed:
            return table.tobytes()
        return self._compress(table, final)

    def _column(self, i: int, column: tuple):
        variable = self.variables[i]
        convert = variable.convert
        if convert == "num":
            try:
                values = np.array(column, dtype=np.float64)
            except (TypeError, ValueError):  # text where a number was expected: missing
                values = np.array([_float_or_nan(v) for v in column], dtype=np.float64)
            values[np.isnan(values)] = SYSMIS
            return values
        if convert == "code":
            return np.fromiter(map(self.codes[i].__getitem__, column), np.float64, len(column))
        if convert in ("date", "datetime"):
            return _seconds(column)
        cache = self.caches[i]
        out = []
        for value in column:
            encoded = cache.get(value)
            if encoded is None:
                encoded = _string(value, variable)
                if len(cache) < CACHE_MAX:
                    cache[value] = encoded
            out.append(encoded)
        return out

    def _compress(self, table, final: bool) -> bytes:
        elements = table.view(np.uint64).reshape(len(table), self.elements)
        numbers = elements.view(np.float64)
        codes = np.full(elements.shape, 253, np.uint8)
        numeric = np.broadcast_to(self.numeric, elements.shape)
        with np.errstate(invalid="ignore"):
            small = numeric & (numbers >= -99) & (numbers <= 151) & (numbers == np.floor(numbers))
        codes[small] = (numbers[small] + BIAS).astype(np.uint8)
        codes[numeric & (elements == SYSMIS_BITS)] = 255
        codes[~numeric & (elements == SPACES_BITS)] = 254
        flat = codes.ravel()
        all_codes = np.concatenate([self.pending_codes, flat])
        literals = np.concatenate([self.pending_literals, elements.ravel()[flat == 253]])
        if final and len(all_codes) % 8:
            all_codes = np.concatenate([all_codes, np.zeros(8 - len(all_codes) % 8, np.uint8)])
        blocks = len(all_codes) // 8
        head = all_codes[: blocks * 8]
        per_block = (head.reshape(blocks, 8) == 253).sum(axis=1)
        used = int(per_block.sum())
        self.pending_codes = all_codes[blocks * 8 :].copy()
        self.pending_literals = literals[used:].copy()
        # Each block is one 8-byte unit of codes, then its literals.
        out = np.empty(blocks + used, np.uint64)
        heads = np.arange(blocks) + np.concatenate([[0], np.cumsum(per_block)[:-1]]).astype(np.int64)
        is_literal = np.ones(blocks + used, bool)
        is_literal[heads] = False
        out[heads] = head.view(np.uint64)
        out[is_literal] = literals[:used]
        return out.tobytes()


def _float_or_nan(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def sav_chunks(
    layout: Layout, rows: Iterable, widths: dict[str, int], *, compressed: bool = True, label: str = ""
) -> Iterator[bytes]:
    """The file as byte chunks (one per batch of rows); the header says the
    case count is unknown (-1)."""
    variables = plan(layout, widths)
    writer = CaseWriter(variables, compressed)
    yield dictionary(variables, compressed, -1, label)
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield writer.encode(batch)
            batch = []
    last = writer.encode(batch, final=True)
    if last:
        yield last


def write_file(
    layout: Layout,
    rows: Iterable,
    target: str | BinaryIO,
    widths: dict[str, int],
    *,
    compressed: bool = True,
    label: str = "",
) -> int:
    """Write a .sav file to a path or a binary file; on a seekable file the
    real case count replaces the -1 in the header. Returns the count."""
    count = 0

    def counted():
        nonlocal count
        for row in rows:
            count += 1
            yield row

    handle = open(target, "wb") if isinstance(target, str) else target
    try:
        for chunk in sav_chunks(layout, counted(), widths, compressed=compressed, label=label):
            handle.write(chunk)
        if handle.seekable() and count < 2**31:
            end = handle.tell()
            handle.seek(NCASES_OFFSET)
            handle.write(_i32(count))
            handle.seek(end)
    finally:
        if isinstance(target, str):
            handle.close()
    return count
