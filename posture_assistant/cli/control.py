"""Commands that talk to the running app over the control channel, and
`status`, which falls back to the database when the app is not running."""
from __future__ import annotations

import argparse
import json
import time
from typing import Any

from posture_assistant import APP_NAME
from posture_assistant.cli._console import EXIT_USAGE, PROG, CliError, say
from posture_assistant.cli._settings import settings_of


def _ask(args: argparse.Namespace, cmd: str, **cmd_args: Any) -> dict | None:
    from posture_assistant.storage.control import ControlError, request

    loaded = settings_of(args)
    try:
        return request(loaded.settings.data_dir, {"cmd": cmd, "args": cmd_args})
    except ControlError as e:
        raise CliError(str(e)) from None


def cmd_status(args: argparse.Namespace) -> int:
    from posture_assistant.app.status import describe_status

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
    from posture_assistant.app.status import build_status
    from posture_assistant.storage.store import Store, StoreError

    settings = settings_of(args).settings
    try:
        store, _ = Store.open(settings.data_dir, readonly=True)
    except StoreError as e:
        raise CliError(str(e)) from None
    with store:
        now = time.time()
        return build_status(now=now, counts=store.day_counts(now),
                            data_dir=str(settings.data_dir))


def send(args: argparse.Namespace, cmd: str, **cmd_args: Any) -> int:
    reply = _ask(args, cmd, **cmd_args)
    if reply is None:
        raise CliError(f"{APP_NAME} is not running. Start it with `{PROG}`.")
    if not reply.get("ok"):
        raise CliError(reply.get("message", "the app refused"))
    say(reply.get("message", "OK"))
    return 0


def _duration_arg(command: str, text: str, also: str = "") -> float:
    from posture_assistant.core.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as e:
        raise CliError(f"{command}: {text!r} is not a duration{also}: {e}", EXIT_USAGE) from None


def cmd_snooze(args: argparse.Namespace) -> int:
    if args.duration is None:
        return send(args, "snooze")
    return send(args, "snooze", seconds=_duration_arg("snooze", args.duration))


def cmd_pause(args: argparse.Namespace) -> int:
    length = (args.length or "forever").strip().lower()
    if length == "forever":
        return send(args, "pause")
    if length == "tomorrow":
        return send(args, "pause", tomorrow=True)
    seconds = _duration_arg("pause", args.length, ", 'tomorrow' or 'forever'")
    return send(args, "pause", seconds=seconds)
