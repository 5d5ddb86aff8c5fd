"""The tray icon pictures, one per state (drawn by scripts/make_icons.py)."""
from __future__ import annotations

from functools import lru_cache

from PIL import Image

from ..resources import asset_path

STATES = ("counting", "pending", "snoozed", "paused")


@lru_cache(maxsize=None)
def icon_image(state: str, *, opaque: bool = False) -> Image.Image:
    image = Image.open(asset_path(f"icon-{state}.png")).convert("RGBA")
    if not opaque:
        return image
    # For pystray's xorg backend, which drops the alpha channel and so paints
    # transparent pixels black: fill the rounded corners with the tile's own
    # colour, taken from the middle of its left edge.
    w, h = image.size
    background = Image.new("RGBA", image.size, image.getpixel((w // 10, h // 2)))
    return Image.alpha_composite(background, image).convert("RGB")
