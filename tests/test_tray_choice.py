"""Which tray `auto` picks, and the one-line refusals, on a real private
bus with and without a StatusNotifierItem watcher on it (no X display: the
cases with one are in tests/e2e, on real trays)."""
from __future__ import annotations

import pytest

from posture_assistant.adapters import _dbus
from posture_assistant.adapters._util import Unavailable
from posture_assistant.adapters.tray import detect


@pytest.fixture
def bus(private_bus, session_bus, monkeypatch):
    monkeypatch.setattr(detect.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    session_bus(private_bus)
    return private_bus


def own_watcher(address: str) -> _dbus.Bus:
    other = _dbus.connect()
    other.call(_dbus.BUS, _dbus.BUS_PATH, _dbus.BUS, "RequestName", "su",
               ("org.kde.StatusNotifierWatcher", 0))
    return other


def test_auto_takes_the_watcher_and_waits_for_one_without(bus):
    assert detect.choose("auto") == "sni"  # none yet: the item waits for a panel
    watcher = own_watcher(bus)
    try:
        assert detect.choose("auto") == "sni"
        assert detect.choose("sni") == "sni"
    finally:
        watcher.close()


def test_gtk_refuses_on_wayland_and_appindicator_without_a_watcher(bus):
    for setting, words in (("gtk", "Wayland cannot show"),
                           ("appindicator", "needs a StatusNotifierItem watcher")):
        choice = detect.choose(setting)
        assert isinstance(choice, Unavailable)
        if "PyGObject" not in choice.reason:  # without it, that is the reason given
            assert words in choice.reason and "tray_backend=auto" in choice.reason
        assert "\n" not in choice.reason


def test_xorg_refuses_without_an_x_display(bus):
    choice = detect.choose("xorg")
    assert isinstance(choice, Unavailable) and "DISPLAY is not set" in choice.reason


def test_without_a_bus_or_a_display_nothing_can_show(monkeypatch, session_bus):
    monkeypatch.setattr(detect.sys, "platform", "linux")
    for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(detect.choose("auto"), Unavailable)
    assert "needs a D-Bus session bus" in detect.choose("sni").reason
    assert detect.choose("none").name == "off"


@pytest.mark.parametrize("desktop,extension", [("GNOME", True), ("ubuntu:GNOME", True),
                                               ("XFCE", False), ("sway", False), ("KDE", False)])
def test_the_gnome_extension_is_named_only_on_gnome(monkeypatch, desktop, extension):
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", desktop)
    assert ("AppIndicator extension" in detect.missing_tray_hint()) is extension


def test_gtk_refuses_under_wayland_even_with_xwayland(bus, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")  # XWayland's, where no panel shows XEmbed icons
    choice = detect.choose("gtk")
    assert isinstance(choice, Unavailable)
    assert "Wayland cannot show" in choice.reason or "PyGObject" in choice.reason
