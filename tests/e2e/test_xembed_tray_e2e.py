"""The xorg (XEmbed) icon and a tray that comes and goes: one started after
the app (as at login), one that restarts or crashes. Each test has a desktop
of its own, so stopping its tray leaves the shared one alone."""
from __future__ import annotations

import shutil
import time

import pytest

from .conftest import Desktop, PostureApp, _check_stack, unavailable, wait_for
from .test_app_e2e import panel_window

BACK_WITHIN = 5.0  # seconds from a tray owning the selection to the icon settled in it
XORG = {"POSTURE_TRAY_BACKEND": "xorg", "POSTURE_BREAK_INTERVAL": "1h"}


@pytest.fixture
def bare(tmp_path):
    """A desktop with no tray running, and a way to start our app on it."""
    _check_stack()
    (tmp_path / "bare").mkdir()
    d = Desktop(tmp_path / "bare")
    apps: list[PostureApp] = []
    try:
        d.start(tray=False)
        import Xlib.display

        d.x = Xlib.display.Display(d.display)
        d.root = d.x.screen().root
        d.selection = d.x.intern_atom("_NET_SYSTEM_TRAY_S0")

        def app(env: dict | None = None) -> PostureApp:
            apps.append(PostureApp(d, tmp_path / f"app{len(apps)}", XORG if env is None else env,
                                   first_start=False))
            return apps[-1].start()

        d.app = app
        yield d
    finally:
        for a in apps:
            a.stop()
        d.stop()


def shown(app: PostureApp):
    """What status --json says is on screen (tray_detail), or None if nothing."""
    status = app.status()
    return status["tray_detail"] if status["tray"] else None


def says_size(app: PostureApp, icon) -> None:
    """status --json names the size the tray really gave the icon."""
    *_, w, h = icon
    status = app.status()
    assert (status["tray"], status["tray_detail"]) == ("xorg", f"XEmbed icon, {w}×{h}")


def docks_within(d: Desktop, since: float):
    """The icon settled in trayer; how long after `since` it got there."""
    icon, settled = d.wait_tray_icon(timeout=BACK_WITHIN + 15)
    assert settled - since < BACK_WITHIN, f"docked after {settled - since:.1f} s"
    return icon


def no_stray_window(d: Desktop) -> None:
    """With no tray, the icon's window is not on the screen as one of its own
    (a window manager would frame it, so ask xdotool rather than toplevels())."""
    r = d.run("xdotool", "search", "--onlyvisible", "--classname", "SystemTrayIcon", check=False)
    assert not r.stdout.strip(), d.toplevels()


def clean(app: PostureApp) -> None:
    log = app.log()
    assert "Traceback" not in log and "Failed to dock" not in log, log


def test_icon_docks_in_a_tray_that_starts_after_the_app(bare):
    app = bare.app()
    status = app.status()
    assert status["tray"] is None and "appears by itself" in status["tray_detail"]
    time.sleep(1.5)  # the panel of a login session, a little late
    bare.start_tray()
    icon = docks_within(bare, time.monotonic())
    says_size(app, icon)
    clean(app)


def test_icon_comes_back_when_the_tray_restarts_or_crashes(bare):
    bare.start_tray()
    app = bare.app()
    says_size(app, bare.wait_tray_icon(timeout=20)[0])
    for crash in (False, True):
        if crash:
            bare.trayer.kill()
            bare.trayer.wait(5)
            wait_for(lambda: bare.x.get_selection_owner(bare.selection) == 0, 5,
                     what="the tray to go")
        else:
            bare.stop_tray()
        wait_for(lambda: shown(app) is None, 15, what="status to say nothing is shown")
        no_stray_window(bare)
        bare.start_tray()
        says_size(app, docks_within(bare, time.monotonic()))
    clean(app)


def test_right_click_on_the_icon_opens_the_window(desktop, posture, windows):
    posture(**XORG).start()
    desktop.click_tray_icon(3)
    wait_for(lambda: panel_window(desktop), 15, what="the window a right click opens")


# tint2 destroys the icon's window with its own when it is killed (it keeps
# no save-set), which used to end pystray's loop for good.


def tint2_icon(d: Desktop):
    """Our icon's window and size, embedded in tint2's systray and mapped."""
    import Xlib.error

    def walk(window, depth):
        for child in window.query_tree().children:
            if depth and "SystemTrayIcon" in " ".join(child.get_wm_class() or ()):
                if child.get_attributes().map_state == 2:  # viewable
                    g = child.get_geometry()
                    return child.id, g.width, g.height
            found = walk(child, depth + 1)
            if found:
                return found
        return None

    try:
        return walk(d.root, 0)
    except (Xlib.error.BadWindow, Xlib.error.BadDrawable):
        return None  # a window went while we looked


# Only the systray, for a quick start. tint2 also waits 15 s for a window
# manager before it starts at all, so the test runs openbox.
TINT2RC = """panel_items = S
panel_position = top right horizontal
panel_size = 200 30
systray_icon_size = 22
"""


def start_tint2(d: Desktop):
    rc = d.tmp / "tint2rc"
    rc.write_text(TINT2RC)
    d.tint2 = d._spawn("tint2", ["tint2", "-c", str(rc)])
    wait_for(lambda: d.x.get_selection_owner(d.selection) != 0, 20, what="tint2 to own the tray")
    since = time.monotonic()
    icon = wait_for(lambda: tint2_icon(d), BACK_WITHIN + 15, interval=0.05,
                    what="the icon in tint2")
    assert time.monotonic() - since < BACK_WITHIN
    return icon


def test_icon_comes_back_after_tint2_is_killed_and_a_right_click_works(bare, windows):
    if not shutil.which("tint2"):
        unavailable("tint2 is not installed (scripts/system-packages installs it)")
    bare._spawn("openbox", ["openbox", "--sm-disable"])
    check = bare.x.intern_atom("_NET_SUPPORTING_WM_CHECK")
    wait_for(lambda: bare.root.get_full_property(check, 0), 15, what="openbox to start")
    app = bare.app()
    for attempt in range(2):
        win, w, h = start_tint2(bare)
        wait_for(lambda: shown(app) == f"XEmbed icon, {w}×{h}", 10,
                 what=lambda: f"status to name the size (now {shown(app)!r})")
        if attempt == 0:
            bare.tint2.kill()
            bare.tint2.wait(5)
            wait_for(lambda: shown(app) is None, 15, what="status to say nothing is shown")
            no_stray_window(bare)
    bare.xdotool("mousemove", "--window", win, w // 2, h // 2, "click", 3)
    # openbox frames it, so it is no top-level of its own: ask xdotool.
    wait_for(lambda: bare.run("xdotool", "search", "--onlyvisible", "--name",
                              "^Posture Assistant$", check=False).stdout.strip(), 15,
             what="the window a right click opens")
    clean(app)


def test_auto_with_no_tray_yet_waits_for_either_kind_and_docks_in_xembed(bare):
    # At login with a session bus, nothing tells yet whether the panel will
    # bring a StatusNotifierItem watcher or an XEmbed tray: auto waits for
    # both, and trayer (XEmbed only) gets the icon.
    app = bare.app({"POSTURE_BREAK_INTERVAL": "1h"})
    assert app.status()["tray"] is None
    assert "no tray is showing the icon yet" in app.log()
    t0 = time.monotonic()
    bare.start_tray()
    icon = docks_within(bare, t0)
    wait_for(lambda: app.status()["tray"] == "xorg", 5, what="status to say xorg")
    says_size(app, icon)
    clean(app)
