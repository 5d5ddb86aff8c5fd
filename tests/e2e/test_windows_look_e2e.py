"""How our windows look, on the real desktop: they follow the desktop's
light or dark choice, POSTURE_THEME overrules it, both carry the app icon,
and both grow with a high-DPI desktop's Xft.dpi.

No desktop portal can run here, so a stand-in serves the one portal method
we call (Settings.Read, answered as xdg-desktop-portal answers it) on the
test's real session bus; the adapter's D-Bus calls and the windows are the
real ones, and the colours are read back from a screenshot.
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from PIL import Image

from posture_assistant.adapters._dbus import DBusError
from tests.dbus_standin import StandIn

from .conftest import wait_for

PORTAL = "org.freedesktop.portal.Desktop"

PANEL = (["panel"], "Posture Assistant")
CHECKLIST = (["checklist", "--window"], "Check my workspace")
DARK, LIGHT = 1, 2  # the portal's color-scheme values


@pytest.fixture
def portal(desktop):
    """start(scheme): a stand-in desktop portal that answers `scheme`,
    gone from the bus again after the test."""
    from posture_assistant.adapters.appearance import _portal

    made = []

    def start(scheme: int) -> None:
        # As xdg-desktop-portal answers Read: the value in a second variant.
        made.append(StandIn(desktop.bus, PORTAL, _portal.PATH, {
            "Read": lambda namespace, key: ("v", (("v", ("u", scheme)),))
            if (namespace, key) == (_portal.NAMESPACE, _portal.KEY) else
            DBusError("org.freedesktop.portal.Error.NotFound", "Requested setting not found")}))

    yield start
    for stand_in in made:
        stand_in.close()
    wait_for(lambda: not desktop.name_has_owner(PORTAL), 10, what="the portal to go")


def open_window(desktop, app, window, **env):
    """Start one of our windows; (its process, its X window id, its geometry)."""
    argv, title = window
    proc = subprocess.Popen([sys.executable, "-m", "posture_assistant", *argv],
                            env=dict(app.env, **env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    wid = wait_for(lambda: next((i for i, g in desktop.toplevels().items()
                                 if g[1].startswith(title)), None),
                   20, what=f"the {title!r} window")
    geometry = settled(desktop, wid)
    # Keys go where the focus is, which Tk takes a moment after mapping.
    wait_for(lambda: desktop.run("xdotool", "getwindowfocus").stdout.strip() == str(wid), 10,
             interval=0.05, what=f"the {title!r} window to take the focus")
    return proc, wid, geometry


def settled(desktop, wid, settle=0.3):
    """The window's geometry once unchanged for `settle` s: Tk maps a
    window at 200x200 and then gives it the size of what it holds."""
    seen = {"geometry": None, "since": 0.0}

    def still():
        geometry, now = desktop.toplevels().get(wid), time.monotonic()
        if geometry != seen["geometry"]:
            seen.update(geometry=geometry, since=now)
        return geometry if geometry and now - seen["since"] >= settle else None

    return wait_for(still, 10, interval=0.05, what="the window to settle")


def close(desktop, proc, wid) -> None:
    desktop.xdotool("key", "Escape")  # the window took the focus when it opened
    assert proc.wait(10) in (0, 1), proc.stdout.read()  # the checklist exits 1: nothing saved


def brightness(desktop, tmp_path, geometry) -> float:
    """0 to 255: the window's background, in its bottom-right padding."""
    _, _, x, y, w, h = geometry
    shot = desktop.screenshot(tmp_path / "look.png")
    return sum(Image.open(shot).convert("RGB").getpixel((x + w - 4, y + h - 4))) / 3


def test_the_portal_adapter_reads_the_desktops_choice(desktop, portal, monkeypatch,
                                                      session_bus):
    portal(DARK)
    session_bus(desktop.bus)
    monkeypatch.delenv("POSTURE_THEME", raising=False)
    from posture_assistant.adapters.appearance import _portal, dark_mode

    assert _portal.open().prefers_dark() is True
    assert dark_mode() is True


@pytest.mark.parametrize("window", [PANEL, CHECKLIST], ids=["panel", "checklist"])
def test_windows_are_dark_when_the_desktop_is(desktop, posture, windows, portal, tmp_path,
                                              window):
    portal(DARK)
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    proc, wid, geometry = open_window(desktop, app, window)
    assert brightness(desktop, tmp_path, geometry) < 60
    close(desktop, proc, wid)


def test_windows_are_light_when_the_desktop_is(desktop, posture, windows, portal, tmp_path):
    portal(LIGHT)
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    proc, wid, geometry = open_window(desktop, app, PANEL)
    assert brightness(desktop, tmp_path, geometry) > 200
    close(desktop, proc, wid)


def test_posture_theme_overrules_the_desktop(desktop, posture, windows, portal, tmp_path):
    portal(DARK)
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    proc, wid, geometry = open_window(desktop, app, PANEL, POSTURE_THEME="light")
    assert brightness(desktop, tmp_path, geometry) > 200
    close(desktop, proc, wid)


def test_both_windows_carry_the_app_icon(desktop, posture, windows):
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    icon = desktop.x.intern_atom("_NET_WM_ICON")
    for window in (PANEL, CHECKLIST):
        proc, wid, _ = open_window(desktop, app, window)
        found = desktop.x.create_resource_object("window", wid).get_full_property(icon, 0)
        assert found is not None and found.value[0] >= 32, window  # width, height, pixels
        close(desktop, proc, wid)


@pytest.fixture
def xft_dpi(desktop):
    """set(dpi): Xft.dpi in the X server's resource database, as GNOME and
    KDE set it for a scaled screen; taken out again after the test."""
    from Xlib import Xatom

    prop = desktop.x.intern_atom("RESOURCE_MANAGER")

    def put(dpi: int) -> None:
        desktop.root.change_property(prop, Xatom.STRING, 8, f"Xft.dpi:\t{dpi}\n".encode())
        desktop.x.sync()

    yield put
    desktop.root.delete_property(prop)
    desktop.x.sync()


def test_windows_grow_with_the_desktops_dpi(desktop, posture, windows, xft_dpi):
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    sizes = {}
    for dpi in (96, 192):
        xft_dpi(dpi)
        for window in (PANEL, CHECKLIST):
            proc, wid, geometry = open_window(desktop, app, window)
            sizes[dpi, window[1]] = geometry[4:]
            close(desktop, proc, wid)
    for _, title in (PANEL, CHECKLIST):
        (w1, h1), (w2, h2) = sizes[96, title], sizes[192, title]
        assert 1.7 < w2 / w1 < 2.3 and 1.7 < h2 / h1 < 2.3, (title, sizes)
