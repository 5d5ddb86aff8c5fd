"""Starting the app: the composition root, where settings, the store, the
adapters and the running app are put together."""
from __future__ import annotations

import argparse
import faulthandler
import signal
import sys
from pathlib import Path

from posture_assistant import APP_NAME
from posture_assistant.cli._console import EXIT_NO_DISPLAY, PROG, CliError, say, warn
from posture_assistant.cli._settings import settings_of


def cmd_run(args: argparse.Namespace) -> int:
    from posture_assistant.storage.content import ContentError, load_suggestions
    from posture_assistant.storage.lock import InstanceLock
    from posture_assistant.storage.store import Store, StoreError
    from posture_assistant.adapters.tray.detect import NoDisplay, check_display, choose
    from posture_assistant.ui._tk import tk_missing

    loaded = settings_of(args)
    settings = loaded.settings
    headless = getattr(args, "headless", False)
    if not headless:
        try:
            check_display()
        except NoDisplay as e:
            raise CliError(f"{e}. Start {PROG} from your desktop session, or pass "
                           "--headless to run with notifications and CLI control only.",
                           EXIT_NO_DISPLAY) from None
    lock = InstanceLock(settings.data_dir)
    try:
        if not lock.acquire():
            pid = lock.holder_pid()
            say(f"{APP_NAME} is already running{f' (pid {pid})' if pid else ''}.")
            return 0
    except OSError as e:
        raise CliError(f"cannot use the data directory {settings.data_dir}: "
                       f"{e.strerror or e}; check its permissions or set data_dir") from None
    try:
        suggestions = load_suggestions()
        store, notice = Store.open(settings.data_dir)
    except (ContentError, StoreError) as e:
        raise CliError(str(e)) from None
    if notice:
        warn(notice)
    backend = None
    if not headless and not getattr(args, "no_tray", False):
        choice = choose(settings.tray_backend)
        backend = choice.backend
        if backend is None:
            warn(f"{choice.reason}; running without a tray icon. Prompts come as "
                 f"notifications and a window; `{PROG} status` and friends still work.")
    from posture_assistant.app.loop import App
    from posture_assistant.adapters.fullscreen import open_source as fullscreen_source
    from posture_assistant.adapters.idle import Unavailable, open_source

    idle = open_source()
    if isinstance(idle, Unavailable):
        warn(f"activity detection unavailable ({idle.reason}); break timing counts "
             "wall-clock time")

    if hasattr(signal, "SIGUSR1"):
        # `kill -USR1 <pid>` prints every thread's stack: for bug reports
        # about a hang, at no cost until used.
        faulthandler.register(signal.SIGUSR1, all_threads=True)

    windows = "off" if headless else "ok"
    missing = None if headless else tk_missing()
    if missing:
        windows = f"unavailable: {missing}"
        warn(f"windows {windows}")
    child = child_argv()
    if getattr(args, "config", None):
        child += ["--config", str(Path(args.config).expanduser().absolute())]
    app = App(settings, store, tray_backend=backend, windows=windows,
              child_argv=child, log=warn, suggestions=suggestions, idle=idle,
              fullscreen=None if headless else fullscreen_source())
    return app.run()


# Python puts the working directory first on sys.path for `-m` and `-c`, so a
# `posture_assistant/` folder there would run instead of the installed app.
# `-I` would also drop user site-packages (pip install --user) and `-P` needs
# Python 3.11, hence this line.
CHILD_MAIN = ("import sys; sys.path[:1] == [''] and sys.path.pop(0); "
              "from posture_assistant.cli import main; sys.exit(main())")


def child_argv() -> list[str]:
    """How to run our own CLI in a child process: the installed package,
    whatever the working directory."""
    return [sys.executable, "-c", CHILD_MAIN]


def cmd_panel(args: argparse.Namespace) -> int:
    from posture_assistant.ui.panel import run_panel

    return run_panel(settings_of(args).settings.data_dir)
