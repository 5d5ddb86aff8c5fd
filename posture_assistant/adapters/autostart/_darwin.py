"""macOS: a LaunchAgent, `~/Library/LaunchAgents/local.posture-assistant.plist`
with RunAtLoad, which launchd starts when the user logs in.

Writing the file is all it takes: launchd reads the folder at login, so no
`launchctl load` or `bootstrap` is run (that would start a second copy now).
Removing it is as quiet: the job is not kept alive, so nothing restarts it.
The one launchctl call is for an agent switched off in System Settings >
General > Login Items, which launchd keeps in its list of disabled services
(`launchctl print-disabled gui/<uid>`): `status` says so and `on` enables it.
"""
from __future__ import annotations

import os
import plistlib
import re
import shlex
import subprocess
from pathlib import Path
from typing import Callable, Sequence

from posture_assistant import APP_ID, __version__
from posture_assistant.adapters.autostart._base import (
    DISABLED, NOT_OURS, OFF, ON, STALE, Entry, Status, missing_program,
    write_file,
)
from posture_assistant.i18n import _

# Reverse-DNS by launchd's convention; "local." claims no domain we do not own.
LABEL = f"local.{APP_ID}"
MARKER = "PostureAssistantVersion"  # not for users: launchd ignores keys it does not know
TIMEOUT = 5.0  # seconds, for launchctl

Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL)


def agent(argv: Sequence[str], home: Path) -> dict:
    log = str(home / "Library" / "Logs" / f"{APP_ID}.log")
    return {
        "Label": LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        # Without it launchd throttles the job's CPU and I/O as a background
        # task: our windows and tray would answer late.
        "ProcessType": "Interactive",
        # What the app says on stdout and stderr (launchd would drop it).
        "StandardOutPath": log,
        "StandardErrorPath": log,
        MARKER: __version__,
    }


def disabled_labels(output: str) -> set[str]:
    """Labels `launchctl print-disabled` lists as off: `"label" => disabled`
    (macOS 11 and later) or `=> true` (earlier)."""
    return {m.group(1) for m in re.finditer(r'"([^"]+)"\s*=>\s*(?:disabled|true)\b', output)}


class DarwinAutostart(Entry):
    name = "macOS LaunchAgent"  # not for users

    def __init__(self, home: Path | None = None, runner: Runner = run,
                 uid: int | None = None) -> None:
        self.home = home or Path.home()
        self.path = self.home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
        self._run = runner
        self._domain = f"gui/{os.getuid() if uid is None else uid}"
        self.takes_effect = _("launchd starts it at your next login; no launchctl command "
                              "is needed.")

    def _switched_off(self) -> bool:
        try:
            r = self._run(["launchctl", "print-disabled", self._domain])
        except (OSError, subprocess.TimeoutExpired):
            return False  # cannot tell; the file alone decides
        return r.returncode == 0 and LABEL in disabled_labels(r.stdout)

    def status(self) -> Status:
        where = str(self.path)
        if not self.path.exists():
            return Status(OFF, where)
        try:
            plist = plistlib.loads(self.path.read_bytes())
        except (OSError, ValueError, plistlib.InvalidFileException):
            return Status(NOT_OURS, where)
        if not isinstance(plist, dict) or MARKER not in plist:
            return Status(NOT_OURS, where)
        argv = tuple(str(a) for a in plist.get("ProgramArguments") or ())
        text = shlex.join(argv)
        if plist.get("Disabled") is True:
            return Status(DISABLED, where, argv, text, _("turned off in the file (Disabled)"))
        if self._switched_off():
            return Status(DISABLED, where, argv, text,
                          _("turned off in System Settings > General > Login Items"))
        missing = missing_program(argv)
        if missing is not None:
            return Status(STALE, where, argv, text,
                          _("{program} is not there any more").format(program=missing))
        return Status(ON, where, argv, text)

    def enable(self, argv: Sequence[str]) -> tuple[Status, Status]:
        before = self._ours()
        write_file(self.path, plistlib.dumps(agent(argv, self.home)))
        if before.state == DISABLED and self._switched_off():
            try:
                self._run(["launchctl", "enable", f"{self._domain}/{LABEL}"])
            except (OSError, subprocess.TimeoutExpired):
                pass  # the status after says it is still off
        return before, self.status()

    def disable(self) -> tuple[Status, Status]:
        before = self._ours()
        self.path.unlink(missing_ok=True)
        return before, self.status()


def open() -> DarwinAutostart:
    return DarwinAutostart()
