"""A real fullscreen window under a real window manager defers a prompt."""
from __future__ import annotations

import subprocess
import sys
import time

from .conftest import PostureApp, wait_for

FULLSCREEN_WINDOW = """
import sys, tkinter as tk
root = tk.Tk()
root.title("a presentation")
root.attributes("-fullscreen", True)
root.bind("<Key-w>", lambda e: root.attributes("-fullscreen", False))
print("up", flush=True)
root.mainloop()
"""


def test_fullscreen_defers_the_prompt_until_it_ends(wm_desktop, tmp_path, monkeypatch, windows):
    from posture_assistant.adapters.fullscreen._x11 import X11Fullscreen

    d = wm_desktop
    window = subprocess.Popen([sys.executable, "-c", FULLSCREEN_WINDOW], env=d.env,
                              stdout=subprocess.PIPE, text=True)
    try:
        window.stdout.readline()
        monkeypatch.setenv("DISPLAY", d.display)
        probe = X11Fullscreen()  # the app's own detector, looking from outside
        wait_for(probe.active, 15, interval=0.1, what="the window to be fullscreen and active")
        app = PostureApp(d, tmp_path / "app", dict(POSTURE_BREAK_INTERVAL="2s",
                                                   POSTURE_REMINDER_INTERVAL="1h"), False)
        app.start("--no-tray")
        try:
            time.sleep(4)  # the prompt was due 2 s ago
            status = app.status()
            assert status["state"] == "held", status
            assert "deferred" in app.kinds() and "prompted" not in app.kinds()
            # Leave fullscreen: the prompt shows within a few seconds.
            d.xdotool("key", "w")
            started = time.monotonic()
            app.wait_state("pending", timeout=10)
            assert time.monotonic() - started < 5
            assert app.kinds().count("deferred") == 1
        finally:
            app.stop()
    finally:
        window.terminate()
        window.wait(5)
