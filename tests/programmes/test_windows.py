"""Window strings: parsing, bounds in the organisation's time zone, previous windows."""

from datetime import date, datetime

import pytest

from surveyapp.programmes.windows import WindowError, parse_window, window_of


@pytest.mark.parametrize(
    "text,start,end,key",
    [
        ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "2026-07"),
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-Q3"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        (" 2026-07-01..2026-07-10 ", date(2026, 7, 1), date(2026, 7, 10), "2026-07-01..2026-07-10"),
    ],
)
def test_parse(text, start, end, key):
    w = parse_window(text)
    assert (w.start, w.end, w.key) == (start, end, key)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-13",
        "2026-00",
        "2026-Q5",
        "Q3-2026",
        "26",
        "2026-07-10..2026-07-01",
        "2026-02-30..2026-03-01",
        "abc",
        "2026-07; drop table",
        "1800",
        "2000-01-01..2010-01-01",
    ],
)
def test_malformed_windows_say_what_works(text):
    with pytest.raises(WindowError) as error:
        parse_window(text)
    assert str(error.value)


def test_previous_windows_of_each_kind():
    assert [w.key for w in parse_window("2026-02").previous_windows(4)] == ["2025-10", "2025-11", "2025-12", "2026-01"]
    assert [w.key for w in parse_window("2026-Q1").previous_windows(2)] == ["2025-Q3", "2025-Q4"]
    assert [w.key for w in parse_window("2026").previous_windows(1)] == ["2025"]
    custom = parse_window("2026-07-01..2026-07-10").previous()
    assert (custom.start, custom.end) == (date(2026, 6, 21), date(2026, 6, 30))


def test_utc_bounds_follow_the_time_zone():
    start, end = parse_window("2026-07").utc_bounds("Asia/Jakarta")  # UTC+7
    assert start == datetime(2026, 6, 30, 17, 0) and end == datetime(2026, 7, 31, 17, 0)
    start, _ = parse_window("2026-07").utc_bounds("Asia/Jayapura")  # UTC+9
    assert start == datetime(2026, 6, 30, 15, 0)


def test_window_of():
    assert window_of(date(2026, 8, 15)).key == "2026-Q3"
    assert window_of(date(2026, 8, 15), "month").key == "2026-08"
    assert window_of(date(2026, 8, 15), "year").key == "2026"
