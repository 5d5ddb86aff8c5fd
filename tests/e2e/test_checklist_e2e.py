"""The checklist window, driven for real on Xvfb with xdotool key presses."""
from __future__ import annotations

import subprocess
import sys
import time

from posture_assistant.storage.content import load_checklist
from posture_assistant.features.checklist.window import pages

from .conftest import wait_for

TITLE = "Check my workspace"


def window(desktop, title=TITLE):
    return next((i for i, g in desktop.toplevels().items() if title in g[1]), None)


def open_window(desktop, app, *args):
    proc = subprocess.Popen([sys.executable, "-m", "posture_assistant", "checklist", "--window",
                             *args], env=app.env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    wait_for(lambda: window(desktop), 20, what="the checklist window")
    time.sleep(0.4)  # let Tk take the focus it asked for
    return proc


def test_the_window_from_the_keyboard_saves_its_result(desktop, posture, windows):
    app = posture()
    proc = open_window(desktop, app)
    planned = {}
    for number, (_, items) in enumerate(pages(load_checklist())):
        keys = []
        for index, item in enumerate(items):
            answer = "n" if (number + index) % 4 == 0 else "s" if index == 2 else "y"
            planned[item.id] = {"y": "yes", "n": "no", "s": "skip"}[answer]
            keys.append(answer)
        desktop.xdotool("key", "--delay", "30", *keys, "Return")
        time.sleep(0.2)
    wait_for(lambda: app.cli("checklist", "--last").returncode == 0, 10, what="a saved result")
    desktop.xdotool("key", "Return")  # Done on the result page
    assert proc.wait(10) == 0, proc.stdout.read()
    import json

    result = json.loads(app.cli("checklist", "--last", "--json").stdout)
    assert result["answers"] == planned
    yes = sum(a == "yes" for a in planned.values())
    no = sum(a == "no" for a in planned.values())
    assert result["score"] == round(100 * yes / (yes + no), 1)
    assert {f["id"] for f in result["fixes"]} == {k for k, v in planned.items() if v == "no"}


def test_escape_asks_before_throwing_answers_away(desktop, posture, windows):
    app = posture()
    proc = open_window(desktop, app)
    desktop.xdotool("key", "y", "Escape")
    dialog = wait_for(lambda: window(desktop, "Discard answers?"), 10, what="the question")
    time.sleep(0.3)
    desktop.xdotool("key", "Return")  # the default answer: yes, discard
    wait_for(lambda: dialog not in desktop.toplevels(), 10, what="the question to close")
    assert proc.wait(10) == 1  # closed without saving
    assert app.cli("checklist", "--last").returncode == 1


def test_first_start_offers_the_checklist_once(desktop, posture, windows):
    app = posture(first_start=True, POSTURE_BREAK_INTERVAL="1h").start()
    offer = wait_for(lambda: window(desktop), 20, what="the checklist offer")
    time.sleep(0.4)
    desktop.xdotool("key", "Escape")  # not now
    wait_for(lambda: offer not in desktop.toplevels(), 10, what="the offer to close")
    assert app.cli("quit").returncode == 0
    app.proc.wait(10)
    app.start()
    time.sleep(2)
    assert window(desktop) is None


def test_the_tray_panel_opens_the_checklist(desktop, posture, windows):
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    desktop.click_tray_icon()
    wait_for(lambda: window(desktop, "Posture Assistant") and any(
        g[1] == "Posture Assistant" for g in desktop.toplevels().values()), 15,
        what="the panel")
    time.sleep(0.4)
    desktop.xdotool("key", "c")
    checklist = wait_for(lambda: window(desktop), 15, what="the checklist window")
    assert "Check my workspace" in desktop.toplevels()[checklist][1]
    time.sleep(0.4)
    desktop.xdotool("key", "Escape")
    wait_for(lambda: checklist not in desktop.toplevels(), 10, what="the checklist to close")
    assert window(desktop) is None
    assert app.cli("checklist", "--last").returncode == 1  # closed unanswered: nothing saved


def test_a_recheck_reminder_follows_a_saved_check(desktop, posture):
    app = posture(POSTURE_BREAK_INTERVAL="1h", POSTURE_CHECKLIST_REMINDER="2s").start()
    before = len(desktop.notifications())
    r = subprocess.run(
        [sys.executable, "-m", "posture_assistant", "checklist", "--answers", "-"],
        env=app.env, input='{"feet-supported": "yes"}', capture_output=True, text=True,
        timeout=30)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: "Time to re-check your workspace" in
             [n["summary"] for n in desktop.notifications()[before:]], 15,
             interval=0.3, what="the re-check notification")


def test_leaving_the_result_with_escape_still_schedules_the_recheck(desktop, posture, windows):
    """The run is saved when the result shows; the running app must learn
    the re-check date then, however the window is left afterwards."""
    app = posture(POSTURE_BREAK_INTERVAL="1h", POSTURE_CHECKLIST_REMINDER="3s").start()
    before = len(desktop.notifications())
    proc = open_window(desktop, app)
    for _ in pages(load_checklist()):
        desktop.xdotool("key", "--delay", "30", "Return")
        time.sleep(0.2)
    wait_for(lambda: app.cli("checklist", "--last").returncode == 0, 10, what="a saved result")
    desktop.xdotool("key", "Escape")  # leave the result page without Done
    assert proc.wait(10) == 0, proc.stdout.read()
    wait_for(lambda: "Time to re-check your workspace" in
             [n["summary"] for n in desktop.notifications()[before:]], 15,
             interval=0.3, what="the re-check notification")
