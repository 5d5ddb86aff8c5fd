"""`config`: every setting, its value and where the value came from."""
from __future__ import annotations

import argparse

from posture_assistant.cli._console import say
from posture_assistant.cli._settings import settings_of
from posture_assistant.i18n import _


def cmd_config(args: argparse.Namespace) -> int:
    from posture_assistant.storage.settings import describe

    loaded = settings_of(args)
    state = "" if loaded.config_file_exists else _(" (not found; defaults apply)")
    say(_("config file: {config_file}{state}").format(config_file=loaded.config_file, state=state))
    rows = describe(loaded)
    width = max(len(row[0]) for row in rows)
    vwidth = max(len(row[1]) for row in rows)
    for name, value, source in rows:
        say(f"{name:<{width}}  {value:<{vwidth}}  {source}")
    return 0
