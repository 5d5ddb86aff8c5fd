"""The command line: start the app, or talk to the running one.

Exit status: 0 fine, 1 the request could not be done (e.g. the app is not
running), 2 a bad setting or argument, 3 no display to run on.
Every user-facing error is one line on stderr; never a traceback.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from . import APP_ID as PROG
from . import APP_NAME, __version__

EXIT_FAIL, EXIT_USAGE, EXIT_NO_DISPLAY = 1, 2, 3


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# ---- argument parsing --------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                        help="read settings from this TOML file")
    parser = argparse.ArgumentParser(
        prog=PROG, parents=[common],
        description=f"{APP_NAME}: hourly stand-and-stretch prompts from your system tray.",
        epilog="Run without a command to start the app. Settings come from "
               "POSTURE_* environment variables and config.toml; see "
               f"`{PROG} config`.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    run = add("run", "start the app (the default)")
    for p in (parser, run):
        p.add_argument("--no-tray", action="store_true", default=argparse.SUPPRESS,
                       help="no tray icon: prompt with notifications and a window")
        p.add_argument("--headless", action="store_true", default=argparse.SUPPRESS,
                       help="no tray and no windows: notifications and CLI control only")
    status = add("status", "show the running app's state and today's breaks")
    status.add_argument("--json", action="store_true", help="print JSON (keys in the README)")
    add("done", "I took my break")
    snooze = add("snooze", "put the pending break off")
    snooze.add_argument("duration", nargs="?",
                        help="how long, e.g. 5m, 90s, PT10M (default: the first snooze option)")
    add("skip", "skip the pending break")
    pause = add("pause", "no prompts for a while")
    pause.add_argument("length", nargs="?", metavar="DURATION|tomorrow|forever",
                       help="how long (e.g. 30m, 2h), until tomorrow, or until you resume "
                            "(forever, the default)")
    add("resume", "end a pause")
    add("break", "take a break now")
    add("quit", "stop the running app")
    add("config", "show every setting, its value and where the value came from")
    check = add("checklist", "check your workspace: yes/no questions, a fix for every no")
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--window", action="store_true", help="in a window instead of the terminal")
    mode.add_argument("--answers", metavar="FILE",
                      help='answers as JSON ({"item-id": "yes" | "no" | "skip"}); - for stdin')
    mode.add_argument("--items", action="store_true", help="list the questions")
    mode.add_argument("--last", action="store_true", help="show the last result")
    mode.add_argument("--history", action="store_true", help="list past results")
    check.add_argument("--offer", action="store_true", help=argparse.SUPPRESS)  # first start
    check.add_argument("--json", action="store_true", help="JSON output for --items, --last "
                                                           "and --history")
    sub.add_parser("panel", parents=[common])  # the window the tray opens; not for users
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        return COMMANDS[command](args)
    except CliError as e:
        warn(str(e))
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        # Point stdout at /dev/null so the flush at exit stays quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


# ---- shared steps ----------------------------------------------------------


def _settings(args: argparse.Namespace):
    from .settings import SettingsError, load_settings

    try:
        return load_settings(getattr(args, "config", None))
    except SettingsError as e:
        raise CliError(str(e), EXIT_USAGE) from None


def _ask(args: argparse.Namespace, cmd: str, **cmd_args: Any) -> dict | None:
    from .control import ControlError, request

    loaded = _settings(args)
    try:
        return request(loaded.settings.data_dir, {"cmd": cmd, "args": cmd_args})
    except ControlError as e:
        raise CliError(str(e)) from None


# ---- commands ----------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from .content import ContentError, load_suggestions
    from .lock import InstanceLock
    from .store import Store, StoreError
    from .tray.detect import NoDisplay, check_display, choose
    from .ui._tk import tk_missing

    loaded = _settings(args)
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
    from .app import App
    from .fullscreen import open_source as fullscreen_source
    from .idle import Unavailable, open_source

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


def cmd_status(args: argparse.Namespace) -> int:
    from .status import describe_status

    status = _status(args)
    if args.json:
        say(json.dumps(status, indent=2))
        return 0
    say(describe_status(status))
    return 0


def _status(args: argparse.Namespace) -> dict:
    reply = _ask(args, "status")
    if reply is not None:
        return reply["status"]
    from .status import build_status
    from .store import Store, StoreError

    settings = _settings(args).settings
    try:
        store, _ = Store.open(settings.data_dir, readonly=True)
    except StoreError as e:
        raise CliError(str(e)) from None
    with store:
        now = time.time()
        return build_status(now=now, counts=store.day_counts(now),
                            data_dir=str(settings.data_dir))


def _control(args: argparse.Namespace, cmd: str, **cmd_args: Any) -> int:
    reply = _ask(args, cmd, **cmd_args)
    if reply is None:
        raise CliError(f"{APP_NAME} is not running. Start it with `{PROG}`.")
    if not reply.get("ok"):
        raise CliError(reply.get("message", "the app refused"))
    say(reply.get("message", "OK"))
    return 0


def _duration_arg(command: str, text: str, also: str = "") -> float:
    from .durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as e:
        raise CliError(f"{command}: {text!r} is not a duration{also}: {e}", EXIT_USAGE) from None


def cmd_snooze(args: argparse.Namespace) -> int:
    if args.duration is None:
        return _control(args, "snooze")
    return _control(args, "snooze", seconds=_duration_arg("snooze", args.duration))


def cmd_pause(args: argparse.Namespace) -> int:
    length = (args.length or "forever").strip().lower()
    if length == "forever":
        return _control(args, "pause")
    if length == "tomorrow":
        return _control(args, "pause", tomorrow=True)
    seconds = _duration_arg("pause", args.length, ", 'tomorrow' or 'forever'")
    return _control(args, "pause", seconds=seconds)


def cmd_config(args: argparse.Namespace) -> int:
    from .settings import describe

    loaded = _settings(args)
    state = "" if loaded.config_file_exists else " (not found; defaults apply)"
    say(f"config file: {loaded.config_file}{state}")
    rows = describe(loaded)
    width = max(len(name) for name, _, _ in rows)
    vwidth = max(len(value) for _, value, _ in rows)
    for name, value, source in rows:
        say(f"{name:<{width}}  {value:<{vwidth}}  {source}")
    return 0


def cmd_checklist(args: argparse.Namespace) -> int:
    from .checklist_cli import run_checklist

    return run_checklist(args, _settings(args).settings)


def cmd_panel(args: argparse.Namespace) -> int:
    from .ui.panel import run_panel

    return run_panel(_settings(args).settings.data_dir)


COMMANDS = {
    "run": cmd_run,
    "status": cmd_status,
    "done": lambda a: _control(a, "done"),
    "snooze": cmd_snooze,
    "skip": lambda a: _control(a, "skip"),
    "pause": cmd_pause,
    "resume": lambda a: _control(a, "resume"),
    "break": lambda a: _control(a, "break"),
    "quit": lambda a: _control(a, "quit"),
    "config": cmd_config,
    "checklist": cmd_checklist,
    "panel": cmd_panel,
}
