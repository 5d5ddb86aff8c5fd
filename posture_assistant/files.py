"""Reading the files we ship and the files users write: asset paths, and
TOML with its failure as one short reason."""
from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def asset_path(name: str) -> Path:
    # Both the wheel and the editable install keep assets as real files, so a
    # plain path is safe to hand to Pillow, plyer or a notification server.
    return Path(str(files("posture_assistant.assets") / name))


def read_toml(path: Path) -> dict[str, Any]:
    """The file's data; ValueError with the reason (OS error, or syntax with
    its line and column) if it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise ValueError(e.strerror or str(e)) from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(str(e)) from None
