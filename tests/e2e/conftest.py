"""Fixtures for the end-to-end tests: the desktop of tests/desktop.py, a
window manager of their own for fullscreen tests, and our app started on it.
Without the stack the tests skip, unless POSTURE_E2E=required (CI)."""
from __future__ import annotations

import pytest

from tests.desktop import (  # noqa: F401  (wait_for and friends, for the tests)
    Desktop, PostureApp, REQUIRED, _check_stack, returning_user, unavailable, wait_for,
)


def have_gtk() -> bool:
    """PyGObject with GTK 3: the gtk and appindicator tray backends can run."""
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        return True
    except (ImportError, ValueError):
        return False


@pytest.fixture(scope="session")
def desktop(tmp_path_factory):
    _check_stack()
    d = Desktop(tmp_path_factory.mktemp("desktop"))
    try:
        d.start()
        yield d
    finally:
        d.stop()


@pytest.fixture
def windows():
    """For tests that open one of our Tk windows: without tkinter they skip
    (fail under POSTURE_E2E=required) with the app's own words for the fix."""
    from posture_assistant.ui._tk import tk_missing

    missing = tk_missing()
    if missing:
        unavailable(f"windows cannot open: {missing}")


@pytest.fixture
def wm_desktop(tmp_path):
    """A desktop of its own with a real window manager (openbox, which keeps
    _NET_ACTIVE_WINDOW and _NET_WM_STATE) and no tray, for fullscreen tests."""
    _check_stack()
    (tmp_path / "wm").mkdir()
    d = Desktop(tmp_path / "wm")
    try:
        d.start(tray=False)
        import Xlib.display

        d.x = Xlib.display.Display(d.display)
        d.root = d.x.screen().root
        d._spawn("openbox", ["openbox", "--sm-disable"])
        check = d.x.intern_atom("_NET_SUPPORTING_WM_CHECK")
        wait_for(lambda: d.root.get_full_property(check, 0), 15, what="openbox to start")
        yield d
    finally:
        d.stop()


@pytest.fixture
def posture(desktop, tmp_path):
    apps: list[PostureApp] = []

    def make(first_start: bool = False, **env: str) -> PostureApp:
        app = PostureApp(desktop, tmp_path / f"app{len(apps)}", env, first_start)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.stop()
    # Every icon goes with its app. Checked here, so that an icon left
    # behind fails the test that left it, not the next one to look.
    wait_for(lambda: not desktop.tray_icons(), 10,
             what=lambda: f"the tray to empty (left: {desktop.describe_icons()})")
