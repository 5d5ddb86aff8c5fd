"""The app-menu entry on a real desktop: GLib's launcher (what GNOME, XFCE
and others run an entry with) starts the app from it, and the windows the
app opens carry the class the entry names, so docks group them under it."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess

from posture_assistant.adapters.autostart import _desktop_entry as de
from posture_assistant.adapters.autostart._launcher import WM_CLASS

from .conftest import PostureApp, unavailable, wait_for

TITLE = "Check my workspace"


def test_the_launcher_starts_the_app_whose_windows_match_it(desktop, windows, tmp_path):
    gio = shutil.which("gio")
    if not gio:
        unavailable("gio is missing (libglib2.0-bin; scripts/system-packages test)")
    app = PostureApp(desktop, tmp_path / "app", {"XDG_DATA_HOME": str(tmp_path / "share"),
                                                 "XDG_CONFIG_HOME": str(tmp_path / "config")},
                     first_start=True)  # the first start offers the checklist in a window
    r = app.cli("launcher", "on")
    assert r.returncode == 0, r.stderr
    entry = tmp_path / "share" / "applications" / "posture-assistant.desktop"
    assert de.read(entry)[de.GROUP]["StartupWMClass"] == WM_CLASS
    before = set(desktop.toplevels())
    # gio returns once the app is spawned; the app is not our child, so it
    # is stopped with `quit`, or by the pid it reports.
    with open(app.log_path, "ab") as log:
        r = subprocess.run([gio, "launch", str(entry)], env=app.env, cwd=tmp_path,
                           stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                           timeout=60)
    assert r.returncode == 0, app.log()
    pid = None
    try:
        status = wait_for(lambda: app.status(check=False).get("running") and app.status(), 30,
                          what=lambda: f"the app to start from the launcher ({app.log()!r})")
        pid = status["pid"]
        window = wait_for(lambda: next((g for i, g in desktop.toplevels().items()
                                        if i not in before and TITLE in g[1]), None), 30,
                          what="the checklist offer's window")
        # WM_CLASS is (instance, class): GNOME matches either, KDE the class.
        assert window[0] == ("posture-assistant", WM_CLASS)
        r = app.cli("quit")
        assert r.returncode == 0, r.stderr
        wait_for(lambda: not app.status(check=False).get("running"), 15, what="the app to quit")
        pid = None
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not desktop.tray_icons(), 15, what="the tray icon to go")
    assert "Traceback" not in app.log(), app.log()
