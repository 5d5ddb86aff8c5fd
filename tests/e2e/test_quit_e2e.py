"""`posture-assistant quit` in every tray mode: the reply always arrives
before the app ends, and the windows it opened end with it."""
from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .conftest import PostureApp, wait_for
from .conftest import have_gtk

ROUNDS = 50
AT_ONCE = 5
# sni with no watcher on this desktop: its D-Bus thread runs, waiting for
# a panel. appindicator needs a watcher, so it is not offered here.
MODES = [("xorg", {}, ()), ("sni", {"POSTURE_TRAY_BACKEND": "sni"}, ()),
         ("none", {}, ("--no-tray",)), ("headless", {}, ("--headless",))]
if have_gtk():
    MODES += [("gtk", {"POSTURE_TRAY_BACKEND": "gtk"}, ())]


def windows_of(data_dir: Path) -> list[int]:
    """Live window processes (`panel`, `checklist --window`) of the app that
    uses data_dir: the app hands its data dir to them in the environment."""
    mine = f"POSTURE_DATA_DIR={data_dir}".encode()
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            environ = Path(entry.path, "environ").read_bytes().split(b"\0")
            argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            state = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile
        if mine in environ and (b"--window" in argv or b"panel" in argv) and state != "Z":
            pids.append(int(entry.name))
    return pids


def one_round(desktop, tmp: Path, i: int) -> str | None:
    """Start, wait 1 to 10 s, quit; what went wrong, or None."""
    name, env, args = MODES[i % len(MODES)]
    delay = random.Random(i).uniform(1, 10)
    # Every other round is a first start, so a checklist window is open at quit.
    app = PostureApp(desktop, tmp / f"round{i}", dict(env, POSTURE_BREAK_INTERVAL="1h"),
                     first_start=i % 2 == 0)
    try:
        app.start(*args)
        time.sleep(max(0.0, app.t0 + delay - time.monotonic()))
        r = app.cli("quit")
        if r.returncode != 0 or "Traceback" in r.stderr:
            return (f"round {i} ({name}, {delay:.1f} s): quit exit {r.returncode}: "
                    f"{r.stderr[-300:]!r}")
        code = app.proc.wait(15)
        if code != 0:
            return f"round {i} ({name}): the app exited {code}: {app.log()[-500:]!r}"
        try:
            wait_for(lambda: not windows_of(app.data_dir), 5, what="its windows to close")
        except TimeoutError:
            return f"round {i} ({name}): windows left open: {windows_of(app.data_dir)}"
        if "Traceback" in app.log():
            return f"round {i} ({name}): {app.log()[-800:]!r}"
        return None
    except Exception as e:  # the round failed to start: report it with the rest
        return f"round {i} ({name}): {type(e).__name__}: {e}"
    finally:
        app.stop()


def test_quit_always_answers_and_closes_the_windows(desktop, tmp_path, windows):
    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(lambda i: one_round(desktop, tmp_path, i), range(ROUNDS)))
    failures = [r for r in results if r]
    assert not failures, f"{len(failures)} of {ROUNDS} quits failed:\n" + "\n".join(failures)
