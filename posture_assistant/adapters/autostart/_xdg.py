"""Linux and the BSDs: the XDG Autostart spec's
`$XDG_CONFIG_HOME/autostart/posture-assistant.desktop`, which GNOME, KDE
Plasma, XFCE, MATE, Cinnamon, LXQt and others start at login.

A desktop's own settings turn an entry off by editing that file:
`Hidden=true` (XFCE, LXQt, KDE), `X-GNOME-Autostart-enabled=false`
(GNOME), `X-MATE-Autostart-enabled=false` (MATE); `status` reads all three.
An entry of the same name in `$XDG_CONFIG_DIRS/autostart` (an
administrator's, for everyone) is overridden by the user's file, so `off`
masks it with a `Hidden=true` one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from posture_assistant import APP_ID, APP_NAME, __version__
from posture_assistant.adapters.autostart import _desktop_entry as de
from posture_assistant.adapters.autostart._base import (
    DISABLED, NOT_OURS, OFF, ON, STALE, Entry, Status, missing_program,
    write_file,
)
from posture_assistant.files import asset_path
from posture_assistant.i18n import N_, _

FILE = f"{APP_ID}.desktop"
COMMENT = N_("Hourly stand-and-stretch prompts from your system tray")
# Keys the desktops' settings write to turn an entry off, and the value that means off.
OFF_SWITCHES = (("Hidden", "true"), ("X-GNOME-Autostart-enabled", "false"),
                ("X-MATE-Autostart-enabled", "false"))


def entry_status(path: Path, where: str | None = None) -> Status:
    """What one autostart file says: ours or not, on, off in the desktop's
    settings, or running a program that is gone."""
    where = where or str(path)
    if not path.exists():
        return Status(OFF, where)
    try:
        entry = de.read(path)[de.GROUP]
    except (OSError, ValueError):
        return Status(NOT_OURS, where)
    if de.MARKER not in entry:
        return Status(NOT_OURS, where)
    text = entry.get("Exec", "")
    try:
        argv = tuple(de.split_exec(text))
    except ValueError:
        argv = ()
    for key, value in OFF_SWITCHES:
        if entry.get(key, "").strip().lower() == value:
            return Status(DISABLED, where, argv, text, _(
                "turned off in your desktop's settings ({key}={value})").format(
                key=key, value=value))
    missing = missing_program(argv)
    if missing is not None:
        return Status(STALE, where, argv, text, _("{program} is not there any more").format(
            program=missing) if missing else _("its Exec line names no program"))
    return Status(ON, where, argv, text)


def autostart_entry(argv: Sequence[str]) -> str:
    return de.render([(de.GROUP, [
        ("Type", "Application"),
        ("Version", de.VERSION),
        ("Name", APP_NAME),
        *de.localized("Comment", COMMENT),
        # A file path, so the entry has its icon without the launcher's
        # hicolor copies.
        ("Icon", str(asset_path("app.png"))),
        ("Exec", de.quote_exec(argv)),
        # A desktop skips the entry quietly once the program is gone
        # (uninstalled), instead of failing at every login.
        ("TryExec", argv[0]),
        ("Terminal", "false"),
        ("X-GNOME-Autostart-enabled", "true"),
        (de.MARKER, __version__),
    ])])


def mask_entry() -> str:
    """Turns an administrator's entry of the same name off for this user."""
    return de.render([(de.GROUP, [
        ("Type", "Application"), ("Name", APP_NAME), ("Hidden", "true"),
        (de.MARKER, __version__),
    ])])


class XdgAutostart(Entry):
    name = "XDG autostart"  # not for users

    def __init__(self, config_home: Path | None = None,
                 config_dirs: list[Path] | None = None) -> None:
        home = config_home or de.xdg_dir("XDG_CONFIG_HOME", ".config")
        self.path = home / "autostart" / FILE
        self._system = config_dirs if config_dirs is not None else de.xdg_dirs(
            "XDG_CONFIG_DIRS", "/etc/xdg")
        self.takes_effect = _("It takes effect at your next login.")

    def _system_entry(self) -> Path | None:
        return next((d / "autostart" / FILE for d in self._system
                     if (d / "autostart" / FILE).is_file()), None)

    def _is_mask(self) -> bool:
        try:
            entry = de.read(self.path)[de.GROUP]
        except (OSError, ValueError):
            return False
        return de.MARKER in entry and "Exec" not in entry and de.is_true(entry.get("Hidden"))

    def status(self) -> Status:
        system = self._system_entry()
        if self._is_mask():
            return Status(OFF, str(self.path), reason=_(
                "the system-wide entry {path} is turned off for you").format(
                path=system) if system else "")
        if not self.path.exists() and system:
            found = entry_status(system)
            # Not written by us is still on: it starts the app all the same.
            return Status(ON, found.where, found.command, found.command_text,
                          _("a system-wide entry")) if found.state == NOT_OURS else found
        return entry_status(self.path)

    def enable(self, argv: Sequence[str]) -> tuple[Status, Status]:
        before = self._ours()
        write_file(self.path, autostart_entry(argv).encode())
        return before, self.status()

    def disable(self) -> tuple[Status, Status]:
        before = self._ours()
        if self._system_entry():
            write_file(self.path, mask_entry().encode())
        else:
            self.path.unlink(missing_ok=True)
        return before, self.status()


def open() -> XdgAutostart:
    return XdgAutostart()
