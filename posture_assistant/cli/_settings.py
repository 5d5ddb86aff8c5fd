"""The settings every command starts from, with a bad one as a usage error."""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from posture_assistant.cli._console import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from posture_assistant.storage.settings import LoadedSettings


def settings_of(args: argparse.Namespace) -> LoadedSettings:
    # Imported here: pydantic is the slowest import, and --help needs none.
    from posture_assistant.storage.settings import SettingsError, load_settings

    try:
        return load_settings(getattr(args, "config", None))
    except SettingsError as e:
        raise CliError(str(e), EXIT_USAGE) from None
