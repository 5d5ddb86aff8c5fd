"""The Windows and macOS adapters' own logic, from recorded values (their APIs
cannot run here), and the Linux ones' behaviour with nothing to talk to."""
import pytest

from posture_assistant.adapters.fullscreen._win32 import is_fullscreen
from posture_assistant.adapters.idle import Unavailable, open_source
from posture_assistant.adapters.idle._win32 import idle_ms


@pytest.mark.parametrize("now, last, expected", [
    (5000, 2000, 3000),
    (200, 4_294_967_000, 496),  # GetTickCount wrapped after 49.7 days
    (7, 7, 0),
])
def test_windows_idle_across_the_tick_wrap(now, last, expected):
    assert idle_ms(now, last) == expected


@pytest.mark.parametrize("state, full", [(1, False), (2, True), (3, True), (4, True), (5, False)])
def test_windows_notification_states(state, full):
    assert is_fullscreen(state) is full


def test_no_display_no_bus_gives_reasons_not_errors(monkeypatch, tmp_path, session_bus):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/none")
    found = open_source()
    assert isinstance(found, Unavailable)
    assert "no X display" in found.reason and "GNOME" in found.reason
    from posture_assistant.adapters.fullscreen import open_source as fullscreen_source

    screen = fullscreen_source()
    assert isinstance(screen, Unavailable) and "no X display" in screen.reason


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_platforms_adapters_fail_soft_here(monkeypatch, platform):
    """On the wrong OS the adapters cannot load their libraries; what comes
    back is the null object with a reason, never an exception."""
    import sys

    from posture_assistant.adapters.fullscreen import open_source as fullscreen_source

    monkeypatch.setattr(sys, "platform", platform)
    found = open_source()
    assert isinstance(found, Unavailable) and found.reason
    screen = fullscreen_source()
    assert isinstance(screen, Unavailable) and screen.reason and not screen.available
