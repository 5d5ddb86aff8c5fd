"""`autostart on|off|status` (start the app when you log in) and `launcher
on|off|status` (its entry in the desktop's app menu), and which command
starts this installed app."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.adapters.autostart import (
    DISABLED, NOT_OURS, OFF, ON, STALE, Entry, NotOurs, Status, Unavailable, open_autostart,
    open_launcher,
)
from posture_assistant.cli._console import PROG, CliError, say
from posture_assistant.cli.run import CHILD_MAIN, child_argv
from posture_assistant.i18n import _


def cmd_autostart(args: argparse.Namespace) -> int:
    return _run(args, open_autostart(), AutostartWords())


def cmd_launcher(args: argparse.Namespace) -> int:
    return _run(args, open_launcher(), LauncherWords())


# ---- the command this install runs as ---------------------------------------


def app_argv(config: Path | None = None, argv0: str | None = None,
             executable: str | None = None, platform: str | None = None) -> list[str]:
    """The command that starts this installed app, for an entry the desktop
    runs later from anywhere: the `posture-assistant` script that is running
    now if it is one, else this Python with our package (as the app starts
    its own windows), plus `--config` when one was given."""
    pythonw = os.path.join(os.path.dirname(executable or sys.executable), "pythonw.exe")
    if (platform or sys.platform) == "win32" and os.path.isfile(pythonw):
        # The console script is a console program: at sign-in it would open
        # a console window that stays as long as the app runs.
        argv = [pythonw, "-c", CHILD_MAIN]
    else:
        argv = _running_script(argv0 or sys.argv[0]) or child_argv()
    if config is not None:
        argv += ["--config", str(Path(config).expanduser().absolute())]
    return argv


def _running_script(argv0: str) -> list[str] | None:
    """[path] if argv0 is our console script. `python -m` names
    __main__.py instead, and `-c` names nothing. On Windows pip's launcher
    drops ".exe" from argv[0]."""
    path = os.path.abspath(argv0)
    for candidate in (path, path + ".exe"):
        if os.path.basename(candidate).lower() in (APP_ID, f"{APP_ID}.exe") and \
                os.path.isfile(candidate):
            # Not resolved: pipx's ~/.local/bin link outlives a reinstall.
            return [candidate]
    return None


# ---- the commands -----------------------------------------------------------


def _run(args: argparse.Namespace, backend: Entry | Unavailable,
         words: AutostartWords) -> int:
    if isinstance(backend, Unavailable):
        raise CliError(backend.reason)
    action = args.action
    try:
        if action == "status":
            return _show(args, backend, backend.status(), words)
        if action == "on":
            config = getattr(args, "config", None)
            if config:
                from posture_assistant.cli._settings import settings_of

                settings_of(args)  # a config that fails now would fail at every login
            before, after = backend.enable(app_argv(config))
        else:
            before, after = backend.disable()
    except NotOurs as e:
        raise CliError(words.not_ours(e.where, action)) from None
    except OSError as e:
        raise CliError(_("cannot change {where}: {error}").format(
            where=getattr(e, "filename", None) or getattr(backend, "path", backend.name),
            error=e.strerror or e)) from None
    if args.json:
        return _show(args, backend, after, words)
    for line in (words.turned_on(before, after, backend) if action == "on"
                 else words.turned_off(before, after)):
        say(line)
    return 0


def _show(args: argparse.Namespace, backend: Entry, status: Status,
          words: AutostartWords) -> int:
    if args.json:
        say(json.dumps({"state": status.state, "where": status.where,
                        "command": list(status.command) or None,
                        "reason": status.reason or None, "backend": backend.name}, indent=2))
    else:
        for line in words.status(status):
            say(line)
    return 0


class AutostartWords:
    """What `autostart` says; `launcher` says the same things of the menu."""

    command = "autostart"  # not for users: the command's name

    def _state(self, status: Status) -> str:
        fix = f"`{PROG} {self.command} on`"
        return {
            ON: _("on ({where})"),
            OFF: _("off; {fix} turns it on"),
            DISABLED: _("off, {reason} ({where}); {fix} turns it on again"),
            STALE: _("broken, {reason} ({where}); {fix} repairs it"),
            NOT_OURS: _("{where} was not written by {prog}, so it is left as it is"),
        }[status.state].format(where=status.where, reason=status.reason, fix=fix, prog=PROG)

    def status(self, status: Status) -> list[str]:
        lines = [_("autostart: {state}").format(state=self._state(status))]
        return lines + self._details(status)

    def _details(self, status: Status) -> list[str]:
        lines = []
        if status.state in (ON, OFF) and status.reason:
            lines.append(status.reason)
        if status.command_text:
            lines.append(_("It runs: {command}").format(command=status.command_text))
        return lines

    def not_ours(self, where: str, action: str) -> str:
        if action == "on":
            return _("{where} is there already and was not written by {prog}; it is left as "
                     "it is. Move it away and run `{prog} {command} on` again.").format(
                where=where, prog=PROG, command=self.command)
        return _("{where} was not written by {prog}; it is left as it is. Remove it "
                 "yourself if you want it gone.").format(where=where, prog=PROG)

    def turned_on(self, before: Status, after: Status, backend: Entry) -> list[str]:
        if after.state != ON:
            raise CliError(_("{where} is written, but it is still not on: {reason}").format(
                where=after.where, reason=after.reason or after.state))
        if before.state == ON and before.command == after.command:
            return [_("{app} already starts when you log in ({where}).").format(
                app=APP_NAME, where=after.where)]
        return [_("{app} now starts when you log in ({where}).").format(
            app=APP_NAME, where=after.where), *self._runs(after, before), backend.takes_effect]

    def _runs(self, after: Status, before: Status) -> list[str]:
        return [_("It runs: {command}").format(command=after.command_text), *self._was(before)]

    def _was(self, before: Status) -> list[str]:
        if before.state == DISABLED:
            return [_("It was {reason}; now it is on again.").format(reason=before.reason)]
        if before.state == STALE:
            return [_("The old entry was broken: {reason}.").format(reason=before.reason)]
        if before.state == ON:
            return [_("It replaces an entry that ran {command}").format(
                command=before.command_text)]
        return []

    def turned_off(self, before: Status, after: Status) -> list[str]:
        if before.state == OFF:
            return [_("{app} does not start when you log in; nothing to remove.").format(
                app=APP_NAME)]
        if after.reason:  # a system-wide entry, masked for this user
            return [_("{app} no longer starts when you log in: {reason}.").format(
                app=APP_NAME, reason=after.reason)]
        return [_("{app} no longer starts when you log in (removed {where}).").format(
            app=APP_NAME, where=before.where)]


class LauncherWords(AutostartWords):
    command = "launcher"  # not for users

    def status(self, status: Status) -> list[str]:
        lines = [_("app-menu entry: {state}").format(state=self._state(status))]
        return lines + self._details(status)

    def turned_on(self, before: Status, after: Status, backend: Entry) -> list[str]:
        if after.state != ON:
            raise CliError(_("{where} is written, but it is still not usable: {reason}").format(
                where=after.where, reason=after.reason or after.state))
        if before.state == ON and before.command == after.command:
            return [_("{app} is in your app menu already ({where}).").format(
                app=APP_NAME, where=after.where)]
        return [_("{app} is now in your app menu ({where}); `{prog} launcher off` removes "
                  "it.").format(app=APP_NAME, where=after.where, prog=PROG),
                *self._runs(after, before), backend.takes_effect]

    def turned_off(self, before: Status, after: Status) -> list[str]:
        if before.state == OFF:
            return [_("{app} is not in your app menu; nothing to remove.").format(app=APP_NAME)]
        return [_("{app} is no longer in your app menu (removed {where} and its icons).").format(
            app=APP_NAME, where=before.where)]
