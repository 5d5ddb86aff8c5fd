"""macOS: AppleInterfaceStyle in the global defaults, which exists (as
"Dark") only while the system is in dark mode, also when set to Auto."""
from __future__ import annotations

import subprocess

from posture_assistant.adapters.appearance._base import AppearanceSource, Unusable
from posture_assistant.i18n import _

COMMAND = ["defaults", "read", "-g", "AppleInterfaceStyle"]
TIMEOUT = 2.0  # seconds; a window waits for the answer


def dark_from_defaults(returncode: int, output: str) -> bool:
    # In light mode the key is absent and `defaults` fails: a choice too.
    return returncode == 0 and output.strip() == "Dark"


class DarwinAppearance(AppearanceSource):
    name = "macOS (AppleInterfaceStyle)"  # not for users

    def __init__(self) -> None:
        try:
            r = subprocess.run(COMMAND, capture_output=True, text=True, check=False,
                               timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Unusable(_("cannot read the macOS appearance ({error})").format(
                error=e)) from None
        self._dark = dark_from_defaults(r.returncode, r.stdout)

    def prefers_dark(self) -> bool | None:
        return self._dark


def open() -> DarwinAppearance:
    return DarwinAppearance()
