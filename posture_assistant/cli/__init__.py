"""The command line: start the app, or talk to the running one.

Exit status: 0 fine, 1 the request could not be done (e.g. the app is not
running), 2 a bad setting or argument, 3 no display to run on.
Every user-facing error is one line on stderr; never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Callable

from posture_assistant import APP_NAME, __version__
from posture_assistant.cli._console import EXIT_USAGE, PROG, CliError, one_line, warn
from posture_assistant.core.events import Command
from posture_assistant.i18n import _, clip


# ---- argument parsing --------------------------------------------------------


# With "posture-assistant: " in front, a line of at most 300 characters.
MAX_MESSAGE = 280


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line: it printed the whole usage
    first, and echoed a 20 KB argument in full."""

    given: list[str] = []  # the arguments of this run, to cut where echoed

    def error(self, message: str) -> None:  # type: ignore[override]
        for arg in sorted(set(self.given), key=len, reverse=True):
            if len(arg) > 40:
                message = message.replace(arg, clip(arg, 40))
        warn(clip(_("{error} (see `{prog} --help`)").format(error=clip(message, 200),
                                                            prog=self.prog), MAX_MESSAGE))
        sys.exit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="PATH", type=Path, default=argparse.SUPPRESS,
                        help=_("read settings from this TOML file"))
    parser = _Parser(
        prog=PROG, parents=[common],
        description=_("{APP_NAME}: hourly stand-and-stretch prompts from your system tray.").format(
            APP_NAME=APP_NAME),
        epilog=_("Run without a command to start the app. Settings come from "
                 "POSTURE_* environment variables and config.toml; see `{PROG} "
                 "config`.").format(PROG=PROG))
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help, description=help)

    run = add("run", _("start the app (the default)"))
    for p in (parser, run):
        p.add_argument("--no-tray", action="store_true", default=argparse.SUPPRESS,
                       help=_("no tray icon: prompt with notifications and a window"))
        p.add_argument("--headless", action="store_true", default=argparse.SUPPRESS,
                       help=_("no tray and no windows: notifications and CLI control only"))
    status = add("status", _("show the running app's state and today's breaks"))
    status.add_argument("--json", action="store_true", help=_("print JSON (keys in the README)"))
    add("done", _("I took my break"))
    snooze = add("snooze", _("put the pending break off"))
    snooze.add_argument("duration", nargs="?",
                        help=_("how long, e.g. 5m, 90s, PT10M (default: the first snooze option)"))
    add("skip", _("skip the pending break"))
    pause = add("pause", _("no prompts for a while"))
    pause.add_argument("length", nargs="?", metavar="DURATION|tomorrow|forever",
                       help=_("how long (e.g. 30m, 2h), until tomorrow, or until you resume "
                              "(forever, the default)"))
    add("resume", "end a pause")
    add("break", _("take a break now"))
    add("quit", _("stop the running app"))
    add("config", _("show every setting, its value and where the value came from"))
    check = add("checklist", _("check your workspace: yes/no questions, a fix for every no"))
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--window", action="store_true",
                      help=_("in a window instead of the terminal"))
    mode.add_argument("--answers", metavar="FILE",
                      help=_('answers as JSON ({"item-id": "yes" | "no" | "skip"}); '
                             '- for stdin'))
    mode.add_argument("--items", action="store_true", help=_("list the questions"))
    mode.add_argument("--last", action="store_true", help=_("show the last result"))
    mode.add_argument("--history", action="store_true", help=_("list past results"))
    check.add_argument("--offer", action="store_true", help=argparse.SUPPRESS)  # first start
    check.add_argument("--json", action="store_true",
                       help=_("JSON output for --items, --last and --history"))
    for name, about in (("autostart", _("start the app when you log in")),
                        ("launcher", _("the app's entry and icon in the desktop's app menu "
                                       "(Linux, BSD)"))):
        entry = add(name, about)
        entry.add_argument("action", nargs="?", choices=("on", "off", "status"),
                           default="status", help=_("on, off, or status (the default)"))
        entry.add_argument("--json", action="store_true",
                           help=_("print the state as JSON (keys in the README)"))
    sub.add_parser("panel", parents=[common])  # the window the tray opens; not for users
    return parser


def main(argv: list[str] | None = None) -> int:
    _Parser.given = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        return COMMANDS[command](args)
    except CliError as e:
        # The sources keep their messages to one short line; this is only
        # the last defence, against a line break in an OS error, or a long
        # value that a message put in whole.
        warn(clip(one_line(str(e)), MAX_MESSAGE))
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): not an error worth a traceback.
        # Point stdout at /dev/null so the flush at exit stays quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0

def _lazy(module: str, function: str, *extra: object) -> Callable[[argparse.Namespace], int]:
    """A command whose module is imported when it runs: --help and --version
    then load none of the commands' dependencies (pydantic, sqlite3)."""
    def command(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(f"{__name__}.{module}"), function)(args, *extra)
    return command


COMMANDS = {
    "run": _lazy("run", "cmd_run"),
    "status": _lazy("control", "cmd_status"),
    "done": _lazy("control", "send", Command.DONE),
    "snooze": _lazy("control", "cmd_snooze"),
    "skip": _lazy("control", "send", Command.SKIP),
    "pause": _lazy("control", "cmd_pause"),
    "resume": _lazy("control", "send", Command.RESUME),
    "break": _lazy("control", "send", Command.BREAK),
    "quit": _lazy("control", "send", Command.QUIT),
    "config": _lazy("config", "cmd_config"),
    "checklist": _lazy("checklist", "cmd_checklist"),
    "autostart": _lazy("autostart", "cmd_autostart"),
    "launcher": _lazy("autostart", "cmd_launcher"),
    "panel": _lazy("run", "cmd_panel"),
}
