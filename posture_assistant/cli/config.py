"""`config`: every setting, its value and where the value came from."""
from __future__ import annotations

import argparse

from posture_assistant.cli._console import say
from posture_assistant.cli._settings import settings_of


def cmd_config(args: argparse.Namespace) -> int:
    from posture_assistant.storage.settings import describe

    loaded = settings_of(args)
    state = "" if loaded.config_file_exists else " (not found; defaults apply)"
    say(f"config file: {loaded.config_file}{state}")
    rows = describe(loaded)
    width = max(len(name) for name, _, _ in rows)
    vwidth = max(len(value) for _, value, _ in rows)
    for name, value, source in rows:
        say(f"{name:<{width}}  {value:<{vwidth}}  {source}")
    return 0
