"""What every command shares and nothing else: the user-facing error, the
exit codes and the two ways of speaking. A leaf, so commands can import it
without importing the parser (which imports the commands)."""
from __future__ import annotations

import sys

from posture_assistant import APP_ID as PROG

EXIT_FAIL, EXIT_USAGE, EXIT_NO_DISPLAY = 1, 2, 3


class CliError(Exception):
    """One line for the user, and the exit code; caught once, in main()."""

    def __init__(self, message: str, code: int = EXIT_FAIL) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
