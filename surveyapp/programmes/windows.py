"""Time windows for the metric set: "2026-07", "2026-Q3", "2026", "2026-07-01..2026-09-30" (no Flask, no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
YEAR = re.compile(r"^(\d{4})$")
CUSTOM = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
MAX_CUSTOM_DAYS = 366 * 5


class WindowError(ValueError):
    """A window string that does not name a period; the message says which forms work."""


@dataclass(frozen=True)
class Window:
    """A closed range of calendar days [start, end] in the organisation's time zone."""

    kind: str  # month | quarter | year | custom
    start: date
    end: date

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def utc_bounds(self, tz: str = "Asia/Jakarta") -> tuple[datetime, datetime]:
        """[start, end) as naive UTC datetimes: local midnight of the first day to local
        midnight after the last day, as stored timestamps are naive UTC."""
        zone = ZoneInfo(tz)

        def utc(day: date) -> datetime:
            local = datetime.combine(day, time.min, tzinfo=zone)
            return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

        return utc(self.start), utc(self.end + timedelta(days=1))

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        if self.kind == "month":
            last = self.start - timedelta(days=1)
            return month(last.year, last.month)
        if self.kind == "quarter":
            last = self.start - timedelta(days=1)
            return quarter(last.year, (last.month - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        return Window("custom", self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def previous_windows(self, count: int = 4) -> list[Window]:
        """The ``count`` windows before this one, oldest first."""
        out, current = [], self
        for _ in range(count):
            current = current.previous()
            out.append(current)
        return out[::-1]


def month(y: int, m: int) -> Window:
    first = date(y, m, 1)
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return Window("month", first, nxt - timedelta(days=1))


def quarter(y: int, q: int) -> Window:
    first = date(y, 3 * (q - 1) + 1, 1)
    end_month = month(y, 3 * q)
    return Window("quarter", first, end_month.end)


def year(y: int) -> Window:
    return Window("year", date(y, 1, 1), date(y, 12, 31))


HELP = 'Use a month "2026-07", a quarter "2026-Q3", a year "2026" or a range "2026-07-01..2026-09-30".'


# A window, the earlier windows it is compared with and its bounds in any
# time zone must stay inside what a date holds (years 1-9999).
FIRST_YEAR, LAST_YEAR = 1900, 9998


def parse_window(text: str | None) -> Window:
    """Parse a window string; raises WindowError with a message naming the accepted forms."""
    window = _parse(text)
    if window.start.year < FIRST_YEAR or window.end.year > LAST_YEAR:
        raise WindowError(f"Use a window within the years {FIRST_YEAR} to {LAST_YEAR}. {HELP}")
    return window


def _parse(text: str | None) -> Window:
    value = (text or "").strip()
    if value[:4].isdigit() and not FIRST_YEAR <= int(value[:4]) <= LAST_YEAR:
        # Before building the window: 9999-12 has no following month to end it.
        raise WindowError(f"Use a window within the years {FIRST_YEAR} to {LAST_YEAR}. {HELP}")
    try:
        if m := MONTH.match(value):
            if not 1 <= int(m.group(2)) <= 12:
                raise WindowError(f"Month {m.group(2)} does not exist. {HELP}")
            return month(int(m.group(1)), int(m.group(2)))
        if m := QUARTER.match(value):
            return quarter(int(m.group(1)), int(m.group(2)))
        if m := YEAR.match(value):
            return year(int(value))
        if m := CUSTOM.match(value):
            try:
                start, end = date.fromisoformat(m.group(1)), date.fromisoformat(m.group(2))
            except ValueError:
                raise WindowError(f'"{value}" contains a date that does not exist. {HELP}') from None
            if end < start:
                raise WindowError(f"The range ends before it starts ({value}).")
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise WindowError("A range may cover at most five years.")
            return Window("custom", start, end)
    except WindowError:
        raise
    except ValueError:
        pass
    raise WindowError(f'"{value[:40]}" is not a time window. {HELP}')


def window_of(day: date, kind: str = "quarter") -> Window:
    """The month, quarter or year that contains ``day``."""
    if kind == "month":
        return month(day.year, day.month)
    if kind == "year":
        return year(day.year)
    return quarter(day.year, (day.month - 1) // 3 + 1)
