"""Commands that talk to the running app over the control channel, and
`status`, which falls back to the database when the app is not running."""
from __future__ import annotations

import argparse
import json
import time
from typing import Any

from posture_assistant.cli._console import EXIT_USAGE, CliError, say
from posture_assistant.cli._settings import settings_of
from posture_assistant.core.events import Command
from posture_assistant.i18n import _, clip


def _ask(args: argparse.Namespace, command: Command, **cmd_args: Any) -> dict | None:
    from posture_assistant.storage.control import ControlError, request

    loaded = settings_of(args)
    try:
        # Plain strings on the wire: the app may be another version of us.
        return request(loaded.settings.data_dir, {"cmd": command.value, "args": cmd_args})
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
    reply = _ask(args, Command.STATUS)
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

    reply = _ask(args, command, **cmd_args)
    if reply is None:
        raise CliError(not_running())
    if not reply.get("ok"):
        raise CliError(reply.get("message") or _("the app refused"))
    say(reply.get("message") or _("OK"))
    return 0


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
