"""Starting the app: the composition root, where settings, the store, the
adapters and the running app are put together."""
from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys
from pathlib import Path

from posture_assistant import APP_NAME
from posture_assistant.cli._console import EXIT_NO_DISPLAY, PROG, CliError, say, warn
from posture_assistant.adapters._util import Unavailable
from posture_assistant.cli._settings import settings_of
from posture_assistant.i18n import _, clip


def cmd_run(args: argparse.Namespace) -> int:
    settings = settings_of(args).settings
    headless = getattr(args, "headless", False)
    if not headless:
        _check_display()
    if not _lock(settings.data_dir):
        if not headless:
            _open_running(settings.data_dir)
        return 0
    store, suggestions = _open_data(settings)
    from posture_assistant.app.loop import App
    from posture_assistant.app.windows import Windows

    tray = _tray(settings, off=headless or getattr(args, "no_tray", False))
    sensors = _sensors(settings, headless)
    if hasattr(signal, "SIGUSR1"):
        # `kill -USR1 <pid>` prints every thread's stack: for bug reports
        # about a hang, at no cost until used.
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    child = child_argv()
    if getattr(args, "config", None):
        child += ["--config", str(Path(args.config).expanduser().absolute())]
    windows = Windows(_windows_mode(headless), child, settings.data_dir, warn)
    app = App(settings, store, tray=tray, windows=windows, sensors=sensors, log=warn,
              suggestions=suggestions)
    return app.run()


def _check_display() -> None:
    from posture_assistant.adapters.tray.detect import NoDisplay, check_display

    try:
        check_display()
    except NoDisplay as e:
        raise CliError(_("{error}. Start {prog} from your desktop session, or pass --headless "
                         "to run with notifications and CLI control only.").format(
            error=e, prog=PROG), EXIT_NO_DISPLAY) from None


def _lock(data_dir: Path) -> bool:
    """Take the one-app-per-user lock; False (and why) if another app has it."""
    from posture_assistant.storage.lock import InstanceLock

    lock = InstanceLock(data_dir)
    try:
        if lock.acquire():
            return True
    except OSError as e:
        raise CliError(_("cannot use the data directory {path}: {error}; check its "
                         "permissions or set data_dir").format(
            path=clip(data_dir), error=clip(e.strerror or e))) from None
    pid = lock.holder_pid()
    say(_("{app} is already running (pid {pid}).").format(app=APP_NAME, pid=pid) if pid
        else _("{app} is already running.").format(app=APP_NAME))
    return False


def _open_running(data_dir: Path) -> None:
    """Starting the app again (from the app menu, say) brings up the
    running one's window, as desktop apps do, rather than doing nothing."""
    from posture_assistant.core.events import Command
    from posture_assistant.storage.control_client import ControlError, request

    try:
        reply = request(data_dir, {"cmd": Command.PANEL.value})
    except ControlError:
        return
    if reply and reply.get("ok") and reply.get("status", {}).get("windows") == "ok":
        say(_("Its window is open."))


def _open_data(settings):
    from posture_assistant.storage.content import ContentError, load_suggestions
    from posture_assistant.storage.store import Store, StoreError

    try:
        suggestions = load_suggestions()
        # A full or read-only disk does not stop the app: it says so and
        # keeps its answers in memory until they can be written.
        store, notice = Store.open_for_app(settings.data_dir)
    except (ContentError, StoreError) as e:
        raise CliError(str(e)) from None
    if notice:
        warn(notice)
    return store, suggestions


def _tray(settings, off: bool):
    """A pystray backend's name, or Unavailable; said once when no tray works."""
    from posture_assistant.adapters.tray.detect import choose

    if off:
        return Unavailable(_("the tray is turned off"), name="off")
    choice = choose(settings.tray_backend)
    if isinstance(choice, Unavailable):
        warn(_("{reason}; running without a tray icon. Prompts come as notifications and a "
               "window; `{prog} status` and friends still work.").format(
            reason=choice.reason, prog=PROG))
    return choice


def _sensors(settings, headless: bool):
    from posture_assistant.adapters.fullscreen import open_source as fullscreen_source
    from posture_assistant.adapters.idle import open_source as idle_source
    from posture_assistant.app.sensors import Sensors

    idle = idle_source()
    if not idle.available:
        warn(_("activity detection unavailable ({reason}); break timing counts wall-clock "
               "time").format(reason=idle.reason))
    fullscreen = (Unavailable(_("not looked for without a display")) if headless
                  else fullscreen_source())
    return Sensors(working_hours=settings.working_hours, idle=idle, fullscreen=fullscreen,
                   log=warn)


def _windows_mode(headless: bool) -> str:
    """"ok", "off" (headless) or "unavailable: <why>" (no tkinter)."""
    from posture_assistant.ui._tk import tk_missing

    if headless:
        return "off"
    if sys.platform not in ("win32", "darwin") and not os.environ.get("DISPLAY"):
        # Tk draws with X11 only; a Wayland session without XWayland has no
        # X server for it. Prompts still come through the tray menu and the
        # notification's buttons.
        missing = _("windows need XWayland (Tk draws on X11), and this Wayland session has "
                    "none; prompts come through the tray menu and the notifications, and "
                    "`{prog} checklist` works in a terminal").format(prog=PROG)
        warn(_("windows unavailable: {reason}").format(reason=missing))
        return f"unavailable: {missing}"
    missing = tk_missing()
    if not missing:
        return "ok"
    warn(_("windows unavailable: {reason}").format(reason=missing))
    return f"unavailable: {missing}"


# Python puts the working directory first on sys.path for `-m` and `-c`, so a
# `posture_assistant/` folder there would run instead of the installed app.
# `-I` would also drop user site-packages (pip install --user) and `-P` needs
# Python 3.11, hence this line.
CHILD_MAIN = ("import sys; sys.path[:1] == [''] and sys.path.pop(0); "  # not for users
              "from posture_assistant.cli import main; sys.exit(main())")


def child_argv() -> list[str]:
    """How to run our own CLI in a child process: the installed package,
    whatever the working directory."""
    return [sys.executable, "-c", CHILD_MAIN]


def cmd_panel(args: argparse.Namespace) -> int:
    from posture_assistant.adapters.appearance import dark_mode
    from posture_assistant.ui.panel import run_panel

    return run_panel(settings_of(args).settings.data_dir, dark=dark_mode())
