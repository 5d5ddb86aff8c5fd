"""A prompt answered from its notification, on the real desktop: dunst
shows the app's Done / Snooze / Skip buttons, the test presses them through
dunst's own context menu (`dunstctl context`, with the fake dmenu of
tests/desktop.py), and the answer lands in the app's database like a tray
click. Reminders take the prompt's place instead of stacking, and a prompt
answered elsewhere leaves the screen. A notification server that is
missing or cannot start costs one line in the log, nothing more."""
from __future__ import annotations

import re
import time

import pytest

from tests.desktop import start_bus, stop_bus

from .conftest import have_gtk, unavailable, wait_for

# "#Snooze 3 s (Time to stand up and stretch) [4,snooze]"
LINE = re.compile(r"^#(?P<label>.*) \((?P<summary>.*)\) \[(?P<id>\d+),(?P<key>[^\]]+)\]$")


def on_screen(desktop) -> dict[int, dict]:
    """The notifications on screen with buttons: {id: {"summary", "buttons": {key: label}}}."""
    found: dict[int, dict] = {}
    for line in desktop.notification_actions():
        m = LINE.match(line)
        assert m, line
        n = found.setdefault(int(m["id"]), {"summary": m["summary"], "buttons": {}})
        n["buttons"][m["key"]] = m["label"]
    return found


def displayed(desktop) -> int:
    return int(desktop.run("dunstctl", "count", "displayed").stdout)


def one_prompt(desktop, summary: str, timeout: float = 20) -> tuple[int, dict]:
    """Waits until the one notification on screen says `summary`."""
    def look():
        shown = on_screen(desktop)
        if len(shown) == 1 and next(iter(shown.values()))["summary"] == summary:
            return next(iter(shown.items()))
        return None

    return wait_for(look, timeout, interval=0.1,
                    what=lambda: f"{summary!r} alone on screen (now: {on_screen(desktop)})")


def answers(prompt: dict) -> dict[str, str]:
    """Its buttons but the click on the notification itself ("default"),
    which dunst lists too."""
    return {k: v for k, v in prompt["buttons"].items() if k != "default"}


def press(desktop, id: int, key: str) -> None:
    desktop.notification_actions(pick=f"[{id},{key}]")


def test_a_prompt_is_answered_from_its_notification(desktop, posture):
    desktop.notifications()  # nothing of earlier tests left on screen
    app = posture(POSTURE_BREAK_INTERVAL="3s", POSTURE_REMINDER_INTERVAL="5s",
                  POSTURE_SNOOZE_OPTIONS="4s,1m").start()

    # The prompt, with its three answers: the first snooze length is offered.
    first, prompt = one_prompt(desktop, "Time to stand up and stretch")
    assert answers(prompt) == {"done": "Done", "snooze": "Snooze 4 s", "skip": "Skip"}
    press(desktop, first, "snooze")
    status = app.wait_state("snoozed")
    assert status["today"]["snoozed"] == 1
    assert app.events()[-1] == ("snoozed", 4.0)
    # The answered prompt does not linger on screen.
    wait_for(lambda: displayed(desktop) == 0, 10, what="the snoozed prompt to leave the screen")

    # The snooze runs out: the prompt is back, and its reminder takes its
    # place (the same id) instead of stacking under it.
    back, prompt = one_prompt(desktop, "Snooze over: time to stand up")
    assert back != first and set(answers(prompt)) == {"done", "snooze", "skip"}
    again, prompt = one_prompt(desktop, "Reminder: time to stand up")
    assert again == back and displayed(desktop) == 1
    assert app.kinds().count("reminded") == 2  # the snooze's end, then the reminder

    press(desktop, again, "done")
    wait_for(lambda: app.status()["today"]["done"] == 1, 10, what="the break to be recorded")
    assert app.kinds()[-1] == "done"
    wait_for(lambda: displayed(desktop) == 0, 10, what="the done prompt to leave the screen")

    # The next prompt, answered on the command line: it leaves the screen too.
    nxt, _ = one_prompt(desktop, "Time to stand up and stretch")
    assert app.cli("skip").returncode == 0
    wait_for(lambda: displayed(desktop) == 0, 10, what="the skipped prompt to leave the screen")
    assert app.kinds()[-1] == "skipped"
    # A late press on the prompt that is gone changes nothing.
    press(desktop, nxt, "done")
    time.sleep(0.5)
    assert app.kinds()[-1] == "skipped" and "no break is due" not in app.log()
    assert "Traceback" not in app.log()


def test_the_last_snooze_is_not_offered_and_quit_takes_the_prompt_along(desktop, posture):
    desktop.notifications()
    app = posture(POSTURE_BREAK_INTERVAL="3s", POSTURE_SNOOZE_OPTIONS="2s",
                  POSTURE_MAX_SNOOZES="1").start()
    first, prompt = one_prompt(desktop, "Time to stand up and stretch")
    press(desktop, first, "snooze")
    app.wait_state("snoozed")
    _, prompt = one_prompt(desktop, "Snooze over: time to stand up")
    assert answers(prompt) == {"done": "Done", "skip": "Skip"}
    # Quitting takes the prompt, whose buttons would do nothing now, along.
    assert app.cli("quit").returncode == 0
    assert app.proc.wait(10) == 0
    wait_for(lambda: displayed(desktop) == 0, 10, what="the prompt to leave with the app")


def test_a_click_on_the_prompt_opens_the_window(desktop, posture, windows):
    desktop.notifications()
    app = posture(POSTURE_BREAK_INTERVAL="3s").start()
    _, prompt = one_prompt(desktop, "Time to stand up and stretch")
    assert prompt["buttons"]["default"] == "Open Posture Assistant…"
    desktop.run("dunstctl", "action", "0")  # the notification's default action
    wait_for(lambda: any(g[1] == "Posture Assistant" for g in desktop.toplevels().values()),
             20, what="the window")
    assert app.status()["state"] == "pending"


@pytest.mark.parametrize("server,backend", [("missing", "xorg"), ("fails to start", "xorg"),
                                            ("fails to start", "gtk")])
def test_a_broken_notification_server_costs_one_line(desktop, posture, tmp_path, server,
                                                     backend):
    """On a bus of its own: with no notification server at all, or with one
    that D-Bus activation starts and that dies at once. pystray's GTK
    backends used to ask for that server as the icon started, and lost the
    icon when it failed."""
    if backend == "gtk" and not have_gtk():
        unavailable("the gtk tray needs PyGObject (the gtk extra)")
    services = None
    if server == "fails to start":
        services = tmp_path / "services"
        services.mkdir()
        crash = services / "crash"
        crash.write_text("#!/bin/sh\nkill -TRAP $$\n")
        crash.chmod(0o755)
        (services / "notifications.service").write_text(
            f"[D-BUS Service]\nName=org.freedesktop.Notifications\nExec={crash}\n")

    def spawn(name, argv, **kw):
        with open(tmp_path / f"{name}.log", "wb") as log:
            import subprocess

            return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kw)

    bus, address = start_bus(tmp_path, spawn, services)
    try:
        app = posture(POSTURE_BREAK_INTERVAL="1s", POSTURE_REMINDER_INTERVAL="1s",
                      POSTURE_TRAY_BACKEND=backend)
        app.env["DBUS_SESSION_BUS_ADDRESS"] = address
        app.start()
        desktop.wait_tray_icon()
        app.wait_state("pending")
        wait_for(lambda: app.kinds().count("reminded") >= 2, 15, what="two reminders")
        status = app.status()
        assert status["notifications"] == "failing" and status["tray"] == backend
        assert app.cli("done").returncode == 0
        log = app.log()
        assert log.count("notifications are not working") == 1, log
        why = ("no notification server is running" if server == "missing"
               else "the notification server failed to start")
        assert why in log and "Traceback" not in log
        assert app.proc.poll() is None
    finally:
        stop_bus(bus)
