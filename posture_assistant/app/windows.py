"""Our Tk windows (the panel, the checklist) run in child processes, so
the app itself never loads Tk. One of each at a time; all go when the app
goes, since a window left behind would talk to an app that is gone: on quit
the app closes them, and if it dies (a crash, kill -9) each window sees its
stdin pipe from the app end and closes itself (ui/_tk.close_with_app)."""
from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Callable

from posture_assistant.i18n import _
from posture_assistant.ui._tk import APP_PIPE_ENV

CLOSE_WAIT = 2.0


class Windows:
    def __init__(self, mode: str, child_argv: list[str], data_dir: Path,
                 log: Callable[[str], None]) -> None:
        # "ok", "off" (headless) or "unavailable: <why>" (no tkinter).
        self.mode = mode
        self._argv = child_argv  # how to run our own CLI in a child process
        self._data_dir = data_dir
        self._log = log
        self._open: dict[str, subprocess.Popen] = {}

    @property
    def available(self) -> bool:
        return self.mode == "ok"

    def open(self, name: str, *args: str) -> bool:
        """Run `posture-assistant <name> <args>` unless that window is open
        already; False if no window can open here."""
        if not self.available:
            return False
        running = self._open.get(name)
        if running is not None and running.poll() is None:
            return True
        env = dict(os.environ, POSTURE_DATA_DIR=str(self._data_dir), **{APP_PIPE_ENV: "1"})
        try:
            # Only the child's end of the pipe is inherited (Popen makes ours
            # close-on-exec, and non-inheritable on Windows), so nothing else
            # keeps it open once this process is gone.
            child = subprocess.Popen([*self._argv, name, *args], env=env,
                                     stdin=subprocess.PIPE)
        except OSError as e:
            self._log(_("cannot open a window: {error}").format(error=e))
            return False
        self._open[name] = child
        threading.Thread(target=_reap, args=(child,), daemon=True).start()
        return True

    def close_all(self) -> None:
        children = [c for c in self._open.values() if c.poll() is None]
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(CLOSE_WAIT)
            except subprocess.TimeoutExpired:
                child.kill()


def _reap(child: subprocess.Popen) -> None:
    """Wait for a window to close, so no zombie is left, and let go of its pipe."""
    child.wait()
    if child.stdin is not None:
        child.stdin.close()
