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
    _print(message, sys.stdout)


def warn(message: str) -> None:
    _print(f"{PROG}: {message}", sys.stderr)


def one_line(message: str) -> str:
    """`message` with any line break or control character made a space."""
    return " ".join("".join(c if c.isprintable() else " " for c in message).split())


def _print(message: str, stream) -> None:
    try:
        print(message, file=stream, flush=True)
    except UnicodeEncodeError:
        # A path that is not UTF-8 (its bytes kept as surrogates) on a
        # terminal whose encoding is strict: show the bytes escaped.
        encoding = getattr(stream, "encoding", None) or "utf-8"
        print(message.encode(encoding, "backslashreplace").decode(encoding), file=stream,
              flush=True)
