"""Linux and the BSDs: the app-menu entry, `$XDG_DATA_HOME/applications/
posture-assistant.desktop`, and its icon in the hicolor theme, so the app
shows in the desktop's menu and launcher with its picture.

The icons are the frames of assets/app.ico, each drawn for its own size by
scripts/make_icons.py (the 16 px one with thicker lines), rather than
app.png scaled down.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from posture_assistant import APP_ID, APP_NAME, __version__
from posture_assistant.adapters.autostart import _desktop_entry as de
from posture_assistant.adapters.autostart._base import (
    OFF, ON, STALE, Entry, Status, write_file,
)
from posture_assistant.adapters.autostart._xdg import COMMENT, entry_status
from posture_assistant.files import asset_path
from posture_assistant.i18n import N_, _

FILE = f"{APP_ID}.desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)  # the frames of app.ico
GENERIC_NAME = N_("Break reminder")
# Translators: search words for the desktop's app menu, each ending in a
# semicolon; keep the semicolons.
KEYWORDS = N_("posture;break;stretch;ergonomics;reminder;")
CHECKLIST = N_("Check my workspace…")
# Tk names a window's class after its className with the first letter made
# upper case (ui/_tk.py passes APP_ID): docks group our windows under this
# entry by it.
WM_CLASS = APP_ID[:1].upper() + APP_ID[1:]


def launcher_entry(argv: Sequence[str]) -> str:
    return de.render([
        (de.GROUP, [
            ("Type", "Application"),
            ("Version", de.VERSION),
            ("Name", APP_NAME),
            *de.localized("GenericName", GENERIC_NAME),
            *de.localized("Comment", COMMENT),
            ("Icon", APP_ID),
            ("Exec", de.quote_exec(argv)),
            ("TryExec", argv[0]),
            ("Terminal", "false"),
            ("Categories", "Utility;"),
            *de.localized("Keywords", KEYWORDS),
            # The app opens no window when it starts (it sits in the tray),
            # so a busy cursor waiting for one would spin until it times out.
            ("StartupNotify", "false"),
            ("StartupWMClass", WM_CLASS),
            ("Actions", "checklist;"),
            (de.MARKER, __version__),
        ]),
        ("Desktop Action checklist", [  # not for users: a group name
            *de.localized("Name", CHECKLIST),
            ("Exec", de.quote_exec([*argv, "checklist", "--window"])),
        ]),
    ])


def icon_images() -> dict[int, bytes]:
    """{size: PNG bytes} from app.ico."""
    import io

    from PIL import Image

    images = {}
    with Image.open(asset_path("app.ico")) as ico:
        for n in ICON_SIZES:
            ico.size = (n, n)  # picks the frame drawn for that size
            out = io.BytesIO()
            ico.copy().save(out, "PNG")
            images[n] = out.getvalue()
    return images


class XdgLauncher(Entry):
    name = "XDG app menu"  # not for users

    def __init__(self, data_home: Path | None = None) -> None:
        home = data_home or de.xdg_dir("XDG_DATA_HOME", ".local/share")
        self.path = home / "applications" / FILE
        self.hicolor = home / "icons" / "hicolor"
        self.takes_effect = _("Most desktops show it in the menu at once; some after the "
                              "next login.")

    def icon(self, n: int) -> Path:
        return self.hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png"

    def status(self) -> Status:
        found = entry_status(self.path)
        if found.state == ON and not all(self.icon(n).is_file() for n in ICON_SIZES):
            return Status(STALE, found.where, found.command, found.command_text,
                          _("its icon is missing from {path}").format(path=self.hicolor))
        return found

    def enable(self, argv: Sequence[str]) -> tuple[Status, Status]:
        before = self._ours()
        changed = [write_file(self.icon(n), png) for n, png in icon_images().items()]
        if any(changed):
            # The Icon Theme spec's signal that the theme changed: a cache
            # older than the theme folder is not trusted, so a stale
            # icon-theme.cache there cannot hide the new icon.
            os.utime(self.hicolor)
        write_file(self.path, launcher_entry(argv).encode())
        return before, self.status()

    def disable(self) -> tuple[Status, Status]:
        before = self._ours()
        if before.state != OFF:
            self.path.unlink(missing_ok=True)
            for n in ICON_SIZES:
                self.icon(n).unlink(missing_ok=True)
        return before, self.status()


def open() -> XdgLauncher:
    return XdgLauncher()
