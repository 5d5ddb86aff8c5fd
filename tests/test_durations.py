import pytest
from hypothesis import given
from hypothesis import strategies as st

from posture_assistant.durations import format_countdown, format_duration, parse_duration


@pytest.mark.parametrize("text, seconds", [
    ("90", 90), (90, 90), (1.5, 1.5), ("90.5", 90.5), ("90s", 90), ("45m", 2700),
    ("1h30m", 5400), ("1h 30m", 5400), ("2H", 7200), ("1d", 86400), (" 5m ", 300),
    ("PT1H30M", 5400), ("pt90s", 90), ("P1D", 86400), ("P1DT2H", 93600), ("PT0.5S", 0.5),
])
def test_parses(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "PT", "P", "abc", "1x", "T1H", "m", "5m5h", "nan", "inf",
                                  True, None, [5], "P1Y", "P1M"])
def test_rejects_with_the_hint(text):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["0", "-5", 0, "0s"])
def test_rejects_zero_and_negative(text):
    with pytest.raises(ValueError, match="longer than 0"):
        parse_duration(text)


@pytest.mark.parametrize("seconds, text", [
    (3600, "1h"), (5400, "1h30m"), (180, "3m"), (90, "1m30s"), (3, "3s"), (0.5, "0.5s"),
    (86400, "1d"), (3661, "1h1m1s"),
])
def test_formats(seconds, text):
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=10 * 86400))
def test_format_round_trips(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("seconds, text", [
    (0, "now"), (30, "under 1 min"), (60, "1 min"), (61, "2 min"), (3599, "1 h"),
    (3660, "1 h 1 min"), (7200, "2 h"), (30 * 86400, "30 days"),
])
def test_countdown_rounds_up_to_minutes(seconds, text):
    assert format_countdown(seconds) == text
