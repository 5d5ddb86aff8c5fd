"""Where the shipped data files (icons, TOML content) are on disk."""
from importlib.resources import files
from pathlib import Path


def asset_path(name: str) -> Path:
    # Both the wheel and the editable install keep assets as real files, so a
    # plain path is safe to hand to Pillow, plyer or a notification server.
    return Path(str(files("posture_assistant.assets") / name))
