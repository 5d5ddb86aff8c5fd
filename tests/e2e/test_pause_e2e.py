"""Pause, resume and auto-resume from the CLI and the tray menu."""
from __future__ import annotations

import time

import pytest

from .conftest import REQUIRED, wait_for
from .conftest import have_gtk


def test_pause_resume_and_auto_resume_from_the_cli(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    r = app.cli("pause", "1h")
    assert r.returncode == 0 and "Paused until" in r.stdout
    status = app.status()
    assert status["state"] == "paused" and status["paused_until"]
    assert status["next_break_at"] is None and status["seconds_to_next_break"] is None
    assert app.cli("break").returncode == 1  # no early break while paused
    assert app.cli("resume").returncode == 0
    assert app.status()["state"] == "counting"
    assert app.cli("resume").returncode == 1

    r = app.cli("pause", "forever")
    assert "until you resume" in r.stdout
    assert app.status()["paused_until"] is None

    before = len(desktop.notifications())
    assert app.cli("pause", "2s").returncode == 0
    app.wait_state("counting", timeout=15)
    assert "Posture Assistant is back on" in [
        n["summary"] for n in desktop.notifications()[before:]]
    kinds = app.kinds()
    assert kinds.count("paused") == 3 and kinds.count("resumed") == 2


def test_no_prompt_while_paused(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1s").start()
    assert app.cli("pause", "forever").returncode == 0
    rows = app.kinds()
    time.sleep(3)
    assert app.status()["state"] == "paused"
    assert app.kinds() == rows  # no prompt, no reminder: nothing at all



@pytest.mark.skipif(not have_gtk() and not REQUIRED, reason="needs PyGObject (the gtk extra)")
def test_pause_and_resume_from_the_gtk_tray_menu(desktop, posture):
    app = posture(POSTURE_TRAY_BACKEND="gtk", POSTURE_BREAK_INTERVAL="1h").start()

    def menu_keys(*keys):
        desktop.open_tray_menu()
        desktop.xdotool("key", "--delay", "80", *keys)

    # Take a break now, then Pause: its submenu opens on its first choice.
    menu_keys("Down", "Down", "Right", "Return")
    status = wait_for(lambda: (lambda s: s if s["state"] == "paused" else None)(app.status()),
                      10, what="paused")
    assert status["paused_until"]
    menu_keys("Down", "Return")  # Resume
    app.wait_state("counting", timeout=10)


def _hours_without_now() -> str:
    from datetime import datetime

    return "mon-sun 13:00-14:00" if datetime.now().hour < 12 else "mon-sun 01:00-02:00"


def test_outside_working_hours_there_are_no_prompts(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1s",
                  POSTURE_WORKING_HOURS=_hours_without_now()).start()
    time.sleep(2.5)
    status = app.status()
    assert status["state"] == "off_hours"
    assert status["working_hours"].startswith("mon ")
    assert "prompted" not in app.kinds()
    assert "Outside working hours" in app.cli("status").stdout


def test_inside_working_hours_prompts_come(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_WORKING_HOURS="mon-sun 00:00-24:00").start()
    status = app.wait_state("pending", timeout=10)
    assert status["working_hours"].startswith("mon ")
    assert "prompted" in app.kinds()
