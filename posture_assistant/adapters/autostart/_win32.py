"""Windows: a value named "Posture Assistant" under HKCU's
`Software\\Microsoft\\Windows\\CurrentVersion\\Run`, the per-user list
Explorer starts at sign-in. Chosen over a Startup-folder shortcut, which
needs COM (pywin32) to write a .lnk; the standard library's winreg does this.

Task Manager's Startup tab and Settings > Apps > Startup turn an entry off
without removing it: they keep a binary value of the same name under
`Explorer\\StartupApproved\\Run`, whose first byte is even while the entry
is on (02, 06) and odd while it is off (03, 07). `status` reads it, and
`on` removes it, which Windows takes as on.
"""
from __future__ import annotations

import ntpath
import subprocess
from typing import Any, Sequence

from posture_assistant import APP_ID, APP_NAME
from posture_assistant.adapters.autostart._base import (
    DISABLED, NOT_OURS, OFF, ON, STALE, Entry, Status, Unusable,
    missing_program,
)
from posture_assistant.i18n import _

RUN = r"Software\Microsoft\Windows\CurrentVersion\Run"  # not for users
APPROVED = (r"Software\Microsoft\Windows\CurrentVersion"  # not for users
            r"\Explorer\StartupApproved\Run")
VALUE = APP_NAME


def command_line(argv: Sequence[str]) -> str:
    """argv quoted the way the C runtime's argv parser reads it back."""
    return subprocess.list2cmdline(list(argv))


def split_command_line(line: str) -> list[str]:
    """The inverse, as CommandLineToArgvW splits it: the program up to the
    closing quote or the first blank, then the C runtime's rules (2n
    backslashes before a quote are n and the quote counts, 2n+1 are n and a
    literal quote, other backslashes are literal)."""
    line = line.lstrip(" \t")
    if line.startswith('"'):
        end = line.find('"', 1)
        end = len(line) if end < 0 else end
        program, rest = line[1:end], line[end + 1:]
    else:
        program, _sep, rest = line.partition(" ")
        program = program.split("\t", 1)[0]
    args: list[str] = []
    current: list[str] = []
    started = quoted = False
    i = 0
    while i < len(rest):
        c = rest[i]
        if c == "\\":
            n = len(rest[i:]) - len(rest[i:].lstrip("\\"))
            if i + n < len(rest) and rest[i + n] == '"':
                current.append("\\" * (n // 2))
                if n % 2:
                    current.append('"')
                    i += n + 1
                else:
                    i += n
                started = True
                continue
            current.append("\\" * n)
            started = True
            i += n
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c in " \t" and not quoted:
            if started:
                args.append("".join(current))
                current, started = [], False
        else:
            current.append(c)
            started = True
        i += 1
    if started:
        args.append("".join(current))
    return [program, *args]


def looks_ours(argv: Sequence[str]) -> bool:
    """Our console script, or a Python running our package."""
    stem = ntpath.splitext(ntpath.basename(argv[0]))[0].lower() if argv else ""
    return stem == APP_ID or any("posture_assistant" in arg for arg in argv[1:])


def turned_off(approved: Any) -> bool:
    return isinstance(approved, (bytes, bytearray)) and len(approved) > 0 and approved[0] % 2 == 1


class Win32Autostart(Entry):
    name = "Windows Run key"  # not for users

    def __init__(self, winreg: Any = None) -> None:
        if winreg is None:
            try:
                import winreg
            except ImportError:
                raise Unusable(_("no Windows registry here")) from None
        self._reg = winreg
        self.where = rf"HKEY_CURRENT_USER\{RUN}\{VALUE}"
        self.takes_effect = _("It takes effect the next time you sign in.")

    def _query(self, key_path: str) -> Any:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_QUERY_VALUE) as key:
                return reg.QueryValueEx(key, VALUE)[0]
        except FileNotFoundError:  # no such key or value
            return None

    def _delete(self, key_path: str) -> None:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, VALUE)
        except FileNotFoundError:
            pass

    def status(self) -> Status:
        line = self._query(RUN)
        if line is None:
            return Status(OFF, self.where)
        argv = tuple(split_command_line(str(line)))
        if not looks_ours(argv):
            return Status(NOT_OURS, self.where, argv, str(line))
        if turned_off(self._query(APPROVED)):
            return Status(DISABLED, self.where, argv, str(line), _(
                "turned off in Task Manager's Startup apps"))
        missing = missing_program(argv)
        if missing is not None:
            return Status(STALE, self.where, argv, str(line),
                          _("{program} is not there any more").format(program=missing))
        return Status(ON, self.where, argv, str(line))

    def enable(self, argv: Sequence[str]) -> tuple[Status, Status]:
        before = self._ours()
        reg = self._reg
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, VALUE, 0, reg.REG_SZ, command_line(argv))
        if before.state == DISABLED:
            self._delete(APPROVED)
        return before, self.status()

    def disable(self) -> tuple[Status, Status]:
        before = self._ours()
        if before.state != OFF:
            self._delete(RUN)
            # A leftover "off" there would turn a later `on` off again.
            self._delete(APPROVED)
        return before, self.status()


def open() -> Win32Autostart:
    return Win32Autostart()
