"""GNOME and GTK set-ups without the portal: GNOME's color-scheme setting
(GNOME 42 and later), else a GTK theme whose name ends in "-dark", read with
the `gsettings` command."""
from __future__ import annotations

import subprocess

from posture_assistant.adapters.appearance._base import AppearanceSource, Unusable
from posture_assistant.i18n import _

SCHEMA = "org.gnome.desktop.interface"
TIMEOUT = 2.0  # seconds; a window waits for the answer


def dark_from_gsettings(color_scheme: str | None, gtk_theme: str | None = None) -> bool | None:
    """The choice in `gsettings get` output such as "'prefer-dark'", None
    where neither key says (missing, or 'default' with a light theme)."""
    scheme = _unquote(color_scheme)
    if scheme in ("prefer-dark", "prefer-light"):
        return scheme == "prefer-dark"
    return True if _unquote(gtk_theme).lower().endswith("-dark") else None


def _unquote(value: str | None) -> str:
    return (value or "").strip().strip("'\"")


def _get(key: str) -> str | None:
    """The key's value as gsettings prints it; None if there is no such key
    (GNOME before 42 has no color-scheme)."""
    try:
        r = subprocess.run(["gsettings", "get", SCHEMA, key], capture_output=True, text=True,
                           check=False, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise Unusable(_("gsettings is not installed")) from None
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Unusable(_("gsettings did not answer ({error})").format(error=e)) from None
    return r.stdout if r.returncode == 0 else None


class GsettingsAppearance(AppearanceSource):
    name = "gsettings"  # not for users

    def __init__(self) -> None:
        scheme = _get("color-scheme")
        decided = dark_from_gsettings(scheme)
        self._dark = decided if decided is not None else dark_from_gsettings(
            scheme, _get("gtk-theme"))

    def prefers_dark(self) -> bool | None:
        return self._dark


def open() -> GsettingsAppearance:
    return GsettingsAppearance()
