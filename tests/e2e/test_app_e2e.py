"""The real app on a real desktop: tray, notifications, CLI, crashes, errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image, ImageStat

from .conftest import REQUIRED, have_gtk, wait_for

FAST = dict(POSTURE_BREAK_INTERVAL="2s", POSTURE_REMINDER_INTERVAL="1h",
            POSTURE_SNOOZE_OPTIONS="3s,6s")
PROMPT_TITLE = "Time to stand up and stretch"


def icon_colours(desktop, tmp_path, icon):
    _, x, y, w, h = icon
    shot = desktop.screenshot(tmp_path / f"shot-{time.monotonic_ns()}.png")
    img = Image.open(shot).convert("RGB").crop((x, y, x + w, y + h))
    dark = img.convert("L").point(lambda v: 255 if v < 30 else 0)
    black = ImageStat.Stat(dark).mean[0] / 255  # share of near-black pixels
    mean = tuple(ImageStat.Stat(img).mean)
    return black, mean


def titles(desktop) -> list[str]:
    return [n["summary"] for n in desktop.notifications()]


def panel_window(desktop):
    return next((wid for wid, g in desktop.toplevels().items() if g[1] == "Posture Assistant"),
                None)


# Long enough that a loaded machine still sees the counting state first.
SLOWER = dict(FAST, POSTURE_BREAK_INTERVAL="8s")


def test_icon_embeds_and_prompt_reaches_dunst(desktop, posture, tmp_path):
    before = len(desktop.notifications())
    app = posture(**SLOWER).start()
    icon, _ = desktop.wait_tray_icon()
    assert app.status()["tray"] == "xorg"
    black, counting = icon_colours(desktop, tmp_path, icon)
    # pystray's xorg backend paints transparent pixels black unless we fill them.
    assert black < 0.05

    app.wait_state("pending")
    new = desktop.notifications()[before:]
    assert [n["summary"] for n in new] == [PROMPT_TITLE]
    assert new[0]["appname"] == "Posture Assistant"
    assert new[0]["body"]  # a concrete suggestion
    icon, _ = desktop.wait_tray_icon()
    black, pending = icon_colours(desktop, tmp_path, icon)
    assert black < 0.05
    assert sum(abs(a - b) for a, b in zip(counting, pending)) > 60, "icon did not change"


def test_done_from_the_tray_panel_records_a_break(desktop, posture, windows):
    app = posture(**FAST).start()
    app.wait_state("pending")
    desktop.click_tray_icon()
    panel = wait_for(lambda: panel_window(desktop), 15, what="the panel window")
    time.sleep(0.3)  # let Tk take the focus it asked for
    desktop.xdotool("key", "Return")  # the focused button: "Done: I took my break"
    status = wait_for(lambda: (lambda s: s if s["today"]["done"] == 1 else None)(app.status()),
                      10, what="a recorded break")
    assert status["state"] == "counting"
    assert "done" in app.kinds()
    wait_for(lambda: panel not in desktop.toplevels(), 10, what="the panel to close")


@pytest.mark.skipif(not have_gtk() and not REQUIRED, reason="needs PyGObject (the gtk extra)")
def test_done_from_the_gtk_tray_menu_records_a_break(desktop, posture):
    app = posture(POSTURE_TRAY_BACKEND="gtk", **FAST).start()
    app.wait_state("pending")
    assert app.status()["tray"] == "gtk"
    menu, _ = desktop.open_tray_menu()
    # The first entry is the status line (disabled), so Down lands on Done.
    desktop.xdotool("key", "Down", "Return")
    wait_for(lambda: app.status()["today"]["done"] == 1, 10, what="a recorded break")
    assert menu not in desktop.toplevels()


def test_done_from_the_cli_and_status_json(desktop, posture):
    app = posture(**SLOWER).start()
    r = app.cli("done")
    assert r.returncode == 1 and "no break is due" in r.stderr
    status = app.wait_state("pending")
    for key in ("running", "state", "next_break_at", "seconds_to_next_break", "today"):
        assert key in status
    assert status["seconds_to_next_break"] == 0
    assert set(status["today"]) >= {"prompted", "done", "snoozed", "skipped"}
    r = app.cli("done")
    assert r.returncode == 0, r.stderr
    assert "Break recorded" in r.stdout
    status = app.status()
    assert status["today"]["done"] == 1 and status["state"] == "counting"
    assert 0 < status["seconds_to_next_break"] <= 8


def test_snooze_delays_the_prompt_by_its_length_not_less(desktop, posture):
    app = posture(**FAST).start()
    app.wait_state("pending")
    r = app.cli("snooze", "4s")
    assert r.returncode == 0, r.stderr
    assert app.status()["state"] == "snoozed"
    app.wait_state("pending", timeout=15)
    rows = app.events()
    kinds = [k for k, _ in rows]
    snoozed_at = kinds.index("snoozed")
    assert rows[snoozed_at][1] == 4.0
    # The rows' own timestamps: the prompt came back no sooner than 4 s later.
    import sqlite3

    con = sqlite3.connect(f"file:{app.db}?mode=ro", uri=True)
    (t_snooze,), (t_back,) = con.execute(
        "SELECT ts FROM events WHERE kind IN ('snoozed', 'reminded') ORDER BY id").fetchall()[:2]
    con.close()
    assert t_back - t_snooze >= 4.0
    assert "Snooze over: time to stand up" in titles(desktop)


def test_reminders_repeat_while_ignored_and_never_stack(desktop, posture):
    before = len(desktop.notifications())
    app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1s").start()
    app.wait_state("pending")
    time.sleep(3.5)
    kinds = app.kinds()
    assert kinds.count("prompted") == 1
    assert kinds.count("reminded") >= 2
    # Each reminder took the prompt's place on screen: one notification,
    # saying the last of them. The rows above count them.
    assert titles(desktop)[before:] == ["Reminder: time to stand up"]
    status = app.status()
    assert status["state"] == "pending" and status["today"]["prompted"] == 1


def test_events_survive_kill_9_and_restart(desktop, posture):
    app = posture(**FAST).start()
    app.wait_state("pending")
    assert app.cli("snooze", "1h").returncode == 0
    assert app.cli("skip").returncode == 0
    before = app.events()
    assert [k for k, _ in before] == ["app_started", "prompted", "snoozed", "skipped"]
    os.kill(app.proc.pid, signal.SIGKILL)
    app.proc.wait(5)
    assert app.cli("status").stdout.startswith("Posture Assistant is not running")
    app.start()
    after = app.events()
    assert after[:len(before)] == before
    # The kill is on record, and the prompt it ended had been skipped already.
    assert [k for k, _ in after[len(before):len(before) + 2]] == ["app_crashed", "app_started"]
    assert app.status()["today"]["skipped"] == 1


def test_a_second_instance_does_not_start_but_opens_the_window(desktop, posture, windows):
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    desktop.wait_tray_icon()
    second = app.cli(timeout=20)
    assert second.returncode == 0
    assert "already running" in second.stdout and "window is open" in second.stdout
    # As from the app menu: the running app brings up its window.
    wait_for(lambda: panel_window(desktop), 15, what="the running app's window")
    time.sleep(0.5)
    assert len(desktop.tray_icons()) == 1
    assert app.proc.poll() is None


def test_quit_from_the_cli_records_app_stopped(desktop, posture):
    app = posture(**FAST).start()
    r = app.cli("quit")
    assert r.returncode == 0, r.stderr
    assert app.proc.wait(10) == 0
    assert app.kinds()[-1] == "app_stopped"
    r = app.cli("done")
    assert r.returncode == 1 and "not running" in r.stderr


def test_sigterm_quits_cleanly(desktop, posture):
    app = posture(**FAST).start()
    app.proc.terminate()
    assert app.proc.wait(10) == 0
    assert app.kinds()[-1] == "app_stopped"


@pytest.mark.parametrize("env, names", [
    ({"POSTURE_BREAK_INTERVAL": "soon"}, ["break_interval", "POSTURE_BREAK_INTERVAL", "'soon'"]),
    ({"POSTURE_MAX_SNOOZES": "-1"}, ["max_snoozes", "POSTURE_MAX_SNOOZES"]),
])
def test_a_bad_setting_exits_2_with_one_line(desktop, posture, env, names):
    app = posture(**env)
    r = app.cli(timeout=20)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for name in names:
        assert name in lines[0]
    assert "Traceback" not in r.stderr + r.stdout


def test_a_bad_config_file_exits_2_naming_file_and_key(desktop, posture, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('break_interval = "1 hour-ish"\n')
    app = posture()
    r = app.cli("--config", str(config), timeout=20)
    assert r.returncode == 2
    line, = r.stderr.strip().splitlines()
    assert "break_interval" in line and str(config) in line


def test_no_display_exits_3_with_one_line(desktop, posture):
    app = posture()
    env = {k: v for k, v in app.env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "posture_assistant"], env=env,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 3
    line, = r.stderr.strip().splitlines()
    assert "no display" in line and "--headless" in line
    assert time.monotonic() - started < 15
    assert app.kinds() == []  # nothing was started


def test_headless_without_display_or_dbus_runs_with_cli_control(desktop, posture):
    app = posture(**FAST)
    app.env = {k: v for k, v in app.env.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    app.start("--headless")
    status = app.wait_state("pending")
    assert status["tray"] is None
    assert status["notifications"] == "failing"
    assert app.cli("done").returncode == 0
    assert app.cli("quit").returncode == 0
    assert app.proc.wait(10) == 0
    log = app.log()
    assert log.count("notifications are not working") == 1, log
    assert "Traceback" not in log


def test_no_notification_server_still_prompts_in_the_tray(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1s")
    app.env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={desktop.tmp}/no-such-bus"
    app.start()
    desktop.wait_tray_icon()
    status = app.wait_state("pending")
    time.sleep(2.5)  # a couple of reminders
    assert app.status()["notifications"] == "failing"
    assert status["tray"] == "xorg"
    log = app.log()
    assert log.count("notifications are not working") == 1, log
    assert "Traceback" not in log


def test_no_tray_host_runs_without_a_tray_and_opens_its_window(desktop, posture, windows):
    desktop.stop_tray()
    try:
        app = posture(POSTURE_BREAK_INTERVAL="4s").start()
        status = app.status()
        assert status["tray"] is None
        assert "no tray is showing the icon yet" in app.log()
        assert "No tray icon shows: no tray is showing" in app.cli("status").stdout
        app.wait_state("pending")
        panel = wait_for(lambda: panel_window(desktop), 15, what="the prompt window")
        assert app.cli("done").returncode == 0
        wait_for(lambda: panel not in desktop.toplevels(), 15, what="the window to close")
    finally:
        desktop.start_tray()


def test_no_tray_flag_forces_trayless_mode(desktop, posture):
    app = posture(**FAST).start("--no-tray")
    status = app.status()
    assert status["tray"] is None and status["tray_detail"] is None  # asked for: nothing to explain
    assert "No tray icon shows" not in app.cli("status").stdout
    time.sleep(0.5)
    assert desktop.tray_icons() == []


NO_TK = '''
import importlib.abc, sys

class NoTk(importlib.abc.MetaPathFinder):
    """This Python has no tkinter, like Debian's without python3-tk."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tkinter", "_tkinter"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NoTk())
'''


def test_without_tkinter_the_app_says_so_once_and_offers_by_notification(desktop, posture,
                                                                         tmp_path):
    (tmp_path / "notk").mkdir()
    (tmp_path / "notk" / "sitecustomize.py").write_text(NO_TK)
    before = len(desktop.notifications())
    app = posture(first_start=True, PYTHONPATH=str(tmp_path / "notk"), **FAST).start()
    status = app.status()
    assert status["windows"].startswith("unavailable") and "python3-tk" in status["windows"]
    assert "python3-tk" in app.cli("status").stdout
    # The first-start checklist offer comes as a notification instead.
    wait_for(lambda: "Welcome to Posture Assistant" in titles(desktop)[before:], 10,
             what="the checklist offer as a notification")
    # A click on the icon, and the checklist from the CLI, name the fix too.
    desktop.click_tray_icon()
    r = app.cli("checklist", "--window")
    assert r.returncode == 1 and "python3-tk" in r.stderr and "Traceback" not in r.stderr
    app.wait_state("pending")
    assert app.cli("quit").returncode == 0
    assert app.proc.wait(10) == 0
    log = app.log()
    assert log.count("no tkinter") == 1, log  # told once, at the start
    assert "Traceback" not in log and panel_window(desktop) is None
