import pytest
from hypothesis import given
from hypothesis import strategies as st

from posture_assistant.i18n import format_countdown
from posture_assistant.storage.durations import format_duration, parse_duration


@pytest.mark.parametrize("value, seconds", [
    ("90", 90), (90, 90), (1.5, 1.5), ("90.5", 90.5), ("+90", 90), ("90s", 90), ("45m", 2700),
    ("1h30m", 5400), ("1h 30m", 5400), ("2H", 7200), ("1d", 86400), (" 5m ", 300),
    ("1d2h3m4s", 93784), ("1.5h", 5400), ("PT1H30M", 5400), ("pt90s", 90), ("P1D", 86400),
    ("P1DT2H", 93600), ("PT0.5S", 0.5),
])
def test_parses(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", [
    "", " ", "PT", "P", "P1DT", "PT5", "abc", "1x", "T1H", "m", "5m5h", "1h1h", "1 h", "-5m",
    "1e3", "nan", "inf", "\u0661\u0662", "P1Y", "P1M", "P1W", "1h30", True, None, [5],
    float("nan"), float("inf"), 10**400,
])
def test_rejects_with_the_hint(value):
    hint = "^expected a duration such as 90, 90s, 45m, 1h30m or PT1H30M$"
    with pytest.raises(ValueError, match=hint):
        parse_duration(value)


@pytest.mark.parametrize("value", ["0", "-5", 0, -1.5, "0s", "PT0S", "0h0m"])
def test_rejects_zero_and_negative(value):
    with pytest.raises(ValueError, match="^must be longer than 0 seconds$"):
        parse_duration(value)


@pytest.mark.parametrize("seconds, text", [
    (3600, "1h"), (5400, "1h30m"), (180, "3m"), (90, "1m30s"), (3, "3s"), (0.5, "0.5s"),
    (86400, "1d"), (3661, "1h1m1s"), (90000, "1d1h"), (9.25, "9.25s"), (10.4, "10s"),
    (59.6, "1m"),
])
def test_formats(seconds, text):
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=10 * 86400))
def test_whole_seconds_round_trip(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=1, max_value=9999))
def test_milliseconds_under_ten_seconds_round_trip(ms):
    assert parse_duration(format_duration(ms / 1000)) == ms / 1000


@pytest.mark.parametrize("seconds, text", [
    (-5, "under 1 min"), (0, "under 1 min"), (59.9, "under 1 min"), (60, "1 min"),
    (61, "2 min"), (42 * 60, "42 min"), (3599, "1 h"), (3660, "1 h 1 min"), (3900, "1 h 5 min"),
    (7200, "2 h"), (30 * 86400, "30 days"),
])
def test_countdown_rounds_up_to_minutes(seconds, text):
    assert format_countdown(seconds) == text


def test_lengths_have_a_sane_maximum():
    from posture_assistant.storage.durations import WEEK

    # Past the year 9999 these crashed the app (issue 10): now one line.
    for value in ("400000000000", 4e11, "367d", "1e300"):
        with pytest.raises(ValueError, match="at most 366d|expected a duration"):
            parse_duration(value)
    assert parse_duration("366d") == 366 * 86400
    assert parse_duration("7d", WEEK) == WEEK
    with pytest.raises(ValueError, match="must be at most 7d"):
        parse_duration("7d1s", WEEK)


@pytest.mark.parametrize("text", [
    "1d" + " " * 5000 + "x",             # the spaces between units once backtracked cubically
    "1d " + " " * 3000 + "2h" + " " * 3000 + "x",
    "1" * 100000 + "x",
    "P" + "1" * 50000 + "DT" + "1" * 50000 + "x",
])
def test_long_text_is_refused_quickly(text):
    import time

    started = time.monotonic()
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)
    assert time.monotonic() - started < 0.5
