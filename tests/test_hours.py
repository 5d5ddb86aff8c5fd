"""Working hours: parsing, and where a moment falls, across DST in a named zone."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from posture_assistant.storage.hours import parse_working_hours, where

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args):
    return datetime(*args, tzinfo=BERLIN).timestamp()


def test_text_and_table_forms_agree():
    text = parse_working_hours("mon-fri 09:00-12:30, 13:30-17:30; sat 10:00-12:00")
    table = parse_working_hours({"mon-fri": ["09:00-12:30", "13:30-17:30"],
                                 "sat": "10:00-12:00"})
    assert text == table
    assert str(text).startswith("mon 09:00-12:30, 13:30-17:30; tue")
    assert parse_working_hours(str(text)) == text


@pytest.mark.parametrize("value", [None, "", "always", " Always "])
def test_always_on(value):
    assert parse_working_hours(value) is None


@pytest.mark.parametrize("value, words", [
    ("moon 09:00-10:00", "unknown day 'moon'"),
    ("mon 9-17", "not a time range"),
    ("mon 17:00-09:00", "ends before it starts"),
    ("mon 25:00-26:00", "not a time of day"),
    ("mon 09:00-12:00, 11:00-13:00", "overlap"),
    ("mon", "no time ranges"),
    (42, "expected e.g."),
])
def test_mistakes_are_one_line(value, words):
    with pytest.raises(ValueError) as e:
        parse_working_hours(value)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_inside_outside_and_the_next_change():
    hours = parse_working_hours("mon-fri 09:00-12:30, 13:30-17:30")
    # Wednesday 2026-11-25
    assert where(at(2026, 11, 25, 10, 0), hours, BERLIN) == (True, at(2026, 11, 25, 12, 30))
    assert where(at(2026, 11, 25, 12, 45), hours, BERLIN) == (False, at(2026, 11, 25, 13, 30))
    # Friday evening: the next start is Monday morning.
    assert where(at(2026, 11, 27, 18, 0), hours, BERLIN) == (False, at(2026, 11, 30, 9, 0))


def test_a_range_across_midnight_is_one_span():
    hours = parse_working_hours("mon 20:00-24:00; tue 00:00-02:00")
    assert where(at(2026, 11, 23, 23, 0), hours, BERLIN) == (True, at(2026, 11, 24, 2, 0))


def test_dst_days_in_berlin():
    hours = parse_working_hours("sun 01:00-04:00")
    # 2026-03-29: 02:00 does not exist; the span is 2 real hours long.
    inside, end = where(at(2026, 3, 29, 1, 30), hours, BERLIN)
    assert inside and end - at(2026, 3, 29, 1, 0) == 2 * 3600
    # 2026-10-25: 02:00-03:00 happens twice; the span is 4 real hours long.
    inside, end = where(at(2026, 10, 25, 1, 30), hours, BERLIN)
    assert inside and end - at(2026, 10, 25, 1, 0) == 4 * 3600
