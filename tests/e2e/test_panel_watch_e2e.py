"""The open window costs the app nothing: it watches the app's status
instead of asking for it, so a prompt answered elsewhere closes it at once
and the app sleeps while it sits on screen."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .conftest import wait_for
from .test_app_e2e import FAST, panel_window

QUIET = 10.0  # seconds the window sits open untouched
# Voluntary context switches of all the app's threads in QUIET seconds with
# the window open. Idle at a prompt the app wakes once a minute and its tray
# thread sleeps on the X connection: 0 measured here. A window that asks for
# the status costs the app several per request (accept, the key exchange,
# the hand-over to the loop, the loop's idle read over X, the reply): with
# the old window asking every 1.5 s, 62 were measured. Switches are counted,
# not timed, so a busy machine hardly moves them; what could is a wake-up
# of the app's own (a deadline) falling in the 10 s, a handful at most.
MAX_SWITCHES = 12


def voluntary_switches(pid: int) -> int:
    """Summed over the process's threads (not its children: the window)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    total += int(line.split()[1])
        except OSError:
            pass  # a thread that ended meanwhile
    return total


def test_an_open_prompt_window_wakes_nobody_and_closes_when_answered_elsewhere(
        desktop, posture, windows):
    app = posture(**dict(FAST, POSTURE_BREAK_INTERVAL="3s")).start()
    app.wait_state("pending")
    desktop.click_tray_icon()
    panel = wait_for(lambda: panel_window(desktop), 15, what="the prompt window")
    time.sleep(1.0)  # let the window settle (focus, its first status)

    before = voluntary_switches(app.proc.pid)
    time.sleep(QUIET)
    switches = voluntary_switches(app.proc.pid) - before
    assert panel in desktop.toplevels(), "the window closed by itself"
    assert switches <= MAX_SWITCHES, (
        f"the app woke {switches} times in {QUIET:.0f} s while its window sat open")

    answered = time.monotonic()
    r = app.cli("done")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: panel not in desktop.toplevels(), 5, interval=0.05,
             what="the window to close after `done` from the command line")
    print(f"window closed {time.monotonic() - answered:.2f} s after `done`; "
          f"{switches} switches in {QUIET:.0f} s open")


def test_the_window_closes_when_the_app_dies(desktop, posture, windows):
    # No quit, so the app cannot close its windows: the window reads the end
    # of its line to the app and goes by itself.
    app = posture(POSTURE_BREAK_INTERVAL="1h").start()
    desktop.click_tray_icon()
    panel = wait_for(lambda: panel_window(desktop), 15, what="the window")
    os.kill(app.proc.pid, signal.SIGKILL)
    app.proc.wait(10)
    wait_for(lambda: panel not in desktop.toplevels(), 10, what="the window to close")


def test_an_app_from_before_watch_still_gets_its_window(desktop, windows, tmp_path,
                                                        monkeypatch):
    # Upgraded while it runs, the app is the old one and its windows the new:
    # it answers `watch` as an unknown command, with the status as always.
    from posture_assistant.app.status import build_status
    from posture_assistant.storage.control import Server

    now = time.time()
    status = build_status(now=now, counts={}, data_dir=str(tmp_path), running=True, pid=1,
                          state="counting", next_break_at=now + 600, windows="ok")

    def old_app(req: dict) -> dict:
        if req.get("cmd") == "watch":
            return {"ok": False, "message": "unknown command 'watch'", "status": status}
        return {"ok": True, "status": status}

    monkeypatch.setenv("XDG_RUNTIME_DIR", desktop.env["XDG_RUNTIME_DIR"])
    data = tmp_path / "appdata"
    server = Server(data, old_app)
    window = subprocess.Popen([sys.executable, "-m", "posture_assistant", "panel"],
                              env=dict(desktop.env, POSTURE_DATA_DIR=str(data)),
                              stderr=subprocess.PIPE, text=True)
    try:
        panel = wait_for(lambda: panel_window(desktop), 20, what="the window")
        time.sleep(1.5)
        assert window.poll() is None and panel in desktop.toplevels()
    finally:
        window.terminate()
        _, err = window.communicate(timeout=10)
        server.close()
    assert "Traceback" not in err, err
