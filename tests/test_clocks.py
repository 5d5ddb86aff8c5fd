"""Suspend and clock changes told apart, from recorded clock readings."""
from posture_assistant.app.sensors import read_clocks as read
from posture_assistant.core.clocks import Change, Reading, compare

BEFORE = Reading(wall=1_790_000_000.0, mono=5000.0, boot=5100.0)


def after(wall, mono, boot):
    return Reading(BEFORE.wall + wall, BEFORE.mono + mono,
                   None if boot is None else BEFORE.boot + boot)


def test_an_ordinary_minute_is_nothing():
    assert compare(BEFORE, after(60.2, 60.0, 60.0)) == Change(0.0, 0.0)


def test_a_two_hour_suspend_on_linux():
    # monotonic stopped, boot time and the wall clock ran on
    assert compare(BEFORE, after(7260, 60, 7260)) == Change(7200, 0.0)


def test_an_ntp_step_back_on_linux():
    assert compare(BEFORE, after(60 - 3600, 60, 60)) == Change(0.0, -3600)


def test_a_manual_change_forward_during_a_suspend():
    assert compare(BEFORE, after(60 + 600 + 3600, 60, 660)) == Change(600, 3600)


def test_without_a_boot_clock_forward_is_sleep_and_back_is_a_change():
    assert compare(BEFORE, after(1860, 60, None)) == Change(1800, 0.0)
    assert compare(BEFORE, after(-1740, 60, None)) == Change(0.0, -1800)


def test_real_clocks_read_consistently():
    first, second = read(), read()
    assert compare(first, second) == Change(0.0, 0.0)
