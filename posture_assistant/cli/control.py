"""Commands that talk to the running app over the control channel, and
`status`, which falls back to the database when the app is not running.

When the app stops before it answers (killed, crashed), a command says in
one line whether what it asked for was saved, from the database: exit 0
if it was, 1 if it was not (or cannot be told)."""
from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from posture_assistant.cli._console import EXIT_USAGE, PROG, CliError, say
from posture_assistant.cli._settings import settings_of
from posture_assistant.core.events import Command, EventKind
from posture_assistant.i18n import _, clip


def _ask(args: argparse.Namespace, command: Command, **cmd_args: Any) -> dict | None:
    """The app's reply; None if it is not running. AppStopped (for the
    caller) if it stopped before answering."""
    from posture_assistant.storage.control_client import AppStopped, ControlError, request

    loaded = settings_of(args)
    try:
        # Plain strings on the wire: the app may be another version of us.
        return request(loaded.settings.data_dir, {"cmd": command.value, "args": cmd_args})
    except AppStopped:
        raise
    except ControlError as e:
        raise CliError(str(e)) from None


def cmd_status(args: argparse.Namespace) -> int:
    from posture_assistant.app.texts import describe_status

    status = _status(args)
    if args.json:
        say(json.dumps(status, indent=2))
        return 0
    say(describe_status(status))
    return 0


def _status(args: argparse.Namespace) -> dict:
    from posture_assistant.storage.control_client import AppStopped

    try:
        reply = _ask(args, Command.STATUS)
    except AppStopped:
        reply = None  # what the database says is all there is now
    if reply is not None:
        return reply["status"]
    from posture_assistant.app.status import build_status
    from posture_assistant.storage.store import Store, StoreError

    settings = settings_of(args).settings
    try:
        store, _notice = Store.open(settings.data_dir, readonly=True)
    except StoreError as e:
        raise CliError(str(e)) from None
    with store:
        now = time.time()
        return build_status(now=now, counts=store.day_counts(now),
                            data_dir=str(settings.data_dir))


def send(args: argparse.Namespace, command: Command, **cmd_args: Any) -> int:
    from posture_assistant.app.texts import not_running
    from posture_assistant.storage.control_client import AppStopped

    try:
        reply = _ask(args, command, **cmd_args)
    except AppStopped as e:
        return _stopped_while_answering(args, command, e.sent_at)
    if reply is None:
        raise CliError(not_running())
    if not reply.get("ok"):
        raise CliError(reply.get("message") or _("the app refused"))
    say(reply.get("message") or _("OK"))
    return 0


# The row each command leaves in the database when it is carried out (see
# core/scheduler.py): a break taken early is recorded as done.
RECORDS = {Command.DONE: EventKind.DONE, Command.BREAK: EventKind.DONE,
           Command.SNOOZE: EventKind.SNOOZED, Command.SKIP: EventKind.SKIPPED,
           Command.PAUSE: EventKind.PAUSED, Command.RESUME: EventKind.RESUMED}


def _stopped_while_answering(args: argparse.Namespace, command: Command,
                             sent_at: float | None) -> int:
    """The app's end of the connection closed before its answer (it was
    killed, crashed, or quit meanwhile). Whether the command was carried
    out is in the database: exit 0 only when it provably was."""
    from posture_assistant.storage.control_client import running

    data_dir = settings_of(args).settings.data_dir
    kind = RECORDS.get(command)
    if kind is not None and sent_at is not None and _recorded_since(data_dir, kind, sent_at,
                                                                     command):
        say(_("The app stopped while answering, but your `{command}` was saved.").format(
            command=command.value))
        return 0
    if running(data_dir):
        raise CliError(_("the app closed the connection without answering `{command}`; check "
                         "with `{prog} status` whether it was done").format(
            command=command.value, prog=PROG))
    if command is Command.QUIT:
        say(_("The app stopped while answering `quit`; it is not running now."))
        return 0
    if kind is None:
        raise CliError(_("the app stopped while answering `{command}`; start it with `{prog}` "
                         "and try again").format(command=command.value, prog=PROG))
    raise CliError(_("the app stopped while answering; your `{command}` was not saved; start "
                     "it with `{prog}` and try again").format(command=command.value, prog=PROG))


def _recorded_since(data_dir: Path, kind: EventKind, since: float, command: Command) -> bool:
    from posture_assistant.storage.store import Store, StoreError

    try:
        store, _notice = Store.open(data_dir, readonly=True)
        with store:
            return bool(store.events(since=since, kinds=[kind.value]))
    except (StoreError, sqlite3.Error) as e:
        raise CliError(_("the app stopped while answering `{command}`, and whether it was "
                         "saved cannot be told: {error}").format(
            command=command.value, error=clip(str(e)))) from None


def _duration_arg(command: str, text: str, maximum: float, also: str = "") -> float:
    from posture_assistant.storage.durations import parse_duration

    try:
        return parse_duration(text, maximum)
    except ValueError as e:
        raise CliError(_("{command}: {text} is not a duration{also}: {error}").format(
            command=command, text=clip(repr(text), 40), also=also, error=e), EXIT_USAGE) from None


def cmd_snooze(args: argparse.Namespace) -> int:
    if args.duration is None:
        return send(args, Command.SNOOZE)
    from posture_assistant.storage.durations import WEEK

    return send(args, Command.SNOOZE,
                seconds=_duration_arg(Command.SNOOZE.value, args.duration, WEEK))


def cmd_pause(args: argparse.Namespace) -> int:
    length = (args.length or "forever").strip().lower()
    if length == "forever":
        return send(args, Command.PAUSE)
    if length == "tomorrow":
        return send(args, Command.PAUSE, tomorrow=True)
    from posture_assistant.storage.durations import YEAR

    seconds = _duration_arg(Command.PAUSE.value, args.length, YEAR,
                            _(", 'tomorrow' or 'forever'"))
    return send(args, Command.PAUSE, seconds=seconds)
